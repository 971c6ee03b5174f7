"""How far the pool policy's fast heuristic stays behind the exact planner.

Random simulated days (same absence model as the year) are planned twice: by the heuristic
(`dayplan.pool_days`) and by the exact lexicographic planner (`poolplan.planner.solve`) on
the day's instance (`model.day_instance`). Both plans go through the planner's checker; the
heuristic's must break no hard rule. The same rule then sends home children whose own-adult
need is left uncovered, and both are rated by the approved minutes they deliver (the sum over
children of min(credited, owed)). The distance is the exact plan's lead in those minutes, as
a share of the owed minutes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from poolplan.planner import solve
from poolplan.planner.check import check_assignments
from poolplan.planner.domain import NEED_OWN, Assignment, Instance
from poolplan.planner.io import parse_assignments
from poolplan.simulation.dayplan import NOBODY, DayPlans, pool_days
from poolplan.simulation.model import Parameters, Staff, Week, day_instance


def assignments_of(week: Week, staff: Staff, w: int, plans: DayPlans, row: int
                   ) -> list[Assignment]:
    """The plan of one row as planner assignments (groups per slot and assistant)."""
    ids = week.day_slots[w]
    out = []
    for j, s in enumerate(ids):
        groups: dict[int, list[str]] = {}
        for c in np.flatnonzero(plans.assign[j, :, row] != NOBODY):
            groups.setdefault(int(plans.assign[j, c, row]), []).append(week.children[c].id)
        for a, kids in sorted(groups.items()):
            out.append(Assignment(week.instance.slots[s].id, staff.assistants[a].id,
                                  tuple(kids)))
    return out


def send_home(instance: Instance, rows: list[Assignment]) -> tuple[list[Assignment], set[str]]:
    """Drop every row of a child with an uncovered own-adult slot (it stays home)."""
    covered = {(r.slot, c) for r in rows for c in r.children}
    home = {c.id for c in instance.children
            if any(v == NEED_OWN and (s, c.id) not in covered for s, v in c.needs.items())}
    kept = [Assignment(r.slot, r.assistant, tuple(c for c in r.children if c not in home))
            for r in rows]
    return [r for r in kept if r.children], home


def delivered_approved(instance: Instance, rows: list[Assignment]) -> int:
    credited = {c.id: 0 for c in instance.children}
    for r in rows:
        for c in r.children:
            credited[c] += instance.minutes(r.slot)
    return sum(min(credited[c.id], c.approved_minutes) for c in instance.children)


@dataclass
class Distance:
    days: int
    seconds: float
    owed: int = 0
    heuristic: int = 0
    exact: int = 0
    # Per sampled day: (owed, heuristic, exact) approved minutes delivered.
    per_day: list[tuple[int, int, int]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    proven: int = 0

    @property
    def gap(self) -> float:
        """The exact planner's lead as a share of the owed minutes (0.03 = 3 points)."""
        return (self.exact - self.heuristic) / self.owed if self.owed else 0.0

    @property
    def worst_day_gap(self) -> float:
        return max(((e - h) / o for o, h, e in self.per_day if o), default=0.0)

    def as_dict(self) -> dict:
        return {
            "days": self.days,
            "seconds": round(self.seconds, 2),
            "owed_minutes": self.owed,
            "heuristic_minutes": self.heuristic,
            "exact_minutes": self.exact,
            "gap": round(self.gap, 4),
            "worst_day_gap": round(self.worst_day_gap, 4),
            "proven_days": self.proven,
            "violations": len(self.violations),
        }


def sample_days(rng: np.random.Generator, week: Week, staff: Staff, params: Parameters,
                days: int) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """Random days: a weekday and who is present, each person absent with the year's rate."""
    out = []
    for _ in range(days):
        w = int(rng.integers(len(week.days)))
        present_a = rng.random(staff.size) >= params.absence
        present_c = rng.random(len(week.children)) >= params.child_absence
        out.append((w, present_a, present_c))
    return out


def planner_distance(week: Week, staff: Staff, params: Parameters, rng: np.random.Generator,
                     *, days: int = 30, time_limit: float = 5.0, workers: int = 8,
                     engine: str = "highs") -> Distance:
    """Plan `days` random days with the heuristic and the exact planner and compare."""
    started = time.monotonic()
    result = Distance(days=days, seconds=0.0)
    for k, (w, present_a, present_c) in enumerate(sample_days(rng, week, staff, params, days)):
        plans = pool_days(week, staff, w, present_a[None, :], present_c[None, :],
                          home_without_care=params.home_without_care)
        instance = day_instance(week, staff, w, present_a, present_c,
                                name=f"{week.instance.name}, sampled day {k + 1}")
        heuristic = assignments_of(week, staff, w, plans, 0)
        broken = check_assignments(instance, heuristic).violations
        result.violations += [f"day {k + 1}: {v}" for v in broken]
        plan = solve(instance, time_limit=time_limit, workers=workers, seed=0, engine=engine)
        exact = parse_assignments(plan, instance)
        result.proven += "entitlement_shortfall" in plan["solver"].get("proven_levels", [])
        if params.home_without_care:
            exact, _ = send_home(instance, exact)
            heuristic, _ = send_home(instance, heuristic)
        owed = sum(c.approved_minutes for c in instance.children)
        h, e = delivered_approved(instance, heuristic), delivered_approved(instance, exact)
        result.per_day.append((owed, h, e))
        result.owed += owed
        result.heuristic += h
        result.exact += e
    result.seconds = time.monotonic() - started
    return result
