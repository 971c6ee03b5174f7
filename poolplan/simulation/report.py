"""Plain-text tables of a simulation and of a pool sizing, for the command line and bench."""

from __future__ import annotations

from poolplan.simulation.metrics import METRICS, Estimate, PolicySummary
from poolplan.simulation.model import Parameters
from poolplan.simulation.sizing import Candidate, Sizing


def value(estimate: Estimate | float, unit: str, *, interval: bool = True) -> str:
    """A metric as people read it: 83.6 % (83.5-83.7), 1,190 h, EUR 45.45."""
    mean, low, high = ((estimate.mean, estimate.low, estimate.high)
                       if isinstance(estimate, Estimate) else (estimate, estimate, estimate))
    if mean is None or mean != mean:
        return "n/a"

    def one(x: float) -> str:
        if unit == "share":
            return f"{100 * x:.1f}"
        if unit == "EUR":
            return f"{x:,.2f}"
        if unit == "count":
            return f"{x:.2f}"
        return f"{x:,.0f}"

    suffix = {"share": " %", "hours": " h", "minutes": " min", "EUR": " EUR"}.get(unit, "")
    text = one(mean) + suffix
    if interval and one(low) != one(high):
        text += f" ({one(low)}-{one(high)})"
    return text


def comparison(summaries: list[PolicySummary], *, name: str, params: Parameters,
               seed: int | None = None) -> str:
    """The policies side by side, one metric per line, 95 % intervals in brackets."""
    head = (f"{name}: {summaries[0].runs if summaries else 0} school years of {params.days} days"
            + (f", seed {seed}" if seed is not None else "")
            + f"; assistants absent {100 * params.absence:g} % of days (spells of "
            f"{params.absence_spell:g} days) + {params.leave_days} days leave, children "
            f"{100 * params.child_absence:g} %")
    label_width = max(len(m.label) for m in METRICS) + 2
    columns = [s.policy for s in summaries]
    rows = [["staff (contract min/week)"]
            + [f"{s.assistants} ({s.staff_minutes:,} min)" for s in summaries],
            ["cost per year"] + [f"{s.cost_per_year:,.0f} EUR" for s in summaries]]
    for metric in METRICS:
        rows.append([metric.label] + [value(s.metrics[metric.key], metric.unit)
                                      for s in summaries])
    widths = [max(len(c), *(len(r[i + 1]) for r in rows)) + 2 for i, c in enumerate(columns)]
    label_width = max(label_width, *(len(r[0]) + 2 for r in rows))
    lines = [head, "", "".ljust(label_width) + "".join(c.ljust(w) for c, w in
                                                        zip(columns, widths, strict=True))]
    lines.append("-" * len(lines[-1]))
    for r in rows:
        lines.append(r[0].ljust(label_width)
                     + "".join(cell.ljust(w) for cell, w in zip(r[1:], widths, strict=True)))
    lines.append("")
    lines.append("Mean over the school years, 95 % confidence interval in brackets; "
                 "docs/simulation.md explains every line.")
    return "\n".join(line.rstrip() for line in lines)


def _mix(candidate: Candidate) -> str:
    parts = [f"{n} {'+'.join(skills) if skills else 'without special skill'}"
             for skills, n in candidate.mix]
    return ", ".join(parts)


def sizing_table(sizing: Sizing, *, name: str) -> str:
    target = f"{100 * sizing.target:g} %"
    lines = [f"{name}: smallest pool with every approval met in at least {target} of the weeks "
             f"({sizing.runs} school years each, contracts of {sizing.contract} min/week)", ""]
    head = f"{'assistants':<12}{'weeks all met':<28}{'approved delivered':<28}skill mix"
    lines += [head, "-" * len(head)]
    for c in [sizing.current, *sizing.tried]:
        label = f"{c.assistants}" + (" (now)" if c is sizing.current else "")
        lines.append(f"{label:<12}{value(c.weeks_all_met, 'share'):<28}"
                     f"{value(c.approved_delivered, 'share'):<28}{_mix(c)}")
    lines.append("")
    if sizing.impossible:
        lines.append("No pool meets every approval: approved minutes exceed the need minutes "
                     "of " + ", ".join(sizing.impossible) + ".")
    elif sizing.answer is None:
        lines.append(f"No pool of up to {sizing.tried[-1].assistants if sizing.tried else 0} "
                     f"assistants reaches {target}.")
    else:
        lines.append(f"Smallest pool: {sizing.answer.assistants} assistants "
                     f"({_mix(sizing.answer)}).")
    if sizing.fixed:
        lines += ["", "Children who should keep a fixed person:"]
        for f in sizing.fixed:
            who = " and ".join(f.suggested) if f.suggested else "a qualified person"
            lines.append(f"  {f.child}: {'; '.join(f.reasons())}; in the present pool "
                         f"{f.distinct_in_pool:.1f} different assistants a year; keep {who}")
    return "\n".join(lines)
