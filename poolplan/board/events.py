"""News of card changes for the WebSocket clients, sent through the channel layer.

Groups: `cards.school.<id>` (the pool's live boards: card plus the new dispatch suggestions),
`cards.class.<id>` (teachers' views and class tablets) and `cards.child.<id>` (a child's own
tablet), `cards.device.<id>` (tells a revoked tablet to stop). Messages are built from the
database after the commit, so what a client receives is what a resync would return.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

logger = logging.getLogger(__name__)


def school_group(school_id: int) -> str:
    return f"cards.school.{school_id}"


def class_group(class_id: int) -> str:
    return f"cards.class.{class_id}"


def child_group(child_id: int) -> str:
    return f"cards.child.{child_id}"


def device_group(device_id: int) -> str:
    return f"cards.device.{device_id}"


def _send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(group, {"type": "board.message", "message": message})


def card_changed(child_id: int, now=None) -> None:
    """Tell every screen that shows this card. Called on commit (see services)."""
    from poolplan.board import selectors
    from poolplan.roster.models import Child

    child = Child.objects.select_related("school", "school_class").get(pk=child_id)
    now = now or timezone.now()
    state = selectors.board_state(school=child.school, now=now)
    card = next(c for c in state["cards"] if c["child_id"] == child_id)
    suggestions = {str(c["child_id"]): c["suggestion"] for c in state["cards"]
                   if c["suggestion"]}
    _send(school_group(child.school_id),
          {"type": "card", "card": card, "suggestions": suggestions})
    plain = {k: v for k, v in card.items() if k not in ("suggestion", "assigned")}
    _send(class_group(child.school_class_id), {"type": "card", "card": plain})
    _send(child_group(child_id), {"type": "card", "card": plain})


def device_revoked(device_id: int) -> None:
    _send(device_group(device_id), {"type": "revoked"})
