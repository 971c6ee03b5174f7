import datetime as dt

import pytest

from poolplan.roster import services as roster_services
from poolplan.roster.models import Assistant
from tests.planning.view_helpers import (
    assert_login_redirect,
    client_for,
    comprehensive,
    publish_greedy,
    sick_day,
    week_of,
)

pytestmark = pytest.mark.django_db


def url(school, day):
    return f"/plans/{school.pk}/day/{day.isoformat()}/print/"


@pytest.fixture
def morning(demo):
    school, day = comprehensive(), sick_day()
    plan = publish_greedy(school=school, week=week_of(day))
    nurse = Assistant.objects.get(user__username="assistant2")
    roster_services.absence_create(actor=None, assistant=nurse, start=day, end=day,
                                   reason="illness", reason_text="migraine")
    return school, day, plan, nurse


def test_it_shows_the_day_absences_short_children_and_incidents(morning):
    school, day, plan, nurse = morning
    html = client_for("coordinator").get(url(school, day)).content.decode()
    assert "Day plan" in html and "@media print" not in html
    row = plan.assignments.filter(date=day).select_related("assistant", "child").first()
    assert row.assistant.full_name in html and row.child.display_code in html
    assert nurse.full_name in html and "migraine" in html
    assert "Children short of minutes this week" in html
    short = [c for c in plan.document["children"] if c["shortfall"] > 0]
    if short:
        assert f"{short[0]['shortfall']} min short" in html
    assert "Incidents of" in html


def test_it_hides_free_text_reasons_from_assistants(morning):
    school, day, _plan, nurse = morning
    html = client_for("assistant1").get(url(school, day)).content.decode()
    assert nurse.full_name in html and "migraine" not in html


@pytest.mark.parametrize(("username", "status"), [
    ("teacher", 403), ("parent", 403), ("provider", 403), ("coordinator2", 404)])
def test_it_refuses_other_roles(morning, username, status):
    school, day, _plan, _nurse = morning
    assert client_for(username).get(url(school, day)).status_code == status


def test_it_answers_404_for_a_bad_date(demo):
    assert client_for("coordinator").get(
        f"/plans/{comprehensive().pk}/day/2026-13-01/print/").status_code == 404


def test_it_requires_login(demo):
    assert_login_redirect(client_for(None).get(url(comprehensive(), dt.date(2026, 12, 1))))


def test_it_only_allows_get(demo):
    assert client_for("coordinator").post(url(comprehensive(), dt.date(2026, 12, 1))
                                          ).status_code == 405
