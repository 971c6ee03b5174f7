"""The greedy baseline: how a careful coordinator fills the board by hand.

Slot by slot, children who need an adult of their own first, then those furthest from their
approved minutes. Each child gets, in this order of preference: the assistant it had in the
previous plan, its primary person, an assistant already supporting a compatible group at the
same location, an assistant it already knows, then any qualified free assistant. Every step
keeps all hard rules, so the result is always a valid plan when the pinned assignments are.
It also serves as the warm start of the CP-SAT solve.
"""

from __future__ import annotations

from collections import defaultdict

from poolplan.planner.domain import NEED_OWN, Assignment, Instance


def greedy_plan(instance: Instance) -> list[Assignment]:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    used: dict[str, int] = defaultdict(int)
    known: dict[str, set[str]] = defaultdict(set)
    credited: dict[str, int] = defaultdict(int)
    supported: set[tuple[str, str]] = set()
    previous = {(t.slot, t.child): t.assistant for t in instance.previous}

    def place(slot: str, aid: str, cid: str) -> None:
        if not groups[(slot, aid)]:
            used[aid] += instance.minutes(slot)
        groups[(slot, aid)].append(cid)
        known[cid].add(aid)
        credited[cid] += instance.minutes(slot)
        supported.add((slot, cid))

    # Pinned assignments go first, as they are; if they break a rule the caller sees it.
    for t in instance.pinned:
        if (t.slot, t.child) not in supported or t.child not in groups[(t.slot, t.assistant)]:
            place(t.slot, t.assistant, t.child)

    for slot in instance.slots:
        minutes = slot.minutes
        waiting = [
            c for c in instance.children if slot.id in c.needs and (slot.id, c.id) not in supported
        ]
        waiting.sort(
            key=lambda c: (
                c.needs[slot.id] != NEED_OWN,
                -(c.approved_minutes - credited[c.id]),
                instance.child_order[c.id],
            )
        )
        for child in waiting:
            need = child.needs[slot.id]
            place_at = child.location[slot.id]
            best = None
            for a in instance.assistants:
                if not a.is_available(slot.id) or not child.may_be_supported_by(a):
                    continue
                if (
                    child.max_assistants is not None
                    and a.id not in known[child.id]
                    and len(known[child.id]) >= child.max_assistants
                ):
                    continue
                group = groups[(slot.id, a.id)]
                if group:
                    members = [instance.child_by_id[c] for c in group]
                    size = len(group) + 1
                    joinable = (
                        need != NEED_OWN
                        and all(
                            m.location[slot.id] == place_at and m.needs[slot.id] != NEED_OWN
                            for m in members
                        )
                        and all(size <= m.max_ratio for m in members + [child])
                    )
                    if not joinable:
                        continue
                elif used[a.id] + minutes > a.max_minutes:
                    continue
                rank = (
                    previous.get((slot.id, child.id)) != a.id,
                    child.primary != a.id,
                    not group,
                    a.id not in known[child.id],
                    -(a.max_minutes - used[a.id]),
                    instance.assistant_order[a.id],
                )
                if best is None or rank < best[0]:
                    best = (rank, a.id)
            if best is not None:
                place(slot.id, best[1], child.id)

    return sorted(
        (
            Assignment(s, a, tuple(sorted(cs, key=instance.child_order.__getitem__)))
            for (s, a), cs in groups.items()
            if cs
        ),
        key=lambda x: (instance.slot_order[x.slot], instance.assistant_order[x.assistant]),
    )
