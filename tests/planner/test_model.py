"""The model: its contract-hull rows are valid and tight, and both engines agree on optima."""

import itertools

import pytest

from poolplan.planner import load_instance, solve
from poolplan.planner.model import contract_hull, feasible_groups

from .conftest import child, slot, tiny


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
