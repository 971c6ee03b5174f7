"""The evaluation dashboard (monthly and six-month pilot review): evaluation.evaluation,
charts and /schools/<id>/evaluation/ with its CSV export."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from poolplan.board import services as board_services
from poolplan.logbook import charts, evaluation
from poolplan.logbook.models import Presence
from poolplan.roster.models import Absence, AbsenceReason, Child, FundingModel
from tests.logbook.conftest import MONTH, MONTH_MONDAYS, MONTH_TEXT


def client_for(lb, role: str) -> Client:
    client = Client()
    client.force_login(lb.user(role))
    return client


@pytest.fixture
def month(lb, log, settings):
    """Last month: Fox 1 gets 450 of 900 minutes on the first Monday (from its primary person
    and a colleague), nothing later; its primary person is absent on the second Monday and the
    colleague covers; one red card answered after 4 and done after 10 minutes."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    lb.child_6b.approvals.all().delete()
    first, second = MONTH_MONDAYS[0], MONTH_MONDAYS[1]
    log(first, "08:00", "12:00")  # 240, the primary person
    log(first, "13:00", "16:30", assistant=lb.colleague, actor=lb.user("coordinator"))  # 210
    Absence.objects.create(assistant=lb.assistant, start=second, end=second,
                           reason=AbsenceReason.ILLNESS)
    log(second, "08:00", "09:00", assistant=lb.colleague, actor=lb.user("coordinator"))
    at = dt.datetime.combine(first, dt.time(9, 0), tzinfo=dt.UTC)
    board_services.card_set(child=lb.child, colour="red", actor=lb.user("teacher"), now=at)
    board_services.card_acknowledge(actor=lb.user("assistant"), child=lb.child,
                                    now=at + dt.timedelta(minutes=4))
    board_services.card_done(actor=lb.user("assistant"), child=lb.child,
                             now=at + dt.timedelta(minutes=10))
    return lb


def test_it_computes_the_months_figures(month):
    result = evaluation.evaluation(user=month.user("coordinator"), school=month.school,
                                   end_month=MONTH)
    [figures] = result.months
    approved = 900 * len(MONTH_MONDAYS)
    assert figures.approved == approved and figures.credited == 510
    assert figures.coverage == round(100 * 510 / approved, 1)
    assert figures.debt_end == approved - 510
    assert figures.red_cards == 1
    assert figures.acknowledge_median == 4.0 and figures.done_median == 10.0
    assert figures.staff == 510


def test_it_computes_each_childs_figures(month):
    result = evaluation.evaluation(user=month.user("coordinator"), school=month.school,
                                   end_month=MONTH)
    row = {r.child: r for r in result.children}[month.child]
    assert row.assistants == 2
    assert row.primary_share == round(100 * 240 / 510, 1)
    # The primary person was absent one school day and the colleague covered it.
    assert (row.absence_days, row.absence_days_covered) == (1, 1)
    assert result.absences_covered == 100.0


def test_it_reviews_six_months(month):
    result = evaluation.evaluation(user=month.user("coordinator"), school=month.school,
                                   end_month=MONTH, months=6)
    assert len(result.months) == 6 and result.months[-1].month == MONTH
    assert result.credited == 510
    assert [m.month for m in result.months] == sorted(m.month for m in result.months)


def test_it_uses_the_budget_of_a_school_budget_pool(month):
    month.school.funding_model = FundingModel.SCHOOL_BUDGET
    month.school.budget_minutes_per_week = 1000
    month.school.save()
    result = evaluation.evaluation(user=month.user("provider"), school=month.school,
                                   end_month=MONTH)
    [figures] = result.months
    assert figures.budget == 1000 * len(MONTH_MONDAYS) and figures.staff == 510
    assert result.is_budget and not result.show_names
    assert len(charts.evaluation_charts(result)) == 3


def test_it_draws_its_charts_as_svg(month):
    result = evaluation.evaluation(user=month.user("coordinator"), school=month.school,
                                   end_month=MONTH, months=6)
    drawn = charts.evaluation_charts(result)
    assert len(drawn) == 4
    for chart in drawn:
        assert chart["src"].startswith("data:image/svg+xml;base64,") and chart["alt"]


def test_it_costs_a_fixed_number_of_queries(month, log, django_assert_max_num_queries):
    for number in range(6):
        kid = Child.objects.create(school=month.school, school_class=month.class_5a,
                                   first_name="Kid", last_name=str(number),
                                   display_code=f"Kid {number}",
                                   primary_assistant=month.assistant)
        log(MONTH_MONDAYS[2], f"{10 + number}:00", f"{10 + number}:30", child=kid,
            presence=Presence.PRESENT)
    with django_assert_max_num_queries(18):
        evaluation.evaluation(user=month.user("coordinator"), school=month.school,
                              end_month=MONTH, months=6)


@pytest.mark.parametrize("role", ["coordinator", "provider"])
def test_it_shows_the_dashboard(month, role):
    response = client_for(month, role).get(reverse("evaluation", args=[month.school.pk]),
                                           {"month": MONTH_TEXT, "months": 6})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Six-month pilot review" in content and "data:image/svg+xml;base64," in content
    assert (month.child.full_name in content) == (role == "coordinator")


def test_it_exports_csv(month):
    response = client_for(month, "provider").get(reverse("evaluation", args=[month.school.pk]),
                                                 {"month": MONTH_TEXT, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ";".join(evaluation.CSV_COLUMNS)
    fox = next(line for line in lines if line.startswith("Fox 1;"))
    assert fox.split(";")[2] == "510" and fox.split(";")[6] == "2"
    assert any(line.startswith(f"{MONTH_TEXT};") for line in lines)
    assert month.child.full_name not in response.content.decode("utf-8-sig")


@pytest.mark.parametrize("query", [{"months": "3"}, {"month": "2026-13"}, {"months": "x"}])
def test_it_refuses_a_period_that_does_not_exist(month, query):
    response = client_for(month, "coordinator").get(
        reverse("evaluation", args=[month.school.pk]), query)
    assert response.status_code == 404


@pytest.mark.parametrize(("role", "status"), [
    ("assistant", 403), ("teacher", 403), ("parent", 403), ("reviewer", 403),
    ("other_coordinator", 404), ("other_provider", 404)])
def test_it_refuses_wrong_roles(month, role, status):
    url = reverse("evaluation", args=[month.school.pk])
    assert client_for(month, role).get(url).status_code == status
    assert client_for(month, role).get(url, {"format": "csv"}).status_code == status
