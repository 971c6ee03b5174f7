"""Whole simulated years: reproducible for a seed, the same in one or two processes, metrics
within their logical bounds, and the two limiting cases the issue names."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poolplan.planner.generate import generate_instance
from poolplan.simulation import METRICS, ParameterError, Parameters, simulate, summarise

from .conftest import few, rng


def arrays(sim):
    return {name: (y.delivered, y.home, y.red_minutes, y.red_attended, y.idle_minutes,
                   y.distinct) for name, y in sim.years.items()}


def same(a, b) -> bool:
    return all(all(np.array_equal(x, y) for x, y in zip(a[k], b[k], strict=True)) for k in a)


def test_a_seeded_run_repeats_exactly(primary):
    first = simulate(primary, few(), rng(5))
    again = simulate(primary, few(), rng(5))
    other = simulate(primary, few(), rng(6))
    assert same(arrays(first), arrays(again))
    assert np.array_equal(first.present, again.present)
    assert not same(arrays(first), arrays(other))
    assert [s.metrics for s in summarise(first)] == [s.metrics for s in summarise(again)]


def test_a_policy_does_not_change_when_others_are_left_out(comprehensive):
    """All policies see the same children and colours; each has streams of its own."""
    everything = simulate(comprehensive, few(runs=6), rng(3))
    alone = simulate(comprehensive, few(runs=6), rng(3), policies=["pool+k"])
    assert same({"pool+k": arrays(everything)["pool+k"]}, arrays(alone))


def test_pool_plus_zero_is_the_pool(primary):
    sim = simulate(primary, few(extra=0), rng(8), policies=["pool", "pool+k"])
    assert list(sim.years) == ["pool", "pool+k"]
    assert same({"x": arrays(sim)["pool"]}, {"x": arrays(sim)["pool+k"]})


def test_without_absences_one_to_one_supports_every_child_day(comprehensive, primary):
    for instance in (comprehensive, primary):
        params = few(absence=0.0, leave_days=0)
        (one,) = summarise(simulate(instance, params, rng(), policies=["one-to-one"]))
        assert one.metrics["child_days_supported"].mean == 1.0
        assert one.metrics["child_days_home"].mean == 0.0
        assert one.metrics["approved_delivered"].mean == 1.0
        assert one.metrics["distinct_assistants"].mean == 1.0


def test_with_ample_staff_the_pool_meets_every_approval(comprehensive):
    """20 extra assistants and nobody ill: every child gets its owed minutes every week."""
    params = few(absence=0.0, leave_days=0, extra=20)
    (pool,) = summarise(simulate(comprehensive, params, rng(), policies=["pool+k"]))
    assert pool.metrics["approved_delivered"].mean == 1.0
    assert pool.metrics["weeks_all_met"].mean == 1.0
    assert pool.metrics["debt_hours"].mean == 0.0
    assert pool.metrics["child_days_supported"].mean == 1.0


def test_fewer_absences_never_hurt_the_pool(comprehensive):
    ill = summarise(simulate(comprehensive, few(absence=0.3), rng(), policies=["pool"]))[0]
    well = summarise(simulate(comprehensive, few(absence=0.0), rng(), policies=["pool"]))[0]
    assert well.metrics["approved_delivered"].mean > ill.metrics["approved_delivered"].mean
    assert well.metrics["debt_hours"].mean < ill.metrics["debt_hours"].mean


def check_bounds(sim):
    week, params = sim.week, sim.params
    for summary in summarise(sim):
        year = sim.years[summary.policy]
        for metric in METRICS:
            values = summary.values[metric.key]
            estimate = summary.metrics[metric.key]
            assert values.shape == (params.runs,)
            defined = values[np.isfinite(values)]
            # Only the cost per hour is undefined, in a year without any support at all.
            assert defined.size == values.size or metric.key == "cost_per_hour"
            if metric.low is not None:
                assert (defined >= metric.low - 1e-9).all(), metric.key
            if metric.high is not None:
                assert (defined <= metric.high + 1e-9).all(), metric.key
            if estimate.defined:
                assert estimate.low <= estimate.mean + 1e-9 <= estimate.high + 2e-9
        assert (summary.values["distinct_assistants"] <= year.staff.size).all()
        # Never more than the need minutes of the day, nothing on a child's absent days.
        weekday = np.arange(params.days) % len(week.days)
        need = week.need_minutes[weekday][None]
        assert (year.delivered <= need).all()
        assert (year.delivered[~sim.present] == 0).all()
        assert not (year.home & ~sim.present).any()
        assert (year.red_attended <= year.red_minutes).all()
        assert (summary.values["idle_minutes"] >= 0).all()
        assert all(x >= 0 for x in summary.debt_weeks["mean"])


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 1000), children=st.integers(1, 10), assistants=st.integers(0, 5),
       absence=st.floats(0.0, 0.6), child_absence=st.floats(0.0, 0.5),
       leave=st.integers(0, 10), days=st.integers(1, 30), extra=st.sampled_from([None, 0, 2]),
       home=st.booleans())
def test_metrics_never_leave_their_logical_bounds(seed, children, assistants, absence,
                                                  child_absence, leave, days, extra, home):
    instance = generate_instance(children=children, assistants=max(assistants, 1),
                                 classes=max(1, children // 4), seed=seed)
    if assistants == 0:
        instance = dataclasses.replace(instance, assistants=(), children=tuple(
            dataclasses.replace(c, fixed=(), primary=None) for c in instance.children))
    params = Parameters(runs=4, days=days, absence=absence, absence_spell=3.0,
                        child_absence=child_absence, child_absence_spell=3.0,
                        leave_days=min(leave, days), extra=extra, home_without_care=home)
    check_bounds(simulate(instance, params, rng(seed)))


def test_the_shared_examples_stay_within_bounds(comprehensive, primary):
    for instance in (comprehensive, primary):
        check_bounds(simulate(instance, few(), rng(9)))


def test_it_refuses_unknown_policies_and_bad_parameters(primary):
    with pytest.raises(ParameterError) as error:
        simulate(primary, few(), rng(), policies=["pool", "two-to-one"])
    assert error.value.problems == [
        "--policy: unknown policy 'two-to-one' (one of one-to-one, pool, pool+k)"]
    with pytest.raises(ParameterError) as error:
        simulate(primary, few(runs=0, absence=2.0), rng())
    assert error.value.problems == ["--runs: must be at least 1, got 0",
                                    "--absence: must be at least 0 and below 1, got 2"]
