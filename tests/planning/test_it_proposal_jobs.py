"""The sick-call proposal as a background job: proposal_request queues it (the dummy task
backend keeps it queued, as a real worker that has not started yet would), finds it again
while nothing changed, shows its failure, and returns the proposal once the worker ran it."""

import datetime as dt

import pytest
from django.utils import timezone

from poolplan.accounts.models import User
from poolplan.planning import services
from poolplan.planning.models import PlanStatus, SolveJob, SolveJobKind, SolveJobStatus
from poolplan.roster.models import AbsenceReason, Assistant
from poolplan.roster.services import absence_create
from tests.planning.view_helpers import comprehensive, publish_greedy, sick_day, week_of


@pytest.fixture
def queued_only(settings):
    """Jobs are stored, not run: the worker is "busy" until a test runs one itself."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def sick(demo, queued_only):
    coordinator = User.objects.get(username="coordinator")
    school, day = comprehensive(), sick_day()
    base = publish_greedy(school=school, week=week_of(day), actor=coordinator)
    nurse = Assistant.objects.get(user__username="assistant2")
    absence_create(actor=coordinator, assistant=nurse, start=day, end=day,
                   reason=AbsenceReason.ILLNESS)
    return coordinator, school, day, base, nurse


def test_it_queues_a_job_instead_of_solving(sick, monkeypatch):
    coordinator, school, day, base, nurse = sick

    def no_solving(*args, **kwargs):
        raise AssertionError("a request must not solve")

    monkeypatch.setattr(services, "_solve_document", no_solving)
    state = services.proposal_request(school=school, date=day, actor=coordinator)
    assert not state.ready and state.proposal is None
    job = state.job
    assert (job.kind, job.status, job.day, job.base, job.week) == (
        SolveJobKind.PROPOSAL, SolveJobStatus.QUEUED, day, base, week_of(day))
    assert job.task_id and len(job.fingerprint) == 64
    assert job.payload["instance"]["format"] == "poolplan-instance/1"
    assert set(job.payload["region"]) and all(s.startswith(day.strftime("%a").lower())
                                             for s in job.payload["region"])
    # Asked again (a reload, the poll): the same job, no second one.
    again = services.proposal_request(school=school, date=day, actor=coordinator)
    assert again.job.pk == job.pk
    assert SolveJob.objects.filter(kind=SolveJobKind.PROPOSAL).count() == 1


def test_the_worker_makes_the_proposal_the_page_then_shows(sick):
    coordinator, school, day, base, nurse = sick
    job = services.proposal_request(school=school, date=day, actor=coordinator).job
    result = services.solve_job_run(job_id=job.pk)
    assert result["status"] == SolveJobStatus.DONE
    job.refresh_from_db()
    assert job.plan is not None and job.plan.based_on == base
    assert job.plan.instance == job.payload["instance"]
    state = services.proposal_request(school=school, date=day, actor=coordinator)
    assert state.ready and state.proposal.plan.pk == job.plan.pk
    assert not state.proposal.plan.assignments.filter(assistant=nurse, date=day).exists()


def test_a_new_absence_makes_a_new_job(sick):
    coordinator, school, day, base, nurse = sick
    first = services.proposal_request(school=school, date=day).job
    other = Assistant.objects.filter(schools=school).exclude(pk=nurse.pk).order_by("pk").first()
    absence_create(actor=coordinator, assistant=other, start=day, end=day,
                   reason=AbsenceReason.ILLNESS)
    second = services.proposal_request(school=school, date=day).job
    assert second.pk != first.pk and second.fingerprint != first.fingerprint


def test_a_failed_job_is_shown_and_retried(sick, monkeypatch):
    coordinator, school, day, base, nurse = sick
    job = services.proposal_request(school=school, date=day).job

    def crash(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(services, "_solve_document", crash)
    assert services.solve_job_run(job_id=job.pk)["status"] == SolveJobStatus.FAILED
    state = services.proposal_request(school=school, date=day)
    assert state.job.pk == job.pk and state.job.status == SolveJobStatus.FAILED
    assert "solver crashed" in state.job.error and "stays in force" in state.job.error
    base.refresh_from_db()
    assert base.status == PlanStatus.PUBLISHED

    monkeypatch.undo()
    services.solve_job_retry(actor=coordinator, job=state.job)
    assert services.solve_job_run(job_id=job.pk)["status"] == SolveJobStatus.DONE
    assert services.proposal_request(school=school, date=day).ready


def test_a_job_for_a_replaced_plan_fails_without_solving(sick, monkeypatch):
    coordinator, school, day, base, nurse = sick
    job = services.proposal_request(school=school, date=day).job
    services.plan_publish(actor=coordinator,
                          plan=services.plan_draft_copy(actor=coordinator, plan=base))
    monkeypatch.setattr(services, "_solve_document", lambda *a, **k: pytest.fail("solved"))
    assert services.solve_job_run(job_id=job.pk)["status"] == SolveJobStatus.FAILED
    job.refresh_from_db()
    assert "published plan changed" in job.error


def test_a_stale_running_proposal_job_is_swept_when_asked_again(sick, settings):
    coordinator, school, day, base, nurse = sick
    settings.PLANNER_STALE_AFTER = 60
    job = services.proposal_request(school=school, date=day).job
    SolveJob.objects.filter(pk=job.pk).update(
        status=SolveJobStatus.RUNNING,
        started_at=timezone.now() - dt.timedelta(seconds=job.time_limit + 61))
    state = services.proposal_request(school=school, date=day)
    assert state.job.pk == job.pk and state.job.status == SolveJobStatus.FAILED
    assert "worker was interrupted" in state.job.error
