"""Background task of the needs analysis (Django's task framework; `manage.py db_worker`)."""

from django.tasks import task


@task
def run_analysis(run_id: int) -> dict:
    """Simulate the school of one AnalysisRun; the row records progress, result and errors."""
    from poolplan.analysis.services import analysis_run_execute

    return analysis_run_execute(run_id=run_id)
