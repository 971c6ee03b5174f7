"""Explanations in words for every minute of `individual_need_gap` and `entitlement_shortfall`.

For each need slot a child goes without support, the cause is found by asking what a
coordinator would ask: is anyone qualified at all? is a qualified person present? are the
present ones busy, out of contract minutes, or ruled out by the child's limit of distinct
assistants? Slots with the same cause on the same day are reported together.
"""

from __future__ import annotations

from collections import defaultdict

from poolplan.planner.domain import NEED_OWN, Assignment, Child, Instance
from poolplan.planner.rules import PlanView

DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}


def _names(ids: list[str]) -> str:
    return ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]


def _requirement(child: Child) -> str:
    if child.fixed and child.skills:
        return f"allowed for {child.id} with {_names(sorted(child.skills))}"
    if child.fixed:
        return f"allowed for {child.id}"
    if child.skills:
        return f"with {_names(sorted(child.skills))}"
    return "at all"


# Why a present, qualified assistant did not support the child; the phrase takes the names.
BUSY, CONTRACT, LIMIT, FREE = "busy", "contract", "limit", "free"


def _phrase(category: str, ids: list[str], child: Child) -> str:
    one = len(ids) == 1
    names = _names(ids)
    if category == BUSY:
        return f"{names} {'was' if one else 'were'} supporting other children"
    if category == CONTRACT:
        return f"{names} had used up {'its' if one else 'their'} contract minutes"
    if category == LIMIT:
        return f"{names} would exceed its limit of {child.max_assistants} distinct assistants"
    return f"{names} {'was' if one else 'were'} free but not planned there"


def uncovered_cause(view: PlanView, slot: str, child: Child) -> tuple[str, dict[str, set[str]]]:
    """Why `child` has no support in `slot` in this plan.

    Returns:
        Either a complete clause and no details (nobody qualified, or all qualified absent),
        or an empty clause and, per reason, the present qualified assistants it applies to,
        so that slots of one day with the same reasons can be reported together.
    """
    inst = view.instance
    qualified = [a for a in inst.assistants if child.may_be_supported_by(a)]
    if not qualified:
        if child.fixed:
            fixed, skills = _names(list(child.fixed)), _names(sorted(child.skills))
            return f"none of its fixed persons ({fixed}) has {skills}", {}
        return f"no assistant has {_names(sorted(child.skills))}", {}
    present = [a for a in qualified if a.is_available(slot)]
    if not present:
        absent = [a.id for a in qualified]
        only = "the only assistant" if len(absent) == 1 else "the only assistants"
        verb = "is" if len(absent) == 1 else "are"
        return f"{_names(absent)}, {only} {_requirement(child)}, {verb} absent", {}
    known = {a for (c, a) in view.pairs if c == child.id}
    reasons: dict[str, set[str]] = defaultdict(set)
    for a in present:
        limit = child.max_assistants
        if limit is not None and a.id not in known and len(known) >= limit:
            reasons[LIMIT].add(a.id)
        elif view.groups.get((slot, a.id)):
            reasons[BUSY].add(a.id)
        elif view.assistant_minutes(a.id) + inst.minutes(slot) > a.max_minutes:
            reasons[CONTRACT].add(a.id)
        else:
            reasons[FREE].add(a.id)
    return "", dict(reasons)


def _uncovered(
    view: PlanView, child: Child, needs: tuple[int, ...]
) -> list[tuple[str, str, list[str]]]:
    """(day, cause, uncovered slots) in slot order; one entry per day and kind of cause."""
    groups: dict[tuple, tuple[list[str], dict[str, set[str]]]] = {}
    order = view.instance.assistant_order
    for slot in view.instance.slots:
        if child.needs.get(slot.id) not in needs or view.is_supported(slot.id, child.id):
            continue
        clause, reasons = uncovered_cause(view, slot.id, child)
        key = (slot.day, clause, tuple(sorted(reasons)))
        slots, names = groups.setdefault(key, ([], defaultdict(set)))
        slots.append(slot.id)
        for category, ids in reasons.items():
            names[category] |= ids
    out = []
    for (day, clause, categories), (slots, names) in groups.items():
        if not clause:
            clause = "; ".join(
                _phrase(c, sorted(names[c], key=order.__getitem__), child)
                for c in (LIMIT, BUSY, CONTRACT, FREE)
                if c in categories
            )
        out.append((day, clause, slots))
    return out


def _clause(view: PlanView, day: str, cause: str, slots: list[str]) -> str:
    minutes = sum(view.instance.minutes(s) for s in slots)
    return f"{minutes} min on {DAY_NAMES.get(day, day)} ({', '.join(slots)}): {cause}"


def explain(instance: Instance, assignments: list[Assignment]) -> list[str]:
    view = PlanView(instance, tuple(assignments))
    lines = []
    for child in instance.children:
        for day, cause, slots in _uncovered(view, child, (NEED_OWN,)):
            lines.append(
                f"{child.id} has no adult of its own for {_clause(view, day, cause, slots)}"
            )
    for child in instance.children:
        credited = view.credited_minutes(child.id)
        short = child.approved_minutes - credited
        if short <= 0:
            continue
        parts = []
        need_total = sum(instance.minutes(s) for s in child.needs)
        if need_total < child.approved_minutes:
            parts.append(
                f"its need profile holds only {need_total} min this week, "
                f"{min(short, child.approved_minutes - need_total)} min less than approved"
            )
        for day, cause, slots in _uncovered(view, child, (1, NEED_OWN)):
            parts.append(_clause(view, day, cause, slots))
        lines.append(
            f"{child.id} is {short} min short of {child.approved_minutes} approved "
            f"(credited {credited}): " + "; ".join(parts)
        )
    return lines
