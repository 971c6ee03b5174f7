"""Pages of the needs analysis: choose parameters, run the simulation in the background, watch
its progress (htmx polling), read the comparison, the charts and the recommendation.

Thin like the other apps: permissions from `analysis/selectors.py`, writes through
`analysis/services.py`; the views only shape the stored result for the template.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import HttpResponseClientRedirect

from poolplan.analysis import charts, selectors, services
from poolplan.analysis.forms import AnalysisForm
from poolplan.analysis.models import AnalysisRun, AnalysisStatus
from poolplan.planning.views import default_week
from poolplan.simulation import METRICS

# The simulator's metrics (poolplan.simulation.metrics.METRICS) in the page's words.
METRIC_LABELS = {
    "child_days_supported": gettext_lazy("Child-days with support"),
    "child_days_home": gettext_lazy("Child-days at home for want of care"),
    "approved_delivered": gettext_lazy("Approved minutes delivered on the day"),
    "weeks_all_met": gettext_lazy("Weeks with every approval met"),
    "debt_hours": gettext_lazy("Make-up debt at year end (hours, all children)"),
    "idle_minutes": gettext_lazy("Idle assistant minutes per week (all assistants)"),
    "distinct_assistants": gettext_lazy("Distinct assistants per child over the year"),
    "cost_per_hour": gettext_lazy("Cost per hour of support delivered"),
    "red_attended": gettext_lazy("Red minutes with an adult at hand"),
}


@require_safe
@login_required
def analysis_index(request):
    """Where "Needs analysis" in the header leads: the one school, or a list to choose from."""
    schools = list(selectors.analysis_school_list(user=request.user))
    if len(schools) == 1:
        return redirect("analysis_school", school_id=schools[0].pk)
    if not schools and request.user.role not in ("coordinator", "provider"):
        raise Http404("No needs analysis for this login.")
    return render(request, "analysis/index.html", {"schools": schools})


def _run_url(run: AnalysisRun) -> str:
    return reverse("analysis_school", args=[run.school_id]) + f"?run={run.pk}#run-status"


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def analysis_school(request, school_id: int):
    school = selectors.analysis_school_get(user=request.user, school_id=school_id)
    if request.method == "POST":
        form = AnalysisForm(request.POST)
        if form.is_valid():
            try:
                run = services.analysis_run_create(actor=request.user, school=school,
                                                   week=form.cleaned_data["week"],
                                                   parameters=form.parameters())
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                if request.htmx:
                    return HttpResponseClientRedirect(_run_url(run))
                return redirect(_run_url(run))
        status = 400
    else:
        form = AnalysisForm(initial={"week": default_week()})
        status = 200
    runs = selectors.analysis_runs(school=school)
    run = None
    if request.GET.get("run", "").isdigit():
        run = next((r for r in runs if r.pk == int(request.GET["run"])), None)
        if run is None:
            run = selectors.analysis_run_get(user=request.user, run_id=int(request.GET["run"]))
            if run.school_id != school.pk:
                raise Http404("No such simulation run.")
    elif runs:
        run = next((r for r in runs if r.status == AnalysisStatus.DONE), runs[0])
    if run is not None:
        run = services.analysis_run_fail_stale(run=run)
        if run.status == AnalysisStatus.DONE:
            run = AnalysisRun.objects.get(pk=run.pk)  # with its result (deferred in the list)
    context = {"school": school, "form": form, "runs": runs, "run": run,
               **_result_context(run)}
    return render(request, "analysis/school.html", context, status=status)


@require_safe
@login_required
def analysis_run_status(request, run_id: int):
    """The run's status panel, polled by htmx every 2 s while it is queued or running; when it
    has finished, the page with its figures is loaded. Without htmx: that page."""
    run = services.analysis_run_fail_stale(
        run=selectors.analysis_run_get(user=request.user, run_id=run_id))
    if run.finished and request.htmx:
        return HttpResponseClientRedirect(_run_url(run))
    if not request.htmx:
        return redirect(_run_url(run))
    return render(request, "analysis/school.html#run-status", {"run": run})


def _result_context(run: AnalysisRun | None) -> dict:
    """The stored result shaped for the template: the comparison table, the charts and the
    recommendation, with display codes and names instead of planner ids."""
    if run is None or run.status != AnalysisStatus.DONE or not run.result:
        return {}
    result = run.result
    policies = result["policies"]
    labels = [charts.policy_label(p["policy"]) for p in policies]
    rows = []
    for metric in METRICS:
        cells = [{**_cell(p[metric.key], metric.unit), "label": label}
                 for p, label in zip(policies, labels, strict=True)]
        rows.append({"label": METRIC_LABELS[metric.key], "cells": cells, "key": metric.key,
                     "better": metric.better})
    staff = [{"assistants": p["assistants"], "hours": number_format(p["staff_minutes"] / 60, 0),
              "cost": number_format(p["cost_per_year"], 0, force_grouping=True), "label": label}
             for p, label in zip(policies, labels, strict=True)]
    sizing = result["sizing"]
    children, assistants = result.get("children", {}), result.get("assistants", {})
    fixed = [{"child": children.get(f["child"], f["child"]),
              "reasons": _reasons(f, assistants),
              "distinct": number_format(f["distinct_in_pool"], 1),
              "suggested": [assistants.get(a, a) for a in f["suggested"]]}
             for f in sizing["fixed"]]
    return {
        "result": result,
        "columns": [{"label": charts.policy_label(p["policy"]), "policy": p["policy"],
                     **charts.STYLE[p["policy"]]} for p in policies],
        "staff": staff,
        "rows": rows,
        "extra": max(0, next((p["assistants"] for p in policies if p["policy"] == "pool+k"),
                             result.get("pool_size", 0)) - result.get("pool_size", 0)),
        "coverage": charts.coverage_chart(result),
        "debt": charts.debt_chart(result),
        "sizing": sizing,
        "tried": [_candidate(c) for c in [sizing["current"], *sizing["tried"]]],
        "answer": _candidate(sizing["answer"]) if sizing["answer"] else None,
        "impossible": [children.get(c, c) for c in sizing["impossible"]],
        "fixed": fixed,
    }


def _reasons(advice: dict, assistants: dict[str, str]) -> list[str]:
    out = []
    if advice["fixed"]:
        out.append(_("fixed persons named: %(names)s")
                   % {"names": ", ".join(assistants.get(a, a) for a in advice["fixed"])})
    if advice["medical"]:
        out.append(_("medical care (needs %(skills)s)")
                   % {"skills": ", ".join(advice["medical"])})
    if advice["few_people"] is not None:
        out.append(ngettext("tolerates only %(count)d assistant",
                            "tolerates at most %(count)d assistants", advice["few_people"])
                   % {"count": advice["few_people"]})
    return out


def _cell(estimate: dict, unit: str) -> dict:
    def one(value):
        if value is None:
            return None
        if unit == "share":
            return number_format(100 * value, 1) + " %"
        if unit == "EUR":
            return number_format(value, 2) + " €"
        if unit == "count":
            return number_format(value, 2)
        suffix = {"hours": " h", "minutes": " min"}.get(unit, "")
        return number_format(value, 0, force_grouping=True) + suffix

    mean, low, high = one(estimate["mean"]), one(estimate["low"]), one(estimate["high"])
    if mean is None:
        return {"mean": _("not defined"), "interval": ""}
    return {"mean": mean, "interval": "" if low == high else f"{low} – {high}"}


def _candidate(candidate: dict) -> dict:
    mix = [(_("%(count)d with %(skills)s") % {"count": m["count"],
                                              "skills": ", ".join(m["skills"])})
           if m["skills"] else
           (_("%(count)d without special skill") % {"count": m["count"]})
           for m in candidate["mix"]]
    return {"assistants": candidate["assistants"], "mix": mix,
            "met": _cell(candidate["weeks_all_met"], "share"),
            "delivered": _cell(candidate["approved_delivered"], "share")}
