"""LP rounding: a plan read off the LP relaxation of the group model.

HiGHS's root bound of level 2 reaches the optimum on the comprehensive example (the contract
hull rows and its cuts), but its own heuristics took 10-30 s to find a plan at that value on
this 2-core machine. Reading the plan off the LP instead: groups in order of their LP value
(largest first, larger groups first among equals) are taken as long as every hard rule still
holds, and the greedy passes then fill what is left. The result is a valid plan, used as the
incumbent and as HiGHS's MIP start (docs/planner.md has the measurements).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from poolplan.planner.domain import Assignment, Instance
from poolplan.planner.greedy import greedy_plan
from poolplan.planner.model import PlanModel


def round_lp(pm: PlanModel, lp_values: Sequence[float]) -> list[Assignment]:
    """A valid plan from LP values of pm's variables (may still break a level constraint).

    Args:
        pm: the built model.
        lp_values: a value per model variable (index order), e.g. HighsResult.lp_values.
    Returns:
        The plan's rows (pinned rows included), completed by the greedy passes.
    """
    inst: Instance = pm.instance
    busy: set[tuple[str, str]] = set()
    covered: set[tuple[str, str]] = set()
    used: dict[str, int] = defaultdict(int)
    known: dict[str, set[str]] = defaultdict(set)
    for t in inst.pinned:
        if (t.slot, t.assistant) not in busy:
            used[t.assistant] += inst.minutes(t.slot)
        busy.add((t.slot, t.assistant))
        covered.add((t.slot, t.child))
        known[t.child].add(t.assistant)
    candidates = sorted(
        (
            (-lp_values[var.index], -len(group), inst.slot_order[s], inst.assistant_order[a], s, a, group)
            for (s, a, group), var in pm.x.items()
            if lp_values[var.index] > 1e-6
        )
    )
    keep: list[Assignment] = []
    for *_, s, a, group in candidates:
        minutes = inst.minutes(s)
        if (s, a) in busy or any((s, c) in covered for c in group):
            continue
        if used[a] + minutes > inst.assistant_by_id[a].max_minutes:
            continue
        if any(
            (limit := inst.child_by_id[c].max_assistants) is not None
            and len(known[c] | {a}) > limit
            for c in group
        ):
            continue
        busy.add((s, a))
        used[a] += minutes
        for c in group:
            covered.add((s, c))
            known[c].add(a)
        keep.append(Assignment(s, a, group))
    return greedy_plan(inst, keep=keep)
