"""`manage.py sweep_solve_jobs [--interrupted]`: mark failed the solves whose worker died.

A job stays `running` if its worker was killed mid-solve. The pages and the API sweep their
school's jobs whenever they show one; this command sweeps every school, e.g. from cron, and
run_server.sh runs it with `--interrupted` just before it starts its worker, when no worker
of that server can still be running a job.
"""

from django.core.management.base import BaseCommand

from poolplan.planning.services import solve_jobs_fail_stale


class Command(BaseCommand):
    help = ("Mark failed (retryable) every solve job still 'running' past its time limit plus "
            "PLANNER_STALE_AFTER; with --interrupted, every running job.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--interrupted", action="store_true",
            help="every running job has lost its worker (use only while no worker runs)")

    def handle(self, *args, interrupted: bool = False, **options):
        swept = solve_jobs_fail_stale(interrupted=interrupted)
        for job in swept:
            self.stdout.write(f"Marked failed: {job}")
        self.stdout.write(f"{len(swept)} solve job(s) marked failed.")
