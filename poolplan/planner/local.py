"""Local search on level 2: small moves that give short children more of their entitlement.

The plans the LP rounding, RINS and the day LNS return on the district's schools were often
a few 5-minute steps above the optimum with improving moves that need no solver at all: an
assistant supporting a child with no entitlement alone while the only assistant qualified
for a short child is that one, or a short child that could join a group already at its
location (docs/planner.md, round 8). The moves, for a child short of its approved minutes
in a slot where it has a need and no support:

- join: it joins a group already there (same location, ratio, skills, rule 7);
- new: a qualified assistant free in that slot with contract room supports it;
- replace: an assistant there drops (part of) its group for it, if the children dropped
  lose fewer entitlement minutes than it gains;
- hand over: a qualified assistant free in the slot but at its contract limit hands one of
  its other groups to an assistant free there with room, or drops it at a smaller loss.

No move uncovers an own-adult need (level 1) or a pinned assignment, and every move keeps
the hard rules; the result still goes through the checker before it is used.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable

from ortools.sat.python import cp_model

from poolplan.planner.domain import NEED_OWN, Assignment, Child, Instance
from poolplan.planner.model import feasible_groups


class _State:
    """A plan held for cheap changes: rows by (slot, assistant) and the counts the rules use."""

    def __init__(self, instance: Instance, plan: Iterable[Assignment]):
        self.inst = instance
        self.rows: dict[tuple[str, str], list[str]] = {}
        self.where: dict[tuple[str, str], str] = {}  # (slot, child) -> assistant
        self.used: Counter[str] = Counter()
        self.credited: Counter[str] = Counter()
        self.pairs: dict[str, Counter[str]] = defaultdict(Counter)
        self.by_slot: dict[str, set[str]] = defaultdict(set)  # slot -> assistants busy
        self.pinned = {(t.slot, t.assistant, t.child) for t in instance.pinned}
        for row in plan:
            self.rows[(row.slot, row.assistant)] = []
            self.used[row.assistant] += instance.minutes(row.slot)
            self.by_slot[row.slot].add(row.assistant)
            for c in row.children:
                self._add(row.slot, row.assistant, c)

    def plan(self) -> list[Assignment]:
        order = self.inst.slot_order, self.inst.assistant_order, self.inst.child_order
        return [
            Assignment(s, a, tuple(sorted(children, key=order[2].__getitem__)))
            for (s, a), children in sorted(
                self.rows.items(), key=lambda kv: (order[0][kv[0][0]], order[1][kv[0][1]])
            )
        ]

    def short(self, child: Child) -> int:
        return max(0, child.approved_minutes - self.credited[child.id])

    def loss(self, cid: str, minutes: int) -> int:
        """Entitlement minutes child `cid` loses if `minutes` of its support go."""
        child = self.inst.child_by_id[cid]
        return max(0, child.approved_minutes - self.credited[cid] + minutes) - self.short(child)

    def _add(self, slot: str, assistant: str, cid: str) -> None:
        self.rows[(slot, assistant)].append(cid)
        self.where[(slot, cid)] = assistant
        self.credited[cid] += self.inst.minutes(slot)
        self.pairs[cid][assistant] += 1

    def add(self, slot: str, assistant: str, cid: str) -> None:
        if (slot, assistant) not in self.rows:
            self.rows[(slot, assistant)] = []
            self.used[assistant] += self.inst.minutes(slot)
            self.by_slot[slot].add(assistant)
        self._add(slot, assistant, cid)

    def remove(self, slot: str, assistant: str, cid: str) -> None:
        self.rows[(slot, assistant)].remove(cid)
        del self.where[(slot, cid)]
        self.credited[cid] -= self.inst.minutes(slot)
        self.pairs[cid][assistant] -= 1
        if not self.pairs[cid][assistant]:
            del self.pairs[cid][assistant]
        if not self.rows[(slot, assistant)]:
            del self.rows[(slot, assistant)]
            self.used[assistant] -= self.inst.minutes(slot)
            self.by_slot[slot].discard(assistant)

    def may_take(self, slot: str, assistant: str, child: Child, group: list[str]) -> bool:
        """Rules 1-5 and 7 for `child` joining `group` of `assistant` in `slot`."""
        a = self.inst.assistant_by_id[assistant]
        if not a.is_available(slot) or not child.may_be_supported_by(a):
            return False
        known = self.pairs[child.id]
        if child.max_assistants is not None and assistant not in known:
            if len(known) >= child.max_assistants:
                return False
        if not group:
            return True
        members = [self.inst.child_by_id[c] for c in group]
        if child.needs[slot] == NEED_OWN or any(m.needs[slot] == NEED_OWN for m in members):
            return False
        if any(m.location[slot] != child.location[slot] for m in members):
            return False
        return len(group) + 1 <= min(child.max_ratio, *(m.max_ratio for m in members))

    def removable(self, slot: str, assistant: str, cid: str) -> bool:
        """A child may leave a row unless that uncovers an own-adult need or a pinned row."""
        if (slot, assistant, cid) in self.pinned:
            return False
        return self.inst.child_by_id[cid].needs[slot] != NEED_OWN


def improve_shortfall(
    instance: Instance, plan: list[Assignment], seconds: float = 1.0, slots: bool = True
) -> list[Assignment]:
    """The plan after improving moves on level 2 until none is left (or time is up).

    With `slots`, then each slot in which a short child has a need and no support is planned
    again as a whole, the rest of the week fixed (`_replan_slot`), and the moves repeated.
    """
    state = _State(instance, plan)
    deadline = time.monotonic() + seconds
    tried: set[tuple[str, tuple[int, ...]]] = set()
    while time.monotonic() < deadline:
        _moves(state, deadline)
        if not slots:
            break
        changed = False
        for slot in _short_slots(state):
            # A slot is planned again only when the entitlements around it changed.
            key = (slot, tuple(state.short(c) for c in instance.children))
            if key in tried or time.monotonic() >= deadline:
                continue
            tried.add(key)
            changed |= _replan_slot(state, slot)
        if not changed:
            break
    return state.plan()


def _moves(state: _State, deadline: float) -> None:
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for child in state.inst.children:
            if not state.short(child):
                continue
            for slot in child.needs:
                if (slot, child.id) in state.where:
                    continue
                if _try_slot(state, child, slot):
                    improved = True
                if not state.short(child):
                    break


def _short_slots(state: _State) -> list[str]:
    """Slots in which some short child has a need and no support, in slot order."""
    found = {
        slot
        for child in state.inst.children
        if state.short(child)
        for slot in child.needs
        if (slot, child.id) not in state.where
    }
    return sorted(found, key=state.inst.slot_order.__getitem__)


# Weights of the slot model: an own-adult need (level 1) outweighs any entitlement minutes,
# a minute of entitlement outweighs keeping the slot's rows as they were (1 per row). Needs
# without entitlement gain are not rewarded: covering them would spend contract minutes
# that another slot may need for level 2 (level 4 comes later).
_OWN, _MINUTE = 10**6, 100


def _replan_slot(state: _State, slot: str) -> bool:
    """Plan one slot again, best for level 1 then level 2, the rest of the week fixed;
    True if level 2 improved (else the slot is left as it was)."""
    inst = state.inst
    minutes = inst.minutes(slot)
    if any(t.slot == slot for t in inst.pinned):
        return False
    current = {a: list(g) for (s, a), g in state.rows.items() if s == slot}
    before = sum(state.short(c) for c in inst.children)
    for a, group in current.items():
        for c in group:
            state.remove(slot, a, c)
    children = {c.id: c for c in inst.children if slot in c.needs}
    # What covering each child in this slot is worth, with the other slots fixed.
    value = {
        cid: _OWN
        if c.needs[slot] == NEED_OWN
        else _MINUTE * (state.short(c) - max(0, state.short(c) - minutes))
        for cid, c in children.items()
    }
    model = cp_model.CpModel()
    chosen: list[tuple[cp_model.IntVar, str, tuple[str, ...]]] = []
    for group in feasible_groups(inst, slot):
        members = [children[c] for c in group]
        # A group worth nothing here matters only as a row kept as it was.
        worthless = not any(value[c] for c in group)
        for a in inst.assistants:
            if worthless and set(current.get(a.id, ())) != set(group):
                continue
            if a.max_minutes - state.used[a.id] < minutes:
                continue
            if not all(state.may_take(slot, a.id, m, []) for m in members):
                continue
            chosen.append((model.new_bool_var(""), a.id, group))
    by_assistant: dict[str, list] = defaultdict(list)
    by_child: dict[str, list] = defaultdict(list)
    for var, a, group in chosen:
        by_assistant[a].append(var)
        for c in group:
            by_child[c].append(var)
    for vars_ in (*by_assistant.values(), *by_child.values()):
        model.add_at_most_one(vars_)
    model.maximize(
        sum(
            var * (sum(value[c] for c in group) + (set(current.get(a, ())) == set(group)))
            for var, a, group in chosen
        )
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 0.2
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        rows = [(a, group) for var, a, group in chosen if solver.value(var)]
        for a, group in rows:
            for c in group:
                state.add(slot, a, c)
        own_before = sum(children[c].needs[slot] == NEED_OWN for g in current.values() for c in g)
        own_after = sum(children[c].needs[slot] == NEED_OWN for _, g in rows for c in g)
        after = sum(state.short(c) for c in inst.children)
        if own_after >= own_before and after < before:
            return True
        for a, group in rows:
            for c in group:
                state.remove(slot, a, c)
    for a, group in current.items():
        for c in group:
            state.add(slot, a, c)
    return False


def _try_slot(state: _State, child: Child, slot: str) -> bool:
    inst = state.inst
    minutes = inst.minutes(slot)
    gain = min(minutes, state.short(child))
    busy = state.by_slot[slot]
    # join a group already there: no one loses anything
    for assistant in sorted(busy, key=inst.assistant_order.__getitem__):
        if state.may_take(slot, assistant, child, state.rows[(slot, assistant)]):
            state.add(slot, assistant, child.id)
            return True
    free = [a for a in inst.assistants if a.id not in busy]
    # a free assistant with contract room
    for a in free:
        if a.max_minutes - state.used[a.id] >= minutes and state.may_take(slot, a.id, child, []):
            state.add(slot, a.id, child.id)
            return True
    # replace: an assistant there drops the members that cannot stay with the child
    best = None
    for assistant in sorted(busy, key=inst.assistant_order.__getitem__):
        group = list(state.rows[(slot, assistant)])
        if not state.may_take(slot, assistant, child, []):
            continue
        drop = _to_drop(state, slot, assistant, child, group)
        if drop is None:
            continue
        loss = sum(state.loss(c, minutes) for c in drop)
        if loss < gain and (best is None or loss < best[0]):
            best = (loss, assistant, drop)
    if best is not None:
        _, assistant, drop = best
        for c in drop:
            state.remove(slot, assistant, c)
        state.add(slot, assistant, child.id)
        return True
    # hand over: a qualified free assistant at its contract limit gives up another group
    for a in free:
        if not state.may_take(slot, a.id, child, []):
            continue
        if _make_room(state, a.id, minutes - (a.max_minutes - state.used[a.id]), gain, slot):
            state.add(slot, a.id, child.id)
            return True
    return False


def _to_drop(
    state: _State, slot: str, assistant: str, child: Child, group: list[str]
) -> list[str] | None:
    """The fewest members of `group` to drop so that `child` may join (cheapest first)."""
    ranked = sorted(group, key=lambda c: state.loss(c, state.inst.minutes(slot)))
    for k in range(len(group) + 1):
        keep = [c for c in group if c not in ranked[:k]]
        if state.may_take(slot, assistant, child, keep):
            drop = ranked[:k]
            if all(state.removable(slot, assistant, c) for c in drop):
                return drop
            return None
    return None


def _make_room(state: _State, assistant: str, needed: int, gain: int, not_slot: str) -> bool:
    """Free at least `needed` contract minutes of `assistant` at a loss below `gain`:
    one of its groups goes to a free assistant with room (no loss), or is dropped."""
    inst = state.inst
    best = None
    for (slot, a), group in list(state.rows.items()):
        if a != assistant or slot == not_slot or inst.minutes(slot) < needed:
            continue
        if not all(state.removable(slot, a, c) for c in group):
            continue
        members = [inst.child_by_id[c] for c in group]
        for other in inst.assistants:
            if other.id in state.by_slot[slot] or other.id == assistant:
                continue
            if other.max_minutes - state.used[other.id] < inst.minutes(slot):
                continue
            if _may_take_all(state, slot, other.id, members, assistant):
                for c in list(group):
                    state.remove(slot, a, c)
                    state.add(slot, other.id, c)
                return True
        loss = sum(state.loss(c, inst.minutes(slot)) for c in group)
        if loss < gain and (best is None or loss < best[0]):
            best = (loss, slot, list(group))
    if best is None:
        return False
    _, slot, group = best
    for c in group:
        state.remove(slot, assistant, c)
    return True


def _may_take_all(
    state: _State, slot: str, assistant: str, members: list[Child], leaving: str
) -> bool:
    """Rules 1, 3 and 7 for `assistant` taking over a whole group from `leaving`."""
    a = state.inst.assistant_by_id[assistant]
    if not a.is_available(slot):
        return False
    for m in members:
        if not m.may_be_supported_by(a):
            return False
        known = state.pairs[m.id]
        if m.max_assistants is not None and assistant not in known:
            # The leaving assistant still counts unless this was its only row with the child.
            count = len(known) - (1 if known.get(leaving) == 1 else 0)
            if count >= m.max_assistants:
                return False
    return True
