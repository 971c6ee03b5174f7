"""The independent checker: validates a plan against an instance and recomputes the objective
from the assignments alone. It shares no code with the solver (only the rule functions), so a
modelling slip in model.py shows up here as a violation or an objective mismatch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from poolplan.planner.domain import LEVEL_NAMES, Assignment, Instance, Objective
from poolplan.planner.io import parse_assignments
from poolplan.planner.rules import PlanView, Violation, objective, violations


@dataclass(frozen=True)
class CheckResult:
    violations: list[Violation]
    objective: Objective
    # Lines where the plan's own `objective` disagrees with the recomputed one.
    mismatches: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.violations and not self.mismatches

    def problems(self) -> list[str]:
        return [str(v) for v in self.violations] + self.mismatches


def check_assignments(
    instance: Instance, assignments: list[Assignment] | tuple[Assignment, ...]
) -> CheckResult:
    view = PlanView(instance, tuple(assignments))
    return CheckResult(violations(view), objective(view))


def check(instance: Instance, plan: dict[str, Any]) -> CheckResult:
    """Check a `poolplan-plan/1` document against an instance.

    Raises:
        PlanError: when the plan is not readable (shape, unknown ids).
    """
    result = check_assignments(instance, parse_assignments(plan, instance))
    mismatches = []
    reported = plan.get("objective")
    if plan.get("status") == "infeasible":
        pass  # an infeasible plan carries no objective worth comparing
    elif isinstance(reported, dict):
        recomputed = result.objective.as_dict()
        for name in LEVEL_NAMES:
            if reported.get(name) != recomputed[name]:
                mismatches.append(
                    f"Objective mismatch: objective.{name} is {reported.get(name)!r}, "
                    f"the assignments give {recomputed[name]}"
                )
    else:
        mismatches.append("Objective mismatch: objective: missing, the plan reports no objective")
    return CheckResult(result.violations, result.objective, mismatches)
