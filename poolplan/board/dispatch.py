"""Who should go where: one assignment problem over all open cards at once.

Django-free. Solving card by card sends the best person to the first red card even when that
person is the only one qualified for the second; solving all cards together does not.
Every red card outranks every yellow one (lexicographic by weight), then the pairing prefers a
free person over one who leaves a green child, the child's primary reference person, someone
close by, and the longest-waiting card. Each suggestion lists its reasons (codes the
caller puts into words).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

RED = "red"
YELLOW = "yellow"
GREEN = "green"

# A reason is a code and its details, e.g. ("same_room", "R1"); the caller words and
# translates it (REASON_CODES lists them).
Reason = tuple[str, ...]
REASON_CODES = ("free", "with_green_child", "primary", "fixed", "skills", "same_room",
                "same_floor", "nobody_qualified", "needed_elsewhere")


@dataclass(frozen=True)
class OpenCard:
    child_id: int
    display_code: str
    colour: str  # red or yellow
    waiting_seconds: float = 0.0
    required_skills: frozenset[str] = frozenset()
    fixed_helpers: frozenset[int] = frozenset()  # empty: anyone qualified may go
    primary_helper: int | None = None
    room: str | None = None
    floor: str | None = None


@dataclass(frozen=True)
class Helper:
    helper_id: int
    name: str
    skills: frozenset[str] = frozenset()
    # The child this person is with now (from the plan) and that child's card colour; None = free.
    with_child_code: str | None = None
    with_child_colour: str | None = None
    room: str | None = None
    floor: str | None = None


@dataclass(frozen=True)
class Weights:
    """Points per pairing; higher is better. A red card is worth more than any yellow card can
    gain from the other terms, so reds are staffed first."""

    red: int = 100_000
    yellow: int = 10_000
    free: int = 300
    primary: int = 200
    same_room: int = 150
    same_floor: int = 60
    waiting_per_minute: int = 5
    waiting_cap_minutes: int = 30


@dataclass(frozen=True)
class Suggestion:
    child_id: int
    helper_id: int | None
    helper_name: str | None
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


def helper_can_go(card: OpenCard, helper: Helper) -> bool:
    """Hard rules: the required skills, the fixed persons, and nobody leaves a child whose own
    card asks for attention."""
    if helper.with_child_colour in (RED, YELLOW):
        return False
    if card.fixed_helpers and helper.helper_id not in card.fixed_helpers:
        return False
    return card.required_skills <= helper.skills


def pairing_score(card: OpenCard, helper: Helper, weights: Weights) -> tuple[int, list[Reason]]:
    score = weights.red if card.colour == RED else weights.yellow
    reasons: list[Reason] = []
    if helper.with_child_code is None:
        score += weights.free
        reasons.append(("free",))
    else:
        reasons.append(("with_green_child", helper.with_child_code))
    if card.primary_helper == helper.helper_id:
        score += weights.primary
        reasons.append(("primary",))
    if card.fixed_helpers:
        reasons.append(("fixed",))
    if card.required_skills:
        reasons.append(("skills", ", ".join(sorted(card.required_skills))))
    if card.room and helper.room == card.room:
        score += weights.same_room
        reasons.append(("same_room", card.room))
    elif card.floor and helper.floor == card.floor:
        score += weights.same_floor
        reasons.append(("same_floor", card.floor))
    minutes = min(card.waiting_seconds / 60, weights.waiting_cap_minutes)
    score += int(minutes * weights.waiting_per_minute)
    return score, reasons


def suggest(cards: Sequence[OpenCard], helpers: Sequence[Helper],
            weights: Weights | None = None) -> list[Suggestion]:
    """One suggestion per card (in the order given); `helper_id` is None where nobody
    qualified is available, with the reason why."""
    weights = weights or Weights()
    scores: dict[tuple[int, int], tuple[int, list[Reason]]] = {}
    for i, card in enumerate(cards):
        for j, helper in enumerate(helpers):
            if helper_can_go(card, helper):
                scores[i, j] = pairing_score(card, helper, weights)
    chosen = _solve(scores) if scores else {}
    result = []
    for i, card in enumerate(cards):
        j = chosen.get(i)
        if j is None:
            reason = (("nobody_qualified",) if not any(k[0] == i for k in scores)
                      else ("needed_elsewhere",))
            result.append(Suggestion(card.child_id, None, None, (reason,)))
        else:
            helper = helpers[j]
            result.append(Suggestion(card.child_id, helper.helper_id, helper.name,
                                     tuple(scores[i, j][1])))
    return result


def _solve(scores: dict[tuple[int, int], tuple[int, list[Reason]]]) -> dict[int, int]:
    """Maximum-weight matching of cards to helpers (each at most once) with CP-SAT. The models
    are tiny (a pool has a handful of people), so this answers in milliseconds."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = {key: model.new_bool_var(f"card{key[0]}_helper{key[1]}") for key in scores}
    for card in {i for i, _j in scores}:
        model.add_at_most_one(v for (i, _j), v in x.items() if i == card)
    for helper in {j for _i, j in scores}:
        model.add_at_most_one(v for (_i, j), v in x.items() if j == helper)
    model.maximize(sum(scores[key][0] * var for key, var in x.items()))
    solver = cp_model.CpSolver()
    # One worker: deterministic, and enough for a problem of this size.
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 2.0
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}
    return {i: j for (i, j), var in x.items() if solver.boolean_value(var)}
