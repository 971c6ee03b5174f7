"""Writes of the needs analysis: starting a simulation run (with its audit row) and running it
in the background.

A run builds the school's week from the database (`planning.services.instance_build`, the
only place that turns roster rows into a planner instance), plays the school years with the
Django-free simulator (`poolplan.simulation`) and stores what the page shows: the comparison
of one-to-one, pool and pool+k with confidence intervals, the distribution of coverage, the
make-up debt over the year, and the pool sizing with the children who should keep a fixed
person. Children appear by display code only (the page is also for provider managers, who
do not see names).
"""

import dataclasses
import datetime
import logging
import time
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from poolplan.accounts.models import AuditAction, User
from poolplan.accounts.services import audit_record
from poolplan.analysis.models import AnalysisRun, AnalysisStatus
from poolplan.planner import load_instance
from poolplan.planning.services import PlanningDataError, instance_build, week_normalize
from poolplan.roster.models import Assistant, Child, School
from poolplan.simulation import Parameters, histogram, simulate, size_pool, summarise

logger = logging.getLogger(__name__)

# The keys of AnalysisRun.parameters, as the form cleans them (shares as fractions).
PARAMETER_KEYS = ("runs", "days", "absence", "child_absence", "extra", "hourly_rate", "target",
                  "seed")
POLICY_LABELS = {"one-to-one": gettext_noop("One-to-one"), "pool": gettext_noop("Pool"),
                 "pool+k": gettext_noop("Pool + k")}


def simulation_parameters(parameters: dict[str, Any]) -> Parameters:
    """The simulator's parameters of a run; the model's defaults for everything not asked."""
    return Parameters(
        runs=int(parameters["runs"]), days=int(parameters["days"]),
        absence=float(parameters["absence"]), child_absence=float(parameters["child_absence"]),
        extra=None if parameters.get("extra") is None else int(parameters["extra"]),
        hourly_rate=float(parameters["hourly_rate"]))


@transaction.atomic
def analysis_run_create(*, actor: User | None, school: School, week: str | datetime.date,
                        parameters: dict[str, Any]) -> AnalysisRun:
    """Queue a simulation of the school's pool; the worker (`manage.py db_worker`) runs it.

    Raises:
        ValidationError: the week or a parameter cannot be simulated.
    """
    missing = [key for key in PARAMETER_KEYS if key not in parameters]
    if missing:
        raise ValidationError({"parameters": _("Missing: %(keys)s.")
                               % {"keys": ", ".join(missing)}})
    problems = simulation_parameters(parameters).problems()
    if not 0.0 < float(parameters["target"]) <= 1.0:
        problems.append("--target: must be above 0 and at most 1")
    if problems:
        raise ValidationError({"parameters": problems})
    label = week_normalize(week)
    run = AnalysisRun(school=school, week=label,
                      parameters={key: parameters[key] for key in PARAMETER_KEYS},
                      progress=_("Waiting for the simulator."),
                      created_by=actor if actor is not None and actor.is_authenticated else None)
    run.full_clean()
    run.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=run,
                 changes={"parameters": run.parameters, "week": label},
                 summary=f"Simulation of {school.name} ({label}, {parameters['runs']} school "
                         f"years) started")
    from poolplan.analysis.tasks import run_analysis

    # The task row is written in this transaction: the worker cannot take it before the run
    # exists (with the immediate backend of the tests it runs right here).
    result = run_analysis.enqueue(run.pk)
    AnalysisRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
    run.refresh_from_db()
    return run


class _Progress:
    """Writes the run's progress, at most twice a second (each write is a query)."""

    def __init__(self, run: AnalysisRun):
        self.run = run
        self.last = 0.0

    def __call__(self, share: float, text: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < 0.5:
            return
        self.last = now
        AnalysisRun.objects.filter(pk=self.run.pk).update(
            progress=text[:200], percent=max(0, min(100, round(100 * share))))


def _finish(run: AnalysisRun, *, status: str, progress: str, result: dict | None = None,
            error: str = "") -> None:
    with transaction.atomic():
        AnalysisRun.objects.filter(pk=run.pk).update(
            status=status, progress=progress, result=result, error=error,
            percent=100 if status == AnalysisStatus.DONE else 0, finished_at=timezone.now())
        audit_record(actor=None, action=AuditAction.UPDATE, obj=run,
                     changes={"status": [AnalysisStatus.RUNNING, status]},
                     summary=f"Simulation of {run.school.name} ({run.week}) {status}")


def analysis_run_execute(*, run_id: int) -> dict:
    """Run one queued simulation (called by the task). Never raises for a problem of the
    school's data or the parameters: the run ends `done` or `failed` with the reason."""
    with transaction.atomic():
        run = (AnalysisRun.objects.select_for_update(of=("self",)).select_related("school")
               .filter(pk=run_id).first())
        if run is None or run.status != AnalysisStatus.QUEUED:
            return {"run": run_id, "status": run.status if run else "missing"}
        run.status = AnalysisStatus.RUNNING
        run.started_at = timezone.now()
        run.progress = _("Reading the school's week.")
        run.save(update_fields=["status", "started_at", "progress"])
    progress = _Progress(run)
    try:
        result = _simulate(run, progress)
    except Exception as error:  # noqa: BLE001 - any failure must end the run as failed
        logger.exception("Simulation run %s failed", run.pk)
        message = " ".join(error.problems) if isinstance(error, PlanningDataError) else (
            str(error) or type(error).__name__)
        _finish(run, status=AnalysisStatus.FAILED, progress="",
                error=_("The simulation failed: %(error)s") % {"error": message})
        return {"run": run.pk, "status": AnalysisStatus.FAILED}
    _finish(run, status=AnalysisStatus.DONE, progress=_("Done."), result=result)
    return {"run": run.pk, "status": AnalysisStatus.DONE}


def _simulate(run: AnalysisRun, progress: _Progress) -> dict:
    started = time.monotonic()
    instance = load_instance(instance_build(school=run.school, week=run.week))
    params = simulation_parameters(run.parameters)
    seed = int(run.parameters["seed"])

    def simulating(share: float, what: str) -> None:
        policy = what.split(":")[0]
        progress(0.05 + 0.55 * share, _("Simulating %(years)d school years: %(policy)s")
                 % {"years": params.runs, "policy": _(POLICY_LABELS.get(policy, policy))})

    sim = simulate(instance, params, np.random.default_rng(seed), progress=simulating)
    summaries = summarise(sim)
    progress(0.6, _("Sizing the pool."), force=True)
    sizing = size_pool(
        instance, dataclasses.replace(params, runs=min(params.runs,
                                                       settings.SIMULATION_SIZING_RUNS)),
        seed, target=float(run.parameters["target"]),
        progress=lambda share, _what: progress(0.6 + 0.38 * share, _("Sizing the pool.")))

    children = {str(c.pk): c.display_code
                for c in Child.objects.filter(pk__in=[int(c.id) for c in instance.children])}
    assistants = {str(a.pk): a.full_name for a in
                  Assistant.objects.filter(pk__in=[int(a.id) for a in instance.assistants])}
    return {
        "instance": instance.name,
        "week": run.week,
        "children": children,
        "assistants": assistants,
        "pool_size": len(instance.assistants),
        "parameters": run.parameters,
        "policies": [{**summary.row(instance.name), "debt_weeks": summary.debt_weeks}
                     for summary in summaries],
        "histogram": histogram(summaries, "approved_delivered", bins=20),
        "sizing": sizing.as_dict(),
        "seconds": round(time.monotonic() - started, 1),
    }


def analysis_run_fail_stale(*, run: AnalysisRun, now: datetime.datetime | None = None
                            ) -> AnalysisRun:
    """Mark a run failed whose worker vanished (crash, restart): `running` for longer than
    SIMULATION_STALE_AFTER seconds."""
    now = now or timezone.now()
    if run.status != AnalysisStatus.RUNNING or run.started_at is None:
        return run
    if now < run.started_at + datetime.timedelta(seconds=settings.SIMULATION_STALE_AFTER):
        return run
    _finish(run, status=AnalysisStatus.FAILED, progress="", error=_(
        "The simulation stopped without an answer (the worker was interrupted); start it "
        "again."))
    run.refresh_from_db()
    return run
