"""An assistant's published plan as an iCalendar feed (RFC 5545, written by `icalendar`).

One event per period the assistant supports children in. UIDs are stable per (assistant, date,
period), so a calendar app updates an event when a sick call moves it instead of adding a
second one; SEQUENCE grows with the plan version for the same reason. Times are local school
times with a VTIMEZONE (add_missing_timezones), so the feed is right across DST changes.
"""

import datetime
from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

PRODID = "-//poolplan//poolplan plan feed//EN"


def assistant_calendar(*, assistant, rows: Iterable, location: Callable,
                       now: datetime.datetime | None = None) -> bytes:
    """The ICS document for `rows` (published Assignment rows of the assistant)."""
    zone = timezone.get_default_timezone()
    stamp = (now or timezone.now()).astimezone(datetime.UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("poolplan: %(name)s") % {"name": assistant.full_name})
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    events: dict[tuple, dict] = {}
    for row in rows:
        key = (row.date, row.period_id)
        event = events.setdefault(key, {"row": row, "codes": [], "rooms": []})
        event["codes"].append(row.child.display_code)
        room = location(row.plan, row.child_id, row.slot)
        if room and room not in event["rooms"]:
            event["rooms"].append(room)
    for (day, period_id), item in sorted(events.items(), key=lambda kv: (kv[0][0],
                                                                       kv[1]["row"].period.start)):
        row = item["row"]
        event = Event()
        event.add("uid", f"poolplan-{assistant.pk}-{day.isoformat()}-{period_id}@poolplan")
        event.add("dtstamp", stamp)
        event.add("dtstart", datetime.datetime.combine(day, row.period.start, tzinfo=zone))
        event.add("dtend", datetime.datetime.combine(day, row.period.end, tzinfo=zone))
        event.add("summary", _("Support: %(children)s") % {"children": ", ".join(item["codes"])})
        if item["rooms"]:
            event.add("location", ", ".join(item["rooms"]))
        event.add("description", _("%(school)s, plan version %(version)d")
                  % {"school": row.plan.school.name, "version": row.plan.version})
        event.add("sequence", row.plan.version)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
