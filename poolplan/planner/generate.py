"""Realistic random instances for tests and benchmarks.

A school week of five days with six lessons and two breaks a day; classes with their own
rooms and occasional gym and lab lessons; breaks on the yard. Children belong to classes and
get need profiles (how often they need support, when they need an adult of their own), skill
requirements, ratios, approvals (some pools run on a school budget without approvals),
primary and sometimes fixed persons. Assistants have one or two skills and full- or part-time
contracts; part-timers are away one afternoon set or one day. All randomness comes from one
`random.Random(seed)`, so a seed names an instance.
"""

from __future__ import annotations

import random

from poolplan.planner.domain import Assistant, Child, Instance, Slot

DAYS = ("mon", "tue", "wed", "thu", "fri")
# (suffix, start, end, kind): the day of the shared examples.
DAY_SHAPE = (
    ("1", "08:00", "08:45", "lesson"),
    ("2", "08:50", "09:35", "lesson"),
    ("b1", "09:35", "09:55", "break"),
    ("3", "09:55", "10:40", "lesson"),
    ("4", "10:45", "11:30", "lesson"),
    ("b2", "11:30", "11:50", "break"),
    ("5", "11:50", "12:35", "lesson"),
    ("6", "12:40", "13:25", "lesson"),
)
SKILLS = ("nursing", "behaviour", "learning", "nonverbal", "motor")
# Chance that a child requires each skill of its supporter.
SKILL_ODDS = {
    "nursing": 0.12,
    "behaviour": 0.18,
    "learning": 0.08,
    "nonverbal": 0.08,
    "motor": 0.05,
}


def _minutes(start: str, end: str) -> int:
    (h1, m1), (h2, m2) = (map(int, start.split(":")), map(int, end.split(":")))
    return (h2 * 60 + m2) - (h1 * 60 + m1)


def week_slots() -> list[Slot]:
    return [
        Slot(f"{day}-{suffix}", day, start, end, kind, _minutes(start, end))
        for day in DAYS
        for suffix, start, end, kind in DAY_SHAPE
    ]


def _timetables(rng: random.Random, slots: list[Slot], classes: int) -> list[dict[str, str]]:
    """Per class: slot -> location. One gym and two labs are shared by all classes."""
    rooms = [f"R{5 + i // 2}{'ab'[i % 2]}" for i in range(classes)]
    tables: list[dict[str, str]] = [{} for _ in range(classes)]
    for slot in slots:
        taken: set[str] = set()
        for k in range(classes):
            if slot.kind == "break":
                place = "yard"
            else:
                place = rooms[k]
                roll = rng.random()
                if roll < 0.10 and "gym" not in taken:
                    place = "gym"
                elif roll < 0.18:
                    free = [lab for lab in ("lab1", "lab2") if lab not in taken]
                    place = free[0] if free else rooms[k]
                taken.add(place)
            tables[k][slot.id] = place
    return tables


def _assistants(rng: random.Random, slots: list[Slot], count: int) -> list[Assistant]:
    out = []
    for i in range(count):
        skills = set(rng.sample(SKILLS, rng.choice((1, 1, 2))))
        part_time = rng.random() < 0.4
        max_minutes = rng.choice((900, 1050, 1200)) if part_time else rng.choice((1350, 1500))
        unavailable: set[str] = set()
        if part_time:
            if rng.random() < 0.5:
                day = rng.choice(DAYS)
                unavailable = {s.id for s in slots if s.day == day}
            else:
                days = rng.sample(DAYS, 2)
                unavailable = {
                    s.id for s in slots if s.day in days and s.id.split("-")[1] in ("5", "6", "b2")
                }
        out.append(Assistant(f"a{i + 1}", frozenset(skills), max_minutes, frozenset(unavailable)))
    return out


def generate_instance(
    *,
    children: int,
    assistants: int,
    classes: int,
    seed: int,
    absent: dict[str, list[str]] | None = None,
    name: str | None = None,
) -> Instance:
    """A random but realistic school week.

    Args:
        children, assistants, classes: sizes (classes >= 1).
        seed: the instance's seed; equal arguments give equal instances.
        absent: assistant id -> days it is absent (e.g. {"a3": ["tue", "wed"]}).
        name: instance name (default describes the sizes and seed).
    Returns:
        A valid Instance.
    """
    rng = random.Random(seed)
    slots = week_slots()
    tables = _timetables(rng, slots, max(1, classes))
    staff = _assistants(rng, slots, assistants)
    kids = []
    for i in range(children):
        table = tables[i % len(tables)]
        required = {s for s, p in SKILL_ODDS.items() if rng.random() < p}
        if len(required) > 2:
            required = set(sorted(required)[:2])
        if staff and not any(required <= a.skills for a in staff):
            # Someone in the pool is trained for what a child needs; that is how pools are staffed.
            k = rng.randrange(len(staff))
            a = staff[k]
            staff[k] = Assistant(a.id, a.skills | required, a.max_minutes, a.unavailable)
        intensity = rng.uniform(0.45, 0.95)
        own_adult = rng.choice((0.0, 0.05, 0.1, 0.2, 0.3))
        absent_day = rng.choice(DAYS) if rng.random() < 0.1 else None
        needs, location = {}, {}
        for slot in slots:
            if slot.day == absent_day:
                continue
            place = table[slot.id]
            p = 0.6 if slot.kind == "break" else intensity
            if rng.random() >= p:
                continue
            # Gym, lab and the yard are where intensive phases happen most.
            p2 = own_adult * (2 if place in ("gym", "lab1", "lab2", "yard") else 1)
            needs[slot.id] = 2 if rng.random() < p2 else 1
            location[slot.id] = place
        need_minutes = sum(s.minutes for s in slots if s.id in needs)
        approved = (
            0 if rng.random() < 0.1 else int(need_minutes * rng.uniform(0.55, 0.95)) // 15 * 15
        )
        qualified = [a.id for a in staff if required <= a.skills]
        primary = rng.choice(qualified) if qualified and rng.random() < 0.9 else None
        fixed: tuple[str, ...] = ()
        if primary and len(qualified) >= 2 and rng.random() < 0.08:
            fixed = tuple(
                sorted(
                    {primary, rng.choice([q for q in qualified if q != primary])},
                    key=lambda x: int(x[1:]),
                )
            )
        max_assistants = rng.choice((2, 3)) if rng.random() < 0.2 else None
        kids.append(
            Child(
                id=f"c{i + 1}",
                approved_minutes=approved,
                max_ratio=rng.choice((1, 2, 2, 3)),
                skills=frozenset(required),
                primary=primary,
                fixed=fixed,
                max_assistants=max_assistants,
                needs=needs,
                location=location,
            )
        )
    for aid, days in (absent or {}).items():
        for k, a in enumerate(staff):
            if a.id == aid:
                staff[k] = Assistant(
                    a.id,
                    a.skills,
                    a.max_minutes,
                    a.unavailable | {s.id for s in slots if s.day in days},
                )
    return Instance(
        name=name
        or f"Generated school ({children} children, {assistants} assistants, "
        f"{classes} classes, seed {seed})",
        slots=tuple(slots),
        assistants=tuple(staff),
        children=tuple(kids),
    )
