"""The figures of a simulation, each per run and as a mean with a confidence interval.

Runs are independent school years, so a metric's mean over R runs has the normal
approximation interval mean +- z * sd / sqrt(R) (z = 1.96 for 95 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from poolplan.simulation.engine import PolicyYear, Simulation

# Owed minutes are fractions (day shares of a weekly approval), delivered ones whole slots.
TOLERANCE = 1.0


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str  # "share", "hours", "minutes", "count", "EUR"
    # Lower and upper logical bounds (None: unbounded); the property tests check them.
    low: float | None = 0.0
    high: float | None = None
    better: str = "higher"


METRICS: tuple[Metric, ...] = (
    Metric("child_days_supported", "child-days with support", "share", 0.0, 1.0),
    Metric("child_days_home", "child-days at home for want of care", "share", 0.0, 1.0, "lower"),
    Metric("approved_delivered", "approved minutes delivered on the day", "share", 0.0, 1.0),
    Metric("weeks_all_met", "weeks with every approval met", "share", 0.0, 1.0),
    Metric("debt_hours", "make-up debt at year end (hours, all children)", "hours",
           better="lower"),
    Metric("idle_minutes", "idle assistant minutes per week (all assistants)", "minutes",
           better="lower"),
    Metric("distinct_assistants", "distinct assistants per child over the year", "count",
           better="lower"),
    Metric("cost_per_hour", "cost per hour of support delivered (EUR)", "EUR", better="lower"),
    Metric("red_attended", "red minutes with an adult at hand", "share", 0.0, 1.0),
)
METRIC_BY_KEY = {m.key: m for m in METRICS}


@dataclass(frozen=True)
class Estimate:
    mean: float
    low: float
    high: float

    def as_dict(self, digits: int = 4) -> dict[str, float | None]:
        """Rounded; None where undefined (no run had a value, e.g. nothing delivered)."""
        return {k: round(float(v), digits) if np.isfinite(v) else None
                for k, v in (("mean", self.mean), ("low", self.low), ("high", self.high))}

    @property
    def defined(self) -> bool:
        return bool(np.isfinite(self.mean))


def estimate(values: np.ndarray, confidence: float) -> Estimate:
    """Mean and interval over the runs where the metric is defined (finite)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return Estimate(float("nan"), float("nan"), float("nan"))
    mean = float(values.mean())
    if values.size < 2:
        return Estimate(mean, mean, mean)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    half = z * float(values.std(ddof=1)) / np.sqrt(values.size)
    return Estimate(mean, mean - half, mean + half)


def _ratio(top: np.ndarray, bottom: np.ndarray, empty: float) -> np.ndarray:
    return np.divide(top, bottom, out=np.full(top.shape, empty, dtype=np.float64),
                     where=bottom > 0)


def debt_by_day(sim: Simulation, year: PolicyYear) -> np.ndarray:
    """debt[r, d]: make-up debt of all children (minutes) at the end of school day d.

    A child's debt grows by what it was owed and not given, and shrinks by what it was given
    beyond its owed minutes (make-up), never below zero."""
    runs, days, kids = sim.owed.shape
    debt = np.zeros((runs, kids))
    out = np.zeros((runs, days))
    for d in range(days):
        debt = np.maximum(debt + sim.owed[:, d] - year.delivered[:, d], 0.0)
        out[:, d] = debt.sum(axis=1)
    return out


def per_run(sim: Simulation, year: PolicyYear, debt: np.ndarray | None = None
            ) -> dict[str, np.ndarray]:
    """Every metric of METRICS for each run (`debt`: debt_by_day, if already computed)."""
    need_day = sim.need_day
    delivered = year.delivered.astype(np.float64)
    owed = sim.owed.astype(np.float64)
    days_needed = need_day.sum(axis=(1, 2))
    supported = need_day & ~year.home & (year.delivered > 0)
    on_the_day = np.minimum(delivered, owed).sum(axis=(1, 2))
    owed_total = owed.sum(axis=(1, 2))
    debt = debt_by_day(sim, year) if debt is None else debt
    debt_end = debt[:, -1]
    # Weeks: consecutive runs of len(days) school days (the last may be shorter).
    per_week = len(sim.week.days)
    weeks = -(-sim.params.days // per_week)
    pad = weeks * per_week - sim.params.days
    shape = (sim.runs, weeks, per_week, owed.shape[2])
    week_owed = np.pad(owed, ((0, 0), (0, pad), (0, 0))).reshape(shape).sum(axis=2)
    week_given = np.pad(delivered, ((0, 0), (0, pad), (0, 0))).reshape(shape).sum(axis=2)
    met = (week_given >= week_owed - TOLERANCE).all(axis=2).mean(axis=1)
    helped = year.delivered.sum(axis=1) > 0
    distinct = _ratio((year.distinct * helped).sum(axis=1), helped.sum(axis=1), 0.0)
    cost = year.staff.cost_per_year(sim.params.days)
    # Every child's minutes with an adult count (a child in a group of three: one hour each).
    support_hours = delivered.sum(axis=(1, 2)) / 60.0
    return {
        "child_days_supported": _ratio(supported.sum(axis=(1, 2)), days_needed, 1.0),
        "child_days_home": _ratio((year.home & need_day).sum(axis=(1, 2)), days_needed, 0.0),
        "approved_delivered": _ratio(on_the_day, owed_total, 1.0),
        "weeks_all_met": met,
        "debt_hours": debt_end / 60.0,
        "idle_minutes": year.idle_minutes / sim.weeks,
        "distinct_assistants": distinct,
        "cost_per_hour": _ratio(np.full(sim.runs, cost), support_hours, np.nan),
        "red_attended": _ratio(year.red_attended, year.red_minutes, 1.0),
    }


@dataclass
class PolicySummary:
    policy: str
    assistants: int
    staff_minutes: int  # contract minutes per week, all assistants
    cost_per_year: float
    runs: int
    seconds: float
    metrics: dict[str, Estimate]
    values: dict[str, np.ndarray]
    debt_weeks: dict[str, list[float]]  # mean, p10, p90 of the debt (hours) at each week's end

    def row(self, instance: str) -> dict:
        """The JSON row of bench and CLI: instance, policy, runs, seconds and the metrics."""
        return {
            "instance": instance,
            "policy": self.policy,
            "runs": self.runs,
            "seconds": round(self.seconds, 3),
            "assistants": self.assistants,
            "staff_minutes": self.staff_minutes,
            "cost_per_year": round(self.cost_per_year, 2),
            **{key: est.as_dict() for key, est in self.metrics.items()},
        }


def summarise(sim: Simulation) -> list[PolicySummary]:
    out = []
    per_week = len(sim.week.days)
    for name, year in sim.years.items():
        debt = debt_by_day(sim, year)
        values = per_run(sim, year, debt)
        debt = debt / 60.0
        ends = np.minimum(np.arange(per_week, sim.params.days + per_week, per_week),
                          sim.params.days) - 1
        at_ends = debt[:, ends]
        out.append(PolicySummary(
            policy=name,
            assistants=year.staff.size,
            staff_minutes=int(year.staff.contract.sum()),
            cost_per_year=year.staff.cost_per_year(sim.params.days),
            runs=sim.runs,
            seconds=year.seconds,
            metrics={m.key: estimate(values[m.key], sim.params.confidence) for m in METRICS},
            values=values,
            debt_weeks={
                "mean": [round(float(v), 2) for v in at_ends.mean(axis=0)],
                "p10": [round(float(v), 2) for v in np.percentile(at_ends, 10, axis=0)],
                "p90": [round(float(v), 2) for v in np.percentile(at_ends, 90, axis=0)],
            },
        ))
    return out


def histogram(summaries: list[PolicySummary], key: str = "approved_delivered",
              bins: int = 20) -> dict:
    """Counts of runs per bin of one metric, the same bins for every policy."""
    values = [s.values[key] for s in summaries]
    low = min(float(v.min()) for v in values)
    high = max(float(v.max()) for v in values)
    if high - low < 1e-9:
        low, high = low - 0.005, high + 0.005
    edges = np.linspace(low, high, bins + 1)
    return {
        "metric": key,
        "edges": [round(float(e), 4) for e in edges],
        "counts": {s.policy: np.histogram(v, bins=edges)[0].tolist()
                   for s, v in zip(summaries, values, strict=True)},
    }
