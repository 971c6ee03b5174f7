"""The planner's reasons in the coordinator's words, translatable.

The Django-free planner (`poolplan.planner`) explains a plan in English sentences that name
database ids; they are complete but long. The pages show, per child, one short sentence —
who loses or lacks how many minutes and the main reason — in the user's language, and keep
the planner's full text behind a disclosure. The reasons are worked out here from the same
instance and plan with the planner's own view of a plan (`PlanView`, `uncovered_cause`), so
the short sentence and the detail never disagree.

Rule labels of the checker (`Violation.rule`) are mapped to translated labels here as well;
the planner keeps its English labels.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from poolplan.planner import load_instance
from poolplan.planner.domain import NEED_OWN, Child, Instance
from poolplan.planner.domain import Assignment as PlannerAssignment
from poolplan.planner.explain import uncovered_cause
from poolplan.planner.rules import PlanView

# The checker's hard rules (planner/rules/hard.py, by `HardRule.name`), as people read them.
RULE_LABELS = {
    "assistant_available": gettext_lazy("Assistant not available"),
    "child_needs_support": gettext_lazy("Support without need or by two assistants"),
    "assistant_qualified": gettext_lazy("Missing required skill or not a fixed person"),
    "group_at_one_location": gettext_lazy("Group spread over locations"),
    "group_within_ratio": gettext_lazy("Group larger than the ratio allows"),
    "contract_kept": gettext_lazy("Contract minutes exceeded"),
    "few_distinct_assistants": gettext_lazy("Too many distinct assistants"),
    "pinned_kept": gettext_lazy("Pinned assignment missing"),
}

# Why a child has no support in a slot, from the first cause to the last resort. The order
# breaks ties when two causes cost the child the same minutes.
UNQUALIFIED, ABSENT, LIMIT, BUSY, CONTRACT, FREE = (
    "unqualified", "absent", "limit", "busy", "contract", "free")
CAUSE_ORDER = (UNQUALIFIED, ABSENT, BUSY, CONTRACT, LIMIT, FREE)
MAX_NAMES = 3


def rule_label(rule: str, fallback: str = "") -> str:
    """The translated label of a hard rule (the planner's English label if unknown)."""
    label = RULE_LABELS.get(rule)
    return str(label) if label is not None else (fallback or rule)


def names_text(names: list[str]) -> str:
    """"A", "A and B", "A, B and C", "A, B, C and 2 more"."""
    if not names:
        return ""
    if len(names) > MAX_NAMES:
        shown = ", ".join(names[:MAX_NAMES])
        return ngettext("%(names)s and %(count)d more", "%(names)s and %(count)d more",
                        len(names) - MAX_NAMES) % {"names": shown,
                                                   "count": len(names) - MAX_NAMES}
    if len(names) == 1:
        return names[0]
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def cause_text(category: str, names: list[str], child: Child | None = None) -> str:
    """One translated clause: why nobody supported the child (names are people's names)."""
    count = max(1, len(names))
    values = {"names": names_text(names)}
    if category == UNQUALIFIED:
        if child is not None and child.fixed:
            return _("none of its fixed persons has the skills it needs")
        return _("nobody in the pool has the skills it needs")
    if category == ABSENT:
        return ngettext("%(names)s, the only one allowed to support it, is absent",
                        "%(names)s, the only ones allowed to support it, are absent",
                        count) % values
    if category == BUSY:
        return ngettext("%(names)s was supporting other children",
                        "%(names)s were supporting other children", count) % values
    if category == CONTRACT:
        return ngettext("%(names)s had no contract minutes left",
                        "%(names)s had no contract minutes left", count) % values
    if category == LIMIT:
        limit = child.max_assistants if child is not None else 0
        return ngettext(
            "%(names)s would exceed its limit of %(limit)d different assistants",
            "%(names)s would exceed its limit of %(limit)d different assistants",
            limit or 1) % {**values, "limit": limit or 0}
    return ngettext("%(names)s was free but not planned there",
                    "%(names)s were free but not planned there", count) % values


def _slot_cause(view: PlanView, slot: str, child: Child) -> tuple[str, set[str]]:
    """(category, planner ids of the assistants it names) for one unsupported need slot."""
    clause, reasons = uncovered_cause(view, slot, child)
    if clause:
        qualified = [a.id for a in view.instance.assistants if child.may_be_supported_by(a)]
        return (ABSENT, set(qualified)) if qualified else (UNQUALIFIED, set())
    for category in (LIMIT, BUSY, CONTRACT, FREE):
        if category in reasons:
            return category, set(reasons[category])
    return FREE, set()


def main_cause(view: PlanView, child: Child, slots: Iterable[str]) -> tuple[str, list[str]]:
    """The cause that costs the child the most minutes in `slots` (its unsupported need
    slots), and the planner ids of the assistants it names, in the instance's order."""
    minutes: dict[str, int] = defaultdict(int)
    who: dict[str, set[str]] = defaultdict(set)
    for slot in slots:
        category, ids = _slot_cause(view, slot, child)
        minutes[category] += view.instance.minutes(slot)
        who[category] |= ids
    if not minutes:
        return "", []
    category = max(minutes, key=lambda c: (minutes[c], -CAUSE_ORDER.index(c)))
    order = view.instance.assistant_order
    return category, sorted(who[category], key=lambda a: order.get(a, 0))


def plan_view(instance_doc: dict, document: dict) -> PlanView:
    instance = load_instance(instance_doc)
    rows = [PlannerAssignment(r["slot"], r["assistant"], tuple(r["children"]))
            for r in document.get("assignments", [])]
    return PlanView(instance, tuple(rows))


def _unsupported(view: PlanView, child: Child, needs: tuple[int, ...]) -> list[str]:
    return [s.id for s in view.instance.slots
            if child.needs.get(s.id) in needs and not view.is_supported(s.id, child.id)]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def shortfall_summaries(view: PlanView, *, assistants: Mapping[str, str],
                        children: Mapping[str, str],
                        details: Mapping[str, list[str]] | None = None) -> list[dict]:
    """Per child short of minutes (or without its own adult where it needs one): one short
    translated line and the planner's full explanation lines for the disclosure.

    Returns:
        [{"child": id, "code", "short": minutes, "head": "Fox 7 is 90 min short of 900
        approved (810 planned).", "reason": "Mainly: Thomas Lange was supporting other
        children.", "detail": [planner lines]}], the most minutes short first.
    """
    instance: Instance = view.instance
    details = details or {}
    out = []
    for child in instance.children:
        code = children.get(child.id, child.id)
        own = _unsupported(view, child, (NEED_OWN,))
        credited = view.credited_minutes(child.id)
        short = child.approved_minutes - credited
        if short <= 0 and not own:
            continue
        lines = []
        if short > 0:
            lines.append(_("%(child)s is %(short)d min short of %(approved)d approved "
                           "(%(credited)d planned).")
                         % {"child": code, "short": short, "approved": child.approved_minutes,
                            "credited": credited})
        if own:
            lines.append(_("%(child)s has no adult of its own for %(minutes)d min.")
                         % {"child": code,
                            "minutes": sum(instance.minutes(s) for s in own)})
        need_total = sum(instance.minutes(s) for s in child.needs)
        slots = _unsupported(view, child, (1, NEED_OWN))
        category, ids = main_cause(view, child, slots)
        if short > 0 and need_total < child.approved_minutes and (
                not slots or child.approved_minutes - need_total >= short):
            reason = _("Its need profile holds only %(minutes)d min this week.") % {
                "minutes": need_total}
        elif category:
            reason = _("Mainly: %(cause)s.") % {"cause": cause_text(
                category, [assistants.get(a, a) for a in ids], child)}
        else:
            reason = ""
        out.append({"child": child.id, "code": code, "short": max(short, 0),
                    "head": " ".join(lines), "reason": reason,
                    "detail": list(details.get(child.id, []))})
    out.sort(key=lambda item: (-item["short"], item["code"]))
    return out


def loss_reason(*, before: PlanView, after: PlanView, child_id: str,
                assistants: Mapping[str, str]) -> str:
    """Why a child lost minutes between two plans, in one translated sentence: who of its
    former supporters is absent now, and the main reason nobody else took over."""
    instance = after.instance
    child = instance.child_by_id.get(child_id)
    if child is None:
        return ""
    lost = [s.id for s in instance.slots
            if before.is_supported(s.id, child_id) and not after.is_supported(s.id, child_id)]
    order = instance.assistant_order
    gone = sorted({a for slot in lost for a in before.supporters.get((slot, child_id), ())
                   if a in instance.assistant_by_id
                   and not instance.assistant_by_id[a].is_available(slot)},
                  key=lambda a: order.get(a, 0))
    # Former supporters who are there but now cover for an absent colleague in that slot.
    covering: dict[str, set[str]] = defaultdict(set)
    for slot in lost:
        for former in before.supporters.get((slot, child_id), ()):
            if former in gone:
                continue
            for other in after.groups.get((slot, former), ()):
                for was in before.supporters.get((slot, other), ()):
                    if was != former and was in instance.assistant_by_id \
                            and not instance.assistant_by_id[was].is_available(slot):
                        covering[former].add(was)
    # Former supporters who are there and cover nobody: their own reason (busy, contract, ...).
    formers: dict[str, str] = {}
    for slot in lost:
        reasons = None
        for former in before.supporters.get((slot, child_id), ()):
            if former in gone or former in covering or former in formers \
                    or former not in instance.assistant_by_id:
                continue
            if reasons is None:
                reasons = uncovered_cause(after, slot, child)[1]
            formers[former] = next((c for c in (LIMIT, BUSY, CONTRACT, FREE)
                                    if former in reasons.get(c, ())), "")
    formers = {a: c for a, c in formers.items() if c}
    category, ids = main_cause(after, child, lost)
    ids = [a for a in ids if a not in gone and a not in covering and a not in formers]
    parts = []
    if gone:
        names = [assistants.get(a, a) for a in gone]
        parts.append(ngettext("%(names)s is absent", "%(names)s are absent", len(names))
                     % {"names": names_text(names)})
    for former in sorted(covering, key=lambda a: order.get(a, 0)):
        absent = [assistants.get(a, a)
                  for a in sorted(covering[former], key=lambda a: order.get(a, 0))]
        parts.append(_("%(name)s, who supported it, now covers for %(absent)s")
                     % {"name": assistants.get(former, former), "absent": names_text(absent)})
    for former in sorted(formers, key=lambda a: order.get(a, 0)):
        parts.append(cause_text(formers[former], [assistants.get(former, former)], child))
    if category and ids and not formers:
        parts.append(cause_text(category, [assistants.get(a, a) for a in ids], child))
    elif category == UNQUALIFIED and not parts:
        parts.append(cause_text(category, [], child))
    if not parts:
        return ""
    return _sentence(_("%(reasons)s.") % {"reasons": "; ".join(parts)})


def edit_refusal(rule: str, *, assistant: str, child: str, when: str) -> str:
    """Why one board edit (`assistant` supports `child` at `when`) breaks a hard rule, in one
    translated sentence ("" for a rule without one)."""
    values = {"assistant": assistant, "child": child, "when": when}
    if rule == "assistant_available":
        return _("%(assistant)s is not available at %(when)s.") % values
    if rule == "child_needs_support":
        return _("%(child)s has no need of support at %(when)s, or someone else supports it "
                 "then.") % values
    if rule == "assistant_qualified":
        return _("%(assistant)s lacks a skill %(child)s needs, or is not one of its fixed "
                 "persons.") % values
    if rule == "group_at_one_location":
        return _("%(assistant)s is with children in another room at %(when)s.") % values
    if rule == "group_within_ratio":
        return _("The group of %(assistant)s at %(when)s would be larger than a child's ratio "
                 "allows.") % values
    if rule == "contract_kept":
        return _("%(assistant)s would work more than the contract minutes.") % values
    if rule == "few_distinct_assistants":
        return _("%(child)s would have more different assistants than allowed.") % values
    if rule == "pinned_kept":
        return _("A pinned assignment would be lost; unpin it first.")
    return ""
