"""Planning endpoints: published plans, background solves, publishing, sick-call proposals.

Thin like roster/api.py: permissions from `planning/selectors.py`, writes from
`planning/services.py`. A plan changed by someone else in the meantime answers 409.
"""

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from ninja import Path, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field, StrictInt

from poolplan.planning import selectors, services
from poolplan.planning.models import Plan, SolveJob
from poolplan.planning.weeks import WeekError
from poolplan.roster.schemas import MAX_ID, Error, In

router = Router(tags=["planning"])

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Week = Annotated[str, Path(pattern=r"^\d{4}-W\d{2}$", description="ISO week, e.g. 2026-W48")]
Day = Annotated[str, Path(pattern=r"^\d{4}-\d{2}-\d{2}$", description="ISO date, 2026-12-01")]

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def ok(schema, status: int = 200) -> dict:
    return {status: schema, **ERRORS}


class SolveIn(In):
    time_limit: Annotated[StrictInt, Field(ge=1, le=3600)] | None = None


class JobRef(Schema):
    job: int


class PlanSummary(Schema):
    school: int
    week: str
    version: int
    status: str
    plan_status: str
    edit_version: int
    published_at: datetime.datetime | None = None
    explanations: list[str] = []


class JobOut(Schema):
    id: int
    school: int
    week: str
    kind: str
    date: datetime.date | None = None
    status: str
    progress: str
    error: str
    attempts: int
    created_at: datetime.datetime
    started_at: datetime.datetime | None = None
    finished_at: datetime.datetime | None = None
    result: PlanSummary | None = None


class PublishIn(In):
    version: Annotated[StrictInt, Field(ge=1, le=1_000_000)] | None = None
    edit_version: Annotated[StrictInt, Field(ge=0, le=1_000_000_000)] | None = None


class AcceptIn(In):
    base_version: Annotated[StrictInt, Field(ge=1, le=1_000_000)] | None = None
    proposal_version: Annotated[StrictInt, Field(ge=1, le=1_000_000)] | None = None


class ProposalPending(Schema):
    job: int
    status: str
    progress: str
    error: str


class ProposalOut(Schema):
    school: int
    date: datetime.date
    week: str
    base_version: int
    proposal_version: int
    status: str
    plan_status: str
    summary: list[str]
    changes: list[dict[str, Any]]
    moves: list[dict[str, Any]]
    losses: list[dict[str, Any]]
    explanations: list[str]


def _week(week: str) -> str:
    try:
        return services.week_normalize(week)
    except WeekError as error:
        raise DjangoValidationError({"week": [str(error)]}) from None


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise DjangoValidationError({"date": [f"{value!r} is not a date; write it as "
                                              "YYYY-MM-DD."]}) from None


def _planning_error(error: services.PlanningDataError) -> DjangoValidationError:
    return DjangoValidationError({"__all__": error.problems})


def _summary(plan: Plan) -> dict:
    return {"school": plan.school_id, "week": plan.week, "version": plan.version,
            "status": plan.status, "plan_status": plan.plan_status,
            "edit_version": plan.edit_version, "published_at": plan.published_at,
            "explanations": plan.document.get("explanations", [])}


def _job_out(job: SolveJob) -> dict:
    return {"id": job.pk, "school": job.school_id, "week": job.week, "kind": job.kind,
            "date": job.day, "status": job.status,
            "progress": job.progress, "error": job.error, "attempts": job.attempts,
            "created_at": job.created_at, "started_at": job.started_at,
            "finished_at": job.finished_at,
            "result": _summary(job.plan) if job.plan is not None else None}


def _proposal_out(proposal: services.Proposal) -> dict:
    plan = proposal.plan
    return {"school": proposal.school.pk, "date": proposal.date, "week": proposal.week,
            "base_version": proposal.base.version, "proposal_version": plan.version,
            "status": plan.status, "plan_status": plan.plan_status,
            "summary": proposal.summary, "changes": proposal.changes, "moves": proposal.moves,
            "losses": proposal.losses,
            "explanations": plan.document.get("explanations", [])}


@router.get("/schools/{school_id}/plans/{week}", response=ok(dict[str, Any]))
def get_plan(request: HttpRequest, school_id: PathId, week: Week):
    """The published plan of the week as a `poolplan-plan/1` document (ids are database ids;
    check it against `manage.py export_instance`). Teachers get the rows of their classes'
    children only (`"scope": "classes"`)."""
    user = request.auth
    school, scope = selectors.plan_school_for_read(user=user, school_id=school_id)
    plan = selectors.plan_published_get(school=school, week=_week(week))
    if plan is None:
        raise Http404(f"No plan of {week} is published for {school.name}.")
    return selectors.plan_document_for(user=user, plan=plan, scope=scope)


@router.post("/schools/{school_id}/plans/{week}/solve", response=ok(JobRef, 202))
def solve_plan(request: HttpRequest, school_id: PathId, week: Week, payload: SolveIn):
    """Queue a solve of the week (coordinators). Poll `GET /jobs/{job}`; a done job holds a
    new draft version, which `publish` puts in force."""
    user = request.auth
    school = selectors.plan_school_for_manage(user=user, school_id=school_id)
    job = services.solve_job_create(actor=user, school=school, week=_week(week),
                                    time_limit=payload.time_limit)
    return Status(202, {"job": job.pk})


@router.get("/jobs/{job_id}", response=ok(JobOut))
def get_job(request: HttpRequest, job_id: PathId):
    """A solve's status: queued, running, done (with the draft plan) or failed (with the
    reason; the published plan is untouched)."""
    job = selectors.solve_job_get(user=request.auth, job_id=job_id)
    services.solve_jobs_fail_stale(school=job.school)
    job.refresh_from_db()
    return _job_out(job)


@router.post("/jobs/{job_id}/retry", response=ok(JobRef, 202))
def retry_job(request: HttpRequest, job_id: PathId):
    """Queue a failed solve again."""
    job = selectors.solve_job_get(user=request.auth, job_id=job_id)
    job = services.solve_job_retry(actor=request.auth, job=services.solve_job_fail_stale(job=job))
    return Status(202, {"job": job.pk})


@router.post("/schools/{school_id}/plans/{week}/publish", response=ok(PlanSummary))
def publish_plan(request: HttpRequest, school_id: PathId, week: Week, payload: PublishIn):
    """Publish a draft (the latest unless `version` names one); `edit_version`, if given, must
    be the draft's current one, else 409."""
    user = request.auth
    school = selectors.plan_school_for_manage(user=user, school_id=school_id)
    label = _week(week)
    if payload.version is None:
        plan = selectors.plan_latest_draft_get(school=school, week=label)
    else:
        plan = Plan.objects.filter(school=school, week=label, version=payload.version).first()
    if plan is None:
        raise Http404(f"No draft plan of {label} for {school.name}; solve the week first.")
    try:
        plan = services.plan_publish(actor=user, plan=plan, edit_version=payload.edit_version)
    except services.PlanConflict as error:
        raise HttpError(409, str(error)) from None
    return _summary(plan)


@router.get("/schools/{school_id}/proposals/{date}",
            response={200: ProposalOut, 202: ProposalPending, **ERRORS})
def get_proposal(request: HttpRequest, school_id: PathId, date: Day):
    """The replanned day after absences (coordinators): the published plan changed as little
    as possible, in words: who moves where, which children lose how many minutes and why.

    The planner makes it in the background: 202 names the job while it is queued or running
    (poll `GET /jobs/{job}`, then ask again) or failed (`POST /jobs/{job}/retry`); 200 is the
    proposal."""
    user = request.auth
    school = selectors.plan_school_for_manage(user=user, school_id=school_id)
    try:
        state = services.proposal_request(school=school, date=_date(date), actor=user)
    except services.PlanningDataError as error:
        raise _planning_error(error) from None
    if state.proposal is None:
        job = state.job
        return Status(202, {"job": job.pk, "status": job.status, "progress": job.progress,
                            "error": job.error})
    return _proposal_out(state.proposal)


@router.post("/schools/{school_id}/proposals/{date}/accept", response=ok(ProposalOut))
def accept_proposal(request: HttpRequest, school_id: PathId, date: Day, payload: AcceptIn):
    """Publish the proposal as the week's new plan version and notify affected assistants,
    teachers and the coordinators. The stored proposal is published as it was shown (never
    solved again): `proposal_version` names it (default: the newest ready one), and
    `base_version` the published version it was shown for; if the published plan or the
    day's absences changed since, 409."""
    user = request.auth
    school = selectors.plan_school_for_manage(user=user, school_id=school_id)
    try:
        proposal = services.proposal_accept(actor=user, school=school, date=_date(date),
                                            proposal_version=payload.proposal_version,
                                            base_version=payload.base_version)
    except services.PlanConflict as error:
        raise HttpError(409, str(error)) from None
    except services.PlanningDataError as error:
        raise _planning_error(error) from None
    return _proposal_out(proposal)
