"""Hard rules and objective levels as plain functions over a PlanView (used by the checker,
the greedy baseline's own validation and the tests; the CP-SAT model encodes the same rules
in model.py)."""

from poolplan.planner.rules.hard import HARD_RULES, HardRule, Violation, violations
from poolplan.planner.rules.objective import OBJECTIVE_LEVELS, Level, objective
from poolplan.planner.rules.view import PlanView

__all__ = [
    "HARD_RULES",
    "OBJECTIVE_LEVELS",
    "HardRule",
    "Level",
    "PlanView",
    "Violation",
    "objective",
    "violations",
]
