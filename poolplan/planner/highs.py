"""Solve the CP-SAT model's linear content with HiGHS.

The group formulation uses only Booleans, bounded integers, linear rows and at-most-one
rows, so the very same CpModelProto is a MILP. Reading it into HiGHS gives a second,
independent engine on the identical model: HiGHS's cuts and branch-and-bound prove the
level-1/2 bounds that CP-SAT's LP workers reach slowly on 2 cores (docs/planner.md has the
measurements), and tests use it as an oracle for CP-SAT's optimum.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
from ortools.sat.python import cp_model_helper

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


@dataclass
class HighsResult:
    status: str  # "optimal", "feasible" or "unknown"
    values: list[int] | None
    objective: float | None
    bound: float | None
    # The objective the returned values give (equal to `objective` unless HiGHS slipped).
    attained: float | None = None
    # The LP relaxation's values (only with relax=True).
    lp_values: list[float] | None = None


def _bound(value: int) -> float:
    if value <= INT64_MIN:
        return -highspy.kHighsInf
    if value >= INT64_MAX:
        return highspy.kHighsInf
    return float(value)


_banner_shown = False


def _new_highs() -> highspy.Highs:
    """A silent Highs object. HiGHS prints its banner to fd 1 on the first construction in a
    process, which would corrupt a plan written to stdout and is noise on the terminal; it goes
    to the null device."""
    global _banner_shown
    if _banner_shown:
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    _banner_shown = True
    return h


def _unsupported(kind: str) -> ValueError:
    return ValueError(f"HiGHS backend: constraint kind {kind!r} is not linear")


@dataclass(frozen=True)
class Milp:
    """A CP-SAT model's linear content as arrays, ready for HiGHS.

    Reading a proto into these arrays is pure Python and took about 40 ms on the 15/7
    example (0.2 s on a 25-child school), as much as a day sub-solve of the large-neighbourhood
    search itself. A level's LP, RINS, LNS and final MIP all solve the same model with different
    columns fixed, so it is read once per level (`read_proto`; from the second level on only
    the rows that level added, `base=`) and solved many times (`solve_milp`).
    """

    lower: np.ndarray
    upper: np.ndarray
    rows_lo: np.ndarray
    rows_hi: np.ndarray
    starts: np.ndarray
    index: np.ndarray
    value: np.ndarray
    cost: np.ndarray  # scaled to the proto's objective
    offset: float
    # How many of the proto's constraints these rows hold (read_proto's `base` goes on here).
    constraint_count: int = 0

    @property
    def columns(self) -> int:
        return len(self.lower)


def read_proto(proto: cp_model_helper.CpModelProto, *, base: Milp | None = None) -> Milp:
    """The linear content of `proto` (only linear / at-most-one / bool-or rows, no enforcement).

    Args:
        base: an earlier read of the same model, which since then has only gained constraints
            and a new objective (how the lexicographic solve goes from level to level). Its
            columns and rows are kept and only the new constraints are read: on a 25-child
            district school a full read took 0.2 s, six times a solve, a third of a 3 s budget.
            Ignored (a full read) if the number of variables changed or constraints were lost.

    Raises:
        ValueError: for a constraint kind that is not linear.
    """
    n = len(proto.variables)
    first = 0
    if base is not None and base.columns == n and base.constraint_count <= len(proto.constraints):
        first = base.constraint_count
        lower, upper = base.lower, base.upper
    else:
        base = None
        lower = np.array([_bound(v.domain[0]) for v in proto.variables])
        upper = np.array([_bound(list(v.domain)[-1]) for v in proto.variables])
    rows_lo, rows_hi, starts, index, value = [], [], [], [], []
    offset_index = len(base.index) if base is not None else 0

    def add_row(terms: dict[int, float], lo: float, hi: float) -> None:
        starts.append(offset_index + len(index))
        for var, coeff in terms.items():
            index.append(var)
            value.append(coeff)
        rows_lo.append(lo)
        rows_hi.append(hi)

    for position in range(first, len(proto.constraints)):
        c = proto.constraints[position]
        kind = next(
            (
                k
                for k in ("linear", "at_most_one", "bool_or", "exactly_one")
                if getattr(c, f"has_{k}")()
            ),
            "other",
        )
        if len(c.enforcement_literal):
            raise _unsupported("enforced " + kind)
        if kind == "linear":
            terms: dict[int, float] = {}
            shift = 0.0
            for var, coeff in zip(c.linear.vars, c.linear.coeffs, strict=True):
                if var < 0:  # a negated literal: coeff * (1 - x)
                    shift += coeff
                    var, coeff = -var - 1, -coeff
                terms[var] = terms.get(var, 0.0) + coeff
            if len(c.linear.domain) != 2:
                raise _unsupported("linear with holes")
            add_row(terms, _bound(c.linear.domain[0]) - shift, _bound(c.linear.domain[1]) - shift)
        elif kind in ("at_most_one", "bool_or", "exactly_one"):
            literals = getattr(c, kind).literals
            terms, negated = {}, 0
            for lit in literals:
                if lit < 0:
                    terms[-lit - 1] = terms.get(-lit - 1, 0.0) - 1
                    negated += 1
                else:
                    terms[lit] = terms.get(lit, 0.0) + 1
            lo, hi = {
                "at_most_one": (-highspy.kHighsInf, 1),
                "bool_or": (1, highspy.kHighsInf),
                "exactly_one": (1, 1),
            }[kind]
            add_row(terms, lo - negated, hi - negated)
        else:
            raise _unsupported(kind)

    cost = np.zeros(n)
    offset = float(proto.objective.offset)
    for var, coeff in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        if var < 0:
            offset += coeff
            var, coeff = -var - 1, -coeff
        cost[var] += coeff
    scale = proto.objective.scaling_factor or 1.0
    rows = (
        np.array(rows_lo),
        np.array(rows_hi),
        np.array(starts, dtype=np.int32),
        np.array(index, dtype=np.int32),
        np.array(value),
    )
    if base is not None:
        previous = (base.rows_lo, base.rows_hi, base.starts, base.index, base.value)
        rows = tuple(
            np.concatenate([old, new.astype(old.dtype)])
            for old, new in zip(previous, rows, strict=True)
        )
    return Milp(lower, upper, *rows, cost * scale, offset * scale, len(proto.constraints))


def solve_proto(
    proto: cp_model_helper.CpModelProto,
    *,
    time_limit: float,
    seed: int,
    options: dict[str, object] | None = None,
    relax: bool = False,
    start: dict[int, int] | None = None,
) -> HighsResult:
    """Minimise `proto.objective` over its linear constraints with HiGHS.

    Args:
        proto: a CP-SAT model with only linear / at-most-one / bool-or rows, no enforcement.
        time_limit: seconds.
        seed: HiGHS random seed.
        options: further HiGHS options (name -> value).
        relax: solve the LP relaxation only (values are then fractional, see `lp_values`).
        start: variable index -> value of a complete feasible solution, passed as MIP start.
    Returns:
        The status, a value per variable, the objective and HiGHS's proven dual bound.
    """
    return solve_milp(
        read_proto(proto),
        time_limit=time_limit,
        seed=seed,
        options=options,
        relax=relax,
        start=start,
    )


def _load(
    milp: Milp,
    lower: np.ndarray,
    upper: np.ndarray,
    time_limit: float,
    seed: int,
    options: dict[str, object] | None,
    relax: bool,
) -> highspy.Highs:
    """A silent Highs object holding milp (with these column bounds), ready to run."""
    n = milp.columns
    h = _new_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    h.setOptionValue("random_seed", int(seed))
    # Objectives are integral: any gap below 1 is a proof of optimality.
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.999)
    for key, setting in (options or {}).items():
        h.setOptionValue(key, setting)
    h.addVars(n, lower, upper)
    if not relax:
        h.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger)
        )
    h.changeColsCost(n, np.arange(n, dtype=np.int32), milp.cost)
    h.changeObjectiveOffset(milp.offset)
    if len(milp.rows_lo):
        h.addRows(
            len(milp.rows_lo),
            milp.rows_lo,
            milp.rows_hi,
            len(milp.index),
            milp.starts,
            milp.index,
            milp.value,
        )
    return h


def solve_milp(
    milp: Milp,
    *,
    time_limit: float,
    seed: int,
    options: dict[str, object] | None = None,
    relax: bool = False,
    start: dict[int, int] | None = None,
    fix: dict[int, int] | None = None,
) -> HighsResult:
    """`solve_proto` on a model already read; `fix` pins columns (index -> value) for this
    solve only, as the neighbourhood searches do."""
    n = milp.columns
    lower, upper = milp.lower, milp.upper
    if fix:
        lower, upper = lower.copy(), upper.copy()
        columns = np.fromiter(fix.keys(), dtype=np.int64, count=len(fix))
        values = np.fromiter(fix.values(), dtype=float, count=len(fix))
        lower[columns] = values
        upper[columns] = values
    h = _load(milp, lower, upper, time_limit, seed, options, relax)
    if relax:
        return _run_lp(h)
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = [float(start.get(i, 0)) for i in range(n)]
        solution.value_valid = True
        h.setSolution(solution)
    return _finish(h, milp.cost, milp.offset)


def _run_lp(h: highspy.Highs) -> HighsResult:
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return HighsResult("unknown", None, None, None)
    lp = list(h.getSolution().col_value)
    objective = float(h.getInfo().objective_function_value)
    return HighsResult("optimal", None, objective, objective, None, lp)


class Relaxation:
    """The LP relaxation of a read model, kept in one Highs object for trying rows.

    After rows are added HiGHS goes on from the last basis: a few dual simplex iterations
    instead of a cold solve, which took 0.45 s on a 25-child district school (odd_set_rows
    are tried this way, docs/planner.md round 6).
    """

    def __init__(self, milp: Milp, *, seed: int) -> None:
        self._milp = milp
        self._h = _load(milp, milp.lower, milp.upper, 1.0, seed, None, relax=True)

    def solve(self, time_limit: float) -> HighsResult:
        self._h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
        return _run_lp(self._h)

    def add_rows(self, rows: list[tuple[list[int], float]]) -> None:
        """Rows sum(columns) <= rhs."""
        starts = np.cumsum([0] + [len(columns) for columns, _ in rows[:-1]]).astype(np.int32)
        index = np.array([c for columns, _ in rows for c in columns], dtype=np.int32)
        self._h.addRows(
            len(rows),
            np.full(len(rows), -highspy.kHighsInf),
            np.array([float(rhs) for _, rhs in rows]),
            len(index),
            starts,
            index,
            np.ones(len(index)),
        )

    def set_bounds(self, columns: list[int], lower: float, upper: float) -> None:
        """Bounds of these columns from now on (a dive fixes them; `reset_bounds` undoes)."""
        if columns:
            count = len(columns)
            self._h.changeColsBounds(
                count,
                np.array(columns, dtype=np.int32),
                np.full(count, float(lower)),
                np.full(count, float(upper)),
            )

    def reset_bounds(self) -> None:
        """The model's own column bounds again."""
        n = self._milp.columns
        self._h.changeColsBounds(
            n, np.arange(n, dtype=np.int32), self._milp.lower, self._milp.upper
        )

    def drop_rows(self, count: int) -> None:
        """Take the last `count` rows out again."""
        rows = self._h.getNumRow()
        self._h.deleteRows(count, np.arange(rows - count, rows, dtype=np.int32))


def _finish(h: highspy.Highs, cost: np.ndarray, offset: float) -> HighsResult:
    h.run()
    model_status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if model_status == highspy.HighsModelStatus.kOptimal:
        status = "optimal"
    elif has_solution:
        status = "feasible"
    else:
        status = "unknown"
    values, attained, objective = None, None, None
    if has_solution:
        values = [int(round(v)) for v in h.getSolution().col_value]
        attained = round(float(np.dot(cost, np.array(values))) + offset)
        objective = round(info.objective_function_value)
        # Trust a solution only as far as it attains the objective HiGHS reports: with a MIP
        # start, highspy 1.16 sometimes returned the start from getSolution() while reporting
        # a better optimum (so no start is passed; this keeps any such slip from being
        # called proven).
        if attained != objective:
            status = "feasible"
    bound = info.mip_dual_bound if np.isfinite(info.mip_dual_bound) else None
    return HighsResult(status, values, objective, bound, attained)
