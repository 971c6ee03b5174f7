"""The greedy baseline: how a careful coordinator fills the board by hand.

Three passes over the week, in the order of the objective: first every slot in which a
child needs an adult of its own, then slots of children whose approved minutes are still
open (furthest from their approval first), then shared need with whatever capacity is left.
(One pass slot by slot spent Monday's contract minutes on children whose approval was
already met, and left Thursday's care needs uncovered.) Within a pass it goes slot by slot,
and each child gets, in this order of preference: the assistant it had in the previous plan,
its primary person, an assistant already supporting a compatible group at the same
location, an assistant it already knows, then any qualified free assistant. Every step keeps
all hard rules, so the result is a valid plan whenever the pinned assignments are. It is
also the warm start of the exact solve.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from poolplan.planner.domain import NEED_OWN, Assignment, Child, Instance, Slot


def greedy_plan(
    instance: Instance, *, keep: list[Assignment] | tuple[Assignment, ...] = ()
) -> list[Assignment]:
    """A valid plan by the passes above.

    Args:
        instance: the instance.
        keep: valid rows to start from (the solver passes the own-adult rows of a level-1
            optimum); they are kept as they are and the passes fill around them.
    Returns:
        The plan's rows, sorted by slot and assistant.
    """
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

    def best_assistant(slot: Slot, child: Child) -> str | None:
        need = child.needs[slot.id]
        place_at = child.location[slot.id]
        best = None
        for a in instance.assistants:
            if not a.is_available(slot.id) or not child.may_be_supported_by(a):
                continue
            limit = child.max_assistants
            if limit is not None and a.id not in known[child.id] and len(known[child.id]) >= limit:
                continue
            group = groups[(slot.id, a.id)]
            if group:
                members = [instance.child_by_id[c] for c in group]
                size = len(group) + 1
                joinable = (
                    need != NEED_OWN
                    and all(m.location[slot.id] == place_at for m in members)
                    and all(m.needs[slot.id] != NEED_OWN for m in members)
                    and all(size <= m.max_ratio for m in members + [child])
                )
                if not joinable:
                    continue
            elif used[a.id] + slot.minutes > a.max_minutes:
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
        return None if best is None else best[1]

    def fill(slot: Slot, wanted: Callable[[Child, str], bool]) -> None:
        waiting = [
            c
            for c in instance.children
            if slot.id in c.needs and (slot.id, c.id) not in supported and wanted(c, slot.id)
        ]
        waiting.sort(
            key=lambda c: (
                c.needs[slot.id] != NEED_OWN,
                -(c.approved_minutes - credited[c.id]),
                instance.child_order[c.id],
            )
        )
        for child in waiting:
            aid = best_assistant(slot, child)
            if aid is not None:
                place(slot.id, aid, child.id)

    # Pinned assignments go first, as they are; if they break a rule the caller sees it.
    for t in instance.pinned:
        if t.child not in groups[(t.slot, t.assistant)]:
            place(t.slot, t.assistant, t.child)
    for row in keep:
        for cid in row.children:
            if cid not in groups[(row.slot, row.assistant)]:
                place(row.slot, row.assistant, cid)

    stages: tuple[Callable[[Child, str], bool], ...] = (
        lambda c, s: c.needs[s] == NEED_OWN,
        lambda c, s: c.approved_minutes > credited[c.id],
        lambda c, s: True,
    )
    for wanted in stages:
        for slot in instance.slots:
            fill(slot, wanted)

    return sorted(
        (
            Assignment(s, a, tuple(sorted(cs, key=instance.child_order.__getitem__)))
            for (s, a), cs in groups.items()
            if cs
        ),
        key=lambda x: (instance.slot_order[x.slot], instance.assistant_order[x.assistant]),
    )
