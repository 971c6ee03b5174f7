import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from poolplan.planner import check, load_instance
from poolplan.planner.district import MIN_BUDGET, DistrictOptions, gap, solve_schools
from poolplan.planner.domain import LEVEL_NAMES, Assignment
from poolplan.planner.generate import generate_instance

from .conftest import child, tiny

L1, L2 = LEVEL_NAMES[:2]
district = sys.modules["poolplan.planner.district"]


def test_it_measures_the_gap_of_levels_1_and_2_together():
    assert gap({L1: 0, L2: 0}, {L1: 0, L2: 0}) == 0
    assert gap({L1: 10, L2: 90}, {L1: 10, L2: 80}) == pytest.approx(0.1)
    assert gap({L1: 0, L2: 40}, {L1: 0, L2: 0}) == 1


def _doc(l1, l2, b1, b2, name="s"):
    return {
        "instance": name,
        "status": "feasible",
        "assignments": [],
        "objective": {L1: l1, L2: l2},
        "solver": {
            "bounds": {L1: b1, L2: b2},
            "proven_levels": [n for n, v, b in ((L1, l1, b1), (L2, l2, b2)) if b >= v],
        },
    }


def test_it_keeps_the_better_plan_with_the_bounds_both_solves_prove():
    better = district._better_top(_doc(0, 100, 0, 80), _doc(0, 90, 0, 60))
    assert better["objective"] == {L1: 0, L2: 90}
    assert better["solver"]["bounds"] == {L1: 0, L2: 80}


def test_it_combines_level_2_bounds_only_under_the_same_level_1():
    # The first solve's level-2 bound 95 holds only for plans with level 1 at 20.
    better = district._better_top(_doc(20, 100, 10, 95), _doc(10, 300, 10, 150))
    assert better["objective"] == {L1: 10, L2: 300}
    assert better["solver"]["bounds"] == {L1: 10, L2: 150}
    assert better["solver"]["proven_levels"] == [L1]


class _FakeSolve:
    """Stands in for the solver: school "hard" ends pass 1 far from its bound."""

    def __init__(self):
        self.calls = []

    def __call__(self, instance, time_limit, **kwargs):
        self.calls.append((instance.name, time_limit, kwargs))
        start = kwargs.get("start")
        row = Assignment("mon-1", "a1", (instance.name,))
        if kwargs.get("stop_after") and start is None:  # pass 1
            doc = _doc(0, 100, 0, 50) if instance.name == "hard" else _doc(0, 10, 0, 10)
        elif kwargs.get("stop_after"):  # pass 2
            doc = _doc(0, 60, 0, 55)
        else:  # pass 3
            settled = kwargs["settled"]
            doc = _doc(0, 60 if instance.name == "hard" else 10, settled[L1], settled[L2])
        doc["assignments"] = [
            {"slot": row.slot, "assistant": row.assistant, "children": list(row.children)}
        ]
        return doc


class _School:
    def __init__(self, name):
        self.name = name


def test_it_gives_the_time_of_easy_schools_to_the_hard_ones(monkeypatch):
    fake = _FakeSolve()
    monkeypatch.setattr(district, "solve", fake)
    monkeypatch.setattr(
        district, "ProcessPoolExecutor", lambda max_workers, mp_context: ThreadPoolExecutor(2)
    )
    schools = [_School("easy"), _School("hard"), _School("easy2")]
    options = DistrictOptions(time_limit=20, first=2.0, last_share=0.25)
    docs = solve_schools(schools, options)

    assert [name for name, _, _ in fake.calls if name == "hard"] == ["hard"] * 3
    assert [name for name, _, _ in fake.calls].count("easy") == 2
    first, second, last = [(t, kw) for name, t, kw in fake.calls if name == "hard"]
    assert first[0] == 2.0 and first[1]["stop_after"] == L2
    # Pass 2 starts from pass 1's plan, with the proven level 1 settled, and gets the time
    # left before the last pass (15 s on two processes for one school).
    assert second[1]["start"] == [Assignment("mon-1", "a1", ("hard",))]
    assert second[1]["settled"] == {L1: 0}
    assert second[0] > 10
    # Pass 3 settles levels 1-2 with the better plan's bounds.
    assert last[1]["settled"] == {L1: 0, L2: 55} and "stop_after" not in last[1]
    assert all(t >= MIN_BUDGET for _, t, _ in fake.calls)
    assert [d["instance"] for d in docs] == ["s", "s", "s"]
    assert [len(d["solver"]["passes"]) for d in docs] == [2, 3, 2]
    assert docs[1]["objective"][L2] == 60


def test_it_plans_real_schools_in_processes_into_valid_plans():
    schools = [
        generate_instance(children=c, assistants=a, classes=2, seed=s)
        for c, a, s in ((4, 2, 1), (6, 3, 2), (5, 2, 3))
    ]
    # A school whose pinned rows clash keeps its answer from pass 1: infeasible, and why.
    clash = tiny(
        name="clash",
        children=[child("c1", {"mon-1": 1}, "R1"), child("c2", {"mon-1": 1}, "R2")],
        pinned=[
            {"slot": "mon-1", "assistant": "a1", "child": "c1"},
            {"slot": "mon-1", "assistant": "a1", "child": "c2"},
        ],
    )
    docs = solve_schools(
        [*schools, load_instance(clash)], DistrictOptions(time_limit=12, first=1.5)
    )
    assert [d["instance"] for d in docs] == [s.name for s in schools] + ["clash"]
    assert docs[-1]["status"] == "infeasible" and docs[-1]["explanations"]
    for school, doc in zip(schools, docs[:-1], strict=True):
        assert check(school, doc).valid
        assert doc["status"] in ("optimal", "feasible")
        assert len(doc["solver"]["passes"]) in (2, 3)
        assert gap(doc["objective"], doc["solver"]["bounds"]) <= 0.01
