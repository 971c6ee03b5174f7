import pytest

from poolplan.planning import services
from poolplan.roster.models import Child
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
    assert response.content.lstrip().startswith(b'<div id="plan-board"')


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


def test_it_says_per_child_who_is_short_and_why_with_the_detail_behind_a_disclosure(demo):
    school, week = comprehensive(), week_of(sick_day())
    plan = draft_greedy(school=school, week=week)
    html = client_for("coordinator").get(url(school, week)).content.decode()
    short = [c for c in plan.document["children"] if c["shortfall"] > 0]
    assert short, "the greedy plan leaves someone short"
    codes = dict(Child.objects.filter(school=school).values_list("pk", "display_code"))
    child = max(short, key=lambda c: c["shortfall"])
    code = codes[int(child["id"])]
    assert (f"{code} is {child['shortfall']} min short of {child['approved']} approved "
            f"({child['credited']} planned).") in html
    assert f"<summary>The planner's full explanation for {code}</summary>" in html
    # The short line is short; the planner's sentence is in the disclosure, with names.
    head = html.split(f"{code} is {child['shortfall']} min short")[1].split("</p>")[0]
    assert len(head) < 400 and ("Mainly:" in head or "need profile" in head)


def test_it_offers_drag_and_drop_on_a_draft_only(demo):
    school, week = comprehensive(), week_of(sick_day())
    plan = draft_greedy(school=school, week=week)
    html = client_for("coordinator").get(url(school, week)).content.decode()
    assert "/static/poolplan/planning.js" in html
    assert (f'data-edit-url="/plans/{school.pk}/{week}/assignment/" '
            f'data-version="{plan.version}" data-edit-version="{plan.edit_version}"') in html
    row = plan.assignments.first()
    assert (f'draggable="true" data-drag-slot="{row.slot}" data-drag-child="{row.child_id}" '
            f'data-drag-from="{row.assistant_id}"') in html
    assert f'data-drop-slot="{row.slot}" data-drop-assistant="{row.assistant_id}"' in html
    assert f'data-drop-slot="{row.slot}" data-drop-assistant=""' in html  # "Not supported"
    services.plan_publish(actor=None, plan=plan)
    html = client_for("coordinator").get(url(school, week)).content.decode()
    assert "draggable" not in html and "data-drop-slot" not in html


def test_it_translates_the_board(demo):
    school, week = comprehensive(), week_of(sick_day())
    draft_greedy(school=school, week=week)
    html = client_for("coordinator").get(url(school, week),
                                         headers={"Accept-Language": "de"}).content.decode()
    # The short lines are German; the planner's own English text only in the disclosure.
    assert "bewilligten (" in html and "Hauptgrund:" in html
    assert "Die vollständige Erklärung des Planers für" in html
    heads = [part.split("</p>")[0] for part in html.split('<p class="warning__head">')[1:]]
    assert heads and not any("min short of" in head for head in heads)


@pytest.mark.parametrize("htmx", [False, True])
def test_it_needs_few_queries(demo, django_assert_max_num_queries, htmx):
    school, week = comprehensive(), week_of(sick_day())
    draft_greedy(school=school, week=week)
    client = client_for("coordinator")
    headers = {"HX-Request": "true"} if htmx else {}
    with django_assert_max_num_queries(13):
        assert client.get(url(school, week), headers=headers).status_code == 200
