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
import math
from collections.abc import Iterable
from fractions import Fraction

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from poolplan.planner import InstanceError, load_instance
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
    try:
        load_instance(doc)
    except InstanceError as error:
        # Only pinned/previous from the caller, or a bug here, can get this far.
        raise PlanningDataError([_("The instance for %(name)s is not valid: %(problems)s")
                                 % {"name": doc["name"],
                                    "problems": "; ".join(error.problems)}]) from None
    return doc
