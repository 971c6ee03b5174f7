"""The pool heuristic's day plans obey the planner's hard rules (checked by the planner's own
checker on the day's instance), whatever the absences; fill-in and the home rule; one-to-one."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from poolplan.planner.check import check_assignments
from poolplan.planner.generate import generate_instance
from poolplan.simulation import Parameters, Week, staffs
from poolplan.simulation.dayplan import (
    NOBODY,
    fill_in,
    one_to_one_days,
    pool_days,
    pool_plans,
)
from poolplan.simulation.distance import assignments_of, send_home
from poolplan.simulation.model import day_instance


def check_rows(week, staff, w, plans, present_a, present_c):
    for n in range(present_a.shape[0]):
        instance = day_instance(week, staff, w, present_a[n], present_c[n])
        rows = assignments_of(week, staff, w, plans, n)
        result = check_assignments(instance, rows)
        assert not result.violations, (n, [str(v) for v in result.violations])
        # Nobody absent is planned; children sent home have no rows.
        planned = {c for r in rows for c in r.children}
        absent = {week.children[c].id for c in np.flatnonzero(~present_c[n])}
        home = {week.children[c].id for c in np.flatnonzero(plans.home[:, n])}
        assert not planned & (absent | home)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), children=st.integers(2, 12), assistants=st.integers(1, 6),
       absence=st.sampled_from([0.0, 0.2, 0.5]), extra=st.integers(0, 3))
def test_its_plans_break_no_hard_rule(seed, children, assistants, absence, extra):
    instance = generate_instance(children=children, assistants=assistants,
                                 classes=max(1, children // 4), seed=seed)
    week = Week(instance)
    team = staffs(week, Parameters(extra=extra))
    rng = np.random.default_rng(seed)
    rows = 6
    present_c = rng.random((rows, children)) >= 0.1
    for name in ("pool", "pool+k"):
        staff = team[name]
        present_a = rng.random((rows, staff.size)) >= absence
        for w in range(len(week.days)):
            plans = pool_plans(week, staff, w, present_a, present_c)
            check_rows(week, staff, w, plans, present_a, present_c)


def test_every_row_is_the_plan_of_its_own_day(comprehensive):
    """Rows are planned together but independently: a row's plan is the same alone."""
    week = Week(comprehensive)
    pool = staffs(week, Parameters())["pool"]
    rng = np.random.default_rng(4)
    present_a = rng.random((30, pool.size)) >= 0.2
    present_c = rng.random((30, len(week.children))) >= 0.1
    together = pool_plans(week, pool, 2, present_a, present_c)
    for n in (0, 7, 29):
        alone = pool_plans(week, pool, 2, present_a[n:n + 1], present_c[n:n + 1])
        assert (alone.assign[:, :, 0] == together.assign[:, :, n]).all()


def test_a_child_whose_care_cannot_be_covered_stays_home(comprehensive):
    """c1 and c8 need nursing; a1 and a2 are the only nursing assistants. Without both, the
    children with an own-adult nursing need that day stay home and get no other support."""
    week = Week(comprehensive)
    pool = staffs(week, Parameters())["pool"]
    present_a = np.array([[a.id not in ("a1", "a2") for a in comprehensive.assistants]])
    present_c = np.ones((1, len(week.children)), dtype=bool)
    monday = week.days.index("mon")
    plans = pool_days(week, pool, monday, present_a, present_c)
    index = {c.id: k for k, c in enumerate(week.children)}
    assert plans.home[index["c1"], 0]
    assert (plans.assign[:, index["c1"], 0] == NOBODY).all()
    kept = pool_days(week, pool, monday, present_a, present_c, home_without_care=False)
    assert not kept.home.any()


def test_fill_in_gives_an_absent_childs_assistant_to_a_child_still_short(comprehensive):
    week = Week(comprehensive)
    pool = staffs(week, Parameters())["pool"]
    everyone = np.ones((1, len(week.children)), dtype=bool)
    present_a = np.ones((1, pool.size), dtype=bool)
    w = week.days.index("tue")
    base = pool_days(week, pool, w, present_a, everyone)
    # Send home each child in turn: the minutes delivered to the others never fall.
    delivered = lambda plans: ((plans.assign != NOBODY)  # noqa: E731
                               * week.minutes[week.day_slots[w], None, None]).sum(axis=0)
    before = delivered(base)
    gained = 0
    for c in range(len(week.children)):
        present_c = everyone.copy()
        present_c[0, c] = False
        after = fill_in(week, pool, w, base, present_c)
        others = np.arange(len(week.children)) != c
        assert (delivered(after)[others] >= before[others]).all()
        gained += int((delivered(after)[others] - before[others]).sum())
        check_rows(week, pool, w, after, present_a, present_c)
    assert gained > 0


def test_one_to_one_supports_only_the_own_child_and_never_covers(primary):
    week = Week(primary)
    one = staffs(week, Parameters())["one-to-one"]
    present_a = np.ones((2, one.size), dtype=bool)
    present_a[1, 0] = False  # the first child's assistant is ill on day 1
    present_c = np.ones((2, len(week.children)), dtype=bool)
    plans = one_to_one_days(week, one, 0, present_a, present_c)
    first = one.fixed_to[0]
    assert (plans.assign[:, first, 0] != NOBODY).any()
    assert (plans.assign[:, first, 1] == NOBODY).all()
    for c in range(len(week.children)):
        assert set(np.unique(plans.assign[:, c, :])) <= {NOBODY, *(
            a for a, k in enumerate(one.fixed_to) if k == c)}
    check_rows(week, one, 0, plans, present_a, present_c)


def test_send_home_drops_every_row_of_a_child_with_an_uncovered_own_adult_need(comprehensive):
    week = Week(comprehensive)
    pool = staffs(week, Parameters())["pool"]
    present = np.ones(pool.size, dtype=bool)
    instance = day_instance(week, pool, 0, present, np.ones(len(week.children), dtype=bool))
    own = next(c for c in instance.children if 2 in c.needs.values())
    slot = next(s for s, v in own.needs.items() if v == 2)
    other = next(s for s, v in own.needs.items() if s != slot)
    from poolplan.planner.domain import Assignment

    rows, home = send_home(instance, [Assignment(other, "a1", (own.id,))])
    assert home >= {own.id} and rows == []
