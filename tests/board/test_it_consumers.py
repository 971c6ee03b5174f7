"""WebSocket consumers: who may connect, the snapshot on connect, one message per change. Every
test runs on the in-memory layer and on the real Redis layer (`channel_layer` in conftest)."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from poolplan.board import services
from poolplan.board.consumers import DEVICE_SESSION_KEY
from tests.board.websocket import WebsocketCommunicator

REFUSED = 4403


def session_cookie(user=None, device=None) -> str:
    session = SessionStore()
    if user is not None:
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if device is not None:
        session[DEVICE_SESSION_KEY] = device.pk
    session.save()
    return f"sessionid={session.session_key}"


def communicator(path: str, cookie: str = "") -> WebsocketCommunicator:
    from poolplan.asgi import application

    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def connect(path: str, cookie: str = ""):
    """(connected, first message or close code, communicator)."""
    comm = communicator(path, cookie)
    connected, code = await comm.connect()
    if not connected:
        return False, code, comm
    return True, await comm.receive_json_from(timeout=5), comm


def run(scenario):
    """Run an async scenario in one event loop (the communicators live in it); the ORM is
    reached through `db`."""
    return async_to_sync(scenario)()


db = database_sync_to_async


pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("channel_layer")]


@pytest.fixture
def world(transactional_db):
    from tests.factories import make_world

    return make_world()


@pytest.mark.parametrize("role", ["assistant", "coordinator"])
def test_it_gives_pool_members_the_board_with_a_snapshot(world, role):
    cookie = session_cookie(world.user(role))

    async def scenario():
        ok, snapshot, comm = await connect(f"/ws/board/{world.school.pk}/", cookie)
        assert ok and snapshot["type"] == "snapshot"
        assert {c["display_code"] for c in snapshot["cards"]} == {"Fox 1", "Owl 2"}
        await comm.disconnect()

    run(scenario)


@pytest.mark.parametrize("role", ["teacher", "parent", "provider", "reviewer",
                                  "other_assistant", "other_coordinator"])
def test_it_refuses_the_board_to_everyone_else(world, role):
    cookie = session_cookie(world.user(role))

    async def scenario():
        ok, code, _comm = await connect(f"/ws/board/{world.school.pk}/", cookie)
        assert (ok, code) == (False, REFUSED)

    run(scenario)


def test_it_refuses_anonymous_clients(world):
    async def scenario():
        for path in (f"/ws/board/{world.school.pk}/", f"/ws/cards/class/{world.class_5a.pk}/",
                     "/ws/cards/device/"):
            ok, code, _comm = await connect(path)
            assert (ok, code) == (False, REFUSED), path

    run(scenario)


def test_it_gives_a_teacher_only_their_classes(world):
    cookie = session_cookie(world.user("teacher"))

    async def scenario():
        ok, snapshot, comm = await connect(f"/ws/cards/class/{world.class_5a.pk}/", cookie)
        assert ok and [c["display_code"] for c in snapshot["cards"]] == ["Fox 1"]
        await comm.disconnect()
        ok, code, _comm = await connect(f"/ws/cards/class/{world.class_6b.pk}/", cookie)
        assert (ok, code) == (False, REFUSED)

    run(scenario)


def test_it_gives_a_device_only_its_childs_card_and_stops_it_when_revoked(world):
    coordinator = world.user("coordinator")
    device, _code = services.device_create(actor=coordinator, school=world.school,
                                           child=world.child)
    cookie = session_cookie(device=device)

    async def scenario():
        ok, snapshot, comm = await connect("/ws/cards/device/", cookie)
        assert ok and [c["display_code"] for c in snapshot["cards"]] == ["Fox 1"]
        # A device session is no login: the board and other classes stay closed.
        assert (await connect(f"/ws/board/{world.school.pk}/", cookie))[:2] == (False, REFUSED)
        assert (await connect(f"/ws/cards/class/{world.class_6b.pk}/", cookie))[:2] == (
            False, REFUSED)
        await db(services.device_revoke)(actor=coordinator, device=device)
        assert await comm.receive_json_from() == {"type": "revoked"}
        assert (await comm.receive_output(timeout=5))["type"] == "websocket.close"
        assert (await connect("/ws/cards/device/", cookie))[:2] == (False, REFUSED)

    run(scenario)


def test_it_sends_one_message_per_change_to_board_class_and_device(world):
    device, _code = services.device_create(actor=world.user("coordinator"), school=world.school,
                                           child=world.child)
    cookies = (session_cookie(world.user("assistant")), session_cookie(world.user("teacher")),
               session_cookie(device=device))

    async def scenario():
        _ok, _s, board = await connect(f"/ws/board/{world.school.pk}/", cookies[0])
        _ok, _s, klass = await connect(f"/ws/cards/class/{world.class_5a.pk}/", cookies[1])
        _ok, _s, tablet = await connect("/ws/cards/device/", cookies[2])
        await db(services.card_set)(child=world.child, colour="red", device=device)
        # The card at once, then (boards only) the dispatch worked out after the change.
        board_msg = await board.receive_json_from()
        assert (board_msg["type"], board_msg["card"]["colour"]) == ("card", "red")
        dispatch_msg = await board.receive_json_from()
        assert dispatch_msg["type"] == "dispatch"
        assert dispatch_msg["suggestions"][str(world.child.pk)]["helper"] == "Anna Berg"
        assert (await klass.receive_json_from())["card"]["colour"] == "red"
        assert (await tablet.receive_json_from())["card"]["colour"] == "red"
        await db(services.card_acknowledge)(actor=world.user("assistant"), child=world.child)
        for comm in (board, klass, tablet):
            assert (await comm.receive_json_from())["card"]["acknowledged_by"] == "Anna Berg"
        # Anna is on the way: nobody else is suggested for the card any more.
        after = await board.receive_json_from()
        assert after["type"] == "dispatch" and after["suggestions"] == {}
        assert after["seq"] > dispatch_msg["seq"]
        for comm in (board, klass, tablet):
            assert await comm.receive_nothing(timeout=0.2)
            await comm.disconnect()

    run(scenario)


def test_it_resends_the_snapshot_on_request(world):
    cookie = session_cookie(world.user("assistant"))

    async def scenario():
        _ok, _s, comm = await connect(f"/ws/board/{world.school.pk}/", cookie)
        await comm.send_json_to({"type": "resync"})
        assert (await comm.receive_json_from())["type"] == "snapshot"
        await comm.disconnect()

    run(scenario)


def test_it_runs_on_the_layer_under_test(channel_layer):
    from channels.layers import get_channel_layer

    expected = {"memory": "InMemoryChannelLayer", "redis-pubsub": "RedisPubSubChannelLayer",
                "redis-core": "RedisChannelLayer"}[channel_layer]
    assert type(get_channel_layer()).__name__ == expected
