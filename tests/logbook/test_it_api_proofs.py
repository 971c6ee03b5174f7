"""GET /api/children/{id}/proofs/{month}.csv|.pdf and POST .../proofs/{month}/sign"""

import pytest

from poolplan.logbook.models import MonthSignature
from tests.logbook.conftest import MONDAYS, assert_error, assert_refused


@pytest.fixture
def logged(lb, log):
    log(MONDAYS[0], "08:00", "08:45")
    return lb


@pytest.mark.parametrize("role", ["coordinator", "reviewer", "provider"])
def test_it_serves_the_csv(api, logged, role):
    response = api(role).get(f"/children/{logged.child.pk}/proofs/2026-11.csv")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeffdate;start;end".encode())
    assert "attachment" in response["Content-Disposition"]


def test_it_serves_the_pdf_to_the_reviewer(api, logged):
    response = api("reviewer").get(f"/children/{logged.child.pk}/proofs/2026-11.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("extension", ["csv", "pdf"])
def test_it_refuses_every_wrong_role(api, logged, extension):
    path = f"/children/{logged.child.pk}/proofs/2026-11.{extension}"
    assert_refused(api, "get", path, {
        # The reviewer of another funding body does not even learn the child exists.
        "other_reviewer": 404, "other_coordinator": 404, "assistant": 403,
        "other_assistant": 404, "teacher": 403, "parent": 403, "other_parent": 404,
        "other_provider": 404})
    assert_error(api().get(path), 401)


def test_it_refuses_another_funding_bodys_child_to_the_reviewer(api, logged):
    assert_error(api("reviewer").get(f"/children/{logged.child_6b.pk}/proofs/2026-11.csv"), 404)


def test_it_signs_a_month(api, logged):
    response = api("coordinator").post(f"/children/{logged.child.pk}/proofs/2026-11/sign", {})
    assert response.status_code == 201, response.content
    assert response.json()["month"] == "2026-11"
    again = api("coordinator").post(f"/children/{logged.child.pk}/proofs/2026-11/sign", {})
    assert_error(again, 422)


def test_it_refuses_signing_to_every_wrong_role(api, logged):
    assert_refused(api, "post", f"/children/{logged.child.pk}/proofs/2026-11/sign", {
        "other_coordinator": 404, "assistant": 403, "teacher": 403, "parent": 403,
        "provider": 403, "reviewer": 403, "other_reviewer": 404, "other_provider": 404},
        data={})
    assert MonthSignature.objects.count() == 0
