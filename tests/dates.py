"""Dates relative to the day the tests run, so that the suite passes on any day.

Services refuse some dates relative to today (an absence that ended before this week's Monday,
a sick-call proposal for a past day), and approvals count as "current" only while today lies
inside them. Tests that go through those rules take their dates from here; tests of pure
date arithmetic (proration, ISO weeks) keep fixed dates and pass `today=` where the code
under test asks for it.
"""

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    """Today in the site's time zone (what the services use)."""
    return timezone.localdate()


def this_monday(day: dt.date | None = None) -> dt.date:
    """The Monday of the week of `day` (default today)."""
    day = day or today()
    return day - dt.timedelta(days=day.weekday())


def next_monday(day: dt.date | None = None) -> dt.date:
    """The Monday of the week after `day`'s (default today): its whole week lies ahead, so
    absences in it are never refused as past, whatever weekday the tests run on."""
    return this_monday(day) + dt.timedelta(days=7)


def next_school_day(day: dt.date | None = None) -> dt.date:
    """Tomorrow, or the Monday after a Friday/weekend."""
    day = (day or today()) + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def school_year(day: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The school year containing `day` (default today): 1 August to 31 July. Computed here,
    independently of poolplan's own helper, so tests of the demo check it rather than
    repeat it."""
    day = day or today()
    start_year = day.year if day.month >= 8 else day.year - 1
    return dt.date(start_year, 8, 1), dt.date(start_year + 1, 7, 31)


def school_week(day: dt.date | None = None) -> dt.date:
    """The Monday of a week whose Monday to Friday lie inside the school year of `day`
    (default today): `day`'s own week, or the next one when that starts before 1 August, or
    the previous one when its Friday is after 31 July. Approvals made for the school year
    cover such a week whole."""
    day = day or today()
    start, end = school_year(day)
    monday = this_monday(day)
    if monday < start:
        monday += dt.timedelta(days=7)
    elif monday + dt.timedelta(days=4) > end:
        monday -= dt.timedelta(days=7)
    return monday


def iso_week(day: dt.date) -> str:
    """"2026-W48" for any day of that week."""
    year, number, _weekday = day.isocalendar()
    return f"{year:04d}-W{number:02d}"


def previous_month(day: dt.date | None = None) -> dt.date:
    """The first day of the month before `day`'s (default today): a month wholly past, so it
    can be signed and every one of its days counts as delivered or missed."""
    first = (day or today()).replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def mondays_of(month: dt.date) -> list[dt.date]:
    """The Mondays of `month`'s month (four or five)."""
    day = month.replace(day=1)
    day += dt.timedelta(days=(7 - day.weekday()) % 7)
    mondays = []
    while day.month == month.month:
        mondays.append(day)
        day += dt.timedelta(days=7)
    return mondays
