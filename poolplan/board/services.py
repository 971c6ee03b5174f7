"""Every change of a card goes through one of these actions (zulip's pattern): in one
transaction it locks the card, writes the change and its log row (plus an audit row where a
person acts), and sends the news to the live screens only once the transaction has committed,
so no screen ever shows a change that was rolled back.
"""

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from poolplan.accounts.models import AuditAction, Role, User
from poolplan.accounts.services import audit_record
from poolplan.board import events, selectors
from poolplan.board.models import (
    OPEN_COLOURS,
    CardColour,
    CardEvent,
    CardEventKind,
    CardSource,
    CardState,
    ClassroomDevice,
)
from poolplan.roster import selectors as roster_selectors
from poolplan.roster.models import Child, School, SchoolClass

_SOURCE_BY_ROLE = {
    Role.TEACHER: CardSource.TEACHER,
    Role.ASSISTANT: CardSource.ASSISTANT,
    Role.COORDINATOR: CardSource.COORDINATOR,
}
# No 0/O, 1/I/L: the code is read off a screen and typed on a tablet.
PAIRING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _colour_check(colour: str) -> CardColour:
    if colour not in CardColour.values:
        raise ValidationError({"colour": [
            _("A card is green, yellow or red, not %(colour)r.") % {"colour": colour}]})
    return CardColour(colour)


def _state_lock(child: Child, now: datetime.datetime) -> CardState:
    """The child's card, locked for this transaction, with yesterday's state already reset to
    the default colour (the lazy daily reset, made real on the first change of the day)."""
    CardState.objects.get_or_create(child=child)
    state = CardState.objects.select_for_update().get(child=child)
    if state.changed_at is None or state.changed_at < selectors.local_midnight(now):
        state.colour = state.default_colour
        state.raised_at = None
        state.acknowledged_by = None
        state.acknowledged_at = None
    return state


def _broadcast(child: Child, now: datetime.datetime) -> None:
    # The action's clock, so a test with a fixed clock reads the card as the action left it.
    transaction.on_commit(lambda: events.card_changed(child.pk, now=now), robust=True)


@transaction.atomic
def card_set(*, child: Child, colour: str, actor: User | None = None,
             device: ClassroomDevice | None = None,
             now: datetime.datetime | None = None) -> CardEvent | None:
    """Turn a child's card. Exactly one of `actor` (teacher or pool member) or `device` (a
    paired classroom tablet). Returns the log row, or None when the card already shows it."""
    colour = _colour_check(colour)
    if (actor is None) == (device is None):
        raise ValueError("card_set needs exactly one of actor or device")
    if device is not None:
        if not selectors.device_can_set(device=device, child=child):
            raise PermissionDenied(_("This device may not turn this card."))
        source = CardSource.DEVICE
    else:
        if not selectors.card_can_set(user=actor, child=child):
            raise PermissionDenied(_("You may not turn this child's card."))
        source = _SOURCE_BY_ROLE[actor.role]
    now = now or timezone.now()
    state = _state_lock(child, now)
    previous = CardColour(state.colour)
    if previous == colour:
        return None
    if colour == CardColour.GREEN:
        state.raised_at = None
        state.acknowledged_by = None
        state.acknowledged_at = None
    elif previous == CardColour.GREEN or colour == CardColour.RED:
        # Response time counts from the moment the card turned red (or yellow from green);
        # someone already on the way stays on the way when yellow becomes red.
        state.raised_at = now
        if previous == CardColour.GREEN:
            state.acknowledged_by = None
            state.acknowledged_at = None
    state.colour = colour
    state.changed_at = now
    state.changed_source = source
    state.changed_by = actor
    state.changed_device = device
    state.version += 1
    state.save()
    event = CardEvent.objects.create(
        child=child, school_id=child.school_id, kind=CardEventKind.SET, colour=colour,
        previous_colour=previous, at=now, source=source, actor=actor, device=device,
        raised_at=state.raised_at, acknowledged_at=state.acknowledged_at,
        acknowledged_by=state.acknowledged_by,
    )
    if actor is not None:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=state, child=child,
                     summary=f"Card of {child.display_code} turned {colour.value}",
                     changes={"colour": [previous.value, colour.value]})
    _broadcast(child, now)
    return event


def _respond_check(actor: User, child: Child) -> None:
    if not selectors.card_can_respond(user=actor, child=child):
        raise PermissionDenied(_("Only the pool members of this school respond to cards."))


@transaction.atomic
def card_acknowledge(*, actor: User, child: Child,
                     now: datetime.datetime | None = None) -> CardEvent | None:
    """"I'm going": shows on every screen at once, so two people do not run. Refused when the
    card needs nobody or someone else is already on the way."""
    _respond_check(actor, child)
    now = now or timezone.now()
    state = _state_lock(child, now)
    if state.colour not in OPEN_COLOURS:
        raise ValidationError(_("The card of %(code)s is green: nobody needs to go.")
                              % {"code": child.display_code})
    if state.acknowledged_by_id == actor.pk:
        return None
    if state.acknowledged_by_id is not None:
        raise ValidationError(_("%(name)s is already on the way to %(code)s.") % {
            "name": selectors.person_name(state.acknowledged_by), "code": child.display_code})
    state.acknowledged_by = actor
    state.acknowledged_at = now
    if state.changed_at is None or state.changed_at < selectors.local_midnight(now):
        # A default-yellow card acknowledged first thing: the change makes the state today's.
        state.changed_at = now
    state.version += 1
    state.save()
    event = CardEvent.objects.create(
        child=child, school_id=child.school_id, kind=CardEventKind.ACKNOWLEDGE,
        colour=state.colour, previous_colour=state.colour, at=now,
        source=_SOURCE_BY_ROLE[actor.role], actor=actor, raised_at=state.raised_at,
        acknowledged_at=now, acknowledged_by=actor,
    )
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=state, child=child,
                 summary=f"On the way to {child.display_code}")
    _broadcast(child, now)
    return event


@transaction.atomic
def card_done(*, actor: User, child: Child,
              now: datetime.datetime | None = None) -> CardEvent:
    """The support was given: the card turns green and the response times are recorded."""
    _respond_check(actor, child)
    now = now or timezone.now()
    state = _state_lock(child, now)
    if state.colour not in OPEN_COLOURS:
        raise ValidationError(_("The card of %(code)s is already green.")
                              % {"code": child.display_code})
    previous = state.colour
    event = CardEvent.objects.create(
        child=child, school_id=child.school_id, kind=CardEventKind.DONE,
        colour=CardColour.GREEN, previous_colour=previous, at=now,
        source=_SOURCE_BY_ROLE[actor.role], actor=actor, raised_at=state.raised_at,
        acknowledged_at=state.acknowledged_at, acknowledged_by=state.acknowledged_by,
    )
    state.colour = CardColour.GREEN
    state.raised_at = None
    state.acknowledged_by = None
    state.acknowledged_at = None
    state.changed_at = now
    state.changed_source = _SOURCE_BY_ROLE[actor.role]
    state.changed_by = actor
    state.changed_device = None
    state.version += 1
    state.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=state, child=child,
                 summary=f"Support for {child.display_code} done",
                 changes={"colour": [previous, CardColour.GREEN.value]})
    _broadcast(child, now)
    return event


@transaction.atomic
def card_default_set(*, actor: User, child: Child, colour: str) -> CardState:
    """The colour a child's card starts each day with (green or yellow); the coordinator's
    decision."""
    if not roster_selectors.child_can_create(user=actor, school=child.school):
        raise PermissionDenied(_("Only the pool's coordinator sets a card's default colour."))
    colour = _colour_check(colour)
    if colour == CardColour.RED:
        raise ValidationError({"colour": [
            _("A card cannot start the day red: red means help is needed now.")]})
    state, _created = CardState.objects.get_or_create(child=child)
    previous = state.default_colour
    state.default_colour = colour
    state.full_clean()
    state.save(update_fields=["default_colour"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=state, child=child,
                 summary=f"Default card colour of {child.display_code} set to {colour.value}",
                 changes={"default_colour": [previous, colour.value]})
    return state


# --- classroom devices ------------------------------------------------------------------------


def _device_manage_check(actor: User, school: School) -> None:
    if not (actor.role == Role.COORDINATOR
            and roster_selectors.school_can_manage(user=actor, school=school)):
        raise PermissionDenied(_("Only the pool's coordinator manages classroom devices."))


def pairing_code_new() -> str:
    raw = "".join(secrets.choice(PAIRING_ALPHABET) for _i in range(10))
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def device_create(*, actor: User, school: School, child: Child | None = None,
                  school_class: SchoolClass | None = None,
                  name: str = "") -> tuple[ClassroomDevice, str]:
    """A classroom device for one child or one class, and its pairing code (shown once)."""
    _device_manage_check(actor, school)
    if (child is None) == (school_class is None):
        raise ValidationError(_("Choose either one child or one class for the device."))
    if (child or school_class).school_id != school.pk:
        raise ValidationError(_("The child or class belongs to another school."))
    code = pairing_code_new()
    device = ClassroomDevice(school=school, child=child, school_class=school_class,
                             name=name, code_hash=ClassroomDevice.hash_code(code),
                             created_by=actor)
    device.full_clean()
    device.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=device, child=child,
                 summary=f"Classroom device for {child or school_class} created")
    return device, code


@transaction.atomic
def device_revoke(*, actor: User, device: ClassroomDevice) -> ClassroomDevice:
    _device_manage_check(actor, device.school)
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=device, child=device.child,
                     summary=f"Classroom device for {device.child or device.school_class} "
                             "revoked")
        device_id = device.pk
        transaction.on_commit(lambda: events.device_revoked(device_id), robust=True)
    return device


def device_pair(*, code: str) -> ClassroomDevice:
    """The device a pairing code belongs to; refused with a sentence if unknown or revoked."""
    device = ClassroomDevice.objects.filter(
        code_hash=ClassroomDevice.hash_code(code or "")).first()
    if device is None:
        raise ValidationError(_("This pairing code is not known. Check it, or ask the "
                                "coordinator for the code of this tablet."))
    if device.revoked_at is not None:
        raise ValidationError(_("This pairing code was revoked. Ask the coordinator for a "
                                "new one."))
    return device
