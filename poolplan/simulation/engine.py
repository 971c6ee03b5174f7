"""Play school years: absences, day plans and the traffic light for every policy.

All years (runs) of a policy are played at once, weekday by weekday: the Mondays of all runs
form one batch of rows for the day planner, then the Tuesdays, and so on. This works because
a day's plan depends only on who is present that day (make-up happens through the minutes a
plan delivers beyond a day's share, not through planning; docs/simulation.md), and it keeps
the Python loops to slots and children while numpy does the rows.

Randomness: the Generator passed in is split (`spawn`) into independent streams for the
children's absences, the traffic light, and the absences of each staff group. So all policies
see the same children and the same colours (common random numbers: their differences are not
noise from different draws), the pool's own assistants are absent on the same days in `pool`
and `pool+k`, and asking for fewer policies does not change the others' figures.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from poolplan.planner.domain import Instance
from poolplan.simulation import events
from poolplan.simulation.dayplan import NOBODY, DayPlans, one_to_one_days, pool_plans
from poolplan.simulation.model import (
    POLICIES,
    ParameterError,
    Parameters,
    Staff,
    Week,
    checked,
    extra_assistants,
    one_to_one_staff,
    pool_staff,
)

Progress = Callable[[float, str], None]


@dataclass
class PolicyYear:
    """What one policy did in every run: per run r, school day d and child c."""

    policy: str
    staff: Staff
    delivered: np.ndarray  # [r, d, c] minutes with an assistant
    home: np.ndarray  # [r, d, c] stayed home for want of an adult of its own
    red_minutes: np.ndarray  # [r]
    red_attended: np.ndarray  # [r] red minutes with an adult at hand at once
    idle_minutes: np.ndarray  # [r] paid minutes of present assistants without a child in need
    distinct: np.ndarray  # [r, c] distinct assistants over the year
    seconds: float = 0.0


@dataclass
class Simulation:
    week: Week
    params: Parameters
    present: np.ndarray  # [r, d, c] the child is at school (not ill)
    owed: np.ndarray  # [r, d, c] owed minutes (0 on the child's absent days)
    need_day: np.ndarray  # [r, d, c] present and with need that day
    years: dict[str, PolicyYear] = field(default_factory=dict)

    @property
    def runs(self) -> int:
        return self.present.shape[0]

    @property
    def weeks(self) -> float:
        return self.params.days / len(self.week.days)


def staffs(week: Week, params: Parameters) -> dict[str, Staff]:
    """The staff of each policy. pool+k's default k needs one-to-one's staff minutes."""
    one = one_to_one_staff(week, params)
    extra = extra_assistants(week, params, float(one.contract.sum()))
    return {
        "one-to-one": one,
        "pool": pool_staff(week, params),
        "pool+k": pool_staff(week, params, extra, name="pool+k"),
    }


def simulate(instance: Instance, params: Parameters, rng: np.random.Generator, *,
             policies: Iterable[str] = POLICIES, progress: Progress | None = None
             ) -> Simulation:
    """Play `params.runs` school years of `params.days` days for each policy.

    Args:
        instance: the week (its assistants are the pool).
        params: the model's parameters (checked first).
        rng: the only source of randomness.
        policies: any of "one-to-one", "pool", "pool+k".
        progress: called with (share done, what) as the policies' weekdays are played.
    Raises:
        ParameterError: with one line per invalid parameter.
    """
    params = checked(params)
    asked = list(dict.fromkeys(policies))
    unknown = [p for p in asked if p not in POLICIES]
    if unknown:
        raise ParameterError([f"--policy: unknown policy {p!r} (one of {', '.join(POLICIES)})"
                              for p in unknown])
    policies = [p for p in POLICIES if p in asked]  # always in the order of POLICIES
    if not instance.slots:
        raise ParameterError(["slots: the instance has no slots, so there is no school day to "
                              "simulate"])
    week = Week(instance)
    staff = staffs(week, params)
    too_big = [f"assistants: {name} has {staff[name].size}; the simulator handles pools of at "
               f"most {MAX_POOL}" for name in policies
               if name != "one-to-one" and staff[name].size > MAX_POOL]
    if too_big:
        raise ParameterError(too_big)
    kind = type(rng.bit_generator)
    streams = Streams(kind, *(g.bit_generator.seed_seq for g in rng.spawn(5)))
    absent_c = events.absences(streams.fresh("children").spawn(len(week.children)), params.runs,
                               params.days, rate=params.child_absence,
                               spell=params.child_absence_spell)
    weekday = np.arange(params.days) % len(week.days)
    present = ~absent_c
    owed = np.where(present, week.owed[weekday][None, :, :], 0.0).astype(np.float32)
    need_day = present & (week.need_minutes[weekday][None, :, :] > 0)
    sim = Simulation(week, params, present, owed, need_day)

    # The same traffic light for every policy (drawn once: it is the largest draw).
    colour_rng = streams.fresh("colours")
    light = [events.colours(colour_rng, week.need[week.day_slots[w]],
                            params.runs * int((weekday == w).sum()), params.colours)
             for w in range(len(week.days))]
    absent: dict[str, np.ndarray] = {}
    for k, name in enumerate(policies):
        def step(share: float, what: str, k: int = k) -> None:
            if progress is not None:
                progress((k + share) / len(policies), what)

        sim.years[name] = play(week, staff[name], params, streams, present, light, absent,
                               step)
    return sim


@dataclass(frozen=True)
class Streams:
    """The independent random streams of a simulation, as seed sequences."""

    kind: type
    children: np.random.SeedSequence
    colours: np.random.SeedSequence
    pool: np.random.SeedSequence
    extra: np.random.SeedSequence
    one_to_one: np.random.SeedSequence

    def fresh(self, name: str) -> np.random.Generator:
        """A new Generator on the named stream, from its start (spawning from a seed
        sequence changes it, so every use starts from a copy)."""
        seq = getattr(self, name)
        copy = np.random.SeedSequence(seq.entropy, spawn_key=seq.spawn_key,
                                      pool_size=seq.pool_size)
        return np.random.Generator(self.kind(copy))


def play(week: Week, team: Staff, params: Parameters, streams: Streams, present: np.ndarray,
         light: list[tuple[np.ndarray, np.ndarray]], drawn: dict[str, np.ndarray],
         progress: Progress | None = None) -> PolicyYear:
    """The school years of the policy whose staff is `team`. Every policy sees the same
    children (`present`) and the same traffic light (`light[w]`: needy and red of the w-th
    weekday's days); `drawn` keeps the staff absences already drawn (the pool's people are
    the same in pool and pool+k)."""
    name = team.name
    runs, days, kids = params.runs, params.days, len(week.children)

    def absent(stream: str, people: int) -> np.ndarray:
        # One stream per person: person i is absent on the same days however many others
        # there are (pool and pool+k, and the pools of different sizes sizing tries).
        if stream not in drawn:
            drawn[stream] = events.absences(
                streams.fresh(stream).spawn(people), runs, days, rate=params.absence,
                spell=params.absence_spell, leave_days=params.leave_days)
        return drawn[stream]

    pool_size = len(week.instance.assistants)
    if name == "one-to-one":
        absent_a = absent("one_to_one", team.size)
    elif name == "pool":
        absent_a = absent("pool", pool_size)
    else:  # pool+k: the instance's pool followed by its extra assistants
        absent_a = np.concatenate([absent("pool", pool_size),
                                   absent("extra", team.size - pool_size)], axis=2)
    year = PolicyYear(
        policy=name, staff=team,
        delivered=np.zeros((runs, days, kids), dtype=np.int16),
        home=np.zeros((runs, days, kids), dtype=bool),
        red_minutes=np.zeros(runs), red_attended=np.zeros(runs), idle_minutes=np.zeros(runs),
        distinct=np.zeros((runs, kids), dtype=np.int16))
    # seen[c, r]: bit a says assistant a of a pool supported c in run r.
    seen = np.zeros((kids, runs), dtype=_bits_dtype(max(1, team.size)))
    weekday = np.arange(days) % len(week.days)
    started = time.perf_counter()
    for w in range(len(week.days)):
        dates = np.flatnonzero(weekday == w)
        if dates.size == 0:
            continue
        rows = runs * dates.size
        present_c = present[:, dates, :].reshape(rows, kids)
        present_a = ~absent_a[:, dates, :].reshape(rows, team.size)
        plans = _plan(name, week, team, w, present_a, present_c, params)
        _tally(week, team, w, plans, present_a, present_c, light[w], dates, year, seen,
               pooled=name != "one-to-one")
        if progress is not None:
            progress((w + 1) / len(week.days), f"{name}: {week.days[w]}")
    if name == "one-to-one":
        year.distinct = (year.delivered.sum(axis=1) > 0).astype(np.int16)
    else:
        year.distinct = np.bitwise_count(seen).T.astype(np.int16)
    year.seconds = time.perf_counter() - started
    return year


def _plan(name: str, week: Week, staff: Staff, w: int, present_a: np.ndarray,
          present_c: np.ndarray, params: Parameters) -> DayPlans:
    planner = one_to_one_days if name == "one-to-one" else pool_plans
    return planner(week, staff, w, present_a, present_c,
                   home_without_care=params.home_without_care)


MAX_POOL = 64  # assistants of a pool policy: one bit each in a 64-bit word


def _bits_dtype(people: int) -> type:
    return next(t for t in (np.uint8, np.uint16, np.uint32, np.uint64)
                if np.dtype(t).itemsize * 8 >= people)


def _bit_table(people: int) -> np.ndarray:
    """table[a + 1]: the bit of assistant a; table[0] (nobody): no bit."""
    dtype = _bits_dtype(max(people, 1))
    table = np.zeros(people + 1, dtype=dtype)
    table[1:] = np.left_shift(np.ones(people, dtype=dtype), np.arange(people, dtype=dtype))
    return table


def _bits_of(flags: np.ndarray, dtype: type) -> np.ndarray:
    """flags[a, n] (bool) as one word per row n."""
    out = np.zeros(flags.shape[1], dtype=dtype)
    for a in range(flags.shape[0]):
        out |= flags[a].astype(dtype) << dtype(a)
    return out


def _lowest(mask: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The `count` lowest set bits of each row's `mask` (assistants by index)."""
    taken = np.zeros_like(mask)
    mask, count = mask.copy(), count.copy()
    one = mask.dtype.type(1)
    while True:
        active = (count > 0) & (mask != 0)
        if not active.any():
            return taken
        low = np.where(active, mask & (~mask + one), 0).astype(mask.dtype)
        taken |= low
        mask ^= low
        count -= active


def _tally(week: Week, staff: Staff, w: int, plans: DayPlans, present_a: np.ndarray,
           present_c: np.ndarray, light: tuple[np.ndarray, np.ndarray], dates: np.ndarray,
           year: PolicyYear,
           seen: np.ndarray, *, pooled: bool) -> None:
    """Write one weekday's plans into the year: minutes delivered, who stayed home, the red
    minutes attended, idle minutes and who supported whom. Arrays are [.., row] here; a pool's
    assistants are bits of one word per row.

    The traffic light: an adult attends one red child at a time. A red child has an adult at
    hand if its own assistant of that slot is not already with another red child, or (pool
    policies) if an assistant of the pool is free at that moment: all its children green
    first, then one not deployed who has budget left. Every assistant with a yellow or red
    child, or attending one, is working; the rest of the paid day is idle."""
    rows, kids = present_c.shape
    runs = year.delivered.shape[0]
    ids = week.day_slots[w]
    minutes = week.minutes[ids]
    has = plans.assign != NOBODY
    delivered = np.zeros((kids, rows), dtype=np.int16)
    for j in range(len(ids)):
        delivered += has[j] * np.int16(minutes[j])
    year.delivered[:, dates, :] = delivered.T.reshape(runs, dates.size, kids)
    year.home[:, dates, :] = plans.home.T.reshape(runs, dates.size, kids)
    at_school = present_c.T & ~plans.home
    needy_light, red_light = light
    working = np.zeros(rows, dtype=np.int32)
    red_minutes = np.zeros(rows, dtype=np.int32)
    red_attended = np.zeros(rows, dtype=np.int32)
    paid = (present_a * staff.budget[w][None, :]).sum(axis=1)

    if not pooled:
        # One-to-one: each child's own assistant, with it whenever scheduled; nobody else.
        for j in range(len(ids)):
            m = np.int32(minutes[j])
            red = at_school & red_light[j]
            working += (has[j] & at_school & needy_light[j]).sum(axis=0) * m
            red_minutes += red.sum(axis=0) * m
            red_attended += (red & has[j]).sum(axis=0) * m
    else:
        people = staff.size
        table = _bit_table(people)
        dtype = table.dtype.type
        present = _bits_of(present_a.T, dtype)
        left = plans.left.copy()
        day_bits = np.zeros((kids, rows), dtype=dtype)
        zero = dtype(0)
        for j in range(len(ids)):
            m = int(minutes[j])
            bits = table[plans.assign[j].astype(np.int16) + 1]
            day_bits |= bits
            red = at_school & red_light[j]
            grouped = np.bitwise_or.reduce(bits, axis=0)
            busy = np.bitwise_or.reduce(np.where(at_school & needy_light[j], bits, zero), axis=0)
            own = np.bitwise_count(np.bitwise_or.reduce(np.where(red, bits, zero), axis=0))
            red_count = red.sum(axis=0)
            waiting = red_count - own
            ready = present & _bits_of(staff.available[ids[j]][:, None], dtype)[0] & ~busy
            # Assistants whose children are all green go first (no minutes of their own
            # budget), then free ones with budget left, lowest index first.
            green = _lowest(ready & grouped, waiting)
            waiting -= np.bitwise_count(green)
            free = _lowest(ready & ~grouped & _bits_of(left >= m, dtype), waiting)
            for a in np.flatnonzero(np.bitwise_or.reduce(free) >> np.arange(people, dtype=dtype)
                                    & 1):
                left[a] -= ((free >> dtype(a)) & 1).astype(np.int32) * m
            busy |= green | free
            working += np.bitwise_count(busy).astype(np.int32) * np.int32(m)
            red_minutes += red_count * np.int32(m)
            red_attended += (red_count - waiting + np.bitwise_count(free)) * np.int32(m)
        seen |= np.bitwise_or.reduce(day_bits.reshape(kids, runs, dates.size), axis=2)
    idle = np.maximum(paid - working, 0)
    year.red_minutes += red_minutes.reshape(runs, dates.size).sum(axis=1)
    year.red_attended += red_attended.reshape(runs, dates.size).sum(axis=1)
    year.idle_minutes += idle.reshape(runs, dates.size).sum(axis=1)
