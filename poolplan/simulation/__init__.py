"""poolplan's simulator: Monte Carlo school years of a pool, Django-free.

All randomness comes from the numpy Generator the caller passes in; nothing is global.

simulate(instance, params, rng) -> Simulation      (per-run arrays of each policy)
summarise(simulation) -> [PolicySummary]           (metrics with confidence intervals)
size_pool(instance, params, seed) -> Sizing        (smallest pool, fixed-person advice)
planner_distance(week, staff, params, rng)         (the pool heuristic against the planner)
"""

from poolplan.simulation.distance import planner_distance
from poolplan.simulation.engine import Simulation, simulate, staffs
from poolplan.simulation.metrics import METRICS, PolicySummary, histogram, summarise
from poolplan.simulation.model import POLICIES, ParameterError, Parameters, Week
from poolplan.simulation.sizing import Sizing, size_pool

__all__ = [
    "METRICS",
    "POLICIES",
    "ParameterError",
    "Parameters",
    "PolicySummary",
    "Simulation",
    "Sizing",
    "Week",
    "histogram",
    "planner_distance",
    "simulate",
    "size_pool",
    "staffs",
    "summarise",
]
