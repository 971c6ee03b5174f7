"""Many independent schools planned within one time limit, in parallel processes.

A district's schools share nothing (instances, assistants and children are per school), so
each is solved on its own; what they share is the time. Most schools settle levels 1-2 in
well under a second and a few need many seconds, so an equal split wastes the easy schools'
time on levels 4-6 while the hard ones miss levels 1-2 (docs/planner.md, round 8). Three
passes instead:

1. levels 1-2 of every school, at most `first` seconds each;
2. the schools whose levels 1-2 are still more than `tolerance` above their bound again,
   from their plan, sharing the time left before the last pass;
3. levels 3-6 of every school from its plan, levels 1-2 settled, sharing the rest.

Within a pass a school's budget is the time left divided by the rounds its process still has
to run, so time a school does not use goes to the ones after it.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from poolplan.planner.domain import LEVEL_NAMES, Assignment, Instance
from poolplan.planner.solve import solve

TOP = LEVEL_NAMES[:2]  # the levels the first two passes search
# No pass gives a school less than this: building its model alone takes 0.02-0.4 s.
MIN_BUDGET = 0.2


@dataclass(frozen=True)
class DistrictOptions:
    # Seconds for the whole district, all passes.
    time_limit: float = 110.0
    processes: int = 2
    # Solver workers per school (CP-SAT engine only; HiGHS runs one thread per school).
    workers: int = 2
    seed: int = 0
    # Pass 1: at most this many seconds per school for levels 1-2.
    first: float = 2.0
    # Pass 2 takes schools whose levels 1-2 are more than this share above their bound.
    tolerance: float = 0.01
    # Share of the time limit kept for pass 3 (levels 3-6 of every school).
    last_share: float = 0.15
    # Passes 1-2: share of level 2's budget for each local search (SolveOptions.polish_share).
    polish_share: float = 0.15
    # Pass 2: share of level 2's budget for the LNS around short children
    # (SolveOptions.shortfall_share).
    shortfall_share: float = 0.25


def gap(levels: dict[str, int], bounds: dict[str, int]) -> float:
    """Relative distance of levels 1-2 (summed) from their proven bound; 0 when both are 0."""
    top = sum(levels[n] for n in TOP)
    low = sum(bounds.get(n, 0) for n in TOP)
    return 0.0 if top == 0 else (top - low) / top


def solve_schools(
    instances: Sequence[Instance], options: DistrictOptions = DistrictOptions()
) -> list[dict[str, Any]]:
    """Plan every school; returns their `poolplan-plan/1` documents in the input order.

    Each document's `solver.passes` lists the seconds each pass spent on that school.
    """
    started = time.monotonic()
    deadline = started + options.time_limit
    last_start = deadline - options.time_limit * options.last_share
    common = {"workers": options.workers, "seed": options.seed}
    tuning = {"polish_share": options.polish_share}
    top_only = {**common, "stop_after": TOP[-1], "tuning": tuning}
    # spawn, not fork: the parent may have solver threads whose locks fork would copy.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=options.processes, mp_context=context) as pool:
        run = _Runner(pool, options.processes)
        best = run.pass_(
            {k: (school, top_only) for k, school in enumerate(instances)},
            end=last_start,
            cap=options.first,
        )
        # A school whose pinned rows break a rule has no plan to improve: its answer stands.
        infeasible = {k: doc for k, doc in best.items() if doc["status"] == "infeasible"}
        for k in infeasible:
            del best[k]
        stuck = {
            **top_only,
            "tuning": {**tuning, "shortfall_share": options.shortfall_share},
        }
        hard = {
            k: (instances[k], {**stuck, "start": _rows(doc), "settled": _proven(doc, TOP[:1])})
            for k, doc in best.items()
            if gap(doc["objective"], doc["solver"]["bounds"]) > options.tolerance
        }
        for k, doc in run.pass_(hard, end=last_start).items():
            best[k] = _better_top(best[k], doc)
        final = run.pass_(
            {
                k: (
                    instances[k],
                    {**common, "start": _rows(doc), "settled": _bounds(doc, TOP)},
                )
                for k, doc in best.items()
            },
            end=deadline,
        )
    final.update(infeasible)
    return [final[k] for k in range(len(instances))]


class _Runner:
    """Runs one pass of solves on the pool, budgets shared out as processes come free."""

    def __init__(self, pool: ProcessPoolExecutor, processes: int):
        self.pool = pool
        self.processes = processes
        self.spent: dict[int, list[float]] = {}

    def pass_(
        self,
        jobs: dict[int, tuple[Instance, dict[str, Any]]],
        end: float,
        cap: float | None = None,
    ) -> dict[int, dict[str, Any]]:
        pending = list(jobs)
        running: dict[Future, int] = {}
        done: dict[int, dict[str, Any]] = {}
        while pending or running:
            while pending and len(running) < self.processes:
                key = pending.pop(0)
                # This process still runs about ceil(k / processes) of the k jobs not started.
                rounds = math.ceil((len(pending) + 1) / self.processes)
                budget = max(MIN_BUDGET, (end - time.monotonic()) / rounds)
                if cap is not None:
                    budget = min(budget, cap)
                instance, kwargs = jobs[key]
                running[self.pool.submit(_solve_one, instance, budget, kwargs)] = key
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                key = running.pop(future)
                doc, seconds = future.result()
                self.spent.setdefault(key, []).append(round(seconds, 3))
                doc["solver"]["passes"] = list(self.spent[key])
                done[key] = doc
        return done


def _solve_one(
    instance: Instance, budget: float, kwargs: dict[str, Any]
) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    doc = solve(instance, time_limit=budget, **kwargs)
    return doc, time.monotonic() - started


def _rows(doc: dict[str, Any]) -> list[Assignment]:
    return [Assignment(r["slot"], r["assistant"], tuple(r["children"])) for r in doc["assignments"]]


def _bounds(doc: dict[str, Any], names: Sequence[str]) -> dict[str, int]:
    return {n: doc["solver"]["bounds"][n] for n in names}


def _proven(doc: dict[str, Any], names: Sequence[str]) -> dict[str, int]:
    """The bounds of the levels among `names` the solve proved (to settle them next time)."""
    proven = set(doc["solver"]["proven_levels"])
    return {n: doc["solver"]["bounds"][n] for n in names if n in proven}


def _better_top(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """The better of two solves of one school on levels 1-2, with the best bounds both prove.

    A level-1 bound holds for every plan; a level-2 bound only under the level-1 value it
    was found with, so level-2 bounds are combined only when level 1 is the same.
    """
    better, other = (second, first) if _top(second) <= _top(first) else (first, second)
    bounds, others = better["solver"]["bounds"], other["solver"]["bounds"]
    for n in TOP if _top(better)[0] == _top(other)[0] else TOP[:1]:
        bounds[n] = min(max(bounds[n], others[n]), better["objective"][n])
    better["solver"]["proven_levels"] = [n for n in bounds if bounds[n] >= better["objective"][n]]
    return better


def _top(doc: dict[str, Any]) -> tuple[int, ...]:
    return tuple(doc["objective"][n] for n in TOP)
