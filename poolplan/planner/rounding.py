"""LP rounding: a plan read off the LP relaxation of the group model.

HiGHS's root bound of level 2 reaches the optimum on the comprehensive example (the contract
hull rows and its cuts), but its own heuristics took 10-30 s to find a plan at that value on
this 2-core machine. Reading the plan off the LP instead: groups in order of their LP value
(largest first, larger groups first among equals) are taken as long as every hard rule still
holds, and the greedy passes then fill what is left. The result is a valid plan, used as the
incumbent and as HiGHS's MIP start (docs/planner.md has the measurements).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from poolplan.planner.domain import NEED_OWN, Assignment, Instance
from poolplan.planner.greedy import greedy_plan
from poolplan.planner.highs import Milp, Relaxation, read_proto, solve_milp
from poolplan.planner.model import PlanModel


def round_lp(
    pm: PlanModel,
    lp_values: Sequence[float],
    own: Sequence[Assignment] = (),
    *,
    match_own: bool = False,
) -> list[Assignment]:
    """A valid plan from LP values of pm's variables (may still break a level constraint).

    Args:
        pm: the built model.
        lp_values: a value per model variable (index order), e.g. HighsResult.lp_values.
        own: the incumbent's rows for own-adult needs: where the LP's groups leave such a
            need uncovered, its assistant there (or else another qualified one) takes it,
            displacing a shared group if need be (see the end of the function).
        match_own: assign the own-adult needs the LP covers slot by slot first, by a matching
            of greatest size (`_own_matching`), instead of group by group in LP order.
    Returns:
        The plan's rows (pinned rows included), completed by the greedy passes.
    """
    inst: Instance = pm.instance
    busy: set[tuple[str, str]] = set()
    covered: set[tuple[str, str]] = set()
    used: dict[str, int] = defaultdict(int)
    # child -> assistant -> rows in which that assistant supports the child (rule 7).
    known: dict[str, Counter[str]] = defaultdict(Counter)
    for t in inst.pinned:
        if (t.slot, t.assistant) not in busy:
            used[t.assistant] += inst.minutes(t.slot)
        busy.add((t.slot, t.assistant))
        covered.add((t.slot, t.child))
        known[t.child][t.assistant] += 1
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

    def take(row: Assignment) -> None:
        keep.append(row)
        busy.add((row.slot, row.assistant))
        used[row.assistant] += inst.minutes(row.slot)
        for m in row.children:
            covered.add((row.slot, m))
            known[m][row.assistant] += 1

    def drop(row: Assignment) -> None:
        keep.remove(row)
        busy.discard((row.slot, row.assistant))
        used[row.assistant] -= inst.minutes(row.slot)
        for m in row.children:
            covered.discard((row.slot, m))
            known[m][row.assistant] -= 1
            if not known[m][row.assistant]:
                del known[m][row.assistant]

    def shared(row: Assignment) -> bool:
        return all(inst.child_by_id[m].needs[row.slot] != NEED_OWN for m in row.children)

    def too_many(group: tuple[str, ...], a: str) -> bool:
        return any(
            (limit := inst.child_by_id[c].max_assistants) is not None
            and len(known[c].keys() | {a}) > limit
            for c in group
        )

    keep: list[Assignment] = []
    for slot in inst.slots if match_own else ():
        for a, c in _own_matching(pm, lp_values, slot.id, busy, covered, used, too_many).items():
            take(Assignment(slot.id, a, (c,)))
    for *_, s, a, group in candidates:
        minutes = inst.minutes(s)
        if (s, a) in busy or any((s, c) in covered for c in group):
            continue
        if used[a] + minutes > inst.assistant_by_id[a].max_minutes:
            continue
        if too_many(group, a):
            continue
        take(Assignment(s, a, group))
    # Own-adult needs the LP's groups left uncovered: any qualified assistant who is free, or
    # whose shared group there can give way (the incumbent's assistant first, then those the
    # child already knows), so the rounded plan keeps level 1's optimum.
    first = {(row.slot, c): row.assistant for row in own for c in row.children}
    for s, c in sorted(first, key=lambda key: inst.slot_order[key[0]]):
        if (s, c) in covered:
            continue
        minutes = inst.minutes(s)
        options = [a.id for a in inst.assistants if (s, a.id, (c,)) in pm.x]
        options.sort(key=lambda a: (a != first[(s, c)], a not in known[c]))
        for a in options:
            if too_many((c,), a):
                continue
            held = next((r for r in keep if r.slot == s and r.assistant == a), None)
            if (held is None and (s, a) in busy) or (held is not None and not shared(held)):
                continue  # pinned there, or busy with an own-adult need
            over = (
                used[a] - (minutes if held else 0) + minutes - inst.assistant_by_id[a].max_minutes
            )
            # Over the contract: a shared group of the same assistant elsewhere gives way.
            spare = None
            if over > 0:
                spare = min(
                    (
                        r
                        for r in keep
                        if r.assistant == a
                        and r.slot != s
                        and shared(r)
                        and inst.minutes(r.slot) >= over
                    ),
                    key=lambda r: (len(r.children), inst.minutes(r.slot), inst.slot_order[r.slot]),
                    default=None,
                )
                if spare is None:
                    continue
                drop(spare)
            if held is not None:
                drop(held)
            take(Assignment(s, a, (c,)))
            break
    return greedy_plan(inst, keep=keep)


def _own_matching(
    pm: PlanModel,
    lp_values: Sequence[float],
    s: str,
    busy: set[tuple[str, str]],
    covered: set[tuple[str, str]],
    used: dict[str, int],
    too_many: Callable[[tuple[str, ...], str], bool],
) -> dict[str, str]:
    """Assistants for the own-adult needs the LP covers in slot s: as many as can be (level 1),
    LP's favourites first.

    Taking these groups one by one in LP order left needs uncovered that a swap would have
    covered (district school s06: the only assistant qualified for c2 took c11, whom another
    could have taken). Augmenting paths find a matching of greatest size; every edge is
    tried in order of its LP value. An assistant new to the slot must have the minutes left.

    Returns:
        assistant -> child.
    """
    inst = pm.instance
    minutes = inst.minutes(s)
    value: dict[str, dict[str, float]] = {}
    for child in inst.children:
        if child.needs.get(s) != NEED_OWN or (s, child.id) in covered:
            continue
        edges = {
            a.id: lp_values[pm.x[(s, a.id, (child.id,))].index]
            for a in inst.assistants
            if (s, a.id, (child.id,)) in pm.x and (s, a.id) not in busy
        }
        if sum(edges.values()) > 1e-6:  # needs the LP leaves open stay for the greedy passes
            value[child.id] = edges
    mate: dict[str, str] = {}

    def augment(c: str, seen: set[str]) -> bool:
        for a in sorted(value[c], key=lambda a: (-value[c][a], inst.assistant_order[a])):
            if a in seen or too_many((c,), a):
                continue
            seen.add(a)
            if a not in mate:
                if used[a] + minutes > inst.assistant_by_id[a].max_minutes:
                    continue
                mate[a] = c
                return True
            if augment(mate[a], seen):
                mate[a] = c
                return True
        return False

    for c in sorted(value, key=lambda c: (-max(value[c].values()), c)):
        augment(c, set())
    return mate


def dive(
    pm: PlanModel,
    relaxation: Relaxation,
    lp_values: Sequence[float],
    *,
    seconds: float,
    batch_share: float = 0.2,
) -> Sequence[float]:
    """LP values after a dive: fix the most-run fractional groups to 1, solve the LP again.

    Rounding the LP once (round_lp) took fractional groups in LP order, and on large
    district schools the plan was 20-50 % above the LP bound (s29: LP 1120, rounded 1525 min);
    HiGHS's RINS then needed 8-12 s to come near. Diving lets the LP answer every batch of
    decisions: each round fixes `batch_share` of the fractional groups (largest LP value first, at
    most one per assistant and per child in a slot) and solves warm from the last basis. If
    the LP becomes infeasible the batch is undone and its first group is fixed to 0 instead.

    Args:
        relaxation: pm's LP, solved; its column bounds are reset on return.
        lp_values: its solution.
        seconds: wall-clock budget; the dive stops where it is when it runs out.
    Returns:
        The last LP values (integral on the groups when the dive ran to its end).
    """
    started = time.monotonic()
    key_of = {var.index: key for key, var in pm.x.items()}
    try:
        while (left := seconds - (time.monotonic() - started)) > 0.01:
            fractional = sorted(
                (-lp_values[i], i) for i in key_of if 1e-6 < lp_values[i] < 1 - 1e-6
            )
            if not fractional:
                break
            batch: list[int] = []
            taken: set[tuple[str, str]] = set()
            for _, i in fractional:
                s, a, group = key_of[i]
                places = {(s, a)} | {(s, "child:" + c) for c in group}
                if places & taken:
                    continue
                taken |= places
                batch.append(i)
                if len(batch) >= max(1, int(len(fractional) * batch_share)):
                    break
            relaxation.set_bounds(batch, 1, 1)
            result = relaxation.solve(left)
            if result.lp_values is None:
                relaxation.set_bounds(batch, 0, 1)
                relaxation.set_bounds(batch[:1], 0, 0)
                result = relaxation.solve(max(seconds - (time.monotonic() - started), 0.01))
                if result.lp_values is None:
                    break
            lp_values = result.lp_values
    finally:
        relaxation.reset_bounds()
    return lp_values


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


def shortfall_lns(
    pm: PlanModel,
    plan: list[Assignment],
    rate,
    *,
    seconds: float,
    seed: int,
    target=None,
    milp: Milp | None = None,
    width: int = 3,
) -> list[Assignment]:
    """Large-neighbourhood search around the children short of their entitlement.

    What local search (local.py) leaves is mostly a matter of fit: an assistant whose
    contract is full would have to trade lessons against breaks between its children to
    give a short child its last 5-20 minutes. For each short child, most short first, the
    whole weeks of up to `width` assistants qualified for it (those already supporting it
    first) are freed and the rest is fixed to the plan.

    Args and return as day_lns (`rate`, `target`, `milp`).
    """
    started = time.monotonic()
    inst = pm.instance
    milp = milp or read_proto(pm.model.proto)
    best, best_rate = plan, rate(plan)
    tried: set[frozenset[str]] = set()
    while not (target and target(best)):
        credited: Counter[str] = Counter()
        helpers: dict[str, Counter[str]] = defaultdict(Counter)
        for row in best:
            for c in row.children:
                credited[c] += inst.minutes(row.slot)
                helpers[c][row.assistant] += 1
        short = sorted(
            (c for c in inst.children if c.approved_minutes > credited[c.id]),
            key=lambda c: credited[c.id] - c.approved_minutes,
        )
        improved = False
        for child in short:
            qualified = [a for a in inst.assistants if child.may_be_supported_by(a)]
            qualified.sort(key=lambda a: -helpers[child.id][a.id])
            free = frozenset(a.id for a in qualified[:width])
            if not free or free in tried:
                continue
            left = seconds - (time.monotonic() - started)
            if left <= 0.05:
                return best
            tried.add(free)
            start = pm.hint_values(best)
            fix = {var.index: start[var.index] for (_, a, _), var in pm.x.items() if a not in free}
            result = solve_milp(
                milp, time_limit=min(left, max(seconds / 4, 0.3)), seed=seed, start=start, fix=fix
            )
            if result.values is not None:
                values = result.values
                found = pm.assignments(lambda var, values=values: values[var.index])
                found_rate = rate(found)
                if found_rate < best_rate:
                    best, best_rate, improved = found, found_rate, True
                    # The shortages changed: the neighbourhoods may be worth trying again.
                    tried.clear()
                    break
        if not improved:
            return best
    return best
