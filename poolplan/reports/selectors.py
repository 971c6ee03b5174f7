"""Who may take which export out of poolplan, and what each export holds.

An export is child data leaving the system's access control: a file on a laptop, a sheet on a
staff-room wall. So each goes to the fewest roles whose work needs it (least privilege, from
`shared/spec/domain.md`); a user who cannot see the school or child at all gets 404, one who
sees it but may not export gets 403. Every export writes an audit row (`reports/services.py`).

- **Week plan** of a school (CSV, XLSX, printable page): the school's coordinators. They run
  the week and hand it out; pool members have their day and calendar feed, teachers their
  class view, and neither needs the whole pool's week as a file. It names children by display
  code only, since a print-out hangs where others read it.
- **Hours per child and month** (CSV, XLSX) of a school: its coordinators (who sign the proofs)
  and the provider's management (billing). Rows carry the display code, the funding body and
  file number (what billing software matches on), never names or notes. Reviewers of a
  funding body get each child's signed proof instead; parents see their child's ledger page.
- **GDPR access export** of one child (JSON, PDF): everything poolplan stores about the child,
  notes included, for the coordinators of the child's school only. A parent exercises the
  child's right of access (Art. 15 GDPR) by asking the pool; the coordinator checks who asks
  and hands the export over. Parents do not download it themselves: it holds what they may not
  read on screen (the assistants' notes, the audit trail naming staff), and Art. 15(4) asks the
  controller to weigh the rights of others first. Other children supported in the same session
  appear only as a count.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from poolplan.accounts.models import Role, User
from poolplan.logbook import selectors as logbook_selectors
from poolplan.planning import selectors as planning_selectors
from poolplan.planning.models import Assignment, Plan
from poolplan.planning.weeks import iso_week_monday
from poolplan.roster import selectors as roster_selectors
from poolplan.roster import services as roster_services
from poolplan.roster.models import Child, School, Weekday


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


# --- the week plan ------------------------------------------------------------------------------


def week_plan_school_get(*, user: User, school_id: int) -> School:
    """The school, if the user coordinates it (404 unseen, 403 seen but not coordinated)."""
    return planning_selectors.plan_school_for_manage(user=user, school_id=school_id)


def week_plan_get(*, school: School, week: str) -> Plan:
    """The plan in force for the week: exports show what was published, never a draft."""
    plan = planning_selectors.plan_published_get(school=school, week=week)
    if plan is None:
        raise Http404(f"No plan of {week} is published at {school.name}.")
    return plan


@dataclass(frozen=True)
class WeekPlanRow:
    date: datetime.date
    weekday: str
    period: str
    start: datetime.time
    end: datetime.time
    assistant: str
    child: str
    school_class: str
    room: str


WEEK_PLAN_COLUMNS = ("week", "date", "weekday", "period", "start", "end", "assistant",
                     "child", "class", "room")


def week_plan_rows(*, plan: Plan) -> list[WeekPlanRow]:
    """One row per assignment (slot, assistant, child), in the order of the day."""
    rooms = {(child["id"], slot): room for child in plan.instance.get("children", [])
             for slot, room in child.get("location", {}).items()}
    assignments = (plan.assignments.select_related("period", "assistant", "child",
                                                   "child__school_class")
                   .order_by("date", "period__start", "assistant__last_name",
                             "assistant__first_name", "child__display_code"))
    return [WeekPlanRow(
        date=row.date, weekday=str(Weekday(row.period.weekday).label),
        period=roster_services.period_label_short(row.period.label), start=row.period.start,
        end=row.period.end, assistant=row.assistant.full_name, child=row.child.display_code,
        school_class=row.child.school_class.name,
        room=rooms.get((str(row.child_id), row.slot), "")) for row in assignments]


def week_plan_table(*, plan: Plan, rows: list[WeekPlanRow]) -> list[tuple]:
    return [(plan.week, r.date, r.weekday, r.period, r.start, r.end, r.assistant, r.child,
             r.school_class, r.room) for r in rows]


def week_plan_days(*, plan: Plan, rows: list[WeekPlanRow]) -> list[dict]:
    """The printable page's shape: days, their periods, and who supports whom where."""
    monday = iso_week_monday(plan.week)
    days: dict[datetime.date, dict] = {}
    for offset in range(5):
        day = monday + datetime.timedelta(days=offset)
        days[day] = {"date": day, "name": Weekday(day.isoweekday()).label, "periods": {}}
    for row in rows:
        day = days.setdefault(row.date, {"date": row.date, "name": row.weekday, "periods": {}})
        period = day["periods"].setdefault((row.start, row.period), {
            "label": row.period, "start": row.start, "end": row.end, "groups": {}})
        group = period["groups"].setdefault(row.assistant, {"assistant": row.assistant,
                                                            "children": [], "rooms": []})
        group["children"].append(row.child)
        if row.room and row.room not in group["rooms"]:
            group["rooms"].append(row.room)
    result = []
    for day in sorted(days.values(), key=lambda d: d["date"]):
        periods = [period for _key, period in sorted(day["periods"].items())]
        for period in periods:
            period["groups"] = list(period["groups"].values())
        result.append({**day, "periods": periods})
    return result


# --- hours per child and month ------------------------------------------------------------------

HOURS_ROLES = (Role.COORDINATOR, Role.PROVIDER)

HOURS_COLUMNS = ("month", "school", "child", "class", "funding_body", "file_number",
                 "approved_minutes", "planned_minutes", "delivered_minutes",
                 "credited_minutes", "not_credited_minutes", "excused_minutes",
                 "shortfall_minutes", "debt_before_minutes", "debt_added_minutes",
                 "debt_made_up_minutes", "debt_after_minutes")


def hours_school_get(*, user: User, school_id: int) -> School:
    """The school, for its coordinators and its provider's management."""
    school = roster_selectors.school_get(user=user, school_id=school_id)
    if user.role not in HOURS_ROLES or not roster_selectors.school_can_manage(
            user=user, school=school):
        raise PermissionDenied("The hours export is for the school's coordinators and the "
                               "provider's management.")
    return school


def hours_children(*, user: User, school: School, month: datetime.date) -> list[Child]:
    """The school's children in the month: archived ones too while they were there."""
    first, _last = logbook_selectors.month_bounds(month)
    return list(roster_selectors.child_list(user=user, school=school, include_archived=True)
                .filter(Q(archived_at__isnull=True) | Q(archived_at__date__gte=first))
                .order_by("school_class__name", "display_code"))


def hours_table(*, user: User, school: School, month: datetime.date,
                today: datetime.date | None = None) -> tuple[list[Child], list[tuple]]:
    """(the children, one row per child): approved, planned, delivered and credited minutes,
    the shortfall and the make-up debt, from the log book's ledger."""
    first, last = logbook_selectors.month_bounds(month)
    children = hours_children(user=user, school=school, month=first)
    ledgers = logbook_selectors.child_ledgers(user=user, children=children, start=first,
                                              end=last, today=today or timezone.localdate())
    rows = []
    for child in children:
        ledger = ledgers[child.pk]
        total, approvals = ledger.total, ledger.approvals  # those valid in the month
        rows.append((
            f"{first:%Y-%m}", school.name, child.display_code, child.school_class.name,
            ", ".join(dict.fromkeys(a.funding_body.name for a in approvals)),
            ", ".join(a.file_number for a in approvals),
            total.approved, total.planned, total.delivered, total.credited,
            total.not_credited, total.excused, total.shortfall, total.debt_before,
            total.debt_added, total.debt_made_up, total.debt_after))
    return children, rows


# --- the GDPR access export ---------------------------------------------------------------------


def access_export_child_get(*, user: User, child_id: int) -> Child:
    """The child, for the coordinators of its school (see the module's docstring for why a
    parent is refused)."""
    child = (roster_selectors.child_list(user=user, include_archived=True)
             .select_related("school", "school_class", "primary_assistant").filter(pk=child_id)
             .first())
    if child is None:
        raise Http404("No such child.")
    if not (_active(user) and user.role == Role.COORDINATOR
            and roster_selectors.school_can_manage(user=user, school=child.school)):
        if user.role == Role.PARENT:
            raise PermissionDenied("Ask the coordinator of your child's pool for the access "
                                   "export; they check the request and hand it over.")
        raise PermissionDenied("The access export is made by the coordinator of the child's "
                               "pool.")
    return child


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return value.isoformat()


def _names(values) -> list[str]:
    return [str(value) for value in values]


def access_export(*, user: User, child: Child) -> dict:
    """Everything stored about the child, as plain JSON data, section by section.

    Not included, and why: uploads of an import that was never confirmed (their files are
    deleted after a day; confirmed ones keep no content); notifications, which name children
    by display code only and belong to the staff member they were sent to.
    """
    from poolplan.board.models import CardEvent, CardState, ClassroomDevice
    from poolplan.logbook.models import LogEntry, MonthSignature

    need_profile = [{
        "weekday": str(Weekday(e.period.weekday).label),
        "period": roster_services.period_label_text(e.period),
        "start": _iso(e.period.start), "end": _iso(e.period.end), "need": e.need,
        "need_text": str(e.get_need_display()), "room": str(e.room) if e.room else None,
        "skills": _names(e.skills.all()),
    } for e in child.need_profile.select_related("period", "room").prefetch_related("skills")
        .order_by("period__weekday", "period__start")]
    approvals = [{
        "funding_body": a.funding_body.name, "file_number": a.file_number,
        "minutes_per_week": a.minutes_per_week, "valid_from": _iso(a.valid_from),
        "valid_to": _iso(a.valid_to), "group_ratio": str(a.get_max_ratio_display()),
    } for a in child.approvals.select_related("funding_body").order_by("valid_from")]
    absences = [{
        "from": _iso(a.start), "until": _iso(a.end), "reason": str(a.get_reason_display()),
        "reason_text": a.reason_text, "entered": _iso(a.created_at),
    } for a in child.absences.order_by("start")]
    assignments = [{
        "week": a.plan.week, "plan_version": a.plan.version,
        "plan_status": str(a.plan.get_status_display()), "date": _iso(a.date),
        "period": roster_services.period_label_text(a.period),
        "start": _iso(a.period.start), "end": _iso(a.period.end),
        "assistant": a.assistant.full_name, "pinned": a.pinned,
    } for a in Assignment.objects.filter(child=child)
        .select_related("plan", "period", "assistant")
        .order_by("date", "period__start", "plan__version")]
    planning_records = []
    for plan in (Plan.objects.filter(school=child.school).order_by("monday", "version")
                 .only("week", "version", "status", "instance", "document")):
        mine = [c for c in plan.instance.get("children", []) if c.get("id") == str(child.pk)]
        if not mine:
            continue
        result = [c for c in plan.document.get("children", []) if c.get("id") == str(child.pk)]
        planning_records.append({
            "week": plan.week, "version": plan.version,
            "status": str(plan.get_status_display()),
            "planned_for": {key: mine[0].get(key) for key in (
                "approved_minutes", "max_ratio", "skills", "max_assistants", "needs",
                "location") if key in mine[0]},
            "result": {key: result[0].get(key) for key in ("approved", "credited", "shortfall")
                       if key in result[0]} if result else {},
        })
    state = CardState.objects.filter(child=child).first()
    cards = {
        "current": {"colour": state.colour, "default_colour": state.default_colour,
                    "changed": _iso(state.changed_at)} if state else None,
        "history": [{
            "time": _iso(e.at), "event": str(e.get_kind_display()), "colour": e.colour,
            "colour_text": str(e.get_colour_display()),
            "previous_colour": e.previous_colour, "by": str(e.get_source_display()),
            "person": e.actor.get_full_name() or e.actor.get_username() if e.actor else None,
            "device": str(e.device) if e.device else None,
            "waiting_since": _iso(e.raised_at), "acknowledged": _iso(e.acknowledged_at),
        } for e in CardEvent.objects.filter(child=child).select_related("actor", "device")
            .order_by("at", "pk")],
        "classroom_devices": [{
            "name": str(d), "paired": _iso(d.created_at), "revoked": _iso(d.revoked_at),
        } for d in ClassroomDevice.objects.filter(child=child).order_by("created_at")],
    }
    log_entries = [{
        "id": e.pk, "date": _iso(e.date), "start": _iso(timezone.localtime(e.start).time()),
        "end": _iso(timezone.localtime(e.end).time()), "assistant": e.assistant.full_name,
        "presence": str(e.get_presence_display()), "kind": str(e.get_kind_display()),
        "minutes_away": e.minutes_away, "delivered_minutes": e.delivered_minutes,
        "note": e.note, "incident": e.incident,
        "other_children_at_the_same_time": len(e.group.all()),
        "corrects": e.supersedes_id, "correction_reason": e.correction_reason,
        "entered": _iso(e.created_at),
    } for e in LogEntry.objects.filter(child=child).select_related("assistant")
        .prefetch_related("group").order_by("date", "start", "pk")]
    # Sessions logged for another child in which this child was supported too: the time and
    # the assistant concern this child; the other child's note does not.
    group_sessions = [{
        "date": _iso(e.date), "start": _iso(timezone.localtime(e.start).time()),
        "end": _iso(timezone.localtime(e.end).time()), "assistant": e.assistant.full_name,
        "kind": str(e.get_kind_display()), "presence": str(e.get_presence_display()),
    } for e in LogEntry.objects.filter(group=child).select_related("assistant")
        .order_by("date", "start", "pk")]
    signatures = [{
        "month": f"{s.month:%Y-%m}", "signed_by": s.signed_by_name, "signed": _iso(s.signed_at),
        "content_hash": s.content_hash,
    } for s in MonthSignature.objects.filter(child=child).order_by("month")]
    audit = [{
        "time": _iso(e.at), "who": e.actor_name, "action": str(e.get_action_display()),
        "what": e.summary, "changes": e.changes,
    } for e in roster_selectors.audit_list_for_child(user=user, child=child).order_by("at", "pk")]
    return {
        "format": "poolplan-access-export/1",
        "generated": _iso(timezone.now()),
        "generated_by": user.get_full_name() or user.get_username(),
        "child": {
            "id": child.pk, "display_code": child.display_code,
            "first_name": child.first_name, "last_name": child.last_name,
            "date_of_birth": _iso(child.date_of_birth), "school": child.school.name,
            "class": child.school_class.name, "course_groups": list(child.course_groups or []),
            "required_skills": _names(child.required_skills.all()),
            "notes": child.notes,
            "primary_reference_person": (child.primary_assistant.full_name
                                         if child.primary_assistant else None),
            "fixed_persons": [a.full_name for a in child.fixed_assistants.all()],
            "most_different_assistants_per_week": child.max_assistants,
            "archived": _iso(child.archived_at),
            "parents": [{"login": link.user.get_username(),
                         "name": link.user.get_full_name(), "email": link.user.email}
                        for link in child.parent_links.select_related("user")],
        },
        "need_profile": need_profile,
        "approvals": approvals,
        "absences": absences,
        "assignments": assignments,
        "planning_records": planning_records,
        "cards": cards,
        "log_entries": log_entries,
        "group_sessions": group_sessions,
        "month_signatures": signatures,
        "audit_trail": audit,
    }
