"""The eight hard rules of spec/planning.md, one function each.

Each function takes a PlanView and returns the Violations of its rule only, so a test can
assert that the rule under test is the one that fired.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from poolplan.planner.domain import NEED_OWN
from poolplan.planner.rules.view import PlanView


@dataclass(frozen=True)
class Violation:
    rule: str
    label: str
    message: str

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


@dataclass(frozen=True)
class HardRule:
    number: int
    name: str
    label: str
    check: Callable[[PlanView], list[Violation]]


def assistant_available(view: PlanView) -> list[Violation]:
    """Rule 1: an assistant supports children only in slots where it is available."""
    out = []
    for slot, aid in view.groups:
        if not view.instance.assistant_by_id[aid].is_available(slot):
            out.append(_v(assistant_available, f"{aid} is not available in {slot}"))
    return out


def child_needs_support(view: PlanView) -> list[Violation]:
    """Rule 2: a child is supported only where needs[slot] >= 1, by at most one assistant."""
    out = []
    for (slot, cid), assistants in view.supporters.items():
        if slot not in view.instance.child_by_id[cid].needs:
            out.append(
                _v(
                    child_needs_support,
                    f"{cid} has no need in {slot} but is supported by {', '.join(assistants)}",
                )
            )
        if len(assistants) > 1:
            out.append(
                _v(
                    child_needs_support,
                    f"{cid} is supported by {len(assistants)} assistants in {slot}: "
                    f"{', '.join(assistants)}",
                )
            )
    return out


def assistant_qualified(view: PlanView) -> list[Violation]:
    """Rule 3: the assistant has every skill the child needs and, if fixed, is a fixed person."""
    out = []
    for t in sorted(view.triples, key=lambda t: (t.slot, t.assistant, t.child)):
        child = view.instance.child_by_id[t.child]
        assistant = view.instance.assistant_by_id[t.assistant]
        missing = child.skills - assistant.skills
        if missing:
            out.append(
                _v(
                    assistant_qualified,
                    f"{t.assistant} lacks {', '.join(sorted(missing))} for {t.child} in {t.slot}",
                )
            )
        if child.fixed and t.assistant not in child.fixed:
            out.append(
                _v(
                    assistant_qualified,
                    f"{t.child} may only be supported by {', '.join(child.fixed)}, "
                    f"not {t.assistant} ({t.slot})",
                )
            )
    return out


def group_at_one_location(view: PlanView) -> list[Violation]:
    """Rule 4: in one slot an assistant supports only children at the same location."""
    out = []
    for (slot, aid), children in view.groups.items():
        places = {view.instance.child_by_id[c].location.get(slot) for c in children}
        places.discard(None)  # a child without need there is rule 2's business
        if len(places) > 1:
            out.append(
                _v(
                    group_at_one_location,
                    f"{aid} supports {', '.join(children)} in {slot} "
                    f"at {', '.join(sorted(places))}",
                )
            )
    return out


def group_within_ratio(view: PlanView) -> list[Violation]:
    """Rule 5: k children with k <= each max_ratio; a child with need 2 is supported alone."""
    out = []
    for (slot, aid), children in view.groups.items():
        k = len(children)
        if k == 1:
            continue
        for cid in children:
            child = view.instance.child_by_id[cid]
            if k > child.max_ratio:
                out.append(
                    _v(
                        group_within_ratio,
                        f"{aid} supports {k} children in {slot}, "
                        f"but {cid} allows at most 1:{child.max_ratio}",
                    )
                )
            if child.needs.get(slot) == NEED_OWN:
                out.append(
                    _v(
                        group_within_ratio,
                        f"{cid} needs an adult of its own in {slot}, "
                        f"but {aid} supports {k} children",
                    )
                )
    return out


def contract_kept(view: PlanView) -> list[Violation]:
    """Rule 6: an assistant's minutes with children stay within max_minutes."""
    out = []
    for a in view.instance.assistants:
        minutes = view.assistant_minutes(a.id)
        if minutes > a.max_minutes:
            out.append(
                _v(contract_kept, f"{a.id} works {minutes} min, contract allows {a.max_minutes}")
            )
    return out


def few_distinct_assistants(view: PlanView) -> list[Violation]:
    """Rule 7: a child has at most max_assistants distinct assistants over the horizon."""
    per_child: dict[str, set[str]] = defaultdict(set)
    for cid, aid in view.pairs:
        per_child[cid].add(aid)
    out = []
    for child in view.instance.children:
        n = len(per_child.get(child.id, ()))
        if child.max_assistants is not None and n > child.max_assistants:
            out.append(
                _v(
                    few_distinct_assistants,
                    f"{child.id} has {n} assistants ({', '.join(sorted(per_child[child.id]))}), "
                    f"at most {child.max_assistants} allowed",
                )
            )
    return out


def pinned_kept(view: PlanView) -> list[Violation]:
    """Rule 8: every pinned assignment is in the plan."""
    return [
        _v(pinned_kept, f"{t.assistant} with {t.child} in {t.slot} is pinned but not in the plan")
        for t in view.instance.pinned
        if t not in view.triples
    ]


HARD_RULES: tuple[HardRule, ...] = (
    HardRule(1, "assistant_available", "Assistant not available", assistant_available),
    HardRule(
        2, "child_needs_support", "Support without need or by two assistants", child_needs_support
    ),
    HardRule(
        3,
        "assistant_qualified",
        "Missing required skill or not a fixed person",
        assistant_qualified,
    ),
    HardRule(4, "group_at_one_location", "Group spread over locations", group_at_one_location),
    HardRule(5, "group_within_ratio", "Group larger than the ratio allows", group_within_ratio),
    HardRule(6, "contract_kept", "Contract minutes exceeded", contract_kept),
    HardRule(7, "few_distinct_assistants", "Too many distinct assistants", few_distinct_assistants),
    HardRule(8, "pinned_kept", "Pinned assignment missing", pinned_kept),
)
_BY_FUNCTION = {r.check.__name__: r for r in HARD_RULES}


def _v(fn: Callable, message: str) -> Violation:
    rule = _BY_FUNCTION[fn.__name__]
    return Violation(rule.name, rule.label, message)


def violations(view: PlanView) -> list[Violation]:
    return [v for rule in HARD_RULES for v in rule.check(view)]
