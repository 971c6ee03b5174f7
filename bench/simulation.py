"""Benchmark the simulator: school years of the shared examples, every policy, and the pool
heuristic's distance to the exact planner, in the same run.

    python bench/simulation.py [--json] [--runs 1000] [--seed 1] [--check-days 20]
                               [--check-time-limit 5] [--instance NAME ...]

Target (issue 7): 1,000 school years of the comprehensive school (15 young people, 7
assistants), all three policies, in <= 10 s on this 2-core machine. The machine is shared, so
the load average (`uptime`) is printed before and after, and CPU seconds beside wall seconds.
With --json: one JSON object per row (keys: instance, policy, runs, seconds and the metrics;
the distance row has days instead of runs). Never run as a test: figures depend on the
machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from poolplan.planner.io import load_instance_file  # noqa: E402
from poolplan.simulation import (  # noqa: E402
    POLICIES,
    Parameters,
    Week,
    planner_distance,
    simulate,
    staffs,
    summarise,
)
from poolplan.simulation.report import value  # noqa: E402

EXAMPLES = REPO / ".." / "shared" / "examples"
TARGET_SECONDS = 10.0
INSTANCES = ("comprehensive-school", "primary-school", "comprehensive-school-sick-tuesday")
COLUMNS = (
    ("child_days_supported", "share", "days supp."),
    ("approved_delivered", "share", "appr. deliv."),
    ("weeks_all_met", "share", "weeks met"),
    ("debt_hours", "hours", "debt"),
    ("idle_minutes", "minutes", "idle/week"),
    ("distinct_assistants", "count", "distinct"),
    ("cost_per_hour", "EUR", "EUR/hour"),
    ("red_attended", "share", "red att."),
)


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def run(name: str, args: argparse.Namespace) -> tuple[list[dict], dict]:
    instance = load_instance_file(EXAMPLES / f"{name}.json")
    params = Parameters(runs=args.runs)
    started, cpu = time.perf_counter(), time.process_time()
    sim = simulate(instance, params, np.random.default_rng(args.seed), policies=POLICIES)
    summaries = summarise(sim)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = [s.row(name) for s in summaries]
    total = {"instance": name, "policy": "all three", "runs": args.runs,
             "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2)}
    if args.check_days:
        week = Week(instance)
        pool = staffs(week, params)["pool"]
        distance = planner_distance(week, pool, params, np.random.default_rng(args.seed),
                                    days=args.check_days, time_limit=args.check_time_limit)
        rows.append({"instance": name, "policy": "pool heuristic vs exact planner",
                     **distance.as_dict()})
    return rows, total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true", help="one JSON object per row")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check-days", type=int, default=20,
                        help="random days planned by the heuristic and the exact planner")
    parser.add_argument("--check-time-limit", type=float, default=5.0,
                        help="seconds the exact planner gets per day")
    parser.add_argument("--instance", action="append", choices=INSTANCES,
                        help="only these examples (default: all)")
    args = parser.parse_args()

    before = load()
    results = [run(name, args) for name in args.instance or INSTANCES]
    after = load()
    if args.json:
        for rows, total in results:
            for row in rows:
                print(json.dumps(row))
            print(json.dumps({**total, "load_before": before, "load_after": after}))
        return 0

    print(f"{args.runs} school years of 190 days per example, seed {args.seed}; "
          f"{before} before, {after} after")
    head = f"{'instance':<36}{'policy':<12}{'staff (h/week)':>14}{'s':>7}  " + "".join(
        f"{label:<24}" for _, _, label in COLUMNS)
    print(head)
    print("-" * len(head))
    for rows, total in results:
        for row in rows:
            if "days" in row:
                continue
            cells = "".join(
                f"{value(_estimate(row[key]), unit):<24}" for key, unit, _ in COLUMNS)
            staff = f"{row['assistants']:>3} ({row['staff_minutes'] // 60:>3} h)"
            print(f"{row['instance']:<36}{row['policy']:<12}{staff}{row['seconds']:>7.2f}"
                  f"  {cells}")
        verdict = "met" if total["seconds"] <= TARGET_SECONDS else "missed"
        print(f"{total['instance']:<36}all three policies: {total['seconds']:.2f} s wall, "
              f"{total['cpu_seconds']:.2f} s CPU (absences, plans, metrics); target <= "
              f"{TARGET_SECONDS:g} s for {args.runs} years: {verdict}")
        for row in rows:
            if "days" in row:
                print(f"{'':<36}pool heuristic vs exact planner on {row['days']} random days "
                      f"({row['seconds']:.0f} s): the planner delivers "
                      f"{100 * row['gap']:.1f} % of the owed minutes more (worst day "
                      f"{100 * row['worst_day_gap']:.1f} %); {row['proven_days']}/{row['days']} "
                      f"days proven optimal on level 2; heuristic plans breaking a hard rule: "
                      f"{row['violations']}")
    return 0


def _estimate(d: dict):
    from poolplan.simulation.metrics import Estimate

    return Estimate(d["mean"], d["low"], d["high"])


if __name__ == "__main__":
    sys.exit(main())
