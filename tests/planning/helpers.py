"""Shared steps of the planning tests: the next school day, the demo's comprehensive school
solved and published through the real services."""

import datetime as dt

from django.utils import timezone

from poolplan.accounts.models import User
from poolplan.planning import services
from poolplan.planning.models import Plan, SolveJobStatus
from poolplan.planning.weeks import iso_week_label
from poolplan.roster.demo_data import COMPREHENSIVE
from poolplan.roster.models import School


def next_school_day(today: dt.date | None = None) -> dt.date:
    """Tomorrow, or the Monday after a Friday/weekend: the sick call's day."""
    day = (today or timezone.localdate()) + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def comprehensive() -> School:
    return School.objects.get(name=COMPREHENSIVE)


def solve_and_publish(*, school: School, week: str, actor: User) -> Plan:
    job = services.solve_job_create(actor=actor, school=school, week=week)
    job.refresh_from_db()
    assert job.status == SolveJobStatus.DONE, job.error
    return services.plan_publish(actor=actor, plan=job.plan)


def week_of(day: dt.date) -> str:
    return iso_week_label(day)
