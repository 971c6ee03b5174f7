"""The real queue: django-tasks-db stores the task, `manage.py db_worker --batch` runs it.

A transactional test (the worker checks its connection like a request does, which would end
the test's enclosing transaction)."""

import io
import signal

import pytest
from django.core.management import call_command

from poolplan.planning import services
from poolplan.planning.models import SolveJob, SolveJobStatus
from tests.dates import iso_week, school_week
from tests.factories import make_world

# A week of the current school year, whole: the world's approvals cover it.
WEEK = iso_week(school_week())


@pytest.mark.django_db(transaction=True)
def test_the_db_worker_runs_a_queued_solve(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}
    world = make_world()
    job = services.solve_job_create(actor=world.user("coordinator"), school=world.school,
                                    week=WEEK, time_limit=2)
    job.refresh_from_db()
    assert job.status == SolveJobStatus.QUEUED

    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0,
                     stdout=io.StringIO())
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)

    job = SolveJob.objects.get(pk=job.pk)
    assert job.status == SolveJobStatus.DONE, job.error
    assert job.plan is not None and job.plan.week == WEEK
