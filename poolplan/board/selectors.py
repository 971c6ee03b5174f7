"""Reads for the traffic-light cards, with who may see and turn which card.

Rules (shared/spec/domain.md): pool members (assistants, coordinators) of a school see every
card of that school and respond to them; a teacher sees and turns the cards of their classes;
a classroom device turns only its child's card or its class's cards. Nobody else. Shared
screens (card page, board) get display codes, never names: `CardView` has no name field.
"""

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from poolplan.accounts.models import Role, User
from poolplan.board import dispatch, history
from poolplan.board.models import (
    OPEN_COLOURS,
    CardColour,
    CardEvent,
    CardState,
    ClassroomDevice,
)
from poolplan.roster import selectors as roster_selectors
from poolplan.roster.models import (
    Absence,
    Assistant,
    Child,
    NeedProfileEntry,
    Period,
    School,
    SchoolClass,
    TimetableEntry,
)
from poolplan.roster.services import need_room_resolve

POOL_ROLES = (Role.COORDINATOR, Role.ASSISTANT)


# --- who may do what --------------------------------------------------------------------------


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def board_can_view(*, user: User, school: School) -> bool:
    """The live board of a school is for its pool members."""
    return (_active(user) and user.role in POOL_ROLES
            and user.schools.filter(pk=school.pk).exists())


def board_school_get(*, user: User, school_id: int) -> School:
    school = roster_selectors.school_get(user=user, school_id=school_id)
    if not board_can_view(user=user, school=school):
        raise PermissionDenied(_("The live board is for the pool members of this school."))
    return school


def card_children(*, user: User) -> Iterable[Child]:
    """Children whose cards the user may see and turn: the pool's for pool members, the
    classes' for teachers."""
    if not _active(user) or user.role not in (*POOL_ROLES, Role.TEACHER):
        return Child.objects.none()
    return roster_selectors.child_list(user=user)


def card_can_set(*, user: User, child: Child) -> bool:
    return card_children(user=user).filter(pk=child.pk).exists()


def card_can_respond(*, user: User, child: Child) -> bool:
    """"I'm going" and "done" are for the pool members of the child's school."""
    return (_active(user) and user.role in POOL_ROLES
            and user.schools.filter(pk=child.school_id).exists())


def class_can_view(*, user: User, school_class: SchoolClass) -> bool:
    if not _active(user):
        return False
    if user.role == Role.TEACHER:
        return user.classes.filter(pk=school_class.pk).exists()
    if user.role in POOL_ROLES:
        return user.schools.filter(pk=school_class.school_id).exists()
    return False


def device_children(*, device: ClassroomDevice):
    qs = Child.objects.filter(archived_at__isnull=True).select_related("school_class")
    if device.child_id:
        return qs.filter(pk=device.child_id)
    return qs.filter(school_class_id=device.school_class_id)


def device_can_set(*, device: ClassroomDevice | None, child: Child) -> bool:
    if device is None or not device.is_active:
        return False
    if device.child_id:
        return device.child_id == child.pk
    return device.school_class_id == child.school_class_id and child.archived_at is None


def device_get_active(device_id) -> ClassroomDevice | None:
    """The paired device of a session, or None if it was revoked or never existed."""
    if not device_id:
        return None
    return (ClassroomDevice.objects.filter(pk=device_id, revoked_at__isnull=True)
            .select_related("school", "child", "school_class").first())


def device_list(*, user: User, school: School):
    if not roster_selectors.school_can_manage(user=user, school=school) \
            or user.role != Role.COORDINATOR:
        raise PermissionDenied(_("Only the pool's coordinator manages classroom devices."))
    return ClassroomDevice.objects.filter(school=school).select_related("child", "school_class")


# --- what a card shows ------------------------------------------------------------------------


def local_midnight(now: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class CardView:
    """What every screen may show of a card: display code, class, room, colour, who comes."""

    child_id: int
    school_id: int
    class_id: int
    display_code: str
    class_name: str
    colour: str
    default_colour: str
    version: int
    changed_at: str | None
    raised_at: str | None
    waiting_seconds: int | None
    acknowledged_by: str | None
    acknowledged_at: str | None
    room: str | None = None
    floor: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def person_name(user: User | None) -> str | None:
    if user is None:
        return None
    assistant = getattr(user, "assistant", None)
    if assistant is not None:
        return assistant.full_name
    return user.get_full_name() or user.get_username()


def card_view(*, child: Child, state: CardState | None, now: datetime.datetime,
              room=None) -> CardView:
    """The card as it reads now. A state untouched since before today's local midnight reads
    as the default colour with nobody waiting: that is the daily reset."""
    fresh = state is not None and state.changed_at is not None \
        and state.changed_at >= local_midnight(now)
    default = state.default_colour if state is not None else CardColour.GREEN
    if fresh:
        colour, raised_at = state.colour, state.raised_at
        ack_by, ack_at = state.acknowledged_by, state.acknowledged_at
        changed_at = state.changed_at
    else:
        colour, raised_at, ack_by, ack_at, changed_at = default, None, None, None, None
    return CardView(
        child_id=child.pk, school_id=child.school_id, class_id=child.school_class_id,
        display_code=child.display_code, class_name=child.school_class.name,
        colour=str(colour), default_colour=str(default),
        version=state.version if state is not None else 0,
        changed_at=changed_at.isoformat() if changed_at else None,
        raised_at=raised_at.isoformat() if raised_at else None,
        waiting_seconds=int((now - raised_at).total_seconds()) if raised_at else None,
        acknowledged_by=person_name(ack_by),
        acknowledged_at=ack_at.isoformat() if ack_at else None,
        room=room.name if room is not None else None,
        floor=(room.floor or None) if room is not None else None,
    )


def period_now(*, school_id: int, now: datetime.datetime) -> Period | None:
    local = timezone.localtime(now)
    return (Period.objects.filter(school_id=school_id, weekday=local.isoweekday(),
                                  start__lte=local.time(), end__gt=local.time())
            .select_related("default_room").first())


def rooms_now(*, children: Sequence[Child], now: datetime.datetime) -> dict[int, object]:
    """child id -> Room where the child is in the current period (need profile's room, else the
    timetable's, else the period's default), in a fixed number of queries."""
    rooms: dict[int, object] = {}
    by_school: dict[int, list[Child]] = {}
    for child in children:
        by_school.setdefault(child.school_id, []).append(child)
    for school_id, kids in by_school.items():
        period = period_now(school_id=school_id, now=now)
        if period is None:
            continue
        need_rooms = {entry.child_id: entry.room for entry in NeedProfileEntry.objects.filter(
            period=period, child__in=kids, room__isnull=False).select_related("room")}
        timetable: dict[int, list] = {}
        for entry in TimetableEntry.objects.filter(
                period=period, school_class_id__in={k.school_class_id for k in kids}
        ).select_related("room"):
            timetable.setdefault(entry.school_class_id, []).append(entry)
        for kid in kids:
            rooms[kid.pk] = need_room_resolve(
                child=kid, period=period, room=need_rooms.get(kid.pk),
                timetable={period.pk: timetable.get(kid.school_class_id, [])})
    return rooms


_COLOUR_ORDER = {CardColour.RED: 0, CardColour.YELLOW: 1, CardColour.GREEN: 2}


def card_sort_key(card: CardView):
    """Red first, then yellow, then green; within a colour the longest waiting first."""
    return (_COLOUR_ORDER.get(card.colour, 3), -(card.waiting_seconds or -1), card.display_code)


def card_views(*, children, now: datetime.datetime | None = None,
               with_rooms: bool = True) -> list[CardView]:
    now = now or timezone.now()
    children = list(children.select_related("school_class")
                    if hasattr(children, "select_related") else children)
    states = {state.child_id: state for state in CardState.objects.filter(
        child__in=[c.pk for c in children]).select_related(
            "acknowledged_by", "acknowledged_by__assistant")}
    rooms = rooms_now(children=children, now=now) if with_rooms else {}
    return sorted((card_view(child=c, state=states.get(c.pk), now=now, room=rooms.get(c.pk))
                   for c in children), key=card_sort_key)


def board_cards(*, school: School, now: datetime.datetime | None = None,
                with_rooms: bool = True) -> list[CardView]:
    children = Child.objects.filter(school=school, archived_at__isnull=True)
    return card_views(children=children, now=now, with_rooms=with_rooms)


# --- dispatch ---------------------------------------------------------------------------------


def reason_texts() -> dict[str, str]:
    """Each dispatch reason code in words (the active language), with `%(detail)s` where the
    reason names a child, room, floor or skills. The live board's script words the codes it
    receives with the same table, so a suggestion computed once reads in every user's
    language."""
    return {
        "free": _("free now"),
        "with_green_child": _("now with %(detail)s, whose card is green"),
        "primary": _("primary reference person"),
        "fixed": _("one of the fixed persons"),
        "skills": _("has the required skills (%(detail)s)"),
        "same_room": _("already in room %(detail)s"),
        "same_floor": _("on the same floor (%(detail)s)"),
        "nobody_qualified": _("nobody qualified is available"),
        "needed_elsewhere": _("everyone qualified is needed more urgently elsewhere"),
    }


def suggestion_worded(suggestion: dict | None) -> dict | None:
    """A suggestion of `board_dispatch` (reasons as codes) with its reasons in words."""
    if suggestion is None:
        return None
    texts = reason_texts()
    reasons = []
    for code, *details in suggestion["reasons"]:
        text = texts.get(code, code)
        reasons.append(text % {"detail": details[0]} if details else text)
    return {**suggestion, "reasons": reasons}


def plan_assignments_now(*, school: School, now: datetime.datetime) -> dict[int, list[int]]:
    """assistant id -> child ids the school's published plan gives them in the current period.
    Empty when no plan is published (everyone working now then counts as free)."""
    period = period_now(school_id=school.pk, now=now)
    if period is None:
        return {}
    try:
        from poolplan.planning.models import Assignment, PlanStatus
    except ImportError:  # the planning app without plan storage
        return {}
    result: dict[int, list[int]] = {}
    for assistant_id, child_id in Assignment.objects.filter(
            plan__school=school, plan__status=PlanStatus.PUBLISHED,
            date=timezone.localtime(now).date(), period=period,
    ).values_list("assistant_id", "child_id"):
        result.setdefault(assistant_id, []).append(child_id)
    return result


def helpers_now(*, school: School, now: datetime.datetime) -> list[Assistant]:
    """Pool members at work now: not archived, not absent today, and within their working time
    (someone without recorded working times counts as at work)."""
    local = timezone.localtime(now)
    absent = Absence.objects.filter(assistant__isnull=False, start__lte=local.date(),
                                    end__gte=local.date()).values("assistant_id")
    assistants = (Assistant.objects.filter(schools=school, archived_at__isnull=True)
                  .exclude(pk__in=absent).prefetch_related("skills", "working_times"))
    at_work = []
    for assistant in assistants:
        times = list(assistant.working_times.all())
        if not times or any(t.weekday == local.isoweekday() and t.start <= local.time() < t.end
                            for t in times):
            at_work.append(assistant)
    return at_work


def dispatch_suggestions(*, school: School, cards: Sequence[CardView],
                         now: datetime.datetime | None = None) -> dict[int, dict]:
    """child id -> {"helper_id", "helper", "reasons": [[code, detail?], ...]} for the open cards
    nobody has acknowledged yet, solved together (`dispatch.suggest`). Reasons stay codes here
    (`suggestion_worded` puts them into words)."""
    now = now or timezone.now()
    open_cards = [c for c in cards if c.colour in OPEN_COLOURS and not c.acknowledged_by]
    if not open_cards:
        return {}
    children = {c.pk: c for c in Child.objects.filter(
        pk__in=[c.child_id for c in open_cards]).prefetch_related(
            "required_skills", "fixed_assistants")}
    by_child = {c.child_id: c for c in cards}
    plan = plan_assignments_now(school=school, now=now)
    # Someone who already said "I'm going" is on the way, not free.
    busy = set(CardState.objects.filter(
        child__school=school, acknowledged_by__isnull=False,
        changed_at__gte=local_midnight(now)).exclude(colour=CardColour.GREEN)
        .values_list("acknowledged_by__assistant", flat=True))
    helpers = []
    for assistant in helpers_now(school=school, now=now):
        if assistant.pk in busy:
            continue
        with_children = [by_child[i] for i in plan.get(assistant.pk, []) if i in by_child]
        with_child = with_children[0] if with_children else None
        worst = min(with_children, key=card_sort_key) if with_children else None
        helpers.append(dispatch.Helper(
            helper_id=assistant.pk, name=assistant.full_name,
            skills=frozenset(s.name for s in assistant.skills.all()),
            with_child_code=with_child.display_code if with_child else None,
            with_child_colour=worst.colour if worst else None,
            room=with_child.room if with_child else None,
            floor=with_child.floor if with_child else None,
        ))
    problem = [dispatch.OpenCard(
        child_id=card.child_id, display_code=card.display_code, colour=card.colour,
        waiting_seconds=card.waiting_seconds or 0,
        required_skills=frozenset(s.name for s in children[card.child_id].required_skills.all()),
        fixed_helpers=frozenset(a.pk for a in children[card.child_id].fixed_assistants.all()),
        primary_helper=children[card.child_id].primary_assistant_id,
        room=card.room, floor=card.floor,
    ) for card in open_cards if card.child_id in children]
    return {s.child_id: {"helper_id": s.helper_id, "helper": s.helper_name,
                         "reasons": [list(r) for r in s.reasons]}
            for s in dispatch.suggest(problem, helpers)}


def plan_assigned_names(*, school: School, now: datetime.datetime) -> dict[int, list[str]]:
    """child id -> names of the staff the published plan gives the child in the current period."""
    plan = plan_assignments_now(school=school, now=now)
    if not plan:
        return {}
    names = {a.pk: a.full_name for a in Assistant.objects.filter(pk__in=plan)}
    assigned: dict[int, list[str]] = {}
    for assistant_id, child_ids in plan.items():
        for child_id in child_ids:
            assigned.setdefault(child_id, []).append(names.get(assistant_id, "?"))
    return assigned


def board_seq(cards: Sequence[CardView]) -> int:
    """How many changes the school's cards have seen (the sum of their versions). It only
    grows, so a screen drops board news computed from an older state than it already shows."""
    return sum(card.version for card in cards)


def _dispatch_cache_key(school: School, cards: Sequence[CardView],
                        now: datetime.datetime) -> str:
    # Everything the suggestions depend on that changes with a card, plus the day and the
    # period (rooms and the plan's assignments change with them). Helpers' absences, working
    # times and the waiting minutes drift slowly: BOARD_DISPATCH_CACHE_SECONDS bounds those.
    period = period_now(school_id=school.pk, now=now)
    state = (school.pk, timezone.localtime(now).date().isoformat(),
             period.pk if period else None,
             tuple((c.child_id, c.version, c.colour) for c in cards))
    return "board-dispatch:" + hashlib.sha256(repr(state).encode()).hexdigest()


def board_dispatch(*, school: School, cards: Sequence[CardView] | None = None,
                   now: datetime.datetime | None = None) -> dict:
    """The board's news beyond the cards themselves: the dispatch suggestion per open card
    (reasons as codes) and the published plan's staff per child now, with the `seq` of the
    card state it was computed from.

    Solved once per change of the school's cards and then cached: after a change the live
    boards get it as a separate message (`events.board_dispatch_send`), and page loads, polls
    and snapshots reuse it instead of solving again."""
    now = now or timezone.now()
    if cards is None:
        cards = board_cards(school=school, now=now, with_rooms=True)
    key = _dispatch_cache_key(school, cards, now)
    result = cache.get(key)
    if result is None:
        suggestions = dispatch_suggestions(school=school, cards=cards, now=now)
        result = {
            "school_id": school.pk,
            "seq": board_seq(cards),
            "suggestions": {str(k): v for k, v in suggestions.items()},
            "assigned": {str(k): v for k, v in plan_assigned_names(school=school,
                                                                   now=now).items()},
        }
        cache.set(key, result, settings.BOARD_DISPATCH_CACHE_SECONDS)
    return result


def board_state(*, school: School, now: datetime.datetime | None = None) -> dict:
    """The whole board as JSON: every card (sorted) with its dispatch suggestion (reasons as
    codes) and the plan's current staff, and the `seq` of this state."""
    now = now or timezone.now()
    cards = board_cards(school=school, now=now)
    extra = board_dispatch(school=school, cards=cards, now=now)
    result = []
    for card in cards:
        item = card.as_dict()
        item["suggestion"] = extra["suggestions"].get(str(card.child_id))
        item["assigned"] = extra["assigned"].get(str(card.child_id), [])
        result.append(item)
    return {"school_id": school.pk, "at": now.isoformat(), "seq": extra["seq"],
            "cards": result}


def cards_state(*, children, now: datetime.datetime | None = None) -> dict:
    """Cards for a class screen or a child's tablet: no dispatch, no staff planning."""
    now = now or timezone.now()
    return {"at": now.isoformat(),
            "cards": [c.as_dict() for c in card_views(children=children, now=now)]}


def teacher_classes(*, user: User):
    if not _active(user) or user.role != Role.TEACHER:
        return SchoolClass.objects.none()
    return user.classes.all()


def class_children(*, school_class: SchoolClass):
    return Child.objects.filter(school_class=school_class, archived_at__isnull=True)


def class_cards_get(*, user: User, class_id: int) -> SchoolClass:
    """A class whose cards the user may see (its teachers, the school's pool members); any
    other class is 404, as an unknown one."""
    school_class = SchoolClass.objects.filter(pk=class_id).first()
    if school_class is None or not class_can_view(user=user, school_class=school_class):
        raise Http404("No such class.")
    return school_class


def class_cards_state(*, user: User, class_id: int,
                      now: datetime.datetime | None = None) -> dict:
    school_class = class_cards_get(user=user, class_id=class_id)
    return cards_state(children=class_children(school_class=school_class), now=now)


def teacher_card_sections(*, user: User, now: datetime.datetime | None = None
                          ) -> list[tuple[SchoolClass, list[CardView]]]:
    """The cards of the teacher's classes, class by class: one read for all classes (the
    number of queries does not grow with the classes)."""
    classes = list(teacher_classes(user=user).select_related("school"))
    children = Child.objects.filter(school_class__in=classes, archived_at__isnull=True)
    by_class: dict[int, list[CardView]] = {}
    for card in card_views(children=children, now=now):
        by_class.setdefault(card.class_id, []).append(card)
    return [(school_class, by_class.get(school_class.pk, [])) for school_class in classes]


# --- history ----------------------------------------------------------------------------------


def card_history_can_view(*, user: User, child: Child) -> bool:
    """The card history feeds the pool's weekly meeting and the next plan, beside the need
    profile: for the pool members of the child's school. Teachers see today's cards only;
    parents, the provider and reviewers do not see it."""
    return card_can_respond(user=user, child=child)


@dataclass(frozen=True)
class CardHistory:
    weeks: int
    first_day: datetime.date
    last_day: datetime.date
    changes: int  # card changes in the window
    counts: dict[int, history.SlotCount]  # period id ->
    differences: dict[int, history.Difference]  # period id ->
    suggestions: list[str]

    def cell(self, period_id: int) -> dict:
        """What the heatmap shows for one period: counts, shade and any difference."""
        count = self.counts.get(period_id, history.SlotCount())
        return {"red": count.red_days, "yellow": count.yellow_days, "days": count.days,
                "level": history.heat_level(count),
                "tone": "red" if count.red_days else "yellow" if count.yellow_days else "none",
                "difference": self.differences.get(period_id)}


def card_history(*, user: User, child: Child, weeks: int | None = None,
                 now: datetime.datetime | None = None) -> CardHistory:
    """Yellow and red by weekday and period over the last `weeks` (CARD_HISTORY_WEEKS) whole
    weeks up to yesterday (so every weekday counts `weeks` days, whatever the time of day),
    with sentences where the need profile and the cards differ. Refused to anyone but the pool
    members of the child's school."""
    if not card_history_can_view(user=user, child=child):
        raise PermissionDenied(_("The card history is for the pool members of this school."))
    from poolplan.roster.services import period_label_text

    weeks = weeks or settings.CARD_HISTORY_WEEKS
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    last_day = timezone.localtime(now).date() - datetime.timedelta(days=1)
    first_day = last_day - datetime.timedelta(days=7 * weeks - 1)
    since = datetime.datetime.combine(first_day, datetime.time.min, tzinfo=tz)
    until = local_midnight(now)
    changes = [history.Change(at, colour) for at, colour in CardEvent.objects.filter(
        child=child, at__gte=since, at__lt=until).order_by("at", "id").values_list("at", "colour")]
    periods = {p.pk: p for p in Period.objects.filter(school_id=child.school_id).annotate(
        need=Subquery(NeedProfileEntry.objects.filter(child=child, period=OuterRef("pk"))
                      .values("need")[:1]))}
    slots = [history.Slot(p.pk, p.weekday, p.start, p.end) for p in periods.values()]
    counts = history.slot_counts(changes, slots, first_day=first_day, last_day=last_day, tz=tz)
    needs = {p.pk: p.need or 0 for p in periods.values()}
    in_use = history.card_in_use(changes, weeks=weeks, tz=tz)
    found = sorted(history.differences(counts, needs, card_in_use=in_use),
                   key=lambda d: (periods[d.period_id].weekday, periods[d.period_id].start))
    suggestions = []
    for difference in found:
        count = difference.count
        values = {"slot": period_label_text(periods[difference.period_id]),
                  "red": count.red_days, "yellow": count.yellow_days, "days": count.days}
        if count.red_days and count.yellow_days:
            values["counts"] = _("red on %(red)s and yellow on %(yellow)s of %(days)s days") \
                % values
        elif count.red_days:
            values["counts"] = _("red on %(red)s of %(days)s days") % values
        else:
            values["counts"] = _("yellow on %(yellow)s of %(days)s days") % values
        if difference.kind == "unplanned":
            suggestions.append(_(
                "%(slot)s: %(counts)s, but the need profile plans no support there. Plan "
                "support there in the next plan?") % values)
        elif difference.kind == "too_little":
            suggestions.append(_(
                "%(slot)s: %(counts)s despite shared support. Does the child need an adult of "
                "its own there (need 2)?") % values)
    unused = [period_label_text(periods[d.period_id]) for d in found if d.kind == "unused"]
    if unused:
        suggestions.append(_(
            "Support is planned, but the card was never yellow or red in %(weeks)s weeks: "
            "%(slots)s. Check at the team meeting whether the support is still needed there.")
            % {"weeks": weeks, "slots": "; ".join(unused)})
    return CardHistory(weeks=weeks, first_day=first_day, last_day=last_day,
                       changes=len(changes), counts=counts,
                       differences={d.period_id: d for d in found}, suggestions=suggestions)
