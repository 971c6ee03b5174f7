"""The six objective levels of spec/planning.md, one function each, recomputed from a plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from poolplan.planner.domain import LEVEL_NAMES, NEED_OWN, NEED_SHARED, Objective
from poolplan.planner.rules.view import PlanView


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    label: str
    value: Callable[[PlanView], int]


def individual_need_gap(view: PlanView) -> int:
    """Minutes of need-2 slots in which the child is not supported."""
    return _need_gap(view, NEED_OWN)


def entitlement_shortfall(view: PlanView) -> int:
    """Sum over children of max(0, approved - credited)."""
    return sum(
        max(0, c.approved_minutes - view.credited_minutes(c.id)) for c in view.instance.children
    )


def changes(view: PlanView) -> int:
    """Assignments of `previous` that are not in the plan."""
    return sum(1 for t in set(view.instance.previous) if t not in view.triples)


def shared_need_gap(view: PlanView) -> int:
    """Minutes of need-1 slots in which the child is not supported."""
    return _need_gap(view, NEED_SHARED)


def non_primary_minutes(view: PlanView) -> int:
    """Supported minutes of children with a primary person, given by someone else."""
    total = 0
    for (slot, cid), assistants in view.supporters.items():
        primary = view.instance.child_by_id[cid].primary
        if primary and primary not in assistants:
            total += view.instance.minutes(slot)
    return total


def distinct_pairs(view: PlanView) -> int:
    """Distinct (child, assistant) pairs in the plan."""
    return len(view.pairs)


def _need_gap(view: PlanView, need: int) -> int:
    return sum(
        view.instance.minutes(slot)
        for child in view.instance.children
        for slot, n in child.needs.items()
        if n == need and not view.is_supported(slot, child.id)
    )


OBJECTIVE_LEVELS: tuple[Level, ...] = (
    Level(1, "individual_need_gap", "Own-adult need not covered (min)", individual_need_gap),
    Level(2, "entitlement_shortfall", "Approved minutes not planned", entitlement_shortfall),
    Level(3, "changes", "Previous assignments changed", changes),
    Level(4, "shared_need_gap", "Shared need not covered (min)", shared_need_gap),
    Level(5, "non_primary_minutes", "Minutes not with the primary person", non_primary_minutes),
    Level(6, "distinct_pairs", "Distinct child-assistant pairs", distinct_pairs),
)
assert tuple(level.name for level in OBJECTIVE_LEVELS) == LEVEL_NAMES


def objective(view: PlanView) -> Objective:
    return Objective(**{level.name: level.value(view) for level in OBJECTIVE_LEVELS})
