"""The ICS feed is re-parsed with both icalendar and ical; neither is a full validator, so the
test also checks icalendar's recorded errors and that ical found UID and DTSTAMP in the text
(ical fills in missing ones silently)."""

import pytest
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar

from poolplan.planning import services
from poolplan.planning.models import Assignment
from poolplan.roster.models import Assistant
from tests.planning.view_helpers import client_for, comprehensive, publish_greedy, sick_day, week_of

pytestmark = pytest.mark.django_db


def feed_of(username):
    assistant = Assistant.objects.get(user__username=username)
    token = services.calendar_token_create(actor=assistant.user, assistant=assistant)
    return assistant, f"/calendar/{token.token}.ics", token


def parse_strictly(body: bytes):
    calendar = Calendar.from_ical(body)
    errors = [(c.name, c.errors) for c in calendar.walk() if getattr(c, "errors", None)]
    assert not errors, errors
    stream = IcsCalendarStream.calendar_from_ics(body.decode())
    return calendar, stream


def test_it_serves_a_valid_feed_both_parsers_read(demo):
    day = sick_day()
    plan = publish_greedy(school=comprehensive(), week=week_of(day))
    row = Assignment.objects.filter(plan=plan, assistant__user__isnull=False).select_related(
        "assistant__user", "child", "period").first()
    _assistant, url, _token = feed_of(row.assistant.user.username)
    response = client_for(None).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content
    calendar, stream = parse_strictly(body)
    events = calendar.walk("VEVENT")
    assert events and len(stream.events) == len(events)
    assert calendar.walk("VTIMEZONE"), "times are local; the zone must be in the feed"
    text = body.decode()
    assert text.count("\r\nUID:") == len(events) and text.count("\r\nDTSTAMP:") == len(events)
    uids = {str(e["UID"]) for e in events}
    assert {e.uid for e in stream.events} == uids
    assert all(e.dtstamp is not None for e in stream.events)
    mine = [e for e in stream.events if row.child.display_code in e.summary]
    assert mine
    # Display codes only: a calendar provider stores the feed.
    assert row.child.first_name not in text and row.child.last_name not in text


def test_it_serves_an_empty_but_valid_feed(demo):
    _assistant, url, _token = feed_of("assistant1")
    body = client_for(None).get(url).content
    calendar, stream = parse_strictly(body)
    assert not calendar.walk("VEVENT") and not stream.events


def test_it_refuses_a_revoked_or_unknown_token(demo):
    assistant, url, token = feed_of("assistant1")
    services.calendar_token_revoke(actor=assistant.user, assistant=assistant)
    assert client_for(None).get(url).status_code == 404
    assert client_for(None).get("/calendar/nonsense.ics").status_code == 404


def test_it_replaces_the_old_address_with_a_new_one(demo):
    assistant, old_url, _token = feed_of("assistant1")
    _assistant, new_url, _token2 = feed_of("assistant1")
    assert client_for(None).get(old_url).status_code == 404
    assert client_for(None).get(new_url).status_code == 200


def test_it_only_allows_get(demo):
    _assistant, url, _token = feed_of("assistant1")
    assert client_for(None).post(url).status_code == 405
