"""The pages: quick entry, the month ledger and signing."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from poolplan.logbook.models import LogEntry, MonthSignature
from tests import dates
from tests.logbook.conftest import MONTH_MONDAYS, MONTH_TEXT


def client_for(lb, role: str) -> Client:
    client = Client()
    client.force_login(lb.user(role))
    return client


@pytest.fixture
def form_data(lb):
    return {"idempotency_key": "form-1", "child": lb.child.pk,
            "date": MONTH_MONDAYS[3].isoformat(), "start": "08:00", "end": "08:45",
            "presence": "present", "kind": "learning_support", "minutes_away": "0",
            "note": "Read a page."}


def test_it_shows_a_prefilled_quick_entry(lb):
    response = client_for(lb, "assistant").get(reverse("log_entry_quick"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["child"] == lb.child
    assert isinstance(form.initial["start"], dt.time) and form.initial["end"]
    assert form["idempotency_key"].value()


def test_it_saves_once_however_often_the_form_is_sent(lb, form_data):
    client = client_for(lb, "assistant")
    for _ in range(3):
        response = client.post(reverse("log_entry_quick"), form_data)
        assert response.status_code == 302
    entry = LogEntry.objects.get()
    assert entry.assistant == lb.assistant and entry.delivered_minutes == 45


def test_it_shows_errors_in_words(lb, form_data):
    response = client_for(lb, "assistant").post(reverse("log_entry_quick"),
                                                {**form_data, "end": "07:00"})
    assert response.status_code == 200
    assert "The end must be after the start" in response.content.decode()
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize("role", ["teacher", "parent", "reviewer", "provider"])
def test_it_refuses_quick_entry_outside_the_pool(lb, role):
    assert client_for(lb, role).get(reverse("log_entry_quick")).status_code == 403


def test_it_shows_the_ledger_to_the_coordinator(lb, log):
    log(MONTH_MONDAYS[0], "08:00", "08:45")
    response = client_for(lb, "coordinator").get(
        reverse("child_ledger", args=[lb.child.pk, MONTH_TEXT]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Anna Berg" in content and dates.iso_week(MONTH_MONDAYS[0]) in content
    assert reverse("child_ledger_sign", args=[lb.child.pk, MONTH_TEXT]) in content


def test_it_shows_the_parent_the_ledger_read_only(lb):
    response = client_for(lb, "parent").get(
        reverse("child_ledger", args=[lb.child.pk, MONTH_TEXT]))
    assert response.status_code == 200
    assert not response.context["can_sign"] and not response.context["can_download"]


@pytest.mark.parametrize(("role", "status"), [("assistant", 403), ("teacher", 403),
                                               ("reviewer", 403), ("other_parent", 404),
                                               ("other_coordinator", 404)])
def test_it_refuses_the_ledger_to_wrong_roles(lb, role, status):
    response = client_for(lb, role).get(reverse("child_ledger", args=[lb.child.pk, MONTH_TEXT]))
    assert response.status_code == status


def test_it_signs_the_month(lb):
    response = client_for(lb, "coordinator").post(
        reverse("child_ledger_sign", args=[lb.child.pk, MONTH_TEXT]))
    assert response.status_code == 302
    assert MonthSignature.objects.filter(child=lb.child).exists()


@pytest.mark.parametrize("role", ["assistant", "provider", "parent"])
def test_it_refuses_signing_to_others(lb, role):
    response = client_for(lb, role).post(
        reverse("child_ledger_sign", args=[lb.child.pk, MONTH_TEXT]))
    assert response.status_code in (403, 404)
    assert not MonthSignature.objects.exists()


def test_it_refuses_a_month_that_does_not_exist(lb):
    response = client_for(lb, "coordinator").get(f"/children/{lb.child.pk}/ledger/0001-01/")
    assert response.status_code == 404
