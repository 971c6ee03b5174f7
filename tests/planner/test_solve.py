import sys
import time
from dataclasses import replace

import pytest

from poolplan.planner import check, load_instance, solve
from poolplan.planner.check import check_assignments
from poolplan.planner.domain import LEVEL_NAMES, Assignment, Triple
from poolplan.planner.generate import generate_instance
from poolplan.planner.greedy import greedy_plan
from poolplan.planner.highs import Relaxation, read_proto, solve_milp
from poolplan.planner.io import triples_to_json
from poolplan.planner.model import build_model, odd_set_rows
from poolplan.planner.solve import SolveOptions, lexicographic, tighten_lp

from .conftest import EXAMPLE_NAMES, assistant, child, example_doc, slot, tiny

# Small limits keep the suite fast; validity does not depend on reaching the optimum.
QUICK = {"time_limit": 4.0, "workers": 2, "seed": 1}


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_it_solves_the_shared_examples_into_plans_that_pass_check(name):
    instance = load_instance(example_doc(name))
    plan = solve(instance, **QUICK)
    assert plan["status"] in ("optimal", "feasible")
    result = check(instance, plan)
    assert result.valid, result.problems()


def test_it_proves_the_primary_school_optimal_and_beats_greedy():
    instance = load_instance(example_doc("primary-school"))
    plan = solve(instance, time_limit=20, workers=2)
    greedy = solve(instance, method="greedy")
    assert plan["status"] == "optimal" and plan["solver"]["proven_optimal"]
    assert plan["solver"]["bounds"] == plan["objective"]
    assert tuple(plan["objective"].values()) <= tuple(greedy["objective"].values())
    assert greedy["status"] == "feasible"


def test_it_replans_an_unchanged_instance_with_no_changes():
    doc = example_doc("primary-school")
    first = solve(load_instance(doc), time_limit=20, workers=2)
    doc["previous"] = [
        {"slot": row["slot"], "assistant": row["assistant"], "child": c}
        for row in first["assignments"]
        for c in row["children"]
    ]
    again = solve(load_instance(doc), time_limit=20, workers=2)
    assert first["status"] == again["status"] == "optimal"
    assert again["objective"]["changes"] == 0


@pytest.mark.parametrize("engine", ["highs", "cpsat"])
def test_it_is_deterministic_for_a_fixed_seed(engine):
    instance = generate_instance(children=3, assistants=2, classes=1, seed=3)
    # CP-SAT stops on deterministic time, so even a run cut short by the limit repeats exactly.
    runs = [solve(instance, time_limit=2, workers=2, seed=7, engine=engine) for _ in range(2)]
    for run in runs:
        del run["solver"]["seconds"], run["solver"]["level_seconds"]
        del run["solver"]["level_done_at"]
    assert runs[0] == runs[1]


def test_it_reports_infeasible_pinned_assignments_with_the_reason():
    doc = tiny(
        assistants=[assistant("a1", unavailable=["mon-1"])],
        pinned=[{"slot": "mon-1", "assistant": "a1", "child": "c1"}],
    )
    plan = solve(load_instance(doc), **QUICK)
    assert plan["status"] == "infeasible"
    assert plan["explanations"] == [
        "The pinned assignments cannot all hold: "
        "Assistant not available: a1 is not available in mon-1"
    ]


def test_it_keeps_pinned_assignments_even_when_worse():
    doc = tiny(
        assistants=[assistant("a1"), assistant("a2")],
        children=[child("c1", {"mon-1": 1}, primary="a1")],
        pinned=[{"slot": "mon-1", "assistant": "a2", "child": "c1"}],
    )
    plan = solve(load_instance(doc), **QUICK)
    assert plan["assignments"] == [{"slot": "mon-1", "assistant": "a2", "children": ["c1"]}]
    assert plan["objective"]["non_primary_minutes"] == 45


def test_it_groups_children_to_cover_more_need():
    doc = tiny(
        slots=[slot("mon-1")],
        children=[
            child(f"c{i}", {"mon-1": 1}, max_ratio=3, approved_minutes=45) for i in (1, 2, 3)
        ],
    )
    plan = solve(load_instance(doc), **QUICK)
    assert plan["assignments"] == [
        {"slot": "mon-1", "assistant": "a1", "children": ["c1", "c2", "c3"]}
    ]
    assert plan["status"] == "optimal"


def test_it_writes_the_plan_format_of_the_spec():
    instance = load_instance(tiny(previous=triples_to_json([Triple("mon-1", "a1", "c1")])))
    plan = solve(instance, **QUICK)
    assert set(plan) == {
        "format",
        "instance",
        "status",
        "assignments",
        "objective",
        "children",
        "assistants",
        "explanations",
        "solver",
    }
    assert plan["children"] == [
        {"id": "c1", "approved": 0, "credited": 45, "shortfall": 0, "assistants": ["a1"]}
    ]
    assert plan["assistants"] == [{"id": "a1", "minutes": 45, "max_minutes": 1000}]
    assert plan["objective"]["changes"] == 0


def test_it_reports_when_each_level_was_settled():
    plan = solve(generate_instance(children=6, assistants=3, classes=2, seed=2), time_limit=4)
    done_at = [plan["solver"]["level_done_at"][name] for name in LEVEL_NAMES]
    # counted from the call, so they only grow, and none is later than the whole solve
    assert done_at == sorted(done_at)
    assert 0 < done_at[-1] <= plan["solver"]["seconds"]
    for name in LEVEL_NAMES:
        assert plan["solver"]["level_seconds"][name] <= plan["solver"]["level_done_at"][name]


def test_it_stops_after_the_level_it_is_asked_to():
    instance = load_instance(example_doc("primary-school"))
    options = SolveOptions(time_limit=10, workers=2, stop_after="changes")
    plan, results = lexicographic(instance, greedy_plan(instance), options, time.monotonic())
    assert list(results) == list(LEVEL_NAMES[:3])
    assert not check_assignments(instance, plan).violations


def _level_2_lp(instance):
    pm = build_model(instance)
    pm.model.add(pm.levels["individual_need_gap"] <= 0)
    pm.model.minimize(pm.levels["entitlement_shortfall"])
    milp = read_proto(pm.model.proto)
    relaxation = Relaxation(milp, seed=0)
    return pm, milp, relaxation, relaxation.solve(10)


def test_it_keeps_the_odd_set_rows_that_raise_the_lp_bound():
    instance = load_instance(example_doc("comprehensive-school-sick-tuesday"))
    pm, milp, relaxation, lp = _level_2_lp(instance)
    before = len(pm.model.proto.constraints)
    tight, stronger = tighten_lp(pm, milp, relaxation, lp, SolveOptions(), 10)
    assert stronger.objective > lp.objective + 10
    # The rows are in the model now, so every later solve of it has them.
    assert len(pm.model.proto.constraints) > before == milp.constraint_count
    assert tight.constraint_count == len(pm.model.proto.constraints)
    again = solve_milp(tight, time_limit=10, seed=0, relax=True)
    assert abs(again.objective - stronger.objective) < 1e-6


def test_it_leaves_the_model_alone_when_the_rows_do_not_raise_the_bound():
    # Generated 15/7 (the bench's): its level-2 LP violates odd-set rows, but with them the
    # bound stays 300.
    instance = generate_instance(children=15, assistants=7, classes=4, seed=1)
    pm, milp, relaxation, lp = _level_2_lp(instance)
    assert odd_set_rows(pm, lp.lp_values)
    before = len(pm.model.proto.constraints)
    tight, same = tighten_lp(pm, milp, relaxation, lp, SolveOptions(), 10)
    assert tight is milp and same is lp
    assert len(pm.model.proto.constraints) == before
    # The rows tried are out of the relaxation again.
    assert abs(relaxation.solve(10).objective - lp.objective) < 1e-6


def test_it_rounds_a_bound_up_to_the_next_value_a_level_can_take():
    round_up = sys.modules["poolplan.planner.solve"]._round_up
    assert round_up(785.2, 5) == 790  # no plan can be worth 786-789 minutes short
    assert round_up(785.0000001, 5) == 785  # LP noise is not a step
    assert round_up(784.0, 5) == 785
    assert round_up(309.2, 1) == 310


@pytest.mark.parametrize("time_limit, dives", [(3, True), (60, False)])
def test_it_dives_only_when_a_level_has_little_time(monkeypatch, time_limit, dives):
    solve_module = sys.modules["poolplan.planner.solve"]
    budgets = []

    def spy(pm, relaxation, lp_values, *, seconds):
        budgets.append(seconds)
        return lp_values

    monkeypatch.setattr(solve_module, "dive", spy)
    instance = generate_instance(children=12, assistants=5, classes=3, seed=4)
    options = SolveOptions(time_limit=time_limit, workers=2, stop_after="entitlement_shortfall")
    plan, results = lexicographic(instance, greedy_plan(instance), options, time.monotonic())
    assert not check_assignments(instance, plan).violations
    assert bool(budgets) == dives
    assert all(b < options.dive_below * options.dive_share for b in budgets)


def _rows(plan):
    return [
        Assignment(r["slot"], r["assistant"], tuple(r["children"])) for r in plan["assignments"]
    ]


def test_it_starts_from_a_given_plan_and_keeps_settled_levels_unsearched():
    instance = generate_instance(children=12, assistants=5, classes=3, seed=4)
    first = solve(instance, time_limit=4, workers=2, stop_after="entitlement_shortfall")
    top = LEVEL_NAMES[:2]
    assert first["objective"]["entitlement_shortfall"] > 0
    settled = {n: first["solver"]["bounds"][n] for n in top}
    again = solve(instance, time_limit=4, workers=2, start=_rows(first), settled=settled)
    for name in top:
        assert again["objective"][name] == first["objective"][name]
        assert again["solver"]["bounds"][name] == settled[name]
        assert again["solver"]["level_seconds"][name] == 0
    assert check(instance, again).valid


def test_it_does_not_call_a_settled_level_proven_below_its_value():
    instance = generate_instance(children=12, assistants=5, classes=3, seed=4)
    first = solve(instance, time_limit=4, workers=2, stop_after="entitlement_shortfall")
    assert first["objective"]["entitlement_shortfall"] > 0
    again = solve(
        instance,
        time_limit=2,
        workers=2,
        start=_rows(first),
        settled={"entitlement_shortfall": 0},
        stop_after="changes",
    )
    assert (
        again["objective"]["entitlement_shortfall"] == first["objective"]["entitlement_shortfall"]
    )
    assert again["solver"]["bounds"]["entitlement_shortfall"] == 0
    assert "entitlement_shortfall" not in again["solver"]["proven_levels"]


def _clashing_start():
    doc = tiny(
        children=[child("c1", {"mon-1": 1}, "R1"), child("c2", {"mon-1": 1}, "R2")],
    )
    # a1 in two places at once: no valid plan.
    return load_instance(doc), [
        Assignment("mon-1", "a1", ("c1",)),
        Assignment("mon-1", "a1", ("c2",)),
    ]


def test_it_ignores_an_invalid_start_plan():
    instance, start = _clashing_start()
    plan = solve(instance, time_limit=2, workers=2, start=start)
    assert check(instance, plan).valid
    assert len(plan["assignments"]) == 1


def test_it_refuses_settled_levels_without_a_valid_start():
    instance, start = _clashing_start()
    with pytest.raises(ValueError, match="valid start"):
        solve(instance, start=start, settled={"individual_need_gap": 0})
    with pytest.raises(ValueError, match="start plan"):
        solve(instance, settled={"individual_need_gap": 0})
    with pytest.raises(ValueError, match="unknown levels"):
        solve(instance, start=[], settled={"speed": 0})
    with pytest.raises(ValueError, match="stop_after"):
        solve(instance, stop_after="speed")


def test_it_never_calls_a_plan_optimal_when_it_stopped_early():
    instance = load_instance(example_doc("primary-school"))
    plan = solve(instance, time_limit=20, workers=2, stop_after="entitlement_shortfall")
    assert plan["solver"]["proven_levels"] == list(LEVEL_NAMES[:2])
    assert plan["status"] == "feasible" and not plan["solver"]["proven_optimal"]


@pytest.mark.parametrize("whole_limit", [True, False])
def test_it_gives_the_levels_up_to_the_stop_the_whole_limit_if_asked(monkeypatch, whole_limit):
    solve_module = sys.modules["poolplan.planner.solve"]
    budgets = []

    def spy(pm, incumbent, budget, options, use_start=True, milp=None, unit=1):
        budgets.append((pm, budget))
        return None, 0, 0.0

    monkeypatch.setattr(solve_module, "_solve_level", spy)
    instance = generate_instance(children=12, assistants=5, classes=3, seed=4)
    options = SolveOptions(
        time_limit=10,
        workers=2,
        lp_rounding=False,
        stop_after="entitlement_shortfall",
        whole_limit=whole_limit,
    )
    lexicographic(instance, greedy_plan(instance), options, time.monotonic())
    # The last level searched is level 2 (level 1 only if the greedy plan misses a need).
    level_2 = budgets[-1][1]
    if whole_limit:
        assert level_2 > 9  # all that is left of the 10 s
    else:
        assert level_2 < 8  # levels 1-3 share 80 %, levels 4-6 keep the rest


def _heuristics_return(monkeypatch, plan, *, rins=None, day_lns=None):
    """Let the LP rounding return `plan` (the greedy plan, above the LP bound in these tests,
    so that the later heuristics have something to search for); RINS finds nothing and the
    day search returns its start, unless given other stand-ins."""
    solve_module = sys.modules["poolplan.planner.solve"]
    monkeypatch.setattr(solve_module, "round_lp", lambda *args, **kwargs: plan)
    monkeypatch.setattr(solve_module, "rins", rins or (lambda *args, **kwargs: None))
    monkeypatch.setattr(
        solve_module, "day_lns", day_lns or (lambda pm, start, *args, **kwargs: start)
    )


@pytest.mark.parametrize(
    "tuning, polished, searched",
    [
        ({}, False, False),
        ({"polish_share": 0.15}, True, False),
        ({"polish_share": 0.15, "shortfall_share": 0.2}, True, True),
    ],
)
def test_it_runs_the_local_and_shortfall_search_only_when_tuned_to(
    monkeypatch, tuning, polished, searched
):
    solve_module = sys.modules["poolplan.planner.solve"]
    calls = {"polish": 0, "search": 0}

    def polish(instance, plan, seconds):
        calls["polish"] += 1
        assert seconds > 0
        return plan

    def search(pm, plan, rate, **kwargs):
        calls["search"] += 1
        return plan

    monkeypatch.setattr(solve_module, "improve_shortfall", polish)
    monkeypatch.setattr(solve_module, "shortfall_lns", search)
    instance = generate_instance(children=12, assistants=5, classes=3, seed=4)
    _heuristics_return(monkeypatch, greedy_plan(instance))
    plan = solve(
        instance, time_limit=3, workers=2, stop_after="entitlement_shortfall", tuning=tuning
    )
    assert check(instance, plan).valid
    assert bool(calls["polish"]) == polished
    assert bool(calls["search"]) == searched


@pytest.mark.parametrize(
    "replanning, tuning, searched",
    [
        (False, {}, True),
        (True, {}, False),
        (True, {"lns_replanning": True}, True),
    ],
)
def test_it_leaves_out_the_day_search_when_replanning_unless_told(
    monkeypatch, replanning, tuning, searched
):
    instance = generate_instance(children=12, assistants=5, classes=3, seed=4)
    greedy = greedy_plan(instance)
    if replanning:
        instance = replace(instance, previous=tuple(t for row in greedy for t in row.triples()))
    calls = []

    def day_search(pm, plan, *args, **kwargs):
        calls.append(plan)
        return plan

    _heuristics_return(monkeypatch, greedy, day_lns=day_search)
    plan = solve(
        instance, time_limit=3, workers=2, stop_after="entitlement_shortfall", tuning=tuning
    )
    assert check(instance, plan).valid
    assert bool(calls) == searched


def test_it_never_gives_the_heuristics_more_than_the_level_has_left(monkeypatch):
    # Shares that add up to well over 1; each heuristic uses all it is given (it sleeps).
    # Without the cap the level would run 0.5 + 0.9 + 0.9 = 2.3 times its budget.
    given = []

    def slow(plan_index):
        def heuristic(*args, seconds, **kwargs):
            given.append(seconds)
            time.sleep(seconds)
            plan = args[plan_index]
            return plan

        return heuristic

    instance = generate_instance(children=12, assistants=5, classes=3, seed=4)
    greedy = greedy_plan(instance)
    _heuristics_return(monkeypatch, greedy, rins=slow(2), day_lns=slow(1))
    options = SolveOptions(
        time_limit=2,
        workers=2,
        stop_after="entitlement_shortfall",
        whole_limit=True,
        rins_share=0.5,
        lns_share=0.9,
        dive_share=0.0,
    )
    started = time.monotonic()
    plan, results = lexicographic(instance, greedy, options, started)
    assert len(given) == 2 and given[1] < 0.9 * 2 - 0.5  # the LNS got what RINS left
    assert results["entitlement_shortfall"].done_at < 2 + 0.5
    assert not check_assignments(instance, plan).violations
