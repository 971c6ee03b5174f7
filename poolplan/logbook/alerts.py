"""Alerts to the coordinators when a child falls behind the pace its approval needs.

A child falls behind when its make-up debt as of today (approved minutes of past school days
that were neither credited nor excused, see `selectors.ledger_compute`) reaches
`settings.LOGBOOK_BEHIND_PERCENT` per cent of the minutes a week its current approvals grant:
at that point a week's plan can no longer make it up without planning extra sessions. The
child's own absence never counts, and school-budget children (no approval) are never behind.

The coordinators of the child's school get an in-app notification (and a mail, through
`planning.services.notification_create`) at most once per child and ISO week: a `PaceAlert`
row per child and week, unique in the database, records that they were told. Run it daily:
`manage.py pace_alerts` (`make run` runs it at start).
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from poolplan.accounts.models import Role, User
from poolplan.logbook.models import PaceAlert
from poolplan.logbook.selectors import child_ledgers
from poolplan.logbook.services import month_start
from poolplan.planning import services as planning_services
from poolplan.planning.weeks import iso_week_monday
from poolplan.roster.models import Approval, Child


def behind_threshold(minutes_per_week: int) -> int:
    return max(1, -(-minutes_per_week * settings.LOGBOOK_BEHIND_PERCENT // 100))


def pace_alerts_send(*, today: datetime.date | None = None) -> list[PaceAlert]:
    """Tell the coordinators about every child that fell behind this week and was not
    reported this week yet. Returns the new alerts."""
    today = today or timezone.localdate()
    monday = iso_week_monday(today)
    weekly: dict[int, int] = defaultdict(int)
    for child_id, minutes in Approval.objects.filter(
            valid_from__lte=today, valid_to__gte=today,
            child__archived_at__isnull=True).values_list("child_id", "minutes_per_week"):
        weekly[child_id] += minutes
    reported = set(PaceAlert.objects.filter(week=monday, child__in=list(weekly))
                   .values_list("child_id", flat=True))
    children = list(Child.objects.filter(pk__in=set(weekly) - reported)
                    .select_related("school").order_by("school_id", "display_code"))
    if not children:
        return []
    ledgers = child_ledgers(user=None, children=children, start=month_start(today), end=today,
                            today=today)
    coordinators: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(role=Role.COORDINATOR, is_active=True,
                                    schools__in={c.school_id for c in children}).distinct() \
            .prefetch_related("schools"):
        for school in user.schools.all():
            coordinators[school.pk].append(user)
    alerts = []
    for child in children:
        debt = ledgers[child.pk].total.debt_after
        if debt < behind_threshold(weekly[child.pk]):
            continue
        try:
            with transaction.atomic():
                alert = PaceAlert.objects.create(child=child, week=monday, behind_minutes=debt)
                _notify(child, debt, weekly[child.pk], today, coordinators[child.school_id])
        except IntegrityError:
            continue  # a concurrent run told them already
        alerts.append(alert)
    return alerts


def _notify(child: Child, debt: int, minutes_per_week: int, today: datetime.date,
            recipients: list[User]) -> None:
    # Display codes only: the notification also goes out by mail.
    subject = _("%(code)s falls behind its approved support") % {"code": child.display_code}
    body = _("%(code)s is %(debt)d minutes behind the pace its approval needs "
             "(%(weekly)d minutes a week): sessions missed on the pool's side that were not "
             "made up. Plan make-up sessions; the hours ledger: %(url)s") % {
        "code": child.display_code, "debt": debt, "weekly": minutes_per_week,
        "url": reverse("child_ledger", args=[child.pk, f"{today:%Y-%m}"])}
    for user in recipients:
        planning_services.notification_create(user=user, school=child.school, subject=subject,
                                              body=body)
