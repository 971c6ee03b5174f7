"""LP rounding, RINS and day LNS: they only ever hand the solver valid, no-worse plans."""

import pytest

from poolplan.planner import load_instance, rounding, solve
from poolplan.planner.check import check_assignments
from poolplan.planner.domain import Assignment
from poolplan.planner.generate import generate_instance
from poolplan.planner.greedy import greedy_plan
from poolplan.planner.highs import Relaxation, read_proto, solve_milp, solve_proto
from poolplan.planner.io import parse_assignments
from poolplan.planner.model import build_model
from poolplan.planner.rounding import day_lns, dive, rins, round_lp

from .conftest import assistant, child, example_doc, slot, tiny


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


def _own_need_instance(max_minutes: int):
    """a1 alone; c1 needs an adult of its own in mon-2, c2 and c3 may share one in mon-1 and
    mon-2 (another room)."""
    return load_instance(
        tiny(
            slots=[slot("mon-1"), slot("mon-2", "08:50", "09:35")],
            assistants=[assistant("a1", max_minutes=max_minutes)],
            children=[
                child("c1", {"mon-2": 2}, "R1"),
                child("c2", {"mon-1": 1, "mon-2": 1}, "R2", max_ratio=2, approved_minutes=90),
                child("c3", {"mon-1": 1, "mon-2": 1}, "R2", max_ratio=2, approved_minutes=90),
            ],
        )
    )


def _lp_of_shared_groups(pm):
    """LP values that run only the shared group, in every slot: the rounding's LP order then
    leaves c1's own-adult need uncovered."""
    values = [0.0] * len(pm.model.proto.variables)
    for (_, _, group), var in pm.x.items():
        if group == ("c2", "c3"):
            values[var.index] = 1.0
    return values


@pytest.mark.parametrize("max_minutes", [1000, 45])
def test_it_gives_an_own_adult_need_back_the_row_the_lp_rounding_took_away(max_minutes):
    # With 1000 minutes a1's shared group in mon-2 gives way; with 45 minutes (one slot) a1's
    # shared group in mon-1 gives way too, to make room in the contract.
    instance = _own_need_instance(max_minutes)
    pm = _level2_model(instance)
    lp = _lp_of_shared_groups(pm)
    own = [Assignment("mon-2", "a1", ("c1",))]
    without = round_lp(pm, lp)
    assert check_assignments(instance, without).objective.individual_need_gap == 45
    rounded = round_lp(pm, lp, own=own)
    result = check_assignments(instance, rounded)
    assert not result.violations
    assert result.objective.individual_need_gap == 0
    assert Assignment("mon-2", "a1", ("c1",)) in rounded


def test_it_does_not_give_an_own_adult_need_a_pinned_assistant():
    doc = tiny(
        slots=[slot("mon-1")],
        children=[
            child("c1", {"mon-1": 2}, "R1"),
            child("c2", {"mon-1": 2}, "R2"),
        ],
        pinned=[{"slot": "mon-1", "assistant": "a1", "child": "c2"}],
    )
    instance = load_instance(doc)
    pm = build_model(instance)
    rounded = round_lp(
        pm, [0.0] * len(pm.model.proto.variables), own=[Assignment("mon-1", "a1", ("c1",))]
    )
    assert not check_assignments(instance, rounded).violations
    assert rounded == [Assignment("mon-1", "a1", ("c2",))]


def test_it_matches_own_adult_needs_so_that_a_swap_covers_them_all():
    # c2 needs nursing, which only a1 has; c1 can have either. In LP order a1 takes c1 (0.6)
    # and c2 is left without an adult; a matching gives c1 to a2 and c2 to a1.
    doc = tiny(
        assistants=[assistant("a1", skills=["nursing"]), assistant("a2")],
        children=[
            child("c1", {"mon-1": 2}, "R1"),
            child("c2", {"mon-1": 2}, "R2", skills=["nursing"]),
        ],
    )
    instance = load_instance(doc)
    pm = build_model(instance)
    lp = [0.0] * len(pm.model.proto.variables)
    for key, value in ((("a1", ("c1",)), 0.6), (("a2", ("c1",)), 0.4), (("a1", ("c2",)), 0.4)):
        lp[pm.x[("mon-1", *key)].index] = value
    in_lp_order = round_lp(pm, lp)
    assert check_assignments(instance, in_lp_order).objective.individual_need_gap == 45
    matched = round_lp(pm, lp, match_own=True)
    assert not check_assignments(instance, matched).violations
    assert set(matched) == {
        Assignment("mon-1", "a1", ("c2",)),
        Assignment("mon-1", "a2", ("c1",)),
    }


def test_it_dives_to_an_integral_lp_and_leaves_the_relaxation_as_it_was():
    instance = generate_instance(children=8, assistants=4, classes=2, seed=1)
    pm = _level2_model(instance)
    milp = read_proto(pm.model.proto)
    relaxation = Relaxation(milp, seed=0)
    lp = relaxation.solve(10)
    assert any(1e-6 < lp.lp_values[v.index] < 1 - 1e-6 for v in pm.x.values())
    dived = dive(pm, relaxation, lp.lp_values, seconds=30)
    assert all(min(dived[v.index], 1 - dived[v.index]) < 1e-6 for v in pm.x.values())
    plan = round_lp(pm, dived)
    assert not check_assignments(instance, plan).violations
    # the dive's LP value is that of an integer point, so no better than the LP's
    assert sum(milp.cost[i] * dived[i] for i in range(milp.columns)) >= lp.objective - 1e-6
    assert relaxation.solve(10).objective == pytest.approx(lp.objective)


def test_it_frees_the_weeks_of_the_assistants_a_short_child_could_have():
    # Only a1 has nursing; its one lesson goes to c1, who needs no nursing and has no
    # entitlement. Freeing a1's week alone lets the MIP give that lesson to c2.
    instance = load_instance(
        tiny(
            slots=[slot("mon-1")],
            assistants=[assistant("a1", skills=["nursing"], max_minutes=45), assistant("a2")],
            children=[
                child("c1", {"mon-1": 1}, "R1"),
                child("c2", {"mon-1": 1}, "R2", approved_minutes=45, skills=["nursing"]),
            ],
        )
    )
    pm = _level2_model(instance)
    start = [Assignment("mon-1", "a1", ("c1",))]
    found = rounding.shortfall_lns(
        pm, start, lambda p: _rate(instance, p), seconds=10, seed=0, width=1
    )
    result = check_assignments(instance, found)
    assert not result.violations
    assert result.objective.entitlement_shortfall == 0
    assert Assignment("mon-1", "a1", ("c2",)) in found


@pytest.mark.parametrize("seed", [1, 2])
def test_it_never_returns_a_worse_plan_from_the_shortfall_search(seed):
    instance = generate_instance(children=12, assistants=5, classes=3, seed=seed)
    pm = _level2_model(instance)
    start = greedy_plan(instance)
    found = rounding.shortfall_lns(pm, start, lambda p: _rate(instance, p), seconds=3, seed=0)
    assert not check_assignments(instance, found).violations
    assert _rate(instance, found) <= _rate(instance, start)
