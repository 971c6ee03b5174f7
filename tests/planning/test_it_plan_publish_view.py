import pytest

from poolplan.planning.models import PlanStatus
from tests.planning.view_helpers import (
    assert_login_redirect,
    client_for,
    comprehensive,
    draft_greedy,
    publish_greedy,
    sick_day,
    week_of,
)

pytestmark = pytest.mark.django_db


def url(school, week):
    return f"/plans/{school.pk}/{week}/publish/"


def test_it_publishes_the_draft(demo):
    school, week = comprehensive(), week_of(sick_day())
    plan = draft_greedy(school=school, week=week)
    client = client_for("coordinator")
    response = client.post(url(school, week), {"version": plan.version,
                                               "edit_version": plan.edit_version}, follow=True)
    assert response.status_code == 200
    assert f"Version {plan.version} is published" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED and plan.published_by.username == "coordinator"


def test_it_refuses_a_stale_edit_version(demo):
    school, week = comprehensive(), week_of(sick_day())
    plan = draft_greedy(school=school, week=week)
    response = client_for("coordinator").post(
        url(school, week), {"version": plan.version, "edit_version": plan.edit_version + 1},
        headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert b"changed by someone else" in response.content
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_it_makes_a_draft_of_the_published_plan(demo):
    school, week = comprehensive(), week_of(sick_day())
    plan = publish_greedy(school=school, week=week)
    response = client_for("coordinator").post(f"/plans/{school.pk}/{week}/draft/", follow=True)
    assert f"Draft version {plan.version + 1} made" in response.content.decode()
    draft = school.plans.get(week=week, version=plan.version + 1)
    assert draft.status == PlanStatus.DRAFT
    assert draft.assignments.count() == plan.assignments.count()


@pytest.mark.parametrize(("username", "status"), [
    ("assistant1", 403), ("teacher", 403), ("coordinator2", 404)])
def test_it_refuses_other_roles(demo, username, status):
    school, week = comprehensive(), week_of(sick_day())
    plan = draft_greedy(school=school, week=week)
    response = client_for(username).post(url(school, week), {"version": plan.version})
    assert response.status_code == status
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_it_requires_login(demo):
    assert_login_redirect(client_for(None).post(url(comprehensive(), week_of(sick_day()))))


def test_it_only_allows_post(demo):
    assert client_for("coordinator").get(url(comprehensive(), week_of(sick_day()))
                                         ).status_code == 405
