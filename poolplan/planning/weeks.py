"""ISO weeks as the planning horizon: "2026-W48" is Monday 23 to Friday 27 November 2026.

Coordinators and the command line name weeks the ISO way; everything else works with the
week's Monday.
"""

import datetime
import re

from django.utils.translation import gettext as _

_ISO_WEEK = re.compile(r"^\s*(\d{4})-?[Ww](\d{1,2})\s*$")


class WeekError(ValueError):
    """A week that cannot be read; the message says how to write it."""


def weeks_in_year(year: int) -> int:
    """52 or 53: 28 December always lies in the ISO year's last week."""
    return datetime.date(year, 12, 28).isocalendar().week


def iso_week_monday(week: str | datetime.date) -> datetime.date:
    """The Monday of an ISO week given as "2026-W48" (also "2026W48", "2026-w48") or as any
    date inside the week.

    Raises:
        WeekError: for text that is not an ISO week or a week the year does not have.
    """
    if isinstance(week, datetime.datetime):
        week = week.date()
    if isinstance(week, datetime.date):
        return week - datetime.timedelta(days=week.weekday())
    if not isinstance(week, str):
        raise WeekError(_("A week must be given as text like 2026-W48, not %(value)r.")
                        % {"value": week})
    match = _ISO_WEEK.match(week)
    if match is None:
        raise WeekError(_("%(value)r is not an ISO week; write the year, W and the week "
                          "number, e.g. 2026-W48.") % {"value": week})
    year, number = int(match.group(1)), int(match.group(2))
    if year < 1 or year > 9998:
        raise WeekError(_("%(value)r: choose a year between 0001 and 9998.") % {"value": week})
    last = weeks_in_year(year)
    if not 1 <= number <= last:
        raise WeekError(_("%(value)r: %(year)d has %(last)d ISO weeks; choose a week from "
                          "%(year)d-W01 to %(year)d-W%(last)d.")
                        % {"value": week, "year": year, "last": last})
    return datetime.date.fromisocalendar(year, number, 1)


def iso_week_label(monday: datetime.date) -> str:
    """"2026-W48" for any date of that week."""
    year, number, _weekday = monday.isocalendar()
    # Zero-padded so that the label of year 528 reads back as a week ("0528-W24").
    return f"{year:04d}-W{number:02d}"
