"""The card history beside the need profile on a child's page, as a coordinator reads it on a
desktop and a phone: a real table with words in its cells, the differences in sentences."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args():
    # English pages: the assertions name the English words.
    return {"locale": "en-GB", "timezone_id": "Europe/Berlin"}


@pytest.fixture
def child_with_history(demo_data):
    """A demo child whose card went red in an unplanned period (three weeks running) and
    yellow once elsewhere."""
    from poolplan.accounts.models import User
    from poolplan.board import services
    from poolplan.roster.models import Child, NeedProfileEntry
    from tests import dates

    coordinator = User.objects.get(username="coordinator")
    child = (Child.objects.filter(school__in=coordinator.schools.all(), need_profile__need=2)
             .distinct().order_by("display_code").first())
    planned = set(NeedProfileEntry.objects.filter(child=child, need__gt=0)
                  .values_list("period_id", flat=True))
    lessons = child.school.periods.filter(kind="lesson").order_by("weekday", "start")
    unplanned = next(p for p in lessons if p.pk not in planned)
    planned_period = next(p for p in lessons if p.pk in planned)
    assistant = User.objects.get(username="assistant1")
    tz = timezone.get_current_timezone()

    def at(day, time, minutes):
        return (dt.datetime.combine(day, time, tzinfo=tz) + dt.timedelta(minutes=minutes))

    for weeks_ago in (3, 2, 1):  # in time order: the service keeps one card state
        monday = dates.this_monday() - dt.timedelta(days=7 * weeks_ago)
        day = monday + dt.timedelta(days=unplanned.weekday - 1)
        services.card_set(child=child, colour="red", actor=coordinator,
                          now=at(day, unplanned.start, 5))
        services.card_done(actor=assistant, child=child, now=at(day, unplanned.start, 25))
    day = dates.this_monday() - dt.timedelta(days=7) + dt.timedelta(
        days=planned_period.weekday - 1)
    services.card_set(child=child, colour="yellow", actor=coordinator,
                      now=at(day, planned_period.start, 5))
    services.card_set(child=child, colour="green", actor=coordinator,
                      now=at(day, planned_period.start, 30))
    return child


def test_it_shows_the_card_history_beside_the_need_profile(
        child_with_history, page, phone_page, login, check_a11y, screenshot):
    child = child_with_history
    for view, name in ((page, "card-history-desktop"), (phone_page, "card-history-phone")):
        login(view, "coordinator")
        view.goto(f"/children/{child.pk}/#history-heading")
        history = view.locator("section:has(#history-heading)")
        expect(history.get_by_role("heading", level=2)).to_have_text(
            "Card history: yellow and red by period")
        table = history.get_by_role("table")
        expect(table.locator("td:has-text('3 red')")).to_have_count(1)
        expect(table.locator("td:has-text('1 yellow')")).to_have_count(1)
        expect(history.locator(".history-suggestions li").first).to_contain_text(
            "red on 3 of 6 days, but the need profile plans no support there")
        check_a11y(view)
        overflow = view.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than the screen"
        history.scroll_into_view_if_needed()
        screenshot(view, name)


def test_it_keeps_the_card_history_from_a_teacher(child_with_history, page, login):
    login(page, "teacher")
    response = page.goto(f"/children/{child_with_history.pk}/")
    assert response.status in (200, 404)
    expect(page.locator("#history-heading")).to_have_count(0)
