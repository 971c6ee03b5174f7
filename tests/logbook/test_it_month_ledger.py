"""The ledger of the Monday-only school: 900 approved minutes per week, due each Monday."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poolplan.logbook.models import Presence
from poolplan.logbook.selectors import month_ledger
from poolplan.roster.models import Absence, AbsenceReason, Approval, Child
from tests.logbook.conftest import MONDAYS, NOVEMBER

TODAY = dt.date(2026, 11, 30)


def ledger(lb, user="coordinator", month=NOVEMBER, today=TODAY):
    return month_ledger(user=lb.user(user), child=lb.child, month=month, today=today)


def test_it_prorates_the_approval_over_the_weeks(lb):
    result = ledger(lb)
    # Sunday 1 November is a week part of its own (W44), without school days.
    assert [w.label for w in result.weeks][:2] == ["2026-W44", "2026-W45"]
    assert [w.approved for w in result.weeks] == [0, 900, 900, 900, 900, 900]
    assert result.total.approved == 4500
    assert result.total.planned is None  # no published plan


def test_it_credits_sessions_within_the_approved_ratio(lb, log):
    log(MONDAYS[0], "08:00", "09:00", group=[lb.child_6b])  # 1:2, allowed
    result = ledger(lb)
    assert result.weeks[1].credited == 60 and result.weeks[1].not_credited == 0


def test_it_shows_but_does_not_credit_a_larger_group(lb, log):
    third = Child.objects.create(school=lb.school, school_class=lb.class_5a, first_name="Ida",
                                 last_name="Ernst", display_code="Cat 9")
    log(MONDAYS[0], "08:00", "09:00", group=[lb.child_6b, third])  # 1:3 > 1:2
    week = ledger(lb).weeks[1]
    assert week.delivered == 60 and week.credited == 0 and week.not_credited == 60
    assert ledger(lb).sessions[0].ratio == 3


def test_it_subtracts_minutes_away(lb, log):
    log(MONDAYS[0], "08:00", "09:00", minutes_away=15)
    assert ledger(lb).weeks[1].delivered == 45


def test_it_turns_pool_side_shortfall_into_debt(lb, log):
    # Week 1 fully delivered, week 2 the assistant was absent, nothing logged afterwards.
    log(MONDAYS[0], "08:00", "23:00")  # 900 minutes
    log(MONDAYS[1], "08:00", "23:00", presence=Presence.ASSISTANT_ABSENT)
    result = ledger(lb, today=MONDAYS[1] + dt.timedelta(days=1))
    week1, week2 = result.weeks[1], result.weeks[2]
    assert week1.debt_added == 0 and week1.shortfall == 0
    assert week2.shortfall == 900 and week2.debt_added == 900
    # On the day itself the minutes are owed, not yet debt; later weeks likewise.
    assert ledger(lb, today=MONDAYS[1]).weeks[2].debt_added == 0
    assert result.weeks[3].debt_added == 0
    assert result.total.debt_after == 900


def test_it_makes_no_debt_of_the_childs_absence(lb, log):
    log(MONDAYS[0], "08:00", "23:00", presence=Presence.CHILD_ABSENT)
    Absence.objects.create(child=lb.child, start=MONDAYS[1], end=MONDAYS[1],
                           reason=AbsenceReason.ILLNESS)
    result = ledger(lb, today=MONDAYS[1] + dt.timedelta(days=1))
    assert result.weeks[1].excused == 900 and result.weeks[1].debt_added == 0
    assert result.weeks[2].approved == 0 and result.weeks[2].debt_added == 0
    assert result.total.debt_after == 0


def test_it_carries_debt_forward_until_made_up(lb, log):
    log(MONDAYS[0], "08:00", "23:00", presence=Presence.ASSISTANT_ABSENT)
    december = month_ledger(user=lb.user("coordinator"), child=lb.child,
                            month=dt.date(2026, 12, 1), today=dt.date(2026, 12, 1))
    # November left 5 x 900 undelivered; December 1 is a Tuesday: nothing due yet.
    assert december.total.debt_before == 4500
    log(dt.date(2026, 12, 7), "06:00", "23:00")  # 1020 minutes, 120 beyond the week
    december = month_ledger(user=lb.user("coordinator"), child=lb.child,
                            month=dt.date(2026, 12, 1), today=dt.date(2026, 12, 8))
    assert december.total.debt_made_up == 120
    assert december.total.debt_after == 4500 - 120


def test_it_reviewer_sees_only_their_funding_bodys_approvals(lb):
    assert ledger(lb, user="reviewer").total.approved == 4500
    assert ledger(lb, user="other_reviewer").total.approved == 0


@pytest.fixture
def two_approvals(lb, log):
    """A second approval from February (600 min, 1:1) and a few sessions around it."""
    first = lb.child.approvals.get()
    first.valid_to = dt.date(2027, 1, 31)
    first.save()
    Approval.objects.create(child=lb.child, funding_body=lb.youth_office, file_number="AZ-2",
                            minutes_per_week=600, valid_from=dt.date(2027, 2, 1),
                            valid_to=dt.date(2027, 7, 31), max_ratio=1)
    for day in (MONDAYS[0], MONDAYS[2], dt.date(2027, 1, 25), dt.date(2027, 2, 1),
                dt.date(2027, 3, 29)):
        log(day, "08:00", "20:00")
    return lb


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.integers(min_value=0, max_value=300))
def test_it_month_total_is_the_sum_of_its_weeks(two_approvals, day):
    # Any month (weeks split at month ends, DST changes in October and March), across the
    # approvals' boundary: the totals are sums of the week parts, the debt chain continuous.
    lb = two_approvals
    start = dt.date(2026, 9, 1) + dt.timedelta(days=day)
    result = month_ledger(user=lb.user("coordinator"), child=lb.child, month=start,
                          today=dt.date(2027, 6, 1))
    assert result.total.approved == sum(w.approved for w in result.weeks)
    assert result.total.credited == sum(w.credited for w in result.weeks)
    assert result.total.debt_added == sum(w.debt_added for w in result.weeks)
    assert result.total.debt_after == result.weeks[-1].debt_after
    for before, after in zip(result.weeks, result.weeks[1:], strict=False):
        assert after.debt_before == before.debt_after


def test_it_makes_no_debt_before_the_pool_began_its_log_book(lb, log):
    assert ledger(lb).total.debt_after == 0  # nothing logged at the school yet
    log(MONDAYS[2], "08:00", "23:00", child=lb.child_6b)  # the pool starts on 16 November
    result = ledger(lb, today=MONDAYS[3] + dt.timedelta(days=1))
    assert [w.debt_added for w in result.weeks] == [0, 0, 0, 900, 900, 0]
