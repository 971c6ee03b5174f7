"""GET /api/children/{id}/proof?month=YYYY-MM&format=pdf|csv and POST .../proof/sign"""

import pytest

from poolplan.logbook import services
from poolplan.logbook.models import MonthSignature
from tests.logbook.conftest import MONTH, MONTH_MONDAYS, MONTH_TEXT, assert_error, assert_refused


@pytest.fixture
def logged(lb, log):
    log(MONTH_MONDAYS[0], "08:00", "08:45")
    return lb


def proof_path(child, fmt="pdf", month=MONTH_TEXT) -> str:
    return f"/children/{child.pk}/proof?month={month}&format={fmt}"


@pytest.mark.parametrize("role", ["coordinator", "reviewer", "provider"])
def test_it_serves_the_csv(api, logged, role):
    response = api(role).get(proof_path(logged.child, "csv"))
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeffdate;start;end".encode())
    assert "attachment" in response["Content-Disposition"]
    assert f"{MONTH_TEXT}.csv" in response["Content-Disposition"]


def test_it_serves_the_pdf_to_the_reviewer(api, logged):
    response = api("reviewer").get(proof_path(logged.child, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_it_serves_the_pdf_by_default(api, logged):
    response = api("coordinator").get(f"/children/{logged.child.pk}/proof?month={MONTH_TEXT}")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_it_serves_the_corrected_proof_with_the_reason(api, logged, lb):
    [entry] = lb.child.log_entries.all()
    services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=MONTH)
    services.log_entry_correct(actor=lb.user("coordinator"), entry=entry,
                               reason="Bus was late", presence="child_absent")
    body = api("reviewer").get(proof_path(lb.child, "csv")).content.decode("utf-8-sig")
    assert "Bus was late" in body and ";yes;" in body


@pytest.mark.parametrize(("month", "fmt"), [("2026-13", "pdf"), ("26-11", "csv"),
                                             (MONTH_TEXT, "xlsx")])
def test_it_validates_month_and_format(api, logged, month, fmt):
    assert_error(api("coordinator").get(proof_path(logged.child, fmt, month)), 422)


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_it_refuses_every_wrong_role(api, logged, fmt):
    path = proof_path(logged.child, fmt)
    assert_refused(api, "get", path, {
        # The reviewer of another funding body does not even learn the child exists.
        "other_reviewer": 404, "other_coordinator": 404, "assistant": 403,
        "other_assistant": 404, "teacher": 403, "parent": 403, "other_parent": 404,
        "other_provider": 404})
    assert_error(api().get(path), 401)


def test_it_refuses_another_funding_bodys_child_to_the_reviewer(api, logged):
    assert_error(api("reviewer").get(proof_path(logged.child_6b, "csv")), 404)


def test_it_signs_a_month(api, logged):
    path = f"/children/{logged.child.pk}/proof/sign"
    response = api("coordinator").post(path, {"month": MONTH_TEXT})
    assert response.status_code == 201, response.content
    assert response.json()["month"] == MONTH_TEXT
    assert_error(api("coordinator").post(path, {"month": MONTH_TEXT}), 422)


def test_it_needs_the_month_to_sign(api, logged):
    path = f"/children/{logged.child.pk}/proof/sign"
    assert_error(api("coordinator").post(path, {}), 422)
    assert_error(api("coordinator").post(path, {"month": "2026-13"}), 422)
    assert MonthSignature.objects.count() == 0


def test_it_refuses_signing_to_every_wrong_role(api, logged):
    assert_refused(api, "post", f"/children/{logged.child.pk}/proof/sign", {
        "other_coordinator": 404, "assistant": 403, "teacher": 403, "parent": 403,
        "provider": 403, "reviewer": 403, "other_reviewer": 404, "other_provider": 404},
        data={"month": MONTH_TEXT})
    assert MonthSignature.objects.count() == 0
