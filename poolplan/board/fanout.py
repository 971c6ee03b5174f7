"""One channel-layer subscription per process for all its live card screens.

Channels delivers a group message to every member channel: with 500 boards on one server
process a card flip became 500 layer messages, 500 wake-ups, 500 dispatches (the in-memory
layer even scans all its channels on each receive). Here each process joins each group once,
with one channel of its own, and writes every message's text straight to the sockets of the
local consumers in that group: one layer message per process and group, then one frame write
per client. A client whose connection is slow to take data gets its frames after the others,
without holding them up.

If the layer fails (Redis gone), every local socket is closed: the clients reconnect and fetch
the current state from the database, so no card is missed (events.py, cards.js).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Protocol

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)
FAILED = 1011  # "internal error": the client reconnects and resyncs
# Joining again refreshes a group's membership before the core Redis layer's group expiry
# (a day) drops a process whose screens stay connected that long.
REFRESH_SECONDS = 3600


class Screen(Protocol):
    async def deliver(self, event: dict) -> None: ...

    async def close(self, code=None, reason=None) -> None: ...


class Fanout:
    def __init__(self, layer):
        self.layer = layer
        self.members: dict[str, set[Screen]] = {}
        self.channel: str | None = None
        self.task: asyncio.Task | None = None
        self.refresher: asyncio.Task | None = None
        self.lock = asyncio.Lock()
        self.pending: dict[Screen, asyncio.Task] = {}

    async def join(self, screen: Screen, groups: list[str]) -> None:
        async with self.lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel()
                self.task = asyncio.create_task(self._receive(), name="board-fanout")
                self.refresher = asyncio.create_task(self._refresh(), name="board-refresh")
            for group in groups:
                self.members.setdefault(group, set()).add(screen)
                # Every join (not only the first) renews the membership's expiry.
                await self.layer.group_add(group, self.channel)

    async def leave(self, screen: Screen, groups: list[str]) -> None:
        async with self.lock:
            for group in groups:
                members = self.members.get(group)
                if members is None or screen not in members:
                    continue
                members.discard(screen)
                if not members:
                    del self.members[group]
                    if self.channel is not None:
                        await self.layer.group_discard(group, self.channel)

    def _send(self, screen: Screen, event: dict) -> None:
        loop = asyncio.get_running_loop()
        previous = self.pending.get(screen)
        if previous is not None and not previous.done():
            # Still writing an earlier frame to this client: keep the order.
            task = loop.create_task(self._after(previous, screen, event))
        else:
            # Runs at once up to the socket write; a task object only stays around for a
            # client whose connection is not taking data now.
            task = asyncio.Task(self._deliver(screen, event), loop=loop, eager_start=True)
        if task.done():
            self.pending.pop(screen, None)
        else:
            self.pending[screen] = task
            task.add_done_callback(lambda _t, s=screen: self._settled(s, _t))

    def _settled(self, screen: Screen, task: asyncio.Task) -> None:
        if self.pending.get(screen) is task:
            del self.pending[screen]

    async def _after(self, previous: asyncio.Task, screen: Screen, event: dict) -> None:
        await asyncio.wait([previous])
        await self._deliver(screen, event)

    @staticmethod
    async def _deliver(screen: Screen, event: dict) -> None:
        try:
            await screen.deliver(event)
        except Exception:
            # The client left while the news was on its way; its disconnect handler tidies up.
            logger.debug("Could not deliver to a live screen", exc_info=True)

    async def _receive(self) -> None:
        try:
            while True:
                event = await self.layer.receive(self.channel)
                for screen in list(self.members.get(event.get("group"), ())):
                    self._send(screen, event)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("The channel layer failed; closing this process's live screens "
                             "so that they reconnect and resync")
            await self._fail()

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            async with self.lock:
                for group in list(self.members):
                    await self.layer.group_add(group, self.channel)

    async def _fail(self) -> None:
        async with self.lock:
            screens = {screen for members in self.members.values() for screen in members}
            self.members.clear()
            self.channel = None
            if self.refresher is not None:
                self.refresher.cancel()
        for screen in screens:
            try:
                await screen.close(code=FAILED)
            except Exception:
                logger.debug("Could not close a live screen", exc_info=True)


_fanouts: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Fanout] = (
    weakref.WeakKeyDictionary())


def fanout() -> Fanout:
    """This event loop's fan-out (a server process has one loop; tests start several)."""
    loop = asyncio.get_running_loop()
    layer = get_channel_layer()
    current = _fanouts.get(loop)
    if current is None or current.layer is not layer:
        current = _fanouts[loop] = Fanout(layer)
    return current
