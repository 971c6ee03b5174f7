"""GET /api/children/{id}/access-export.json|.pdf: everything stored about one child (Art. 15
GDPR), for the coordinators of the child's school only; parents ask them."""

import json

import pytest

from poolplan.accounts.models import AuditEvent
from poolplan.roster.models import Absence, AbsenceReason, NeedProfileEntry
from tests.reports.conftest import WEEK, assert_error, assert_refused, pdf_text

pytestmark = pytest.mark.django_db


def path(world, kind="json"):
    return f"/children/{world.child.pk}/access-export.{kind}"


def test_it_holds_everything_stored_about_the_child(api, rx):
    Absence.objects.create(child=rx.child, start=rx.plan.monday, end=rx.plan.monday,
                           reason=AbsenceReason.OTHER, reason_text="Arzttermin in Köln")
    response = api("coordinator").get(path(rx))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="poolplan-access-fox-1')
    data = json.loads(response.content.decode("utf-8"))
    assert data["format"] == "poolplan-access-export/1"
    child = data["child"]
    assert (child["first_name"], child["last_name"], child["display_code"]) == (
        "Jürgen", "Müßig", "Fox 1")
    assert child["notes"] == "Sensitive: epilepsy, emergency plan in the office."
    assert child["primary_reference_person"] == "Jörg Weiß-Özdemir"
    assert child["parents"] == [{"login": "parent", "name": "", "email": ""}]
    assert [(e["period"], e["need"]) for e in data["need_profile"]] == [("Monday, period 1", 1)]
    assert [a["file_number"] for a in data["approvals"]] == ["AZ-Fox 1"]
    assert data["absences"][0]["reason_text"] == "Arzttermin in Köln"
    # Every plan version it appears in, drafts too: all of it is stored.
    assert sorted((a["week"], a["plan_version"], a["assistant"]) for a in data["assignments"]) \
        == [(WEEK, 1, "Jörg Weiß-Özdemir"), (WEEK, 2, rx.other_assistant.full_name)]
    assert [(r["week"], r["version"]) for r in data["planning_records"]] == [(WEEK, 1), (WEEK, 2)]
    assert data["planning_records"][0]["planned_for"] == {"location": {"mon-1": "Raum Ü1"}}
    entry = data["log_entries"][0]
    assert entry["note"] == "Hat die Übung allein gelöst." and entry["delivered_minutes"] == 45
    assert entry["other_children_at_the_same_time"] == 1
    assert [e["colour"] for e in data["cards"]["history"]] == ["red"]
    assert any(e["what"].startswith("Approval AZ-Fox 1") or "Fox 1" in e["what"]
               for e in data["audit_trail"]) or data["audit_trail"] == []


def test_it_names_no_other_child(api, rx):
    """Owl 2 was supported in the same session: the export says so by a count only."""
    text = api("coordinator").get(path(rx)).content.decode("utf-8")
    assert "Owl 2" not in text and str(rx.child_6b.last_name) not in text
    # And Owl 2's own export shows the session as a group session, without Fox 1's note.
    data = api("coordinator").get(f"/children/{rx.child_6b.pk}/access-export.json").json()
    assert [s["assistant"] for s in data["group_sessions"]] == ["Jörg Weiß-Özdemir"]
    assert "Übung" not in json.dumps(data, ensure_ascii=False) and "Fox 1" not in json.dumps(data)


def test_it_works_as_a_readable_pdf(api, rx, tmp_path):
    NeedProfileEntry.objects.filter(child=rx.child).update(need=2)
    response = api("coordinator").get(path(rx, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    for expected in ("Access export (Art. 15 GDPR)", "Jürgen Müßig", "Fox 1",
                     "Sensitive: epilepsy", "Monday, period 1", "AZ-Fox 1", "Übung",
                     "gelöst", "with 1 other", "Jörg Weiß-Özdemir",
                     "Audit trail", "Traffic light card"):
        assert expected in text, expected
    assert "Owl 2" not in text


def test_it_writes_an_audit_row(api, rx):
    api("coordinator").get(path(rx, "pdf"))
    event = AuditEvent.objects.filter(child=rx.child).latest("id")
    assert event.actor == rx.user("coordinator")
    assert event.summary == ("GDPR access export of Fox 1 made as PDF (everything stored "
                             "about the child)")


def test_a_parent_is_told_to_ask_the_coordinator(api, rx):
    body = assert_error(api("parent").get(path(rx)), 403)
    assert body["message"].startswith("Ask the coordinator of your child's pool")


@pytest.mark.parametrize("kind", ["json", "pdf"])
def test_it_is_for_the_coordinators_of_the_childs_school_only(api, rx, kind):
    before = AuditEvent.objects.filter(summary__startswith="GDPR").count()
    assert_refused(api, "get", path(rx, kind), {
        "other_coordinator": 404, "assistant": 403, "other_assistant": 404, "teacher": 403,
        "parent": 403, "other_parent": 404, "provider": 403, "other_provider": 404,
        "reviewer": 403, "other_reviewer": 404})
    assert_error(api().get(path(rx, kind)), 401)
    assert AuditEvent.objects.filter(summary__startswith="GDPR").count() == before


def test_the_child_page_links_to_it_for_coordinators(client, rx):
    from django.urls import reverse

    from poolplan.board.models import CardEvent

    CardEvent.objects.all().delete()  # the page's card history is not what is tested here

    link = reverse("api:get_access_export_pdf", kwargs={"child_id": rx.child.pk})
    for role, shown in (("coordinator", True), ("assistant", False), ("parent", False)):
        client.force_login(rx.user(role))
        html = client.get(reverse("child_detail", args=[rx.child.pk])).content.decode()
        assert (link in html) is shown, role
