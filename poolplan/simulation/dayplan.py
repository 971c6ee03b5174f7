"""Day plans for many simulated days at once.

`pool_days` is the fast heuristic of the pool policy: every morning the pool plans the day
for the assistants and children present, within each assistant's day budget (the day's share
of the contract) and for each child's day share of its approval. It works on N days at once
(one row per simulated day, the same weekday), so each step below is one array operation over
all rows instead of a Python loop. Its plans obey the planner's hard rules on the day's
instance (`model.day_instance`; tested with the checker), and `distance.py` measures how far
it stays behind the exact planner.

The passes, in the order of the planner's objective:

1. own-adult needs (need 2), slot by slot, children with the fewest qualified assistants
   first; the assistant who had the child in the slot before, then its primary person, then
   the least flexible one. A child whose own-adult need cannot be covered stays home
   (`home_without_care`), and its other rows are given back.
2. open approvals, slot by slot: first the children who cannot wait (the rest of the day's
   need would no longer reach their owed minutes) or who can share an adult with a child at
   the same place, then the others. A child joins a group at its location if rules 4 and 5
   allow (free: rule 6 counts the slot once); otherwise it opens a group with a free
   assistant who has the budget left, preferring the one fewest waiting children need.
   Children whose share is met join existing groups only.
3. shared need beyond the approvals with what budget is left.

`one_to_one_days` is the one-to-one policy: each child's own assistant, on its schedule, and
nobody else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poolplan.simulation.model import Staff, Week

NOBODY = -1
# Candidates are chosen by the largest integer key = score * PAD + (PAD - 1 - assistant): one
# `max` over the assistant axis, ties to the lowest index. Scores are kept below 2**24.
_NONE = np.int32(-(2**30))
# Budget minutes enter scores capped at this (a tie-break, like "most minutes left").
_LEFT_CAP = 1023


@dataclass
class DayPlans:
    """Plans of N days of one weekday, rows last so that each row's figures are contiguous:
    assign[j, c, n]: the assistant supporting child c in the j-th slot of the day (NOBODY if
    none); home[c, n]: the child stays home; left[a, n]: budget minutes left."""

    assign: np.ndarray
    home: np.ndarray
    left: np.ndarray

    def take(self, rows: np.ndarray) -> DayPlans:
        """The plans of the given rows (used to expand plans made once per distinct day)."""
        return DayPlans(self.assign[:, :, rows], self.home[:, rows], self.left[:, rows])


class _Chooser:
    """Picks, for each row, the best candidate assistant by an integer score."""

    def __init__(self, people: int):
        self.pad = 1 << max(1, (people - 1).bit_length())
        self.tie = (self.pad - 1 - np.arange(people, dtype=np.int32))[:, None]

    def pick(self, mask: np.ndarray, candidates: np.ndarray, score: np.ndarray | int
             ) -> tuple[np.ndarray, np.ndarray]:
        """(rows of `mask` that have a candidate, the chosen assistant of each)."""
        key = np.where(candidates, np.asarray(score, dtype=np.int32) * self.pad + self.tie,
                       _NONE).max(axis=0)
        rows = np.flatnonzero(mask & (key > _NONE))
        return rows, self.pad - 1 - key[rows] % self.pad


def pool_days(week: Week, staff: Staff, w: int, present_a: np.ndarray, present_c: np.ndarray,
              *, home_without_care: bool = True) -> DayPlans:
    """Plan N days (the w-th day of the week); present_a[n, a] and present_c[n, c] say who is
    there on day n."""
    n, a_count, c_count = present_a.shape[0], staff.size, len(week.children)
    ids = week.day_slots[w]
    slots = len(ids)
    assign = np.full((slots, c_count, n), NOBODY, dtype=np.int8)
    home = np.zeros((c_count, n), dtype=bool)
    there_c = np.ascontiguousarray(present_c.T)
    if a_count == 0:
        if home_without_care:
            home |= there_c & week.own_adult_days[w][:, None]
        return DayPlans(assign, home, np.zeros((0, n), dtype=np.int32))

    there_a = np.ascontiguousarray(present_a.T)
    eligible = staff.eligible
    people = np.arange(a_count)[:, None]
    chooser = _Chooser(a_count)
    # Fewer children one may support = less flexible = used first (the others stay free).
    rigidity = (eligible.shape[0] - eligible.sum(axis=0)).astype(np.int32)[:, None]
    left = np.where(there_a, staff.budget[w][:, None], 0).astype(np.int32)
    owed = np.where(there_c, week.owed[w][:, None], 0.0).astype(np.float32)
    known = np.zeros((c_count, a_count, n), dtype=bool)
    prev = np.full((c_count, n), NOBODY, dtype=np.int8)
    # Per slot: who is busy, and the open groups' size, capacity and location.
    busy = [np.zeros((a_count, n), dtype=bool) for _ in range(slots)]
    size = [np.zeros((a_count, n), dtype=np.int8) for _ in range(slots)]
    capacity = [np.zeros((a_count, n), dtype=np.int8) for _ in range(slots)]
    place = [np.full((a_count, n), -1, dtype=np.int16) for _ in range(slots)]
    works = [staff.available[s][:, None] & there_a for s in ids]
    minutes = week.minutes[ids]
    need = week.need[ids]

    def allowed(c: int, j: int) -> np.ndarray:
        """Who may take c in slot j: present, available, qualified, and within the child's
        limit of distinct people (rule 7, per day)."""
        ok = works[j] & eligible[c][:, None]
        limit = week.limit[c]
        if limit < a_count:
            seen = known[c]
            ok &= seen | (seen.sum(axis=0) < limit)
        return ok

    def continuity(c: int) -> np.ndarray:
        return 4 * (prev[c] == people) + 2 * (people == staff.primary[c])

    def left_score() -> np.ndarray:
        return np.minimum(left, _LEFT_CAP)

    def put(rows: np.ndarray, who: np.ndarray, j: int, c: int, *, opens: bool,
            own: bool = False) -> None:
        m = int(minutes[j])
        assign[j, c, rows] = who
        known[c, who, rows] = True
        prev[c, rows] = who
        owed[c, rows] -= m
        if opens:
            busy[j][who, rows] = True
            left[who, rows] -= m
            if not own:
                size[j][who, rows] = 1
                capacity[j][who, rows] = week.ratio[c]
                place[j][who, rows] = week.location[ids[j], c]
        else:
            size[j][who, rows] += 1
            capacity[j][who, rows] = np.minimum(capacity[j][who, rows], week.ratio[c])

    def join(mask: np.ndarray, j: int, c: int, ok: np.ndarray) -> np.ndarray:
        """Put rows of `mask` into an open group at c's location where rules 4 and 5 allow
        (the one c had before if it can); returns the rows still without a place."""
        here = ok & (size[j] > 0) & (place[j] == week.location[ids[j], c])
        here &= (size[j] < capacity[j]) & (size[j] < week.ratio[c])
        rows, who = chooser.pick(mask, here, prev[c] == people)
        if rows.size:
            put(rows, who, j, c, opens=False)
            mask = mask.copy()
            mask[rows] = False
        return mask

    def open_group(mask: np.ndarray, j: int, c: int, ok: np.ndarray, score: np.ndarray, *,
                   own: bool = False) -> np.ndarray:
        free = ok & ~busy[j] & (left >= minutes[j])
        rows, who = chooser.pick(mask, free, score)
        if rows.size:
            put(rows, who, j, c, opens=True, own=own)
            mask = mask.copy()
            mask[rows] = False
        return mask

    by_options = np.argsort(eligible.sum(axis=1), kind="stable")

    # 1. Own-adult needs.
    for j in range(slots):
        for c in by_options[need[j, by_options] == 2]:
            mask = there_c[c] & ~home[c]
            if not mask.any():
                continue
            score = (continuity(c) * 128 + np.minimum(rigidity, 127)) * 1024 + left_score()
            missed = open_group(mask, j, c, allowed(c, j), score, own=True)
            if home_without_care:
                home[c] |= missed
    if home.any():
        for j in range(slots):
            cs, rows = np.nonzero(home & (assign[j] != NOBODY))
            who = assign[j, cs, rows]
            left[who, rows] += minutes[j]
            busy[j][who, rows] = False
            assign[j, cs, rows] = NOBODY
        known[:, :, :] &= ~home[:, None, :]
        prev[home] = NOBODY

    # 2. Open approvals. `future[j, c]`: shared-need minutes from slot j to the day's end.
    active = there_c & ~home
    shared = need == 1
    future = np.cumsum((shared * minutes[:, None])[::-1], axis=0)[::-1]
    for j in range(slots):
        kids = _slot_order(week, ids[j], np.flatnonzero(shared[j]), eligible)
        if kids.size == 0:
            continue
        m = int(minutes[j])
        waiting = active[kids] & (owed[kids] > 0)
        demand = eligible[kids].T.astype(np.float32) @ waiting.astype(np.float32)
        demand = np.rint(demand).astype(np.int32)
        places = week.location[ids[j], kids]
        same = (places[:, None] == places[None, :]).astype(np.float32)
        can_share = (same @ waiting.astype(np.float32) >= 2) & (week.ratio[kids] >= 2)[:, None]
        urgent = owed[kids] > (future[j, kids] - m)[:, None]
        both = waiting & urgent & can_share
        either = waiting & (urgent | can_share) & ~both
        for batch in (both, either, waiting & ~(both | either)):
            for i, c in enumerate(kids):
                mask = batch[i]
                if not mask.any():
                    continue
                demand -= mask[None, :] & eligible[c][:, None]
                ok = allowed(c, j)
                mask = join(mask, j, c, ok)
                if mask.any():
                    # The assistant fewest waiting children need, then continuity, then
                    # the one with the most minutes left.
                    score = ((len(kids) - demand) * 8 + continuity(c)) * 1024 + left_score()
                    open_group(mask, j, c, ok, score)
        for c in kids:
            mask = active[c] & (assign[j, c] == NOBODY)
            if mask.any():
                join(mask, j, c, allowed(c, j))

    # 3. Shared need beyond the approvals, with the budget left.
    for j in range(slots):
        for c in _slot_order(week, ids[j], np.flatnonzero(shared[j]), eligible):
            mask = active[c] & (assign[j, c] == NOBODY)
            if not mask.any():
                continue
            ok = allowed(c, j)
            mask = join(mask, j, c, ok)
            if mask.any():
                open_group(mask, j, c, ok, continuity(c) * 1024 + left_score())
    return DayPlans(assign, home, left)


def _slot_order(week: Week, s: int, kids: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Children of one slot in the order they are placed: places where many are first (so
    groups form), then children with fewer qualified assistants, larger ratios first."""
    if kids.size == 0:
        return kids
    places = week.location[s, kids]
    crowd = (places[:, None] == places[None, :]).sum(axis=1)
    keys = (week.ratio[kids] * -1, eligible[kids].sum(axis=1), places, -crowd)
    return kids[np.lexsort(keys)]


def one_to_one_days(week: Week, staff: Staff, w: int, present_a: np.ndarray,
                    present_c: np.ndarray, *, home_without_care: bool = True) -> DayPlans:
    """Each child with its own assistant on that assistant's schedule; no cover."""
    n, c_count = present_c.shape
    ids = week.day_slots[w]
    own = np.full(c_count, NOBODY, dtype=np.int64)
    for a, c in enumerate(staff.fixed_to):
        own[c] = a
    has_own = own != NOBODY
    there_c = present_c.T
    own_present = np.zeros((c_count, n), dtype=bool)
    own_present[has_own] = present_a.T[own[has_own]]
    home = np.zeros((c_count, n), dtype=bool)
    if home_without_care:
        home = there_c & ~own_present & week.own_adult_days[w][:, None]
    with_own = there_c & own_present & ~home
    scheduled = np.zeros((len(ids), c_count), dtype=bool)
    scheduled[:, has_own] = staff.available[ids][:, own[has_own]]
    assign = np.where(scheduled[:, :, None] & with_own[None, :, :],
                      own.astype(np.int8)[None, :, None], np.int8(NOBODY)).astype(np.int8)
    left = np.where(present_a.T, staff.budget[w][:, None], 0).astype(np.int32)
    used = (scheduled * week.minutes[ids][:, None]).sum(axis=0)
    left[own[has_own]] -= np.where(with_own[has_own], used[has_own][:, None], 0).astype(np.int32)
    return DayPlans(assign, home, left)


def fill_in(week: Week, staff: Staff, w: int, plans: DayPlans, present_c: np.ndarray
            ) -> DayPlans:
    """Absent children leave the plans made as if all came (`plans`, one row per day). An
    assistant whose group empties is free in that slot (its minutes are planned anyway) and
    takes a present child still short of its day share, then any present child with shared
    need there; children at that point have no group, so rules 4 and 5 hold, and the child's
    limit of distinct people (rule 7) is kept."""
    there_c = np.ascontiguousarray(present_c.T)
    assign = np.where(there_c[None, :, :], plans.assign, np.int8(NOBODY))
    home = plans.home & there_c
    if staff.size == 0 or there_c.all():
        return DayPlans(assign, home, plans.left)
    ids = week.day_slots[w]
    minutes = week.minutes[ids]
    people = staff.size
    chooser = _Chooser(people)
    there = there_c & ~home
    short = week.owed[w][:, None] * there
    for j in range(len(ids)):
        short -= (assign[j] != NOBODY) * minutes[j]
    shared = week.need[ids] == 1
    limited = [c for c in range(len(week.children)) if week.limit[c] < people]
    seen = {c: (assign[:, c, None, :] == np.arange(people)[None, :, None]).any(axis=0)
            for c in limited}
    for j in range(len(ids)):
        # Only days on which someone's group emptied in this slot can change.
        emptied = (plans.assign[j] != NOBODY) & ~there_c
        rows = np.flatnonzero(emptied.any(axis=0))
        if rows.size == 0:
            continue
        column = np.arange(rows.size)
        now = assign[j][:, rows]
        freed = _grouped(plans.assign[j][:, rows], people, column) & ~_grouped(now, people, column)
        here = there[:, rows]
        owes = short[:, rows]
        m = int(minutes[j])
        kids = _slot_order(week, ids[j], np.flatnonzero(shared[j]), staff.eligible)
        for wants_minutes in (True, False):
            for c in kids:
                mask = here[c] & (now[c] == NOBODY)
                if wants_minutes:
                    mask &= owes[c] > 0
                if not mask.any():
                    continue
                ok = freed & staff.eligible[c][:, None]
                if c in seen:
                    known = seen[c][:, rows]
                    ok &= known | (known.sum(axis=0) < week.limit[c])
                found, who = chooser.pick(mask, ok, 0)
                now[c, found] = who
                freed[who, found] = False
                owes[c, found] -= m
                if c in seen:
                    seen[c][who, rows[found]] = True
        assign[j][:, rows] = now
        short[:, rows] = owes
    return DayPlans(assign, home, plans.left)


def _grouped(slot_assign: np.ndarray, people: int, column: np.ndarray) -> np.ndarray:
    """grouped[a, n]: assistant a supports someone in this slot (slot_assign[c, n])."""
    has = slot_assign != NOBODY
    cells = slot_assign.astype(np.int32) * np.int32(column.size) + column.astype(np.int32)
    out = np.zeros(people * column.size, dtype=bool)
    out[cells[has]] = True
    return out.reshape(people, column.size)


def pool_plans(week: Week, staff: Staff, w: int, present_a: np.ndarray,
               present_c: np.ndarray, *, home_without_care: bool = True) -> DayPlans:
    """The pool policy's plans of N days. A plan depends only on who is present, and the same
    pattern recurs on many simulated days, so each distinct day is planned once: each pattern
    of absent assistants by `pool_days` as if every child came, then `fill_in` for the
    children absent. (Planning every pattern of absent children in `pool_days` as well was
    measured ten times slower at 1,000 runs for little gain: docs/simulation.md.)"""
    day, same_day = distinct_rows(np.concatenate([present_a, present_c], axis=1))
    present_a, present_c = present_a[day], present_c[day]
    team, same_team = distinct_rows(present_a)
    everyone = np.ones((team.size, len(week.children)), dtype=bool)
    plans = pool_days(week, staff, w, present_a[team], everyone,
                      home_without_care=home_without_care).take(same_team)
    return fill_in(week, staff, w, plans, present_c).take(same_day)


def distinct_rows(bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index of one row per distinct row, for each row the index of its distinct row)."""
    packed = np.packbits(bits, axis=1)
    if packed.shape[1] <= 8:
        key = np.zeros(packed.shape[0], dtype=np.uint64)
        for k in range(packed.shape[1]):
            key = (key << np.uint64(8)) | packed[:, k].astype(np.uint64)
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    else:
        _, first, inverse = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)
