import pytest

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
    return f"/plans/{school.pk}/{week}/"


def test_it_works_without_a_plan(demo):
    school, week = comprehensive(), week_of(sick_day())
    response = client_for("coordinator").get(url(school, week))
    assert response.status_code == 200
    assert b"No plan for this week yet" in response.content
    assert b"Solve the week" in response.content


def test_it_shows_slots_assistants_children_bars_and_warnings(demo):
    school, week = comprehensive(), week_of(sick_day())
    plan = draft_greedy(school=school, week=week)
    response = client_for("coordinator").get(url(school, week))
    assert response.status_code == 200
    html = response.content.decode()
    row = plan.assignments.select_related("assistant", "child").first()
    assert row.assistant.full_name in html
    assert row.child.display_code in html
    assert "min planned" in html
    assert f"Publish version {plan.version}" in html
    assert f"edit_version={plan.edit_version}" in html
    # Warnings speak of display codes, not database ids.
    for line in plan.document["explanations"][:1]:
        child_id = line.split(" ")[0]
        assert f">{child_id} " not in html


def test_it_shows_the_published_plan_read_only(demo):
    school, week = comprehensive(), week_of(sick_day())
    publish_greedy(school=school, week=week)
    html = client_for("coordinator").get(url(school, week)).content.decode()
    assert "Make a draft to change it" in html
    assert "/assignment/?slot=" not in html


def test_it_returns_only_the_board_to_htmx(demo):
    school, week = comprehensive(), week_of(sick_day())
    draft_greedy(school=school, week=week)
    response = client_for("coordinator").get(url(school, week), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b'<div id="plan-board">')


@pytest.mark.parametrize(("username", "status"), [
    ("assistant1", 403), ("teacher", 403), ("parent", 403), ("provider", 403),
    ("reviewer", 403), ("coordinator2", 404),
])
def test_it_refuses_other_roles(demo, username, status):
    school, week = comprehensive(), week_of(sick_day())
    assert client_for(username).get(url(school, week)).status_code == status


def test_it_requires_login(demo):
    assert_login_redirect(client_for(None).get(url(comprehensive(), week_of(sick_day()))))


def test_it_answers_404_for_a_bad_week(demo):
    assert client_for("coordinator").get(url(comprehensive(), "2026-W99")).status_code == 404


def test_it_only_allows_get(demo):
    response = client_for("coordinator").post(url(comprehensive(), week_of(sick_day())))
    assert response.status_code == 405
