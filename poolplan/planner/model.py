"""The CP-SAT model: the group formulation.

Instead of one Boolean per (slot, assistant, child) with ratios as conditional sums (whose LP
relaxation is weak: 20-35 % gaps on level 2 after 30 s on a 15/7 week), the model enumerates
per slot the *feasible groups*: children at one location, at most min(max_ratio) of them, a
child with need 2 only alone. A variable x[s, a, G] says "in slot s, assistant a supports
group G", and only exists if a is available in s and qualified for every member. Rules 1-5
then hold by construction, and what is left are two set-packing rows per slot (an assistant
runs at most one group, a child is in at most one group), whose LP relaxation is close to
the integer hull. The weekly coupling (contracts, distinct assistants, entitlements) is
linear in the same variables.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from ortools.sat.python import cp_model

from poolplan.planner.domain import LEVEL_NAMES, NEED_OWN, NEED_SHARED, Assignment, Instance

Group = tuple[str, ...]


@dataclass
class PlanModel:
    """A built model and the handles the solver, warm start and explanations need."""

    instance: Instance
    model: cp_model.CpModel
    x: dict[tuple[str, str, Group], cp_model.IntVar]
    # (slot, child) -> list of x vars that support the child there
    support: dict[tuple[str, str], list[cp_model.IntVar]]
    # (slot, assistant, child) -> x vars in which that assistant supports that child
    supported_by: dict[tuple[str, str, str], list[cp_model.IntVar]]
    pairs: dict[tuple[str, str], cp_model.IntVar]
    shortfall: dict[str, cp_model.IntVar]
    levels: dict[str, cp_model.LinearExprT] = field(default_factory=dict)
    # Levels that are constant in this instance (e.g. `changes` without `previous`).
    constant_levels: dict[str, int] = field(default_factory=dict)
    # (x vars, pair var) link rows not yet in the model (add_pair_vars, link_pairs).
    unlinked_pairs: list = field(default_factory=list)
    # (slot, location) -> groups of two or more there, with their x vars (odd_set_rows).
    multi_groups: dict | None = None
    # Level name -> a number every plan's value of that level is a multiple of (add_levels).
    level_units: dict[str, int] = field(default_factory=dict)

    def assignments(self, value) -> list[Assignment]:
        """Read a solution back; `value(var)` is e.g. CpSolver.value."""
        inst = self.instance
        rows = [Assignment(s, a, g) for (s, a, g), var in self.x.items() if value(var)]
        return sorted(
            rows, key=lambda r: (inst.slot_order[r.slot], inst.assistant_order[r.assistant])
        )

    def hint_values(self, assignments: list[Assignment]) -> dict[int, int]:
        """Variable index -> value for every decision and penalty variable, from a plan."""
        chosen = {(a.slot, a.assistant, a.children) for a in assignments}
        pairs = {(c, a.assistant) for a in assignments for c in a.children}
        credited: dict[str, int] = defaultdict(int)
        for a in assignments:
            for c in a.children:
                credited[c] += self.instance.minutes(a.slot)
        values = {var.index: int(key in chosen) for key, var in self.x.items()}
        values.update({var.index: int(key in pairs) for key, var in self.pairs.items()})
        for cid, var in self.shortfall.items():
            values[var.index] = max(
                0, self.instance.child_by_id[cid].approved_minutes - credited[cid]
            )
        return values

    def hint(self, assignments: list[Assignment]) -> None:
        """Give CP-SAT a complete hint (all decision and penalty variables) from a plan."""
        self.model.clear_hints()
        proto = self.model.proto
        for index, value in sorted(self.hint_values(assignments).items()):
            proto.solution_hint.vars.append(index)
            proto.solution_hint.values.append(value)


def feasible_groups(instance: Instance, slot: str) -> list[Group]:
    """Every group one assistant may support in `slot` under rules 2, 4 and 5.

    Args:
        instance: the instance.
        slot: a slot id.
    Returns:
        Tuples of child ids (in instance order): singletons for every child with need there,
        and pairs/triples at one location whose members all allow that size and none of
        whom needs an adult of its own.
    """
    by_place: dict[str, list] = defaultdict(list)
    for child in instance.children:
        if slot in child.needs:
            by_place[child.location[slot]].append(child)
    groups: list[Group] = []
    for children in by_place.values():
        groups.extend((c.id,) for c in children)
        shareable = [c for c in children if c.needs[slot] == NEED_SHARED and c.max_ratio >= 2]
        for size in range(2, 1 + max((c.max_ratio for c in shareable), default=1)):
            for combo in combinations(shareable, size):
                if all(c.max_ratio >= size for c in combo):
                    groups.append(tuple(c.id for c in combo))
    return groups


def add_assignment_vars(pm: PlanModel) -> None:
    """Create x[s, a, G] for every available, qualified assistant and feasible group."""
    inst = pm.instance
    for slot in inst.slots:
        for group in feasible_groups(inst, slot.id):
            members = [inst.child_by_id[c] for c in group]
            for a in inst.assistants:
                if not a.is_available(slot.id) or not all(
                    c.may_be_supported_by(a) for c in members
                ):
                    continue
                var = pm.model.new_bool_var(f"x[{slot.id},{a.id},{'+'.join(group)}]")
                pm.x[(slot.id, a.id, group)] = var
                for c in group:
                    pm.support[(slot.id, c)].append(var)
                    pm.supported_by[(slot.id, a.id, c)].append(var)


def add_packing_rows(pm: PlanModel) -> None:
    """An assistant runs at most one group per slot; a child is in at most one group (rule 2)."""
    per_assistant: dict[tuple[str, str], list] = defaultdict(list)
    for (s, a, _), var in pm.x.items():
        per_assistant[(s, a)].append(var)
    for vars_ in per_assistant.values():
        if len(vars_) > 1:
            pm.model.add_at_most_one(vars_)
    for vars_ in pm.support.values():
        if len(vars_) > 1:
            pm.model.add_at_most_one(vars_)


def add_contracts(pm: PlanModel) -> None:
    """Rule 6: sum of slot minutes in which the assistant runs a group <= max_minutes."""
    inst = pm.instance
    load: dict[str, list] = defaultdict(list)
    for (s, a, _), var in pm.x.items():
        load[a].append(inst.minutes(s) * var)
    for a in inst.assistants:
        if load[a.id]:
            pm.model.add(sum(load[a.id]) <= a.max_minutes).with_name(f"contract[{a.id}]")


def contract_hull(
    slots_by_minutes: dict[int, int], max_minutes: int
) -> list[tuple[dict[int, int], int]]:
    """Facets of the integer hull of an assistant's contract, for at most two slot lengths.

    The contract row sum(minutes * busy) <= max_minutes lets the LP relaxation use part of a
    slot (1200 min = 26.67 lessons); over seven assistants that was the 1 % gap that kept the
    15/7 week from being proven. With two slot lengths (lessons and breaks) the integer points
    (breaks b, most lessons l(b)) are few, and the upper edges of their convex hull are valid
    rows that cut the fractional slot off. HiGHS on the 15/7 example: 22 s -> 5 s.

    Args:
        slots_by_minutes: slot length -> number of slots of that length the assistant could work.
        max_minutes: the contract.
    Returns:
        Rows as ({length: coefficient}, rhs), meaning sum(coefficient * busy slots of that
        length) <= rhs. Empty if the row adds nothing (more than two lengths: left to the LP).
    """
    if len(slots_by_minutes) == 1:
        ((length, count),) = slots_by_minutes.items()
        most = min(count, max_minutes // length)
        return [({length: 1}, most)] if most < count else []
    if len(slots_by_minutes) != 2:
        return []
    (long_len, long_count), (short_len, short_count) = sorted(
        slots_by_minutes.items(), reverse=True
    )
    points = [
        (b, min(long_count, (max_minutes - short_len * b) // long_len))
        for b in range(min(short_count, max_minutes // short_len) + 1)
    ]
    hull: list[tuple[int, int]] = []
    for p in points:
        # Keep only the upper concave envelope (monotone chain).
        while len(hull) >= 2:
            (b1, l1), (b2, l2) = hull[-2], hull[-1]
            if (l2 - l1) * (p[0] - b1) <= (p[1] - l1) * (b2 - b1):
                hull.pop()
            else:
                break
        hull.append(p)
    rows = []
    for (b1, l1), (b2, l2) in zip(hull, hull[1:], strict=False):
        if l1 == l2:
            continue  # a flat edge is the `most lessons` row added below
        rows.append(({long_len: b2 - b1, short_len: l1 - l2}, (b2 - b1) * l1 - (l2 - l1) * b1))
    if hull[0][1] < long_count:
        rows.append(({long_len: 1}, hull[0][1]))
    return rows


def add_contract_hulls(pm: PlanModel) -> None:
    """Add contract_hull rows for every assistant (see there for why)."""
    inst = pm.instance
    busy: dict[tuple[str, int], list] = defaultdict(list)
    for (s, a, _), var in pm.x.items():
        busy[(a, inst.minutes(s))].append(var)
    for a in inst.assistants:
        lengths: dict[int, int] = defaultdict(int)
        for slot in inst.slots:
            if a.is_available(slot.id):
                lengths[slot.minutes] += 1
        for coefficients, rhs in contract_hull(dict(lengths), a.max_minutes):
            pm.model.add(
                sum(c * sum(busy[(a.id, length)]) for length, c in coefficients.items()) <= rhs
            )


def add_pair_vars(pm: PlanModel) -> None:
    """pair[c, a] = 1 if a ever supports c; rule 7 bounds their count per child.

    Returns (in pm.pairs): the Booleans, named `pair[c,a]`, that level 6 counts. They are
    linked per slot (pair >= sum of x in that slot), the aggregated form, which is as tight
    as one row per group and needs fewer rows. Only the links of children with a binding
    max_assistants are added here; the rest wait in pm.unlinked_pairs for link_pairs.
    """
    inst = pm.instance
    links: dict[str, list] = defaultdict(list)
    for (_, a, c), vars_ in pm.supported_by.items():
        var = pm.pairs.get((c, a))
        if var is None:
            var = pm.pairs[(c, a)] = pm.model.new_bool_var(f"pair[{c},{a}]")
        links[c].append((vars_, var))
    per_child: dict[str, list] = defaultdict(list)
    for (c, _), var in pm.pairs.items():
        per_child[c].append(var)
    for child in inst.children:
        if child.max_assistants is not None and len(per_child[child.id]) > child.max_assistants:
            for vars_, var in links.pop(child.id):
                pm.model.add(sum(vars_) <= var)
            pm.model.add(sum(per_child[child.id]) <= child.max_assistants).with_name(
                f"max_assistants[{child.id}]"
            )
    # The other children's pairs matter only to level 6. Their link rows are two thirds of
    # the model's rows (sick Tuesday: 1,925 of 2,901); HiGHS's presolve drops them anyway, but
    # reading them cost time at every level. They wait until level 6 (link_pairs).
    pm.unlinked_pairs = [link for rows in links.values() for link in rows]


def link_pairs(pm: PlanModel) -> None:
    """Add the pair link rows add_pair_vars left out; needed before level 6 is minimised."""
    for vars_, var in pm.unlinked_pairs:
        pm.model.add(sum(vars_) <= var)
    pm.unlinked_pairs = []


def odd_set_rows(
    pm: PlanModel, lp_values, *, largest: int = 7, tolerance: float = 1e-4
) -> list[tuple[list[cp_model.IntVar], int, float]]:
    """Odd-set rows that an LP solution of pm violates, most violated first.

    In one slot a child is in at most one group, so among the groups that take two or more
    children of a set S of children at one location, at most |S| // 2 can run. For odd |S|
    the packing rows do not say so: the LP runs five pairs at one half around five children
    on the yard and credits all five children fully. Enumerating every odd set is thousands of
    rows (round 3: 699 rows on sick Tuesday made HiGHS no faster); separated against the LP,
    a few dozen do the work (docs/planner.md, round 6).

    Args:
        pm: the built model.
        lp_values: a value per model variable (HighsResult.lp_values).
        largest: the largest odd set tried.
        tolerance: how far the LP must exceed a row to count as violating it.
    Returns:
        (group variables, right-hand side, violation) per violated row.
    """
    inst = pm.instance
    if pm.multi_groups is None:
        pm.multi_groups = defaultdict(list)
        for (s, _, group), var in pm.x.items():
            if len(group) >= 2:
                place = inst.child_by_id[group[0]].location[s]
                pm.multi_groups[(s, place)].append((frozenset(group), var))
    rows, seen = [], set()
    for groups in pm.multi_groups.values():
        positive = [(g, var, lp_values[var.index]) for g, var in groups]
        positive = [(g, var, v) for g, var, v in positive if v > tolerance]
        # Only a set around a fractional group can be violated: integral groups are disjoint.
        if not any(v < 1 - tolerance for _, _, v in positive):
            continue
        children = sorted({c for g, _, _ in positive for c in g})
        for size in range(3, min(largest, len(children)) + 1, 2):
            for members in combinations(children, size):
                chosen = set(members)
                used = sum(v for g, _, v in positive if len(g & chosen) >= 2)
                if used > size // 2 + tolerance:
                    row = [var for g, var in groups if len(g & chosen) >= 2]
                    # Different sets can give the same row (same groups, same bound): once.
                    key = (frozenset(var.index for var in row), size // 2)
                    if key not in seen:
                        seen.add(key)
                        rows.append((row, size // 2, used - size // 2))
    rows.sort(key=lambda row: -row[2])
    return rows


def add_pinned(pm: PlanModel) -> None:
    """Rule 8: every pinned triple is in the plan (the caller prechecks that it can be)."""
    for t in pm.instance.pinned:
        pm.model.add(sum(pm.supported_by.get((t.slot, t.assistant, t.child), [])) == 1)


def add_shortfall_vars(pm: PlanModel) -> None:
    """shortfall[c] >= approved - credited, >= 0: level 2 as named penalty variables.

    Returns (in pm.shortfall): one IntVar per child with an approval, `entitlement_shortfall[c]`.
    """
    inst = pm.instance
    for child in inst.children:
        if child.approved_minutes <= 0:
            continue
        credited = sum(
            inst.minutes(s) * sum(pm.support.get((s, child.id), [])) for s in child.needs
        )
        var = pm.model.new_int_var(0, child.approved_minutes, f"entitlement_shortfall[{child.id}]")
        pm.model.add(var >= child.approved_minutes - credited)
        pm.shortfall[child.id] = var


def add_levels(pm: PlanModel) -> None:
    """The six objective levels as linear expressions, keyed by their spec names."""
    inst = pm.instance
    gap = {NEED_OWN: [], NEED_SHARED: []}
    constant_gap = {NEED_OWN: 0, NEED_SHARED: 0}
    for child in inst.children:
        for s, need in child.needs.items():
            vars_ = pm.support.get((s, child.id))
            if vars_:
                gap[need].append(inst.minutes(s) * (1 - sum(vars_)))
            else:
                constant_gap[need] += inst.minutes(s)
    changes, constant_changes = [], 0
    for t in set(inst.previous):
        vars_ = pm.supported_by.get((t.slot, t.assistant, t.child))
        if vars_:
            changes.append(1 - sum(vars_))
        else:
            constant_changes += 1
    non_primary = []
    for child in inst.children:
        if not child.primary:
            continue
        for s in child.needs:
            by_others = [
                v
                for a in inst.assistants
                if a.id != child.primary
                for v in pm.supported_by.get((s, a.id, child.id), [])
            ]
            if by_others:
                non_primary.append(inst.minutes(s) * sum(by_others))
    exprs = {
        "individual_need_gap": (gap[NEED_OWN], constant_gap[NEED_OWN]),
        "entitlement_shortfall": (list(pm.shortfall.values()), 0),
        "changes": (changes, constant_changes),
        "shared_need_gap": (gap[NEED_SHARED], constant_gap[NEED_SHARED]),
        "non_primary_minutes": (non_primary, 0),
        "distinct_pairs": (list(pm.pairs.values()), 0),
    }
    # Minutes come in whole slots, and a shortfall is approved minus whole slots (or 0): the
    # minute levels move in steps of the slots' greatest common divisor (5 for 45-min lessons
    # and 20-min breaks). A bound can be rounded up to the next step (solve.py).
    step = math.gcd(*(s.minutes for s in inst.slots)) or 1
    pm.level_units = {name: 1 for name in LEVEL_NAMES}
    for name in ("individual_need_gap", "shared_need_gap", "non_primary_minutes"):
        pm.level_units[name] = step
    pm.level_units["entitlement_shortfall"] = (
        math.gcd(step, *(c.approved_minutes for c in inst.children)) or 1
    )
    for name in LEVEL_NAMES:
        terms, constant = exprs[name]
        if terms:
            pm.levels[name] = sum(terms) + constant
        else:
            pm.constant_levels[name] = constant


def build_model(instance: Instance) -> PlanModel:
    pm = PlanModel(instance, cp_model.CpModel(), {}, defaultdict(list), defaultdict(list), {}, {})
    add_assignment_vars(pm)
    add_packing_rows(pm)
    add_contracts(pm)
    add_contract_hulls(pm)
    add_pair_vars(pm)
    add_pinned(pm)
    add_shortfall_vars(pm)
    add_levels(pm)
    return pm
