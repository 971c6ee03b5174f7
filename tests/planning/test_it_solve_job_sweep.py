"""solve_jobs_fail_stale and `manage.py sweep_solve_jobs`: a job whose worker died never shows
"running" for ever; it ends failed (retryable) with the reason."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from poolplan.planning import services
from poolplan.planning.models import SolveJob, SolveJobStatus
from tests.planning.view_helpers import client_for, comprehensive, sick_day, week_of

pytestmark = pytest.mark.django_db


def running(school, *, seconds_ago: int, time_limit: int = 10) -> SolveJob:
    return SolveJob.objects.create(
        school=school, week=week_of(sick_day()), time_limit=time_limit,
        status=SolveJobStatus.RUNNING,
        started_at=timezone.now() - dt.timedelta(seconds=seconds_ago))


def test_it_fails_only_jobs_past_their_deadline(demo, settings):
    settings.PLANNER_STALE_AFTER = 60
    school = comprehensive()
    dead = running(school, seconds_ago=10 + 61)
    alive = running(school, seconds_ago=10 + 59)
    long_limit = running(school, seconds_ago=10 + 61, time_limit=600)
    queued = SolveJob.objects.create(school=school, week=week_of(sick_day()), time_limit=10)

    swept = services.solve_jobs_fail_stale()

    assert [job.pk for job in swept] == [dead.pk]
    statuses = dict(SolveJob.objects.values_list("pk", "status"))
    assert statuses == {dead.pk: SolveJobStatus.FAILED, alive.pk: SolveJobStatus.RUNNING,
                        long_limit.pk: SolveJobStatus.RUNNING,
                        queued.pk: SolveJobStatus.QUEUED}
    dead.refresh_from_db()
    assert "worker was interrupted" in dead.error and dead.finished_at is not None


def test_interrupted_fails_every_running_job(demo):
    school = comprehensive()
    fresh = running(school, seconds_ago=1)
    never_started = SolveJob.objects.create(school=school, week=week_of(sick_day()),
                                            time_limit=10, status=SolveJobStatus.RUNNING)
    swept = services.solve_jobs_fail_stale(interrupted=True)
    assert {job.pk for job in swept} == {fresh.pk, never_started.pk}
    assert not SolveJob.objects.filter(status=SolveJobStatus.RUNNING).exists()


def test_the_command_sweeps_and_says_how_many(demo, settings):
    settings.PLANNER_STALE_AFTER = 60
    school = comprehensive()
    dead = running(school, seconds_ago=200)
    alive = running(school, seconds_ago=1)
    out = io.StringIO()
    call_command("sweep_solve_jobs", stdout=out)
    assert "1 solve job(s) marked failed." in out.getvalue()
    assert SolveJob.objects.get(pk=dead.pk).status == SolveJobStatus.FAILED
    assert SolveJob.objects.get(pk=alive.pk).status == SolveJobStatus.RUNNING
    out = io.StringIO()
    call_command("sweep_solve_jobs", "--interrupted", stdout=out)
    assert "1 solve job(s) marked failed." in out.getvalue()
    assert SolveJob.objects.get(pk=alive.pk).status == SolveJobStatus.FAILED


def test_the_poll_sweeps_a_dead_job_and_offers_the_retry(demo, settings):
    settings.PLANNER_STALE_AFTER = 60
    school = comprehensive()
    dead = running(school, seconds_ago=200)
    poll = client_for("coordinator").get(f"/plans/jobs/{dead.pk}/",
                                         headers={"HX-Request": "true"})
    assert poll.status_code == 200 and poll["HX-Redirect"].endswith(f"?job={dead.pk}")
    assert SolveJob.objects.get(pk=dead.pk).status == SolveJobStatus.FAILED


def test_run_server_sweeps_before_its_worker_starts():
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "scripts" / "run_server.sh").read_text()
    assert script.index("sweep_solve_jobs --interrupted") < script.index("db_worker")
