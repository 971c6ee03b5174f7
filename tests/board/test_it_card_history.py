"""The card history beside the need profile on the child's page: what it counts, what it
suggests, and who may see it (the pool members of the child's school, nobody else)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from poolplan.board import selectors, services
from poolplan.roster.models import Period, PeriodKind
from tests import dates

pytestmark = pytest.mark.usefixtures("in_memory_layer")


def local(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute),
                               tzinfo=timezone.get_current_timezone())


@pytest.fixture
def red_mondays(world):
    """The world's child (shared support in Monday's period 1, none in period 2) turned red
    in period 2 on the three Mondays before this week's, and helped each time."""
    Period.objects.create(school=world.school, weekday=1, label="2", kind=PeriodKind.LESSON,
                          start=dt.time(8, 50), end=dt.time(9, 35))
    teacher, assistant = world.user("teacher"), world.user("assistant")
    for weeks_ago in (3, 2, 1):  # in time order: the service keeps one card state
        monday = dates.this_monday() - dt.timedelta(days=7 * weeks_ago)
        services.card_set(child=world.child, colour="red", actor=teacher,
                          now=local(monday, 9, 0))
        services.card_acknowledge(actor=assistant, child=world.child, now=local(monday, 9, 1))
        services.card_done(actor=assistant, child=world.child, now=local(monday, 9, 20))
    return world


def test_it_counts_red_days_per_period_and_names_the_differences(red_mondays):
    world = red_mondays
    now = local(dates.next_monday(), 7, 0)  # the six whole weeks before next Monday
    history = selectors.card_history(user=world.user("coordinator"), child=world.child, now=now)
    first, second = (world.school.periods.get(label=label) for label in ("1", "2"))
    assert history.weeks == 6 and history.changes == 9
    assert (history.first_day, history.last_day) == (
        dates.next_monday() - dt.timedelta(days=42), dates.next_monday() - dt.timedelta(days=1))
    assert history.cell(second.pk)["red"] == 3 and history.cell(second.pk)["days"] == 6
    assert history.cell(first.pk)["red"] == 0
    # Planned support in period 1 the card never asked for: no finding while the card is
    # turned on fewer days than there are weeks (it says little about green periods).
    assert {p: d.kind for p, d in history.differences.items()} == {second.pk: "unplanned"}
    assert history.suggestions == [
        "Monday, period 2: red on 3 of 6 days, but the need profile plans no support there. "
        "Plan support there in the next plan?"]
    # Three more days with a yellow card (Wednesdays, no lessons in this world): six days in
    # six weeks, the card is in use, and period 1's planned support was never asked for.
    for weeks_ago in (3, 2, 1):  # in time order: the service keeps one card state
        wednesday = dates.this_monday() - dt.timedelta(days=7 * weeks_ago - 2)
        services.card_set(child=world.child, colour="yellow", actor=world.user("teacher"),
                          now=local(wednesday, 10, 0))
    history = selectors.card_history(user=world.user("coordinator"), child=world.child, now=now)
    assert {p: d.kind for p, d in history.differences.items()} == {
        second.pk: "unplanned", first.pk: "unused"}
    assert history.suggestions[1] == (
        "Support is planned, but the card was never yellow or red in 6 weeks: Monday, "
        "period 1. Check at the team meeting whether the support is still needed there.")
    # The last four weeks: three red Mondays of four.
    shorter = selectors.card_history(user=world.user("assistant"), child=world.child, now=now,
                                     weeks=4)
    assert (shorter.cell(second.pk)["red"], shorter.cell(second.pk)["days"]) == (3, 4)
    # Today's changes wait for tomorrow: the window ends yesterday.
    assert selectors.card_history(user=world.user("assistant"), child=world.child,
                                  now=local(dates.this_monday() - dt.timedelta(days=7), 12, 0),
                                  ).cell(second.pk)["red"] == 2


def test_it_asks_for_more_where_shared_support_often_sees_red(red_mondays):
    from poolplan.roster.models import NeedProfileEntry

    world = red_mondays
    second = world.school.periods.get(label="2")
    NeedProfileEntry.objects.create(child=world.child, period=second, need=1)
    history = selectors.card_history(user=world.user("coordinator"), child=world.child,
                                     now=local(dates.next_monday(), 7, 0))
    assert history.differences[second.pk].kind == "too_little"
    assert history.suggestions == [
        "Monday, period 2: red on 3 of 6 days despite shared support. Does the child need an "
        "adult of its own there (need 2)?"]


@pytest.mark.parametrize("role", ["coordinator", "assistant"])
def test_it_shows_the_heatmap_beside_the_need_profile_to_pool_members(client, red_mondays,
                                                                      role):
    world = red_mondays
    client.force_login(world.user(role))
    response = client.get(reverse("child_detail", args=[world.child.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Need profile") < html.index("Card history: yellow and red by period")
    # A real table with words in its cells, not colour alone.
    assert '<table class="need-grid heat-grid">' in html
    assert "3 red" in html and "of 6 days" in html
    assert "no support planned" in html  # the flag on the differing cell
    assert "Monday, period 2: red on 3 of 6 days" in html


@pytest.mark.parametrize("role", ["teacher", "parent", "provider", "reviewer"])
def test_it_keeps_the_history_from_everyone_else(client, red_mondays, role):
    world = red_mondays
    client.force_login(world.user(role))
    response = client.get(reverse("child_detail", args=[world.child.pk]))
    assert response.status_code == 200
    assert "Card history" not in response.content.decode()
    with pytest.raises(PermissionDenied):
        selectors.card_history(user=world.user(role), child=world.child)


def test_it_refuses_pool_members_of_other_schools(client, red_mondays):
    world = red_mondays
    client.force_login(world.user("other_assistant"))
    assert client.get(reverse("child_detail", args=[world.child.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        selectors.card_history(user=world.user("other_coordinator"), child=world.child)


def test_it_looks_back_as_far_as_asked_within_the_choices(client, red_mondays):
    world = red_mondays
    client.force_login(world.user("coordinator"))
    url = reverse("child_detail", args=[world.child.pk])
    html = client.get(url, {"weeks": "12"}).content.decode()
    assert 'href="?weeks=12#history-heading" aria-current="true"' in html
    html = client.get(url, {"weeks": "1000"}).content.decode()
    assert 'href="?weeks=6#history-heading" aria-current="true"' in html


def test_it_says_so_when_nobody_turned_the_card(client, world):
    client.force_login(world.user("coordinator"))
    html = client.get(reverse("child_detail", args=[world.child.pk])).content.decode()
    assert "Nobody turned the card in these weeks" in html
