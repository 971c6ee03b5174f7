"""Background tasks of planning (Django's task framework; `manage.py db_worker` runs them)."""

from django.tasks import task


@task
def solve_week(job_id: int) -> dict:
    """Solve the week of one SolveJob; the job row records progress, result and errors."""
    from poolplan.planning.services import solve_job_run

    return solve_job_run(job_id=job_id)
