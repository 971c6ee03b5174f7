"""Reads for the traffic-light cards, with who may see and turn which card.

Rules (shared/spec/domain.md): pool members (assistants, coordinators) of a school see every
card of that school and respond to them; a teacher sees and turns the cards of their classes;
a classroom device turns only its child's card or its class's cards. Nobody else. Shared
screens (card page, board) get display codes, never names: `CardView` has no name field.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from poolplan.accounts.models import Role, User
from poolplan.board import dispatch
from poolplan.board.models import OPEN_COLOURS, CardColour, CardState, ClassroomDevice
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


def board_cards(*, school: School, now: datetime.datetime | None = None) -> list[CardView]:
    children = Child.objects.filter(school=school, archived_at__isnull=True)
    return card_views(children=children, now=now)


# --- dispatch ---------------------------------------------------------------------------------


def _reason_text(reason: tuple) -> str:
    code, *details = reason
    detail = details[0] if details else ""
    texts = {
        "free": _("free now"),
        "with_green_child": _("now with %(code)s, whose card is green") % {"code": detail},
        "primary": _("primary reference person"),
        "fixed": _("one of the fixed persons"),
        "skills": _("has the required skills (%(skills)s)") % {"skills": detail},
        "same_room": _("already in room %(room)s") % {"room": detail},
        "same_floor": _("on the same floor (%(floor)s)") % {"floor": detail},
        "nobody_qualified": _("nobody qualified is available"),
        "needed_elsewhere": _("everyone qualified is needed more urgently elsewhere"),
    }
    return texts.get(code, code)


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
    """child id -> {"helper_id", "helper", "reasons": [words]} for the open cards nobody has
    acknowledged yet, solved together (`dispatch.suggest`)."""
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
                         "reasons": [_reason_text(r) for r in s.reasons]}
            for s in dispatch.suggest(problem, helpers)}


def board_state(*, school: School, now: datetime.datetime | None = None) -> dict:
    """The whole board as JSON: every card (sorted) with its dispatch suggestion, and the
    plan's current assignment per child where a plan exists."""
    now = now or timezone.now()
    cards = board_cards(school=school, now=now)
    suggestions = dispatch_suggestions(school=school, cards=cards, now=now)
    assigned: dict[int, list[str]] = {}
    plan = plan_assignments_now(school=school, now=now)
    if plan:
        names = dict((a.pk, a.full_name) for a in Assistant.objects.filter(pk__in=plan))
        for assistant_id, child_ids in plan.items():
            for child_id in child_ids:
                assigned.setdefault(child_id, []).append(names.get(assistant_id, "?"))
    result = []
    for card in cards:
        item = card.as_dict()
        item["suggestion"] = suggestions.get(card.child_id)
        item["assigned"] = assigned.get(card.child_id, [])
        result.append(item)
    return {"school_id": school.pk, "at": now.isoformat(), "cards": result}


def cards_state(*, children, now: datetime.datetime | None = None) -> dict:
    """Cards for a class screen or a child's tablet: no dispatch, no staff planning."""
    now = now or timezone.now()
    return {"at": now.isoformat(),
            "cards": [c.as_dict() for c in card_views(children=children, now=now)]}


def teacher_classes(*, user: User):
    if not _active(user) or user.role != Role.TEACHER:
        return SchoolClass.objects.none()
    return user.classes.all()
