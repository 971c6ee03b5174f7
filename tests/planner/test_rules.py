"""Each hard rule and each objective level alone on a tiny instance: the rule under test is
the one that fires, and the level under test is the one that moves."""

import pytest

from poolplan.planner import load_instance
from poolplan.planner.domain import Assignment
from poolplan.planner.rules import HARD_RULES, OBJECTIVE_LEVELS, PlanView, objective, violations

from .conftest import assistant, child, slot, tiny


def fired(doc: dict, rows: list[tuple]) -> list[str]:
    view = PlanView(load_instance(doc), tuple(Assignment(s, a, tuple(cs)) for s, a, cs in rows))
    return [v.rule for v in violations(view)]


def levels(doc: dict, rows: list[tuple]) -> dict[str, int]:
    view = PlanView(load_instance(doc), tuple(Assignment(s, a, tuple(cs)) for s, a, cs in rows))
    return {k: v for k, v in objective(view).as_dict().items() if v}


def test_it_accepts_a_plan_that_keeps_every_rule():
    assert fired(tiny(), [("mon-1", "a1", ["c1"])]) == []


def test_it_has_a_human_label_for_every_rule_and_level():
    assert [r.number for r in HARD_RULES] == list(range(1, 9))
    assert all(r.label and r.label[0].isupper() for r in HARD_RULES + OBJECTIVE_LEVELS)


def test_it_fires_rule_1_when_the_assistant_is_absent():
    doc = tiny(assistants=[assistant("a1", unavailable=["mon-1"])])
    assert fired(doc, [("mon-1", "a1", ["c1"])]) == ["assistant_available"]


def test_it_fires_rule_2_for_support_without_need():
    doc = tiny(slots=[slot("mon-1"), slot("mon-2", "08:50", "09:35")])
    assert fired(doc, [("mon-2", "a1", ["c1"])]) == ["child_needs_support"]


def test_it_fires_rule_2_for_two_assistants_on_one_child():
    doc = tiny(assistants=[assistant("a1"), assistant("a2")])
    assert fired(doc, [("mon-1", "a1", ["c1"]), ("mon-1", "a2", ["c1"])]) == ["child_needs_support"]


def test_it_fires_rule_3_for_a_missing_skill():
    doc = tiny(children=[child("c1", {"mon-1": 1}, skills=["nursing"])])
    assert fired(doc, [("mon-1", "a1", ["c1"])]) == ["assistant_qualified"]


def test_it_fires_rule_3_for_someone_not_fixed():
    doc = tiny(
        assistants=[assistant("a1"), assistant("a2")],
        children=[child("c1", {"mon-1": 1}, fixed=["a2"])],
    )
    assert fired(doc, [("mon-1", "a1", ["c1"])]) == ["assistant_qualified"]


def test_it_fires_rule_4_for_a_group_in_two_rooms():
    doc = tiny(
        children=[
            child("c1", {"mon-1": 1}, "R1", max_ratio=2),
            child("c2", {"mon-1": 1}, "R2", max_ratio=2),
        ]
    )
    assert fired(doc, [("mon-1", "a1", ["c1", "c2"])]) == ["group_at_one_location"]


def test_it_fires_rule_5_for_a_group_above_a_ratio():
    doc = tiny(
        children=[child("c1", {"mon-1": 1}, max_ratio=1), child("c2", {"mon-1": 1}, max_ratio=2)]
    )
    assert fired(doc, [("mon-1", "a1", ["c1", "c2"])]) == ["group_within_ratio"]


def test_it_fires_rule_5_for_a_shared_child_with_need_2():
    doc = tiny(
        children=[child("c1", {"mon-1": 2}, max_ratio=2), child("c2", {"mon-1": 1}, max_ratio=2)]
    )
    assert fired(doc, [("mon-1", "a1", ["c1", "c2"])]) == ["group_within_ratio"]


def test_it_fires_rule_6_beyond_the_contract():
    doc = tiny(assistants=[assistant("a1", max_minutes=40)])
    assert fired(doc, [("mon-1", "a1", ["c1"])]) == ["contract_kept"]


def test_it_counts_a_group_slot_once_for_the_contract():
    doc = tiny(
        assistants=[assistant("a1", max_minutes=45)],
        children=[child("c1", {"mon-1": 1}, max_ratio=2), child("c2", {"mon-1": 1}, max_ratio=2)],
    )
    assert fired(doc, [("mon-1", "a1", ["c1", "c2"])]) == []


def test_it_fires_rule_7_for_too_many_assistants():
    doc = tiny(
        slots=[slot("mon-1"), slot("mon-2", "08:50", "09:35")],
        assistants=[assistant("a1"), assistant("a2")],
        children=[child("c1", {"mon-1": 1, "mon-2": 1}, max_assistants=1)],
    )
    assert fired(doc, [("mon-1", "a1", ["c1"]), ("mon-2", "a2", ["c1"])]) == [
        "few_distinct_assistants"
    ]


def test_it_fires_rule_8_for_a_missing_pinned_assignment():
    doc = tiny(pinned=[{"slot": "mon-1", "assistant": "a1", "child": "c1"}])
    assert fired(doc, []) == ["pinned_kept"]


def test_it_moves_level_1_for_an_uncovered_need_2():
    doc = tiny(children=[child("c1", {"mon-1": 2})])
    assert levels(doc, []) == {"individual_need_gap": 45}


def test_it_moves_level_2_for_approved_minutes_not_planned():
    doc = tiny(children=[child("c1", {"mon-1": 1}, approved_minutes=60)])
    assert levels(doc, [("mon-1", "a1", ["c1"])]) == {
        "entitlement_shortfall": 15,
        "distinct_pairs": 1,
    }


def test_it_moves_level_3_for_a_previous_assignment_dropped():
    doc = tiny(
        children=[child("c1", {"mon-1": 1}, approved_minutes=0)],
        assistants=[assistant("a1"), assistant("a2")],
        previous=[{"slot": "mon-1", "assistant": "a2", "child": "c1"}],
    )
    assert levels(doc, [("mon-1", "a1", ["c1"])]) == {"changes": 1, "distinct_pairs": 1}


def test_it_moves_level_4_for_an_uncovered_need_1():
    assert levels(tiny(), []) == {"shared_need_gap": 45}


def test_it_moves_level_5_for_support_by_someone_else_than_the_primary():
    doc = tiny(
        assistants=[assistant("a1"), assistant("a2")],
        children=[child("c1", {"mon-1": 1}, primary="a2")],
    )
    assert levels(doc, [("mon-1", "a1", ["c1"])]) == {
        "non_primary_minutes": 45,
        "distinct_pairs": 1,
    }


def test_it_moves_level_6_once_per_distinct_pair():
    doc = tiny(
        slots=[slot("mon-1"), slot("mon-2", "08:50", "09:35")],
        children=[child("c1", {"mon-1": 1, "mon-2": 1})],
    )
    assert levels(doc, [("mon-1", "a1", ["c1"]), ("mon-2", "a1", ["c1"])]) == {"distinct_pairs": 1}


@pytest.mark.parametrize("level", OBJECTIVE_LEVELS, ids=lambda level: level.name)
def test_it_gives_zero_on_every_level_for_a_perfect_plan(level):
    view = PlanView(load_instance(tiny()), (Assignment("mon-1", "a1", ("c1",)),))
    assert level.value(view) == (1 if level.name == "distinct_pairs" else 0)
