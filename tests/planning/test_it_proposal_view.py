import pytest

from poolplan.planning.models import Notification, PlanStatus
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
    return f"/plans/{school.pk}/proposals/{day.isoformat()}/"


@pytest.fixture
def sick(demo):
    school, day = comprehensive(), sick_day()
    base = publish_greedy(school=school, week=week_of(day))
    nurse = Assistant.objects.get(user__username="assistant2")
    roster_services.absence_create(actor=None, assistant=nurse, start=day, end=day,
                                   reason="illness")
    return school, day, base, nurse


def test_it_shows_the_diff_in_words(sick):
    school, day, base, nurse = sick
    response = client_for("coordinator").get(url(school, day))
    assert response.status_code == 200
    html = response.content.decode()
    assert "What changes" in html and "Children who lose minutes" in html
    assert nurse.full_name in html
    if base.assignments.filter(assistant=nurse, date=day).exists():
        assert f"instead of {nurse.full_name}" in html or "loses the support of" in html
    assert f'name="base_version" value="{base.version}"' in html


def test_it_accepts_and_publishes(sick):
    school, day, base, nurse = sick
    client = client_for("coordinator")
    response = client.post(url(school, day), {"base_version": base.version})
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{school.pk}/{week_of(day)}/"
    base.refresh_from_db()
    assert base.status == PlanStatus.SUPERSEDED
    new = school.plans.get(week=week_of(day), status=PlanStatus.PUBLISHED)
    assert not new.assignments.filter(assistant=nurse, date=day).exists()
    assert Notification.objects.filter(user__username="coordinator").exists()


def test_it_refuses_an_accept_for_an_older_version(sick):
    school, day, base, _nurse = sick
    response = client_for("coordinator").post(url(school, day),
                                              {"base_version": base.version + 5})
    assert response.status_code == 409
    assert b"look at the new proposal" in response.content
    base.refresh_from_db()
    assert base.status == PlanStatus.PUBLISHED


def test_it_says_when_nothing_is_published(demo):
    response = client_for("coordinator").get(url(comprehensive(), sick_day()))
    assert response.status_code == 400
    assert b"solve and publish the week first" in response.content


@pytest.mark.parametrize(("username", "status"), [
    ("assistant2", 403), ("teacher", 403), ("coordinator2", 404)])
def test_it_refuses_other_roles(sick, username, status):
    school, day, base, _nurse = sick
    assert client_for(username).get(url(school, day)).status_code == status
    assert client_for(username).post(url(school, day)).status_code == status
    base.refresh_from_db()
    assert base.status == PlanStatus.PUBLISHED


def test_it_requires_login(demo):
    assert_login_redirect(client_for(None).get(url(comprehensive(), sick_day())))


def test_it_only_allows_get_and_post(demo):
    assert client_for("coordinator").delete(url(comprehensive(), sick_day())).status_code == 405
