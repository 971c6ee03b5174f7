"""/log/<id>/: changing a session in place before signing, correcting it after."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from poolplan.accounts.models import AuditEvent
from poolplan.logbook import services
from poolplan.logbook.models import LogEntry
from tests.logbook.conftest import MONTH, MONTH_TEXT


def client_for(lb, role: str) -> Client:
    client = Client()
    client.force_login(lb.user(role))
    return client


def form(entry, **changes) -> dict:
    data = {"version": services.log_entry_version(entry), "date": entry.date.isoformat(),
            "start": "08:00", "end": "08:45", "presence": entry.presence, "kind": entry.kind,
            "minutes_away": "0", "note": entry.note}
    data.update(changes)
    return data


def test_it_lets_the_author_change_the_entry_before_signing(lb, log):
    entry = log()
    client = client_for(lb, "assistant")
    page = client.get(reverse("log_entry_change", args=[entry.pk]))
    assert page.status_code == 200 and page.context["mode"] == "edit"
    assert "reason" not in page.context["form"].fields
    response = client.post(reverse("log_entry_change", args=[entry.pk]), form(entry, end="08:30"))
    assert response.status_code == 302, response.content
    entry.refresh_from_db()
    assert entry.duration_minutes == 30 and LogEntry.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="logentry", object_id=str(entry.pk),
                                     actor=lb.user("assistant"), action="update").exists()


def test_it_refuses_a_change_made_on_an_older_version(lb, log):
    entry = log()
    stale = form(entry, end="08:30")
    services.log_entry_update(actor=lb.user("coordinator"), entry=entry, note="Meanwhile.")
    response = client_for(lb, "assistant").post(
        reverse("log_entry_change", args=[entry.pk]), stale)
    assert response.status_code == 200
    assert "changed this entry meanwhile" in response.content.decode()
    entry.refresh_from_db()
    assert entry.duration_minutes == 45


def test_it_shows_errors_in_words(lb, log):
    entry = log()
    response = client_for(lb, "coordinator").post(
        reverse("log_entry_change", args=[entry.pk]), form(entry, end="07:00"))
    assert response.status_code == 200
    assert "The end must be after the start" in response.content.decode()


def test_it_corrects_a_signed_entry_with_a_reason_that_the_proof_shows(lb, log, api):
    entry = log()
    services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=MONTH)
    client = client_for(lb, "coordinator")
    page = client.get(reverse("log_entry_change", args=[entry.pk]))
    assert page.context["mode"] == "correct"
    url = reverse("log_entry_change", args=[entry.pk])
    missing = client.post(url, form(entry, end="08:30", idempotency_key="k-fix"))
    assert missing.status_code == 200 and "reason" in missing.context["form"].errors
    response = client.post(url, form(entry, end="08:30", idempotency_key="k-fix",
                                     reason="Fire drill at 08:30"))
    assert response.status_code == 302
    assert response["Location"] == reverse("child_ledger", args=[lb.child.pk, MONTH_TEXT])
    correction = LogEntry.objects.get(supersedes=entry)
    assert correction.duration_minutes == 30
    assert correction.correction_reason == "Fire drill at 08:30"
    audit = AuditEvent.objects.get(object_type="logentry", object_id=str(correction.pk))
    assert audit.changes["changed"] == ["end"] and audit.actor == lb.user("coordinator")
    # A second tap on the same form changes nothing.
    client.post(url, form(entry, end="08:30", idempotency_key="k-fix",
                          reason="Fire drill at 08:30"))
    assert LogEntry.objects.count() == 2

    csv = api("reviewer").get(f"/children/{lb.child.pk}/proof?month={MONTH_TEXT}&format=csv")
    rows = csv.content.decode("utf-8-sig").splitlines()
    [corrected] = [r for r in rows if "Fire drill at 08:30" in r]
    assert ";current;" in corrected and corrected.split(";")[-2] == "yes"
    ledger = client.get(reverse("child_ledger", args=[lb.child.pk, MONTH_TEXT])).content
    assert "corrected after signing" in ledger.decode()


def test_it_sends_a_corrected_entry_to_its_correction(lb, log):
    entry = log()
    correction, _created = services.log_entry_correct(
        actor=lb.user("coordinator"), entry=entry, reason="typo", end=dt.time(8, 30))
    response = client_for(lb, "coordinator").get(reverse("log_entry_change", args=[entry.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("log_entry_change", args=[correction.pk])


def test_it_lets_the_author_fix_only_the_note_after_signing(lb, log):
    entry = log()
    services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=MONTH)
    client = client_for(lb, "assistant")
    page = client.get(reverse("log_entry_change", args=[entry.pk]))
    assert page.context["mode"] == "note"
    assert set(page.context["form"].fields) == {"version", "note", "incident"}
    response = client.post(reverse("log_entry_change", args=[entry.pk]),
                           {"version": services.log_entry_version(entry), "note": "Spelling."})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.note == "Spelling." and entry.duration_minutes == 45


def test_it_refuses_a_colleague_who_did_not_log_it(lb, log):
    entry = log(assistant=lb.colleague, actor=lb.user("coordinator"))
    response = client_for(lb, "assistant").get(reverse("log_entry_change", args=[entry.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize(("role", "status"), [
    ("teacher", 404), ("parent", 404), ("provider", 404), ("reviewer", 404),
    ("other_coordinator", 404), ("other_assistant", 404)])
def test_it_refuses_everyone_outside_the_pool(lb, log, role, status):
    entry = log()
    client = client_for(lb, role)
    assert client.get(reverse("log_entry_change", args=[entry.pk])).status_code == status
    assert client.post(reverse("log_entry_change", args=[entry.pk]),
                       form(entry, end="08:30")).status_code == status
    entry.refresh_from_db()
    assert entry.duration_minutes == 45


def test_it_links_sessions_to_their_change_page(lb, log):
    entry = log()
    ledger = client_for(lb, "coordinator").get(reverse("child_ledger", args=[lb.child.pk,
                                                                             MONTH_TEXT]))
    assert reverse("log_entry_change", args=[entry.pk]) in ledger.content.decode()
