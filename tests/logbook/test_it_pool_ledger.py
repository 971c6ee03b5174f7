"""The pool's ledger and proof (both funding models; the budget of school-budget pools):
selectors.pool_ledger, /schools/<id>/ledger/<month>/, GET /api/schools/{id}/ledger and
GET /api/schools/{id}/proof."""

import pytest
from django.test import Client
from django.urls import reverse

from poolplan.logbook import proofs, selectors
from poolplan.logbook.models import Presence
from poolplan.roster.models import Child, FundingModel
from tests.logbook.conftest import MONTH, MONTH_MONDAYS, MONTH_TEXT, assert_error, assert_refused
from tests.logbook.test_it_proofs import pdf_text


@pytest.fixture
def budget_pool(lb, log):
    """School A on a budget of 1200 min/week; on the first Monday one group session of the two
    children (logged for each), a session of the colleague and an absent assistant."""
    lb.school.funding_model = FundingModel.SCHOOL_BUDGET
    lb.school.budget_minutes_per_week = 1200
    lb.school.save()
    monday = MONTH_MONDAYS[0]
    log(monday, "08:00", "08:45", group=[lb.child_6b])
    log(monday, "08:00", "08:45", child=lb.child_6b, group=[lb.child])
    log(monday, "09:00", "10:00", child=lb.child_6b, assistant=lb.colleague,
        actor=lb.user("coordinator"), minutes_away=10)
    log(MONTH_MONDAYS[1], "08:00", "09:00", presence=Presence.ASSISTANT_ABSENT)
    return lb


def client_for(lb, role: str) -> Client:
    client = Client()
    client.force_login(lb.user(role))
    return client


def test_it_counts_staff_minutes_once_per_group_session(budget_pool):
    ledger = selectors.pool_ledger(school=budget_pool.school, month=MONTH)
    # 45 (the group session, once) + 60 (the colleague); the absent session adds nothing.
    assert ledger.total.staff == 105
    # The children received 45 + 45 + 50 minutes.
    assert ledger.total.child_minutes == 140
    assert ledger.total.budget == 1200 * len(MONTH_MONDAYS)
    assert ledger.total.remaining == ledger.total.budget - 105
    assert ledger.total.budget == sum(w.budget for w in ledger.weeks)
    assert ledger.total.staff == sum(w.staff for w in ledger.weeks)
    rows = {r.child.pk: (r.sessions, r.delivered) for r in ledger.children}
    assert rows == {budget_pool.child.pk: (2, 45), budget_pool.child_6b.pk: (2, 95)}


def test_it_has_no_budget_for_a_pool_on_individual_approvals(lb, log):
    log(MONTH_MONDAYS[0])
    ledger = selectors.pool_ledger(school=lb.school, month=MONTH)
    assert not ledger.is_budget and ledger.total.budget is None and ledger.total.staff == 45


def test_it_costs_a_fixed_number_of_queries(budget_pool, log, django_assert_max_num_queries):
    for number in range(8):
        kid = Child.objects.create(school=budget_pool.school, school_class=budget_pool.class_5a,
                                   first_name="Kid", last_name=str(number),
                                   display_code=f"Kid {number}")
        log(MONTH_MONDAYS[2], f"{10 + number}:00", f"{10 + number}:30", child=kid)
    # Entries, their groups, the periods, plans and assignments (each in a savepoint).
    with django_assert_max_num_queries(9):
        ledger = selectors.pool_ledger(school=budget_pool.school, month=MONTH)
        proofs.pool_proof_csv(ledger)


def test_it_shows_the_page_to_the_coordinator_with_names(budget_pool):
    response = client_for(budget_pool, "coordinator").get(
        reverse("pool_ledger", args=[budget_pool.school.pk, MONTH_TEXT]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "School budget: 1200 min/week" in content
    assert budget_pool.child.full_name in content


def test_it_shows_the_provider_display_codes_only(budget_pool):
    response = client_for(budget_pool, "provider").get(
        reverse("pool_ledger", args=[budget_pool.school.pk, MONTH_TEXT]))
    assert response.status_code == 200
    content = response.content.decode()
    assert budget_pool.child.display_code in content
    assert budget_pool.child.full_name not in content


@pytest.mark.parametrize(("role", "status"), [
    ("assistant", 403), ("teacher", 403), ("parent", 403), ("reviewer", 403),
    ("other_coordinator", 404), ("other_provider", 404), ("other_parent", 404)])
def test_it_refuses_the_page_to_wrong_roles(budget_pool, role, status):
    response = client_for(budget_pool, role).get(
        reverse("pool_ledger", args=[budget_pool.school.pk, MONTH_TEXT]))
    assert response.status_code == status


def test_it_links_a_budget_childs_ledger_to_the_pool(budget_pool):
    budget_pool.child.approvals.all().delete()
    response = client_for(budget_pool, "coordinator").get(
        reverse("child_ledger", args=[budget_pool.child.pk, MONTH_TEXT]))
    content = response.content.decode()
    assert "the pool has 1200 min/week for all its children" in content
    assert reverse("pool_ledger", args=[budget_pool.school.pk, MONTH_TEXT]) in content


def test_it_serves_the_pool_ledger_over_the_api(api, budget_pool):
    response = api("provider").get(f"/schools/{budget_pool.school.pk}/ledger", month=MONTH_TEXT)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["funding_model"] == "school_budget" and data["budget_minutes_per_week"] == 1200
    assert data["total"]["staff"] == 105 and data["total"]["remaining"] == data["total"][
        "budget"] - 105
    assert {c["display_code"] for c in data["children"]} == {"Fox 1", "Owl 2"}


def test_it_serves_the_pool_proof_as_csv_and_pdf(api, budget_pool, tmp_path, settings):
    path = f"/schools/{budget_pool.school.pk}/proof?month={MONTH_TEXT}"
    csv = api("coordinator").get(path + "&format=csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ";".join(proofs.POOL_CSV_COLUMNS)
    assert len([line for line in lines[1:] if line.startswith(MONTH_TEXT)]) == 4
    assert "staff_minutes;105" in lines and f"budget;{1200 * len(MONTH_MONDAYS)}" in lines
    pdf = api("coordinator").get(path + "&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = " ".join(pdf_text(pdf.content, tmp_path).split())
    assert "School budget: 1200 minutes per week" in text
    assert "Özlem Şahin" in text and "Owl 2" in text and "105" in text


def test_it_refuses_the_api_to_wrong_roles(api, budget_pool):
    for path in (f"/schools/{budget_pool.school.pk}/ledger?month={MONTH_TEXT}",
                 f"/schools/{budget_pool.school.pk}/proof?month={MONTH_TEXT}&format=csv"):
        assert_refused(api, "get", path, {
            "assistant": 403, "teacher": 403, "parent": 403, "reviewer": 403,
            "other_coordinator": 404, "other_provider": 404, "other_reviewer": 403})
        assert_error(api().get(path), 401)
