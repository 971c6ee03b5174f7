"""Between the database and the planner: the only module that reads roster rows and writes
planner documents (and, later, reads plans back into rows). See shared/spec/planning.md for
the `poolplan-instance/1` format.

`instance_build` turns one school's ISO week into an instance. The rules it applies, where
the format leaves a choice:

- Horizon: the school days Monday to Friday of the ISO week. A school day is a weekday on
  which the school's bell schedule has periods; a weekday without periods yields no slots.
  Saturday periods are not planned (the week the approvals speak of is Monday to Friday).
  Public holidays are not modelled yet; they would be days without slots.
- Slot ids are `Period.slot_id` ("mon-1", "mon-b1"); children and assistants are named by
  their database ids as strings, so a plan can be stored and checked against the rows.
- Needs and locations come from the need profile (need >= 1); the location is the room
  `need_room_resolve` finds (the entry's own room, else the class timetable's room for the
  child's course group or the whole class, else the period's default room, e.g. the yard).
  On a day the child is absent (an Absence covering the date) it has no needs.
- Skills: the format has one `skills` list per child, not per slot. Skills a need profile
  entry asks for in one period only (tube feeding in the first break needs nursing) are
  therefore added to the child's required skills for the whole week — but only those of
  periods that are in this week's needs. That is conservative: the child may get fewer
  eligible assistants, but never one who cannot do what a period requires; a shortfall shows
  in the plan and its explanations, an unqualified person at a care task would not.
- approved_minutes: an approval grants minutes per week of school days. Each approval counts
  with the share of the week's school days on which it is valid *and* the child is not
  absent: 900 min/week valid from Wednesday is 3/5 x 900 = 540; absent on Thursday as well,
  2/5 x 900 = 360. Shares of successive approvals are added exactly (as fractions) and the sum
  is rounded once, half up, to whole minutes.
- max_ratio: the strictest (smallest) ratio of the approvals valid on any day Monday to
  Friday of the week. A child without such an approval (the normal case in a school-budget
  pool, where `approved_minutes` is then 0) gets `default_max_ratio`, by default 3 — the
  loosest setting funding decisions know (1:3), since no decision restricts its group.
- Assistants: the school's pool members that are not archived. `max_minutes` is the contract
  (minutes per week), not prorated: the days they cannot work are `unavailable` instead — a
  slot is unavailable unless it lies wholly within one of the assistant's working times on
  that weekday and no Absence of the assistant covers the date. An assistant working at
  several schools brings the whole contract to each school's instance (not split yet).
- `primary` is the primary reference person's id, or "" when that person is not in the
  instance (archived, left the pool). `fixed` keeps the fixed persons who are in the
  instance; if none is left, the instance is refused rather than letting anyone support the
  child.
"""

import datetime
import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from poolplan.accounts.models import AuditAction, Role, User
from poolplan.accounts.services import audit_record
from poolplan.planner import InstanceError, load_instance, solve
from poolplan.planner.check import check_assignments
from poolplan.planner.domain import Assignment as PlannerAssignment
from poolplan.planner.explain import explain
from poolplan.planner.io import plan_document
from poolplan.planning import explanations
from poolplan.planning.models import Assignment as PlanAssignment
from poolplan.planning.models import (
    Notification,
    Plan,
    PlanSource,
    PlanStatus,
    SolveJob,
    SolveJobKind,
    SolveJobStatus,
)
from poolplan.planning.weeks import iso_week_label, iso_week_monday
from poolplan.roster.models import (
    WEEKDAY_CODES,
    Absence,
    Approval,
    Assistant,
    Child,
    NeedProfileEntry,
    Period,
    School,
    TimetableEntry,
    Weekday,
)
from poolplan.roster.services import need_room_resolve, period_label_text

INSTANCE_FORMAT = "poolplan-instance/1"
# A child without an approval in the week (school-budget pools): no funding decision limits
# its group, so the loosest ratio funding decisions know. Callers may pass another.
DEFAULT_MAX_RATIO = 3
SCHOOL_WEEKDAYS = (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY,
                   Weekday.FRIDAY)

logger = logging.getLogger(__name__)

# (slot id, assistant id, child id) as the later plan storage passes them in.
TripleInput = tuple[str, int | str, int | str]


class PlanningDataError(ValueError):
    """The week cannot be turned into an instance; `problems` holds one sentence each, saying
    what to fix."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


def _covers(start: datetime.date, end: datetime.date, day: datetime.date) -> bool:
    return start <= day <= end


def _hhmm(value: datetime.time) -> str:
    return value.strftime("%H:%M")


def _triples(triples: Iterable[TripleInput]) -> list[dict[str, str]]:
    return [{"slot": str(slot), "assistant": str(assistant), "child": str(child)}
            for slot, assistant, child in triples]


def approved_minutes_compute(*, approvals: Iterable[Approval], school_days: list[datetime.date],
                             absent_days: set[datetime.date]) -> int:
    """Approved minutes for a week with these school days, net of the child's absences.

    Args:
        approvals: the child's approvals (any; those not valid on a school day add nothing).
        school_days: the dates Monday to Friday on which the school has periods.
        absent_days: dates the child is absent.

    Returns:
        The sum over approvals of minutes_per_week x (school days the approval is valid and
        the child present) / (school days), rounded half up to whole minutes.
    """
    if not school_days:
        return 0
    total = Fraction(0)
    for approval in approvals:
        credited = sum(1 for day in school_days
                       if _covers(approval.valid_from, approval.valid_to, day)
                       and day not in absent_days)
        total += Fraction(approval.minutes_per_week * credited, len(school_days))
    return math.floor(total + Fraction(1, 2))


def _week_dates(monday: datetime.date) -> dict[int, datetime.date]:
    return {weekday: monday + datetime.timedelta(days=weekday - 1)
            for weekday in SCHOOL_WEEKDAYS}


def _absent_dates(absences: Iterable[Absence],
                  dates: Iterable[datetime.date]) -> set[datetime.date]:
    absences = list(absences)
    return {day for day in dates if any(_covers(a.start, a.end, day) for a in absences)}


def _slots(periods: list[Period]) -> list[dict]:
    return [{"id": p.slot_id, "day": WEEKDAY_CODES[p.weekday], "start": _hhmm(p.start),
             "end": _hhmm(p.end), "kind": p.kind} for p in periods]


def _assistant_doc(assistant: Assistant, periods: list[Period],
                   dates: dict[int, datetime.date]) -> dict:
    absent = _absent_dates(assistant.absences.all(), dates.values())
    working_times = list(assistant.working_times.all())
    unavailable = [
        p.slot_id for p in periods
        if dates[p.weekday] in absent
        or not any(w.weekday == p.weekday and w.start <= p.start and p.end <= w.end
                   for w in working_times)
    ]
    return {"id": str(assistant.pk),
            "skills": sorted(s.code for s in assistant.skills.all()),
            "max_minutes": assistant.contract_minutes_per_week,
            "unavailable": unavailable}


def _child_doc(child: Child, *, periods: list[Period], dates: dict[int, datetime.date],
               school_days: list[datetime.date], timetable: dict, assistant_ids: set[int],
               default_max_ratio: int, problems: list[str]) -> dict:
    absent = _absent_dates(child.absences.all(), dates.values())
    order = {p.pk: index for index, p in enumerate(periods)}
    entries = sorted((e for e in child.need_profile.all()
                      if e.period_id in order and dates[e.period.weekday] not in absent),
                     key=lambda e: order[e.period_id])
    needs: dict[str, int] = {}
    location: dict[str, str] = {}
    skills = {s.code for s in child.required_skills.all()}
    for entry in entries:
        room = need_room_resolve(child=child, period=entry.period, room=entry.room,
                                 timetable=timetable)
        if room is None:
            problems.append(_(
                "%(child)s, %(where)s: no room — add a timetable entry for class %(class)s or "
                "choose a room in the need profile.") % {
                "child": child.display_code, "where": period_label_text(entry.period),
                "class": child.school_class.name})
            continue
        needs[entry.period.slot_id] = entry.need
        location[entry.period.slot_id] = room.name
        skills |= {s.code for s in entry.skills.all()}

    approvals = list(child.approvals.all())
    fixed_all = sorted(child.fixed_assistants.all(), key=lambda a: a.pk)
    fixed = [str(a.pk) for a in fixed_all if a.pk in assistant_ids]
    if fixed_all and not fixed:
        problems.append(_(
            "%(child)s: none of the fixed persons (%(names)s) works in this pool any more; "
            "choose fixed persons among the pool members.") % {
            "child": child.display_code, "names": ", ".join(a.full_name for a in fixed_all)})
    doc = {
        "id": str(child.pk),
        "approved_minutes": approved_minutes_compute(approvals=approvals,
                                                     school_days=school_days,
                                                     absent_days=absent),
        "max_ratio": min((a.max_ratio for a in approvals), default=default_max_ratio),
        "skills": sorted(skills),
        "primary": (str(child.primary_assistant_id)
                    if child.primary_assistant_id in assistant_ids else ""),
        "fixed": fixed,
    }
    if child.max_assistants is not None:
        doc["max_assistants"] = child.max_assistants
    doc["needs"] = needs
    doc["location"] = location
    return doc


def instance_build(*, school: School, week: str | datetime.date,
                   pinned: Iterable[TripleInput] = (), previous: Iterable[TripleInput] = (),
                   default_max_ratio: int = DEFAULT_MAX_RATIO) -> dict:
    """The `poolplan-instance/1` document of one school's ISO week (read only).

    Args:
        school: the school whose pool is planned.
        week: an ISO week such as "2026-W48", or any date inside the week.
        pinned: (slot id, assistant id, child id) the coordinator fixed.
        previous: (slot id, assistant id, child id) of the plan being replaced.
        default_max_ratio: max_ratio of children without an approval valid in the week.

    Returns:
        The instance as a JSON-ready dict, keys in the order of spec/planning.md. It has
        passed the planner's own validation.

    Raises:
        WeekError: `week` is not an ISO week.
        PlanningDataError: the roster data cannot make a valid instance (a needed period
            without a room, a child whose fixed persons all left the pool, ...).
    """
    monday = iso_week_monday(week)
    friday = monday + datetime.timedelta(days=4)
    dates = _week_dates(monday)
    periods = list(Period.objects.filter(school=school, weekday__in=SCHOOL_WEEKDAYS)
                   .select_related("default_room").order_by("weekday", "start"))
    school_days = sorted({dates[p.weekday] for p in periods})
    in_week = {"start__lte": friday, "end__gte": monday}

    assistants = list(
        Assistant.objects.filter(schools=school, archived_at__isnull=True)
        .prefetch_related("skills", "working_times",
                          Prefetch("absences", queryset=Absence.objects.filter(**in_week)))
        .order_by("pk"))
    assistant_ids = {a.pk for a in assistants}

    timetables: dict[int, dict[int, list[TimetableEntry]]] = {}
    for entry in TimetableEntry.objects.filter(
            school_class__school=school).select_related("room").order_by("pk"):
        timetables.setdefault(entry.school_class_id, {}).setdefault(
            entry.period_id, []).append(entry)

    children = (
        Child.objects.filter(school=school, archived_at__isnull=True)
        .select_related("school_class")
        .prefetch_related(
            "required_skills", "fixed_assistants",
            Prefetch("need_profile", queryset=NeedProfileEntry.objects.filter(need__gte=1)
                     .select_related("period__default_room", "room")
                     .prefetch_related("skills")),
            Prefetch("approvals", queryset=Approval.objects.filter(
                valid_from__lte=friday, valid_to__gte=monday)),
            Prefetch("absences", queryset=Absence.objects.filter(**in_week)))
        .order_by("pk"))

    problems: list[str] = []
    child_docs = [
        _child_doc(child, periods=periods, dates=dates, school_days=school_days,
                   timetable=timetables.get(child.school_class_id, {}),
                   assistant_ids=assistant_ids, default_max_ratio=default_max_ratio,
                   problems=problems)
        for child in children
    ]
    if problems:
        raise PlanningDataError(problems)
    doc = {
        "format": INSTANCE_FORMAT,
        "name": f"{school.name}, {iso_week_label(monday)}",
        "slots": _slots(periods),
        "assistants": [_assistant_doc(a, periods, dates) for a in assistants],
        "children": child_docs,
        "pinned": _triples(pinned),
        "previous": _triples(previous),
    }
    return _validated(doc)


def _validated(doc: dict) -> dict:
    """`doc` if the planner accepts it; its problems as a PlanningDataError if not.

    Only pinned/previous rows from the caller, or a bug in the builders, can get this far.
    """
    try:
        load_instance(doc)
    except InstanceError as error:
        raise PlanningDataError([_("The instance for %(name)s is not valid: %(problems)s")
                                 % {"name": doc["name"],
                                    "problems": "; ".join(error.problems)}]) from None
    return doc


# === Plans: storage, publishing, background solves, sick-call proposals ========================
#
# A Plan row archives the instance it was solved from and the plan document; its Assignment
# rows are derived here from the document (planner ids are database ids as strings). Every
# state change runs in one transaction with its audit row.


class PlanConflict(Exception):
    """The plan changed since the caller read it (optimistic lock); nothing was saved."""


def week_normalize(week: str | datetime.date) -> str:
    """"2026-W48" for any accepted way of naming the week (raises WeekError)."""
    return iso_week_label(iso_week_monday(week))


def _document_triples(document: dict) -> list[tuple[str, str, str]]:
    return [(row["slot"], row["assistant"], child)
            for row in document.get("assignments", []) for child in row["children"]]


def _slot_dates(monday: datetime.date) -> dict[str, datetime.date]:
    """Day code ("mon") -> date in the week of `monday`."""
    return {WEEKDAY_CODES[weekday]: day for weekday, day in _week_dates(monday).items()}


@transaction.atomic
def plan_create(*, actor: User | None, school: School, week: str | datetime.date,
                instance: dict, document: dict, source: str = PlanSource.SOLVE,
                replanned_date: datetime.date | None = None,
                based_on: Plan | None = None) -> Plan:
    """Store a solved plan as the next draft version of the school's week.

    Raises:
        PlanningDataError: the document names a slot, assistant or child the database lacks.
    """
    monday = iso_week_monday(week)
    label = iso_week_label(monday)
    # Versions are numbered per school and week; the school row serialises concurrent saves.
    School.objects.select_for_update().filter(pk=school.pk).exists()
    last = (Plan.objects.filter(school=school, week=label)
            .aggregate(models.Max("version"))["version__max"] or 0)
    plan = Plan(school=school, week=label, monday=monday, version=last + 1, source=source,
                replanned_date=replanned_date, based_on=based_on, instance=instance,
                document=document,
                created_by=actor if actor is not None and actor.is_authenticated else None)
    plan.full_clean()
    plan.save()
    _assignments_store(plan)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=plan,
                 summary=f"Plan {label} version {plan.version} of {school.name} created "
                         f"({document.get('status', '?')}, {source})")
    return plan


def _assignments_store(plan: Plan) -> None:
    periods = {p.slot_id: p for p in Period.objects.filter(school=plan.school)}
    dates = _slot_dates(plan.monday)
    triples = _document_triples(plan.document)
    assistant_ids = {int(a) for _s, a, _c in triples}
    child_ids = {int(c) for _s, _a, c in triples}
    known_assistants = set(Assistant.objects.filter(pk__in=assistant_ids)
                           .values_list("pk", flat=True))
    known_children = set(Child.objects.filter(pk__in=child_ids, school=plan.school)
                         .values_list("pk", flat=True))
    pinned = {(t["slot"], t["assistant"], t["child"]) for t in plan.instance.get("pinned", [])}
    rows, problems = [], []
    for slot, assistant, child in triples:
        period = periods.get(slot)
        if period is None or int(assistant) not in known_assistants \
                or int(child) not in known_children:
            problems.append(_("The plan names %(slot)s / %(assistant)s / %(child)s, which this "
                              "school does not have.")
                            % {"slot": slot, "assistant": assistant, "child": child})
            continue
        rows.append(PlanAssignment(plan=plan, slot=slot, date=dates[slot.split("-")[0]],
                                   period=period, assistant_id=int(assistant),
                                   child_id=int(child),
                                   pinned=(slot, assistant, child) in pinned))
    if problems:
        raise PlanningDataError(problems)
    PlanAssignment.objects.bulk_create(rows)


def plan_triples(plan: Plan) -> list[tuple[str, str, str]]:
    """(slot, assistant id, child id) of the plan, as planner ids."""
    return [(slot, str(a), str(c)) for slot, a, c in
            plan.assignments.values_list("slot", "assistant_id", "child_id")]


def _published(school: School, week: str) -> models.QuerySet[Plan]:
    """The week's published plan (at most one, by constraint), as a query to add to."""
    return Plan.objects.filter(school=school, week=week, status=PlanStatus.PUBLISHED)


@transaction.atomic
def plan_publish(*, actor: User | None, plan: Plan, edit_version: int | None = None) -> Plan:
    """Put a draft in force; the week's published plan so far becomes superseded (kept).

    Raises:
        PlanConflict: `edit_version` is given and the plan was changed since.
        ValidationError: the plan is not a draft, or has no valid plan (infeasible).
    """
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if edit_version is not None and edit_version != plan.edit_version:
        raise PlanConflict(_(
            "Version %(version)d of this plan was changed by someone else in the meantime; "
            "reload it and check the changes before publishing.") % {"version": plan.version})
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError({"version": _(
            "Version %(version)d is %(status)s, not a draft; publish a draft version.")
            % {"version": plan.version, "status": plan.get_status_display()}})
    if plan.plan_status == "infeasible":
        raise ValidationError({"version": _(
            "Version %(version)d has no valid plan (the planner found none); fix what its "
            "explanations name and solve again.") % {"version": plan.version}})
    previous = list(_published(plan.school, plan.week).select_for_update())
    for old in previous:
        old.status = PlanStatus.SUPERSEDED
        old.edit_version += 1
        old.save(update_fields=["status", "edit_version"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=old,
                     changes={"status": [PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED]},
                     summary=f"Plan {old.week} version {old.version} of {old.school.name} "
                             f"superseded by version {plan.version}")
    plan.status = PlanStatus.PUBLISHED
    plan.published_at = timezone.now()
    plan.published_by = actor if actor is not None and actor.is_authenticated else None
    plan.edit_version += 1
    plan.save(update_fields=["status", "published_at", "published_by", "edit_version"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=plan,
                 changes={"status": [PlanStatus.DRAFT, PlanStatus.PUBLISHED]},
                 summary=f"Plan {plan.week} version {plan.version} of {plan.school.name} "
                         f"published")
    return plan


# --- background solves --------------------------------------------------------------------------
#
# Every solve runs in the worker (`manage.py db_worker`): a week's solve, and the replanning
# proposal of a day after a sick call. No web request waits on the planner; pages show the
# job's progress and poll it. A job whose worker died (crash, restart) is swept to `failed`
# (retryable) by `solve_jobs_fail_stale`, which the status views, the pages and
# `manage.py sweep_solve_jobs` (run by run_server.sh before its worker starts) call.


def _solve_document(instance_doc: dict, *, time_limit: float) -> dict:
    return solve(load_instance(instance_doc), time_limit=time_limit,
                 workers=settings.PLANNER_WORKERS, seed=0)


@transaction.atomic
def solve_job_create(*, actor: User | None, school: School, week: str | datetime.date,
                     time_limit: int | None = None) -> SolveJob:
    """Queue a solve of the school's week; the worker (`manage.py db_worker`) runs it.

    The task row is written in the same transaction as the job, so the worker cannot pick it
    up before the job exists (with the immediate backend of the tests it runs right here).
    """
    label = week_normalize(week)
    job = SolveJob(school=school, week=label,
                   time_limit=time_limit or settings.PLANNER_TIME_LIMIT,
                   progress=_("Waiting for the planner."),
                   created_by=actor if actor is not None and actor.is_authenticated else None)
    job.full_clean()
    job.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=job,
                 summary=f"Solve of {label} for {school.name} queued")
    _solve_job_enqueue(job)
    return job


def _solve_job_enqueue(job: SolveJob) -> None:
    from poolplan.planning.tasks import solve_week

    result = solve_week.enqueue(job.pk)
    SolveJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()


def _published_note(school: School, week: str) -> str:
    published = _published(school, week).first()
    if published is None:
        return _("No plan of this week is published yet.")
    return _("The published plan (version %(version)d) stays in force, unchanged.") % {
        "version": published.version}


def _solve_job_finish(job: SolveJob, *, status: str, progress: str, error: str = "",
                      plan: Plan | None = None) -> None:
    with transaction.atomic():
        SolveJob.objects.filter(pk=job.pk).update(status=status, progress=progress,
                                                  error=error, plan=plan,
                                                  finished_at=timezone.now())
        what = f"Proposal for {job.day}" if job.kind == SolveJobKind.PROPOSAL else "Solve"
        audit_record(actor=None, action=AuditAction.UPDATE, obj=job,
                     changes={"status": [SolveJobStatus.RUNNING, status]},
                     summary=f"{what} of {job.week} for {job.school.name} {status}")


def solve_job_run(*, job_id: int) -> dict:
    """Run one queued job (called by the task). Never raises for a planning problem: the job
    ends `done` with a draft plan, or `failed` with the reason; the published plan is left
    alone either way."""
    with transaction.atomic():
        # Lock the job row only: PostgreSQL cannot lock the nullable side of the join
        # to `base` ("FOR UPDATE cannot be applied to the nullable side of an outer join").
        job = (SolveJob.objects.select_for_update(of=("self",)).select_related("school", "base")
               .filter(pk=job_id).first())
        if job is None or job.status != SolveJobStatus.QUEUED:
            # Deleted, or already taken by another worker: nothing to do.
            return {"job": job_id, "status": job.status if job else "missing"}
        job.status = SolveJobStatus.RUNNING
        job.started_at = timezone.now()
        job.finished_at = None
        job.attempts += 1
        job.error = ""
        job.progress = _("Solving (at most %(seconds)d s).") % {"seconds": job.time_limit}
        job.save(update_fields=["status", "started_at", "finished_at", "attempts", "error",
                                "progress"])
    try:
        if job.kind == SolveJobKind.PROPOSAL:
            return _proposal_job_run(job)
        instance_doc = instance_build(school=job.school, week=job.week)
        document = _solve_document(instance_doc, time_limit=job.time_limit)
        if document["status"] == "infeasible":
            reasons = " ".join(document.get("explanations", []))
            _solve_job_finish(job, status=SolveJobStatus.FAILED, progress="",
                              error=_("No plan satisfies the hard rules: %(reasons)s %(note)s")
                              % {"reasons": reasons, "note": _published_note(job.school,
                                                                              job.week)})
            return {"job": job.pk, "status": SolveJobStatus.FAILED}
        with transaction.atomic():
            plan = plan_create(actor=None, school=job.school, week=job.week,
                               instance=instance_doc, document=document)
            note = (_("Plan found; the time limit ended before it was proven best.")
                    if document["status"] == "feasible" else _("Best plan found."))
            _solve_job_finish(job, status=SolveJobStatus.DONE, progress=note, plan=plan)
        return {"job": job.pk, "status": SolveJobStatus.DONE, "plan_version": plan.version}
    except Exception as error:  # noqa: BLE001 - any failure must end as a failed, retryable job
        logger.exception("Solve job %s failed", job.pk)
        if isinstance(error, PlanningDataError):
            message = " ".join(error.problems)
        elif isinstance(error, ValidationError):
            message = " ".join(error.messages)
        else:
            message = str(error) or type(error).__name__
        _solve_job_finish(job, status=SolveJobStatus.FAILED, progress="",
                          error=_("The solve failed: %(error)s %(note)s")
                          % {"error": message, "note": _published_note(job.school, job.week)})
        return {"job": job.pk, "status": SolveJobStatus.FAILED}


def _stale_deadline(job: SolveJob) -> datetime.datetime:
    return job.started_at + datetime.timedelta(
        seconds=job.time_limit + settings.PLANNER_STALE_AFTER)


def _fail_interrupted(job: SolveJob) -> None:
    _solve_job_finish(job, status=SolveJobStatus.FAILED, progress="", error=_(
        "The planner stopped without an answer (the worker was interrupted); start the solve "
        "again. %(note)s") % {"note": _published_note(job.school, job.week)})


def solve_job_fail_stale(*, job: SolveJob, now: datetime.datetime | None = None) -> SolveJob:
    """Mark a job failed whose worker vanished (crash, restart) while it was running: it has
    been `running` for longer than its time limit plus PLANNER_STALE_AFTER."""
    now = now or timezone.now()
    if job.status != SolveJobStatus.RUNNING or job.started_at is None:
        return job
    if now < _stale_deadline(job):
        return job
    _fail_interrupted(job)
    job.refresh_from_db()
    return job


def solve_jobs_fail_stale(*, now: datetime.datetime | None = None, school: School | None = None,
                          interrupted: bool = False) -> list[SolveJob]:
    """Sweep: every `running` job past its deadline (time limit + PLANNER_STALE_AFTER) is
    marked failed, so a dead worker's job never shows "running" for ever.

    Args:
        now: the time to judge by.
        school: only this school's jobs (the pages sweep their own school).
        interrupted: every running job has lost its worker, whatever its age — true only
            where no worker can be running, as when run_server.sh starts its worker.

    Returns:
        The jobs marked failed.
    """
    now = now or timezone.now()
    running = SolveJob.objects.filter(status=SolveJobStatus.RUNNING).select_related("school")
    if school is not None:
        running = running.filter(school=school)
    if not interrupted:
        # No job is stale before PLANNER_STALE_AFTER (time limits are >= 1 s); the exact
        # deadline, which adds each job's own time limit, is checked below.
        running = running.filter(started_at__lt=now - datetime.timedelta(
            seconds=settings.PLANNER_STALE_AFTER))
    swept = []
    for job in running:
        if interrupted or job.started_at is None or now >= _stale_deadline(job):
            _fail_interrupted(job)
            swept.append(job)
    return swept


@transaction.atomic
def solve_job_retry(*, actor: User | None, job: SolveJob) -> SolveJob:
    """Queue a failed solve again."""
    job = SolveJob.objects.select_for_update(of=("self",)).select_related("school").get(pk=job.pk)
    if job.status != SolveJobStatus.FAILED:
        raise ValidationError({"status": _(
            "Only a failed solve can be started again; this one is %(status)s.")
            % {"status": job.get_status_display()}})
    job.status = SolveJobStatus.QUEUED
    job.progress = _("Waiting for the planner.")
    job.error = ""
    job.started_at = job.finished_at = None
    job.save(update_fields=["status", "progress", "error", "started_at", "finished_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=job,
                 changes={"status": [SolveJobStatus.FAILED, SolveJobStatus.QUEUED]},
                 summary=f"Solve of {job.week} for {job.school.name} queued again")
    _solve_job_enqueue(job)
    return job


# --- sick call: proposals -----------------------------------------------------------------------
#
# A proposal is a background job like a week's solve: `proposal_request` (pages and API) builds
# the day's instance (database reads only), finds the job that solved exactly this instance, or
# queues one, and returns the proposal when it is there. `proposal_accept` publishes the stored
# proposal the coordinator saw; it never solves.


@dataclass
class Proposal:
    """A replanned day: the stored draft `plan` replacing the published `base`, and the
    difference in words."""

    school: School
    date: datetime.date
    week: str
    base: Plan
    plan: Plan
    changes: list[dict]
    moves: list[dict]
    losses: list[dict]
    summary: list[str]
    job: SolveJob | None = None


@dataclass
class ProposalState:
    """What the proposal page shows: the proposal when it is ready, else the job making it
    (queued, running, or failed with the reason)."""

    school: School
    date: datetime.date
    week: str
    base: Plan
    job: SolveJob | None
    proposal: Proposal | None = None

    @property
    def ready(self) -> bool:
        return self.proposal is not None


def _slot_start(slot: dict, day: datetime.date) -> datetime.datetime:
    hour, minute = (int(x) for x in slot["start"].split(":"))
    return datetime.datetime.combine(day, datetime.time(hour, minute),
                                     tzinfo=timezone.get_current_timezone())


def _proposal_instance(*, school: School, day: datetime.date, base: Plan,
                       now: datetime.datetime) -> tuple[dict, set[str]]:
    """The week's instance for replanning `day`, and the slots the solver may change.

    The region that may change is the day's slots that have not started yet, plus the
    not-started slots of any other day of the week on which a published assignment has become
    impossible (the absence spans several days, a child is absent). Everything else is pinned
    to the published plan, so the proposal is a day plan, not a new week; the past is never
    rewritten. `previous` is the whole published plan, so the solver moves as few people as
    possible."""
    base_triples = plan_triples(base)
    base_pinned = set(base.assignments.filter(pinned=True).values_list("slot", "assistant_id",
                                                                       "child_id"))
    base_pinned = {(s, str(a), str(c)) for s, a, c in base_pinned}
    fresh = instance_build(school=school, week=day)
    slots = {s["id"]: s for s in fresh["slots"]}
    dates = _slot_dates(iso_week_monday(day))
    unavailable = {a["id"]: set(a["unavailable"]) for a in fresh["assistants"]}
    needs = {c["id"]: c["needs"] for c in fresh["children"]}
    local_now = timezone.localtime(now)

    def started(slot: str) -> bool:
        return _slot_start(slots[slot], dates[slots[slot]["day"]]) <= local_now

    def possible(slot: str, assistant: str, child: str) -> bool:
        return (slot in slots and assistant in unavailable
                and slot not in unavailable[assistant] and needs.get(child, {}).get(slot, 0) >= 1)

    days = {day} | {dates[slots[s]["day"]] for s, a, c in base_triples
                    if s in slots and not possible(s, a, c) and not started(s)}
    region = {s for s in slots if dates[slots[s]["day"]] in days and not started(s)}
    pinned = [t for t in base_triples
              if possible(*t) and (t[0] not in region or t in base_pinned)]
    previous = [t for t in base_triples
                if t[0] in slots and t[1] in unavailable and t[2] in needs]
    # The same rows as `fresh`, with pinned and previous: no second read of the roster.
    doc = {**fresh, "pinned": _triples(pinned), "previous": _triples(previous)}
    return _validated(doc), region


def _day_plan_document(instance_doc: dict, solved: dict, region: set[str]) -> dict:
    """The solved plan with changes outside the region taken back out.

    Outside the region the solver must keep the pinned rows but could also add support (the
    week's entitlement counts more than the number of changes); such additions would be
    changes to days nobody asked to replan, so only pinned rows are kept there. Dropping rows
    that are not pinned never breaks a hard rule (all rules are per row or upper bounds)."""
    if solved["status"] == "infeasible":
        return solved
    instance = load_instance(instance_doc)
    pinned = {(t.slot, t.assistant, t.child) for t in instance.pinned}
    groups: dict[tuple[str, str], list[str]] = {}
    dropped = False
    for slot, assistant, child in _document_triples(solved):
        if slot in region or (slot, assistant, child) in pinned:
            groups.setdefault((slot, assistant), []).append(child)
        else:
            dropped = True
    if not dropped:
        return solved
    rows = [PlannerAssignment(slot, assistant, tuple(children))
            for (slot, assistant), children in groups.items()]
    result = check_assignments(instance, rows)
    assert not result.violations, result.violations
    return plan_document(instance, rows, status="feasible",
                         objective=result.objective.as_dict(),
                         explanations=explain(instance, rows), solver=solved["solver"])


def _names(school: School) -> tuple[dict[str, str], dict[str, str]]:
    """Planner id -> how people call them: assistants by name, children by display code."""
    assistants = {str(pk): f"{first} {last}".strip() for pk, first, last in
                  Assistant.objects.filter(schools=school).values_list(
                      "pk", "first_name", "last_name")}
    if len(set(assistants.values())) < len(assistants):
        assistants = {pk: f"{name} ({pk})" for pk, name in assistants.items()}
    children = {str(pk): code for pk, code in
                Child.objects.filter(school=school).values_list("pk", "display_code")}
    return assistants, children


def _named_explanations_by_child(instance_doc: dict, document: dict,
                                 assistants: dict[str, str],
                                 children: dict[str, str]) -> dict[str, list[str]]:
    """The planner's explanations with display codes and names instead of ids, grouped by the
    child's planner id (the planner starts each line with the child): the same instance and
    plan with renamed ids are explained again (no guessing which number in a sentence is an
    id)."""
    def a(pk: str) -> str:
        return assistants.get(pk, pk)

    def c(pk: str) -> str:
        return children.get(pk, pk)

    renamed = dict(instance_doc)
    renamed["assistants"] = [{**x, "id": a(x["id"])} for x in instance_doc["assistants"]]
    renamed["children"] = [{**x, "id": c(x["id"]), "primary": a(x["primary"]) if x["primary"]
                            else "", "fixed": [a(f) for f in x["fixed"]]}
                           for x in instance_doc["children"]]
    for key in ("pinned", "previous"):
        renamed[key] = [{"slot": t["slot"], "assistant": a(t["assistant"]),
                         "child": c(t["child"])} for t in instance_doc[key]]
    instance = load_instance(renamed)
    rows = [PlannerAssignment(r["slot"], a(r["assistant"]), tuple(c(x) for x in r["children"]))
            for r in document.get("assignments", [])]
    by_code = {c(x["id"]): x["id"] for x in instance_doc["children"]}
    out: dict[str, list[str]] = {}
    for line in explain(instance, rows):
        # Codes may contain spaces ("Fox 7"): the longest code that starts the line wins.
        code = max((k for k in by_code if line.startswith(f"{k} ")), key=len, default=None)
        out.setdefault(by_code.get(code, ""), []).append(line)
    return out


def _document_of(plan: Plan) -> dict:
    """The plan document as its Assignment rows say (the rows are what people follow)."""
    return {"assignments": [{"slot": s, "assistant": a, "children": [c]}
                            for s, a, c in plan_triples(plan)]}


def proposal_diff(*, base: Plan, plan: Plan) -> dict:
    """Who moves where and which children lose how many minutes, in words: per child that
    loses minutes one short sentence with the main reason (`reason`) and the planner's full
    explanation (`why`)."""
    assistants, children = _names(plan.school)
    periods = {p.slot_id: p for p in Period.objects.filter(school=plan.school)}
    slots = {s["id"]: s for s in plan.instance["slots"]}
    order = {s["id"]: i for i, s in enumerate(plan.instance["slots"])}
    minutes = {sid: _minutes_between(s["start"], s["end"]) for sid, s in slots.items()}
    location = {(c["id"], slot): room for c in plan.instance["children"]
                for slot, room in c["location"].items()}
    unavailable = {a["id"]: set(a["unavailable"]) for a in plan.instance["assistants"]}
    dates = _slot_dates(plan.monday)
    base_triples, plan_rows = plan_triples(base), plan_triples(plan)

    def helpers(triples) -> dict[tuple[str, str], list[str]]:
        out: dict[tuple[str, str], list[str]] = {}
        for slot, assistant, child in triples:
            out.setdefault((slot, child), []).append(assistant)
        return out

    before, after = helpers(base_triples), helpers(plan_rows)
    changed = sorted((key for key in set(before) | set(after)
                      if sorted(before.get(key, [])) != sorted(after.get(key, []))),
                     key=lambda k: (order.get(k[0], 0), children.get(k[1], k[1])))
    changes, moves = [], {}
    for slot, child in changed:
        was, now = before.get((slot, child), []), after.get((slot, child), [])
        when = period_label_text(periods[slot]) if slot in periods else slot
        room = location.get((child, slot), "")
        values = {"when": when, "child": children.get(child, child), "room": room,
                  "before": ", ".join(assistants.get(x, x) for x in was),
                  "after": ", ".join(assistants.get(x, x) for x in now)}
        if was and now:
            text = _("%(when)s: %(child)s is supported by %(after)s instead of %(before)s "
                     "(%(room)s).") % values
        elif was:
            text = _("%(when)s: %(child)s loses the support of %(before)s.") % values
        else:
            text = _("%(when)s: %(child)s is now supported by %(after)s (%(room)s).") % values
        absent = [assistants.get(x, x) for x in was if slot in unavailable.get(x, set())]
        if absent:
            text += " " + _("(%(names)s not available.)") % {"names": ", ".join(absent)}
        changes.append({"slot": slot, "date": dates[slots[slot]["day"]] if slot in slots
                        else None, "child": int(child), "display_code": children.get(child),
                        "before": [int(x) for x in was], "after": [int(x) for x in now],
                        "room": room, "text": text})
        for assistant in set(was) ^ set(now):
            entry = moves.setdefault(assistant, {"assistant": int(assistant),
                                                 "name": assistants.get(assistant, assistant),
                                                 "lines": []})
            entry["lines"].append(text)

    credited_before = {c: sum(minutes.get(s, 0) for (s, cc) in before if cc == c)
                       for c in children}
    credited_after = {c: sum(minutes.get(s, 0) for (s, cc) in after if cc == c)
                      for c in children}
    by_child = _named_explanations_by_child(plan.instance, plan.document, assistants, children)
    view_after = explanations.plan_view(plan.instance, _document_of(plan))
    view_before = explanations.plan_view(plan.instance, {"assignments": [
        {"slot": s, "assistant": a, "children": [c]} for s, a, c in base_triples
        if s in slots and a in unavailable and c in credited_before]})
    losses = []
    for child, code in sorted(children.items(), key=lambda item: item[1]):
        lost = credited_before.get(child, 0) - credited_after.get(child, 0)
        if lost <= 0:
            continue
        why = by_child.get(child) or [
            _("%(child)s still receives the week's approved minutes.") % {"child": code}]
        reason = explanations.loss_reason(before=view_before, after=view_after,
                                          child_id=child, assistants=assistants)
        losses.append({"child": int(child), "display_code": code, "minutes": lost,
                       "text": _("%(child)s loses %(minutes)d min this week.")
                       % {"child": code, "minutes": lost}, "reason": reason, "why": why})
    summary = [c["text"] for c in changes] + [
        " ".join(part for part in (loss["text"], loss["reason"]) if part) for loss in losses]
    if not changes:
        summary = [_("The published plan needs no change for this day.")]
    return {"changes": changes, "moves": list(moves.values()), "losses": losses,
            "explanations": [line for lines in by_child.values() for line in lines],
            "summary": summary}


def _minutes_between(start: str, end: str) -> int:
    (h1, m1), (h2, m2) = (map(int, start.split(":")), map(int, end.split(":")))
    return (h2 * 60 + m2) - (h1 * 60 + m1)


def _fingerprint(instance_doc: dict) -> str:
    import hashlib
    import json

    text = json.dumps(instance_doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _proposal_base(*, school: School, date: datetime.date,
                   now: datetime.datetime) -> tuple[str, Plan]:
    """(week, published plan) for replanning `date`.

    Raises:
        ValidationError: the day is past, has no lessons, or its week has no published plan.
    """
    week = week_normalize(date)
    if date < timezone.localtime(now).date():
        raise ValidationError({"date": _(
            "%(date)s is in the past; choose today or a later day.") % {"date": date}})
    base = _published(school, week).first()
    if base is None:
        raise ValidationError({"date": _(
            "No plan of %(week)s is published for %(school)s; solve and publish the week "
            "first.") % {"week": week, "school": school.name}})
    if date.isoweekday() not in SCHOOL_WEEKDAYS or not Period.objects.filter(
            school=school, weekday=date.isoweekday()).exists():
        raise ValidationError({"date": _("%(school)s has no lessons on %(date)s; choose a "
                                         "school day.") % {"school": school.name,
                                                           "date": date}})
    return week, base


def proposal_of(job: SolveJob) -> Proposal:
    """The proposal a finished job stored, with its difference in words (no solving)."""
    plan, base = job.plan, job.base
    diff = proposal_diff(base=base, plan=plan)
    return Proposal(school=job.school, date=job.day, week=job.week, base=base, plan=plan,
                    changes=diff["changes"], moves=diff["moves"], losses=diff["losses"],
                    summary=diff["summary"], job=job)


def _proposal_jobs(*, school: School, date: datetime.date, base: Plan) -> models.QuerySet:
    return (SolveJob.objects.filter(school=school, kind=SolveJobKind.PROPOSAL, day=date,
                                    base=base)
            .select_related("school", "base", "plan").order_by("-created_at", "-pk"))


def proposal_request(*, school: School, date: datetime.date, actor: User | None = None,
                     now: datetime.datetime | None = None,
                     time_limit: int | None = None) -> ProposalState:
    """The replanning proposal for `date` after absences, or the background job making it.

    Builds the day's instance (the published plan of its week is `previous`, slots that have
    started are fixed) and looks for the job that solved exactly this instance: done, its
    proposal is returned; queued or running, the job is; failed, the job with its reason (the
    caller offers `solve_job_retry`). Without one, a job is queued. Nothing here solves: the
    worker does (with the tests' immediate backend it has finished when this returns).

    Raises:
        ValidationError: no published plan for the week, the day is past or has no lessons.
        PlanningDataError: the roster cannot make an instance.
    """
    now = now or timezone.now()
    week, base = _proposal_base(school=school, date=date, now=now)
    instance_doc, region = _proposal_instance(school=school, day=date, base=base, now=now)
    fingerprint = _fingerprint(instance_doc)
    solve_jobs_fail_stale(now=now, school=school)
    job = _proposal_jobs(school=school, date=date, base=base).filter(
        fingerprint=fingerprint).first()
    if job is None:
        job = _proposal_job_create(actor=actor, school=school, date=date, week=week, base=base,
                                   instance_doc=instance_doc, region=region,
                                   fingerprint=fingerprint, time_limit=time_limit)
        job = _proposal_jobs(school=school, date=date, base=base).get(pk=job.pk)
    state = ProposalState(school=school, date=date, week=week, base=base, job=job)
    if job.status == SolveJobStatus.DONE and job.plan is not None:
        state.proposal = proposal_of(job)
    return state


@transaction.atomic
def _proposal_job_create(*, actor: User | None, school: School, date: datetime.date, week: str,
                         base: Plan, instance_doc: dict, region: set[str], fingerprint: str,
                         time_limit: int | None) -> SolveJob:
    job = SolveJob(school=school, week=week, kind=SolveJobKind.PROPOSAL, day=date, base=base,
                   payload={"instance": instance_doc, "region": sorted(region)},
                   fingerprint=fingerprint,
                   time_limit=time_limit or settings.PLANNER_PROPOSAL_TIME_LIMIT,
                   progress=_("Waiting for the planner."),
                   created_by=actor if actor is not None and actor.is_authenticated else None)
    job.full_clean()
    job.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=job,
                 summary=f"Proposal for {date.isoformat()} of {school.name} queued "
                         f"(replanning version {base.version})")
    _solve_job_enqueue(job)
    return job


def _proposal_job_run(job: SolveJob) -> dict:
    """The worker's part of a proposal: solve the stored instance, keep the changes inside
    the region, store the result as a sick-call draft."""
    base = job.base
    if base is None or base.status != PlanStatus.PUBLISHED:
        _solve_job_finish(job, status=SolveJobStatus.FAILED, progress="", error=_(
            "The published plan changed before this proposal was made; open the proposal page "
            "again for a new one."))
        return {"job": job.pk, "status": SolveJobStatus.FAILED}
    instance_doc, region = job.payload["instance"], set(job.payload["region"])
    solved = _solve_document(instance_doc, time_limit=job.time_limit)
    document = _day_plan_document(instance_doc, solved, region)
    with transaction.atomic():
        # The coordinator who asked for the proposal made it (the worker only solved it).
        plan = plan_create(actor=job.created_by, school=job.school, week=job.week,
                           instance=instance_doc, document=document, source=PlanSource.SICK_CALL,
                           replanned_date=job.day, based_on=base)
        note = (_("The planner found no valid plan for this day.")
                if document["status"] == "infeasible" else _("Proposal ready."))
        _solve_job_finish(job, status=SolveJobStatus.DONE, progress=note, plan=plan)
    return {"job": job.pk, "status": SolveJobStatus.DONE, "plan_version": plan.version}


def _roster_part(instance_doc: dict) -> dict:
    """What a proposal depends on besides time: slots, who is there, who needs what."""
    return {key: instance_doc.get(key) for key in ("slots", "assistants", "children")}


def proposal_accept(*, actor: User | None, school: School, date: datetime.date,
                    proposal_version: int | None = None, base_version: int | None = None,
                    now: datetime.datetime | None = None) -> Proposal:
    """Publish the stored proposal for `date` as the week's new plan version and notify the
    people it affects. Never solves.

    Args:
        proposal_version: the draft version the coordinator saw (default: the newest finished
            proposal for the day's published plan).
        base_version: the published version the proposal was shown for.

    Raises:
        PlanConflict: the published plan, or the absences and needs of the day, changed since
            the proposal was made (nothing published).
        ValidationError: no such proposal (or none ready yet), or it has no valid plan.
    """
    now = now or timezone.now()
    # The same checks as asking for the proposal: a day in the past, a week without a
    # published plan or a day without lessons cannot be accepted either.
    week, current = _proposal_base(school=school, date=date, now=now)
    if base_version is not None and base_version != current.version:
        raise PlanConflict(_(
            "The published plan changed since this proposal was made (it replanned version "
            "%(shown)d, version %(current)d is published now); look at the new proposal "
            "before accepting it.") % {"shown": base_version, "current": current.version})
    jobs = (SolveJob.objects.filter(school=school, kind=SolveJobKind.PROPOSAL, day=date,
                                    status=SolveJobStatus.DONE, plan__isnull=False)
            .select_related("school", "base", "plan").order_by("-finished_at", "-pk"))
    if proposal_version is not None:
        job = jobs.filter(plan__version=proposal_version, plan__week=week).first()
    else:
        job = jobs.filter(base=current).first()
    if job is None:
        raise ValidationError({"proposal": _(
            "No proposal for %(date)s is ready to accept; open the proposal and wait until the "
            "planner has made it.") % {"date": date.isoformat()}})
    plan = job.plan
    shown = base_version if base_version is not None else job.base.version
    if job.base_id != current.pk or shown != current.version:
        raise PlanConflict(_(
            "The published plan changed since this proposal was made (it replanned version "
            "%(shown)d, version %(current)d is published now); look at the new proposal "
            "before accepting it.") % {"shown": shown, "current": current.version})
    if plan.status != PlanStatus.DRAFT:
        raise PlanConflict(_("This proposal was published or replaced already; look at the "
                             "plan in force."))
    if plan.plan_status == "infeasible":
        raise ValidationError({"date": _(
            "The planner found no valid plan for this day: %(why)s")
            % {"why": " ".join(plan.document.get("explanations", []))}})
    fresh = instance_build(school=school, week=date)
    if _roster_part(fresh) != _roster_part(plan.instance):
        raise PlanConflict(_(
            "Absences, working times or needs changed since this proposal was made; look at "
            "the new proposal before accepting it."))
    proposal = proposal_of(job)
    with transaction.atomic():
        locked = _published(school, week).select_for_update().first()
        if locked is None or locked.pk != current.pk:
            raise PlanConflict(_("Another plan was published in the meantime; look at the new "
                                 "proposal before accepting it."))
        plan_publish(actor=actor, plan=plan)
        _notify_plan_change(proposal)
    proposal.plan.refresh_from_db()
    return proposal


# --- notifications ------------------------------------------------------------------------------


def notification_create(*, user: User, school: School | None, subject: str,
                        body: str) -> Notification:
    """An in-app notification, also sent by e-mail (after the commit) if the login has an
    address."""
    return notifications_create(users=[user], school=school, subject=subject,
                                bodies={user.pk: body})[0]


def notifications_create(*, users: list[User], school: School | None, subject: str,
                         bodies: dict[int, str]) -> list[Notification]:
    """One notification per user (one insert for all), each also sent by e-mail after the
    commit if the login has an address."""
    rows = Notification.objects.bulk_create([
        Notification(user=user, school=school, subject=subject[:200], body=bodies[user.pk])
        for user in users])
    for user in users:
        if user.email:
            transaction.on_commit(
                lambda u=user: _mail(subject[:200], bodies[u.pk], u.email))
    return rows


def _mail(subject: str, body: str, to: str) -> None:
    # The in-app notification is already stored; a mail server that is down must not undo it.
    try:
        send_mail(subject, body, None, [to])
    except Exception:
        logger.exception("Could not send the notification mail to %s", to)


def _notify_plan_change(proposal: Proposal) -> list[Notification]:
    """Tell the coordinators, the assistants who move and the teachers of the classes whose
    children change: a fixed number of queries, however many people are told."""
    from poolplan.roster.models import SchoolClass

    school, day = proposal.school, proposal.date
    subject = _("Plan changed for %(date)s at %(school)s") % {"date": day.isoformat(),
                                                              "school": school.name}
    intro = _("The plan for %(date)s was replanned after an absence (version %(version)d).") % {
        "date": day.isoformat(), "version": proposal.plan.version}
    recipients: dict[int, tuple[User, list[str]]] = {}

    def add(user: User | None, lines: list[str]) -> None:
        if user is None or not user.is_active:
            return
        own = recipients.setdefault(user.pk, (user, []))[1]
        own.extend(line for line in lines if line not in own)

    for user in User.objects.filter(role=Role.COORDINATOR, schools=school):
        add(user, proposal.summary)
    movers = {a.pk: a for a in Assistant.objects.filter(
        pk__in=[m["assistant"] for m in proposal.moves]).select_related("user")}
    for move in proposal.moves:
        assistant = movers.get(move["assistant"])
        if assistant is not None:
            add(assistant.user, move["lines"])
    child_ids = {c["child"] for c in proposal.changes}
    classes = dict(Child.objects.filter(pk__in=child_ids).values_list("pk", "school_class_id"))
    teachers = (User.objects.filter(role=Role.TEACHER, schools=school,
                                    classes__in=set(classes.values())).distinct()
                .prefetch_related(Prefetch("classes", queryset=SchoolClass.objects.only("pk"),
                                           to_attr="class_rows")))
    for teacher in teachers:
        own = {c.pk for c in teacher.class_rows}
        add(teacher, [c["text"] for c in proposal.changes if classes.get(c["child"]) in own])
    users = [user for user, _lines in recipients.values()]
    bodies = {pk: "\n".join([intro, "", *lines]) for pk, (_user, lines) in recipients.items()}
    return notifications_create(users=users, school=school, subject=subject, bodies=bodies)


# --- the planning board: manual edits -----------------------------------------------------------
#
# The board edits drafts only: a published plan is what people follow this morning, so a change
# is made on a draft copy and put in force by publishing it. Every edit names the plan's
# `edit_version` it was made on; a save on an older one is refused (two coordinators at one
# plan), and every edit is checked against the planner's hard rules before it is stored.


class PlanRuleBroken(ValidationError):
    """A manual edit would break a hard rule; `labels` names the rules (`Violation.rule`)."""

    def __init__(self, messages: list[str], labels: list[str]):
        self.labels = labels
        super().__init__(messages)


def _edit_instance(plan: Plan) -> dict:
    return {**plan.instance, "pinned": list(plan.instance.get("pinned", []))}


def _rows_of(triples: Iterable[tuple[str, str, str]]) -> list[PlannerAssignment]:
    groups: dict[tuple[str, str], list[str]] = {}
    for slot, assistant, child in sorted(triples):
        groups.setdefault((slot, assistant), []).append(child)
    return [PlannerAssignment(slot, assistant, tuple(children))
            for (slot, assistant), children in groups.items()]


def _plan_rewrite(*, actor: User | None, plan: Plan, instance_doc: dict,
                  triples: list[tuple[str, str, str]], summary: str,
                  edit: tuple[str, str, str] | None = None) -> Plan:
    """Store new assignments on a locked draft: document, rows, edit_version, audit row.

    Args:
        edit: (slot, assistant id, child id) of a one-cell change, to say in words why it is
            refused.

    Raises:
        PlanRuleBroken: the assignments break a hard rule that the plan did not break before.
    """
    instance = load_instance(instance_doc)
    rows = _rows_of(triples)
    result = check_assignments(instance, rows)
    before = check_assignments(load_instance(plan.instance), _rows_of(plan_triples(plan)))
    old = {str(v) for v in before.violations}
    new = [v for v in result.violations if str(v) not in old]
    if new:
        raise PlanRuleBroken(_refusals(plan, new, edit), [v.rule for v in new])
    document = plan_document(instance, rows, status="feasible",
                             objective=result.objective.as_dict(),
                             explanations=explain(instance, rows),
                             solver={**plan.document.get("solver", {}), "edited": True})
    plan.instance = instance_doc
    plan.document = document
    plan.edit_version += 1
    plan.save(update_fields=["instance", "document", "edit_version"])
    plan.assignments.all().delete()
    _assignments_store(plan)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=plan, summary=summary)
    return plan


def _refusals(plan: Plan, violations: list, edit: tuple[str, str, str] | None) -> list[str]:
    """One translated sentence per broken rule: the rule's label and, for a one-cell edit,
    what it means for the people concerned (else the checker's detail with names)."""
    assistants, children = _names(plan.school)
    when = ""
    if edit is not None:
        period = next((p for p in Period.objects.filter(school=plan.school)
                       if p.slot_id == edit[0]), None)
        when = period_label_text(period) if period is not None else edit[0]
    messages = []
    for violation in violations:
        detail = ""
        if edit is not None:
            detail = explanations.edit_refusal(
                violation.rule, assistant=assistants.get(edit[1], edit[1]),
                child=children.get(edit[2], edit[2]), when=when)
        if not detail:
            # Ids in the checker's message are database ids; people know names and codes.
            detail = violation.message
            for pk, name in sorted(assistants.items(), key=lambda x: -len(x[0])):
                detail = _replace_id(detail, pk, name)
        messages.append(_("Refused — %(rule)s: %(detail)s Nothing was changed.")
                        % {"rule": explanations.rule_label(violation.rule, violation.label),
                           "detail": detail.rstrip(".") + "."})
    return messages


def _replace_id(text: str, pk: str, name: str) -> str:
    import re

    return re.sub(rf"(?<![\w-]){re.escape(pk)}(?![\w-])", name, text)


def _locked_draft(plan: Plan, edit_version: int) -> Plan:
    plan = Plan.objects.select_for_update(of=("self",)).select_related("school").get(pk=plan.pk)
    if edit_version != plan.edit_version:
        raise PlanConflict(_(
            "Someone else changed version %(version)d of this plan while you were looking at "
            "it; your change was not saved. The board now shows the current plan — make your "
            "change again if it is still needed.") % {"version": plan.version})
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError({"version": _(
            "Version %(version)d is %(status)s; make a draft of it to change it.")
            % {"version": plan.version, "status": plan.get_status_display()}})
    return plan


@transaction.atomic
def plan_assignment_set(*, actor: User | None, plan: Plan, edit_version: int, slot: str,
                        child: Child, assistant: Assistant | None,
                        pinned: bool = False) -> Plan:
    """Who supports `child` in `slot` of a draft: `assistant`, or nobody (None). Assigns,
    moves, unassigns, pins and unpins — all are this one change.

    Raises:
        PlanConflict: the plan was changed since `edit_version` (nothing saved).
        PlanRuleBroken: the change breaks a hard rule (nothing saved).
        ValidationError: the plan is not a draft, or the slot/child is not in it.
    """
    plan = _locked_draft(plan, edit_version)
    child_id = str(child.pk)
    slots = {s["id"] for s in plan.instance["slots"]}
    if slot not in slots or child_id not in {c["id"] for c in plan.instance["children"]}:
        raise ValidationError({"slot": _("%(child)s in %(slot)s is not part of this plan.")
                               % {"child": child.display_code, "slot": slot}})
    assistant_id = str(assistant.pk) if assistant is not None else None
    if assistant_id is not None and assistant_id not in {
            a["id"] for a in plan.instance["assistants"]}:
        raise ValidationError({"assistant": _("%(name)s is not a member of this pool.")
                               % {"name": assistant.full_name}})
    triples = [t for t in plan_triples(plan) if not (t[0] == slot and t[2] == child_id)]
    instance_doc = _edit_instance(plan)
    instance_doc["pinned"] = [t for t in instance_doc["pinned"]
                              if not (t["slot"] == slot and t["child"] == child_id)]
    if assistant_id is not None:
        triples.append((slot, assistant_id, child_id))
        if pinned:
            instance_doc["pinned"].append({"slot": slot, "assistant": assistant_id,
                                           "child": child_id})
    what = (f"{child.display_code} in {slot}: "
            + (f"{assistant.full_name}{' (pinned)' if pinned else ''}" if assistant
               else "nobody"))
    return _plan_rewrite(actor=actor, plan=plan, instance_doc=instance_doc, triples=triples,
                         summary=f"Plan {plan.week} version {plan.version} of "
                                 f"{plan.school.name} edited: {what}",
                         edit=(slot, assistant_id, child_id) if assistant_id else None)


@transaction.atomic
def plan_draft_copy(*, actor: User | None, plan: Plan) -> Plan:
    """A new draft with the same instance and assignments, to change a published plan."""
    return plan_create(actor=actor, school=plan.school, week=plan.week,
                       instance=plan.instance, document=plan.document, source=plan.source,
                       replanned_date=plan.replanned_date, based_on=plan)


def absence_report_notify(*, absence: Absence, school: School, actor: User | None) -> None:
    """Tell the school's coordinators that a pool member reported an absence."""
    subject = _("%(name)s reported an absence") % {"name": absence.assistant.full_name}
    body = _("%(name)s is absent from %(start)s to %(end)s (%(reason)s). Look at the "
             "replanning proposal for the day.") % {
        "name": absence.assistant.full_name, "start": absence.start.isoformat(),
        "end": absence.end.isoformat(), "reason": absence.get_reason_display()}
    users = list(User.objects.filter(role=Role.COORDINATOR, schools=school, is_active=True))
    notifications_create(users=users, school=school, subject=subject,
                         bodies={user.pk: body for user in users})


# --- calendar feeds -----------------------------------------------------------------------------


@transaction.atomic
def calendar_token_create(*, actor: User, assistant: Assistant):
    """A new private feed address for the assistant; earlier ones are revoked (one at a time,
    so a lost phone is dealt with by making a new one)."""
    import secrets

    from poolplan.planning.models import CalendarToken

    calendar_token_revoke(actor=actor, assistant=assistant)
    token = CalendarToken(assistant=assistant, token=secrets.token_urlsafe(32))
    token.full_clean()
    token.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=token,
                 summary=f"Calendar feed of {assistant.full_name} created")
    return token


@transaction.atomic
def calendar_token_revoke(*, actor: User, assistant: Assistant) -> int:
    from poolplan.planning.models import CalendarToken

    count = CalendarToken.objects.filter(assistant=assistant, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    if count:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=assistant,
                     summary=f"Calendar feed of {assistant.full_name} revoked")
    return count


def child_notes_read_audit(*, actor: User, children: list[Child], summary: str) -> None:
    """One audit row per child whose notes `actor` read (`summary` says where), written in
    a single insert: the same rows audit_record would write one by one."""
    from poolplan.accounts.models import AuditEvent

    if not children:
        return
    who = actor if actor is not None and actor.is_authenticated else None
    AuditEvent.objects.bulk_create([
        AuditEvent(actor=who, actor_name=who.get_username() if who else "system",
                   action=AuditAction.READ, child=child, object_type=child._meta.model_name,
                   object_id=str(child.pk),
                   summary=f"Viewed notes of {child.display_code} ({summary})"[:300],
                   changes={})
        for child in children])


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now())
