"""Pool sizing: the smallest pool (with a skill mix) that meets every approval in a week with
a wanted probability, and which children should keep a fixed person.

A candidate pool of n assistants is made from scratch: every assistant has the standard
contract and is available all week; skills are drawn from the children's required skill sets
(`model.allocate_skills`): at least as many per set as its children need adults at one time
(`model.skill_peaks`), the rest in proportion to the adult minutes the children requiring
each set need. Fixed persons of the instance name people of the present pool
and are left out (the recommendation below says who should keep one). Each candidate plays
the same simulated years (common random numbers: person i is ill on the same days in every
candidate), and the share of weeks in which every child got its week's owed minutes is
compared with the target.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from poolplan.planner.domain import Assistant, Instance
from poolplan.simulation.engine import simulate
from poolplan.simulation.metrics import Estimate, PolicySummary, summarise
from poolplan.simulation.model import (
    MEDICAL_SKILLS,
    ParameterError,
    Parameters,
    Week,
    adult_minutes,
    allocate_skills,
    checked,
    median_contract,
    skill_peaks,
)

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Candidate:
    assistants: int
    mix: tuple[tuple[tuple[str, ...], int], ...]  # (skills, how many), largest first
    weeks_all_met: Estimate
    approved_delivered: Estimate

    def as_dict(self) -> dict:
        return {
            "assistants": self.assistants,
            "mix": [{"skills": list(skills), "count": n} for skills, n in self.mix],
            "weeks_all_met": self.weeks_all_met.as_dict(),
            "approved_delivered": self.approved_delivered.as_dict(),
        }


@dataclass(frozen=True)
class FixedPerson:
    """A child who should keep a fixed person, why, and what the pool did to it."""

    child: str
    # Why: fixed persons the instance names (therapeutic or medical reasons), skills of
    # medical care it needs, the most assistants it tolerates.
    fixed: tuple[str, ...] = ()
    medical: tuple[str, ...] = ()
    few_people: int | None = None
    # Distinct assistants a year in the simulated pool (mean over runs).
    distinct_in_pool: float = 0.0
    # Suggested: the child's primary person and a deputy, both qualified (instance ids).
    suggested: tuple[str, ...] = ()

    def reasons(self) -> list[str]:
        out = []
        if self.fixed:
            out.append("fixed persons named: " + ", ".join(self.fixed))
        if self.medical:
            out.append("medical care: needs " + ", ".join(self.medical))
        if self.few_people is not None:
            out.append(f"tolerates at most {self.few_people} assistants")
        return out

    def as_dict(self) -> dict:
        return {"child": self.child, "fixed": list(self.fixed), "medical": list(self.medical),
                "few_people": self.few_people,
                "distinct_in_pool": round(self.distinct_in_pool, 2),
                "suggested": list(self.suggested)}


@dataclass
class Sizing:
    target: float
    contract: int
    runs: int
    current: Candidate
    combined: bool = False
    tried: list[Candidate] = field(default_factory=list)
    answer: Candidate | None = None
    # Children whose approval is more than their need minutes: no pool meets it.
    impossible: list[str] = field(default_factory=list)
    fixed: list[FixedPerson] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "contract": self.contract,
            "runs": self.runs,
            "combined": self.combined,
            "current": self.current.as_dict(),
            "tried": [c.as_dict() for c in self.tried],
            "answer": self.answer.as_dict() if self.answer else None,
            "impossible": self.impossible,
            "fixed": [f.as_dict() for f in self.fixed],
        }


def cover(peak: int, absence: float, target: float, days: int) -> int:
    """Smallest m >= peak such that at least `peak` of m people (each away with chance
    `absence`, independently) are there on every one of `days` days with chance >= target."""
    m = peak
    while peak > 0:
        present = 1.0 - absence
        day = sum(math.comb(m, k) * present**k * absence ** (m - k) for k in range(peak, m + 1))
        if day**days >= target or m >= 4 * peak + 20:
            return m
        m += 1
    return m


def _mix(skills: list[frozenset[str]]) -> tuple[tuple[tuple[str, ...], int], ...]:
    counts: dict[frozenset[str], int] = {}
    for s in skills:
        counts[s] = counts.get(s, 0) + 1
    return tuple((tuple(sorted(s)), n) for s, n in
                 sorted(counts.items(), key=lambda kv: (-kv[1], sorted(kv[0]))))


def _without_fixed(instance: Instance) -> Instance:
    return dataclasses.replace(instance, children=tuple(
        dataclasses.replace(c, fixed=(), primary=None) for c in instance.children))


def fixed_person_advice(week: Week, distinct: np.ndarray | None = None, *,
                        medical: tuple[str, ...] = MEDICAL_SKILLS,
                        few_people: int = 3) -> list[FixedPerson]:
    """Children who should keep a fixed person: fixed persons already named (therapeutic or
    medical reasons), a medical skill requirement, or tolerance of at most `few_people`
    assistants. `distinct[c]`: distinct assistants a year in the simulated pool."""
    out = []
    for c, child in enumerate(week.children):
        medical_needs = tuple(sorted(child.skills & set(medical)))
        few = (child.max_assistants if child.max_assistants is not None
               and child.max_assistants <= few_people else None)
        if not (child.fixed or medical_needs or few is not None):
            continue
        qualified = [a.id for a in week.instance.assistants if child.may_be_supported_by(a)]
        suggested = [child.primary] if child.primary in qualified else []
        suggested += [a for a in qualified if a not in suggested][: 2 - len(suggested)]
        out.append(FixedPerson(child.id, fixed=tuple(child.fixed), medical=medical_needs,
                               few_people=few,
                               distinct_in_pool=float(distinct[c]) if distinct is not None
                               else 0.0, suggested=tuple(suggested)))
    return out


def size_pool(instance: Instance, params: Parameters, rng_seed: int, *, target: float = 0.95,
              contract: int | None = None, most: int | None = None, combined: bool = False,
              progress: Progress | None = None) -> Sizing:
    """The smallest pool meeting every approval in `target` of the weeks.

    Args:
        instance: the week; its own pool is simulated for comparison.
        params: model parameters (runs, days, absences ...).
        rng_seed: seed of every candidate's Generator (each candidate plays the same years).
        target: wanted share of weeks with every approval met.
        contract: minutes per week of each assistant (default: the pool's median contract).
        most: largest pool tried (default: two per child).
        combined: the skilled people hold every skill the children require (one group of
            specialists covering all peaks) instead of one required skill set each.
        progress: called with (share done, what).
    """
    params = checked(params)
    if not 0.0 < target <= 1.0:
        raise ParameterError([f"--target: must be above 0 and at most 1, got {target:g}"])
    if contract is not None and contract < 1:
        raise ParameterError([f"--contract: must be at least 1 minute, got {contract}"])
    week = Week(instance)
    contract = contract or median_contract(instance)
    impossible = [c.id for k, c in enumerate(week.children)
                  if week.approved[k] > week.need_minutes[:, k].sum()]
    # Per required skill set: enough people that its children's peak need is there on every
    # day of a week despite absences (absence and leave as one daily chance).
    away = min(0.99, params.absence + params.leave_days / params.days)
    minimum = {skills: cover(peak, away, target, len(week.days))
               for skills, peak in skill_peaks(week).items()}
    if combined and minimum:
        minimum = {frozenset().union(*minimum): max(minimum.values())}
    floor = max(1, sum(minimum.values()))
    adult = float((adult_minutes(week) * week.minutes[:, None]).sum())
    start = max(floor, math.ceil(adult / contract / (1.0 - away)))
    most = most or max(start, 2 * len(week.children))

    def run(team: Instance, what: str, share: float) -> tuple[PolicySummary, np.ndarray]:
        sim = simulate(team, params, np.random.default_rng(rng_seed), policies=("pool",))
        if progress is not None:
            progress(share, what)
        return summarise(sim)[0], sim.years["pool"].distinct.mean(axis=0)

    current_summary, distinct = run(instance, "the present pool", 0.1)
    current = Candidate(len(instance.assistants), _mix([a.skills for a in instance.assistants]),
                        current_summary.metrics["weeks_all_met"],
                        current_summary.metrics["approved_delivered"])
    result = Sizing(target, contract, params.runs, current, combined=combined,
                    impossible=impossible,
                    fixed=fixed_person_advice(week, distinct))
    bare = _without_fixed(instance)
    cache: dict[int, Candidate] = {}

    def candidate(n: int) -> Candidate:
        if n not in cache:
            skills = allocate_skills(week, n, minimum=minimum)
            people = [Assistant(f"s{i + 1}", skills[i], contract, frozenset()) for i in range(n)]
            team = dataclasses.replace(bare, assistants=tuple(people))
            summary, _ = run(team, f"{n} assistants", min(0.95, 0.1 + 0.1 * len(cache)))
            cache[n] = Candidate(n, _mix(skills), summary.metrics["weeks_all_met"],
                                 summary.metrics["approved_delivered"])
            result.tried.append(cache[n])
        return cache[n]

    def meets(n: int) -> bool:
        return candidate(n).weeks_all_met.mean >= target

    if impossible:
        return result
    # From an estimate (the week's adult minutes over the contracts, with absences) grow in
    # steps until the target is met, then bisect down: the share of good weeks rises with the
    # pool (not strictly, as the mix changes with n).
    low, high = floor - 1, min(start, most)
    while not meets(high):
        if high >= most:
            result.tried.sort(key=lambda c: c.assistants)
            return result
        low, high = high, min(most, high + max(1, high // 4))
    while high - low > 1:
        middle = (low + high) // 2
        if meets(middle):
            high = middle
        else:
            low = middle
    result.answer = candidate(high)
    result.tried.sort(key=lambda c: c.assistants)
    return result
