"""bell_schedule_set: periods timed as the timetable program has them, checked day by day."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from poolplan.accounts.models import AuditEvent
from poolplan.roster import services
from poolplan.roster.models import Period, PeriodKind

pytestmark = pytest.mark.django_db


def times(*rows):
    return [{"weekday": day, "label": label, "start": dt.time(*start), "end": dt.time(*end)}
            for day, label, start, end in rows]


def test_it_creates_retimes_and_keeps_periods(small):
    result = services.bell_schedule_set(actor=small.actor, school=small.school, times=times(
        (1, "1", (8, 0), (8, 45)), (1, "2", (9, 5), (9, 50)), (2, "3", (9, 50), (10, 35))))
    assert result == {"mon-1": "unchanged", "mon-2": "created", "tue-3": "updated"}
    created = Period.objects.get(school=small.school, weekday=1, label="2")
    assert created.kind == PeriodKind.LESSON
    small.lesson3.refresh_from_db()
    assert (small.lesson3.start, small.lesson3.end) == (dt.time(9, 50), dt.time(10, 35))
    event = AuditEvent.objects.latest("id")
    assert event.changes == {"mon-2": [None, "09:05-09:50"],
                             "tue-3": ["09:55-10:40", "09:50-10:35"]}


def test_it_checks_the_day_after_the_change(small):
    """Moving period 1 later and the break with it is fine as a whole, though period 1's new
    times overlap the break's old ones."""
    services.bell_schedule_set(actor=small.actor, school=small.school, times=times(
        (1, "1", (8, 10), (8, 55)), (1, "b1", (8, 55), (9, 15))))
    small.brk.refresh_from_db()
    assert small.brk.kind == PeriodKind.BREAK and small.brk.start == dt.time(8, 55)


@pytest.mark.parametrize("rows,slot,message", [
    (((1, "1", (8, 0), (8, 50)),), "mon-1", "Monday: it overlaps break 1 (08:45–09:05)"),
    (((1, "2", (8, 30), (8, 40)),), "mon-2", "Monday: it overlaps period 1 (08:00–08:45)"),
    (((1, "2", (9, 0), (8, 0)),), "mon-2", "The period must end after it starts."),
    (((7, "1", (8, 0), (8, 45)),), "7-1", "Choose a weekday from Monday to Saturday."),
])
def test_it_refuses_clashes_keyed_by_slot_and_writes_nothing(small, rows, slot, message):
    before = list(Period.objects.values_list("weekday", "label", "start", "end"))
    with pytest.raises(ValidationError) as error:
        services.bell_schedule_set(actor=small.actor, school=small.school, times=times(*rows))
    assert list(error.value.message_dict) == [slot]
    assert error.value.message_dict[slot][0].startswith(message)
    assert list(Period.objects.values_list("weekday", "label", "start", "end")) == before
