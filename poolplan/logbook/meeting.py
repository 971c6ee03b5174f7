"""Selectors of the weekly team meeting's agenda (reads only; access rules applied here).

The agenda of a school's pool for one ISO week, for its coordinators (who run the meeting;
the provider reads the pilot review instead, `logbook/evaluation.py`):

- children with red cards or incidents this week, most first (incident notes are the pool's);
- hours at risk: approved minutes of the week that neither were credited on past days nor are
  planned (published plan) for the days left; a week without a published plan puts all its
  minutes not yet delivered at risk;
- make-up debt: children the pool owes minutes, as of the week's end (or today);
- absences ahead: pool members' and children's absences in the next 14 days;
- strategies added this week (what works for a child, shared knowledge).

Every figure comes from a fixed number of queries however many children (tests cap them).
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.utils import timezone

from poolplan.accounts.models import Role, User
from poolplan.board.models import CardColour, CardEvent, CardEventKind
from poolplan.logbook.models import LogEntry, Strategy
from poolplan.logbook.selectors import (
    child_ledgers,
    periods_sum,
)
from poolplan.planning.weeks import iso_week_label
from poolplan.roster import selectors as roster_selectors
from poolplan.roster.models import Absence, Child, School

ABSENCES_AHEAD_DAYS = 14


def meeting_school_get(*, user: User, school_id: int) -> School:
    """The school whose team meeting the user prepares: its coordinators.

    Raises:
        Http404: the school is not visible to the user.
        PermissionDenied: the user sees it but does not coordinate its pool.
    """
    school = roster_selectors.school_get(user=user, school_id=school_id)
    if not meeting_can_view(user=user, school=school):
        raise PermissionDenied("The team meeting's agenda is for the pool's coordinators.")
    return school


def meeting_can_view(*, user: User, school: School) -> bool:
    return (bool(user and user.is_authenticated and user.is_active)
            and user.role == Role.COORDINATOR
            and roster_selectors.school_can_manage(user=user, school=school))


@dataclass(frozen=True)
class AttentionRow:
    child: Child
    red_cards: int
    incidents: list[LogEntry]


@dataclass(frozen=True)
class RiskRow:
    child: Child
    approved: int
    credited: int
    planned_ahead: int
    at_risk: int
    has_plan: bool


@dataclass(frozen=True)
class DebtRow:
    child: Child
    debt: int
    added_this_week: int


@dataclass(frozen=True)
class Agenda:
    school: School
    monday: datetime.date
    sunday: datetime.date
    label: str
    attention: list[AttentionRow]
    at_risk: list[RiskRow]
    debt: list[DebtRow]
    absences: list[Absence]
    absences_from: datetime.date
    absences_to: datetime.date
    strategies: list[Strategy]
    show_reasons: bool


def _week_bounds_utc(monday: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(monday, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(monday + datetime.timedelta(days=7), datetime.time(),
                                    tzinfo=zone)
    return start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)


def team_meeting_agenda(*, user: User, school: School, monday: datetime.date,
                        today: datetime.date | None = None) -> Agenda:
    """The agenda of `school`'s team meeting for the ISO week starting `monday`. The caller
    has checked access (meeting_school_get)."""
    today = today or timezone.localdate()
    sunday = monday + datetime.timedelta(days=6)
    children = list(roster_selectors.child_list(user=user, school=school)
                    .order_by("display_code"))
    by_id = {c.pk: c for c in children}
    start_at, end_at = _week_bounds_utc(monday)

    red = Counter(dict(
        CardEvent.objects.filter(school=school, kind=CardEventKind.SET, colour=CardColour.RED,
                                 at__gte=start_at, at__lt=end_at, child__in=by_id)
        .order_by().values_list("child_id").annotate(n=Count("id"))))
    incidents: dict[int, list[LogEntry]] = defaultdict(list)
    for entry in (LogEntry.objects.filter(child__in=by_id, date__gte=monday, date__lte=sunday,
                                          incident=True, superseded_by__isnull=True)
                  .select_related("assistant").order_by("date", "start")):
        incidents[entry.child_id].append(entry)
    attention = sorted(
        (AttentionRow(child=by_id[pk], red_cards=red.get(pk, 0), incidents=incidents[pk])
         for pk in set(red) | set(incidents)),
        key=lambda r: (-(r.red_cards + len(r.incidents)), r.child.display_code))

    ledgers = child_ledgers(user=user, children=children, start=monday, end=sunday,
                            today=today)
    at_risk, debt = [], []
    for child in children:
        ledger = ledgers[child.pk]
        week = periods_sum(ledger.weeks, monday, sunday, ledger.total.debt_before, "")
        credited = sum(s.credited for s in ledger.sessions if s.entry.date < today)
        mondays, by_day = ledger.planned or (set(), {})
        has_plan = monday in mondays
        ahead = sum(m for day, m in by_day.items() if day >= today) if has_plan else 0
        risk = max(0, week.approved - credited - ahead)
        if risk:
            at_risk.append(RiskRow(child=child, approved=week.approved, credited=credited,
                                   planned_ahead=ahead, at_risk=risk, has_plan=has_plan))
        if week.debt_after:
            debt.append(DebtRow(child=child, debt=week.debt_after,
                                added_this_week=week.debt_added))
    at_risk.sort(key=lambda r: (-r.at_risk, r.child.display_code))
    debt.sort(key=lambda r: (-r.debt, r.child.display_code))

    ahead_from = max(today, monday)
    ahead_to = ahead_from + datetime.timedelta(days=ABSENCES_AHEAD_DAYS)
    absences = list(roster_selectors.absence_list(user=user, school=school)
                    .filter(end__gte=ahead_from, start__lte=ahead_to)
                    .order_by("start", "pk"))
    strategies = list(Strategy.objects.filter(child__in=by_id, created_at__gte=start_at,
                                              created_at__lt=end_at)
                      .select_related("child", "created_by").order_by("created_at"))
    return Agenda(school=school, monday=monday, sunday=sunday, label=iso_week_label(monday),
                  attention=attention, at_risk=at_risk, debt=debt, absences=absences,
                  absences_from=ahead_from, absences_to=ahead_to, strategies=strategies,
                  show_reasons=roster_selectors.absence_can_see_reason(user=user))
