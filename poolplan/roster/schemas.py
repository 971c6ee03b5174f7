"""Request and response shapes of the roster API.

Numbers are strict (`false` is no integer, "5" no number) and dates must be ISO strings:
pydantic's lax mode would otherwise accept data the OpenAPI schema says is invalid.
Related objects are referred to by id; skills by their code (e.g. "nursing").
"""

import datetime
import re
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, StrictInt

from poolplan.roster.models import AbsenceReason, FundingModel, Profession

# SQLite and PostgreSQL store ids as signed 64-bit integers; a larger number would crash the
# database driver instead of simply not matching.
MAX_ID = 2**63 - 1

Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
Minutes = Annotated[StrictInt, Field(ge=0, le=100_000)]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: Any) -> Any:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    # Lax pydantic would read 0 or "0" as a Unix timestamp (1970-01-01).
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("Enter the date as text in the form YYYY-MM-DD.")
    return value


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date_only)]


def _no_nul(value: Any) -> Any:
    # PostgreSQL cannot store NUL characters in text; refuse them as invalid input.
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("Text must not contain NUL characters.")
    return value


def Text(max_length: int, min_length: int = 0):  # noqa: N802 - reads like a type
    return Annotated[str, BeforeValidator(_no_nul),
                     Field(min_length=min_length, max_length=max_length, pattern=r"^[^\x00]*$")]


class In(Schema):
    """Request bodies refuse unknown fields: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Error(Schema):
    message: str
    details: Any = None


# --- schools ------------------------------------------------------------------------------------


class SchoolOut(Schema):
    id: int
    name: str
    funding_model: FundingModel
    budget_minutes_per_week: int | None


class SchoolIn(In):
    name: Text(200, 1)
    funding_model: FundingModel = FundingModel.INDIVIDUAL
    budget_minutes_per_week: Minutes | None = None


class SchoolPatch(In):
    name: Text(200, 1) = None
    funding_model: FundingModel = None
    budget_minutes_per_week: Minutes | None = None


# --- children -----------------------------------------------------------------------------------


class SchoolClassOut(Schema):
    id: int
    name: str


class ApprovalOut(Schema):
    id: int
    child: int
    funding_body: int
    funding_body_name: str
    file_number: str
    minutes_per_week: int
    valid_from: datetime.date
    valid_to: datetime.date
    max_ratio: int

    @staticmethod
    def resolve_child(obj) -> int:
        return obj.child_id

    @staticmethod
    def resolve_funding_body(obj) -> int:
        return obj.funding_body_id

    @staticmethod
    def resolve_funding_body_name(obj) -> str:
        return obj.funding_body.name


class ChildSummaryOut(Schema):
    """What every role that sees a child may see: no name, no notes."""

    id: int
    display_code: str
    school: int
    school_class: SchoolClassOut
    archived: bool


class ChildOut(ChildSummaryOut):
    """A child's record. Fields the caller may not see are left out (not null): a teacher
    gets id, display code and class only."""

    first_name: str | None = None
    last_name: str | None = None
    date_of_birth: datetime.date | None = None
    notes: str | None = None
    required_skills: list[str] | None = None
    course_groups: list[str] | None = None
    primary_assistant: int | None = None
    fixed_assistants: list[int] | None = None
    max_assistants: int | None = None
    approvals: list[ApprovalOut] | None = None


class ChildIn(In):
    school_class: Id
    first_name: Text(100, 1)
    last_name: Text(100, 1)
    display_code: Text(12, 1)
    date_of_birth: IsoDate | None = None
    notes: Text(10_000) = ""
    required_skills: list[Text(40, 1)] = Field(default_factory=list, max_length=50)
    course_groups: list[Text(30, 1)] = Field(default_factory=list, max_length=50)
    primary_assistant: Id | None = None
    fixed_assistants: list[Id] = Field(default_factory=list, max_length=50)
    max_assistants: Annotated[StrictInt, Field(ge=1, le=100)] | None = None


class ChildPatch(In):
    school_class: Id = None
    first_name: Text(100, 1) = None
    last_name: Text(100, 1) = None
    display_code: Text(12, 1) = None
    date_of_birth: IsoDate | None = None
    notes: Text(10_000) = None
    required_skills: list[Text(40, 1)] = Field(default=None, max_length=50)
    course_groups: list[Text(30, 1)] = Field(default=None, max_length=50)
    primary_assistant: Id | None = None
    fixed_assistants: list[Id] = Field(default=None, max_length=50)
    max_assistants: Annotated[StrictInt, Field(ge=1, le=100)] | None = None


# --- need profile -------------------------------------------------------------------------------


class NeedEntryOut(Schema):
    period: int
    slot: str
    need: int
    room: int | None
    skills: list[str]


class NeedProfileOut(Schema):
    child: int
    entries: list[NeedEntryOut]


class NeedEntryIn(In):
    period: Id
    need: Annotated[StrictInt, Field(ge=0, le=2)]
    room: Id | None = None
    skills: list[Text(40, 1)] = Field(default_factory=list, max_length=50)


class NeedProfileIn(In):
    entries: list[NeedEntryIn] = Field(max_length=500)


# --- approvals ----------------------------------------------------------------------------------


class ApprovalIn(In):
    funding_body: Id
    file_number: Text(50, 1)
    minutes_per_week: Annotated[StrictInt, Field(ge=1, le=3000)]
    valid_from: IsoDate
    valid_to: IsoDate
    max_ratio: Annotated[StrictInt, Field(ge=1, le=3)] = 1


class ApprovalPatch(In):
    funding_body: Id = None
    file_number: Text(50, 1) = None
    minutes_per_week: Annotated[StrictInt, Field(ge=1, le=3000)] = None
    valid_from: IsoDate = None
    valid_to: IsoDate = None
    max_ratio: Annotated[StrictInt, Field(ge=1, le=3)] = None


# --- assistants ---------------------------------------------------------------------------------


class AssistantOut(Schema):
    """A pool member. Contract minutes and archiving are for those who manage the pool."""

    id: int
    first_name: str
    last_name: str
    profession: Profession
    skills: list[str]
    schools: list[int]
    contract_minutes_per_week: int | None = None
    archived: bool | None = None


class AssistantIn(In):
    first_name: Text(100, 1)
    last_name: Text(100, 1)
    contract_minutes_per_week: Annotated[StrictInt, Field(ge=0, le=3600)]
    profession: Profession = Profession.ASSISTANT
    skills: list[Text(40, 1)] = Field(default_factory=list, max_length=50)
    # Further schools of the pool member besides the one in the URL.
    other_schools: list[Id] = Field(default_factory=list, max_length=50)


class AssistantPatch(In):
    first_name: Text(100, 1) = None
    last_name: Text(100, 1) = None
    contract_minutes_per_week: Annotated[StrictInt, Field(ge=0, le=3600)] = None
    profession: Profession = None
    skills: list[Text(40, 1)] = Field(default=None, max_length=50)
    schools: list[Id] = Field(default=None, min_length=1, max_length=50)


# --- absences -----------------------------------------------------------------------------------


class AbsenceOut(Schema):
    """`reason_text` is present for coordinators only."""

    id: int
    assistant: int | None
    child: int | None
    start: datetime.date
    end: datetime.date
    reason: AbsenceReason
    reason_text: str | None = None


class AbsenceIn(In):
    """Exactly one of `assistant` and `child`."""

    assistant: Id | None = None
    child: Id | None = None
    start: IsoDate
    end: IsoDate
    reason: AbsenceReason = AbsenceReason.ILLNESS
    reason_text: Text(300) = ""


class AbsencePatch(In):
    start: IsoDate = None
    end: IsoDate = None
    reason: AbsenceReason = None
    reason_text: Text(300) = None
