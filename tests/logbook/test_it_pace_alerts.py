"""alerts.pace_alerts_send and `manage.py pace_alerts`: the coordinators hear once a week
when a child falls behind the pace its approval needs (900 min a week, due on Mondays)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from poolplan.logbook.alerts import pace_alerts_send
from poolplan.logbook.models import PaceAlert, Presence
from poolplan.planning.models import Notification
from poolplan.roster.models import Absence, AbsenceReason
from tests.logbook.conftest import MONTH_MONDAYS

TUESDAY = dt.timedelta(days=1)


@pytest.fixture
def behind(lb, log):
    """Week 1 delivered in full; in week 2 the assistant was absent: 900 minutes of debt."""
    lb.child_6b.approvals.all().delete()
    log(MONTH_MONDAYS[0], "08:00", "23:00")
    log(MONTH_MONDAYS[1], "08:00", "23:00", presence=Presence.ASSISTANT_ABSENT)
    return lb


def alerts_for(lb):
    return Notification.objects.filter(user=lb.user("coordinator"), subject__contains="Fox 1")


def test_it_fires_when_the_debt_reaches_the_threshold(behind, settings):
    settings.LOGBOOK_BEHIND_PERCENT = 20
    [alert] = pace_alerts_send(today=MONTH_MONDAYS[1] + TUESDAY)
    assert alert.child == behind.child and alert.behind_minutes == 900
    assert alert.week == MONTH_MONDAYS[1]
    [notification] = alerts_for(behind)
    assert "900 minutes behind" in notification.body
    assert notification.school == behind.school
    # Only the coordinators of the child's school hear of it.
    assert not Notification.objects.exclude(user=behind.user("coordinator")).exists()


def test_it_does_not_fire_twice_in_the_same_week(behind):
    pace_alerts_send(today=MONTH_MONDAYS[1] + TUESDAY)
    assert pace_alerts_send(today=MONTH_MONDAYS[1] + TUESDAY) == []
    assert pace_alerts_send(today=MONTH_MONDAYS[1] + dt.timedelta(days=3)) == []
    assert alerts_for(behind).count() == 1
    assert PaceAlert.objects.count() == 1


def test_it_fires_again_the_next_week_while_still_behind(behind):
    pace_alerts_send(today=MONTH_MONDAYS[1] + TUESDAY)
    [again] = pace_alerts_send(today=MONTH_MONDAYS[2] + TUESDAY)
    # Nobody supported the child on the third Monday either.
    assert again.behind_minutes == 1800
    assert alerts_for(behind).count() == 2


def test_it_does_not_fire_on_the_day_itself(behind):
    # Minutes due today may still be delivered and logged: owed, not yet debt.
    assert pace_alerts_send(today=MONTH_MONDAYS[1]) == []


def test_it_does_not_fire_below_the_threshold(behind, settings):
    settings.LOGBOOK_BEHIND_PERCENT = 101
    assert pace_alerts_send(today=MONTH_MONDAYS[1] + TUESDAY) == []


def test_it_does_not_count_the_childs_own_absence(lb, log):
    lb.child_6b.approvals.all().delete()
    log(MONTH_MONDAYS[0], "08:00", "23:00")
    log(MONTH_MONDAYS[1], "08:00", "23:00", presence=Presence.CHILD_ABSENT)
    Absence.objects.create(child=lb.child, start=MONTH_MONDAYS[1], end=MONTH_MONDAYS[1],
                           reason=AbsenceReason.ILLNESS)
    assert pace_alerts_send(today=MONTH_MONDAYS[1] + TUESDAY) == []
    assert not alerts_for(lb).exists()


def test_it_runs_as_a_command(behind):
    out = io.StringIO()
    call_command("pace_alerts", stdout=out)
    assert "pace alert(s) sent" in out.getvalue()
