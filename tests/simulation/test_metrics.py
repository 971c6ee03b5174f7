"""The metrics on hand-made years: make-up debt, intervals, histograms."""

import numpy as np
import pytest

from poolplan.simulation.engine import PolicyYear, Simulation
from poolplan.simulation.metrics import debt_by_day, estimate, histogram, summarise
from poolplan.simulation.model import Parameters, Week, pool_staff

from .conftest import example


def tiny_simulation(owed, delivered):
    """One child of the primary school's week, hand-made owed and delivered minutes."""
    instance = example("primary-school")
    owed = np.asarray(owed, dtype=np.float32)[None, :, None]
    delivered = np.asarray(delivered, dtype=np.int16)[None, :, None]
    week = Week(instance)
    params = Parameters(runs=1, days=owed.shape[1])
    present = np.ones(owed.shape, dtype=bool)
    sim = Simulation(week, params, present, owed, present.copy())
    sim.years["pool"] = PolicyYear(
        "pool", pool_staff(week, params), delivered, np.zeros(owed.shape, dtype=bool),
        np.zeros(1), np.zeros(1), np.zeros(1), np.ones((1, 1), dtype=np.int16))
    return sim


def test_debt_grows_by_what_is_missing_and_shrinks_by_make_up_never_below_zero():
    sim = tiny_simulation(owed=[100, 100, 100, 100, 100], delivered=[60, 100, 150, 200, 0])
    # 40 missing; 0; 50 made up (debt 0, not -10); 100 extra cannot be banked; 100 missing.
    assert debt_by_day(sim, sim.years["pool"]).tolist() == [[40, 40, 0, 0, 100]]


def test_on_the_day_share_counts_only_up_to_the_owed_minutes():
    sim = tiny_simulation(owed=[100, 100], delivered=[150, 50])
    (summary,) = summarise(sim)
    assert summary.metrics["approved_delivered"].mean == pytest.approx(150 / 200)
    assert summary.metrics["debt_hours"].mean == pytest.approx(50 / 60)


def test_the_interval_is_the_normal_approximation():
    values = np.array([1.0, 2.0, 3.0, 4.0])
    est = estimate(values, 0.95)
    half = 1.959964 * values.std(ddof=1) / 2
    assert (est.mean, est.low, est.high) == pytest.approx((2.5, 2.5 - half, 2.5 + half))
    single = estimate(np.array([0.7]), 0.95)
    assert single.low == single.mean == single.high == 0.7


def test_histograms_share_bins_and_count_every_run(comprehensive):
    from poolplan.simulation import simulate

    sim = simulate(comprehensive, Parameters(runs=30, days=20), np.random.default_rng(1))
    summaries = summarise(sim)
    chart = histogram(summaries, bins=8)
    assert len(chart["edges"]) == 9
    assert {name: sum(counts) for name, counts in chart["counts"].items()} == {
        "one-to-one": 30, "pool": 30, "pool+k": 30}
