from poolplan.planner import check, load_instance

from .conftest import tiny


def plan(rows, objective=None, status="feasible"):
    return {
        "format": "poolplan-plan/1",
        "status": status,
        "assignments": [{"slot": s, "assistant": a, "children": cs} for s, a, cs in rows],
        "objective": objective,
    }


PERFECT = {
    "individual_need_gap": 0,
    "entitlement_shortfall": 0,
    "changes": 0,
    "shared_need_gap": 0,
    "non_primary_minutes": 0,
    "distinct_pairs": 1,
}


def test_it_accepts_a_valid_plan_with_its_true_objective():
    result = check(load_instance(tiny()), plan([("mon-1", "a1", ["c1"])], PERFECT))
    assert result.valid
    assert result.objective.as_dict() == PERFECT


def test_it_reports_an_objective_the_assignments_do_not_give():
    claimed = dict(PERFECT, distinct_pairs=0)
    result = check(load_instance(tiny()), plan([], claimed))
    assert [v.rule for v in result.violations] == []
    assert result.mismatches == [
        "Objective mismatch: objective.shared_need_gap is 0, the assignments give 45"
    ]
    assert not result.valid


def test_it_lists_the_broken_rule_by_label():
    doc = tiny(assistants=[{"id": "a1", "skills": [], "max_minutes": 10}])
    result = check(load_instance(doc), plan([("mon-1", "a1", ["c1"])], PERFECT))
    assert result.problems() == ["Contract minutes exceeded: a1 works 45 min, contract allows 10"]


def test_it_merges_rows_that_repeat_a_slot_and_assistant():
    doc = tiny(
        children=[
            {"id": "c1", "max_ratio": 1, "needs": {"mon-1": 1}, "location": {"mon-1": "R1"}},
            {"id": "c2", "max_ratio": 1, "needs": {"mon-1": 1}, "location": {"mon-1": "R1"}},
        ]
    )
    result = check(
        load_instance(doc), plan([("mon-1", "a1", ["c1"]), ("mon-1", "a1", ["c2"])], None)
    )
    assert [v.rule for v in result.violations] == ["group_within_ratio", "group_within_ratio"]
