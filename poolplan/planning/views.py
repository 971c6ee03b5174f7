"""Pages of planning: the coordinator's board (htmx), sick calls and their proposals, my day,
the class view, the printable morning view, the calendar feed and notifications.

Thin like roster/views.py: permissions from `planning/selectors.py`, writes through
`planning/services.py` (and `roster/services.py` for absences); the views only shape rows for
the templates.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from poolplan.accounts.models import Role
from poolplan.planner.rules import violations as check_violations
from poolplan.planning import explanations, selectors, services
from poolplan.planning.forms import AbsenceForm, AssignmentForm, SelfAbsenceForm
from poolplan.planning.models import Plan, PlanStatus, SolveJob, SolveJobKind, SolveJobStatus
from poolplan.planning.weeks import WeekError, iso_week_label, iso_week_monday
from poolplan.roster import selectors as roster_selectors
from poolplan.roster import services as roster_services
from poolplan.roster.models import WEEKDAY_CODES, Assistant, Child, Period, Weekday

DAY_CODES = {code: weekday for weekday, code in WEEKDAY_CODES.items()}


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [m for values in error.message_dict.values() for m in values]
    return list(error.messages)


def _week_or_404(week: str) -> str:
    try:
        return services.week_normalize(week)
    except WeekError:
        raise Http404("No such week.") from None


def _date_or_404(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise Http404("No such day.") from None


def default_week(today: datetime.date | None = None) -> str:
    """This week, or the next one from Saturday on (nobody plans a week that is over)."""
    today = today or timezone.localdate()
    if today.weekday() >= 5:
        today += datetime.timedelta(days=7 - today.weekday())
    return iso_week_label(today)


def _date_param(request, default: datetime.date) -> datetime.date:
    value = request.GET.get("date")
    if not value:
        return default
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise Http404("No such day.") from None


# --- the board ----------------------------------------------------------------------------------


def _working_plan(school, week: str) -> tuple[Plan | None, Plan | None]:
    """(the plan the board shows, the published plan): the newest draft if it is newer than
    the published version, else the published plan."""
    published = selectors.plan_published_get(school=school, week=week)
    draft = selectors.plan_latest_draft_get(school=school, week=week)
    if draft is not None and (published is None or draft.version > published.version):
        return draft, published
    return published, published


def _board_context(request, school, week: str, *, job: SolveJob | None = None,
                   errors: list[str] | None = None) -> dict:
    plan, published = _working_plan(school, week)
    monday = iso_week_monday(week)
    context = {"school": school, "week": week, "plan": plan, "published": published,
               "job": job, "errors": errors or [],
               "previous_week": iso_week_label(monday - datetime.timedelta(days=7)),
               "next_week": iso_week_label(monday + datetime.timedelta(days=7)),
               "monday": monday, "friday": monday + datetime.timedelta(days=4)}
    if plan is None:
        return context
    instance = plan.instance
    assistants_by_id = {str(a.pk): a for a in Assistant.objects.filter(
        pk__in=[int(a["id"]) for a in instance["assistants"]])}
    children_by_id = {str(c.pk): c for c in Child.objects.filter(
        pk__in=[int(c["id"]) for c in instance["children"]])}
    periods = {p.slot_id: p for p in Period.objects.filter(school=school)}
    unavailable = {a["id"]: set(a["unavailable"]) for a in instance["assistants"]}
    assistant_ids = [a["id"] for a in instance["assistants"]]
    cells: dict[tuple[str, str], list[dict]] = {}
    supported: set[tuple[str, str]] = set()
    for row in plan.assignments.all():
        entry = {"child": children_by_id.get(str(row.child_id)), "slot": row.slot,
                 "pinned": row.pinned}
        cells.setdefault((row.slot, str(row.assistant_id)), []).append(entry)
        supported.add((row.slot, str(row.child_id)))
    days: list[dict] = []
    by_code: dict[str, dict] = {}
    for slot in instance["slots"]:
        day = by_code.get(slot["day"])
        if day is None:
            weekday = DAY_CODES[slot["day"]]
            day = {"code": slot["day"], "name": Weekday(weekday).label,
                   "date": monday + datetime.timedelta(days=weekday - 1), "rows": []}
            by_code[slot["day"]] = day
            days.append(day)
        period = periods.get(slot["id"])
        open_needs = [
            {"child": children_by_id.get(c["id"]), "slot": slot["id"],
             "need": c["needs"][slot["id"]]}
            for c in instance["children"]
            if c["needs"].get(slot["id"], 0) >= 1 and (slot["id"], c["id"]) not in supported]
        day["rows"].append({
            "slot": slot["id"], "start": slot["start"], "end": slot["end"],
            "label": roster_services.period_label_text(period) if period else slot["id"],
            "is_break": slot["kind"] == "break",
            "cells": [{"assistant": assistants_by_id.get(aid),
                       "absent": slot["id"] in unavailable.get(aid, set()),
                       "entries": cells.get((slot["id"], aid), [])} for aid in assistant_ids],
            "open": [n for n in open_needs if n["child"] is not None],
        })
    names, codes = services._names(school)
    bars = []
    for child in plan.document.get("children", []):
        approved, credited = child.get("approved", 0), child.get("credited", 0)
        bars.append({"code": codes.get(child["id"], child["id"]), "approved": approved,
                     "credited": credited, "shortfall": child.get("shortfall", 0),
                     "percent": min(100, round(100 * credited / approved)) if approved else 100})
    bars.sort(key=lambda b: (-b["shortfall"], b["code"]))
    # Per child one short line in the reader's language and the main reason; the planner's
    # full explanation opens on demand.
    view = explanations.plan_view(plan.instance, plan.document)
    details = services._named_explanations_by_child(plan.instance, plan.document, names, codes)
    warnings = explanations.shortfall_summaries(view, assistants=names, children=codes,
                                                details=details)
    broken = [{"label": explanations.rule_label(v.rule, v.label), "detail": v.message}
              for v in check_violations(view)]
    context.update({
        "days": days, "assistants": [assistants_by_id.get(aid) for aid in assistant_ids],
        "bars": bars, "warnings": warnings, "broken": broken,
        "editable": plan.status == PlanStatus.DRAFT,
        "short_count": sum(1 for b in bars if b["shortfall"] > 0),
    })
    return context


def _render_board(request, school, week, *, status=200, **kwargs) -> HttpResponse:
    template = "planning/board.html"
    if request.htmx and not request.htmx.boosted:
        template += "#board"
    return render(request, template, _board_context(request, school, week, **kwargs),
                  status=status)


@require_safe
@login_required
def plan_index(request):
    """Where "Planning" in the header leads, by role."""
    user = request.user
    if user.role == Role.COORDINATOR:
        school = user.schools.order_by("name").first()
        if school is None:
            raise Http404("You coordinate no school yet.")
        return redirect("plan_board", school_id=school.pk, week=default_week())
    if user.role == Role.ASSISTANT:
        return redirect("my_day")
    if user.role == Role.TEACHER:
        school_class = user.classes.order_by("name").first()
        if school_class is None:
            raise Http404("You teach no class yet.")
        return redirect("class_plan", class_id=school_class.pk)
    raise PermissionDenied("Plans are for the pool, its coordinators and teachers.")


@require_safe
@login_required
def plan_board(request, school_id: int, week: str):
    school = selectors.plan_school_for_manage(user=request.user, school_id=school_id)
    week = _week_or_404(week)
    job = None
    if request.GET.get("job", "").isdigit():
        services.solve_jobs_fail_stale(school=school)
        job = selectors.solve_job_for_board(school=school, week=week,
                                            job_id=int(request.GET["job"]))
    return _render_board(request, school, week, job=job)


@require_POST
@login_required
def plan_solve(request, school_id: int, week: str):
    school = selectors.plan_school_for_manage(user=request.user, school_id=school_id)
    week = _week_or_404(week)
    job = services.solve_job_create(actor=request.user, school=school, week=week)
    url = reverse("plan_board", args=[school.pk, week]) + f"?job={job.pk}#solve-status"
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _job_page(job: SolveJob) -> str:
    """Where a job's result is shown: the board of its week, or the proposal of its day."""
    if job.kind == SolveJobKind.PROPOSAL:
        return reverse("proposal", args=[job.school_id, job.day.isoformat()])
    return reverse("plan_board", args=[job.school_id, job.week]) + f"?job={job.pk}"


@require_safe
@login_required
def solve_job_status(request, job_id: int):
    """A job's status panel, polled by htmx every 2 s while the job is queued or running;
    when it has finished, the page of its result (the board with the new draft, or the
    proposal) is loaded. Without htmx: that page, which shows the progress itself."""
    job = selectors.solve_job_get(user=request.user, job_id=job_id)
    services.solve_jobs_fail_stale(school=job.school)
    job.refresh_from_db()
    url = _job_page(job)
    if not job.is_active and request.htmx:
        return HttpResponseClientRedirect(url)
    if not request.htmx:
        return redirect(url)
    if job.kind == SolveJobKind.PROPOSAL:
        return render(request, "planning/proposal.html#progress",
                      {"job": job, **_progress(job)})
    return render(request, "planning/board.html#solve-status", {"job": job})


def _progress(job: SolveJob) -> dict:
    """Seconds the running job has searched, against its limit (for a <progress> bar)."""
    if job.status != SolveJobStatus.RUNNING or job.started_at is None:
        return {"elapsed": None}
    elapsed = int((timezone.now() - job.started_at).total_seconds())
    return {"elapsed": max(0, min(elapsed, job.time_limit))}


@require_POST
@login_required
def plan_publish(request, school_id: int, week: str):
    school = selectors.plan_school_for_manage(user=request.user, school_id=school_id)
    week = _week_or_404(week)
    plan = Plan.objects.filter(school=school, week=week,
                               version=_int(request.POST.get("version"))).first()
    if plan is None:
        raise Http404("No such plan version.")
    try:
        services.plan_publish(actor=request.user, plan=plan,
                              edit_version=_int(request.POST.get("edit_version")))
    except services.PlanConflict as error:
        return _refuse(request, school, week, [str(error)], status=409)
    except ValidationError as error:
        return _refuse(request, school, week, _messages_of(error), status=400)
    messages.success(request, _("Version %(version)d is published; it is the plan in force.")
                     % {"version": plan.version})
    return _back_to_board(request, school, week)


@require_POST
@login_required
def plan_draft(request, school_id: int, week: str):
    school = selectors.plan_school_for_manage(user=request.user, school_id=school_id)
    week = _week_or_404(week)
    plan = selectors.plan_published_get(school=school, week=week)
    if plan is None:
        raise Http404("No published plan to copy.")
    draft = services.plan_draft_copy(actor=request.user, plan=plan)
    messages.success(request, _("Draft version %(version)d made; change it here and publish "
                                "it when it is ready.") % {"version": draft.version})
    return _back_to_board(request, school, week)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _back_to_board(request, school, week):
    url = reverse("plan_board", args=[school.pk, week])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _refuse(request, school, week, errors: list[str], *, status: int):
    if request.htmx:
        return _render_board(request, school, week, errors=errors, status=status)
    for error in errors:
        messages.error(request, error)
    return redirect("plan_board", school_id=school.pk, week=week)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def plan_assignment_edit(request, school_id: int, week: str):
    """One child in one slot: choose its assistant (or nobody) and whether the choice is
    pinned. GET gives the small form (inline through htmx); POST saves it."""
    school = selectors.plan_school_for_manage(user=request.user, school_id=school_id)
    week = _week_or_404(week)
    plan, _published = _working_plan(school, week)
    if plan is None:
        raise Http404("No plan of this week yet.")
    data = request.POST if request.method == "POST" else request.GET
    form = AssignmentForm(data, plan=plan)
    if request.method != "POST":
        if not form.is_valid_target():
            raise Http404("No such child in this slot.")
        template = "planning/assignment_edit.html"
        if request.htmx:
            template += "#editor"
        return render(request, template, {"school": school, "week": week, "plan": plan,
                                          "form": form, **form.target_context()})
    if not form.is_valid():
        return _refuse(request, school, week, [str(m) for field in form.errors.values()
                                               for m in field], status=400)
    target = Plan.objects.filter(school=school, week=week,
                                 version=form.cleaned_data["version"]).first()
    if target is None:
        raise Http404("No such plan version.")
    try:
        services.plan_assignment_set(
            actor=request.user, plan=target, edit_version=form.cleaned_data["edit_version"],
            slot=form.cleaned_data["slot"], child=form.cleaned_data["child"],
            assistant=form.cleaned_data["assistant"], pinned=form.cleaned_data["pinned"])
    except services.PlanConflict as error:
        return _refuse(request, school, week, [str(error)], status=409)
    except ValidationError as error:
        return _refuse(request, school, week, _messages_of(error), status=400)
    if request.htmx:
        return _render_board(request, school, week)
    messages.success(request, _("Saved."))
    return redirect("plan_board", school_id=school.pk, week=week)


# --- sick calls ---------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def sick_call(request, school_id: int):
    """A coordinator enters an absence of a pool member; then the day's proposal is shown."""
    school = selectors.plan_school_for_manage(user=request.user, school_id=school_id)
    assistants = roster_selectors.assistant_list(user=request.user, school=school)
    form = AbsenceForm(request.POST or None, assistants=assistants)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            roster_services.absence_create(actor=request.user, assistant=data["assistant"],
                                           start=data["start"], end=data["end"],
                                           reason=data["reason"],
                                           reason_text=data["reason_text"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            day = max(data["start"], timezone.localdate())
            messages.success(request, _("The absence of %(name)s is entered.")
                             % {"name": data["assistant"].full_name})
            return redirect("proposal", school_id=school.pk, date=day.isoformat())
    return render(request, "planning/sick_call.html", {"school": school, "form": form},
                  status=400 if form.is_bound else 200)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def my_sick(request):
    """A pool member reports their own absence on their phone; the coordinators are told."""
    assistant = selectors.my_assistant(user=request.user)
    form = SelfAbsenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            absence = roster_services.absence_create(
                actor=request.user, assistant=assistant, start=data["start"], end=data["end"],
                reason=data["reason"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            for school in assistant.schools.all():
                services.absence_report_notify(absence=absence, school=school,
                                               actor=request.user)
            messages.success(request, _("Your absence is entered and your coordinator is "
                                        "told. Get well soon."))
            return redirect("my_day")
    return render(request, "planning/my_sick.html", {"assistant": assistant, "form": form},
                  status=400 if form.is_bound else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def proposal(request, school_id: int, date: str):
    """The replanned day in words, with Accept. The planner works in the background: while
    it does, the page shows its progress (htmx polls the job; without JavaScript the page
    reloads itself, and has a link to do so). Accept publishes the proposal shown, as it was
    stored; it never solves."""
    school = selectors.plan_school_for_manage(user=request.user, school_id=school_id)
    day = _date_or_404(date)
    errors: list[str] = []
    status = 200
    if request.method == "POST" and request.POST.get("action") == "retry":
        return _proposal_retry(request, school, day)
    if request.method == "POST":
        try:
            services.proposal_accept(actor=request.user, school=school, date=day,
                                     proposal_version=_int(request.POST.get("proposal")),
                                     base_version=_int(request.POST.get("base_version")))
        except services.PlanConflict as error:
            errors, status = [str(error)], 409
        except ValidationError as error:
            errors, status = _messages_of(error), 400
        except services.PlanningDataError as error:
            errors, status = error.problems, 400
        else:
            messages.success(request, _("The new plan for %(date)s is published; the people "
                                        "it affects are told.")
                             % {"date": day.strftime("%d.%m.%Y")})
            return redirect("plan_board", school_id=school.pk, week=services.week_normalize(day))
    state = None
    try:
        state = services.proposal_request(school=school, date=day, actor=request.user)
    except ValidationError as error:
        errors, status = errors + _messages_of(error), status if errors else 400
    except services.PlanningDataError as error:
        errors, status = errors + error.problems, status if errors else 400
    result = state.proposal if state is not None else None
    job = state.job if state is not None else None
    return render(request, "planning/proposal.html", {
        "school": school, "day": day, "state": state, "proposal": result, "job": job,
        "errors": errors, "week": services.week_normalize(day),
        "absences": selectors.absences_on_day(school=school, day=day),
        "infeasible": result is not None and result.plan.plan_status == "infeasible",
        "polling": job is not None and job.is_active,
        **(_progress(job) if job is not None else {}),
    }, status=status)


def _proposal_retry(request, school, day: datetime.date):
    """Queue a failed proposal job again (the reason it failed is on the page)."""
    job = selectors.solve_job_get(user=request.user, job_id=_int(request.POST.get("job")) or 0)
    if job.kind != SolveJobKind.PROPOSAL or job.school_id != school.pk or job.day != day:
        raise Http404("No such proposal job.")
    try:
        services.solve_job_retry(actor=request.user, job=job)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    return redirect("proposal", school_id=school.pk, date=day.isoformat())


# --- my day, class view, morning view -----------------------------------------------------------


@require_safe
@login_required
def my_day(request):
    assistant = selectors.my_assistant(user=request.user)
    day = _date_param(request, timezone.localdate())
    rows = list(selectors.published_assignments(dates=[day], assistant=assistant))
    slots: dict[tuple, dict] = {}
    seen_children = {}
    for row in rows:
        location = _location(row.plan, row.child_id, row.slot)
        item = slots.setdefault((row.period.start, row.plan.school_id), {
            "period": row.period, "label": roster_services.period_label_text(row.period),
            "school": row.plan.school, "rooms": [], "children": []})
        if location and location not in item["rooms"]:
            item["rooms"].append(location)
        item["children"].append(row.child)
        seen_children[row.child.pk] = row.child
    # Notes are a child's sensitive record: each read is audited (who, when, what for), in
    # one insert for all children of the day.
    services.child_notes_read_audit(actor=request.user, children=list(seen_children.values()),
                                    summary=f"my day {day.isoformat()}")
    absent = selectors.assistant_absence_on(assistant=assistant, day=day)
    token = selectors.calendar_token_active(assistant=assistant)
    return render(request, "planning/my_day.html", {
        "assistant": assistant, "day": day, "slots": list(slots.values()), "absent": absent,
        "previous_day": _school_day(day, -1), "next_day": _school_day(day, 1),
        "is_today": day == timezone.localdate(), "token": token,
        "feed_url": request.build_absolute_uri(reverse("calendar_feed", args=[token.token]))
        if token else "",
    })


def _school_day(day: datetime.date, step: int) -> datetime.date:
    day += datetime.timedelta(days=step)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=step)
    return day


def _location(plan: Plan, child_id: int, slot: str) -> str:
    for child in plan.instance.get("children", []):
        if child["id"] == str(child_id):
            return child.get("location", {}).get(slot, "")
    return ""


@require_safe
@login_required
def class_plan(request, class_id: int):
    """Who supports which child of the class when (display codes only), for a week."""
    school_class = selectors.class_get_for_plan(user=request.user, class_id=class_id)
    week = request.GET.get("week") or default_week()
    week = _week_or_404(week)
    monday = iso_week_monday(week)
    dates = [monday + datetime.timedelta(days=i) for i in range(5)]
    rows = selectors.published_assignments(dates=dates, child__school_class=school_class,
                                           plan__school=school_class.school)
    days = [{"date": d, "name": Weekday(d.isoweekday()).label, "rows": []} for d in dates]
    for row in rows:
        days[(row.date - monday).days]["rows"].append({
            "label": roster_services.period_label_text(row.period), "period": row.period,
            "child": row.child, "assistant": row.assistant,
            "room": _location(row.plan, row.child_id, row.slot)})
    other_classes = []
    if request.user.role == Role.TEACHER:
        other_classes = request.user.classes.exclude(pk=school_class.pk).order_by("name")
    return render(request, "planning/class_plan.html", {
        "school_class": school_class, "week": week, "days": days,
        "other_classes": other_classes,
        "previous_week": iso_week_label(monday - datetime.timedelta(days=7)),
        "next_week": iso_week_label(monday + datetime.timedelta(days=7)),
    })


@require_safe
@login_required
def morning_print(request, school_id: int, date: str):
    """One printable page for the morning consultation."""
    school = selectors.pool_school_for_read(user=request.user, school_id=school_id)
    day = _date_or_404(date)
    week = services.week_normalize(day)
    plan = selectors.plan_published_get(school=school, week=week)
    rows = list(selectors.published_assignments(dates=[day], plan__school=school))
    by_period: dict[int, dict] = {}
    for row in rows:
        item = by_period.setdefault(row.period_id, {
            "period": row.period, "label": roster_services.period_label_text(row.period),
            "groups": {}})
        group = item["groups"].setdefault(row.assistant_id, {"assistant": row.assistant,
                                                            "children": [], "rooms": []})
        group["children"].append(row.child.display_code)
        room = _location(row.plan, row.child_id, row.slot)
        if room and room not in group["rooms"]:
            group["rooms"].append(room)
    periods = sorted(by_period.values(), key=lambda p: p["period"].start)
    for item in periods:
        item["groups"] = list(item["groups"].values())
    see_reason = roster_selectors.absence_can_see_reason(user=request.user)
    absences = (roster_selectors.absence_list(user=request.user, school=school)
                .filter(start__lte=day, end__gte=day).order_by("assistant__last_name",
                                                                "child__display_code"))
    short = []
    if plan is not None:
        _names, codes = services._names(school)
        short = sorted(({"code": codes.get(c["id"], c["id"]), "approved": c["approved"],
                         "credited": c["credited"], "shortfall": c["shortfall"]}
                        for c in plan.document.get("children", []) if c.get("shortfall", 0) > 0),
                       key=lambda c: -c["shortfall"])
    yesterday = _school_day(day, -1)
    incidents = _incidents(school, yesterday)
    return render(request, "planning/morning_print.html", {
        "school": school, "day": day, "plan": plan, "periods": periods,
        "absences": absences, "see_reason": see_reason, "short": short,
        "yesterday": yesterday, "incidents": incidents, "week": week,
    })


def _incidents(school, day: datetime.date) -> list:
    """Log entries flagged for the morning meeting (nobody superseded them)."""
    from poolplan.logbook.models import LogEntry

    return list(LogEntry.objects.filter(child__school=school, date=day, incident=True,
                                        superseded_by__isnull=True)
                .select_related("child", "assistant").order_by("start"))


# --- calendar feed ------------------------------------------------------------------------------


@require_POST
@login_required
def calendar_token(request):
    """Make (or replace) the private feed address, or revoke it."""
    assistant = selectors.my_assistant(user=request.user)
    if request.POST.get("action") == "revoke":
        services.calendar_token_revoke(actor=request.user, assistant=assistant)
        messages.success(request, _("The calendar address is revoked; calendars using it get "
                                    "no more updates."))
    else:
        services.calendar_token_create(actor=request.user, assistant=assistant)
        messages.success(request, _("Your private calendar address is ready; add it to your "
                                    "calendar app. Anyone with the address sees your plan."))
    return redirect(reverse("my_day") + "#calendar")


@require_safe
def calendar_feed(request, token: str):
    """The assistant's published assignments from last week to four weeks ahead, as ICS. No
    login (calendar apps cannot log in); the unguessable token is the key, and the feed names
    children by display code only, since calendar providers store it."""
    from poolplan.planning.ical import assistant_calendar

    assistant = selectors.calendar_token_get(token=token)
    today = timezone.localdate()
    start = today - datetime.timedelta(days=7)
    dates = [start + datetime.timedelta(days=i) for i in range(7 * 5)]
    rows = selectors.published_assignments(dates=dates, assistant=assistant)
    body = assistant_calendar(assistant=assistant, rows=rows, location=_location)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="poolplan.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- notifications ------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def notification_list(request):
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        messages.success(request, _("All notifications are marked as read."))
        return redirect("notifications")
    notifications = list(selectors.notification_list(user=request.user)[:100])
    return render(request, "planning/notifications.html", {
        "notifications": notifications,
        "unread": sum(1 for n in notifications if n.read_at is None)})
