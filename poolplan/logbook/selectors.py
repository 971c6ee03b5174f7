"""Reads of the log book: who may see entries, ledgers and proofs, and the ledger itself.

Access (on top of `roster.selectors`, whose child_list and approval_list decide which children
and approvals a user sees at all):

- Log entries, with notes: the pool (coordinators and assistants of the child's school).
  Assistants log their own sessions; coordinators may log for any member of their pool.
- The ledger page: coordinators, the provider's management (billing), a parent for their own
  child (read-only).
- The proof of service (PDF/CSV): coordinators, the provider's management, and reviewers of a
  funding body for the children it funds. Proofs show no notes.
- Signing a month: the child's coordinator.

A child the user cannot see at all is 404; a child they see but may not act on is 403.

The ledger, per child and period (weeks split at month ends, so a month is the sum of its
weeks):

- approved: `planning.services.approved_minutes_compute` over the week's school days, net of
  the child's whole-day absences; a week part counts only its own days.
- delivered: present minutes minus minutes away, of entries nobody superseded.
- credited: delivered minutes of sessions whose ratio (1 + children in the group) the approval
  valid that day allows; the rest is shown as not credited.
- excused: minutes of sessions the child missed (child absent) or the school cancelled.
- make-up debt: approved minutes of past school days that were neither credited nor excused
  (the assistant absent, nobody planned) are added; minutes credited beyond a period's
  approval pay it back. Debt accrues from the day the child's pool began its log book (its
  school's first entry): before that there is no record to tell a gap from a missing log.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.db.models import Min, QuerySet
from django.http import Http404
from django.utils import timezone

from poolplan.accounts.models import Role, User
from poolplan.logbook.models import LogEntry, MonthSignature, Presence
from poolplan.logbook.services import entries_content_hash, month_start
from poolplan.planning.services import DEFAULT_MAX_RATIO, SCHOOL_WEEKDAYS, approved_minutes_compute
from poolplan.planning.weeks import iso_week_label
from poolplan.roster import selectors as roster_selectors
from poolplan.roster.models import (
    Absence,
    Approval,
    Assistant,
    Child,
    FundingModel,
    Period,
    School,
)

POOL_ROLES = (Role.COORDINATOR, Role.ASSISTANT)
LEDGER_ROLES = (Role.COORDINATOR, Role.PROVIDER, Role.PARENT)
PROOF_ROLES = (Role.COORDINATOR, Role.PROVIDER, Role.REVIEWER)
EXCUSED = (Presence.CHILD_ABSENT, Presence.LESSON_CANCELLED)


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


# --- permissions ----------------------------------------------------------------------------


def log_entry_list(*, user: User, child: Child | None = None) -> QuerySet[LogEntry]:
    if not _active(user) or user.role not in POOL_ROLES:
        return LogEntry.objects.none()
    qs = LogEntry.objects.filter(
        child__in=roster_selectors.child_list(user=user, include_archived=True))
    if child is not None:
        qs = qs.filter(child=child)
    return qs.select_related("child", "assistant")


def loggable_children(*, user: User) -> QuerySet[Child]:
    if not _active(user) or user.role not in POOL_ROLES:
        return Child.objects.none()
    return roster_selectors.child_list(user=user)


def log_entry_assistant(*, user: User, child: Child,
                        assistant_id: int | None = None) -> Assistant:
    """Whose session the user may log for this child: an assistant logs their own; a
    coordinator names any member of the child's pool.

    Raises:
        Http404: the child is not visible to the user.
        PermissionDenied: the user may not log for this child or this assistant.
    """
    if not loggable_children(user=user).filter(pk=child.pk).exists():
        if roster_selectors.child_list(user=user).filter(pk=child.pk).exists():
            raise PermissionDenied("Only the pool's members may log sessions.")
        raise Http404("No such child.")
    if user.role == Role.ASSISTANT:
        me = Assistant.objects.filter(user=user).first()
        if me is None:
            raise PermissionDenied("Your login is not linked to a pool member; ask the "
                                   "coordinator to link it.")
        if assistant_id is not None and assistant_id != me.pk:
            raise PermissionDenied("Assistants log their own sessions; the coordinator may log "
                                   "for others.")
        return me
    if assistant_id is None:
        me = Assistant.objects.filter(user=user).first()
        if me is None:
            raise PermissionDenied("Name the assistant who supported the child.")
        return me
    assistant = roster_selectors.assistant_list(user=user, school=child.school).filter(
        pk=assistant_id).first()
    if assistant is None:
        raise PermissionDenied("That assistant is not a member of this child's pool.")
    return assistant


def _child_for(user: User, child_id: int, roles, purpose: str, refusal: str) -> Child:
    if not roster_selectors.child_list(user=user, include_archived=True).filter(
            pk=child_id).exists():
        raise Http404("No such child.")
    if user.role not in roles:
        raise PermissionDenied(refusal)
    child, _access = roster_selectors.child_get(user=user, child_id=child_id, purpose=purpose)
    return child


def ledger_child_get(*, user: User, child_id: int) -> Child:
    return _child_for(user, child_id, LEDGER_ROLES, "ledger",
                      "The hours ledger is for the coordinator, the provider and the parents.")


def proof_child_get(*, user: User, child_id: int) -> Child:
    return _child_for(user, child_id, PROOF_ROLES, "proof of service",
                      "The proof of service is for the coordinator, the provider and the "
                      "funding body.")


def proof_can_download(*, user: User) -> bool:
    """The proof files; the caller has the child from ledger_child_get or proof_child_get."""
    return _active(user) and user.role in PROOF_ROLES


def month_can_sign(*, user: User, child: Child) -> bool:
    return (_active(user) and user.role == Role.COORDINATOR
            and roster_selectors.school_can_manage(user=user, school=child.school))


def month_sign_child_get(*, user: User, child_id: int) -> Child:
    """The child whose month the user signs (the page and the API alike).

    Raises:
        Http404: the child is not visible to the user.
        PermissionDenied: the user sees the child but does not coordinate its pool.
    """
    child = proof_child_get(user=user, child_id=child_id)
    if not month_can_sign(user=user, child=child):
        raise PermissionDenied("Only the coordinator of the child's pool signs its proof.")
    return child


def card_done_last(*, user: User, child: Child,
                   today: datetime.date | None = None):
    """The user's latest "done" on the child's card today (`board.models.CardEvent`), to
    prefill a log entry from: the session ran from "I'm going" (or from when the card turned)
    to "done". None if there is none."""
    from poolplan.board.models import CardEvent, CardEventKind

    today = today or timezone.localdate()
    zone = timezone.get_current_timezone()
    return (CardEvent.objects.filter(
        child=child, actor=user, kind=CardEventKind.DONE,
        at__gte=datetime.datetime.combine(today, datetime.time(), tzinfo=zone))
        .order_by("-at").first())


def log_entry_get(*, user: User, entry_id: int) -> LogEntry:
    """An entry the user sees (the pool's), with what its edit page needs.

    Raises:
        Http404: not an entry of the user's pool.
    """
    entry = (log_entry_list(user=user).filter(pk=entry_id)
             .select_related("child__school", "assistant", "supersedes", "created_by")
             .prefetch_related("group").first())
    if entry is None:
        raise Http404("No such log entry.")
    return entry


def log_entry_is_signed(*, entry: LogEntry) -> bool:
    return MonthSignature.objects.filter(child_id=entry.child_id,
                                         month=month_start(entry.date)).exists()


def _is_current(entry: LogEntry) -> bool:
    return not LogEntry.objects.filter(supersedes=entry).exists()


def log_entry_can_edit(*, user: User, entry: LogEntry) -> bool:
    """Changing an entry in place: its author (who logged it, or the assistant whose session it
    is) and the pool's coordinator, as long as nobody corrected it. After signing only the
    note and the incident flag (the service refuses key fields then)."""
    if not _active(user) or not _is_current(entry):
        return False
    if month_can_sign(user=user, child=entry.child):
        return True
    return (user.role == Role.ASSISTANT
            and (entry.created_by_id == user.pk or entry.assistant.user_id == user.pk))


def log_entry_can_correct(*, user: User, entry: LogEntry) -> bool:
    """A correction (a new entry with a reason that supersedes this one) is the coordinator's:
    after signing it is the only way to change what the proof shows."""
    return month_can_sign(user=user, child=entry.child) and _is_current(entry)


# --- the ledger -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerPeriod:
    start: datetime.date
    end: datetime.date
    label: str
    approved: int
    planned: int | None
    delivered: int
    credited: int
    not_credited: int
    excused: int
    shortfall: int
    debt_before: int
    debt_added: int
    debt_made_up: int

    @property
    def debt_after(self) -> int:
        return self.debt_before + self.debt_added - self.debt_made_up


@dataclass(frozen=True)
class LedgerSession:
    entry: LogEntry
    delivered: int
    ratio: int
    allowed_ratio: int
    credited: int
    # A correction entered after the month was signed ("a signed month cannot change silently").
    corrected_after_signing: bool

    @property
    def not_credited(self) -> int:
        return self.delivered - self.credited


@dataclass(frozen=True)
class MonthLedger:
    child: Child
    month: datetime.date
    approvals: list[Approval]
    weeks: list[LedgerPeriod]
    total: LedgerPeriod
    sessions: list[LedgerSession]
    superseded: list[LogEntry] = field(default_factory=list)
    signature: MonthSignature | None = None
    changed_since_signing: bool = False


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month_start(month)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def _week_parts(start: datetime.date, end: datetime.date):
    """(part start, part end, the week's Monday) from start to end, weeks split at month ends."""
    monday = start - datetime.timedelta(days=start.weekday())
    while monday <= end:
        sunday = monday + datetime.timedelta(days=6)
        part_start = max(monday, start)
        while part_start <= min(sunday, end):
            _first, last = month_bounds(part_start)
            part_end = min(sunday, end, last)
            yield part_start, part_end, monday
            part_start = part_end + datetime.timedelta(days=1)
        monday += datetime.timedelta(days=7)


def _allowed_ratio(approvals: list[Approval], day: datetime.date) -> int:
    valid = [a.max_ratio for a in approvals if a.valid_from <= day <= a.valid_to]
    return min(valid, default=DEFAULT_MAX_RATIO)


def _session(entry: LogEntry, approvals: list[Approval],
             signature: MonthSignature | None) -> LedgerSession:
    ratio = 1 + len(entry.group.all())
    allowed = _allowed_ratio(approvals, entry.date)
    delivered = entry.delivered_minutes
    return LedgerSession(
        entry=entry, delivered=delivered, ratio=ratio, allowed_ratio=allowed,
        credited=delivered if ratio <= allowed else 0,
        corrected_after_signing=(signature is not None and entry.supersedes_id is not None
                                 and entry.created_at > signature.signed_at))


def _assignment_model():
    # Plan storage (planning/models.py) is built beside the log book; without it there is no
    # planned figure and the ledger shows "—".
    try:
        return apps.get_model("planning", "Assignment")
    except LookupError:
        return None


def _published(query):
    """Run a query on published plans; None while plan storage is not migrated yet."""
    try:
        with transaction.atomic():
            return list(query())
    except DatabaseError:
        return None


def planned_periods(*, child: Child, assistant: Assistant | None,
                    day: datetime.date) -> list[Period]:
    """The periods a published plan assigns `assistant` (anyone if None) to `child` on `day`."""
    model = _assignment_model()
    if model is None:
        return []

    def query():
        qs = model.objects.filter(child=child, date=day, plan__status="published")
        if assistant is not None:
            qs = qs.filter(assistant=assistant)
        return [a.period for a in qs.select_related("period")]

    return _published(query) or []


def planned_minutes_by_day(*, children: list[Child], start: datetime.date,
                           end: datetime.date) -> dict[int, tuple[set, dict]] | None:
    """child id -> (Mondays of weeks with a published plan at its school, planned minutes per
    day), or None without plan storage. Two queries for any number of children."""
    model = _assignment_model()
    if model is None:
        return None
    plan_model = apps.get_model("planning", "Plan")
    schools = {c.school_id for c in children}
    rows = _published(lambda: plan_model.objects.filter(
        school__in=schools, status="published", monday__gte=start - datetime.timedelta(days=6),
        monday__lte=end).values_list("school_id", "monday"))
    if rows is None:
        return None
    mondays: dict[int, set] = defaultdict(set)
    for school_id, monday in rows:
        mondays[school_id].add(monday)
    by_day: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    for assignment in _published(lambda: model.objects.filter(
            child__in=[c.pk for c in children], date__gte=start, date__lte=end,
            plan__status="published").select_related("period")) or []:
        by_day[assignment.child_id][assignment.date] += assignment.period.minutes
    return {c.pk: (mondays[c.school_id], by_day[c.pk]) for c in children}


def ledger_compute(*, child: Child, approvals: list[Approval], absent_days: set[datetime.date],
                   school_weekdays: set[int], sessions: list[LedgerSession],
                   start: datetime.date, end: datetime.date, today: datetime.date,
                   debt: int = 0, planned: tuple[set, dict] | None = None,
                   debt_from: datetime.date | None = None) -> list[LedgerPeriod]:
    """The ledger's periods from `start` to `end` (pure: everything comes in as arguments).

    Args:
        approvals: the child's approvals.
        absent_days: days of the child's whole-day absences.
        school_weekdays: ISO weekdays (1-5) on which the school has periods.
        sessions: the current entries, already credited.
        start, end: the first and last day; weeks are split at month ends.
        today: approved minutes of today and later days are owed, not yet debt (a session
            may still be logged today).
        debt_from: the first day that can add debt (None: no day can).
        debt: the make-up debt before `start`.
        planned: (Mondays of weeks with a published plan, planned minutes per day), or None
            when there is no plan storage; weeks without a published plan show None.
    """
    periods = []
    for part_start, part_end, monday in _week_parts(start, end):
        week_days = [monday + datetime.timedelta(days=wd - 1) for wd in sorted(school_weekdays)
                     if wd in SCHOOL_WEEKDAYS]
        outside = {d for d in week_days if not part_start <= d <= part_end}
        approved = approved_minutes_compute(approvals=approvals, school_days=week_days,
                                            absent_days=absent_days | outside)
        due = 0 if debt_from is None else approved_minutes_compute(
            approvals=approvals, school_days=week_days,
            absent_days=absent_days | outside | {d for d in week_days
                                                 if d >= today or d < debt_from})
        mine = [s for s in sessions if part_start <= s.entry.date <= part_end]
        delivered = sum(s.delivered for s in mine)
        credited = sum(s.credited for s in mine)
        excused = sum(s.entry.duration_minutes for s in mine
                      if s.entry.presence in EXCUSED and s.entry.date not in absent_days
                      and s.entry.date < today)
        added = max(0, due - credited - excused)
        made_up = min(debt, max(0, credited - approved))
        periods.append(LedgerPeriod(
            start=part_start, end=part_end, label=iso_week_label(monday), approved=approved,
            planned=(None if planned is None or monday not in planned[0] else sum(
                minutes for day, minutes in planned[1].items() if part_start <= day <= part_end)),
            delivered=delivered,
            credited=credited, not_credited=delivered - credited, excused=excused,
            shortfall=max(0, approved - credited), debt_before=debt, debt_added=added,
            debt_made_up=made_up))
        debt = debt + added - made_up
    return periods


def periods_sum(periods: list[LedgerPeriod], start: datetime.date, end: datetime.date,
         debt_before: int, label: str) -> LedgerPeriod:
    planned = [p.planned for p in periods]
    return LedgerPeriod(
        start=start, end=end, label=label,
        approved=sum(p.approved for p in periods),
        planned=None if any(p is None for p in planned) else sum(planned),
        delivered=sum(p.delivered for p in periods),
        credited=sum(p.credited for p in periods),
        not_credited=sum(p.not_credited for p in periods),
        excused=sum(p.excused for p in periods),
        shortfall=sum(p.shortfall for p in periods),
        debt_before=debt_before,
        debt_added=sum(p.debt_added for p in periods),
        debt_made_up=sum(p.debt_made_up for p in periods))


@dataclass(frozen=True)
class ChildLedger:
    """One child's ledger over a window (whole weeks or months), with the debt carried in."""

    child: Child
    start: datetime.date
    end: datetime.date
    approvals: list[Approval]
    weeks: list[LedgerPeriod]
    total: LedgerPeriod
    sessions: list[LedgerSession]
    superseded: list[LogEntry]
    # (Mondays of weeks with a published plan, planned minutes per day) or None.
    planned: tuple[set, dict] | None = None


def child_ledgers(*, user: User | None, children: list[Child], start: datetime.date,
                  end: datetime.date, today: datetime.date | None = None,
                  signatures: dict | None = None) -> dict[int, ChildLedger]:
    """The ledgers of several children over the window `start`..`end` (a Monday or a month's
    first day up to a Sunday or a month's last day), in a fixed number of queries however many
    children. The caller has checked access; approvals are those the user may see.

    Args:
        signatures: (child id, first of month) -> MonthSignature, to mark corrections made
            after signing; None: no marks.
    """
    today = today or timezone.localdate()
    children = list(children)
    ids = [c.pk for c in children]
    schools = {c.school_id for c in children}
    approvals: dict[int, list[Approval]] = defaultdict(list)
    # No user: the system itself (alerts) reads every approval.
    visible = (Approval.objects.all() if user is None
               else roster_selectors.approval_list(user=user))
    for approval in visible.filter(child__in=ids, valid_from__lte=end).order_by("valid_from"):
        approvals[approval.child_id].append(approval)
    entries: dict[int, list[LogEntry]] = defaultdict(list)
    for entry in (LogEntry.objects.filter(child__in=ids, date__lte=end)
                  .select_related("assistant", "supersedes", "created_by")
                  .prefetch_related("group", "superseded_by")):
        entries[entry.child_id].append(entry)
    absences: dict[int, list[Absence]] = defaultdict(list)
    for absence in Absence.objects.filter(child__in=ids, start__lte=end):
        absences[absence.child_id].append(absence)
    weekdays: dict[int, set[int]] = defaultdict(set)
    for school_id, weekday in (Period.objects.filter(school__in=schools).order_by()
                               .values_list("school_id", "weekday").distinct()):
        weekdays[school_id].add(weekday)
    debt_from = dict(LogEntry.objects.filter(child__school__in=schools).order_by()
                     .values_list("child__school").annotate(first=Min("date")))
    planned = planned_minutes_by_day(children=children, start=start, end=end)
    signatures = signatures or {}

    result = {}
    for child in children:
        mine = approvals[child.pk]
        current = [e for e in entries[child.pk] if not hasattr(e, "superseded_by")]
        sessions = [_session(e, mine, signatures.get((child.pk, month_start(e.date))))
                    for e in current]
        origin = min([*(a.valid_from for a in mine), *(e.date for e in current), start])
        absent_days = set()
        for absence in absences[child.pk]:
            day = max(absence.start, origin)
            while day <= min(absence.end, end):
                absent_days.add(day)
                day += datetime.timedelta(days=1)
        periods = ledger_compute(
            child=child, approvals=mine, absent_days=absent_days,
            school_weekdays=weekdays[child.school_id], sessions=sessions, start=origin,
            end=end, today=today, planned=None if planned is None else planned[child.pk],
            debt_from=debt_from.get(child.school_id))
        weeks = [p for p in periods if p.start >= start]
        debt_before = weeks[0].debt_before if weeks else 0
        result[child.pk] = ChildLedger(
            child=child, start=start, end=end,
            approvals=[a for a in mine if a.valid_to >= start], weeks=weeks,
            total=periods_sum(weeks, start, end, debt_before, f"{start:%Y-%m-%d}"),
            sessions=sorted((s for s in sessions if s.entry.date >= start),
                            key=lambda s: (s.entry.start, s.entry.pk)),
            superseded=[e for e in entries[child.pk]
                        if hasattr(e, "superseded_by") and e.date >= start],
            planned=None if planned is None else planned[child.pk])
    return result


def month_ledger(*, user: User, child: Child, month: datetime.date,
                 today: datetime.date | None = None) -> MonthLedger:
    """The child's ledger for one month, with the debt carried in from earlier months. The
    caller has checked access (ledger_child_get / proof_child_get); approvals are those the
    user may see (a reviewer: their funding body's)."""
    first, last = month_bounds(month)
    signature = MonthSignature.objects.filter(child=child, month=first).first()
    ledger = child_ledgers(user=user, children=[child], start=first, end=last, today=today,
                           signatures={(child.pk, first): signature})[child.pk]
    changed = (signature is not None and signature.content_hash != entries_content_hash(
        [s.entry for s in ledger.sessions]))
    return MonthLedger(
        child=child, month=first, approvals=ledger.approvals, weeks=ledger.weeks,
        total=replace(ledger.total, label=f"{first:%Y-%m}"), sessions=ledger.sessions,
        superseded=ledger.superseded, signature=signature, changed_since_signing=changed)


# --- the pool's ledger (both funding models; the budget of school-budget pools) -------------
#
# A school-budget pool has hours for all its children together and no approvals per child, so
# what is owed and delivered is counted for the pool: the budget (minutes per week, prorated
# over the week's school days like an approval), the staff minutes planned (published plans)
# and delivered. Delivered staff minutes are the time the assistants spent with children: per
# assistant and day the union of their present sessions, so a group session logged once per
# child counts once. Child minutes (the children's delivered minutes added up) show how the
# hours were shared. There is no make-up debt per child: no child is owed a number of minutes.

POOL_ROLES_LEDGER = (Role.COORDINATOR, Role.PROVIDER)


@dataclass(frozen=True)
class PoolPeriod:
    start: datetime.date
    end: datetime.date
    label: str
    budget: int | None
    planned: int | None
    staff: int
    child_minutes: int

    @property
    def remaining(self) -> int | None:
        return None if self.budget is None else self.budget - self.staff


@dataclass(frozen=True)
class PoolChildRow:
    child: Child
    sessions: int
    delivered: int


@dataclass(frozen=True)
class PoolLedger:
    school: School
    month: datetime.date
    weeks: list[PoolPeriod]
    total: PoolPeriod
    children: list[PoolChildRow]
    sessions: list[LogEntry]

    @property
    def is_budget(self) -> bool:
        return self.school.funding_model == FundingModel.SCHOOL_BUDGET


def pool_school_get(*, user: User, school_id: int) -> School:
    """The school whose pool ledger the user reads: its coordinators and the provider's
    management (billing).

    Raises:
        Http404: the school is not visible to the user.
        PermissionDenied: the user sees it but is neither.
    """
    school = roster_selectors.school_get(user=user, school_id=school_id)
    if not pool_can_view(user=user, school=school):
        raise PermissionDenied("The pool's ledger is for its coordinators and the provider.")
    return school


def pool_can_view(*, user: User, school: School) -> bool:
    return (_active(user) and user.role in POOL_ROLES_LEDGER
            and roster_selectors.school_can_manage(user=user, school=school))


def staff_minutes(entries: list[LogEntry]) -> int:
    """Minutes the assistants spent with children: per assistant and day the union of their
    present sessions (overlapping sessions, e.g. one group session logged per child, once)."""
    spans: dict[tuple[int, datetime.date], list] = defaultdict(list)
    for entry in entries:
        if entry.presence == Presence.PRESENT:
            spans[(entry.assistant_id, entry.date)].append(
                (entry.start.astimezone(datetime.UTC), entry.end.astimezone(datetime.UTC)))
    total = 0.0
    for intervals in spans.values():
        intervals.sort()
        current_start, current_end = intervals[0]
        for start, end in intervals[1:]:
            if start > current_end:
                total += (current_end - current_start).total_seconds()
                current_start, current_end = start, end
            else:
                current_end = max(current_end, end)
        total += (current_end - current_start).total_seconds()
    return int(total // 60)


def _planned_staff(school: School, start: datetime.date,
                   end: datetime.date) -> tuple[set, dict] | None:
    """(Mondays of weeks with a published plan, planned staff minutes per day) or None."""
    model = _assignment_model()
    if model is None:
        return None
    plan_model = apps.get_model("planning", "Plan")
    mondays = _published(lambda: plan_model.objects.filter(
        school=school, status="published", monday__gte=start - datetime.timedelta(days=6),
        monday__lte=end).values_list("monday", flat=True))
    if mondays is None:
        return None
    slots = _published(lambda: model.objects.filter(
        plan__school=school, plan__status="published", date__gte=start, date__lte=end)
        .values_list("assistant_id", "date", "period_id", "period__start", "period__end")
        .distinct())
    by_day: dict[datetime.date, int] = defaultdict(int)
    for _assistant, day, _period, period_start, period_end in slots or []:
        by_day[day] += ((period_end.hour * 60 + period_end.minute)
                        - (period_start.hour * 60 + period_start.minute))
    return set(mondays), by_day


def pool_ledger(*, school: School, month: datetime.date) -> PoolLedger:
    """The pool's month: budget (school-budget pools), planned and delivered staff minutes per
    week part and for the month, and the minutes each child received. The caller has checked
    access (pool_school_get). A fixed number of queries however many children."""
    first, last = month_bounds(month)
    entries = list(LogEntry.objects.filter(child__school=school, date__gte=first,
                                           date__lte=last, superseded_by__isnull=True)
                   .select_related("child", "assistant").prefetch_related("group")
                   .order_by("date", "start", "pk"))
    weekdays = set(school.periods.values_list("weekday", flat=True))
    planned = _planned_staff(school, first, last)
    budget = ([_Budget(school.budget_minutes_per_week or 0)]
              if school.funding_model == FundingModel.SCHOOL_BUDGET else None)
    weeks = []
    for part_start, part_end, monday in _week_parts(first, last):
        week_days = [monday + datetime.timedelta(days=wd - 1) for wd in sorted(weekdays)
                     if wd in SCHOOL_WEEKDAYS]
        outside = {d for d in week_days if not part_start <= d <= part_end}
        mine = [e for e in entries if part_start <= e.date <= part_end]
        weeks.append(PoolPeriod(
            start=part_start, end=part_end, label=iso_week_label(monday),
            budget=None if budget is None else approved_minutes_compute(
                approvals=budget, school_days=week_days, absent_days=outside),
            planned=(None if planned is None or monday not in planned[0] else sum(
                m for day, m in planned[1].items() if part_start <= day <= part_end)),
            staff=staff_minutes(mine), child_minutes=sum(e.delivered_minutes for e in mine)))
    planned_weeks = [w.planned for w in weeks]
    total = PoolPeriod(
        start=first, end=last, label=f"{first:%Y-%m}",
        budget=None if budget is None else sum(w.budget for w in weeks),
        planned=None if any(p is None for p in planned_weeks) else sum(planned_weeks),
        staff=sum(w.staff for w in weeks), child_minutes=sum(w.child_minutes for w in weeks))
    rows: dict[int, list[LogEntry]] = defaultdict(list)
    for entry in entries:
        rows[entry.child_id].append(entry)
    children = sorted(
        (PoolChildRow(child=group[0].child, sessions=len(group),
                      delivered=sum(e.delivered_minutes for e in group))
         for group in rows.values()), key=lambda r: r.child.display_code)
    return PoolLedger(school=school, month=first, weeks=weeks, total=total, children=children,
                      sessions=entries)


@dataclass(frozen=True)
class _Budget:
    """The pool's budget in the shape approved_minutes_compute prorates: valid always."""

    minutes_per_week: int
    valid_from: datetime.date = datetime.date.min
    valid_to: datetime.date = datetime.date.max
