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

from poolplan.planner.domain import NEED_OWN, Assignment, Instance
from poolplan.planner.greedy import greedy_plan
from poolplan.planner.highs import Milp, read_proto, solve_milp
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
            (
                # Own-adult needs first (level 1), then by LP value, larger groups first.
                inst.child_by_id[group[0]].needs[s] != NEED_OWN,
                -lp_values[var.index],
                -len(group),
                inst.slot_order[s],
                inst.assistant_order[a],
                s,
                a,
                group,
            )
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


def rins(
    pm: PlanModel,
    lp_values: Sequence[float],
    plan: list[Assignment],
    *,
    seconds: float,
    seed: int,
    milp: Milp | None = None,
) -> list[Assignment] | None:
    """Improve a plan in the neighbourhood where it agrees with the LP (RINS).

    Every group variable on which the LP is integral and agrees with `plan` is fixed; HiGHS
    then solves the much smaller rest, started from `plan`. The full model's bound decides
    afterwards whether the result is optimal; this only finds plans.

    Args:
        milp: pm's model as read by `highs.read_proto` (read here if not given).
    Returns:
        The best plan found (None if HiGHS found none in time).
    """
    start = pm.hint_values(plan)
    fix = {}
    for var in pm.x.values():
        lp = lp_values[var.index]
        if abs(lp - round(lp)) < 1e-6 and round(lp) == start[var.index]:
            fix[var.index] = start[var.index]
    milp = milp or read_proto(pm.model.proto)
    result = solve_milp(milp, time_limit=seconds, seed=seed, start=start, fix=fix)
    if result.values is None:
        return None
    values = result.values
    return pm.assignments(lambda var, values=values: values[var.index])


def day_lns(
    pm: PlanModel,
    plan: list[Assignment],
    rate,
    *,
    seconds: float,
    seed: int,
    days_at_once: int = 2,
    target=None,
    milp: Milp | None = None,
    patience: int | None = None,
) -> list[Assignment]:
    """Large-neighbourhood search by days: free `days_at_once` days, fix the rest to the plan.

    The weekly coupling (contracts, entitlements, distinct assistants) stays in the model, so
    every sub-solution is a valid plan of the whole week. Windows of consecutive days are
    tried in turn, as long as one improves and time is left.

    Args:
        pm: the built model, its objective set.
        plan: a plan satisfying every row of pm.
        rate: plan -> comparable value (smaller is better); a plan is kept only if it rates
            strictly better.
        seconds: wall-clock budget for all sub-solves.
        seed: HiGHS seed.
        days_at_once: how many consecutive days one window frees.
        target: plan -> True when no better plan can exist (a lower bound is met): stop.
        milp: pm's model as read by `highs.read_proto` (read here if not given).
        patience: stop after this many windows in a row brought nothing (default: a whole
            cycle of windows).
    Returns:
        The best plan found (`plan` itself if none was better).
    """
    import time

    started = time.monotonic()
    inst = pm.instance
    milp = milp or read_proto(pm.model.proto)
    days = list(dict.fromkeys(s.day for s in inst.slots))
    slot_day = {s.id: s.day for s in inst.slots}
    best, best_rate = plan, rate(plan)
    windows = [
        tuple(days[(i + k) % len(days)] for k in range(min(days_at_once, len(days))))
        for i in range(len(days))
    ]
    patience = len(windows) if patience is None else patience
    stale = 0
    i = 0
    while stale < patience and not (target and target(best)):
        left = seconds - (time.monotonic() - started)
        if left <= 0.05:
            break
        free = set(windows[i % len(windows)])
        i += 1
        start = pm.hint_values(best)
        fix = {
            var.index: start[var.index]
            for (s, _, _), var in pm.x.items()
            if slot_day[s] not in free
        }
        result = solve_milp(
            milp, time_limit=min(left, max(seconds / 4, 0.5)), seed=seed, start=start, fix=fix
        )
        stale += 1
        if result.values is not None:
            values = result.values
            found = pm.assignments(lambda var, values=values: values[var.index])
            found_rate = rate(found)
            if found_rate < best_rate:
                best, best_rate, stale = found, found_rate, 0
    return best
