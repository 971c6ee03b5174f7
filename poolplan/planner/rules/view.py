"""An indexed view of a plan's assignments, shared by the hard rules and objective levels."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from poolplan.planner.domain import Assignment, Instance, Triple


@dataclass(frozen=True)
class PlanView:
    instance: Instance
    assignments: tuple[Assignment, ...]

    @cached_property
    def groups(self) -> dict[tuple[str, str], list[str]]:
        """(slot, assistant) -> children, merging rows that repeat the same pair."""
        out: dict[tuple[str, str], list[str]] = defaultdict(list)
        for a in self.assignments:
            for c in a.children:
                if c not in out[(a.slot, a.assistant)]:
                    out[(a.slot, a.assistant)].append(c)
        return dict(out)

    @cached_property
    def supporters(self) -> dict[tuple[str, str], list[str]]:
        """(slot, child) -> distinct assistants supporting the child in that slot."""
        out: dict[tuple[str, str], list[str]] = defaultdict(list)
        for (slot, assistant), children in self.groups.items():
            for c in children:
                out[(slot, c)].append(assistant)
        return dict(out)

    @cached_property
    def triples(self) -> frozenset[Triple]:
        return frozenset(Triple(s, a, c) for (s, a), cs in self.groups.items() for c in cs)

    @cached_property
    def pairs(self) -> frozenset[tuple[str, str]]:
        """Distinct (child, assistant) pairs."""
        return frozenset((t.child, t.assistant) for t in self.triples)

    def is_supported(self, slot: str, child: str) -> bool:
        return bool(self.supporters.get((slot, child)))

    def assistant_minutes(self, assistant: str) -> int:
        return sum(self.instance.minutes(s) for (s, a) in self.groups if a == assistant)

    def credited_minutes(self, child: str) -> int:
        return sum(self.instance.minutes(s) for (s, c) in self.supporters if c == child)
