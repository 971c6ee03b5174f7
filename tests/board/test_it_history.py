"""The card history's arithmetic (no database): spans of yellow and red, days per period, and
where the need profile and the cards differ. Fixed dates: pure date arithmetic with `now`
passed in."""

import datetime as dt
import zoneinfo

from poolplan.board.history import (
    Change,
    Difference,
    Slot,
    SlotCount,
    card_in_use,
    differences,
    heat_level,
    slot_counts,
)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
MONDAY = dt.date(2026, 11, 9)
FIRST = Slot(1, 1, dt.time(8, 0), dt.time(8, 45))  # Monday, period 1
SECOND = Slot(2, 1, dt.time(8, 50), dt.time(9, 35))  # Monday, period 2
LAST = Slot(3, 1, dt.time(13, 0), dt.time(13, 45))  # Monday, period 6
TUESDAY = Slot(4, 2, dt.time(8, 0), dt.time(8, 45))


def at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    # Stored in UTC like the database does; the arithmetic reads local time.
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BERLIN).astimezone(dt.UTC)


def counts(changes, slots=(FIRST, SECOND, LAST, TUESDAY), first_day=MONDAY, last_day=None):
    last_day = last_day or MONDAY + dt.timedelta(days=6)  # one week
    return slot_counts(changes, slots, first_day=first_day, last_day=last_day, tz=BERLIN)


def test_it_counts_the_period_a_card_was_red_in():
    result = counts([Change(at(MONDAY, 8, 10), "red"), Change(at(MONDAY, 8, 20), "green")])
    assert result[FIRST.period_id] == SlotCount(red_days=1, yellow_days=0, days=1)
    assert result[SECOND.period_id] == SlotCount(0, 0, 1)
    assert result[TUESDAY.period_id] == SlotCount(0, 0, 1)


def test_it_counts_a_day_red_when_the_card_was_yellow_and_red_in_one_period():
    result = counts([Change(at(MONDAY, 8, 5), "yellow"), Change(at(MONDAY, 8, 15), "red"),
                     Change(at(MONDAY, 8, 30), "green")])
    assert result[FIRST.period_id] == SlotCount(red_days=1, yellow_days=0, days=1)


def test_it_counts_every_period_a_span_covers_until_the_day_ends():
    # Turned yellow in the first lesson and never back: the rest of the day stays yellow.
    result = counts([Change(at(MONDAY, 8, 40), "yellow")])
    assert [result[s.period_id].yellow_days for s in (FIRST, SECOND, LAST, TUESDAY)] == [
        1, 1, 1, 0]


def test_it_keeps_the_colour_through_an_acknowledgement():
    # "I'm going" keeps the card red (its event carries the colour); "done" turns it green.
    result = counts([Change(at(MONDAY, 8, 10), "red"), Change(at(MONDAY, 8, 12), "red"),
                     Change(at(MONDAY, 8, 47), "green")])
    assert result[FIRST.period_id].red_days == 1
    assert result[SECOND.period_id].red_days == 0


def test_it_ignores_the_colour_a_card_starts_the_day_with():
    # No change at all: the default colour is the coordinator's setting, not a signal.
    result = counts([])
    assert all(count.signal_days == 0 for count in result.values())
    # A default-yellow card turned green at 8:30 was never turned yellow by anyone.
    assert counts([Change(at(MONDAY, 8, 30), "green")])[FIRST.period_id].yellow_days == 0


def test_it_counts_the_days_each_period_took_place_in_the_window():
    second_monday = MONDAY + dt.timedelta(days=7)
    two_weeks = counts([Change(at(MONDAY, 8, 10), "red"), Change(at(MONDAY, 8, 40), "green"),
                        Change(at(second_monday, 8, 10), "red")],
                       last_day=second_monday)
    assert two_weeks[FIRST.period_id] == SlotCount(red_days=2, yellow_days=0, days=2)
    # Red from 8:10 on the second Monday to the day's end; on the first only until 8:40.
    assert two_weeks[SECOND.period_id] == SlotCount(red_days=1, yellow_days=0, days=2)
    # The window ends on the second Monday: one Tuesday only.
    assert two_weeks[TUESDAY.period_id].days == 1


def test_it_finds_unplanned_need_and_too_little_support():
    counts_ = {1: SlotCount(red_days=2, yellow_days=1, days=6),  # need 0: 3 of 6 days
               2: SlotCount(red_days=4, yellow_days=0, days=6),  # shared support, red 4 of 6
               3: SlotCount(red_days=1, yellow_days=0, days=6),  # one bad day: no pattern
               4: SlotCount(red_days=0, yellow_days=5, days=6)}  # shared, yellow is fine
    found = differences(counts_, {2: 1, 4: 1}, card_in_use=True)
    assert [(d.period_id, d.kind) for d in found] == [(1, "unplanned"), (2, "too_little")]


def test_it_finds_planned_support_the_cards_never_asked_for():
    counts_ = {1: SlotCount(0, 0, 6), 2: SlotCount(0, 0, 6), 3: SlotCount(0, 1, 6)}
    assert differences(counts_, {1: 2, 3: 1}, card_in_use=True) == [
        Difference(1, "unused", 2, SlotCount(0, 0, 6))]
    # A card nobody used says nothing about the periods.
    assert differences(counts_, {1: 2, 3: 1}, card_in_use=False) == []


def test_it_shades_by_the_share_of_days():
    assert [heat_level(SlotCount(r, 0, 6)) for r in (0, 1, 2, 3, 4, 6)] == [0, 1, 2, 2, 3, 3]
    assert heat_level(SlotCount(0, 0, 0)) == 0


def test_it_calls_a_card_in_use_when_turned_on_a_day_a_week_on_average():
    days = [Change(at(MONDAY + dt.timedelta(days=d), 9, 0), "yellow") for d in (0, 1, 7)]
    assert card_in_use(days, weeks=3, tz=BERLIN)
    assert not card_in_use(days, weeks=4, tz=BERLIN)
    # Two turns on one day are one day; turning it green is no signal.
    same_day = [Change(at(MONDAY, 9, 0), "red"), Change(at(MONDAY, 11, 0), "yellow"),
                Change(at(MONDAY, 12, 0), "green")]
    assert card_in_use(same_day, weeks=1, tz=BERLIN)
    assert not card_in_use(same_day, weeks=2, tz=BERLIN)
