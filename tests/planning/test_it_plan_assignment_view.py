import pytest

from poolplan.accounts.models import AuditEvent
from poolplan.planning.models import Plan
from poolplan.roster.models import Assistant, Child
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
    return f"/plans/{school.pk}/{week}/assignment/"


def unavailable_case(plan):
    """(slot, child id, assistant id) where the assistant is not available in the slot."""
    for a in plan.instance["assistants"]:
        for c in plan.instance["children"]:
            for slot in c["needs"]:
                if slot in a["unavailable"]:
                    return slot, c["id"], a["id"]
    return None


def unqualified_case(plan):
    for c in plan.instance["children"]:
        if not c["skills"] or not c["needs"]:
            continue
        for a in plan.instance["assistants"]:
            slot = next(iter(c["needs"]))
            if not set(c["skills"]) <= set(a["skills"]) and slot not in a["unavailable"]:
                return slot, c["id"], a["id"]
    return None


def post(client, plan, slot, child, assistant, *, pinned=False, edit_version=None, **headers):
    data = {"version": plan.version, "slot": slot, "child": child,
            "edit_version": plan.edit_version if edit_version is None else edit_version,
            "assistant": assistant or ""}
    if pinned:
        data["pinned"] = "on"
    return client.post(url(plan.school, plan.week), data, headers=headers)


def legal_change(plan):
    """(slot, child id, assistant id): a change of the draft the hard rules allow."""
    from poolplan.planner import load_instance
    from poolplan.planner.check import check_assignments
    from poolplan.planning.services import _rows_of, plan_triples

    instance = load_instance(plan.instance)
    triples = plan_triples(plan)
    current = {(s, c): a for s, a, c in triples}
    for c in plan.instance["children"]:
        for slot in c["needs"]:
            base = [t for t in triples if not (t[0] == slot and t[2] == c["id"])]
            for a in plan.instance["assistants"]:
                if current.get((slot, c["id"])) == a["id"]:
                    continue
                if not check_assignments(instance, _rows_of([*base, (slot, a["id"], c["id"])])
                                         ).violations:
                    return slot, c["id"], a["id"]
    raise AssertionError("no legal change found")


def test_it_assigns_and_pins(demo):
    school, week = comprehensive(), week_of(sick_day())
    plan = draft_greedy(school=school, week=week)
    slot, child, assistant = legal_change(plan)
    response = post(client_for("coordinator"), plan, slot, child, assistant, pinned=True)
    assert response.status_code == 302
    plan.refresh_from_db()
    row = plan.assignments.get(slot=slot, child_id=int(child))
    assert str(row.assistant_id) == assistant and row.pinned
    assert {"slot": slot, "assistant": assistant, "child": child} in plan.instance["pinned"]
    assert plan.edit_version == 1
    assert plan.document["solver"]["edited"] is True
    assert AuditEvent.objects.filter(object_type="plan", object_id=str(plan.pk),
                                     summary__contains="edited").exists()


def test_it_unassigns_and_answers_htmx_with_the_board(demo):
    school, week = comprehensive(), week_of(sick_day())
    plan = draft_greedy(school=school, week=week)
    row = plan.assignments.first()
    response = post(client_for("coordinator"), plan, row.slot, row.child_id, None,
                    HX_Request="true")
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b'<div id="plan-board"')
    assert not plan.assignments.filter(slot=row.slot, child_id=row.child_id).exists()


def test_it_refuses_a_stale_edit_version_and_keeps_the_other_save(demo):
    school, week = comprehensive(), week_of(sick_day())
    plan = draft_greedy(school=school, week=week)
    first, second = client_for("coordinator"), client_for("coordinator")
    row = plan.assignments.first()
    seen = plan.edit_version
    assert post(first, plan, row.slot, row.child_id, None, edit_version=seen).status_code == 302
    other = plan.assignments.exclude(pk=row.pk).exclude(child_id=row.child_id).first()
    before = sorted(Plan.objects.get(pk=plan.pk).assignments.values_list(
        "slot", "assistant_id", "child_id"))
    response = post(second, plan, other.slot, other.child_id, None, edit_version=seen,
                    HX_Request="true")
    assert response.status_code == 409
    assert b"Someone else changed version" in response.content
    plan.refresh_from_db()
    assert plan.edit_version == seen + 1
    assert sorted(plan.assignments.values_list("slot", "assistant_id", "child_id")) == before


def test_it_refuses_an_edit_that_breaks_a_hard_rule(demo):
    school, week = comprehensive(), week_of(sick_day())
    plan = draft_greedy(school=school, week=week)
    case = unavailable_case(plan)
    label = "Assistant not available"
    if case is None:
        case, label = unqualified_case(plan), "Missing required skill or not a fixed person"
    slot, child, assistant = case
    before = sorted(plan.assignments.values_list("slot", "assistant_id", "child_id"))
    response = post(client_for("coordinator"), plan, slot, child, assistant,
                    HX_Request="true")
    assert response.status_code == 400
    html = response.content.decode()
    assert label in html
    assert Assistant.objects.get(pk=assistant).full_name in html
    assert "Nothing was changed" in html
    plan.refresh_from_db()
    assert plan.edit_version == 0
    assert sorted(plan.assignments.values_list("slot", "assistant_id", "child_id")) == before


def test_it_refuses_to_edit_a_published_plan(demo):
    school, week = comprehensive(), week_of(sick_day())
    plan = publish_greedy(school=school, week=week)
    row = plan.assignments.first()
    response = post(client_for("coordinator"), plan, row.slot, row.child_id, None)
    assert response.status_code == 302
    assert plan.assignments.filter(pk=row.pk).exists()


def test_it_gives_the_small_form(demo):
    school, week = comprehensive(), week_of(sick_day())
    plan = draft_greedy(school=school, week=week)
    row = plan.assignments.select_related("assistant").first()
    response = client_for("coordinator").get(
        url(school, week), {"slot": row.slot, "child": row.child_id,
                            "edit_version": plan.edit_version},
        headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<form")
    assert f'value="{row.assistant_id}" selected' in html
    code = Child.objects.get(pk=row.child_id).display_code
    assert code in html


@pytest.mark.parametrize(("username", "status"), [
    ("assistant1", 403), ("teacher", 403), ("coordinator2", 404)])
def test_it_refuses_other_roles(demo, username, status):
    school, week = comprehensive(), week_of(sick_day())
    plan = draft_greedy(school=school, week=week)
    row = plan.assignments.first()
    assert post(client_for(username), plan, row.slot, row.child_id, None).status_code == status
    assert plan.assignments.filter(pk=row.pk).exists()


def test_it_requires_login(demo):
    school, week = comprehensive(), week_of(sick_day())
    plan = draft_greedy(school=school, week=week)
    row = plan.assignments.first()
    assert_login_redirect(post(client_for(None), plan, row.slot, row.child_id, None))


def test_it_only_allows_get_and_post(demo):
    school, week = comprehensive(), week_of(sick_day())
    assert client_for("coordinator").put(url(school, week)).status_code == 405


def test_it_refuses_in_the_readers_language(demo):
    school, week = comprehensive(), week_of(sick_day())
    plan = draft_greedy(school=school, week=week)
    case = unavailable_case(plan)
    label, sentence = "Poolmitglied nicht verfügbar", "nicht verfügbar."
    if case is None:
        case = unqualified_case(plan)
        label, sentence = "Fehlende Qualifikation", "Qualifikation"
    slot, child, assistant = case
    response = post(client_for("coordinator"), plan, slot, child, assistant,
                    HX_Request="true", **{"Accept-Language": "de"})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Abgelehnt – {label}" in html and sentence in html
    assert "Es wurde nichts geändert." in html
    assert "is not available in" not in html and " lacks " not in html
