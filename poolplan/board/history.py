"""A child's card history: on how many days the card was yellow or red in each period of the
week over the last weeks, and where that differs from the need profile (feeds the next plan).

Django-free: the selector hands in the card's changes, the bell schedule and the need profile.

What counts: the time between someone turning the card yellow or red and the next change (to
another colour, "done", or the end of the day). The colour a card starts the day with is the
coordinator's setting, not a signal from the classroom, so it does not count.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

RED = "red"
YELLOW = "yellow"
SIGNALS = (RED, YELLOW)


@dataclass(frozen=True)
class Change:
    """One change of the card: the colour it shows from `at` on."""

    at: datetime.datetime
    colour: str


@dataclass(frozen=True)
class Slot:
    """One period of the bell schedule (local times)."""

    period_id: int
    weekday: int  # ISO: Monday = 1
    start: datetime.time
    end: datetime.time


@dataclass(frozen=True)
class SlotCount:
    red_days: int = 0
    yellow_days: int = 0  # days yellow but never red in the period
    days: int = 0  # how many days of this period the window held

    @property
    def signal_days(self) -> int:
        return self.red_days + self.yellow_days


@dataclass(frozen=True)
class Difference:
    """Where the need profile and the cards disagree.

    kind: "unplanned" (yellow or red often where the profile plans no support),
          "too_little" (red often despite shared support),
          "unused" (support planned, but the card never turned yellow or red there)."""

    period_id: int
    kind: str
    need: int
    count: SlotCount


def card_in_use(changes: Iterable[Change], *, weeks: int, tz: datetime.tzinfo) -> bool:
    """Whether the card was turned yellow or red on at least one day a week on average."""
    days = {c.at.astimezone(tz).date() for c in changes if c.colour in SIGNALS}
    return len(days) >= weeks


def signal_spans(changes: Sequence[Change], *, day_end: datetime.datetime
                 ) -> list[tuple[datetime.datetime, datetime.datetime, str]]:
    """The yellow and red spans of one day's changes (sorted by time): each lasts until the
    next change or `day_end`."""
    spans = []
    for index, change in enumerate(changes):
        if change.colour in SIGNALS:
            end = changes[index + 1].at if index + 1 < len(changes) else day_end
            if end > change.at:
                spans.append((change.at, end, change.colour))
    return spans


def slot_counts(changes: Iterable[Change], slots: Sequence[Slot], *, first_day: datetime.date,
                last_day: datetime.date, tz: datetime.tzinfo) -> dict[int, SlotCount]:
    """period id -> on how many days from `first_day` to `last_day` (whole days) the card was
    red (or else yellow) during that period, out of how many days the period took place."""
    by_day: dict[datetime.date, list[Change]] = {}
    for change in sorted(changes, key=lambda c: c.at):
        by_day.setdefault(change.at.astimezone(tz).date(), []).append(change)
    red: dict[int, int] = {}
    yellow: dict[int, int] = {}
    days: dict[int, int] = {}
    day = first_day
    while day <= last_day:
        day_end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min,
                                            tzinfo=tz)
        spans = signal_spans(by_day.get(day, []), day_end=day_end)
        for slot in slots:
            if slot.weekday != day.isoweekday():
                continue
            start = datetime.datetime.combine(day, slot.start, tzinfo=tz)
            end = datetime.datetime.combine(day, slot.end, tzinfo=tz)
            days[slot.period_id] = days.get(slot.period_id, 0) + 1
            colours = {colour for begin, finish, colour in spans if begin < end and finish > start}
            if RED in colours:
                red[slot.period_id] = red.get(slot.period_id, 0) + 1
            elif YELLOW in colours:
                yellow[slot.period_id] = yellow.get(slot.period_id, 0) + 1
        day += datetime.timedelta(days=1)
    return {slot.period_id: SlotCount(red.get(slot.period_id, 0),
                                      yellow.get(slot.period_id, 0),
                                      days.get(slot.period_id, 0)) for slot in slots}


def often(count: int, days: int, *, share: float) -> bool:
    """`count` of `days` is often: at least `share` of the days, and at least twice (one bad
    day is no pattern)."""
    return days > 0 and count >= max(2, math.ceil(share * days))


def differences(counts: Mapping[int, SlotCount], needs: Mapping[int, int], *,
                card_in_use: bool, share: float = 0.5) -> list[Difference]:
    """Periods where the need profile (0 none, 1 shared, 2 an adult of its own; missing = 0)
    and the cards disagree. "unused" only when the card is in use (`card_in_use`): a
    card rarely turned says little about the periods where it stayed green."""
    result = []
    for period_id, count in counts.items():
        need = needs.get(period_id, 0)
        if need == 0 and often(count.signal_days, count.days, share=share):
            result.append(Difference(period_id, "unplanned", need, count))
        elif need == 1 and often(count.red_days, count.days, share=share):
            result.append(Difference(period_id, "too_little", need, count))
        elif need >= 1 and card_in_use and count.days >= 2 and count.signal_days == 0:
            result.append(Difference(period_id, "unused", need, count))
    return result


def heat_level(count: SlotCount) -> int:
    """0 (never yellow or red) to 3 (on two thirds of the days or more): the cell's shade."""
    if count.days == 0 or count.signal_days == 0:
        return 0
    return min(3, 1 + int(3 * count.signal_days / count.days))
