"""The weekly team meeting: meeting.team_meeting_agenda and /schools/<id>/team-meeting/."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from poolplan.board import services as board_services
from poolplan.logbook import meeting, selectors, services
from poolplan.logbook.models import Presence, Strategy
from poolplan.roster.models import Absence, AbsenceReason, Child
from tests import dates
from tests.logbook.conftest import MONTH, MONTH_MONDAYS


def client_for(lb, role: str) -> Client:
    client = Client()
    client.force_login(lb.user(role))
    return client


@pytest.fixture
def week(lb, log, settings):
    """The third Monday of last month: two red cards and an incident for Fox 1, the assistant
    absent for Owl 2 (debt), a strategy shared that week."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    monday = MONTH_MONDAYS[2]
    # Owl 2's approval runs for this school year; last month may lie before it (August).
    lb.child_6b.approvals.update(valid_from=MONTH)
    at = dt.datetime.combine(monday, dt.time(9, 0), tzinfo=dt.UTC)
    for minutes in (0, 30):
        board_services.card_set(child=lb.child, colour="red", actor=lb.user("teacher"),
                                now=at + dt.timedelta(minutes=minutes))
        board_services.card_set(child=lb.child, colour="green", actor=lb.user("teacher"),
                                now=at + dt.timedelta(minutes=minutes + 10))
    log(monday, "08:00", "08:45", incident=True, note="Threw a chair; calmed in the quiet room.")
    log(monday, "09:00", "10:00", child=lb.child_6b, presence=Presence.ASSISTANT_ABSENT)
    strategy = services.strategy_create(actor=lb.user("coordinator"), child=lb.child,
                                        text="Announce transitions two minutes ahead.")
    Strategy.objects.filter(pk=strategy.pk).update(
        created_at=dt.datetime.combine(monday, dt.time(12, 0), tzinfo=dt.UTC))
    return monday


def test_it_lists_red_cards_and_incidents(lb, week):
    agenda = meeting.team_meeting_agenda(user=lb.user("coordinator"), school=lb.school,
                                         monday=week)
    [row] = agenda.attention
    assert row.child == lb.child and row.red_cards == 2
    assert [e.note for e in row.incidents] == ["Threw a chair; calmed in the quiet room."]


def test_it_shows_hours_at_risk_and_make_up_debt(lb, week):
    agenda = meeting.team_meeting_agenda(user=lb.user("coordinator"), school=lb.school,
                                         monday=week)
    risk = {r.child: r for r in agenda.at_risk}
    # 900 approved; Fox 1 got 45, Owl 2 nothing; the week is past and had no plan.
    assert risk[lb.child].at_risk == 855 and not risk[lb.child].has_plan
    assert risk[lb.child_6b].at_risk == 900
    debt = {r.child: r.debt for r in agenda.debt}
    assert debt[lb.child] == 855 and debt[lb.child_6b] == 900


def test_it_counts_planned_minutes_of_the_days_left(lb, log, monkeypatch):
    monday = dates.next_monday()
    planned = {lb.child.pk: ({monday}, {monday: 300, monday + dt.timedelta(days=1): 200})}
    monkeypatch.setattr(selectors, "planned_minutes_by_day",
                        lambda **kwargs: {c.pk: planned.get(c.pk, (set(), {}))
                                          for c in kwargs["children"]})
    agenda = meeting.team_meeting_agenda(user=lb.user("coordinator"), school=lb.school,
                                         monday=monday)
    risk = {r.child: r for r in agenda.at_risk}
    assert risk[lb.child].planned_ahead == 500 and risk[lb.child].at_risk == 400


def test_it_lists_absences_ahead_and_this_weeks_strategies(lb, week):
    start = dates.next_school_day()
    Absence.objects.create(assistant=lb.assistant, start=start, end=start,
                           reason=AbsenceReason.ILLNESS, reason_text="Flu")
    Absence.objects.create(child=lb.child, start=start + dt.timedelta(days=30),
                           end=start + dt.timedelta(days=30), reason=AbsenceReason.ILLNESS)
    agenda = meeting.team_meeting_agenda(user=lb.user("coordinator"), school=lb.school,
                                         monday=dates.this_monday())
    assert [a.assistant for a in agenda.absences] == [lb.assistant]
    assert agenda.show_reasons
    past = meeting.team_meeting_agenda(user=lb.user("coordinator"), school=lb.school,
                                       monday=week)
    assert [s.text for s in past.strategies] == ["Announce transitions two minutes ahead."]


def test_it_costs_a_fixed_number_of_queries(lb, log, week, django_assert_max_num_queries):
    for number in range(6):
        kid = Child.objects.create(school=lb.school, school_class=lb.class_5a,
                                   first_name="Kid", last_name=str(number),
                                   display_code=f"Kid {number}")
        log(week, f"{11 + number}:00", f"{11 + number}:30", child=kid, incident=True)
    # Children, cards, incidents, the ledgers' ten, absences, strategies: none per child.
    with django_assert_max_num_queries(20):
        meeting.team_meeting_agenda(user=lb.user("coordinator"), school=lb.school,
                                    monday=week)


def test_it_shows_the_page(lb, week):
    response = client_for(lb, "coordinator").get(
        reverse("team_meeting", args=[lb.school.pk, dates.iso_week(week)]))
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("Red cards and incidents", "Threw a chair", "Hours at risk", "Make-up debt",
                 "Absences ahead", "Announce transitions two minutes ahead."):
        assert text in content


def test_it_redirects_to_this_week(lb):
    response = client_for(lb, "coordinator").get(
        reverse("team_meeting_current", args=[lb.school.pk]))
    assert response["Location"] == reverse("team_meeting", args=[
        lb.school.pk, dates.iso_week(dates.today())])


def test_it_adds_a_strategy(lb):
    week = dates.iso_week(dates.today())
    client = client_for(lb, "coordinator")
    response = client.post(reverse("strategy_add", args=[lb.school.pk, week]),
                           {"child": lb.child.pk, "text": "Sits by the window."})
    assert response.status_code == 302
    assert Strategy.objects.get().created_by == lb.user("coordinator")
    refused = client.post(reverse("strategy_add", args=[lb.school.pk, week]),
                          {"child": lb.other_child.pk, "text": "x"})
    assert refused.status_code == 422 and Strategy.objects.count() == 1


@pytest.mark.parametrize(("role", "status"), [
    ("assistant", 403), ("teacher", 403), ("parent", 403), ("provider", 403),
    ("reviewer", 403), ("other_coordinator", 404), ("other_provider", 404)])
def test_it_refuses_wrong_roles(lb, role, status):
    week = dates.iso_week(dates.today())
    client = client_for(lb, role)
    assert client.get(reverse("team_meeting", args=[lb.school.pk, week])).status_code == status
    response = client.post(reverse("strategy_add", args=[lb.school.pk, week]),
                           {"child": lb.child.pk, "text": "x"})
    assert response.status_code == status and not Strategy.objects.exists()


def test_it_refuses_a_week_that_does_not_exist(lb):
    response = client_for(lb, "coordinator").get(
        f"/schools/{lb.school.pk}/team-meeting/2026-W60/")
    assert response.status_code == 404
