"""News of card changes for the WebSocket clients, sent through the channel layer.

Groups: `cards.school.<id>` (the pool's live boards), `cards.class.<id>` (teachers' views and
class tablets), `cards.child.<id>` (a child's own tablet), `cards.device.<id>` (tells a revoked
tablet to stop). Messages are built from the database after the commit, so what a client
receives is what a resync would return.

Two kinds of news, so that the fast one never waits for the slow one:

- `card`: the changed card alone, sent to every screen that shows it as soon as the change has
  committed (a few small queries, no solving);
- `dispatch`: the board's news derived from all cards of the school (who should go, the plan's
  staff now), sent to the school's boards after each change. It is worked out once per change,
  outside the request and outside the thread that serves requests: from the event loop that
  serves this process's live clients, where a burst of changes while one solve runs is answered
  by one more solve, not one per change. A process without live clients (a script, a test)
  works it out at once instead.

Each message is serialised once and handed to the consumers as text, not once per client.
"""

import asyncio
import datetime
import json
import logging

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder

logger = logging.getLogger(__name__)


def school_group(school_id: int) -> str:
    return f"cards.school.{school_id}"


def class_group(class_id: int) -> str:
    return f"cards.class.{class_id}"


def child_group(child_id: int) -> str:
    return f"cards.child.{child_id}"


def device_group(device_id: int) -> str:
    return f"cards.device.{device_id}"


def layer_event(message: dict, *, close: bool = False) -> dict:
    """A channel-layer event carrying `message` as JSON text; `close` ends the connection after
    delivering it."""
    event = {"type": "board.message",
             "text": json.dumps(message, cls=DjangoJSONEncoder, separators=(",", ":"))}
    if close:
        event["close"] = True
    return event


async def _group_send_all(sends: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()
    for group, event in sends:
        # Each process joins a group once (fanout.py): the group tells it whose news this is.
        await layer.group_send(group, {**event, "group": group})


def _send(*sends: tuple[str, dict]) -> None:
    if get_channel_layer() is None:
        return
    async_to_sync(_group_send_all)(list(sends))


def card_changed(child_id: int, now: datetime.datetime | None = None) -> None:
    """Tell every screen that shows this card, then have the board's dispatch worked out anew.
    Called on commit (see services)."""
    from poolplan.board import selectors
    from poolplan.roster.models import Child

    child = Child.objects.select_related("school_class").get(pk=child_id)
    [card] = selectors.card_views(children=[child], now=now)
    event = layer_event({"type": "card", "card": card.as_dict()})
    _send((school_group(child.school_id), event), (class_group(child.school_class_id), event),
          (child_group(child_id), event))
    board_dispatch_later(child.school_id, now)


def board_dispatch_event(school_id: int, now: datetime.datetime | None = None) -> dict:
    from poolplan.board import selectors
    from poolplan.roster.models import School

    school = School.objects.get(pk=school_id)
    return layer_event({"type": "dispatch", **selectors.board_dispatch(school=school, now=now)})


def board_dispatch_send(school_id: int, now: datetime.datetime | None = None) -> None:
    _send((school_group(school_id), board_dispatch_event(school_id, now)))


# --- the dispatch, off the request ----------------------------------------------------------
# Per process: the event loop of its live clients (set when one connects), the running
# refresh per school, and the latest change that came in while it ran.
_live_loop: asyncio.AbstractEventLoop | None = None
_refreshing: dict[int, asyncio.Task] = {}
_again: dict[int, datetime.datetime | None] = {}


def live_loop_here() -> None:
    """Called by the consumers on connect, on the loop that serves this process's clients."""
    global _live_loop
    _live_loop = asyncio.get_running_loop()


def board_dispatch_later(school_id: int, now: datetime.datetime | None = None) -> None:
    loop = _live_loop
    if loop is None or loop.is_closed() or not loop.is_running():
        board_dispatch_send(school_id, now)
        return
    loop.call_soon_threadsafe(_refresh_request, school_id, now)


def _refresh_request(school_id: int, now: datetime.datetime | None) -> None:
    if school_id in _refreshing:
        # One more solve once the running one is done covers every change until then.
        _again[school_id] = now
        return
    _refreshing[school_id] = asyncio.get_running_loop().create_task(
        _refresh(school_id, now), name=f"board-dispatch-{school_id}")


async def _refresh(school_id: int, now: datetime.datetime | None) -> None:
    try:
        while True:
            try:
                # Not in the thread that serves the requests (thread_sensitive): the next
                # flip must not wait for this solve.
                event = await database_sync_to_async(board_dispatch_event,
                                                     thread_sensitive=False)(school_id, now)
                await _group_send_all([(school_group(school_id), event)])
            except Exception:
                # The boards still have every card; the next change or resync brings the
                # suggestions.
                logger.exception("Dispatch suggestions for school %s failed", school_id)
            if school_id not in _again:
                return
            now = _again.pop(school_id)
    finally:
        _refreshing.pop(school_id, None)


def device_revoked(device_id: int) -> None:
    _send((device_group(device_id), layer_event({"type": "revoked"}, close=True)))
