"""solve_job_create / solve_job_run / solve_job_fail_stale / solve_job_retry and plan_publish
on the demo's comprehensive school (ImmediateBackend: the task runs at once)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from poolplan.accounts.models import AuditEvent, User
from poolplan.planner import check, load_instance
from poolplan.planning import services
from poolplan.planning.models import Plan, PlanStatus, SolveJob, SolveJobStatus
from tests import dates
from tests.planning.helpers import comprehensive

# A week of the current school year, whole: the demo's approvals cover it (tests/dates.py).
MONDAY = dates.school_week()
WEEK = dates.iso_week(MONDAY)


@pytest.fixture
def coordinator(demo):
    return User.objects.get(username="coordinator")


def test_it_solves_a_week_into_a_draft(coordinator):
    school = comprehensive()
    typed = WEEK.replace("-W", "w")  # "2026w50": normalized to WEEK
    job = services.solve_job_create(actor=coordinator, school=school, week=typed)
    job.refresh_from_db()
    assert job.status == SolveJobStatus.DONE and job.attempts == 1 and job.task_id
    plan = job.plan
    assert (plan.week, plan.version, plan.status) == (WEEK, 1, PlanStatus.DRAFT)
    assert check(load_instance(plan.instance), plan.document).valid
    # Assignment rows mirror the document, on the right dates.
    triples = {(r["slot"], r["assistant"], c) for r in plan.document["assignments"]
               for c in r["children"]}
    assert set(services.plan_triples(plan)) == triples
    for row in plan.assignments.select_related("period"):
        assert row.date == MONDAY + dt.timedelta(days=row.period.weekday - 1)
    assert AuditEvent.objects.filter(object_type="plan", object_id=str(plan.pk)).exists()


def test_it_publishes_and_supersedes(coordinator):
    school = comprehensive()
    first = services.solve_job_create(actor=coordinator, school=school, week=WEEK)
    second = services.solve_job_create(actor=coordinator, school=school, week=WEEK)
    first.refresh_from_db()
    second.refresh_from_db()
    v1 = services.plan_publish(actor=coordinator, plan=first.plan)
    assert v1.published_by == coordinator and v1.published_at is not None
    v2 = services.plan_publish(actor=coordinator, plan=second.plan)
    v1.refresh_from_db()
    assert (v1.status, v2.status) == (PlanStatus.SUPERSEDED, PlanStatus.PUBLISHED)
    assert Plan.objects.filter(school=school, week=WEEK, status=PlanStatus.PUBLISHED).count() == 1
    with pytest.raises(ValidationError, match="not a draft"):
        services.plan_publish(actor=coordinator, plan=v1)


def test_it_refuses_a_publish_with_an_old_edit_version(coordinator):
    job = services.solve_job_create(actor=coordinator, school=comprehensive(), week=WEEK)
    job.refresh_from_db()
    with pytest.raises(services.PlanConflict):
        services.plan_publish(actor=coordinator, plan=job.plan, edit_version=7)
    job.plan.refresh_from_db()
    assert job.plan.status == PlanStatus.DRAFT


def _published(coordinator) -> Plan:
    job = services.solve_job_create(actor=coordinator, school=comprehensive(), week=WEEK)
    job.refresh_from_db()
    return services.plan_publish(actor=coordinator, plan=job.plan)


def test_a_failing_solver_leaves_the_published_plan_and_the_job_retryable(coordinator,
                                                                            monkeypatch):
    published = _published(coordinator)

    def crash(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(services, "_solve_document", crash)
    job = services.solve_job_create(actor=coordinator, school=comprehensive(), week=WEEK)
    job.refresh_from_db()
    assert job.status == SolveJobStatus.FAILED and job.plan is None
    assert "solver crashed" in job.error and "stays in force" in job.error
    published.refresh_from_db()
    assert published.status == PlanStatus.PUBLISHED
    assert Plan.objects.filter(school=published.school, week=WEEK).count() == 1

    monkeypatch.undo()
    job = services.solve_job_retry(actor=coordinator, job=job)
    job.refresh_from_db()
    assert job.status == SolveJobStatus.DONE and job.attempts == 2 and job.plan.version == 2


def test_an_infeasible_week_fails_and_says_so(coordinator, monkeypatch):
    monkeypatch.setattr(services, "_solve_document", lambda doc, **kw: {
        "status": "infeasible", "explanations": ["The pinned assignments cannot all hold."]})
    job = services.solve_job_create(actor=coordinator, school=comprehensive(), week=WEEK)
    job.refresh_from_db()
    assert job.status == SolveJobStatus.FAILED
    assert "cannot all hold" in job.error and "No plan of this week is published" in job.error


def test_a_job_whose_worker_vanished_is_marked_failed(coordinator, settings):
    job = SolveJob.objects.create(school=comprehensive(), week=WEEK, time_limit=4,
                                  status=SolveJobStatus.RUNNING,
                                  started_at=timezone.now() - dt.timedelta(seconds=30))
    settings.PLANNER_STALE_AFTER = 60
    assert services.solve_job_fail_stale(job=job).status == SolveJobStatus.RUNNING
    later = timezone.now() + dt.timedelta(seconds=60)
    job = services.solve_job_fail_stale(job=job, now=later)
    assert job.status == SolveJobStatus.FAILED and "start the solve again" in job.error
    job = services.solve_job_retry(actor=coordinator, job=job)
    job.refresh_from_db()
    assert job.status == SolveJobStatus.DONE


def test_only_failed_jobs_are_retried(coordinator):
    job = services.solve_job_create(actor=coordinator, school=comprehensive(), week=WEEK)
    job.refresh_from_db()
    with pytest.raises(ValidationError):
        services.solve_job_retry(actor=coordinator, job=job)


def test_a_queued_job_is_run_once(coordinator):
    job = services.solve_job_create(actor=coordinator, school=comprehensive(), week=WEEK)
    assert services.solve_job_run(job_id=job.pk)["status"] == SolveJobStatus.DONE
