"""The planning domain as frozen dataclasses (the words of spec/planning.md).

Everything here is plain data: no solver, no JSON, no Django. Indices that several modules
need (slot by id, need-2 slots, ...) are computed once per instance and cached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

NEED_SHARED = 1
NEED_OWN = 2


@dataclass(frozen=True)
class Slot:
    id: str
    day: str
    start: str
    end: str
    kind: str
    minutes: int


@dataclass(frozen=True)
class Assistant:
    id: str
    skills: frozenset[str]
    max_minutes: int
    unavailable: frozenset[str]

    def is_available(self, slot_id: str) -> bool:
        return slot_id not in self.unavailable


@dataclass(frozen=True)
class Child:
    id: str
    approved_minutes: int
    max_ratio: int
    skills: frozenset[str]
    primary: str | None
    fixed: tuple[str, ...]
    max_assistants: int | None
    # slot id -> need (1 or 2); slots with need 0 are dropped when reading.
    needs: Mapping[str, int] = field(hash=False)
    # slot id -> location, only for slots the child needs support in.
    location: Mapping[str, str] = field(hash=False)

    def may_be_supported_by(self, assistant: Assistant) -> bool:
        """Rule 3 for one pair: skills and fixed persons (availability is rule 1)."""
        if self.fixed and assistant.id not in self.fixed:
            return False
        return self.skills <= assistant.skills


@dataclass(frozen=True)
class Triple:
    """One (slot, assistant, child) fact, the unit of `pinned`, `previous` and `changes`."""

    slot: str
    assistant: str
    child: str


@dataclass(frozen=True)
class Assignment:
    """One plan row: in `slot`, `assistant` supports `children` (a group at one location)."""

    slot: str
    assistant: str
    children: tuple[str, ...]

    def triples(self) -> list[Triple]:
        return [Triple(self.slot, self.assistant, c) for c in self.children]


@dataclass(frozen=True)
class Instance:
    name: str
    slots: tuple[Slot, ...]
    assistants: tuple[Assistant, ...]
    children: tuple[Child, ...]
    pinned: tuple[Triple, ...] = ()
    previous: tuple[Triple, ...] = ()

    @cached_property
    def slot_by_id(self) -> dict[str, Slot]:
        return {s.id: s for s in self.slots}

    @cached_property
    def assistant_by_id(self) -> dict[str, Assistant]:
        return {a.id: a for a in self.assistants}

    @cached_property
    def child_by_id(self) -> dict[str, Child]:
        return {c.id: c for c in self.children}

    @cached_property
    def slot_order(self) -> dict[str, int]:
        return {s.id: i for i, s in enumerate(self.slots)}

    @cached_property
    def assistant_order(self) -> dict[str, int]:
        return {a.id: i for i, a in enumerate(self.assistants)}

    @cached_property
    def child_order(self) -> dict[str, int]:
        return {c.id: i for i, c in enumerate(self.children)}

    @cached_property
    def days(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for s in self.slots:
            seen.setdefault(s.day, None)
        return tuple(seen)

    def minutes(self, slot_id: str) -> int:
        return self.slot_by_id[slot_id].minutes


@dataclass(frozen=True)
class Objective:
    """The six-level lexicographic objective vector, in spec order."""

    individual_need_gap: int = 0
    entitlement_shortfall: int = 0
    changes: int = 0
    shared_need_gap: int = 0
    non_primary_minutes: int = 0
    distinct_pairs: int = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in LEVEL_NAMES}

    def as_tuple(self) -> tuple[int, ...]:
        return tuple(getattr(self, name) for name in LEVEL_NAMES)


LEVEL_NAMES: tuple[str, ...] = (
    "individual_need_gap",
    "entitlement_shortfall",
    "changes",
    "shared_need_gap",
    "non_primary_minutes",
    "distinct_pairs",
)
