"""The HiGHS reader: a model read once is solved many times, with columns pinned per solve."""

from ortools.sat.python import cp_model

from poolplan.planner.generate import generate_instance
from poolplan.planner.highs import Relaxation, read_proto, solve_milp, solve_proto
from poolplan.planner.model import build_model


def _knapsack():
    # max 3x + 2y + 2z with x + y + z <= 2: optimum 5 (x and one of y, z).
    model = cp_model.CpModel()
    x, y, z = (model.new_bool_var(n) for n in "xyz")
    model.add(x + y + z <= 2)
    model.minimize(-(3 * x + 2 * y + 2 * z))
    return model, x


def test_it_solves_a_read_model_as_it_solves_the_proto():
    pm = build_model(generate_instance(children=6, assistants=3, classes=2, seed=4))
    pm.model.minimize(pm.levels["entitlement_shortfall"])
    direct = solve_proto(pm.model.proto, time_limit=10, seed=0)
    milp = read_proto(pm.model.proto)
    again = solve_milp(milp, time_limit=10, seed=0)
    assert direct.status == again.status == "optimal"
    assert direct.objective == again.objective
    lp = solve_milp(milp, time_limit=10, seed=0, relax=True)
    assert lp.objective <= again.objective


def test_it_pins_columns_for_one_solve_only():
    model, x = _knapsack()
    milp = read_proto(model.proto)
    assert solve_milp(milp, time_limit=5, seed=0).objective == -5
    pinned = solve_milp(milp, time_limit=5, seed=0, fix={x.index: 0})
    assert pinned.objective == -4
    assert pinned.values[x.index] == 0
    # the read model itself is unchanged: the next solve is free again
    assert solve_milp(milp, time_limit=5, seed=0).objective == -5


def _arrays(milp):
    return (milp.lower, milp.upper, milp.rows_lo, milp.rows_hi, milp.starts, milp.index)


def test_it_reads_only_the_rows_added_since_an_earlier_read():
    pm = build_model(generate_instance(children=6, assistants=3, classes=2, seed=4))
    pm.model.minimize(pm.levels["individual_need_gap"])
    first = read_proto(pm.model.proto)
    # The next level: the first level's value becomes a row, the objective changes.
    pm.model.add(pm.levels["individual_need_gap"] <= 0)
    pm.model.minimize(pm.levels["entitlement_shortfall"])
    full = read_proto(pm.model.proto)
    again = read_proto(pm.model.proto, base=first)
    assert len(full.rows_lo) == len(first.rows_lo) + 1
    assert again.constraint_count == full.constraint_count == len(pm.model.proto.constraints)
    for ours, theirs in zip(_arrays(again), _arrays(full), strict=True):
        assert ours.dtype == theirs.dtype
        assert (ours == theirs).all()
    assert (again.value == full.value).all() and (again.cost == full.cost).all()
    assert (
        solve_milp(again, time_limit=10, seed=0).objective
        == solve_milp(full, time_limit=10, seed=0).objective
    )


def test_it_reads_everything_again_when_the_base_is_of_another_model():
    model, _ = _knapsack()
    other = read_proto(
        build_model(generate_instance(children=6, assistants=3, classes=2, seed=4)).model.proto
    )
    milp = read_proto(model.proto, base=other)
    assert milp.columns == 3 and len(milp.rows_lo) == 1
    assert solve_milp(milp, time_limit=5, seed=0).objective == -5


def test_it_tries_rows_on_the_relaxation_and_takes_them_out_again():
    # max 3x + 2y + 2z, x + y + z <= 2: the LP optimum is 5 (x = 1, y + z = 1).
    model, x = _knapsack()
    y = model.get_bool_var_from_proto_index(1)
    relaxation = Relaxation(read_proto(model.proto), seed=0)
    assert relaxation.solve(5).objective == -5
    relaxation.add_rows([([x.index], 0.5), ([y.index], 0)])
    tried = relaxation.solve(5)
    assert tried.objective == -3.5  # x = 0.5 and z = 1
    assert tried.lp_values[x.index] == 0.5 and tried.lp_values[y.index] == 0
    relaxation.drop_rows(1)  # the last row (y <= 0) goes, x <= 0.5 stays: y + z = 1.5
    assert relaxation.solve(5).objective == -4.5
    relaxation.drop_rows(1)
    assert relaxation.solve(5).objective == -5
