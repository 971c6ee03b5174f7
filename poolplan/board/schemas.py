"""Request and response shapes of the cards API. A card's colour is called `state` here, as in
`PUT /api/cards/{child_id}` `{"state": "red"}`, both ways, so a client can send back what it read.
"""

import datetime
from typing import Literal

from ninja import Schema

from poolplan.roster.schemas import In

CardStateName = Literal["green", "yellow", "red"]


class CardSetIn(In):
    state: CardStateName


class SuggestionOut(Schema):
    """Who should go, and why in words; no helper when nobody qualified is free."""

    helper_id: int | None
    helper: str | None
    reasons: list[str]


class CardOut(Schema):
    """A card as every screen may show it: display code, never a name. `suggestion` (who
    should go) and `assigned` (the published plan's staff now) are for pool members only and
    left out for teachers."""

    child_id: int
    school_id: int
    class_id: int
    display_code: str
    class_name: str
    state: CardStateName
    default_state: CardStateName
    version: int
    changed_at: datetime.datetime | None
    raised_at: datetime.datetime | None
    waiting_seconds: int | None
    acknowledged_by: str | None
    acknowledged_at: datetime.datetime | None
    room: str | None
    floor: str | None
    suggestion: SuggestionOut | None = None
    assigned: list[str] = []


class CardsOut(Schema):
    school_id: int
    at: datetime.datetime
    cards: list[CardOut]
