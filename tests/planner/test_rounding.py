"""LP rounding, RINS and day LNS: they only ever hand the solver valid, no-worse plans."""

import pytest

from poolplan.planner import load_instance, rounding, solve
from poolplan.planner.check import check_assignments
from poolplan.planner.generate import generate_instance
from poolplan.planner.highs import solve_milp, solve_proto
from poolplan.planner.io import parse_assignments
from poolplan.planner.model import build_model
from poolplan.planner.rounding import day_lns, rins, round_lp

from .conftest import example_doc


def _level2_model(instance):
    pm = build_model(instance)
    pm.model.minimize(pm.levels["entitlement_shortfall"])
    return pm


def _rate(instance, plan):
    result = check_assignments(instance, plan)
    return (len(result.violations), result.objective.entitlement_shortfall)


@pytest.mark.parametrize("seed", [1, 2])
def test_it_rounds_the_lp_into_a_valid_plan_and_never_gets_worse(seed):
    instance = generate_instance(children=8, assistants=4, classes=2, seed=seed)
    pm = _level2_model(instance)
    lp = solve_proto(pm.model.proto, time_limit=10, seed=0, relax=True)
    rounded = round_lp(pm, lp.lp_values)
    assert not check_assignments(instance, rounded).violations
    # the LP bound is a lower bound of every plan
    assert _rate(instance, rounded)[1] >= lp.objective - 1e-6
    improved = rins(pm, lp.lp_values, rounded, seconds=5, seed=0)
    assert improved is not None
    assert _rate(instance, improved) <= _rate(instance, rounded)
    best = day_lns(pm, improved, lambda p: _rate(instance, p), seconds=5, seed=0)
    assert not check_assignments(instance, best).violations
    assert _rate(instance, best) <= _rate(instance, improved)


def test_it_keeps_pinned_rows_when_rounding():
    doc = example_doc("primary-school")
    instance = load_instance(doc)
    plan = solve(instance, time_limit=5)
    first = plan["assignments"][0]
    doc["pinned"] = [
        {"slot": first["slot"], "assistant": first["assistant"], "child": c}
        for c in first["children"]
    ]
    instance = load_instance(doc)
    pm = _level2_model(instance)
    lp = solve_proto(pm.model.proto, time_limit=10, seed=0, relax=True)
    rounded = round_lp(pm, lp.lp_values)
    assert not check_assignments(instance, rounded).violations
    rows = {(a.slot, a.assistant, c) for a in rounded for c in a.children}
    assert all((t.slot, t.assistant, t.child) in rows for t in instance.pinned)


def test_it_stops_the_day_search_after_its_patience(monkeypatch):
    instance = generate_instance(children=8, assistants=4, classes=2, seed=1)
    pm = _level2_model(instance)
    optimal = solve(instance, time_limit=10)
    assert "entitlement_shortfall" in optimal["solver"]["proven_levels"]
    plan = parse_assignments(optimal, instance)
    calls = []

    def counting(*args, **kwargs):
        calls.append(kwargs.get("fix"))
        return solve_milp(*args, **kwargs)

    monkeypatch.setattr(rounding, "solve_milp", counting)
    # From a plan whose level 2 is proven optimal no window can improve: patience 1 tries one
    # day only, the default a whole cycle of the five days.
    day_lns(pm, plan, lambda p: _rate(instance, p), seconds=30, seed=0, patience=1)
    assert len(calls) == 1
    calls.clear()
    day_lns(pm, plan, lambda p: _rate(instance, p), seconds=30, seed=0, days_at_once=1)
    assert len(calls) == len(instance.days)
    # every sub-solve pins the other days and leaves one day free
    assert all(0 < len(fix) < len(pm.x) for fix in calls)
