"""Charts of the evaluation dashboard, drawn on the server by pygal as SVG: no JavaScript, no
canvas, and the same picture in every browser. Each chart goes into the page as an <img> with a
text alternative; the tables beside it carry the same figures for screen readers and CSV.

pygal's own tooltips would load a script from the internet, so `js=[]` switches them off.
"""

import base64

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from poolplan.logbook.evaluation import Evaluation

# The site's palette: blue for what was owed, green for what was delivered, amber for debt.
STYLE = Style(
    background="white", plot_background="white", foreground="#1f2933",
    foreground_strong="#1f2933", foreground_subtle="#52606d",
    colors=("#1d4ed8", "#15803d", "#b45309", "#7c3aed"),
    font_family="DejaVu Sans, Noto Sans, sans-serif",
    # Large: the picture is scaled down to the screen's width on a phone.
    title_font_size=20, label_font_size=16, major_label_font_size=16,
    legend_font_size=16, value_font_size=15,
)


def _options(**extra) -> dict:
    return {"style": STYLE, "js": [], "disable_xml_declaration": True, "width": 640,
            "height": 360, "print_values": False, "legend_at_bottom": True,
            "truncate_legend": -1, "margin": 12, **extra}


def _data_uri(chart) -> str:
    svg = chart.render(is_unicode=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _month_labels(result: Evaluation) -> list[str]:
    return [f"{m.month:%Y-%m}" for m in result.months]


def coverage_by_month(result: Evaluation) -> dict:
    title = (_("Pool budget and staff minutes delivered") if result.is_budget
             else _("Approved and credited minutes"))
    chart = pygal.Bar(**_options(title=title, x_title=_("Month"), y_title=_("Minutes")))
    chart.x_labels = _month_labels(result)
    if result.is_budget:
        chart.add(_("Budget"), [m.budget or 0 for m in result.months])
        chart.add(_("Staff minutes"), [m.staff for m in result.months])
        alt = "; ".join(f"{m.month:%Y-%m}: {m.staff} / {m.budget}" for m in result.months)
    else:
        chart.add(_("Approved"), [m.approved for m in result.months])
        chart.add(_("Credited"), [m.credited for m in result.months])
        chart.add(_("Make-up debt at month end"), [m.debt_end for m in result.months])
        alt = "; ".join(f"{m.month:%Y-%m}: {m.credited} / {m.approved}" for m in result.months)
    return {"src": _data_uri(chart), "alt": f"{title}. {alt}"}


def coverage_by_child(result: Evaluation) -> dict:
    title = _("Coverage of approved minutes per child, per cent")
    chart = pygal.HorizontalBar(**_options(
        title=title, range=(0, 100),
        height=max(240, 60 + 34 * len(result.children)), show_legend=False))
    # Reversed: pygal draws the first label at the bottom.
    rows = [c for c in reversed(result.children) if c.coverage is not None]
    chart.x_labels = [c.child.display_code for c in rows]
    chart.add(_("Coverage"), [c.coverage for c in rows])
    alt = "; ".join(f"{c.child.display_code}: {c.coverage} %" for c in rows)
    return {"src": _data_uri(chart), "alt": f"{title}. {alt or _('no approvals')}"}


def assistants_by_child(result: Evaluation) -> dict:
    title = _("Distinct assistants per child")
    most = max([c.assistants for c in result.children] + [1])
    chart = pygal.HorizontalBar(**_options(
        title=title, y_labels=list(range(0, most + 1)),
        height=max(240, 60 + 34 * len(result.children)), show_legend=False))
    chart.x_labels = [c.child.display_code for c in reversed(result.children)]
    chart.add(_("Assistants"), [c.assistants for c in reversed(result.children)])
    alt = "; ".join(f"{c.child.display_code}: {c.assistants}" for c in result.children)
    return {"src": _data_uri(chart), "alt": f"{title}. {alt}"}


def response_times(result: Evaluation) -> dict:
    title = _("Card response times (median, minutes)")
    chart = pygal.Line(**_options(title=title,
                                  x_title=_("Month"), y_title=_("Minutes"), dots_size=5))
    chart.x_labels = _month_labels(result)
    chart.add(_("To \"I'm going\""), [m.acknowledge_median for m in result.months])
    chart.add(_("To \"done\""), [m.done_median for m in result.months])
    alt = "; ".join(f"{m.month:%Y-%m}: {m.acknowledge_median}" for m in result.months)
    return {"src": _data_uri(chart), "alt": f"{title}. {alt}"}


def evaluation_charts(result: Evaluation) -> list[dict]:
    charts = [coverage_by_month(result)]
    if not result.is_budget:
        charts.append(coverage_by_child(result))
    charts += [assistants_by_child(result), response_times(result)]
    return charts
