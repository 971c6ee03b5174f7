"""GET /api/children/{id}/ledger?month=YYYY-MM"""

from tests.logbook.conftest import MONTH_MONDAYS, MONTH_TEXT, assert_error, assert_refused


def test_it_works(api, lb, log):
    log(MONTH_MONDAYS[0], "08:00", "08:45")
    response = api("coordinator").get(f"/children/{lb.child.pk}/ledger", month=MONTH_TEXT)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["month"] == MONTH_TEXT
    assert data["total"]["approved"] == sum(w["approved"] for w in data["weeks"])
    assert data["total"]["delivered"] == 45
    assert data["total"]["planned"] is None
    assert data["sessions"][0]["assistant"] == "Anna Berg"
    assert "note" not in data["sessions"][0]


def test_it_shows_the_parent_their_own_child(api, lb):
    response = api("parent").get(f"/children/{lb.child.pk}/ledger", month=MONTH_TEXT)
    assert response.status_code == 200


def test_it_validates_the_month(api, lb):
    assert_error(api("coordinator").get(f"/children/{lb.child.pk}/ledger", month="2026-13"), 422)


def test_it_refuses_a_month_decades_ahead(api, lb):
    # The ledger runs week by week up to the month: 2099-12 once took minutes to answer.
    response = api("coordinator").get(f"/children/{lb.child.pk}/ledger", month="2099-12")
    assert "month" in assert_error(response, 422)["details"]


def test_it_refuses_every_wrong_role(api, lb):
    assert_refused(api, "get", f"/children/{lb.child.pk}/ledger?month={MONTH_TEXT}", {
        "other_coordinator": 404, "assistant": 403, "other_assistant": 404, "teacher": 403,
        "other_parent": 404, "other_provider": 404, "reviewer": 403, "other_reviewer": 404})
    assert_error(api().get(f"/children/{lb.child.pk}/ledger", month=MONTH_TEXT), 401)
