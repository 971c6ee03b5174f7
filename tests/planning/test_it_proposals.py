"""proposal_request / proposal_accept: the morning sick call on the demo's comprehensive
school (a2 = Thomas Lange, a nursing assistant, login assistant2) for the next school day.
The proposal is a background job; the tests' immediate backend has run it when
proposal_request returns (the queued state is in test_it_proposal_jobs.py)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from poolplan.accounts.models import AuditEvent, User
from poolplan.planner import check, load_instance
from poolplan.planning import services
from poolplan.planning.models import (
    Notification,
    PlanSource,
    PlanStatus,
    SolveJob,
    SolveJobKind,
    SolveJobStatus,
)
from poolplan.roster.models import AbsenceReason, Assistant
from poolplan.roster.services import absence_create
from tests.planning.helpers import comprehensive, next_school_day, solve_and_publish, week_of


@pytest.fixture
def sick_call(demo):
    """Week solved and published; assistant2 (a2) reports sick for the next school day."""
    coordinator = User.objects.get(username="coordinator")
    school = comprehensive()
    day = next_school_day()
    base = solve_and_publish(school=school, week=week_of(day), actor=coordinator)
    a2 = User.objects.get(username="assistant2").assistant
    absence_create(actor=coordinator, assistant=a2, start=day, end=day,
                   reason=AbsenceReason.ILLNESS)
    return coordinator, school, day, base, a2


def _rows(plan):
    return set(plan.assignments.values_list("slot", "assistant_id", "child_id"))


def _ready(school, day, actor=None):
    state = services.proposal_request(school=school, date=day, actor=actor)
    assert state.ready, state.job and state.job.error
    return state.proposal


def test_it_replans_the_day_without_the_sick_assistant(sick_call):
    coordinator, school, day, base, a2 = sick_call
    assert base.assignments.filter(assistant=a2, date=day).exists(), "a2 works that day"

    proposal = _ready(school, day, coordinator)

    plan = proposal.plan
    assert plan.status == PlanStatus.DRAFT and plan.source == PlanSource.SICK_CALL
    assert plan.based_on == base and plan.replanned_date == day
    assert check(load_instance(plan.instance), plan.document).valid
    assert not plan.assignments.filter(assistant=a2, date=day).exists()
    # Made by a background job, which says so.
    job = proposal.job
    assert (job.kind, job.status, job.day, job.base, job.plan) == (
        SolveJobKind.PROPOSAL, SolveJobStatus.DONE, day, base, plan)
    # Changes only where needed: every other day is exactly the published plan.
    other_days = {r for r in _rows(base) if not base.assignments.get(
        slot=r[0], assistant_id=r[1], child_id=r[2]).date == day}
    assert {r for r in _rows(plan) if r in other_days} == other_days
    changed = _rows(base) ^ _rows(plan)
    assert changed and all(plan.assignments.model.objects.filter(
        plan__in=[base, plan], slot=s, assistant_id=a, child_id=c, date=day).exists()
        for s, a, c in changed)
    # ... in words, with display codes and names, not ids.
    assert proposal.changes and all(c["date"] == day for c in proposal.changes)
    assert any("Thomas Lange" in c["text"] for c in proposal.changes)
    a2_rows = base.assignments.filter(assistant=a2, date=day)
    assert {c["child"] for c in proposal.changes} >= {r.child_id for r in a2_rows}
    names = [a.full_name for a in Assistant.objects.filter(schools=school)]
    for loss in proposal.losses:
        assert loss["minutes"] > 0 and loss["why"] and loss["display_code"] in loss["text"]
        # One short sentence with the main reason, naming the people concerned.
        assert loss["reason"].endswith(".") and len(loss["reason"]) < 300, loss
        assert any(name in loss["reason"] for name in names), loss
    assert not proposal.losses or any("Thomas Lange" in loss["reason"]
                                      for loss in proposal.losses)
    assert proposal.summary


def test_it_reuses_the_stored_proposal_while_nothing_changed(sick_call, monkeypatch):
    coordinator, school, day, base, a2 = sick_call
    first = _ready(school, day)

    def no_solving(*args, **kwargs):
        raise AssertionError("the proposal was solved again")

    monkeypatch.setattr(services, "_solve_document", no_solving)
    second = _ready(school, day)
    assert first.plan.pk == second.plan.pk and first.job.pk == second.job.pk
    assert SolveJob.objects.filter(kind=SolveJobKind.PROPOSAL).count() == 1


def test_it_accepts_the_stored_proposal_and_notifies(sick_call, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    coordinator, school, day, base, a2 = sick_call
    shown = _ready(school, day)

    def no_solving(*args, **kwargs):
        raise AssertionError("accepting must not solve")

    monkeypatch.setattr(services, "_solve_document", no_solving)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = services.proposal_accept(actor=coordinator, school=school, date=day,
                                            proposal_version=shown.plan.version,
                                            base_version=base.version)

    assert accepted.plan.pk == shown.plan.pk
    base.refresh_from_db()
    assert base.status == PlanStatus.SUPERSEDED
    assert accepted.plan.status == PlanStatus.PUBLISHED
    assert AuditEvent.objects.filter(object_type="plan", object_id=str(accepted.plan.pk),
                                     summary__contains="published").exists()
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert {"coordinator", "assistant2"} <= notified
    touched = {c["child"] for c in accepted.changes}
    teacher = User.objects.get(username="teacher")
    if school.children.filter(pk__in=touched, school_class__in=teacher.classes.all()).exists():
        assert "teacher" in notified
    a2_note = Notification.objects.get(user__username="assistant2")
    assert "Thomas Lange" in a2_note.body
    assert {m.to[0] for m in mail.outbox} >= {"coordinator@demo.poolplan.invalid",
                                              "assistant2@demo.poolplan.invalid"}


def test_it_notifies_with_a_fixed_number_of_queries(sick_call, django_assert_max_num_queries):
    coordinator, school, day, base, a2 = sick_call
    proposal = _ready(school, day)
    assert proposal.moves
    # Coordinators, movers, children's classes, teachers (+ their classes), one insert.
    with django_assert_max_num_queries(6):
        notes = services._notify_plan_change(proposal)
    assert len(notes) >= 2


def test_it_refuses_a_stale_accept(sick_call):
    coordinator, school, day, base, a2 = sick_call
    _ready(school, day)
    with pytest.raises(services.PlanConflict):
        services.proposal_accept(actor=coordinator, school=school, date=day,
                                 base_version=base.version + 5)
    base.refresh_from_db()
    assert base.status == PlanStatus.PUBLISHED


def test_it_refuses_the_accept_when_the_published_plan_changed_since(sick_call):
    coordinator, school, day, base, a2 = sick_call
    shown = _ready(school, day)
    # Another coordinator publishes a new version of the week meanwhile.
    newer = services.plan_publish(actor=coordinator, plan=services.plan_draft_copy(
        actor=coordinator, plan=base))
    with pytest.raises(services.PlanConflict, match="published plan changed since"):
        services.proposal_accept(actor=coordinator, school=school, date=day,
                                 proposal_version=shown.plan.version,
                                 base_version=base.version)
    newer.refresh_from_db()
    shown.plan.refresh_from_db()
    assert newer.status == PlanStatus.PUBLISHED and shown.plan.status == PlanStatus.DRAFT


def test_it_refuses_the_accept_when_the_absences_changed_since(sick_call):
    coordinator, school, day, base, a2 = sick_call
    shown = _ready(school, day)
    other = Assistant.objects.filter(schools=school).exclude(pk=a2.pk).order_by("pk").first()
    absence_create(actor=coordinator, assistant=other, start=day, end=day,
                   reason=AbsenceReason.ILLNESS)
    with pytest.raises(services.PlanConflict, match="changed since this proposal"):
        services.proposal_accept(actor=coordinator, school=school, date=day,
                                 proposal_version=shown.plan.version,
                                 base_version=base.version)
    base.refresh_from_db()
    assert base.status == PlanStatus.PUBLISHED
    # The next request makes a new proposal for the new situation.
    assert _ready(school, day).plan.pk != shown.plan.pk


def test_it_refuses_to_accept_before_a_proposal_is_ready(sick_call):
    coordinator, school, day, base, a2 = sick_call
    with pytest.raises(ValidationError, match="ready to accept"):
        services.proposal_accept(actor=coordinator, school=school, date=day)


def test_it_needs_a_published_plan(demo):
    day = next_school_day()
    with pytest.raises(ValidationError, match="solve and publish"):
        services.proposal_request(school=comprehensive(), date=day)
    assert not SolveJob.objects.exists()


def test_it_refuses_past_days(sick_call):
    coordinator, school, day, base, a2 = sick_call
    with pytest.raises(ValidationError, match="past"):
        services.proposal_request(school=school, date=day - dt.timedelta(days=7))
