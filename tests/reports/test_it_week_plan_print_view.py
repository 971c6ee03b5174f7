"""The printable week plan (/reports/<school>/weeks/<week>/print/) and the link to it from the
plan board: the published plan by day, display codes only, for the school's coordinators."""

import pytest
from django.urls import reverse

from poolplan.accounts.models import AuditEvent
from poolplan.planning import services
from tests.reports.conftest import WEEK

pytestmark = pytest.mark.django_db


def url(world, week=WEEK):
    return reverse("week_plan_print", args=[world.school.pk, week])


def test_it_works(client, rx):
    client.force_login(rx.user("coordinator"))
    response = client.get(url(rx))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Week plan {WEEK}" in html and "plan version 1" in html
    assert "Jörg Weiß-Özdemir" in html and "Fox 1, Owl 2" in html and "(Raum Ü1)" in html
    # Display codes, never names, and nothing of the newer draft.
    assert "Müßig" not in html and rx.other_assistant.full_name not in html
    assert html.count("Nobody is planned on this day.") == 4
    assert reverse("api:get_week_plan_csv", kwargs={"school_id": rx.school.pk, "week": WEEK}) \
        in html
    event = AuditEvent.objects.filter(object_type="plan").latest("id")
    assert event.summary.endswith("as printable page (2 rows)")


def test_it_says_when_nothing_is_published(client, rx):
    client.force_login(rx.user("coordinator"))
    response = client.get(url(rx, "2020-W10"))
    assert response.status_code == 200
    assert "No plan of this week is published yet" in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="plan").exists()
    assert client.get(url(rx, "2026-W60")).status_code == 404


def test_the_board_links_to_it_once_a_version_is_published(client, world):
    from tests.planning.view_helpers import draft_greedy

    client.force_login(world.user("coordinator"))
    plan = draft_greedy(school=world.school, week=WEEK)
    board = client.get(reverse("plan_board", args=[world.school.pk, WEEK])).content.decode()
    assert url(world) not in board
    services.plan_publish(actor=None, plan=plan)
    board = client.get(reverse("plan_board", args=[world.school.pk, WEEK])).content.decode()
    assert url(world) in board


@pytest.mark.parametrize("role,status", [
    ("other_coordinator", 404), ("assistant", 403), ("teacher", 403), ("parent", 403),
    ("provider", 403), ("other_provider", 404), ("reviewer", 403)])
def test_it_refuses_other_roles(client, rx, role, status):
    client.force_login(rx.user(role))
    assert client.get(url(rx)).status_code == status
    assert not AuditEvent.objects.filter(object_type="plan").exists()


def test_it_needs_a_login(client, rx):
    response = client.get(url(rx))
    assert response.status_code == 302 and "login" in response.url
