"""The card actions: every rule, the log rows, the audit rows, and news only on commit."""

import datetime as dt

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError

from poolplan.accounts.models import AuditEvent
from poolplan.board import events, selectors, services
from poolplan.board.models import CardEvent, CardEventKind, CardSource, CardState

pytestmark = pytest.mark.usefixtures("in_memory_layer")


def listen(group: str) -> str:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


def received(channel: str, timeout: float = 0.2) -> list[dict]:
    """The messages (decoded JSON) that reached the channel."""
    import asyncio
    import json

    layer = get_channel_layer()

    async def drain():
        messages = []
        while True:
            try:
                event = await asyncio.wait_for(layer.receive(channel), timeout)
            except TimeoutError:
                return messages
            messages.append(json.loads(event["text"]))

    return async_to_sync(drain)()


def test_it_turns_a_card_and_logs_who_and_when(world, now):
    teacher = world.user("teacher")
    event = services.card_set(child=world.child, colour="red", actor=teacher, now=now)
    assert event.kind == CardEventKind.SET and event.source == CardSource.TEACHER
    assert (event.previous_colour, event.colour, event.actor, event.at) == (
        "green", "red", teacher, now)
    state = CardState.objects.get(child=world.child)
    assert (state.colour, state.raised_at, state.changed_by, state.version) == (
        "red", now, teacher, 1)
    audit = AuditEvent.objects.get(child=world.child, object_type="cardstate")
    assert audit.actor == teacher and audit.changes == {"colour": ["green", "red"]}


def test_it_refuses_a_colour_outside_green_yellow_red(world, now):
    with pytest.raises(ValidationError) as exc:
        services.card_set(child=world.child, colour="blue", actor=world.user("teacher"), now=now)
    assert "green, yellow or red" in str(exc.value)
    assert not CardEvent.objects.exists()


def test_it_ignores_turning_a_card_to_the_colour_it_shows(world, now):
    assert services.card_set(child=world.child, colour="green",
                             actor=world.user("teacher"), now=now) is None
    assert not CardEvent.objects.exists()


@pytest.mark.parametrize("role", ["parent", "provider", "reviewer", "other_assistant",
                                  "other_coordinator"])
def test_it_refuses_people_who_may_not_turn_the_card(world, now, role):
    with pytest.raises(PermissionDenied):
        services.card_set(child=world.child, colour="red", actor=world.user(role), now=now)


def test_it_refuses_a_teacher_of_another_class(world, now):
    with pytest.raises(PermissionDenied):
        services.card_set(child=world.child_6b, colour="red", actor=world.user("teacher"),
                          now=now)


def test_it_lets_a_device_turn_only_its_own_childs_card(world, now):
    device, _code = services.device_create(actor=world.user("coordinator"), school=world.school,
                                           child=world.child)
    event = services.card_set(child=world.child, colour="yellow", device=device, now=now)
    assert event.source == CardSource.DEVICE and event.device == device and event.actor is None
    # A device is no person: the card log is its trail, not the audit trail.
    assert not AuditEvent.objects.filter(object_type="cardstate").exists()
    with pytest.raises(PermissionDenied):
        services.card_set(child=world.child_6b, colour="red", device=device, now=now)


def test_it_refuses_a_revoked_device(world, now):
    coordinator = world.user("coordinator")
    device, code = services.device_create(actor=coordinator, school=world.school,
                                          school_class=world.class_5a)
    services.device_revoke(actor=coordinator, device=device)
    with pytest.raises(PermissionDenied):
        services.card_set(child=world.child, colour="red", device=device, now=now)
    with pytest.raises(ValidationError, match="revoked"):
        services.device_pair(code=code)


def test_it_pairs_by_code_regardless_of_case_and_spaces(world):
    device, code = services.device_create(actor=world.user("coordinator"), school=world.school,
                                          child=world.child)
    assert services.device_pair(code=f" {code.lower()} ") == device
    with pytest.raises(ValidationError, match="not known"):
        services.device_pair(code="AAAAA-AAAAA")


@pytest.mark.parametrize("role", ["assistant", "teacher", "other_coordinator", "provider"])
def test_it_lets_only_the_schools_coordinator_create_devices(world, role):
    with pytest.raises(PermissionDenied):
        services.device_create(actor=world.user(role), school=world.school, child=world.child)


def test_it_refuses_a_device_for_a_child_of_another_school(world):
    with pytest.raises(ValidationError, match="another school"):
        services.device_create(actor=world.user("coordinator"), school=world.school,
                               child=world.other_child)


def test_it_records_response_times_red_acknowledged_done(world, now):
    assistant = world.user("assistant")
    services.card_set(child=world.child, colour="red", actor=world.user("teacher"), now=now)
    ack = services.card_acknowledge(actor=assistant, child=world.child,
                                    now=now + dt.timedelta(seconds=40))
    assert ack.seconds_to_acknowledge == 40 and ack.acknowledged_by == assistant
    done = services.card_done(actor=assistant, child=world.child,
                              now=now + dt.timedelta(minutes=5))
    assert done.kind == CardEventKind.DONE and done.colour == "green"
    assert (done.seconds_to_acknowledge, done.seconds_to_done) == (40, 300)
    state = CardState.objects.get(child=world.child)
    assert (state.colour, state.acknowledged_by, state.raised_at) == ("green", None, None)


def test_it_refuses_a_second_person_once_someone_is_on_the_way(world, now):
    services.card_set(child=world.child, colour="red", actor=world.user("teacher"), now=now)
    services.card_acknowledge(actor=world.user("assistant"), child=world.child, now=now)
    with pytest.raises(ValidationError, match="Anna Berg is already on the way"):
        services.card_acknowledge(actor=world.user("coordinator"), child=world.child, now=now)
    # The same person pressing twice changes nothing.
    assert services.card_acknowledge(actor=world.user("assistant"), child=world.child,
                                     now=now) is None


def test_it_refuses_acknowledging_or_finishing_a_green_card(world, now):
    with pytest.raises(ValidationError, match="nobody needs to go"):
        services.card_acknowledge(actor=world.user("assistant"), child=world.child, now=now)
    with pytest.raises(ValidationError, match="already green"):
        services.card_done(actor=world.user("assistant"), child=world.child, now=now)


@pytest.mark.parametrize("role", ["teacher", "parent", "other_assistant", "provider"])
def test_it_lets_only_pool_members_respond(world, now, role):
    services.card_set(child=world.child, colour="red", actor=world.user("teacher"), now=now)
    with pytest.raises(PermissionDenied):
        services.card_acknowledge(actor=world.user(role), child=world.child, now=now)
    with pytest.raises(PermissionDenied):
        services.card_done(actor=world.user(role), child=world.child, now=now)


def test_it_keeps_the_person_on_the_way_when_yellow_turns_red(world, now):
    teacher = world.user("teacher")
    services.card_set(child=world.child, colour="yellow", actor=teacher, now=now)
    services.card_acknowledge(actor=world.user("assistant"), child=world.child, now=now)
    later = now + dt.timedelta(minutes=2)
    services.card_set(child=world.child, colour="red", actor=teacher, now=later)
    state = CardState.objects.get(child=world.child)
    assert state.acknowledged_by == world.user("assistant")
    assert state.raised_at == later  # response time counts from red


def test_it_resets_cards_to_the_default_colour_at_local_midnight(world, now):
    services.card_default_set(actor=world.user("coordinator"), child=world.child_6b,
                              colour="yellow")
    evening = now.replace(hour=23, minute=50) - dt.timedelta(days=1)
    services.card_set(child=world.child, colour="red", actor=world.user("teacher"),
                      now=evening)
    states = CardState.objects.in_bulk()

    def read(child, at):
        return selectors.card_view(child=child, state=states.get(child.pk), now=at)

    assert read(world.child, evening + dt.timedelta(minutes=9)).colour == "red"
    next_morning = evening + dt.timedelta(minutes=11)  # 00:01 local
    card = read(world.child, next_morning)
    assert (card.colour, card.raised_at, card.acknowledged_by) == ("green", None, None)
    assert read(world.child_6b, next_morning).colour == "yellow"
    # The first change of the day starts from the default, not from yesterday's red.
    event = services.card_set(child=world.child, colour="yellow",
                              actor=world.user("teacher"), now=next_morning)
    assert event.previous_colour == "green"


def test_it_refuses_a_red_default_and_non_coordinators(world):
    with pytest.raises(ValidationError, match="cannot start the day red"):
        services.card_default_set(actor=world.user("coordinator"), child=world.child,
                                  colour="red")
    with pytest.raises(PermissionDenied):
        services.card_default_set(actor=world.user("assistant"), child=world.child,
                                  colour="yellow")


def test_it_broadcasts_only_on_commit(world, now, django_capture_on_commit_callbacks):
    board = listen(events.school_group(world.school.pk))
    klass = listen(events.class_group(world.class_5a.pk))
    kid = listen(events.child_group(world.child.pk))
    other_board = listen(events.school_group(world.other_school.pk))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.card_set(child=world.child, colour="red", actor=world.user("teacher"), now=now)
    assert len(callbacks) == 1
    assert received(board) == []  # nothing before the commit
    callbacks[0]()
    # The card first, alone; then the dispatch worked out after it, to the boards only.
    card_msg, dispatch_msg = received(board)
    assert card_msg["type"] == "card"
    assert card_msg["card"]["colour"] == "red"
    assert card_msg["card"]["display_code"] == "Fox 1"
    assert "suggestion" not in card_msg["card"]
    assert dispatch_msg["type"] == "dispatch"
    assert dispatch_msg["suggestions"][str(world.child.pk)]["helper"] == "Anna Berg"
    assert dispatch_msg["seq"] == 1
    for message in (card_msg, dispatch_msg):
        assert "Muster" not in str(message)  # no full names on shared screens
    [class_msg] = received(klass)
    assert class_msg == card_msg
    assert received(kid) == [card_msg]
    assert received(other_board) == []


def test_it_sends_nothing_when_the_transaction_rolls_back(world, now,
                                                          django_capture_on_commit_callbacks):
    from django.db import transaction

    board = listen(events.school_group(world.school.pk))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                services.card_set(child=world.child, colour="red",
                                  actor=world.user("teacher"), now=now)
                raise RuntimeError("boom")
    assert callbacks == []
    assert received(board) == []
    assert not CardEvent.objects.exists()


def test_it_tells_a_revoked_device_to_stop(world, django_capture_on_commit_callbacks):
    coordinator = world.user("coordinator")
    device, _code = services.device_create(actor=coordinator, school=world.school,
                                           child=world.child)
    channel = listen(events.device_group(device.pk))
    with django_capture_on_commit_callbacks(execute=True):
        services.device_revoke(actor=coordinator, device=device)
    assert received(channel) == [{"type": "revoked"}]


def test_it_shows_the_published_plans_assignment_and_keeps_busy_people_with_red_children(
        world, now):
    from poolplan.planning.models import Assignment, Plan, PlanStatus
    from poolplan.roster.models import Assistant

    plan = Plan.objects.create(school=world.school, week="2026-W47", monday=now.date(),
                               version=1, status=PlanStatus.PUBLISHED, instance={},
                               document={})
    period = world.school.periods.get()
    Assignment.objects.create(plan=plan, slot="mon-1", date=now.date(), period=period,
                              assistant=world.assistant, child=world.child_6b)
    services.card_set(child=world.child, colour="red", actor=world.user("teacher"), now=now)
    state = selectors.board_state(school=world.school, now=now)
    cards = {c["display_code"]: c for c in state["cards"]}
    assert cards["Owl 2"]["assigned"] == ["Anna Berg"]
    # Anna is with Owl 2, whose card is green: she may go, and the reason says so.
    assert ["with_green_child", "Owl 2"] in cards["Fox 1"]["suggestion"]["reasons"]
    worded = selectors.suggestion_worded(cards["Fox 1"]["suggestion"])
    assert "now with Owl 2, whose card is green" in worded["reasons"]
    services.card_set(child=world.child_6b, colour="yellow", actor=world.user("coordinator"),
                      now=now)
    Assistant.objects.exclude(pk=world.assistant.pk).update(archived_at=now)
    state = selectors.board_state(school=world.school, now=now)
    fox = next(c for c in state["cards"] if c["display_code"] == "Fox 1")
    assert fox["suggestion"]["helper"] is None
