"""analysis_run_create / analysis_run_execute / analysis_run_fail_stale: a run is audited when
it starts, simulates the school's week in the background and keeps its figures; a failing run
ends failed with the reason; a run whose worker vanished is failed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from poolplan.accounts.models import AuditAction, AuditEvent
from poolplan.analysis import services
from poolplan.analysis.models import AnalysisRun, AnalysisStatus
from poolplan.planning.services import PlanningDataError

from .conftest import small, week


def test_it_simulates_the_schools_week_and_keeps_the_figures(world):
    coordinator = world.user("coordinator")
    run = services.analysis_run_create(actor=coordinator, school=world.school, week=week(),
                                       parameters=small())
    run.refresh_from_db()
    assert run.status == AnalysisStatus.DONE, run.error
    assert run.percent == 100 and run.task_id and run.finished_at is not None
    result = run.result
    assert [p["policy"] for p in result["policies"]] == ["one-to-one", "pool", "pool+k"]
    assert all(p["runs"] == 20 for p in result["policies"])
    assert set(result["policies"][0]) >= {"approved_delivered", "debt_hours", "cost_per_hour",
                                          "debt_weeks"}
    assert sum(result["histogram"]["counts"]["pool"]) == 20
    # Children by display code only: the page is also for provider managers.
    assert set(result["children"].values()) == {"Fox 1", "Owl 2"}
    assert result["assistants"] == {str(world.assistant.pk): "Anna Berg"}
    assert result["sizing"]["runs"] == 10 and "fixed" in result["sizing"]


def test_starting_a_run_writes_an_audit_row(world):
    provider = world.user("provider")
    run = services.analysis_run_create(actor=provider, school=world.school, week=week(),
                                       parameters=small(runs=25))
    started = AuditEvent.objects.get(object_type="analysisrun", object_id=str(run.pk),
                                     action=AuditAction.CREATE)
    assert started.actor == provider
    assert started.summary == f"Simulation of School A ({week()}, 25 school years) started"
    assert started.changes["parameters"]["runs"] == 25
    finished = AuditEvent.objects.get(object_type="analysisrun", object_id=str(run.pk),
                                      action=AuditAction.UPDATE)
    assert finished.actor is None and finished.summary.endswith("done")


@pytest.mark.parametrize(("changes", "problem"), [
    ({"runs": 0}, "--runs: must be at least 1, got 0"),
    ({"absence": 1.5}, "--absence: must be at least 0 and below 1, got 1.5"),
    ({"target": 0.0}, "--target: must be above 0 and at most 1"),
])
def test_it_refuses_parameters_that_cannot_be_simulated(world, changes, problem):
    with pytest.raises(ValidationError) as error:
        services.analysis_run_create(actor=world.user("coordinator"), school=world.school,
                                     week=week(), parameters=small(**changes))
    assert problem in error.value.message_dict["parameters"]
    assert not AnalysisRun.objects.exists()
    assert not AuditEvent.objects.filter(object_type="analysisrun").exists()


def test_it_refuses_a_week_that_is_no_iso_week(world):
    from poolplan.planning.weeks import WeekError

    with pytest.raises(WeekError):
        services.analysis_run_create(actor=None, school=world.school, week="soon",
                                     parameters=small())
    assert not AnalysisRun.objects.exists()


def test_a_run_whose_school_data_are_broken_ends_failed_with_the_reason(world, monkeypatch):
    def broken(**kwargs):
        raise PlanningDataError(["Fox 1 needs support in Monday 1 but has no room."])

    monkeypatch.setattr(services, "instance_build", broken)
    run = services.analysis_run_create(actor=None, school=world.school, week=week(),
                                       parameters=small())
    run.refresh_from_db()
    assert run.status == AnalysisStatus.FAILED and run.result is None
    assert run.error == ("The simulation failed: Fox 1 needs support in Monday 1 but has no "
                         "room.")


def test_a_run_is_executed_once(world):
    run = services.analysis_run_create(actor=None, school=world.school, week=week(),
                                       parameters=small())
    again = services.analysis_run_execute(run_id=run.pk)
    assert again == {"run": run.pk, "status": AnalysisStatus.DONE}
    assert services.analysis_run_execute(run_id=10**9)["status"] == "missing"


def test_a_run_whose_worker_vanished_is_failed(world, settings):
    run = AnalysisRun.objects.create(school=world.school, week=week(), parameters=small(),
                                     status=AnalysisStatus.RUNNING,
                                     started_at=timezone.now() - dt.timedelta(hours=1))
    settings.SIMULATION_STALE_AFTER = 7200
    assert services.analysis_run_fail_stale(run=run).status == AnalysisStatus.RUNNING
    settings.SIMULATION_STALE_AFTER = 1800
    run = services.analysis_run_fail_stale(run=run)
    assert run.status == AnalysisStatus.FAILED and "start it again" in run.error
