"""How much the time for levels 1-3 varies with the solver seed.

    python bench/planner_seeds.py [--seeds N] [--time-limit S] [--only NAME,...]

HiGHS's time to prove a level from the same start varies by a factor of two to five between
seeds (docs/planner.md), so one run of bench/planner.py says little about a target. This
solves the rows of bench/planner.py (without the district) with solver seeds 0..N-1, stops
after level 3 (the time split stays that of the full six-level solve) and prints, per
instance, the seconds until levels 1-3 were settled for every seed, their median and maximum,
and in how many runs levels 1-3 were all proven. Never run as a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

# bench/planner.py puts the repository first on sys.path: poolplan comes from this checkout.
from planner import school_instances

from poolplan.planner.domain import LEVEL_NAMES
from poolplan.planner.greedy import greedy_plan
from poolplan.planner.solve import SolveOptions, lexicographic

TOP = LEVEL_NAMES[:3]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--only", help="comma-separated instance names")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    head = (
        f"{'instance':<36} {'median':>7} {'max':>7} {'proven':>7}  "
        f"s L1-3 for seeds 0..{args.seeds - 1}"
    )
    print(head)
    print("-" * len(head))
    for name, instance in school_instances(0):
        if only and name not in only:
            continue
        seconds, proven = [], 0
        for seed in range(args.seeds):
            options = SolveOptions(time_limit=args.time_limit, seed=seed, stop_after=TOP[-1])
            started = time.monotonic()
            _, results = lexicographic(instance, greedy_plan(instance), options, started)
            seconds.append(results[TOP[-1]].done_at)
            proven += all(results[n].proven for n in TOP)
        print(
            f"{name:<36} {statistics.median(seconds):>7.2f} {max(seconds):>7.2f} "
            f"{proven:>3}/{args.seeds:<3}  {' '.join(f'{s:.2f}' for s in seconds)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
