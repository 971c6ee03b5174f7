"""Benchmark the planner against the greedy baseline, in the same run.

    python bench/planner.py [--json] [--time-limit S] [--district-time-limit S]
                             [--skip-district | --only-district] [--district-schools]

Rows: the shared examples, generated schools (6/3, 15/7, 26/12) and a district of 60
schools (about 1,000 children, 450 assistants) solved school by school in two processes
that share the district's time limit (poolplan/planner/district.py).
Columns: levels 1-3 with their proven bounds, the relative gap on levels 1-2, seconds, and the
greedy baseline's levels. Its figures depend on the machine and are never asserted in tests;
tests/planner/test_bench.py checks only the output formats, with a short time limit.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from poolplan.planner import load_instance, solve  # noqa: E402
from poolplan.planner.district import DistrictOptions, gap, solve_schools  # noqa: E402
from poolplan.planner.generate import generate_instance  # noqa: E402

EXAMPLES = REPO / ".." / "shared" / "examples"
LEVELS = ("individual_need_gap", "entitlement_shortfall", "changes")


def _run(args: tuple) -> dict:
    name, instance, time_limit, workers, seed = args
    started = time.monotonic()
    plan = solve(instance, time_limit=time_limit, workers=workers, seed=seed)
    seconds = time.monotonic() - started
    started = time.monotonic()
    greedy = solve(instance, method="greedy")
    greedy_seconds = time.monotonic() - started
    done_at = plan["solver"].get("level_done_at", {})
    return {
        "instance": name,
        "method": "cpsat",
        "status": plan["status"],
        "levels": {k: plan["objective"][k] for k in LEVELS},
        "bounds": {k: plan["solver"]["bounds"][k] for k in LEVELS},
        "proven": [k for k in LEVELS if k in plan["solver"]["proven_levels"]],
        "seconds": round(seconds, 2),
        # From the call until level 3 was settled (model, greedy plan and levels 1-3).
        "seconds_levels_1_3": round(done_at.get(LEVELS[-1], 0), 2),
        "greedy": {k: greedy["objective"][k] for k in LEVELS},
        "greedy_seconds": round(greedy_seconds, 2),
    }


def _district_row(name: str, instance, doc: dict) -> dict:
    """One school's row from its district plan (its greedy plan is made here, untimed)."""
    greedy = solve(instance, method="greedy")
    return {
        "instance": name,
        "status": doc["status"],
        "levels": {k: doc["objective"][k] for k in LEVELS},
        "bounds": {k: doc["solver"]["bounds"][k] for k in LEVELS},
        "passes": doc["solver"]["passes"],
        "greedy": {k: greedy["objective"][k] for k in LEVELS},
        "greedy_seconds": greedy["solver"]["seconds"],
    }


def json_rows(row: dict) -> list[dict]:
    """The planner's row and the baseline's, with the keys of the --json format."""
    ours = {k: row[k] for k in ("instance", "method", "status", "levels", "bounds", "seconds")}
    baseline = {
        "instance": row["instance"],
        "method": "greedy",
        "status": "feasible",
        "levels": row["greedy"],
        "bounds": None,  # the baseline proves nothing
        "seconds": row["greedy_seconds"],
    }
    return [ours, baseline]


def school_instances(seed: int) -> list[tuple[str, object]]:
    """The shared examples and the generated 6/3, 15/7 and 26/12 schools (name, instance)."""
    schools = [
        (name, load_instance(json.loads((EXAMPLES / f"{name}.json").read_text())))
        for name in ("primary-school", "comprehensive-school", "comprehensive-school-sick-tuesday")
    ]
    for c, a, k in ((6, 3, 2), (15, 7, 4), (26, 12, 6)):
        schools.append(
            (
                f"generated {c}/{a}",
                generate_instance(children=c, assistants=a, classes=k, seed=seed + 1),
            )
        )
    return schools


def district(seed: int) -> list[tuple[str, object]]:
    rng = random.Random(seed)
    schools = []
    for k in range(60):
        children = rng.randint(9, 25)
        assistants = max(2, round(children * 0.45))
        schools.append(
            (
                f"district/s{k + 1:02d}",
                generate_instance(
                    children=children,
                    assistants=assistants,
                    classes=max(2, children // 4),
                    seed=seed * 1000 + k,
                ),
            )
        )
    return schools


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true", help="one JSON object per row")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument(
        "--district-time-limit", type=float, default=110.0, help="seconds for all 60 schools"
    )
    parser.add_argument(
        "--district-schools", action="store_true", help="also one JSON line per school"
    )
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-district", action="store_true")
    parser.add_argument("--only-district", action="store_true")
    args = parser.parse_args()

    jobs = [
        (name, instance, args.time_limit, args.workers, args.seed)
        for name, instance in school_instances(args.seed)
    ]
    rows = [] if args.only_district else [_run(job) for job in jobs]
    if not args.skip_district:
        schools = district(args.seed + 1)
        started = time.monotonic()
        # Schools are independent: two processes on two cores share the time (district.py).
        docs = solve_schools(
            [i for _, i in schools],
            DistrictOptions(time_limit=args.district_time_limit, processes=2, seed=args.seed),
        )
        wall = time.monotonic() - started
        results = [_district_row(n, i, doc) for (n, i), doc in zip(schools, docs, strict=True)]
        if args.district_schools:
            for r in results:
                print(json.dumps(r))
        n_children = sum(len(i.children) for _, i in schools)
        n_assistants = sum(len(i.assistants) for _, i in schools)
        rows.append(
            {
                "instance": f"district 60 schools ({n_children} children, "
                f"{n_assistants} assistants)",
                "method": "cpsat",
                "status": f"{sum(r['status'] == 'optimal' for r in results)}/60 optimal",
                "levels": {k: sum(r["levels"][k] for r in results) for k in LEVELS},
                "bounds": {k: sum(r["bounds"][k] for r in results) for k in LEVELS},
                "proven": [],
                "seconds": round(wall, 2),
                "seconds_levels_1_3": None,
                "worst_school_gap": round(max(gap(r["levels"], r["bounds"]) for r in results), 4),
                "schools_within_1pct": sum(gap(r["levels"], r["bounds"]) <= 0.01 for r in results),
                "greedy": {k: sum(r["greedy"][k] for r in results) for k in LEVELS},
                "greedy_seconds": round(sum(r["greedy_seconds"] for r in results), 2),
            }
        )
    if args.json:
        for row in rows:
            for line in json_rows(row):
                print(json.dumps(line))
        return 0
    head = (
        f"{'instance':<62} {'status':<14} {'L1 (bound)':<14} {'L2 (bound)':<14} "
        f"{'L3 (bound)':<11} {'gap':>6} {'s':>7} {'s L1-3':>7}  greedy L1/L2/L3"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        cells = [f"{r['levels'][k]} ({r['bounds'][k]})" for k in LEVELS]
        worst = r.get("worst_school_gap", gap(r["levels"], r["bounds"]))
        g = r["greedy"]
        l13 = "" if r["seconds_levels_1_3"] is None else r["seconds_levels_1_3"]
        baseline = f"{g['individual_need_gap']}/{g['entitlement_shortfall']}/{g['changes']}"
        print(
            f"{r['instance']:<62} {r['status']:<14} {cells[0]:<14} {cells[1]:<14} {cells[2]:<11} "
            f"{worst:>6.2%} {r['seconds']:>7} {l13:>7}  {baseline}"
        )
    if not args.skip_district:
        d = rows[-1]
        print(
            f"district: worst school gap on levels 1-2 {d['worst_school_gap']:.2%}, "
            f"{d['schools_within_1pct']}/60 schools within 1 %"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
