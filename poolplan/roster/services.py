"""Writes for the roster: every change validates, writes its audit row and lands atomically.

Each function raises `django.core.exceptions.ValidationError` with a message dict
(field -> a sentence that says what to do) on bad input; the transaction then rolls back, so
nothing half-written stays behind. Permission checks are the callers' job (selectors, views).

Single-row rules live in the models' `full_clean()`; the cross-row rules (overlapping
approvals and absences, a room for every needed period, deleting with history) live here as
`*_check` functions, so admin forms can run exactly the same checks in `clean()`.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from poolplan.accounts.models import AuditAction, Role, User
from poolplan.accounts.services import audit_record
from poolplan.roster.models import (
    WEEKDAY_CODES,
    Absence,
    AbsenceReason,
    Approval,
    Assistant,
    Child,
    FundingBody,
    FundingModel,
    NeedProfileEntry,
    ParentLink,
    Period,
    PeriodKind,
    Profession,
    Provider,
    Room,
    School,
    SchoolClass,
    Skill,
    TimetableEntry,
    Weekday,
    WorkingTime,
)

# Shown in the audit trail instead of the content of sensitive free text: the trail is read by
# more people than may read a child's notes, and health data must not leak through it.
NOT_RECORDED = "(not recorded)"


# --- helpers ------------------------------------------------------------------------------------


def _json_value(value):
    """A value as it can be stored in the audit row's JSON `changes`."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(str(_json_value(v)) for v in value)
    return value


def _m2m_names(values: Iterable) -> list[str]:
    return sorted(str(v) for v in values)


def _apply_fields(obj: models.Model, fields: dict, *, allowed: set[str],
                  sensitive: frozenset[str] = frozenset()) -> dict:
    """Set plain fields on `obj` and return the audit `changes` {field: [old, new]}."""
    unknown = set(fields) - allowed
    if unknown:
        # A programming error, not a user's: the caller passed a field this service does not
        # change.
        raise TypeError(f"{type(obj).__name__} has no changeable field(s) {sorted(unknown)}")
    changes = {}
    for name, new in fields.items():
        old = getattr(obj, name)
        if old != new:
            setattr(obj, name, new)
            changes[name] = ([NOT_RECORDED, NOT_RECORDED] if name in sensitive
                             else [_json_value(old), _json_value(new)])
    return changes


def _set_m2m(obj: models.Model, name: str, values, changes: dict) -> None:
    """Replace a many-to-many field and record the change when the set differs."""
    manager = getattr(obj, name)
    old = list(manager.all())
    new = list(values)
    if {o.pk for o in old} != {n.pk for n in new}:
        manager.set(new)
        changes[name] = [_m2m_names(old), _m2m_names(new)]


def _history_relations(obj: models.Model, *, ignore: set[str]) -> list[str]:
    """What holds rows pointing at `obj` (its history), as the related models' plural names;
    `ignore` lists reverse accessor names that are not history.

    Generic on purpose: log entries, plan assignments and cards of later apps count as history
    without this module having to know them."""
    found = []
    for relation in obj._meta.related_objects:
        accessor = relation.get_accessor_name()
        if accessor is None or accessor in ignore:
            continue
        if relation.related_model._default_manager.filter(
                **{relation.field.name: obj}).exists():
            # The model's plural name ("approvals", "audit trail") reads well in a message.
            found.append(str(relation.related_model._meta.verbose_name_plural))
    return found


def _lock(obj: models.Model) -> None:
    """Lock the row the cross-row rule is about (the child of an approval, the person of an
    absence) until the transaction ends, so two concurrent saves cannot both pass the overlap
    check. PostgreSQL honours it; SQLite serialises writers anyway."""
    type(obj)._default_manager.select_for_update().filter(pk=obj.pk).exists()


def _weekday_name(weekday: int) -> str:
    return str(Weekday(weekday).label)


def period_label_text(period: Period) -> str:
    """'Tuesday, period 3' or 'Tuesday, break 1' — how coordinators name a slot."""
    day = _weekday_name(period.weekday)
    if period.kind == PeriodKind.BREAK:
        return _("%(day)s, break %(label)s") % {"day": day, "label": period.label.lstrip("b")}
    return _("%(day)s, period %(label)s") % {"day": day, "label": period.label}


# --- schools, rooms, bell schedule, classes, timetable ------------------------------------------


def school_check(*, funding_model: str, budget_minutes_per_week: int | None) -> None:
    if funding_model == FundingModel.SCHOOL_BUDGET and not budget_minutes_per_week:
        raise ValidationError({"budget_minutes_per_week": _(
            "A school-budget pool needs its budget: enter the minutes per week for all "
            "children together.")})


@transaction.atomic
def school_create(*, actor: User | None, provider: Provider, name: str,
                  funding_model: str = FundingModel.INDIVIDUAL,
                  budget_minutes_per_week: int | None = None) -> School:
    school = School(provider=provider, name=name, funding_model=funding_model,
                    budget_minutes_per_week=budget_minutes_per_week)
    school_check(funding_model=funding_model, budget_minutes_per_week=budget_minutes_per_week)
    school.full_clean()
    school.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=school,
                 summary=f"School {school.name} created")
    return school


@transaction.atomic
def school_update(*, actor: User | None, school: School, **fields) -> School:
    changes = _apply_fields(school, fields,
                            allowed={"name", "funding_model", "budget_minutes_per_week"})
    school_check(funding_model=school.funding_model,
                 budget_minutes_per_week=school.budget_minutes_per_week)
    school.full_clean()
    if changes:
        school.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=school, changes=changes,
                     summary=f"School {school.name} changed")
    return school


@transaction.atomic
def room_create(*, actor: User | None, school: School, name: str, floor: str = "") -> Room:
    room = Room(school=school, name=name, floor=floor)
    room.full_clean()
    room.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=room,
                 summary=f"Room {room.name} created at {school.name}")
    return room


def period_check(*, school: School, weekday: int, start: datetime.time, end: datetime.time,
                 default_room: Room | None, exclude_pk: int | None = None) -> None:
    if end <= start:
        raise ValidationError({"end": _("The period must end after it starts.")})
    if default_room is not None and default_room.school_id != school.pk:
        raise ValidationError({"default_room": _(
            "Choose a room of %(school)s.") % {"school": school.name}})
    clash = (Period.objects.filter(school=school, weekday=weekday, start__lt=end, end__gt=start)
             .exclude(pk=exclude_pk).first())
    if clash is not None:
        raise ValidationError({"start": _(
            "This period overlaps %(other)s; change the times so periods follow each other."
        ) % {"other": str(clash)}})


@transaction.atomic
def period_create(*, actor: User | None, school: School, weekday: int, label: str,
                  start: datetime.time, end: datetime.time, kind: str = PeriodKind.LESSON,
                  default_room: Room | None = None) -> Period:
    period_check(school=school, weekday=weekday, start=start, end=end,
                 default_room=default_room)
    period = Period(school=school, weekday=weekday, label=label, start=start, end=end,
                    kind=kind, default_room=default_room)
    period.full_clean()
    period.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=period,
                 summary=f"Period {period} created at {school.name}")
    return period


def _hm(value: datetime.time) -> str:
    return value.strftime("%H:%M")


def period_label_short(label: str) -> str:
    """'period 3' or 'break 1', for a period label ("3", "b1") where the day is said already."""
    if label.startswith("b"):
        return _("break %(label)s") % {"label": label[1:]}
    return _("period %(label)s") % {"label": label}


@transaction.atomic
def bell_schedule_set(*, actor: User | None, school: School,
                      times: Sequence[dict]) -> dict[str, str]:
    """Times of lesson periods as the school's timetable program has them: each dict
    {"weekday", "label", "start", "end"}. A period the school lacks is created as a lesson;
    one it has keeps its kind and gets the new times. Each weekday is checked as a whole, after
    the change, so shifting every period by five minutes does not clash with its old self.

    Returns {slot id: "created" | "updated" | "unchanged"}.

    Raises:
        ValidationError: keyed by the slot id ("mon-3") of each period that would overlap
            another or end before it starts; nothing is written.
    """
    existing = {(p.weekday, p.label): p for p in school.periods.select_for_update()}
    errors: dict[str, list[str]] = {}
    wanted: dict[tuple[int, str], tuple[datetime.time, datetime.time]] = {}
    for item in times:
        key = (item["weekday"], item["label"])
        slot = f"{WEEKDAY_CODES.get(key[0], key[0])}-{key[1]}"
        if key[0] not in Weekday.values:
            errors.setdefault(slot, []).append(_("Choose a weekday from Monday to Saturday."))
        elif item["end"] <= item["start"]:
            errors.setdefault(slot, []).append(_("The period must end after it starts."))
        wanted[key] = (item["start"], item["end"])
    days: dict[int, list[tuple[datetime.time, datetime.time, str, bool]]] = {}
    for key, period in existing.items():
        if key not in wanted:
            days.setdefault(key[0], []).append((period.start, period.end, period.label, False))
    for (weekday, label), (start, end) in wanted.items():
        days.setdefault(weekday, []).append((start, end, label, True))
    for weekday, rows in days.items():
        if weekday not in Weekday.values:
            continue
        rows.sort()
        latest = rows[0]  # of the periods so far, the one that ends last
        for row in rows[1:]:
            if row[0] < latest[1] and (row[3] or latest[3]):
                # Said at the imported period (the one the caller can correct).
                mine, other = (row, latest) if row[3] else (latest, row)
                errors.setdefault(f"{WEEKDAY_CODES[weekday]}-{mine[2]}", []).append(_(
                    "%(day)s: it overlaps %(other)s (%(start)s–%(end)s); correct the times so "
                    "that periods follow each other.") % {
                    "day": _weekday_name(weekday), "other": period_label_short(other[2]),
                    "start": _hm(other[0]), "end": _hm(other[1])})
            if row[1] > latest[1]:
                latest = row
    if errors:
        raise ValidationError(errors)
    result, new_rows, changed_rows, changes = {}, [], [], {}
    for (weekday, label), (start, end) in wanted.items():
        period = existing.get((weekday, label))
        slot = f"{WEEKDAY_CODES[weekday]}-{label}"
        if period is None:
            period = Period(school=school, weekday=weekday, label=label, start=start, end=end,
                            kind=PeriodKind.LESSON)
            period.full_clean(exclude=["school"], validate_unique=False,
                              validate_constraints=False)
            new_rows.append(period)
            result[slot] = "created"
            changes[slot] = [None, f"{_hm(start)}-{_hm(end)}"]
        elif (period.start, period.end) != (start, end):
            changes[slot] = [f"{_hm(period.start)}-{_hm(period.end)}",
                             f"{_hm(start)}-{_hm(end)}"]
            period.start, period.end = start, end
            changed_rows.append(period)
            result[slot] = "updated"
        else:
            result[slot] = "unchanged"
    Period.objects.bulk_create(new_rows)
    Period.objects.bulk_update(changed_rows, ["start", "end"])
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=school, changes=changes,
                     summary=f"Bell schedule of {school.name}: {len(new_rows)} periods added, "
                             f"{len(changed_rows)} retimed")
    return result


@transaction.atomic
def class_create(*, actor: User | None, school: School, name: str,
                 grade: int | None = None) -> SchoolClass:
    school_class = SchoolClass(school=school, name=name, grade=grade)
    school_class.full_clean()
    school_class.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=school_class,
                 summary=f"Class {school_class.name} created at {school.name}")
    return school_class


def timetable_entry_check(*, school_class: SchoolClass, period: Period,
                          room: Room | None) -> None:
    if period.school_id != school_class.school_id:
        raise ValidationError({"period": _("Choose a period of the class's school.")})
    if room is not None and room.school_id != school_class.school_id:
        raise ValidationError({"room": _("Choose a room of the class's school.")})


@transaction.atomic
def timetable_entry_create(*, actor: User | None, school_class: SchoolClass, period: Period,
                           subject: str, room: Room | None = None,
                           group: str = "") -> TimetableEntry:
    timetable_entry_check(school_class=school_class, period=period, room=room)
    entry = TimetableEntry(school_class=school_class, period=period, subject=subject,
                           room=room, group=group)
    entry.full_clean()
    entry.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=entry,
                 summary=f"Timetable entry {entry} created")
    return entry


@transaction.atomic
def timetable_set(*, actor: User | None, school_class: SchoolClass,
                  entries: Sequence[dict]) -> list[TimetableEntry]:
    """Replace a class's whole timetable (as imported from the school's timetable software);
    each dict {"period", "subject", "room", "group"}. One audit row for the class."""
    problems = []
    seen = set()
    for entry in entries:
        period, room, group = entry["period"], entry.get("room"), entry.get("group", "")
        try:
            timetable_entry_check(school_class=school_class, period=period, room=room)
        except ValidationError as error:
            problems.extend(f"{period_label_text(period)}: {m}" for m in error.messages)
        if (period.pk, group) in seen:
            problems.append(_("%(where)s appears twice for the same course group; enter each "
                              "lesson once.") % {"where": period_label_text(period)})
        seen.add((period.pk, group))
    if problems:
        raise ValidationError({"entries": problems})
    school_class.timetable.all().delete()
    rows = []
    for entry in entries:
        row = TimetableEntry(school_class=school_class, period=entry["period"],
                             subject=entry["subject"], room=entry.get("room"),
                             group=entry.get("group", ""))
        row.full_clean(exclude=["school_class", "period", "room"], validate_unique=False,
                       validate_constraints=False)
        rows.append(row)
    TimetableEntry.objects.bulk_create(rows)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=school_class,
                 summary=f"Timetable of class {school_class.name} set ({len(rows)} lessons)")
    return rows


# --- children -----------------------------------------------------------------------------------

CHILD_FIELDS = {"school_class", "first_name", "last_name", "display_code", "date_of_birth",
                "notes", "primary_assistant", "max_assistants", "course_groups"}
CHILD_M2M = {"required_skills", "fixed_assistants"}
# Names and date of birth are personal data, notes may be health data: the trail says that
# they changed, not what they say.
CHILD_SENSITIVE = frozenset({"first_name", "last_name", "date_of_birth", "notes"})


def child_check(*, school: School, school_class: SchoolClass,
                primary_assistant: Assistant | None, fixed_assistants: Sequence[Assistant],
                required_skills: Sequence[Skill], course_groups) -> None:
    """Rules across rows for a child's record (also used by the admin form)."""
    errors: dict[str, list[str]] = {}
    if school_class is not None and school_class.school_id != school.pk:
        errors.setdefault("school_class", []).append(
            _("Choose a class of %(school)s.") % {"school": school.name})
    staff_ids = set(school.assistants.filter(archived_at__isnull=True)
                    .values_list("pk", flat=True)) if school.pk else set()
    if primary_assistant is not None and primary_assistant.pk not in staff_ids:
        errors.setdefault("primary_assistant", []).append(_(
            "%(name)s does not work in the pool of %(school)s; choose a pool member or add "
            "the school to the assistant first.") % {"name": primary_assistant.full_name,
                                                     "school": school.name})
    required = {s.pk for s in required_skills}
    for assistant in fixed_assistants:
        if assistant.pk not in staff_ids:
            errors.setdefault("fixed_assistants", []).append(_(
                "%(name)s does not work in the pool of %(school)s; choose a pool member."
            ) % {"name": assistant.full_name, "school": school.name})
        missing = required - {s.pk for s in assistant.skills.all()}
        if missing:
            # A fixed person without a required skill could never be sent: the child would
            # get no support at all.
            names = ", ".join(sorted(str(s) for s in required_skills if s.pk in missing))
            errors.setdefault("fixed_assistants", []).append(_(
                "%(name)s lacks the required skill(s) %(skills)s; only fixed persons may "
                "support this child, so each needs every required skill."
            ) % {"name": assistant.full_name, "skills": names})
    if (fixed_assistants and primary_assistant is not None
            and primary_assistant.pk not in {a.pk for a in fixed_assistants}):
        errors.setdefault("primary_assistant", []).append(_(
            "The primary reference person must be one of the fixed persons, who alone may "
            "support this child."))
    if not isinstance(course_groups, list) or not all(
            isinstance(g, str) and g for g in course_groups):
        errors.setdefault("course_groups", []).append(_(
            "Enter the course groups as a list of names, e.g. [\"ethics\", \"French\"]."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def child_create(*, actor: User | None, school: School, school_class: SchoolClass,
                 first_name: str, last_name: str, display_code: str,
                 date_of_birth: datetime.date | None = None, notes: str = "",
                 required_skills: Sequence[Skill] = (),
                 primary_assistant: Assistant | None = None,
                 fixed_assistants: Sequence[Assistant] = (),
                 max_assistants: int | None = None,
                 course_groups: Sequence[str] = ()) -> Child:
    course_groups = list(course_groups)
    child_check(school=school, school_class=school_class, primary_assistant=primary_assistant,
                fixed_assistants=fixed_assistants, required_skills=required_skills,
                course_groups=course_groups)
    child = Child(school=school, school_class=school_class, first_name=first_name,
                  last_name=last_name, display_code=display_code, date_of_birth=date_of_birth,
                  notes=notes, primary_assistant=primary_assistant,
                  max_assistants=max_assistants, course_groups=course_groups)
    child.full_clean()
    child.save()
    child.required_skills.set(required_skills)
    child.fixed_assistants.set(fixed_assistants)
    # The creation row names the child by object id but not by the `child` foreign key: that
    # key protects the child from deletion, and a record entered by mistake (no history yet)
    # must stay deletable. The per-child trail finds this row by object_type/object_id.
    audit_record(actor=actor, action=AuditAction.CREATE, obj=child,
                 summary=f"Child {child.display_code} created at {school.name}")
    return child


@transaction.atomic
def child_update(*, actor: User | None, child: Child, **fields) -> Child:
    m2m = {name: fields.pop(name) for name in list(fields) if name in CHILD_M2M}
    if "course_groups" in fields:
        fields["course_groups"] = list(fields["course_groups"])
    changes = _apply_fields(child, fields, allowed=CHILD_FIELDS, sensitive=CHILD_SENSITIVE)
    child_check(school=child.school, school_class=child.school_class,
                primary_assistant=child.primary_assistant,
                fixed_assistants=list(m2m.get("fixed_assistants",
                                              child.fixed_assistants.all())),
                required_skills=list(m2m.get("required_skills", child.required_skills.all())),
                course_groups=child.course_groups)
    child.full_clean()
    if changes:
        child.save()
    for name, values in m2m.items():
        _set_m2m(child, name, values, changes)
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=child, child=child,
                     changes=changes, summary=f"Child {child.display_code} changed")
    return child


@transaction.atomic
def child_archive(*, actor: User | None, child: Child) -> Child:
    if child.archived_at is not None:
        raise ValidationError({"archived_at": _("This child is already archived.")})
    child.archived_at = timezone.now()
    child.save(update_fields=["archived_at"])
    audit_record(actor=actor, action=AuditAction.ARCHIVE, obj=child, child=child,
                 summary=f"Child {child.display_code} archived")
    return child


@transaction.atomic
def child_delete(*, actor: User | None, child: Child) -> None:
    """Delete a child entered by mistake. A child with any history (approvals, absences, need
    profile, audit events, log entries, ...) is archived instead: proofs of service and the
    audit trail must stay complete."""
    history = _history_relations(child, ignore={"parent_links"})
    if history:
        raise ValidationError({"__all__": _(
            "%(child)s already has history (%(what)s) and cannot be deleted; archive the "
            "child instead.") % {"child": child.display_code, "what": ", ".join(history)}})
    pk, code, school = child.pk, child.display_code, child.school.name
    try:
        child.delete()
    except (ProtectedError, RestrictedError):
        raise ValidationError({"__all__": _(
            "%(child)s is referenced elsewhere and cannot be deleted; archive the child "
            "instead.") % {"child": code}}) from None
    audit_record(actor=actor, action=AuditAction.DELETE, obj=None,
                 summary=f"Child {code} (id {pk}) deleted at {school}",
                 changes={"object_type": "child", "object_id": pk})


@transaction.atomic
def parent_link_create(*, actor: User | None, user: User, child: Child) -> ParentLink:
    if user.role != Role.PARENT:
        raise ValidationError({"user": _(
            "Only a parent's login can be linked to a child; choose a login with the role "
            "Parent.")})
    link = ParentLink(user=user, child=child)
    link.full_clean()
    link.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=link, child=child,
                 summary=f"Parent login {user.get_username()} linked to {child.display_code}")
    return link


# --- need profile -------------------------------------------------------------------------------


def need_room_resolve(*, child: Child, period: Period, room: Room | None = None,
                      timetable: dict | None = None) -> Room | None:
    """Where the child is in `period`: the need entry's own room, else the room of the class's
    timetable entry (the child's course group first, then the whole class), else the period's
    default room (breaks: the yard). None when nothing names a room.

    `timetable` may map period id -> list of the class's TimetableEntry rows, to avoid a
    query per period when resolving a whole week."""
    if room is not None:
        return room
    if timetable is not None:
        entries = timetable.get(period.pk, [])
    else:
        entries = list(TimetableEntry.objects.filter(school_class_id=child.school_class_id,
                                                     period=period).select_related("room"))
    groups = set(child.course_groups or [])
    for wanted in (lambda e: e.group and e.group in groups, lambda e: not e.group):
        for entry in entries:
            if wanted(entry) and entry.room is not None:
                return entry.room
    return period.default_room


def class_timetable(school_class_id: int) -> dict[int, list[TimetableEntry]]:
    """A class's timetable as period id -> entries, for `need_room_resolve`."""
    timetable: dict[int, list[TimetableEntry]] = {}
    for entry in TimetableEntry.objects.filter(
            school_class_id=school_class_id).select_related("room"):
        timetable.setdefault(entry.period_id, []).append(entry)
    return timetable


def need_profile_check(*, child: Child, entries: Sequence[dict]) -> None:
    """Every rule of a weekly need grid, collected so the coordinator sees all problems at
    once."""
    problems: list[str] = []
    seen: set[int] = set()
    timetable = class_timetable(child.school_class_id)
    for entry in entries:
        period: Period = entry["period"]
        need = entry.get("need", 0)
        room = entry.get("room")
        where = period_label_text(period)
        if period.school_id != child.school_id:
            problems.append(_("%(where)s belongs to another school's bell schedule; choose a "
                              "period of %(school)s.") % {"where": where,
                                                          "school": child.school.name})
            continue
        if period.pk in seen:
            problems.append(_("%(where)s appears twice; enter each period once.")
                            % {"where": where})
        seen.add(period.pk)
        if need not in NeedProfileEntry.Need.values:
            problems.append(_("%(where)s: the need must be 0 (none), 1 (shared support) or 2 "
                              "(an adult of its own).") % {"where": where})
            continue
        if room is not None and room.school_id != child.school_id:
            problems.append(_("%(where)s: choose a room of %(school)s.")
                            % {"where": where, "school": child.school.name})
            continue
        if need >= 1 and need_room_resolve(child=child, period=period, room=room,
                                           timetable=timetable) is None:
            problems.append(_("%(where)s: no room — add a timetable entry or choose a room.")
                            % {"where": where})
    if problems:
        raise ValidationError({"entries": problems})


@transaction.atomic
def need_profile_set(*, actor: User | None, child: Child, entries: Sequence[dict]) -> None:
    """Replace the child's whole weekly need grid in one go (entries with need 0 are
    dropped: no entry means no need)."""
    need_profile_check(child=child, entries=entries)
    old = {e.period.slot_id: e.need for e in child.need_profile.select_related("period")}
    child.need_profile.all().delete()
    rows, skills, new = [], [], {}
    for entry in entries:
        if not entry.get("need"):
            continue
        row = NeedProfileEntry(child=child, period=entry["period"], need=entry["need"],
                               room=entry.get("room"))
        # The check above already proved periods and rooms belong to the child's school and
        # each period appears once; skipping the per-row lookups keeps a week's grid (40 rows)
        # to a handful of queries.
        row.full_clean(exclude=["child", "period", "room"], validate_unique=False,
                       validate_constraints=False)
        rows.append(row)
        skills.append(list(entry.get("skills") or []))
        new[entry["period"].slot_id] = entry["need"]
    NeedProfileEntry.objects.bulk_create(rows)
    through = NeedProfileEntry.skills.through
    through.objects.bulk_create([
        through(needprofileentry_id=row.pk, skill_id=skill.pk)
        for row, row_skills in zip(rows, skills, strict=True) for skill in row_skills
    ])
    changes = {slot: [old.get(slot, 0), new.get(slot, 0)]
               for slot in sorted(set(old) | set(new)) if old.get(slot, 0) != new.get(slot, 0)}
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=child, child=child,
                 changes=changes, summary=f"Need profile of {child.display_code} set")


# --- approvals ----------------------------------------------------------------------------------

APPROVAL_FIELDS = {"funding_body", "file_number", "minutes_per_week", "valid_from", "valid_to",
                   "max_ratio"}


def approval_check(*, child: Child, valid_from: datetime.date | None,
                   valid_to: datetime.date | None, exclude_pk: int | None = None) -> None:
    if valid_from is None or valid_to is None:
        return  # full_clean() reports the missing date
    if valid_to < valid_from:
        raise ValidationError({"valid_to": _(
            "The approval must end on or after its first day; check the dates.")})
    other = (Approval.objects.filter(child=child, valid_from__lte=valid_to,
                                     valid_to__gte=valid_from)
             .exclude(pk=exclude_pk).order_by("valid_from").first())
    if other is not None:
        raise ValidationError({"valid_from": _(
            "This period overlaps approval %(file)s (%(start)s to %(end)s) of the same child; "
            "change the dates or shorten the other approval first."
        ) % {"file": other.file_number, "start": other.valid_from.isoformat(),
             "end": other.valid_to.isoformat()}})


@transaction.atomic
def approval_create(*, actor: User | None, child: Child, funding_body: FundingBody,
                    file_number: str, minutes_per_week: int, valid_from: datetime.date,
                    valid_to: datetime.date, max_ratio: int) -> Approval:
    _lock(child)
    approval_check(child=child, valid_from=valid_from, valid_to=valid_to)
    approval = Approval(child=child, funding_body=funding_body, file_number=file_number,
                        minutes_per_week=minutes_per_week, valid_from=valid_from,
                        valid_to=valid_to, max_ratio=max_ratio)
    approval.full_clean()
    approval.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=approval, child=child,
                 summary=f"Approval {file_number} created for {child.display_code}",
                 changes={name: [None, _json_value(getattr(approval, name))]
                          for name in sorted(APPROVAL_FIELDS)})
    return approval


@transaction.atomic
def approval_update(*, actor: User | None, approval: Approval, **fields) -> Approval:
    _lock(approval.child)
    changes = _apply_fields(approval, fields, allowed=APPROVAL_FIELDS)
    approval_check(child=approval.child, valid_from=approval.valid_from,
                   valid_to=approval.valid_to, exclude_pk=approval.pk)
    approval.full_clean()
    if changes:
        approval.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=approval,
                     child=approval.child, changes=changes,
                     summary=f"Approval {approval.file_number} of "
                             f"{approval.child.display_code} changed")
    return approval


@transaction.atomic
def approval_delete(*, actor: User | None, approval: Approval) -> None:
    child = approval.child
    summary = f"Approval {approval.file_number} of {child.display_code} deleted"
    pk = approval.pk
    approval.delete()
    audit_record(actor=actor, action=AuditAction.DELETE, obj=None, child=child,
                 summary=summary, changes={"object_type": "approval", "object_id": pk})


# --- assistants ---------------------------------------------------------------------------------

ASSISTANT_FIELDS = {"first_name", "last_name", "profession", "contract_minutes_per_week",
                    "user"}
ASSISTANT_M2M = {"skills", "schools"}


def assistant_check(*, provider: Provider, schools: Sequence[School],
                    user: User | None) -> None:
    errors = {}
    if not schools:
        errors["schools"] = _("Choose at least one school whose pool the person belongs to.")
    elif any(s.provider_id != provider.pk for s in schools):
        errors["schools"] = _("Choose schools of %(provider)s only.") % {
            "provider": provider.name}
    if user is not None and user.role not in (Role.ASSISTANT, Role.COORDINATOR):
        errors["user"] = _("Link a login with the role Assistant or Coordinator.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def assistant_create(*, actor: User | None, provider: Provider, first_name: str,
                     last_name: str, contract_minutes_per_week: int,
                     schools: Sequence[School], profession: str = Profession.ASSISTANT,
                     skills: Sequence[Skill] = (), user: User | None = None) -> Assistant:
    assistant_check(provider=provider, schools=schools, user=user)
    assistant = Assistant(provider=provider, first_name=first_name, last_name=last_name,
                          contract_minutes_per_week=contract_minutes_per_week,
                          profession=profession, user=user)
    assistant.full_clean(exclude=["schools"])
    assistant.save()
    assistant.schools.set(schools)
    assistant.skills.set(skills)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=assistant,
                 summary=f"Pool member {assistant.full_name} created")
    return assistant


@transaction.atomic
def assistant_update(*, actor: User | None, assistant: Assistant, **fields) -> Assistant:
    m2m = {name: fields.pop(name) for name in list(fields) if name in ASSISTANT_M2M}
    changes = _apply_fields(assistant, fields, allowed=ASSISTANT_FIELDS)
    assistant_check(provider=assistant.provider,
                    schools=list(m2m.get("schools", assistant.schools.all())),
                    user=assistant.user)
    assistant.full_clean(exclude=["schools"])
    if changes:
        assistant.save()
    for name, values in m2m.items():
        _set_m2m(assistant, name, values, changes)
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=assistant, changes=changes,
                     summary=f"Pool member {assistant.full_name} changed")
    return assistant


@transaction.atomic
def assistant_archive(*, actor: User | None, assistant: Assistant) -> Assistant:
    if assistant.archived_at is not None:
        raise ValidationError({"archived_at": _("This pool member is already archived.")})
    assistant.archived_at = timezone.now()
    assistant.save(update_fields=["archived_at"])
    audit_record(actor=actor, action=AuditAction.ARCHIVE, obj=assistant,
                 summary=f"Pool member {assistant.full_name} archived")
    return assistant


@transaction.atomic
def assistant_delete(*, actor: User | None, assistant: Assistant) -> None:
    """Delete a pool member entered by mistake; one with history (primary or fixed person of
    a child, absences, plans, log entries, ...) is archived instead."""
    # Working times are the person's own master data, not history.
    history = _history_relations(assistant, ignore={"working_times"})
    if history:
        raise ValidationError({"__all__": _(
            "%(name)s already has history (%(what)s) and cannot be deleted; archive the pool "
            "member instead.") % {"name": assistant.full_name, "what": ", ".join(history)}})
    pk, name = assistant.pk, assistant.full_name
    try:
        assistant.delete()
    except (ProtectedError, RestrictedError):
        raise ValidationError({"__all__": _(
            "%(name)s is referenced elsewhere and cannot be deleted; archive the pool member "
            "instead.") % {"name": name}}) from None
    audit_record(actor=actor, action=AuditAction.DELETE, obj=None,
                 summary=f"Pool member {name} (id {pk}) deleted",
                 changes={"object_type": "assistant", "object_id": pk})


def working_times_check(times: Sequence[tuple[int, datetime.time, datetime.time]]) -> None:
    problems = []
    by_day: dict[int, list[tuple]] = {}
    for weekday, start, end in times:
        day = _weekday_name(weekday)
        if end <= start:
            problems.append(_("%(day)s: the working time must end after it starts.")
                            % {"day": day})
            continue
        for other_start, other_end in by_day.get(weekday, []):
            if start < other_end and other_start < end:
                problems.append(_("%(day)s: two working times overlap; merge them into one.")
                                % {"day": day})
        by_day.setdefault(weekday, []).append((start, end))
    if problems:
        raise ValidationError({"times": problems})


@transaction.atomic
def assistant_set_working_times(*, actor: User | None, assistant: Assistant,
                                times: Sequence[tuple[int, datetime.time, datetime.time]]
                                ) -> None:
    """Replace the whole weekly working time of a pool member."""
    times = sorted(times)
    working_times_check(times)
    old = [str(w) for w in assistant.working_times.all()]
    assistant.working_times.all().delete()
    for weekday, start, end in times:
        row = WorkingTime(assistant=assistant, weekday=weekday, start=start, end=end)
        row.full_clean()
        row.save()
    new = [str(w) for w in assistant.working_times.all()]
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=assistant,
                 changes={"working_times": [old, new]} if old != new else {},
                 summary=f"Working times of {assistant.full_name} set")


# --- absences -----------------------------------------------------------------------------------

ABSENCE_FIELDS = {"start", "end", "reason", "reason_text"}


def absence_check(*, assistant: Assistant | None, child: Child | None,
                  start: datetime.date | None, end: datetime.date | None,
                  exclude_pk: int | None = None) -> None:
    if (assistant is None) == (child is None):
        raise ValidationError({"assistant": _(
            "Choose either a pool member or a child for the absence, not both and not none.")})
    if start is None or end is None:
        return  # full_clean() reports the missing date
    if end < start:
        raise ValidationError({"end": _(
            "The absence must end on or after its first day; check the dates.")})
    person = {"assistant": assistant} if assistant is not None else {"child": child}
    other = (Absence.objects.filter(start__lte=end, end__gte=start, **person)
             .exclude(pk=exclude_pk).order_by("start").first())
    if other is not None:
        raise ValidationError({"start": _(
            "This overlaps the absence from %(start)s to %(end)s (%(reason)s) already entered; "
            "change that absence instead of adding a second one."
        ) % {"start": other.start.isoformat(), "end": other.end.isoformat(),
             "reason": other.get_reason_display()}})


def absence_check_not_past(*, end: datetime.date, today: datetime.date | None = None) -> None:
    """Absences are entered for the current week and later: an earlier one would change plans,
    log entries and proofs that are already settled."""
    today = today or timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    if end < monday:
        raise ValidationError({"end": _(
            "This absence lies in the past beyond the current week (before %(monday)s); only "
            "absences from this week on can be entered.") % {"monday": monday.isoformat()}})


def _absence_who(absence: Absence) -> str:
    return (absence.assistant.full_name if absence.assistant is not None
            else absence.child.display_code)


@transaction.atomic
def absence_create(*, actor: User | None, assistant: Assistant | None = None,
                   child: Child | None = None, start: datetime.date, end: datetime.date,
                   reason: str = AbsenceReason.ILLNESS, reason_text: str = "",
                   today: datetime.date | None = None) -> Absence:
    """Enter an absence; `today` (default: the local date) decides which weeks are past."""
    if (assistant is None) != (child is None):
        _lock(assistant if assistant is not None else child)
    absence_check(assistant=assistant, child=child, start=start, end=end)
    if end is not None:
        absence_check_not_past(end=end, today=today)
    absence = Absence(assistant=assistant, child=child, start=start, end=end, reason=reason,
                      reason_text=reason_text,
                      created_by=actor if actor is not None and actor.is_authenticated
                      else None)
    absence.full_clean()
    absence.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=absence, child=child,
                 summary=f"Absence of {_absence_who(absence)} {start.isoformat()} to "
                         f"{end.isoformat()} entered")
    return absence


@transaction.atomic
def absence_update(*, actor: User | None, absence: Absence, **fields) -> Absence:
    _lock(absence.assistant if absence.assistant is not None else absence.child)
    changes = _apply_fields(absence, fields, allowed=ABSENCE_FIELDS,
                            sensitive=frozenset({"reason_text"}))
    absence_check(assistant=absence.assistant, child=absence.child, start=absence.start,
                  end=absence.end, exclude_pk=absence.pk)
    absence.full_clean()
    if changes:
        absence.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=absence, child=absence.child,
                     changes=changes, summary=f"Absence of {_absence_who(absence)} changed")
    return absence


@transaction.atomic
def absence_delete(*, actor: User | None, absence: Absence) -> None:
    summary = (f"Absence of {_absence_who(absence)} {absence.start.isoformat()} to "
               f"{absence.end.isoformat()} deleted")
    child, pk = absence.child, absence.pk
    absence.delete()
    audit_record(actor=actor, action=AuditAction.DELETE, obj=None, child=child,
                 summary=summary, changes={"object_type": "absence", "object_id": pk})


# --- logins -------------------------------------------------------------------------------------


def user_check(*, role: str, provider: Provider | None, schools: Sequence[School],
               classes: Sequence[SchoolClass], funding_body: FundingBody | None) -> None:
    errors = {}
    if role in (Role.COORDINATOR, Role.ASSISTANT, Role.TEACHER) and not schools:
        errors["schools"] = _("Choose the school(s) this person works at.")
    if provider is not None and any(s.provider_id != provider.pk for s in schools):
        errors["schools"] = _("Choose schools of %(provider)s only.") % {
            "provider": provider.name}
    if role == Role.TEACHER:
        school_ids = {s.pk for s in schools}
        if not classes:
            errors["classes"] = _("Choose the class(es) the teacher teaches.")
        elif any(c.school_id not in school_ids for c in classes):
            errors["classes"] = _("Choose classes at the teacher's schools only.")
    elif classes:
        errors["classes"] = _("Only teachers have classes; leave the classes empty.")
    if role == Role.REVIEWER and funding_body is None:
        errors["funding_body"] = _("Choose the funding body whose proofs the reviewer sees.")
    elif role != Role.REVIEWER and funding_body is not None:
        errors["funding_body"] = _("Only funding-body reviewers have a funding body; leave it "
                                   "empty.")
    if role == Role.PROVIDER and provider is None:
        errors["provider"] = _("Choose the provider whose schools the manager oversees.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_create(*, actor: User | None, username: str, password: str, role: str,
                provider: Provider | None = None, schools: Sequence[School] = (),
                classes: Sequence[SchoolClass] = (), funding_body: FundingBody | None = None,
                first_name: str = "", last_name: str = "", email: str = "",
                password_hash: str | None = None) -> User:
    """Create a login. Password strength is checked by the forms that ask for one; the demo
    deliberately uses the weak password "demo" and passes it hashed once as `password_hash`
    (hashing costs ~1 s per login). Parents get their children through
    `parent_link_create`."""
    user_check(role=role, provider=provider, schools=schools, classes=classes,
               funding_body=funding_body)
    if provider is None and schools:
        provider = schools[0].provider
    user = User(username=username, role=role, provider=provider, funding_body=funding_body,
                first_name=first_name, last_name=last_name, email=email)
    if password_hash is not None:
        user.password = password_hash
    else:
        user.set_password(password)
    user.full_clean(exclude=["schools", "classes"])
    user.save()
    user.schools.set(schools)
    user.classes.set(classes)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=user,
                 summary=f"Login {username} created with role {role}")
    return user
