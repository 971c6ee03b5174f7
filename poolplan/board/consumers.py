"""WebSockets of the live cards. Authorisation happens on connect: a refused client is closed
with code 4403 before it is accepted. On connect (and so after every reconnect) the client gets
a full snapshot, then one JSON message per change (`card`) and, on boards, the dispatch worked
out after it (`dispatch`, see events.py); the state itself lives in the database.

/ws/board/<school_id>/        pool members of the school: every card plus dispatch suggestions
/ws/cards/class/<class_id>/   the class's teachers and the school's pool members
/ws/cards/device/             a paired classroom device (session): its child's or class's cards
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from poolplan.board import events, selectors
from poolplan.board.fanout import fanout
from poolplan.roster.models import School, SchoolClass

REFUSED = 4403
DEVICE_SESSION_KEY = "board_device_id"


class _CardsConsumer(AsyncJsonWebsocketConsumer):
    # No channel-layer channel per consumer (get_channel_layer gives None for an alias that
    # is not configured): the news comes through the process's fan-out.
    channel_layer_alias = "poolplan-board-fanout"
    groups_joined: list[str]

    async def connect(self):
        self.groups_joined = []
        allowed = await database_sync_to_async(self.authorise)()
        if not allowed:
            await self.close(code=REFUSED)
            return
        await self.accept()
        events.live_loop_here()
        # The process's fan-out receives the groups' news once and writes it to each socket
        # (fanout.py), instead of a channel-layer message per consumer.
        self.fanout = fanout()
        await self.fanout.join(self, self.groups_joined)
        await self.send_json(await database_sync_to_async(self.snapshot)())

    async def disconnect(self, code):
        if getattr(self, "fanout", None) is not None:
            await self.fanout.leave(self, self.groups_joined)

    async def receive_json(self, content, **kwargs):
        # Clients may ask for a fresh snapshot (e.g. after the tab was asleep).
        if isinstance(content, dict) and content.get("type") == "resync":
            await self.send_json(await database_sync_to_async(self.snapshot)())

    async def deliver(self, event):
        """News from the fan-out, serialised once by the sender for all clients."""
        await self.send(text_data=event["text"])
        if event.get("close"):
            await self.close(code=REFUSED)

    def authorise(self) -> bool:
        raise NotImplementedError

    def snapshot(self) -> dict:
        raise NotImplementedError


class BoardConsumer(_CardsConsumer):
    def authorise(self) -> bool:
        user = self.scope.get("user")
        school = School.objects.filter(pk=self.scope["url_route"]["kwargs"]["school_id"]).first()
        if school is None or not selectors.board_can_view(user=user, school=school):
            return False
        self.school = school
        self.groups_joined = [events.school_group(school.pk)]
        return True

    def snapshot(self) -> dict:
        return {"type": "snapshot", **selectors.board_state(school=self.school)}


class ClassCardsConsumer(_CardsConsumer):
    def authorise(self) -> bool:
        user = self.scope.get("user")
        school_class = SchoolClass.objects.filter(
            pk=self.scope["url_route"]["kwargs"]["class_id"]).first()
        if school_class is None or not selectors.class_can_view(user=user,
                                                                school_class=school_class):
            return False
        self.school_class = school_class
        self.groups_joined = [events.class_group(school_class.pk)]
        return True

    def snapshot(self) -> dict:
        children = selectors.class_children(school_class=self.school_class)
        return {"type": "snapshot", **selectors.cards_state(children=children)}


class DeviceCardsConsumer(_CardsConsumer):
    def authorise(self) -> bool:
        session = self.scope.get("session")
        device = selectors.device_get_active(session.get(DEVICE_SESSION_KEY) if session else None)
        if device is None:
            return False
        self.device = device
        target = (events.child_group(device.child_id) if device.child_id
                  else events.class_group(device.school_class_id))
        self.groups_joined = [target, events.device_group(device.pk)]
        return True

    def snapshot(self) -> dict:
        return {"type": "snapshot",
                **selectors.cards_state(children=selectors.device_children(device=self.device))}
