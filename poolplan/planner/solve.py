"""The lexicographic solve: levels 1-6 in order, each optimum fixed before the next.

One model is built once; for level k it minimises level k, warm-started from the best plan
so far, and then adds `level_k <= value` before moving on. The first incumbent is the greedy
plan, so there is always a valid plan to return even if no engine improves on it in time.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import partial
from typing import Any

from ortools.sat.python import cp_model

from poolplan.planner.check import check_assignments
from poolplan.planner.domain import LEVEL_NAMES, NEED_OWN, Assignment, Instance
from poolplan.planner.explain import explain
from poolplan.planner.greedy import greedy_plan
from poolplan.planner.highs import HighsResult, Milp, Relaxation, read_proto, solve_milp
from poolplan.planner.io import plan_document
from poolplan.planner.local import improve_shortfall
from poolplan.planner.model import PlanModel, build_model, link_pairs, odd_set_rows
from poolplan.planner.rounding import day_lns, dive, rins, round_lp, shortfall_lns


@dataclass(frozen=True)
class SolveOptions:
    """Solver settings; the defaults are the one place they are defined."""

    # Seconds for the whole lexicographic solve.
    time_limit: float = 30.0
    # CP-SAT workers. On 2 cores CP-SAT's default worker count leaves out the LP subsolvers
    # that prove bounds; 8 workers include them (docs/planner.md has the measurements).
    workers: int = 8
    seed: int = 0
    method: str = "cpsat"
    # Which engine minimises each level of the same model. HiGHS proved the minute-weighted
    # levels far faster than CP-SAT on 2 cores (docs/planner.md); "cpsat" is the alternative.
    engine: str = "highs"
    # Share of the remaining time a level may use when more levels follow.
    level_share: float = 0.6
    # Levels 1-3 (care needs, entitlements, changes) matter most: together they may use this
    # share of the time limit; levels 4-6 get at least the rest (docs/planner.md, time split).
    top_share: float = 0.8
    # HiGHS engine, levels 2-3: read a plan off the LP relaxation first (rounding.py), improve
    # it by RINS and day LNS; it is the incumbent if better, the MIP start, and the LP bound
    # may prove it without branch-and-bound. Not on level 1: HiGHS proves it fast by itself,
    # and on the district's 3 s per school the heuristics took the time it needed.
    lp_rounding: bool = True
    # HiGHS engine: pass the incumbent as MIP start (no cutoff).
    mip_start: bool = True
    # After the LP rounding, when the level's budget is short (under dive_below seconds), an
    # LP dive (rounding.dive) with this share of it, rounded again. On the district's 3 s
    # per school RINS could not finish on large schools and the dive's plan was what there
    # was; with longer budgets RINS gets there, and the dive's other start only cost HiGHS
    # time (generated 15/7: median 5.8 s instead of 4.6 s; docs/planner.md round 7).
    dive_share: float = 0.2
    dive_below: float = 5.0
    # After LP rounding: RINS (rounding.rins) with this share of the level's budget.
    rins: bool = True
    rins_share: float = 0.25
    # Level 2: local search (local.py) on each heuristic's plan, at most this share of the
    # level's budget each time. Off by default: on the shared examples its slot models cost
    # the sick-Tuesday replan about a second (docs/planner.md, round 8); district.py, whose
    # schools get a few seconds each and no finished MIP, turns it on.
    polish_share: float = 0.0
    # After the day LNS, level 2: large-neighbourhood search around the children short of
    # their entitlement (rounding.shortfall_lns) with this share. Off by default: where the
    # proving MIP finishes it only delays it; district.py's second pass, for schools whose
    # heuristics got stuck, turns it on.
    shortfall_share: float = 0.0
    # Then day-by-day large-neighbourhood search (rounding.day_lns) with this share.
    lns_share: float = 0.4
    lns_days: int = 1
    # Stop the day search after this many days in a row brought nothing. One: a whole idle
    # cycle cost 0.4 s on the sick-Tuesday replan and found nothing the MIP did not.
    lns_patience: int = 1
    # The day search also on a level solved with the replanning tie-break (`previous`). Off:
    # on the sick-Tuesday replan it found nothing in 0.3 s, and HiGHS proved the level faster
    # without it (seeds 0-11, two runs: median 1.86 / 1.99 s instead of 2.63 / 2.52 s); three
    # generated replans were as fast or a little faster (docs/planner.md round 10).
    lns_replanning: bool = False
    # HiGHS engine, levels 2-3: after the LP, add the odd-set rows it violates (at most
    # odd_set_max_rows per round) and solve the LP again, for this many rounds.
    odd_set_rounds: int = 2
    odd_set_max_rows: int = 100
    # Stop after this level (a name of LEVEL_NAMES); the time split stays that of all six.
    # For district.py's first passes (levels 1-2) and bench/planner_seeds.py (levels 1-3).
    stop_after: str | None = None
    # With stop_after: the levels up to it share the whole time limit, as if they were all
    # (solve(stop_after=...), district.py's passes), instead of the split of all six.
    whole_limit: bool = False
    # CP-SAT stops on deterministic time; wall-clock time = this factor times that, as a net.
    wall_clock_slack: float = 3.0


DEFAULTS = SolveOptions()
# Levels 1-3 of LEVEL_NAMES get the lion's share of the time (SolveOptions.top_share).
TOP_LEVELS = 3
METHODS = ("cpsat", "greedy")
ENGINES = ("highs", "cpsat")


@dataclass
class LevelResult:
    value: int
    bound: int
    proven: bool
    seconds: float = 0.0
    # Seconds from the start of the solve (model building and the greedy plan included) until
    # this level was settled: what a coordinator waits for levels 1..k.
    done_at: float = 0.0


def _level_values(instance: Instance, assignments: list[Assignment]) -> dict[str, int]:
    return check_assignments(instance, assignments).objective.as_dict()


def _solve_cpsat(
    pm: PlanModel, incumbent: list[Assignment], seconds: float, options: SolveOptions
) -> tuple[list[Assignment] | None, int, float]:
    """CP-SAT, hinted with the incumbent.

    Returns:
        (best plan or None, proven lower bound, deterministic time spent).
    """
    pm.hint(incumbent)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = options.workers
    solver.parameters.random_seed = options.seed
    # Interleaved search runs the same subsolvers in fixed batches and a deterministic time
    # limit stops it at the same point every run, so a seeded run is repeatable however the
    # threads are scheduled (plain multi-worker search with a wall-clock limit is not). The
    # wall-clock limit is only a safety net on a slow machine.
    solver.parameters.interleave_search = True
    solver.parameters.max_deterministic_time = seconds
    solver.parameters.max_time_in_seconds = seconds * options.wall_clock_slack
    status = solver.solve(pm.model)
    spent = solver.response_proto.deterministic_time
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return pm.assignments(solver.value), math.ceil(solver.best_objective_bound - 1e-6), spent
    return None, 0, spent


def _solve_highs(
    pm: PlanModel,
    incumbent: list[Assignment],
    seconds: float,
    options: SolveOptions,
    use_start: bool = True,
    milp: Milp | None = None,
    unit: int = 1,
) -> tuple[list[Assignment] | None, int, float]:
    """HiGHS on the same model (`milp`: pm's model already read, if the caller has it).

    Returns:
        (best plan or None, proven lower bound, seconds spent).
    """
    started = time.monotonic()
    # The incumbent as MIP start, but no cutoff. With the *greedy* plan as start plus its value
    # as cutoff HiGHS once stayed at the greedy's 5085 for 12 s (15/7 example); the incumbent
    # is now the LP-rounded plan improved by RINS and day LNS (usually at the optimum), and
    # with it as start HiGHS proved level 2 in 10-11 s instead of 16-24 s on the loaded
    # machine (docs/planner.md). The caller keeps the incumbent if HiGHS finds nothing better.
    start = pm.hint_values(incumbent) if options.mip_start and use_start else None
    milp = milp or read_proto(pm.model.proto)
    # HiGHS may stop once no value between bound and incumbent is a possible one.
    gap = {"mip_abs_gap": unit - 0.001} if unit > 1 else None
    result = solve_milp(milp, time_limit=seconds, seed=options.seed, start=start, options=gap)
    found = None
    if result.values is not None:
        values = result.values
        found = pm.assignments(lambda var: values[var.index])
    bound = _round_up(result.bound, unit) if result.bound is not None else 0
    return found, bound, time.monotonic() - started


def _solve_level(
    pm: PlanModel,
    incumbent: list[Assignment],
    budget: float,
    options: SolveOptions,
    use_start: bool = True,
    milp: Milp | None = None,
    unit: int = 1,
) -> tuple[list[Assignment] | None, int, float]:
    """Minimise the model's current objective with the chosen engine.

    Returns:
        (a plan or None, a valid lower bound, time spent). The caller rates the plan with the
        checker. CP-SAT reports deterministic time, HiGHS wall-clock seconds.
    """
    if options.engine == "highs":
        return _solve_highs(pm, incumbent, budget, options, use_start, milp, unit)
    found, bound, spent = _solve_cpsat(pm, incumbent, budget, options)
    return found, _round_up(bound, unit), spent


def lexicographic(
    instance: Instance,
    incumbent: list[Assignment],
    options: SolveOptions,
    started_all: float,
    settled: dict[str, int] | None = None,
) -> tuple[list[Assignment], dict[str, LevelResult]]:
    """Minimise the levels in spec order starting from a valid incumbent plan.

    `settled` maps level names to lower bounds found by an earlier solve of this instance
    that ended with the incumbent's value on them: those levels are fixed at that value
    and not searched again (district.py's last pass).
    """
    settled = settled or {}
    spent = 0.0
    pm = build_model(instance)
    results: dict[str, LevelResult] = {}
    values = _level_values(instance, incumbent)
    milp: Milp | None = None
    # Lower bounds a level inherits from an earlier weighted solve (see the tie-break below).
    inherited: dict[str, int] = {}
    for index, name in enumerate(LEVEL_NAMES):
        if options.stop_after in results:
            break
        if name == "distinct_pairs":
            link_pairs(pm)
        if name in pm.constant_levels:
            value = pm.constant_levels[name]
            results[name] = LevelResult(value, value, True, 0.0, time.monotonic() - started_all)
            continue
        expr = pm.levels[name]
        if name in settled:
            bound = max(0, min(settled[name], values[name]))
            results[name] = LevelResult(
                values[name], bound, bound >= values[name], 0.0, time.monotonic() - started_all
            )
            pm.model.add(expr <= values[name])
            continue
        # Zero is a lower bound of every level: an incumbent at zero needs no search.
        if values[name] == 0:
            results[name] = LevelResult(0, 0, True, 0.0, time.monotonic() - started_all)
            pm.model.add(expr <= 0)
            continue
        if inherited.get(name, 0) >= values[name]:
            # Already proven by the weighted solve of the level before (replanning): no search.
            results[name] = LevelResult(
                values[name], values[name], True, 0.0, time.monotonic() - started_all
            )
            pm.model.add(expr <= values[name])
            continue
        # CP-SAT's budgets are counted in deterministic time, so that how the time is shared
        # between the levels does not depend on the machine's load either.
        clock = spent if options.engine == "cpsat" else time.monotonic() - started_all
        remaining = max(0.0, options.time_limit - clock)
        last = len(LEVEL_NAMES)
        if options.whole_limit and options.stop_after:
            last = LEVEL_NAMES.index(options.stop_after) + 1
        left = sum(1 for n in LEVEL_NAMES[index:last] if n not in pm.constant_levels)
        top_left = sum(
            1 for n in LEVEL_NAMES[index : min(TOP_LEVELS, last)] if n not in pm.constant_levels
        )
        later = left - top_left
        if top_left and later:
            # Levels 1-3 share top_share of the limit; levels 4-6 keep the rest. Within the
            # top levels the first may use 75 %, the second 85 % of what is left of the share.
            top_remaining = max(0.0, options.time_limit * options.top_share - clock)
            budget = top_remaining * (1.0 if top_left == 1 else (0.85 if index else 0.75))
        else:
            # Most of what is left, so the levels that matter most get the time, while a hard
            # level cannot starve the later ones completely; the last level gets all of it.
            budget = remaining if left == 1 else remaining * options.level_share
        started = time.monotonic()
        # When replanning, levels 1 and 2 carry `changes` as a tie-break (weight larger than
        # any number of changes): the optimum of the level is the same, but the plan found
        # keeps the previous assignments it can, instead of an arbitrary optimum that level 3
        # then has to repair (sick-Tuesday example: 217 changes left vs. a bound of 28).
        weight, tie = 1, None
        if "changes" in pm.levels and name in ("individual_need_gap", "entitlement_shortfall"):
            weight, tie = len(set(instance.previous)) + 1, "changes"
        objective = weight * expr + pm.levels[tie] if tie else expr
        # Every value of the objective is a multiple of this (of 1 with the tie-break).
        unit = 1 if tie else pm.level_units[name]
        pm.model.minimize(objective)
        lp_bound = 0
        # Local search on level 2 for each heuristic's plan (local.py), time-boxed.
        polish = budget * options.polish_share if name == "entitlement_shortfall" else 0.0

        def share(fraction: float, started: float = started, budget: float = budget) -> float:
            """Seconds for a heuristic: its share of the level's budget, but no more than is
            left of it (the shares add up to more than 1 so that one that ends early leaves
            time to the next; on the district's seconds they overran by a second)."""
            left = budget - (time.monotonic() - started)
            return max(min(budget * fraction, left), 0.05)

        # Read once, solved by the LP, RINS, every LNS step and the final MIP of this level;
        # from the second level on only the rows added since the last read are read.
        milp = read_proto(pm.model.proto, base=milp) if options.engine == "highs" else None
        if milp is not None and options.lp_rounding and 0 < index < TOP_LEVELS:
            relaxation = Relaxation(milp, seed=options.seed)
            lp = relaxation.solve(max(budget / 2, 0.05))
            milp, lp = tighten_lp(pm, milp, relaxation, lp, options, max(budget / 2, 0.05))
            if lp.lp_values is not None:
                lp_bound = _round_up(lp.objective, unit)
                own = _own_rows(instance, incumbent)
                rounded = round_lp(pm, lp.lp_values, own=own)
                if _level_values(instance, rounded)[LEVEL_NAMES[0]] > values[LEVEL_NAMES[0]]:
                    # Level 1 lost in rounding: assign the own-adult needs by a matching
                    # first. Only then: where the first rounding keeps level 1, the other
                    # start made HiGHS slower (generated 15/7, docs/planner.md round 7).
                    rounded = round_lp(pm, lp.lp_values, own=own, match_own=True)
                incumbent, values = _keep_better(instance, name, incumbent, values, rounded, polish)
                weighted_value = _weighted(values, name, weight, tie)
                if options.dive_share and budget < options.dive_below and lp_bound < weighted_value:
                    dived = dive(pm, relaxation, lp.lp_values, seconds=share(options.dive_share))
                    rounded = round_lp(
                        pm, dived, own=_own_rows(instance, incumbent), match_own=True
                    )
                    incumbent, values = _keep_better(
                        instance, name, incumbent, values, rounded, polish
                    )
                weighted_value = _weighted(values, name, weight, tie)
                if options.rins and lp_bound < weighted_value:
                    improved = rins(
                        pm,
                        lp.lp_values,
                        incumbent,
                        seconds=share(options.rins_share),
                        seed=options.seed,
                        milp=milp,
                    )
                    if improved is not None:
                        incumbent, values = _keep_better(
                            instance, name, incumbent, values, improved, polish
                        )
                weighted_value = _weighted(values, name, weight, tie)
                if (
                    options.lns_share
                    and lp_bound < weighted_value
                    and (options.lns_replanning or tie is None)
                ):
                    improved = day_lns(
                        pm,
                        incumbent,
                        lambda plan: _rate(instance, plan),
                        seconds=share(options.lns_share),
                        seed=options.seed,
                        days_at_once=options.lns_days,
                        target=partial(_meets, instance, name, weight, tie, lp_bound),
                        milp=milp,
                        patience=options.lns_patience,
                    )
                    incumbent, values = _keep_better(
                        instance, name, incumbent, values, improved, polish
                    )
                weighted_value = _weighted(values, name, weight, tie)
                if (
                    name == "entitlement_shortfall"
                    and options.shortfall_share
                    and lp_bound < weighted_value
                ):
                    improved = shortfall_lns(
                        pm,
                        incumbent,
                        lambda plan: _rate(instance, plan),
                        seconds=share(options.shortfall_share),
                        seed=options.seed,
                        target=partial(_meets, instance, name, weight, tie, lp_bound),
                        milp=milp,
                    )
                    incumbent, values = _keep_better(
                        instance, name, incumbent, values, improved, polish
                    )
        weighted_value = _weighted(values, name, weight, tie)
        if lp_bound >= weighted_value:
            # The rounded plan (or the incumbent) meets the LP bound: proven, no search.
            found, weighted_bound, used = None, lp_bound, time.monotonic() - started
        else:
            # HiGHS gets the incumbent as start only where the heuristics made it (levels
            # 2-3); the greedy plan as start cost level 1 on the district (docs/planner.md).
            found, weighted_bound, used = _solve_level(
                pm,
                incumbent,
                # The local search of its plan (polish) comes out of the level's budget too.
                max(budget - (time.monotonic() - started) - polish, 0.05),
                options,
                use_start=0 < index < TOP_LEVELS,
                milp=milp,
                unit=unit,
            )
            weighted_bound = max(weighted_bound, lp_bound)
        # weight * level + tie >= weighted_bound and 0 <= tie < weight, so level >= this:
        bound = weighted_bound // weight
        spent += used
        if found is not None:
            incumbent, values = _keep_better(instance, name, incumbent, values, found, polish)
        if tie:
            # Every plan that keeps this level <= its value has tie >= weighted_bound -
            # weight * value: when the weighted solve is proven, so is the tie level (the
            # sick-Tuesday replan: `changes` needs no search of its own after level 2).
            inherited[tie] = max(inherited.get(tie, 0), weighted_bound - weight * values[name])
        if name == "individual_need_gap":
            # An optimum of level 1 is arbitrary on everything else and was a poor start for
            # level 2 (on district schools HiGHS could not recover in seconds). Keep only its
            # own-adult rows and let the greedy passes fill the rest around them.
            repaired = greedy_plan(instance, keep=_own_rows(instance, incumbent))
            repaired_values = _level_values(instance, repaired)
            if _better(repaired_values, values):
                incumbent, values = repaired, repaired_values
        bound = max(bound, 0)  # every level is a sum of non-negative terms
        proven = bound >= values[name]
        results[name] = LevelResult(
            values[name],
            min(bound, values[name]),
            proven,
            time.monotonic() - started,
            time.monotonic() - started_all,
        )
        pm.model.add(expr <= values[name])
    return incumbent, results


def tighten_lp(
    pm: PlanModel,
    milp: Milp,
    relaxation: Relaxation,
    lp: HighsResult,
    options: SolveOptions,
    seconds: float,
) -> tuple[Milp, HighsResult]:
    """Add to pm the odd-set rows its LP violates, round by round, while they raise the bound.

    Args:
        pm: the model, its objective set; `milp` and `relaxation` hold it as read.
        lp: the relaxation's solution.
        seconds: time limit of each LP solve.
    Returns:
        (milp, lp) of the model with the rows kept (the same objects if none were).
    """
    for _ in range(options.odd_set_rounds):
        violated = odd_set_rows(pm, lp.lp_values) if lp.lp_values is not None else []
        rows = [(members, rhs) for members, rhs, _ in violated[: options.odd_set_max_rows]]
        if not rows:
            break
        relaxation.add_rows([([v.index for v in members], rhs) for members, rhs in rows])
        tried = relaxation.solve(seconds)
        if tried.lp_values is None or math.ceil(tried.objective - 1e-6) <= math.ceil(
            lp.objective - 1e-6
        ):
            # Rows that do not raise the bound only perturb HiGHS (generated 15/7, seed 4:
            # 15 s instead of 5 s to prove level 2 with them).
            relaxation.drop_rows(len(rows))
            break
        for members, rhs in rows:
            pm.model.add(sum(members) <= rhs)
        milp, lp = read_proto(pm.model.proto, base=milp), tried
    return milp, lp


def _keep_better(
    instance: Instance,
    name: str,
    incumbent: list[Assignment],
    values: dict[str, int],
    plan: list[Assignment],
    polish: float = 0.0,
) -> tuple[list[Assignment], dict[str, int]]:
    """(plan, its values) if it is valid, better and no worse on level `name`, else the
    incumbent's: a heuristic's plan is taken only on these terms.

    With `polish` seconds the plan first gets local search's improving moves on level 2
    (local.py): the district's heuristic plans were often a few moves above the optimum.
    """
    if polish > 0:
        plan = improve_shortfall(instance, plan, seconds=polish)
    plan_values = _level_values(instance, plan)
    if (
        _better(plan_values, values)
        and plan_values[name] <= values[name]
        and not check_assignments(instance, plan).violations
    ):
        return plan, plan_values
    return incumbent, values


def _own_rows(instance: Instance, plan: list[Assignment]) -> list[Assignment]:
    """The plan's rows that support a child needing an adult of its own: level 1's value."""
    return [
        row
        for row in plan
        if any(instance.child_by_id[c].needs.get(row.slot) == NEED_OWN for c in row.children)
    ]


def _round_up(bound: float, unit: int) -> int:
    """The least multiple of `unit` that is >= bound (less a rounding tolerance)."""
    return math.ceil((bound - 1e-6) / unit) * unit


def _meets(
    instance: Instance, name: str, weight: int, tie: str | None, bound: int, plan: list[Assignment]
) -> bool:
    """True when the plan's (weighted) level value reaches `bound`: nothing better exists."""
    return _weighted(_level_values(instance, plan), name, weight, tie) <= bound


def _weighted(values: dict[str, int], name: str, weight: int, tie: str | None) -> int:
    """The value of the objective level `name` is solved with: weight * level (+ tie-break)."""
    return weight * values[name] + (values[tie] if tie else 0)


def _rate(instance: Instance, plan: list[Assignment]) -> tuple[int, ...]:
    """Invalid plans rate worst; valid ones by their objective vector."""
    result = check_assignments(instance, plan)
    values = result.objective.as_dict()
    return (int(bool(result.violations)), *(values[n] for n in LEVEL_NAMES))


def _better(a: dict[str, int], b: dict[str, int]) -> bool:
    return tuple(a[n] for n in LEVEL_NAMES) < tuple(b[n] for n in LEVEL_NAMES)


def solve(
    instance: Instance,
    *,
    time_limit: float = DEFAULTS.time_limit,
    workers: int = DEFAULTS.workers,
    seed: int = DEFAULTS.seed,
    method: str = DEFAULTS.method,
    engine: str = DEFAULTS.engine,
    start: list[Assignment] | None = None,
    settled: dict[str, int] | None = None,
    stop_after: str | None = None,
    tuning: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Plan an instance and return a `poolplan-plan/1` document.

    Args:
        start: a plan of an earlier solve of this instance; it is the first incumbent
            instead of the greedy plan when it is valid and no worse (not with the greedy
            method, which is the baseline).
        settled: level name -> lower bound of that earlier solve: those levels keep
            `start`'s values and are not searched again (requires a valid `start`).
        stop_after: the last level to search, the levels up to it sharing the whole time
            limit; the later ones keep the incumbent's values, unproven (so `status` is
            never `optimal` then).
        tuning: other SolveOptions fields to set (district.py's second pass).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if stop_after is not None and stop_after not in LEVEL_NAMES:
        raise ValueError(f"stop_after must be one of {', '.join(LEVEL_NAMES)}, got {stop_after!r}")
    if settled and set(settled) - set(LEVEL_NAMES):
        raise ValueError(f"settled names unknown levels: {sorted(set(settled) - set(LEVEL_NAMES))}")
    options = SolveOptions(
        time_limit,
        workers,
        seed,
        method,
        engine,
        stop_after=stop_after,
        whole_limit=True,
        **(tuning or {}),
    )
    started = time.monotonic()
    solver_info: dict[str, Any] = {"method": method}

    # The pinned rows alone are the smallest plan there is; if they break a hard rule, every
    # plan does, and their violations say why.
    pinned = [Assignment(t.slot, t.assistant, (t.child,)) for t in instance.pinned]
    pinned_check = check_assignments(instance, pinned)
    if pinned_check.violations:
        solver_info.update(seconds=round(time.monotonic() - started, 3), proven_optimal=True)
        return plan_document(
            instance,
            [],
            status="infeasible",
            objective={},
            explanations=[
                f"The pinned assignments cannot all hold: {v}" for v in pinned_check.violations
            ],
            solver=solver_info,
        )

    assignments = greedy_plan(instance)
    if method == "greedy":
        status, proven = "feasible", False
    else:
        if start is not None:
            if check_assignments(instance, start).violations:
                if settled:
                    raise ValueError("settled levels need a valid start plan")
            elif settled or not _better(
                _level_values(instance, assignments), _level_values(instance, start)
            ):
                assignments = list(start)
        elif settled:
            raise ValueError("settled levels need a start plan")
        assignments, results = lexicographic(instance, assignments, options, started, settled)
        # Levels after stop_after were not searched, so they are not proven.
        proven = len(results) == len(LEVEL_NAMES) and all(r.proven for r in results.values())
        status = "optimal" if proven else "feasible"
        solver_info.update(
            engine=engine,
            workers=workers,
            seed=seed,
            bounds={name: r.bound for name, r in results.items()},
            proven_levels=[name for name, r in results.items() if r.proven],
            level_seconds={name: round(r.seconds, 3) for name, r in results.items()},
            level_done_at={name: round(r.done_at, 3) for name, r in results.items()},
        )
    result = check_assignments(instance, assignments)
    # The plan goes through the independent checker before anyone sees it.
    assert not result.violations, result.violations
    solver_info.update(seconds=round(time.monotonic() - started, 3), proven_optimal=proven)
    return plan_document(
        instance,
        assignments,
        status=status,
        objective=result.objective.as_dict(),
        explanations=explain(instance, assignments),
        solver=solver_info,
    )
