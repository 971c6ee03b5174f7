"""Pages of the roster: a child's record with its need grid, editing the grid, an assistant's
record and a child's audit trail.

Thin on purpose: reads and permission rules come from `selectors`, writes go through
`services`; the views only shape what those return for the templates.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from django_htmx.http import HttpResponseClientRedirect

from poolplan.board import selectors as board_selectors
from poolplan.roster import selectors, services
from poolplan.roster.forms import NeedProfileForm, need_profile_stamp
from poolplan.roster.models import Child, PeriodKind, Weekday

AUDIT_PAGE_SIZE = 50


def _saved_entries(child: Child) -> dict:
    return {entry.period_id: entry for entry in
            child.need_profile.select_related("room").prefetch_related("skills")}


def _need_grid(child: Child, entries: dict, form: NeedProfileForm | None = None) -> dict:
    """The child's week as rows of periods (lesson 1, break 1, ...) by weekday columns.

    Bell schedules differ per weekday (short Fridays), so a row is a period label and a cell
    may be missing; a cell's own times are shown where they differ from the row's."""
    periods = form.periods if form is not None else _periods(child)
    timetable = services.class_timetable(child.school_class_id)
    weekdays = sorted({period.weekday for period in periods})
    rows: dict[str, dict] = {}
    minutes = {1: 0, 2: 0}
    for period in periods:
        row = rows.setdefault(period.label, {
            "label": period.label, "is_break": period.kind == PeriodKind.BREAK,
            "number": period.label.lstrip("b"), "start": period.start, "end": period.end,
            "cells": {},
        })
        entry = entries.get(period.pk)
        need = entry.need if entry else 0
        cell = {
            "period": period,
            "need": need,
            "where": services.period_label_text(period),
            "own_times": (period.start, period.end) != (row["start"], row["end"]),
            "skills": list(entry.skills.all()) if entry else [],
            "room": services.need_room_resolve(
                child=child, period=period, room=entry.room if entry else None,
                timetable=timetable) if need else None,
        }
        if form is not None:
            cell["need_field"] = form[f"need_{period.pk}"]
            cell["room_field"] = form[f"room_{period.pk}"]
        if need in minutes:
            minutes[need] += period.minutes
        row["cells"][period.weekday] = cell
    ordered = sorted(rows.values(), key=lambda row: row["start"])
    for row in ordered:
        row["cells"] = [row["cells"].get(weekday) for weekday in weekdays]
    return {
        "weekdays": [Weekday(weekday).label for weekday in weekdays],
        "rows": ordered,
        "shared_minutes": minutes[1],
        "individual_minutes": minutes[2],
        "total_minutes": minutes[1] + minutes[2],
    }


HISTORY_WEEKS_CHOICES = (4, 6, 12, 26)


def _card_history(request, child: Child, grid: dict) -> dict:
    """The card history (yellow/red by weekday and period) in the need grid's rows and
    columns, so the two read side by side."""
    weeks = request.GET.get("weeks", "")
    weeks = int(weeks) if weeks.isdigit() and int(weeks) in HISTORY_WEEKS_CHOICES else None
    history = board_selectors.card_history(user=request.user, child=child, weeks=weeks)
    rows = [{**row, "cells": [history.cell(cell["period"].pk) if cell else None
                              for cell in row["cells"]]} for row in grid["rows"]]
    return {"card_history": history, "history_rows": rows,
            "history_weeks_choices": HISTORY_WEEKS_CHOICES}


def _periods(child: Child) -> list:
    return list(child.school.periods.select_related("default_room").order_by("weekday", "start"))


@require_safe
@login_required
def child_detail(request, child_id: int):
    child, access = selectors.child_get(user=request.user, child_id=child_id)
    context = {"child": child, "access": access}
    if access.need_profile:
        context["grid"] = _need_grid(child, _saved_entries(child))
        try:
            context.update(_card_history(request, child, context["grid"]))
        except PermissionDenied:
            pass  # the card history is for the pool members of the child's school
    if access.approvals:
        context["approvals"] = list(selectors.approval_list(user=request.user, child=child))
    if access.notes:
        context["required_skills"] = list(child.required_skills.all())
    if access.name:
        context["fixed_assistants"] = list(child.fixed_assistants.all())
    return render(request, "roster/child_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def need_profile_edit(request, child_id: int):
    child = selectors.child_get_for_edit(user=request.user, child_id=child_id)
    entries = _saved_entries(child)
    form_args = {"child": child, "periods": _periods(child),
                 "rooms": list(child.school.rooms.all()), "entries": entries}
    errors: list[str] = []
    if request.method == "POST":
        form = NeedProfileForm(request.POST, **form_args)
        if form.is_valid():
            if form.cleaned_data["stamp"] != need_profile_stamp(entries):
                errors.append(_(
                    "Someone else saved this need profile while you were editing. Open the "
                    "child's page in a new tab to see their changes; saving again replaces "
                    "them with the grid below."))
                # The next save is a conscious overwrite of the version now on record.
                form.data = form.data.copy()
                form.data["stamp"] = need_profile_stamp(entries)
            else:
                try:
                    services.need_profile_set(actor=request.user, child=child,
                                              entries=form.entries())
                except ValidationError as error:
                    errors.extend(_messages_of(error))
                else:
                    messages.success(request, _("The need profile of %(code)s is saved.")
                                     % {"code": child.display_code})
                    url = reverse("child_detail", args=[child.pk])
                    if request.htmx:
                        return HttpResponseClientRedirect(url)
                    return redirect(url)
        else:
            errors.append(_("Some values in the grid are not valid; check the marked cells."))
    else:
        form = NeedProfileForm(**form_args)
    context = {"child": child, "form": form, "errors": errors,
               "grid": _need_grid(child, entries, form)}
    if request.htmx:
        # htmx swaps only 2xx answers: the form with its errors replaces the old one.
        return render(request, "roster/need_profile_edit.html#grid-form", context)
    return render(request, "roster/need_profile_edit.html", context,
                  status=400 if errors else 200)


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [message for field_messages in error.message_dict.values()
                for message in field_messages]
    return list(error.messages)


@require_safe
@login_required
def assistant_detail(request, assistant_id: int):
    user = request.user
    assistant = selectors.assistant_get(user=user, assistant_id=assistant_id)
    visible = selectors.child_list(user=user)
    primary_children = list(visible.filter(primary_assistant=assistant))
    fixed_children = list(visible.filter(fixed_assistants=assistant))
    # The access rules depend on the role alone once a child is visible, so any one of the
    # listed children tells whether names may be shown.
    some_child = (primary_children or fixed_children or [None])[0]
    child_access = (selectors.child_access(user=user, child=some_child)
                    if some_child is not None else selectors.NO_ACCESS)
    context = {
        "assistant": assistant,
        # Contract hours are employment data: for the assistant and those who staff the pool.
        "show_contract": (assistant.user_id == user.pk
                          or selectors.assistant_can_manage(user=user, assistant=assistant)),
        "skills": list(assistant.skills.all()),
        "schools": list(assistant.schools.all()),
        "working_times": list(assistant.working_times.all()),
        "primary_children": primary_children,
        "fixed_children": fixed_children,
        "show_child_names": child_access.name,
    }
    return render(request, "roster/assistant_detail.html", context)


@require_safe
@login_required
def child_audit(request, child_id: int):
    # Looked up without `child_get`: opening the trail reads no sensitive record itself.
    try:
        child = selectors.child_list(user=request.user, include_archived=True).get(pk=child_id)
    except Child.DoesNotExist:
        raise Http404("No such child.") from None
    events = selectors.audit_list_for_child(user=request.user, child=child)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "roster/child_audit.html", {"child": child, "page": page})
