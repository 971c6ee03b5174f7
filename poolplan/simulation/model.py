"""The school year the simulator plays: parameters, the week as arrays, and the staff of a policy.

An instance (`poolplan-instance/1`) describes one school week. The simulator repeats that week
for a school year: school day d is the instance's day `d % len(days)` (Monday, Tuesday, ...).
Everything a day needs is turned into numpy arrays once (`Week`, `Staff`), so that thousands
of simulated days are handled in a few array operations instead of Python loops.

Words as in `shared/spec/domain.md`: a child's *owed* minutes on a day are its approved minutes
shared out over the week's days in proportion to its need minutes that day (a child absent
that day owes nothing: approvals are net of the child's own absences); *delivered* minutes are
those with an assistant; *make-up debt* is owed minus delivered, carried forward.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from poolplan.planner.domain import NEED_OWN, Assistant, Child, Instance
from poolplan.planner.io import InputError

POLICIES = ("one-to-one", "pool", "pool+k")
# Skills whose children should keep a fixed person (medical care), unless told otherwise.
MEDICAL_SKILLS = ("nursing",)


@dataclass(frozen=True)
class Parameters:
    """Every number of the model, with its default. docs/simulation.md gives the sources, and
    says which defaults are assumptions."""

    # School days in the year (a German school year has about 188-190).
    days: int = 190
    runs: int = 1000
    # Assistants: share of school days off sick, mean length of a sick spell (school days),
    # and planned leave during term (training, cures): days per year, taken as one block.
    absence: float = 0.15
    absence_spell: float = 4.0
    leave_days: int = 3
    # Children: share of school days absent and mean spell.
    child_absence: float = 0.07
    child_absence_spell: float = 2.0
    # Traffic light: the chance that a slot is green / yellow / red, by the need profile's
    # value in that slot (0 = no support planned, 1 = shared support, 2 = an adult of its own).
    colours: tuple[tuple[float, float, float], ...] = (
        (0.95, 0.04, 0.01),
        (0.25, 0.60, 0.15),
        (0.05, 0.25, 0.70),
    )
    # A child whose own-adult need (2) cannot be covered in the morning plan stays home.
    home_without_care: bool = True
    # Extra assistants of "pool+k"; None: as many as bring the pool to the staff hours of
    # one-to-one (equal staff hours), each with an equal share of the missing minutes.
    extra: int | None = None
    # Contract of each extra assistant (minutes per week); None: the pool's median contract.
    extra_contract: int | None = None
    # Employer's cost per paid hour (EUR); `skill_rates` overrides it for assistants with
    # that skill (the highest applies).
    hourly_rate: float = 35.0
    skill_rates: Mapping[str, float] = field(default_factory=dict)
    # Two-sided confidence level of the intervals (normal approximation over the runs).
    confidence: float = 0.95

    def problems(self) -> list[str]:
        """One line per invalid value, naming the option (`--absence: ...`)."""
        out = []

        def share(name: str, value: float) -> None:
            if not 0.0 <= value < 1.0:
                out.append(f"--{name}: must be at least 0 and below 1, got {value:g}")

        if self.days < 1:
            out.append(f"--days: must be at least 1, got {self.days}")
        if self.runs < 1:
            out.append(f"--runs: must be at least 1, got {self.runs}")
        share("absence", self.absence)
        share("child-absence", self.child_absence)
        for name, rate, spell in (("absence", self.absence, self.absence_spell),
                                  ("child-absence", self.child_absence,
                                   self.child_absence_spell)):
            if spell < 1.0:
                out.append(f"--{name}-spell: must be at least 1 day, got {spell:g}")
            elif 0.0 <= rate < 1.0 and rate / (1.0 - rate) > spell:
                # Otherwise even falling ill every day one is present cannot reach the rate.
                out.append(f"--{name}-spell: with --{name} {rate:g} spells must last at least "
                           f"{rate / (1.0 - rate):.2f} days, got {spell:g}")
        if self.leave_days < 0 or self.leave_days > self.days:
            out.append(f"--leave-days: must be between 0 and --days ({self.days}), "
                       f"got {self.leave_days}")
        if self.extra is not None and self.extra < 0:
            out.append(f"--extra: must not be negative, got {self.extra}")
        if self.extra_contract is not None and self.extra_contract < 1:
            out.append(f"--extra-contract: must be at least 1 minute, got {self.extra_contract}")
        if self.hourly_rate < 0:
            out.append(f"--rate: must not be negative, got {self.hourly_rate:g}")
        for skill, rate in self.skill_rates.items():
            if rate < 0:
                out.append(f"--rate {skill}=: must not be negative, got {rate:g}")
        if not 0.5 <= self.confidence < 1.0:
            out.append(f"--confidence: must be at least 0.5 and below 1, got {self.confidence:g}")
        for need, row in enumerate(self.colours):
            if len(row) != 3 or min(row) < 0 or abs(sum(row) - 1.0) > 1e-9:
                out.append(f"colours[{need}]: three chances (green, yellow, red) adding up to 1")
        return out


class ParameterError(InputError):
    """Parameters that cannot be simulated; `problems` names each option (`--absence: ...`)."""


def checked(params: Parameters) -> Parameters:
    problems = params.problems()
    if problems:
        raise ParameterError(problems)
    return params


@dataclass(frozen=True, eq=False)
class Week:
    """The children's side of an instance as arrays (index order = instance order).

    Slots are numbered globally (s) in instance order; `day_slots[w]` lists the slots of the
    w-th day of the week in time order.
    """

    instance: Instance

    @cached_property
    def days(self) -> tuple[str, ...]:
        return self.instance.days

    @cached_property
    def children(self) -> tuple[Child, ...]:
        return self.instance.children

    @cached_property
    def day_slots(self) -> tuple[np.ndarray, ...]:
        out = []
        for day in self.days:
            ids = [i for i, s in enumerate(self.instance.slots) if s.day == day]
            ids.sort(key=lambda i: (self.instance.slots[i].start, i))
            out.append(np.array(ids, dtype=np.int64))
        return tuple(out)

    @cached_property
    def minutes(self) -> np.ndarray:
        return np.array([s.minutes for s in self.instance.slots], dtype=np.int32)

    @cached_property
    def need(self) -> np.ndarray:
        """need[s, c]: 0, 1 or 2."""
        out = np.zeros((len(self.instance.slots), len(self.children)), dtype=np.int8)
        order = self.instance.slot_order
        for c, child in enumerate(self.children):
            for sid, value in child.needs.items():
                out[order[sid], c] = value
        return out

    @cached_property
    def location(self) -> np.ndarray:
        """location[s, c]: a code per distinct location string, -1 where no need."""
        codes: dict[str, int] = {}
        out = np.full((len(self.instance.slots), len(self.children)), -1, dtype=np.int16)
        order = self.instance.slot_order
        for c, child in enumerate(self.children):
            for sid, place in child.location.items():
                if sid in child.needs:
                    out[order[sid], c] = codes.setdefault(place, len(codes))
        return out

    @cached_property
    def ratio(self) -> np.ndarray:
        return np.array([c.max_ratio for c in self.children], dtype=np.int8)

    @cached_property
    def limit(self) -> np.ndarray:
        """Most distinct assistants a child may have in a day (rule 7, read per day)."""
        return np.array([c.max_assistants if c.max_assistants is not None else 127
                         for c in self.children], dtype=np.int16)

    @cached_property
    def approved(self) -> np.ndarray:
        return np.array([c.approved_minutes for c in self.children], dtype=np.float64)

    @cached_property
    def need_minutes(self) -> np.ndarray:
        """need_minutes[w, c]: minutes of need >= 1 on the w-th day of the week."""
        has = (self.need > 0) * self.minutes[:, None]
        return np.stack([has[ids].sum(axis=0) for ids in self.day_slots]).astype(np.float64)

    @cached_property
    def owed(self) -> np.ndarray:
        """owed[w, c]: the day's share of the approval, in proportion to the need minutes."""
        week = self.need_minutes.sum(axis=0)
        share = np.divide(self.need_minutes, week, out=np.zeros_like(self.need_minutes),
                          where=week > 0)
        return share * self.approved

    @cached_property
    def own_adult_days(self) -> np.ndarray:
        """own_adult_days[w, c]: the child needs an adult of its own somewhere that day."""
        own = self.need == NEED_OWN
        return np.stack([own[ids].any(axis=0) for ids in self.day_slots])

    def day_of(self, d: int | np.ndarray) -> int | np.ndarray:
        return d % len(self.days)


@dataclass(frozen=True, eq=False)
class Staff:
    """The assistants of one policy, as arrays over the week of `week`."""

    name: str
    week: Week
    assistants: tuple[Assistant, ...]
    # One-to-one: the child each assistant is fixed to (index), else -1.
    fixed_to: tuple[int, ...] = ()
    # Pool policies: children's primary persons by index (-1 none), from the instance.
    primary: tuple[int, ...] = ()
    rates: tuple[float, ...] = ()

    @property
    def size(self) -> int:
        return len(self.assistants)

    @cached_property
    def contract(self) -> np.ndarray:
        return np.array([a.max_minutes for a in self.assistants], dtype=np.float64)

    @cached_property
    def eligible(self) -> np.ndarray:
        """eligible[c, a]: skills and fixed persons allow a to support c (rule 3)."""
        if self.fixed_to:
            out = np.zeros((len(self.week.children), self.size), dtype=bool)
            for a, c in enumerate(self.fixed_to):
                out[c, a] = True
            return out
        return np.array([[child.may_be_supported_by(a) for a in self.assistants]
                         for child in self.week.children], dtype=bool).reshape(
            len(self.week.children), self.size)

    @cached_property
    def available(self) -> np.ndarray:
        """available[s, a] (rule 1: the instance's `unavailable`)."""
        slots = self.week.instance.slots
        return np.array([[a.is_available(s.id) for a in self.assistants] for s in slots],
                        dtype=bool).reshape(len(slots), self.size)

    @cached_property
    def budget(self) -> np.ndarray:
        """budget[w, a]: the day's share of the weekly contract, in proportion to the minutes
        the assistant is available that day (rule 6 read per day), at most those minutes."""
        minutes = self.week.minutes[:, None] * self.available
        per_day = np.stack([minutes[ids].sum(axis=0) for ids in self.week.day_slots])
        week = per_day.sum(axis=0)
        share = np.divide(per_day * self.contract, week, out=np.zeros(per_day.shape),
                          where=week > 0)
        return np.minimum(np.floor(share), per_day).astype(np.int32)

    @cached_property
    def rate(self) -> np.ndarray:
        return np.array(self.rates, dtype=np.float64)

    @cached_property
    def flexibility(self) -> np.ndarray:
        """How many children each assistant may support: less flexible people go first."""
        return self.eligible.sum(axis=0).astype(np.float64)

    def cost_per_year(self, days: int) -> float:
        """Paid contract hours times rates over the school year (sick pay included)."""
        weeks = days / len(self.week.days)
        return float((self.contract / 60.0 * self.rate).sum() * weeks)


def _rate(assistant: Assistant, params: Parameters) -> float:
    rates = [params.skill_rates[s] for s in assistant.skills if s in params.skill_rates]
    return max(rates) if rates else params.hourly_rate


def _staff(name: str, week: Week, assistants: list[Assistant], params: Parameters,
           fixed_to: tuple[int, ...] = ()) -> Staff:
    order = {a.id: i for i, a in enumerate(assistants)}
    primary = tuple(order.get(c.primary, -1) if c.primary else -1 for c in week.children)
    return Staff(name, week, tuple(assistants), fixed_to=fixed_to, primary=primary,
                 rates=tuple(_rate(a, params) for a in assistants))


def pool_staff(week: Week, params: Parameters, extra: list[Assistant] = (), *,
               name: str = "pool") -> Staff:
    """The instance's pool, plus extra assistants (pool+k)."""
    return _staff(name, week, [*week.instance.assistants, *extra], params)


def one_to_one_schedule(week: Week) -> np.ndarray:
    """schedule[s, c]: the slots a one-to-one assistant spends with the child.

    Every slot with an own-adult need, then shared-need slots in time order until the day's
    share of the approval is reached (whole slots: the contract is rounded up to them)."""
    need, minutes = week.need, week.minutes
    out = np.zeros(need.shape, dtype=bool)
    for w, ids in enumerate(week.day_slots):
        for c in range(len(week.children)):
            if week.approved[c] <= 0:
                continue
            own = ids[need[ids, c] == NEED_OWN]
            out[own, c] = True
            got = minutes[own].sum()
            for s in ids[need[ids, c] == 1]:
                if got >= week.owed[w, c] - 1e-9:
                    break
                out[s, c] = True
                got += minutes[s]
    return out


def one_to_one_staff(week: Week, params: Parameters) -> Staff:
    """One assistant per child with approved minutes, fixed to it, with the child's skills
    and a contract of the minutes of its schedule."""
    schedule = one_to_one_schedule(week)
    assistants, fixed_to = [], []
    slot_ids = [s.id for s in week.instance.slots]
    for c, child in enumerate(week.children):
        if week.approved[c] <= 0:
            continue
        minutes = int((schedule[:, c] * week.minutes).sum())
        assistants.append(Assistant(
            id=f"1:1-{child.id}", skills=child.skills, max_minutes=minutes,
            unavailable=frozenset(sid for s, sid in enumerate(slot_ids) if not schedule[s, c])))
        fixed_to.append(c)
    return _staff("one-to-one", week, assistants, params, fixed_to=tuple(fixed_to))


def adult_minutes(week: Week) -> np.ndarray:
    """adult[s, c]: share of an adult child c takes in slot s: 1 with need 2 (or a ratio of
    1), 1/max_ratio with shared need, 0 without need."""
    share = np.where(week.need == NEED_OWN, 1.0, 1.0 / week.ratio[None, :].astype(np.float64))
    return np.where(week.need > 0, share, 0.0)


def skill_sets_by_demand(week: Week) -> list[tuple[frozenset[str], float]]:
    """The children's required skill sets with the adult minutes they need a week (need
    minutes, shared ones divided by the ratio), largest first (ties: fewer skills, name):
    the mix new assistants are drawn from."""
    adult = adult_minutes(week) * week.minutes[:, None]
    demand: dict[frozenset[str], float] = {}
    for c, child in enumerate(week.children):
        demand[child.skills] = demand.get(child.skills, 0.0) + float(adult[:, c].sum())
    return sorted(demand.items(), key=lambda kv: (-kv[1], len(kv[0]), sorted(kv[0])))


def skill_peaks(week: Week) -> dict[frozenset[str], int]:
    """For each required skill set (not the empty one): the most adults its children need at
    one time (rounded up), so a pool has at least that many people with the set."""
    adult = adult_minutes(week)
    peaks: dict[frozenset[str], int] = {}
    for skills in {c.skills for c in week.children if c.skills}:
        members = [k for k, c in enumerate(week.children) if c.skills == skills]
        peaks[skills] = int(np.ceil(adult[:, members].sum(axis=1).max() - 1e-9))
    return peaks


def allocate_skills(week: Week, count: int, minimum: Mapping[frozenset[str], int] = {}
                    ) -> list[frozenset[str]]:
    """Skill sets for `count` new assistants: first the `minimum` per set, the rest in
    proportion to the adult minutes of the children requiring each set (largest remainder).
    Every assistant gets exactly one set."""
    demand = skill_sets_by_demand(week)
    out: list[frozenset[str]] = []
    for skills, n in minimum.items():
        out += [skills] * n
    left = count - len(out)
    if left <= 0:
        return out[:count]
    total = sum(w for _, w in demand) or 1.0
    quotas = [(skills, left * w / total) for skills, w in demand]
    base = {skills: int(q) for skills, q in quotas}
    rest = left - sum(base.values())
    for skills, _ in sorted(quotas, key=lambda sq: -(sq[1] - int(sq[1])))[:rest]:
        base[skills] += 1
    for skills, _ in demand:
        out += [skills] * base[skills]
    return out


def median_contract(instance: Instance) -> int:
    contracts = sorted(a.max_minutes for a in instance.assistants)
    return int(contracts[len(contracts) // 2]) if contracts else 1200


def extra_assistants(week: Week, params: Parameters, one_to_one_minutes: float
                     ) -> list[Assistant]:
    """The k extra assistants of pool+k (ids x1, x2, ...), skills by demand."""
    pool_minutes = sum(a.max_minutes for a in week.instance.assistants)
    contract = params.extra_contract or median_contract(week.instance)
    if params.extra is None:
        missing = max(0.0, one_to_one_minutes - pool_minutes)
        k = int(np.ceil(missing / contract - 1e-9))
        contracts = [int(round(missing / k))] * k if k else []
    else:
        k = params.extra
        contracts = [contract] * k
    skills = allocate_skills(week, k)
    return [Assistant(f"x{i + 1}", skills[i], contracts[i], frozenset()) for i in range(k)]


def day_instance(week: Week, staff: Staff, w: int, present_a: np.ndarray,
                 present_c: np.ndarray, *, name: str = "") -> Instance:
    """One simulated day as a planner instance: the w-th day's slots, absent assistants
    unavailable all day, each assistant's day budget as contract, absent children left out,
    each child's owed minutes (rounded) as its approval. The exact planner and the checker
    read it; the heuristic's plans are checked against it."""
    instance = week.instance
    ids = week.day_slots[w]
    slots = tuple(instance.slots[s] for s in ids)
    slot_ids = frozenset(s.id for s in slots)
    assistants = tuple(
        Assistant(a.id, a.skills, int(staff.budget[w, i]),
                  slot_ids if not present_a[i] else frozenset(a.unavailable & slot_ids))
        for i, a in enumerate(staff.assistants))
    children = []
    for c, child in enumerate(week.children):
        if not present_c[c]:
            continue
        needs = {sid: v for sid, v in child.needs.items() if sid in slot_ids}
        fixed = tuple(staff.assistants[a].id for a in np.flatnonzero(staff.eligible[c])) \
            if staff.fixed_to else child.fixed
        children.append(dataclasses.replace(
            child, approved_minutes=int(round(week.owed[w, c])), needs=needs, fixed=fixed,
            location={sid: child.location[sid] for sid in needs}))
    return Instance(name or f"{instance.name}, {week.days[w]}", slots, assistants,
                    tuple(children))
