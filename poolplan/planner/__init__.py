"""poolplan's planner: Django-free. The public API the web application calls:

load_instance(doc) -> Instance        (raises InstanceError with "path: message" problems)
solve(instance, *, time_limit, workers, seed, method, ...) -> poolplan-plan/1 document
district.solve_schools(instances, DistrictOptions) -> one plan document per school
check(instance, plan_doc) -> CheckResult  (violations + recomputed objective)
"""

from poolplan.planner.check import CheckResult, check
from poolplan.planner.domain import Instance, Objective
from poolplan.planner.io import InputError, InstanceError, PlanError, load_instance
from poolplan.planner.solve import DEFAULTS, SolveOptions, solve

__all__ = [
    "DEFAULTS",
    "CheckResult",
    "InputError",
    "Instance",
    "InstanceError",
    "Objective",
    "PlanError",
    "SolveOptions",
    "check",
    "load_instance",
    "solve",
]
