"""Imports as plans of changes: what a file would create, update and skip, and what is wrong
with it, then — once confirmed — all of it in one transaction.

The preview (dry run) does exactly what the import does, through the roster services and their
checks, inside a transaction that is rolled back: so the preview finds every problem the real
import would meet, and the import cannot do anything the preview did not show. Any problem
rolls back everything (no partial import). Unchanged rows are skipped, so importing the same
file again changes nothing.
"""

import datetime
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from poolplan.accounts.models import AuditAction, User
from poolplan.accounts.services import audit_record
from poolplan.imports.models import ImportFile, ImportKind, ImportUpload
from poolplan.imports.parsing.common import Problem
from poolplan.imports.parsing.people import (
    ApprovalRow,
    AssistantRow,
    ChildRow,
    NeedRow,
    PeopleData,
    parse_people,
)
from poolplan.imports.parsing.untis import (
    Lesson,
    UntisData,
    parse_untis,
    period_times,
    timetable_by_class,
)
from poolplan.planning.weeks import iso_week_monday
from poolplan.roster import services as roster
from poolplan.roster.models import (
    WEEKDAY_CODES,
    Approval,
    Assistant,
    Child,
    FundingBody,
    NeedProfileEntry,
    Profession,
    School,
    SchoolClass,
    Skill,
    TimetableEntry,
    Weekday,
)

CREATE, UPDATE, SKIP = "create", "update", "skip"


@dataclass(frozen=True)
class Change:
    """One line of the plan: e.g. create / class / 5a / "new class"."""

    action: str
    what: str
    name: str
    detail: str = ""

    @property
    def what_label(self) -> str:
        return str(WHAT_LABELS.get(self.what, self.what))


WHAT_LABELS = {"period": _("period"), "room": _("room"), "class": _("class"),
               "subject": _("subject"), "timetable": _("timetable"), "child": _("child"),
               "need profile": _("need profile"), "assistant": _("assistant"),
               "approval": _("approval")}


@dataclass
class ImportReport:
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    affected_plans: list[str] = field(default_factory=list)
    applied: bool = False

    def add(self, action: str, what: str, name: str, detail: str = "") -> None:
        self.changes.append(Change(action, what, name, detail))

    def by_action(self, action: str) -> list[Change]:
        return [c for c in self.changes if c.action == action]

    @property
    def created(self) -> list[Change]:
        return self.by_action(CREATE)

    @property
    def updated(self) -> list[Change]:
        return self.by_action(UPDATE)

    @property
    def skipped(self) -> list[Change]:
        return self.by_action(SKIP)

    def problem_texts(self) -> list[str]:
        return [p.text(gettext) for p in self.problems]

    def summary(self) -> str:
        if self.applied:
            return gettext("%(created)s created, %(updated)s updated, %(skipped)s unchanged") % {
                "created": len(self.created), "updated": len(self.updated),
                "skipped": len(self.skipped)}
        return gettext("%(created)s to create, %(updated)s to update, %(skipped)s unchanged, "
                       "%(problems)s problem(s)") % {
            "created": len(self.created), "updated": len(self.updated),
            "skipped": len(self.skipped), "problems": len(self.problems)}

    def as_json(self) -> dict:
        return {"changes": [[c.action, c.what, c.name, c.detail] for c in self.changes],
                "affected_plans": self.affected_plans}


def _validation_problems(error: ValidationError, *, file: str, line: int | None,
                         prefix: str = "") -> list[Problem]:
    """A roster service's refusal as problems at the row that caused it."""
    messages = []
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            for message in errors:
                messages.append(message if name in ("__all__", "entries") else
                                f"{name.replace('_', ' ')}: {message}")
    else:
        messages = list(error.messages)
    return [Problem(file, "%(message)s", {"message": f"{prefix}{m}"}, line=line)
            for m in messages]


def size_problems(files: Sequence[tuple[str, bytes]]) -> list[Problem]:
    limit = settings.IMPORT_MAX_BYTES
    problems = []
    if not files:
        problems.append(Problem("-", gettext_noop("choose at least one file to import.")))
    for name, data in files:
        if len(data) > limit:
            problems.append(Problem(name, gettext_noop(
                "the file is larger than %(limit)s MB; split it or export only this school's "
                "data."), {"limit": limit // (1024 * 1024)}))
    return problems


def _run(apply: bool, report: ImportReport, work: Callable[[], None]) -> ImportReport:
    with transaction.atomic():
        work()
        if report.problems or not apply:
            transaction.set_rollback(True)
        else:
            report.applied = True
    return report


def _weekday_text(weekday: int) -> str:
    return str(Weekday(weekday).label) if weekday in Weekday.values else gettext("Sunday")


# --- timetable ---------------------------------------------------------------------------------


def timetable_import(*, school: School, actor: User | None,
                     files: Sequence[tuple[str, bytes]], apply: bool = False) -> ImportReport:
    """Untis lessons (GPU001 or XML), with classes (GPU003) and rooms (GPU005), into the
    school's classes, rooms and class timetables. Each class in the files gets its whole
    timetable replaced; classes not in the files are left alone."""
    report = ImportReport(problems=size_problems(files))
    if report.problems:
        return report
    data = parse_untis(files)
    report.problems.extend(data.problems)
    return _run(apply, report, lambda: _timetable_apply(school, actor, data, report))


def _grade(class_name: str) -> int | None:
    match = re.match(r"\d{1,2}", class_name)
    return int(match.group()) if match and 1 <= int(match.group()) <= 13 else None


def _bell_schedule_apply(school: School, actor: User | None, data: UntisData,
                         report: ImportReport) -> bool:
    """The export's period times into the bell schedule (XML exports only; GPU files carry no
    times). Returns whether an existing period got other times (every plan is affected)."""
    times, problems = period_times(data.times)
    report.problems.extend(problems)
    sunday = [t for t in times if t.weekday == 7]
    if sunday:
        report.add(SKIP, "period", gettext("Sunday"), gettext(
            "%(count)s periods: poolplan plans Monday to Saturday") % {"count": len(sunday)})
    times = [t for t in times if t.weekday != 7]
    if not times:
        return False
    where = {f"{WEEKDAY_CODES[t.weekday]}-{t.period}": t for t in times}
    try:
        result = roster.bell_schedule_set(actor=actor, school=school, times=[
            {"weekday": t.weekday, "label": str(t.period), "start": t.start, "end": t.end}
            for t in times])
    except ValidationError as error:
        for slot, messages in error.message_dict.items():
            time = where.get(slot)
            for message in messages:
                report.problems.append(Problem(
                    time.file if time else "-", "%(message)s",
                    {"message": gettext("period %(period)s: %(message)s") % {
                        "period": time.period if time else slot, "message": message}},
                    line=time.line if time else None))
        return False
    actions = {"created": CREATE, "updated": UPDATE, "unchanged": SKIP}
    for slot, outcome in result.items():
        time = where[slot]
        name = gettext("%(day)s, period %(period)s") % {
            "day": _weekday_text(time.weekday), "period": time.period}
        report.add(actions[outcome], "period", name, f"{time.start:%H:%M}–{time.end:%H:%M}")
    return "updated" in result.values()


def _timetable_apply(school: School, actor: User | None, data: UntisData,
                     report: ImportReport) -> None:
    retimed = _bell_schedule_apply(school, actor, data, report)
    periods = {(p.weekday, p.label): p for p in school.periods.all()}
    rooms = {r.name: r for r in school.rooms.all()}
    classes = {c.name: c for c in school.classes.all()}
    known_subjects = set(TimetableEntry.objects.filter(school_class__school=school)
                         .values_list("subject", flat=True))

    first_seen: dict[str, tuple[str, int]] = {}
    for item in data.rooms:
        first_seen.setdefault(item.name, (item.file, item.line))
    for lesson in data.lessons:
        if lesson.room:
            first_seen.setdefault(lesson.room, (lesson.file, lesson.line))
    for name, (file, line) in sorted(first_seen.items()):
        if name in rooms:
            report.add(SKIP, "room", name, gettext("already there"))
            continue
        try:
            rooms[name] = roster.room_create(actor=actor, school=school, name=name)
            report.add(CREATE, "room", name, gettext("new room"))
        except ValidationError as error:
            report.problems.extend(_validation_problems(
                error, file=file, line=line, prefix=gettext("room %(room)s: ") % {"room": name}))

    class_seen: dict[str, tuple[str, int]] = {}
    for item in data.classes:
        class_seen.setdefault(item.name, (item.file, item.line))
    for lesson in data.lessons:
        class_seen.setdefault(lesson.class_name, (lesson.file, lesson.line))
    new_classes = set()
    for name, (file, line) in sorted(class_seen.items()):
        if name in classes:
            report.add(SKIP, "class", name, gettext("already there"))
            continue
        try:
            classes[name] = roster.class_create(actor=actor, school=school, name=name,
                                                grade=_grade(name))
            new_classes.add(name)
            report.add(CREATE, "class", name, gettext("new class"))
        except ValidationError as error:
            report.problems.extend(_validation_problems(
                error, file=file, line=line,
                prefix=gettext("class %(name)s: ") % {"name": name}))

    subjects_first: dict[str, Lesson] = {}
    for lesson in data.lessons:
        subjects_first.setdefault(lesson.subject, lesson)
    for subject in sorted(set(subjects_first) - known_subjects):
        report.add(CREATE, "subject", subject, gettext("new subject"))

    old_timetables: dict[int, set] = {}
    for class_id, *key in TimetableEntry.objects.filter(school_class__school=school).values_list(
            "school_class_id", "period_id", "group", "subject", "room_id"):
        old_timetables.setdefault(class_id, set()).add(tuple(key))
    changed_classes = []
    for class_name, planned in timetable_by_class(data.lessons).items():
        school_class = classes.get(class_name)
        if school_class is None:
            continue  # its creation failed: already a problem
        entries = []
        for entry in planned:
            period = periods.get((entry.weekday, str(entry.period)))
            if period is None:
                report.problems.append(Problem(entry.file, gettext_noop(
                    "period %(period)s does not exist in the bell schedule on %(day)s; add it "
                    "to the bell schedule or correct the export."),
                    {"period": entry.period, "day": _weekday_text(entry.weekday)},
                    line=entry.line, column=7, column_name=gettext_noop("period")))
                continue
            entries.append({"period": period, "subject": entry.subject[:50],
                            "room": rooms.get(entry.room) if entry.room else None,
                            "group": entry.group})
        new = {(e["period"].pk, e["group"], e["subject"], e["room"].pk if e["room"] else None)
               for e in entries}
        old = old_timetables.get(school_class.pk, set())
        what = "timetable"
        if new == old:
            report.add(SKIP, what, class_name,
                       gettext("unchanged (%(count)s lessons)") % {"count": len(new)})
            continue
        try:
            roster.timetable_set(actor=actor, school_class=school_class, entries=entries)
        except ValidationError as error:
            first = planned[0]
            report.problems.extend(_validation_problems(
                error, file=first.file, line=None,
                prefix=gettext("class %(name)s: ") % {"name": class_name}))
            continue
        if class_name in new_classes or not old:
            report.add(CREATE, what, class_name,
                       ngettext("%(count)s lesson", "%(count)s lessons", len(new))
                       % {"count": len(new)})
        else:
            report.add(UPDATE, what, class_name, gettext(
                "%(added)s lessons added, %(removed)s removed") % {
                "added": len(new - old), "removed": len(old - new)})
            changed_classes.append(school_class)
    report.affected_plans = _affected_plans(school, changed_classes, retimed=retimed)


def _affected_plans(school: School, classes: list[SchoolClass], *,
                    retimed: bool = False) -> list[str]:
    """Plans from this week on that assign children of the changed classes (all of them when
    periods got other times): they were made for the old timetable and should be solved
    again."""
    if not classes and not retimed:
        return []
    from poolplan.planning.models import Plan

    plans = Plan.objects.filter(school=school, monday__gte=iso_week_monday(timezone.localdate()))
    if not retimed:
        plans = plans.filter(assignments__child__school_class__in=classes)
    return [str(plan) for plan in plans.distinct().order_by("monday", "version")]


# --- children, need profiles, assistants, approvals --------------------------------------------


def people_import(*, school: School, actor: User | None, files: Sequence[tuple[str, bytes]],
                  apply: bool = False) -> ImportReport:
    """Children (with need profiles), assistants and approvals from spreadsheets. Rows are
    matched to existing records by the child's display code, the assistant's name and the
    approval's file number; matching rows update, new ones create, equal ones are skipped."""
    report = ImportReport(problems=size_problems(files))
    if report.problems:
        return report
    data = parse_people(files)
    report.problems.extend(data.problems)
    if not (data.children or data.needs or data.assistants or data.approvals
            or report.problems):
        report.problems.append(Problem(", ".join(n for n, _d in files), gettext_noop(
            "no rows were found; fill in the template and upload it again.")))
    return _run(apply, report, lambda: _PeopleImport(school, actor, report).run(data))


def _lookup(values: dict, name: str):
    return values.get(name.strip().lower())


def _person_key(first_name: str, last_name: str, date_of_birth) -> tuple:
    return (first_name.strip().lower(), last_name.strip().lower(), date_of_birth)


def _need_key(period_id: int, need: int, room_id: int | None, skill_ids) -> tuple:
    return (period_id, need, room_id, frozenset(skill_ids))


class _PeopleImport:
    def __init__(self, school: School, actor: User | None, report: ImportReport):
        # Everything a row is compared with is read here, once: a file of hundreds of rows
        # costs the same reads as one of ten (writes aside).
        self.school, self.actor, self.report = school, actor, report
        self.classes = {c.name.lower(): c for c in school.classes.all()}
        self.rooms = {r.name.lower(): r for r in school.rooms.all()}
        self.periods = {(p.weekday, p.label.lower()): p for p in school.periods.all()}
        self.skills = {}
        for skill in Skill.objects.all():
            self.skills[skill.code.lower()] = skill
            self.skills[skill.name.lower()] = skill
        self.funding_bodies = {f.name.lower(): f for f in FundingBody.objects.all()}
        children = list(school.children.select_related("school_class")
                        .prefetch_related("required_skills"))
        self.children = {c.display_code.lower(): c for c in children}
        self.people = {_person_key(c.first_name, c.last_name, c.date_of_birth): c
                       for c in children}
        self.need_profiles: dict[int, set] = {}
        for entry in NeedProfileEntry.objects.filter(child__school=school).prefetch_related(
                "skills"):
            self.need_profiles.setdefault(entry.child_id, set()).add(_need_key(
                entry.period_id, entry.need, entry.room_id, [s.pk for s in entry.skills.all()]))
        self.known_approvals = {(a.child_id, a.file_number): a for a in Approval.objects.filter(
            child__school=school).select_related("child", "funding_body")}

    def problem(self, where, message: str, column_name: str = "", **params) -> None:
        self.report.problems.append(Problem(where.file, message, params, line=where.line,
                                            column=where.column(column_name),
                                            column_name=column_name))

    def run(self, data: PeopleData) -> None:
        self.assistants(data.assistants)
        self.children_rows(data.children)
        self.needs(data.needs)
        self.approvals(data.approvals)

    def resolve_skills(self, where, names: Iterable[str], column: str) -> list[Skill] | None:
        found, ok = [], True
        for name in names:
            skill = _lookup(self.skills, name)
            if skill is None:
                ok = False
                self.problem(where, gettext_noop(
                    "the skill \"%(skill)s\" is not known; use one of: %(known)s."), column,
                    skill=name, known=", ".join(sorted({s.code for s in self.skills.values()})))
            else:
                found.append(skill)
        return found if ok else None

    # children

    def children_rows(self, rows: list[ChildRow]) -> None:
        seen_codes: dict[str, int] = {}
        seen_people: dict[tuple, str] = {}
        for row in rows:
            code = row.display_code.lower()
            if code in seen_codes:
                self.problem(row.where, gettext_noop(
                    "the display code %(code)s appears twice (also line %(other)s); each child "
                    "needs a code of its own."), "display_code", code=row.display_code,
                    other=seen_codes[code])
                continue
            seen_codes[code] = row.where.line
            person = _person_key(row.first_name, row.last_name, row.date_of_birth)
            if person in seen_people:
                self.problem(row.where, gettext_noop(
                    "this child is listed twice (also as %(code)s); remove one of the rows."),
                    code=seen_people[person])
                continue
            seen_people[person] = row.display_code
            self.child_row(row)

    def child_row(self, row: ChildRow) -> None:
        school_class = _lookup(self.classes, row.class_name)
        if school_class is None:
            self.problem(row.where, gettext_noop(
                "class %(name)s does not exist at %(school)s; import the timetable first or "
                "correct the class."), "class", name=row.class_name, school=self.school.name)
            return
        skills = self.resolve_skills(row.where, row.required_skills, "required_skills")
        if skills is None:
            return
        fields = {"school_class": school_class, "first_name": row.first_name,
                  "last_name": row.last_name, "date_of_birth": row.date_of_birth,
                  "course_groups": list(row.course_groups)}
        existing = self.children.get(row.display_code.lower())
        what = "child"
        try:
            if existing is None:
                twin = self.people.get(_person_key(row.first_name, row.last_name,
                                                   row.date_of_birth))
                if twin is not None:
                    self.problem(row.where, gettext_noop(
                        "this child seems to be entered already, as %(code)s; use that display "
                        "code or correct the row."), code=twin.display_code)
                    return
                child = roster.child_create(actor=self.actor, school=self.school,
                                            display_code=row.display_code,
                                            required_skills=skills, **fields)
                self.children[row.display_code.lower()] = child
                self.report.add(CREATE, what, row.display_code,
                                gettext("class %(name)s") % {"name": school_class.name})
                return
            changed = sorted(name for name, value in fields.items()
                             if getattr(existing, name) != value)
            if {s.pk for s in existing.required_skills.all()} != {s.pk for s in skills}:
                changed.append("required_skills")
            if not changed:
                self.report.add(SKIP, what, row.display_code, gettext("unchanged"))
                return
            roster.child_update(actor=self.actor, child=existing, required_skills=skills,
                                **fields)
            self.report.add(UPDATE, what, row.display_code,
                            ", ".join(n.replace("_", " ") for n in changed))
        except ValidationError as error:
            self.report.problems.extend(_validation_problems(
                error, file=row.where.file, line=row.where.line))

    # need profiles

    def needs(self, rows: list[NeedRow]) -> None:
        by_child: dict[str, list[NeedRow]] = {}
        for row in rows:
            by_child.setdefault(row.display_code.lower(), []).append(row)
        for code, child_rows in by_child.items():
            child = self.children.get(code)
            first = child_rows[0]
            if child is None:
                self.problem(first.where, gettext_noop(
                    "no child has the display code %(code)s; add the child in the children "
                    "table first."), "display_code", code=first.display_code)
                continue
            entries, ok, seen = [], True, {}
            for row in child_rows:
                period = self.periods.get((row.weekday, row.period.lower()))
                if period is None:
                    ok = False
                    self.problem(row.where, gettext_noop(
                        "period %(period)s does not exist in the bell schedule on %(day)s."),
                        "period", period=row.period, day=_weekday_text(row.weekday))
                    continue
                if period.pk in seen:
                    ok = False
                    self.problem(row.where, gettext_noop(
                        "%(code)s has this period twice (also line %(other)s); keep one row."),
                        "period", code=row.display_code, other=seen[period.pk])
                    continue
                seen[period.pk] = row.where.line
                room = None
                if row.room:
                    room = _lookup(self.rooms, row.room)
                    if room is None:
                        ok = False
                        self.problem(row.where, gettext_noop(
                            "room %(room)s does not exist at %(school)s; import the rooms "
                            "first or correct the room."), "room", room=row.room,
                            school=self.school.name)
                        continue
                skills = self.resolve_skills(row.where, row.skills, "skills")
                if skills is None:
                    ok = False
                    continue
                entries.append({"period": period, "need": row.need, "room": room,
                                "skills": skills})
            if not ok:
                continue
            self.need_profile(child, entries, first)

    def need_profile(self, child: Child, entries: list[dict], first: NeedRow) -> None:
        old = self.need_profiles.get(child.pk, set())
        new = {_need_key(e["period"].pk, e["need"], e["room"].pk if e["room"] else None,
                   [s.pk for s in e["skills"]]) for e in entries if e["need"]}
        what = "need profile"
        if old == new:
            self.report.add(SKIP, what, child.display_code, gettext("unchanged"))
            return
        try:
            roster.need_profile_set(actor=self.actor, child=child, entries=entries)
        except ValidationError as error:
            self.report.problems.extend(_validation_problems(
                error, file=first.where.file, line=first.where.line,
                prefix=f"{child.display_code}: "))
            return
        self.report.add(UPDATE if old else CREATE, what, child.display_code,
                        gettext("%(count)s periods with need") % {"count": len(new)})

    # assistants

    def assistants(self, rows: list[AssistantRow]) -> None:
        existing = {(a.first_name.lower(), a.last_name.lower()): a for a in
                    Assistant.objects.filter(provider=self.school.provider,
                                             archived_at__isnull=True)
                    .prefetch_related("schools", "skills", "working_times")}
        seen: dict[tuple, int] = {}
        professions = {}
        for value, label in Profession.choices:
            professions[value] = value
            professions[str(label).lower()] = value
        for row in rows:
            name = (row.first_name.lower(), row.last_name.lower())
            if name in seen:
                self.problem(row.where, gettext_noop(
                    "%(name)s appears twice (also line %(other)s); keep one row per person."),
                    name=f"{row.first_name} {row.last_name}", other=seen[name])
                continue
            seen[name] = row.where.line
            profession = Profession.ASSISTANT
            if row.profession:
                profession = professions.get(row.profession.strip().lower())
                if profession is None:
                    self.problem(row.where, gettext_noop(
                        "\"%(value)s\" is not a profession; use one of: %(known)s."),
                        "profession", value=row.profession,
                        known=", ".join(Profession.values))
                    continue
            skills = self.resolve_skills(row.where, row.skills, "skills")
            if skills is None:
                continue
            self.assistant(row, existing.get(name), profession, skills)

    def assistant(self, row: AssistantRow, assistant: Assistant | None, profession: str,
                  skills: list[Skill]) -> None:
        what = "assistant"
        label = f"{row.first_name} {row.last_name}"
        times = sorted(row.working_times)
        try:
            if assistant is None:
                assistant = roster.assistant_create(
                    actor=self.actor, provider=self.school.provider, first_name=row.first_name,
                    last_name=row.last_name, profession=profession,
                    contract_minutes_per_week=row.contract_minutes_per_week,
                    schools=[self.school], skills=skills)
                if times:
                    roster.assistant_set_working_times(actor=self.actor, assistant=assistant,
                                                       times=times)
                self.report.add(CREATE, what, label, gettext("new pool member"))
                return
            changed = []
            fields = {"profession": profession,
                      "contract_minutes_per_week": row.contract_minutes_per_week}
            changed += [n for n, v in fields.items() if getattr(assistant, n) != v]
            schools = list(assistant.schools.all())
            if self.school not in schools:
                schools.append(self.school)
                changed.append("schools")
            if {s.pk for s in assistant.skills.all()} != {s.pk for s in skills}:
                changed.append("skills")
            if changed:
                roster.assistant_update(actor=self.actor, assistant=assistant, skills=skills,
                                        schools=schools, **fields)
            old_times = sorted((w.weekday, w.start, w.end)
                               for w in assistant.working_times.all())
            if times and times != old_times:
                roster.assistant_set_working_times(actor=self.actor, assistant=assistant,
                                                   times=times)
                changed.append("working_times")
            if changed:
                self.report.add(UPDATE, what, label,
                                ", ".join(n.replace("_", " ") for n in changed))
            else:
                self.report.add(SKIP, what, label, gettext("unchanged"))
        except ValidationError as error:
            self.report.problems.extend(_validation_problems(
                error, file=row.where.file, line=row.where.line, prefix=f"{label}: "))

    # approvals

    def approvals(self, rows: list[ApprovalRow]) -> None:
        seen: dict[tuple, int] = {}
        for row in rows:
            child = self.children.get(row.display_code.lower())
            if child is None:
                self.problem(row.where, gettext_noop(
                    "no child has the display code %(code)s; add the child in the children "
                    "table first."), "display_code", code=row.display_code)
                continue
            key = (row.display_code.lower(), row.file_number)
            if key in seen:
                self.problem(row.where, gettext_noop(
                    "approval %(file)s of %(code)s appears twice (also line %(other)s); keep "
                    "one row."), "file_number", file=row.file_number, code=row.display_code,
                    other=seen[key])
                continue
            seen[key] = row.where.line
            funding_body = _lookup(self.funding_bodies, row.funding_body)
            if funding_body is None:
                # Not created on the fly: a funding body is an authority whose reviewers get
                # logins to see proofs, and a typo ("Jugendamt Nrod") would make a second one.
                if self.funding_bodies:
                    self.problem(row.where, gettext_noop(
                        "the funding body \"%(name)s\" is not known; use one of: %(known)s, "
                        "or ask an administrator to add it."), "funding_body",
                        name=row.funding_body,
                        known=", ".join(sorted(f.name for f in self.funding_bodies.values())))
                else:
                    self.problem(row.where, gettext_noop(
                        "the funding body \"%(name)s\" is not known, and none is entered yet; "
                        "ask an administrator to add it, then import again."), "funding_body",
                        name=row.funding_body)
                continue
            self.approval(row, child, funding_body)

    def approval(self, row: ApprovalRow, child: Child, funding_body: FundingBody) -> None:
        fields = {"funding_body": funding_body, "minutes_per_week": row.minutes_per_week,
                  "valid_from": row.valid_from, "valid_to": row.valid_to,
                  "max_ratio": row.max_ratio}
        what = "approval"
        label = f"{row.file_number} ({child.display_code})"
        existing = self.known_approvals.get((child.pk, row.file_number))
        try:
            if existing is None:
                roster.approval_create(actor=self.actor, child=child,
                                       file_number=row.file_number, **fields)
                self.report.add(CREATE, what, label, gettext(
                    "%(minutes)s minutes/week, %(start)s to %(end)s") % {
                    "minutes": row.minutes_per_week, "start": row.valid_from.isoformat(),
                    "end": row.valid_to.isoformat()})
                return
            changed = [n for n, v in fields.items() if getattr(existing, n) != v]
            if not changed:
                self.report.add(SKIP, what, label, gettext("unchanged"))
                return
            roster.approval_update(actor=self.actor, approval=existing, **fields)
            self.report.add(UPDATE, what, label,
                            ", ".join(n.replace("_", " ") for n in changed))
        except ValidationError as error:
            self.report.problems.extend(_validation_problems(
                error, file=row.where.file, line=row.where.line, prefix=f"{label}: "))


# --- uploads kept between preview and confirmation ---------------------------------------------

RUNNERS = {ImportKind.TIMETABLE: timetable_import, ImportKind.PEOPLE: people_import}
# Unconfirmed uploads hold personal data; they are not kept longer than needed to confirm.
UPLOAD_KEEP = datetime.timedelta(days=1)


@transaction.atomic
def upload_create(*, actor: User, school: School, kind: str,
                  files: Sequence[tuple[str, bytes]]) -> ImportUpload:
    ImportUpload.objects.filter(applied_at__isnull=True,
                                created_at__lt=timezone.now() - UPLOAD_KEEP).delete()
    upload = ImportUpload.objects.create(school=school, kind=kind, created_by=actor)
    for name, data in files:
        ImportFile.objects.create(upload=upload, name=name[:255], size=len(data),
                                  sha256=hashlib.sha256(data).hexdigest(), content=data)
    # The files hold children's names: their arrival is part of the audit trail.
    audit_record(actor=actor, action=AuditAction.CREATE, obj=upload,
                 summary=f"Uploaded {len(files)} file(s) for a {kind} import at {school.name}: "
                         + ", ".join(name for name, _data in files)[:200])
    return upload


def upload_files(upload: ImportUpload) -> list[tuple[str, bytes]]:
    files = []
    for stored in upload.files.all():
        data = bytes(stored.content)
        if hashlib.sha256(data).hexdigest() != stored.sha256:
            raise ValidationError(gettext("The stored upload is damaged; upload the file "
                                          "again."))
        files.append((stored.name, data))
    return files


def upload_preview(*, upload: ImportUpload, actor: User) -> ImportReport:
    return RUNNERS[upload.kind](school=upload.school, actor=actor, files=upload_files(upload),
                                apply=False)


def upload_apply(*, upload: ImportUpload, actor: User) -> ImportReport:
    """Apply an upload all or nothing; once applied the bytes are dropped and the result kept."""
    if upload.applied_at is not None:
        raise ValidationError(gettext("This upload was already imported."))
    with transaction.atomic():
        # Lock the upload row: a double click must not import twice.
        upload = ImportUpload.objects.select_for_update().get(pk=upload.pk)
        if upload.applied_at is not None:
            raise ValidationError(gettext("This upload was already imported."))
        report = RUNNERS[upload.kind](school=upload.school, actor=actor,
                                      files=upload_files(upload), apply=True)
        if report.applied:
            upload.applied_at = timezone.now()
            upload.result = report.as_json()
            upload.save(update_fields=["applied_at", "result"])
            upload.files.update(content=b"")
            audit_record(actor=actor, action=AuditAction.UPDATE, obj=upload,
                         summary=f"Confirmed {upload.kind} import {upload.pk} at "
                                 f"{upload.school.name}")
    return report
