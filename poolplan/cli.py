"""`poolplan plan|check|generate|simulate|size`: the planner and the simulator from the command
line.

Exit codes: 0 success, 1 an invalid plan (check) or an infeasible instance (plan),
2 bad input (one line per problem, naming its JSON path) - never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from poolplan.planner import DEFAULTS, InputError, check, load_instance, solve
from poolplan.planner.generate import DAYS, generate_instance
from poolplan.planner.io import instance_to_json, read_json
from poolplan.planner.solve import ENGINES, METHODS
from poolplan.simulation import POLICIES, Parameters, simulate, size_pool, summarise
from poolplan.simulation.report import comparison, sizing_table

EXIT_OK, EXIT_INVALID, EXIT_BAD_INPUT = 0, 1, 2


def _write(doc: dict[str, Any], out: str | None) -> None:
    text = json.dumps(doc, indent=2) + "\n"
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _load(path: str):
    return load_instance(read_json(path))


def cmd_plan(args: argparse.Namespace) -> int:
    instance = _load(args.instance)
    plan = solve(
        instance,
        time_limit=args.time_limit,
        workers=args.workers,
        seed=args.seed,
        method=args.method,
        engine=args.engine,
    )
    _write(plan, args.out)
    objective = ", ".join(f"{k}={v}" for k, v in plan["objective"].items())
    print(f"{plan['status']} in {plan['solver']['seconds']} s: {objective}", file=sys.stderr)
    for line in plan["explanations"] if plan["status"] == "infeasible" else ():
        print(line, file=sys.stderr)
    return EXIT_INVALID if plan["status"] == "infeasible" else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    instance = _load(args.instance)
    try:
        result = check(instance, read_json(args.plan))
    except InputError as exc:
        # Problems in the plan file are reported against that file, not the instance.
        raise InputError([f"{args.plan}: {p}" for p in exc.problems]) from None
    if not result.valid:
        for line in result.problems():
            print(line)
        return EXIT_INVALID
    print("valid: " + ", ".join(f"{k}={v}" for k, v in result.objective.as_dict().items()))
    return EXIT_OK


def _parse_absent(values: list[str], assistants: int) -> dict[str, list[str]]:
    absent: dict[str, list[str]] = {}
    problems = []
    for i, value in enumerate(values):
        aid, _, days = value.partition(":")
        day_list = [d for d in days.split(",") if d]
        if (
            not aid
            or not aid.startswith("a")
            or not aid[1:].isdigit()
            or not 1 <= int(aid[1:]) <= assistants
        ):
            problems.append(
                f"--absent[{i}]: unknown assistant {aid!r} (generated ids are a1..a{assistants})"
            )
        bad = [d for d in day_list if d not in DAYS]
        if not day_list or bad:
            problems.append(
                f"--absent[{i}]: days must be a comma list of {','.join(DAYS)}, got {days!r}"
            )
        absent.setdefault(aid, []).extend(day_list)
    if problems:
        raise InputError(problems)
    return absent


def cmd_generate(args: argparse.Namespace) -> int:
    problems = [
        f"--{k}: must be at least 1, got {v}"
        for k, v in (
            ("children", args.children),
            ("assistants", args.assistants),
            ("classes", args.classes),
        )
        if v < 1
    ]
    if problems:
        raise InputError(problems)
    instance = generate_instance(
        children=args.children,
        assistants=args.assistants,
        classes=args.classes,
        seed=args.seed,
        absent=_parse_absent(args.absent, args.assistants),
    )
    _write(instance_to_json(instance), args.out)
    return EXIT_OK


def _rates(values: list[str], problems: list[str]) -> tuple[float, dict[str, float]]:
    """`--rate 35` (everyone) and `--rate nursing=42` (assistants with that skill)."""
    default, by_skill = Parameters.hourly_rate, {}
    for i, value in enumerate(values):
        skill, _, amount = value.rpartition("=")
        try:
            rate = float(amount)
        except ValueError:
            problems.append(f"--rate[{i}]: must be EUR per hour or SKILL=EUR, got {value!r}")
            continue
        if skill:
            by_skill[skill] = rate
        else:
            default = rate
    return default, by_skill


def _parameters(args: argparse.Namespace) -> Parameters:
    """The model's parameters from the options; every bad value is reported at once."""
    problems: list[str] = []
    rate, skill_rates = _rates(args.rate, problems)
    params = Parameters(
        days=args.days, runs=args.runs, absence=args.absence, absence_spell=args.absence_spell,
        leave_days=args.leave_days, child_absence=args.child_absence,
        child_absence_spell=args.child_absence_spell, extra=getattr(args, "extra", None),
        extra_contract=getattr(args, "extra_contract", None), hourly_rate=rate,
        skill_rates=skill_rates)
    problems += params.problems()
    if getattr(args, "target", 0.5) is not None and not 0.0 < getattr(args, "target", 0.5) <= 1:
        problems.append(f"--target: must be above 0 and at most 1, got {args.target:g}")
    if getattr(args, "contract", None) is not None and args.contract < 1:
        problems.append(f"--contract: must be at least 1 minute, got {args.contract}")
    if problems:
        raise InputError(problems)
    return params


def _simulation_inputs(args: argparse.Namespace):
    """The instance and the parameters, with the problems of both reported together."""
    problems: list[str] = []
    params = instance = None
    try:
        params = _parameters(args)
    except InputError as exc:
        problems += exc.problems
    try:
        instance = _load(args.instance)
    except InputError as exc:
        problems = [f"{args.instance}: {p}" if not p.startswith(args.instance) else p
                    for p in exc.problems] + problems
    if problems:
        raise InputError(problems)
    return instance, params


def cmd_simulate(args: argparse.Namespace) -> int:
    instance, params = _simulation_inputs(args)
    rng = np.random.default_rng(args.seed)
    summaries = summarise(simulate(instance, params, rng, policies=args.policy or POLICIES))
    if args.json:
        for summary in summaries:
            print(json.dumps(summary.row(instance.name)))
    else:
        print(comparison(summaries, name=instance.name, params=params, seed=args.seed))
    return EXIT_OK


def cmd_size(args: argparse.Namespace) -> int:
    instance, params = _simulation_inputs(args)
    sizing = size_pool(instance, params, args.seed, target=args.target, contract=args.contract,
                       combined=args.combined_skills)
    if args.json:
        print(json.dumps({"instance": instance.name, **sizing.as_dict()}))
    else:
        print(sizing_table(sizing, name=instance.name))
    return EXIT_OK


def _model_options(parser: argparse.ArgumentParser, *, runs: int) -> None:
    """The simulation model's options, shared by `simulate` and `size`."""
    defaults = Parameters()
    parser.add_argument("instance")
    parser.add_argument("--days", type=int, default=defaults.days, help="school days a year")
    parser.add_argument("--runs", type=int, default=runs, help="simulated school years")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--absence", type=float, default=defaults.absence,
                        help="share of days an assistant is off sick")
    parser.add_argument("--absence-spell", type=float, default=defaults.absence_spell,
                        help="mean sick spell in school days")
    parser.add_argument("--leave-days", type=int, default=defaults.leave_days,
                        help="planned leave in term, days a year (one block)")
    parser.add_argument("--child-absence", type=float, default=defaults.child_absence)
    parser.add_argument("--child-absence-spell", type=float,
                        default=defaults.child_absence_spell)
    parser.add_argument("--rate", action="append", default=[], metavar="EUR|SKILL=EUR",
                        help=f"employer's cost per hour (default {defaults.hourly_rate:g}; "
                             "repeatable, e.g. --rate nursing=42)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="poolplan", description="Plan a pool of school support assistants."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    plan = sub.add_parser("plan", help="solve an instance into a plan")
    plan.add_argument("instance")
    plan.add_argument("--out", help="write the plan here (default: stdout)")
    plan.add_argument(
        "--time-limit", type=float, default=DEFAULTS.time_limit, help="seconds for the whole solve"
    )
    plan.add_argument("--workers", type=int, default=DEFAULTS.workers)
    plan.add_argument("--seed", type=int, default=DEFAULTS.seed)
    plan.add_argument("--method", choices=METHODS, default=DEFAULTS.method)
    plan.add_argument(
        "--engine", choices=ENGINES, default=DEFAULTS.engine, help="engine for the exact model"
    )
    plan.set_defaults(run=cmd_plan)

    chk = sub.add_parser("check", help="validate a plan against an instance")
    chk.add_argument("instance")
    chk.add_argument("plan")
    chk.set_defaults(run=cmd_check)

    gen = sub.add_parser("generate", help="print a realistic random instance")
    gen.add_argument("--children", type=int, required=True)
    gen.add_argument("--assistants", type=int, required=True)
    gen.add_argument("--classes", type=int, required=True)
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument(
        "--absent",
        action="append",
        default=[],
        metavar="ID:DAYS",
        help="e.g. a3:tue,wed (repeatable)",
    )
    gen.add_argument("--out")
    gen.set_defaults(run=cmd_generate)

    sim = sub.add_parser("simulate", help="compare one-to-one, pool and pool+k over school years")
    _model_options(sim, runs=Parameters.runs)
    sim.add_argument("--policy", action="append", choices=POLICIES,
                     help="simulate only these (repeatable; default: all three)")
    sim.add_argument("--extra", type=int, default=None, metavar="K",
                     help="extra assistants of pool+k (default: as many as give the staff "
                          "hours of one-to-one)")
    sim.add_argument("--extra-contract", type=int, default=None, metavar="MIN",
                     help="contract of each extra assistant (default: the pool's median)")
    sim.set_defaults(run=cmd_simulate)

    size = sub.add_parser("size", help="the smallest pool that meets every approval")
    _model_options(size, runs=200)
    size.add_argument("--target", type=float, default=0.95,
                      help="wanted share of weeks with every approval met")
    size.add_argument("--contract", type=int, default=None, metavar="MIN",
                      help="contract of each assistant (default: the pool's median)")
    size.add_argument("--combined-skills", action="store_true",
                      help="skilled assistants hold every skill the children require")
    size.set_defaults(run=cmd_size)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "time_limit", 1) <= 0 or getattr(args, "workers", 1) < 1:
        print("--time-limit must be positive and --workers at least 1", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return args.run(args)
    except InputError as exc:
        source = getattr(args, "instance", None)
        for problem in exc.problems:
            # Lines that already name a file (unreadable, malformed, plan) stay as they are.
            named = (
                source is None
                or problem.startswith(f"{source}:")
                or problem.startswith(f"{getattr(args, 'plan', None)}:")
                or problem.startswith("--")
            )
            print(problem if named else f"{source}: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
