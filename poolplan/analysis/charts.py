"""Geometry of the analysis page's two charts, drawn by the template as inline SVG: no
JavaScript, no chart library. Each chart has a title and a description in words (the SVG's
accessible name), and the same figures as a table below it; policies differ by colour, line
pattern and a label of their own, never by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from poolplan.analysis.services import POLICY_LABELS

WIDTH = 520
# Colours with at least 4.5:1 contrast on white; dashes tell the lines apart without colour.
STYLE = {
    "one-to-one": {"colour": "#1d4ed8", "dash": "", "mark": "●"},
    "pool": {"colour": "#b45309", "dash": "9 5", "mark": "▲"},
    "pool+k": {"colour": "#047857", "dash": "3 4", "mark": "■"},
}


def policy_label(policy: str) -> str:
    return _(POLICY_LABELS.get(policy, policy))


def percent(share: float, digits: int = 1) -> str:
    return number_format(100 * share, digits) + " %"


@dataclass
class Table:
    caption: str
    head: list[str]
    rows: list[list[str]] = field(default_factory=list)


def coverage_chart(result: dict) -> dict:
    """Small multiples, one histogram per policy on a shared axis: in how many simulated
    school years which share of the approved minutes was delivered on the day."""
    hist = result["histogram"]
    edges = hist["edges"]
    policies = [p["policy"] for p in result["policies"]]
    left, right, top, panel, gap = 150, 26, 10, 64, 24
    plot = WIDTH - left - right
    height = top + len(policies) * (panel + gap) + 36
    most = max((max(c) for c in hist["counts"].values() if c), default=1) or 1
    step = plot / (len(edges) - 1)
    panels = []
    means = {p["policy"]: p["approved_delivered"]["mean"] for p in result["policies"]}
    for k, policy in enumerate(policies):
        base = top + k * (panel + gap) + panel
        bars = []
        for i, count in enumerate(hist["counts"][policy]):
            h = panel * count / most
            bars.append({"x": round(left + i * step + 1, 1), "y": round(base - h, 1),
                         "w": round(max(step - 2, 1), 1), "h": round(h, 1),
                         "title": _("%(low)s to %(high)s: %(count)d years") % {
                             "low": percent(edges[i]), "high": percent(edges[i + 1]),
                             "count": count}})
        panels.append({"label": policy_label(policy), "mean": percent(means[policy]),
                       "label_y": base - panel / 2, "base": base, "bars": bars,
                       **STYLE[policy]})
    ticks = []
    for i in range(0, len(edges), max(1, (len(edges) - 1) // 4)):
        ticks.append({"x": round(left + i * step, 1), "label": percent(edges[i], 0)})
    axis_y = top + len(policies) * (panel + gap) - gap + 4
    runs = result["policies"][0]["runs"] if result["policies"] else 0
    desc = _("Share of the approved minutes delivered on the day, in each of %(runs)d simulated "
             "school years: ") % {"runs": runs} + "; ".join(
        _("%(policy)s %(mean)s on average") % {"policy": policy_label(p),
                                               "mean": percent(means[p])}
        for p in policies) + "."
    table = Table(_("Simulated school years by share of approved minutes delivered"),
                  [_("Share delivered")] + [policy_label(p) for p in policies])
    for i in range(len(edges) - 1):
        counts = [hist["counts"][p][i] for p in policies]
        if any(counts):
            table.rows.append([f"{percent(edges[i])} – {percent(edges[i + 1])}"]
                              + [str(c) for c in counts])
    return {"width": WIDTH, "height": height, "left": left, "right": WIDTH - right,
            "panels": panels, "ticks": ticks, "axis_y": axis_y,
            "title": _("Distribution of coverage"), "desc": desc, "table": table}


def debt_chart(result: dict) -> dict:
    """The children's make-up debt at the end of each week: the mean over the simulated
    years as a line, 80 % of the years (10th to 90th percentile) as a band."""
    policies = result["policies"]
    weeks = len(policies[0]["debt_weeks"]["mean"]) if policies else 0
    left, right, top = 60, 14, 30
    plot_h = 200
    plot_w = WIDTH - left - right
    legend_top = top + plot_h + 70
    height = legend_top + 30 * len(policies)
    highest = max((max(p["debt_weeks"]["p90"], default=0) for p in policies), default=0)
    top_value = _nice(highest)

    def x(week: int) -> float:
        return round(left + plot_w * (week - 1) / max(weeks - 1, 1), 1)

    def y(hours: float) -> float:
        return round(top + plot_h * (1 - hours / top_value), 1)

    lines = []
    for k, p in enumerate(policies):
        debt = p["debt_weeks"]
        points = " ".join(f"{x(i + 1)},{y(v)}" for i, v in enumerate(debt["mean"]))
        upper = [f"{x(i + 1)},{y(v)}" for i, v in enumerate(debt["p90"])]
        lower = [f"{x(i + 1)},{y(v)}" for i, v in reversed(list(enumerate(debt["p10"])))]
        end = number_format(debt["mean"][-1] if debt["mean"] else 0, 0, force_grouping=True)
        label = policy_label(p["policy"])
        lines.append({"policy": p["policy"], "label": label, "points": points,
                      "band": " ".join(upper + lower), "end_label": f"{end} h",
                      "legend": _("%(policy)s: %(hours)s h at the year's end")
                      % {"policy": label, "hours": end},
                      "legend_y": legend_top + 30 * k, **STYLE[p["policy"]]})
    y_ticks = [{"y": y(top_value * k / 4),
                "label": number_format(top_value * k / 4, 0, force_grouping=True)}
               for k in range(5)]
    x_ticks = [{"x": x(w), "label": str(w)} for w in range(1, weeks + 1)
               if w == 1 or (w % 10 == 0 and weeks - w >= 4) or w == weeks]
    desc = _("Make-up debt of all children together at the end of each school week, in hours; "
             "lines: the mean over the simulated years, bands: %(share)s of the years. At the "
             "year's end: ") % {"share": percent(0.8, 0)} + "; ".join(
        f"{line['label']} {line['end_label']}" for line in lines) + "."
    table = Table(_("Make-up debt (hours) at the end of the week: mean (10th–90th "
                    "percentile)"), [_("Week")] + [line["label"] for line in lines])
    for w in range(weeks):
        table.rows.append([str(w + 1)] + [
            f"{number_format(p['debt_weeks']['mean'][w], 0)} "
            f"({number_format(p['debt_weeks']['p10'][w], 0)}–"
            f"{number_format(p['debt_weeks']['p90'][w], 0)})" for p in policies])
    return {"width": WIDTH, "height": height, "left": left, "right": left + plot_w,
            "top": top, "bottom": top + plot_h, "lines": lines, "y_ticks": y_ticks,
            "x_ticks": x_ticks, "title": _("Make-up debt over the year"), "desc": desc,
            "table": table}


def _nice(value: float) -> float:
    """A round top for the y axis: 1, 2, 2.5 or 5 times a power of ten above `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** len(str(int(value))) / 10
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * power:
            return factor * power
    return 10 * power
