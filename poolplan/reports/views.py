"""The printable week plan: the published plan of a school's week on paper, for the staff
room or the coordinator's folder. Who may see it and what it holds: `reports/selectors.py`;
its audit row: `reports/services.py`. The CSV/XLSX/JSON/PDF files are served by the API
(`reports/api.py`), which accepts the login session."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from poolplan.planning import selectors as planning_selectors
from poolplan.planning.weeks import WeekError, iso_week_label, iso_week_monday
from poolplan.reports import selectors, services


@require_safe
@login_required
def week_plan_print(request, school_id: int, week: str):
    school = selectors.week_plan_school_get(user=request.user, school_id=school_id)
    try:
        week = iso_week_label(iso_week_monday(week))
    except WeekError:
        raise Http404("No such week.") from None
    plan = planning_selectors.plan_published_get(school=school, week=week)
    days = []
    if plan is not None:
        rows = selectors.week_plan_rows(plan=plan)
        days = selectors.week_plan_days(plan=plan, rows=rows)
        services.week_plan_export_record(actor=request.user, plan=plan,
                                         file_format="printable page", rows=len(rows))
    monday = iso_week_monday(week)
    return render(request, "reports/week_plan_print.html", {
        "school": school, "week": week, "plan": plan, "days": days, "monday": monday,
        "friday": days[-1]["date"] if days else monday,
    })
