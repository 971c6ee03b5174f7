"""Request and response shapes of the log book API (strict types, as in roster/schemas.py)."""

import datetime
import re
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import BeforeValidator, Field, StrictBool

from poolplan.logbook.models import Presence, SupportKind
from poolplan.roster.schemas import Id, In, IsoDate, Text

_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
# Months of this century: a school's records do not reach further, and the ledger runs week by
# week from the first approval to the month asked for.
MONTH_PATTERN = r"^20\d{2}-(0[1-9]|1[0-2])$"
MONTHS_AHEAD = 12


def month_parse(text: str) -> datetime.date:
    """The first day of the month written "YYYY-MM" (pages and API alike).

    Raises:
        ValueError: text that is not a month of MONTH_PATTERN.
    """
    if not isinstance(text, str) or not re.fullmatch(MONTH_PATTERN, text):
        raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2026-11.")
    year, month = (int(part) for part in text.split("-"))
    first = datetime.date(year, month, 1)
    # The ledger runs week by week up to the month asked for: 2099-12 took minutes (found by
    # schemathesis on the hours export). Records and plans reach at most a year ahead.
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 + MONTHS_AHEAD
    latest = datetime.date(index // 12, index % 12 + 1, 1)
    if first > latest:
        raise ValueError(f"Choose a month up to {latest:%Y-%m}; later months have no records yet.")
    return first


def _hhmm_only(value: Any) -> Any:
    if isinstance(value, datetime.time):
        return value
    # Lax pydantic would read 3600 as 01:00 and "8:0:0.5" as a time.
    if not isinstance(value, str) or not _HHMM.fullmatch(value):
        raise ValueError("Enter the time as text in the form HH:MM, e.g. 08:45.")
    return value


LocalTime = Annotated[datetime.time, BeforeValidator(_hhmm_only)]


class LogEntryIn(In):
    child: Id
    date: IsoDate
    start: LocalTime = Field(description="Local time (Europe/Berlin), HH:MM.")
    end: LocalTime = Field(description="Local time (Europe/Berlin), HH:MM; after start.")
    kind: SupportKind
    presence: Presence = Presence.PRESENT
    minutes_away: Annotated[int, Field(ge=0, le=1440, strict=True)] = 0
    note: Text(500) = ""
    incident: StrictBool = False
    group: Annotated[list[Id], Field(max_length=20)] = Field(
        default_factory=list, description="Other children supported at the same time.")
    assistant: Id | None = Field(
        default=None, description="Who supported the child; default the caller. Only "
                                  "coordinators may name someone else.")
    idempotency_key: Text(100, 1) | None = Field(
        default=None, description="Client-generated (e.g. a UUID); or send the "
                                  "Idempotency-Key header.")


class LogEntryChangeIn(In):
    """The fields to change; those left out stay as they are."""

    date: IsoDate | None = None
    start: LocalTime | None = Field(default=None, description="Local time, HH:MM.")
    end: LocalTime | None = Field(default=None, description="Local time, HH:MM.")
    kind: SupportKind | None = None
    presence: Presence | None = None
    minutes_away: Annotated[int, Field(ge=0, le=1440, strict=True)] | None = None
    note: Text(500) | None = None
    incident: StrictBool | None = None
    group: Annotated[list[Id], Field(max_length=20)] | None = None


class LogEntryUpdateIn(LogEntryChangeIn):
    version: Text(64, 1) | None = Field(
        default=None, description="The entry's `version` the change was made on: a change to "
                                  "an entry someone changed since is refused with 409.")


class LogEntryCorrectionIn(LogEntryChangeIn):
    reason: Text(300, 1) = Field(description="Why the entry is corrected; the proof shows it.")
    idempotency_key: Text(100, 1) | None = Field(
        default=None, description="Client-generated; or send the Idempotency-Key header.")


class LogEntryOut(Schema):
    id: int
    child: int
    assistant: int
    date: datetime.date
    start: str
    end: str
    presence: Presence
    minutes_away: int
    kind: SupportKind
    note: str
    incident: bool
    group: list[int]
    delivered_minutes: int
    idempotency_key: str
    supersedes: int | None
    correction_reason: str
    version: str


class LedgerPeriodOut(Schema):
    label: str
    start: datetime.date
    end: datetime.date
    approved: int
    planned: int | None
    delivered: int
    credited: int
    not_credited: int
    excused: int
    shortfall: int
    debt_before: int
    debt_added: int
    debt_made_up: int
    debt_after: int


class LedgerSessionOut(Schema):
    id: int
    date: datetime.date
    start: str
    end: str
    assistant: str
    presence: Presence
    kind: SupportKind
    delivered: int
    ratio: int
    allowed_ratio: int
    credited: int
    corrects: int | None
    correction_reason: str
    corrected_after_signing: bool


class MonthIn(In):
    month: Annotated[str, Field(pattern=MONTH_PATTERN, description="YYYY-MM")]


class SignatureOut(Schema):
    month: str
    signed_by: str
    signed_at: datetime.datetime
    content_hash: str


class LedgerOut(Schema):
    child: int
    month: str
    weeks: list[LedgerPeriodOut]
    total: LedgerPeriodOut
    sessions: list[LedgerSessionOut]
    signature: SignatureOut | None
    changed_since_signing: bool


class PoolPeriodOut(Schema):
    label: str
    start: datetime.date
    end: datetime.date
    budget: int | None
    planned: int | None
    staff: int
    child_minutes: int
    remaining: int | None


class PoolChildOut(Schema):
    child: int
    display_code: str
    sessions: int
    delivered: int


class PoolLedgerOut(Schema):
    school: int
    month: str
    funding_model: str
    budget_minutes_per_week: int | None
    weeks: list[PoolPeriodOut]
    total: PoolPeriodOut
    children: list[PoolChildOut]
