"""The model: its contract-hull rows are valid and tight, pair rows wait for level 6, and both
engines agree on optima."""

import itertools

import pytest

from poolplan.planner import load_instance, solve
from poolplan.planner.check import check_assignments
from poolplan.planner.generate import generate_instance
from poolplan.planner.greedy import greedy_plan
from poolplan.planner.highs import Relaxation, read_proto, solve_milp
from poolplan.planner.io import parse_assignments
from poolplan.planner.model import (
    build_model,
    contract_hull,
    feasible_groups,
    link_pairs,
    odd_set_rows,
)
from poolplan.planner.rounding import round_lp

from .conftest import assistant, child, example_doc, slot, tiny


@pytest.mark.parametrize("cap", [0, 20, 45, 100, 900, 1200, 1350, 1500])
def test_it_cuts_no_integer_contract_point_off(cap):
    rows = contract_hull({45: 30, 20: 10}, cap)
    feasible = [
        (n, b) for n, b in itertools.product(range(31), range(11)) if 45 * n + 20 * b <= cap
    ]
    for coefficients, rhs in rows:
        assert all(
            coefficients.get(45, 0) * n + coefficients.get(20, 0) * b <= rhs for n, b in feasible
        )
        # every row touches the integer hull, so it is as tight as it can be
        assert any(
            coefficients.get(45, 0) * n + coefficients.get(20, 0) * b == rhs for n, b in feasible
        )


def test_it_cuts_off_the_fractional_lesson_of_the_lp():
    rows = contract_hull({45: 30, 20: 10}, 1200)
    # 1200 / 45 = 26.67 lessons satisfies the contract row but not the hull
    assert any(c.get(45, 0) * 26.67 > rhs for c, rhs in rows)


def test_it_enumerates_only_groups_the_rules_allow():
    doc = tiny(
        children=[
            child("c1", {"mon-1": 1}, "R1", max_ratio=3),
            child("c2", {"mon-1": 1}, "R1", max_ratio=2),
            child("c3", {"mon-1": 2}, "R1", max_ratio=3),
            child("c4", {"mon-1": 1}, "R2", max_ratio=3),
            child("c5", {"mon-1": 1}, "R1", max_ratio=3),
        ]
    )
    groups = set(feasible_groups(load_instance(doc), "mon-1"))
    assert groups == {
        ("c1",),
        ("c2",),
        ("c3",),
        ("c4",),
        ("c5",),
        ("c1", "c2"),
        ("c1", "c5"),
        ("c2", "c5"),
    }


def test_it_gets_the_same_optimum_from_both_engines():
    doc = tiny(
        slots=[
            slot("mon-1"),
            slot("mon-2", "08:50", "09:35"),
            slot("mon-b1", "09:35", "09:55", "break"),
        ],
        assistants=[
            {"id": "a1", "skills": ["nursing"], "max_minutes": 65},
            {"id": "a2", "skills": [], "max_minutes": 90},
        ],
        children=[
            child(
                "c1",
                {"mon-1": 2, "mon-2": 1, "mon-b1": 1},
                "R1",
                skills=["nursing"],
                approved_minutes=90,
                max_ratio=2,
            ),
            child(
                "c2",
                {"mon-1": 1, "mon-2": 1, "mon-b1": 1},
                "R1",
                approved_minutes=60,
                max_ratio=2,
                primary="a1",
            ),
            child("c3", {"mon-2": 2, "mon-b1": 1}, "R2", approved_minutes=45, max_ratio=1),
        ],
    )
    instance = load_instance(doc)
    plans = [solve(instance, time_limit=10, workers=2, engine=e) for e in ("highs", "cpsat")]
    assert plans[0]["status"] == plans[1]["status"] == "optimal"
    assert plans[0]["objective"] == plans[1]["objective"]


def _fewest_pairs(pm) -> float:
    """Level 6 minimised with both of c1's slots supported (level 4 at 0)."""
    pm.model.add(pm.levels["shared_need_gap"] <= 0)
    pm.model.minimize(pm.levels["distinct_pairs"])
    return solve_milp(read_proto(pm.model.proto), time_limit=10, seed=0).objective


def test_it_counts_distinct_pairs_only_once_the_pair_rows_are_linked():
    # c1 needs support in two lessons; a1 is away in the second, so a1 + a2 or a2 alone.
    doc = tiny(
        slots=[slot("mon-1"), slot("mon-2", "08:50", "09:35")],
        assistants=[assistant("a1", unavailable=["mon-2"]), assistant("a2")],
        children=[child("c1", {"mon-1": 1, "mon-2": 1})],
    )
    instance = load_instance(doc)
    early = build_model(instance)
    # Levels 1-5 do not need the link rows of a child without max_assistants: left out.
    assert early.unlinked_pairs
    assert _fewest_pairs(early) == 0
    linked = build_model(instance)
    link_pairs(linked)
    assert not linked.unlinked_pairs
    assert len(linked.model.proto.constraints) > len(build_model(instance).model.proto.constraints)
    assert _fewest_pairs(linked) == 1


def test_it_links_the_pairs_of_a_child_with_max_assistants_from_the_start():
    doc = tiny(
        slots=[slot("mon-1"), slot("mon-2", "08:50", "09:35")],
        assistants=[assistant("a1", unavailable=["mon-2"]), assistant("a2")],
        children=[child("c1", {"mon-1": 1, "mon-2": 1}, max_assistants=1)],
    )
    pm = build_model(load_instance(doc))
    assert not pm.unlinked_pairs
    # Rule 7 holds at once: one assistant only, so a2 must take both lessons.
    assert _fewest_pairs(pm) == 1


def _holds(rows, values) -> bool:
    return all(sum(values[v.index] for v in members) <= rhs for members, rhs, _ in rows)


def test_it_cuts_off_the_odd_cycles_of_the_lp_but_no_plan():
    # Sick Tuesday: the LP of level 2 runs pairs at one half around odd sets of children.
    instance = load_instance(example_doc("comprehensive-school-sick-tuesday"))
    pm = build_model(instance)
    pm.model.minimize(pm.levels["entitlement_shortfall"])
    relaxation = Relaxation(read_proto(pm.model.proto), seed=0)
    lp = relaxation.solve(10)
    rows = odd_set_rows(pm, lp.lp_values)
    assert rows and all(violation > 0 for _, _, violation in rows)
    assert not _holds(rows, lp.lp_values)
    relaxation.add_rows([([v.index for v in members], rhs) for members, rhs, _ in rows])
    stronger = relaxation.solve(10)
    assert stronger.objective > lp.objective + 10  # minutes of shortfall the LP had hidden
    # Valid: plans (the greedy one, one read off the LP) satisfy every row.
    for plan in (greedy_plan(instance), round_lp(pm, lp.lp_values)):
        assert _holds(rows, pm.hint_values(plan))
    assert not odd_set_rows(pm, pm.hint_values(greedy_plan(instance)))


def test_it_counts_every_group_that_takes_two_of_the_set():
    # Five children on the yard with ratio 3 and made-up LP values: a1 runs the triple
    # c1-c2-c3 and the pair c4-c5 at 0.6 each, a2 the pair c3-c4 at 0.5.
    doc = tiny(
        slots=[slot("mon-b1", "09:35", "09:55", "break")],
        assistants=[assistant("a1"), assistant("a2")],
        children=[child(f"c{i}", {"mon-b1": 1}, "yard", max_ratio=3) for i in range(1, 6)],
    )
    pm = build_model(load_instance(doc))
    values = [0.0] * len(pm.model.proto.variables)
    for (_, a, group), var in pm.x.items():
        if (a, group) in (("a1", ("c1", "c2", "c3")), ("a1", ("c4", "c5")), ("a2", ("c3", "c4"))):
            values[var.index] = 0.5 if a == "a2" else 0.6

    def row_of(children: set[str]) -> frozenset[int]:
        # Every group (of any assistant) that takes two or more of the set.
        return frozenset(
            var.index
            for (_, _, g), var in pm.x.items()
            if len(g) > 1 and len(children & set(g)) > 1
        )

    rows = odd_set_rows(pm, values)
    found = {
        frozenset(v.index for v in members): (rhs, violation) for members, rhs, violation in rows
    }
    assert len(found) == len(rows)  # no row twice
    # {c2, c3, c4}: the triple takes c2 and c3 (0.6), the pair c3-c4 (0.5): 1.1 > 1.
    rhs, violation = found[row_of({"c2", "c3", "c4"})]
    assert rhs == 1 and abs(violation - 0.1) < 1e-9
    assert row_of({"c3", "c4", "c5"}) in found  # the two pairs: 0.5 + 0.6
    assert row_of({"c1", "c2", "c3"}) not in found  # the triple alone: 0.6
    assert row_of({"c1", "c2", "c3", "c4", "c5"}) not in found  # 1.7 <= 2


@pytest.mark.parametrize("approved, unit", [(90, 5), (92, 1), (0, 5)])
def test_it_knows_the_step_each_minute_level_moves_in(approved, unit):
    doc = tiny(
        slots=[slot("mon-1"), slot("mon-b1", "08:45", "09:05", "break")],
        children=[child("c1", {"mon-1": 1, "mon-b1": 2}, approved_minutes=approved)],
    )
    pm = build_model(load_instance(doc))
    assert pm.level_units["entitlement_shortfall"] == unit
    assert pm.level_units["individual_need_gap"] == 5  # gcd of 45 and 20
    assert pm.level_units["changes"] == 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_gives_steps_that_every_plan_keeps(seed):
    instance = generate_instance(children=10, assistants=4, classes=3, seed=seed)
    units = build_model(instance).level_units
    for plan in (greedy_plan(instance), parse_assignments(solve(instance, time_limit=2), instance)):
        values = check_assignments(instance, plan).objective.as_dict()
        assert all(values[name] % units[name] == 0 for name in values)
