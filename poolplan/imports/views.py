"""Upload -> preview -> confirm -> result, for the pool's coordinator.

The uploaded files are stored with their hash (`ImportUpload`); the preview and the
confirmation both parse the stored bytes, so what is confirmed is what was previewed.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from poolplan.imports import selectors, services
from poolplan.imports.models import ImportKind
from poolplan.imports.parsing import people
from poolplan.roster import services as roster_services
from poolplan.roster.models import PeriodKind, Weekday

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request, school_id: int):
    school = selectors.import_school_get(user=request.user, school_id=school_id)
    errors = []
    if request.method == "POST":
        kind = request.POST.get("kind")
        uploaded = request.FILES.getlist("files")
        if kind not in ImportKind.values:
            errors.append(_("Choose what the files contain."))
        if not uploaded:
            errors.append(_("Choose at least one file to import."))
        limit = settings.IMPORT_MAX_BYTES
        for file in uploaded:
            if file.size > limit:
                errors.append(_("%(name)s is larger than %(limit)s MB; split it or export only "
                                "this school's data.") % {"name": file.name,
                                                          "limit": limit // (1024 * 1024)})
        if not errors:
            upload = services.upload_create(
                actor=request.user, school=school, kind=kind,
                files=[(file.name, file.read()) for file in uploaded])
            return redirect("import_preview", school_id=school.pk, upload_id=upload.pk)
    return render(request, "imports/start.html", {
        "school": school, "errors": errors, "kinds": ImportKind.choices,
        "people_kinds": list(people.KINDS),
        "classes": school.classes.order_by("grade", "name"),
        "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
    }, status=400 if errors else 200)


def _report_context(school, upload, report) -> dict:
    return {"school": school, "upload": upload, "report": report,
            "files": list(upload.files.all()), "problems": report.problem_texts()}


@login_required
@require_safe
def import_preview(request, school_id: int, upload_id: int):
    school = selectors.import_school_get(user=request.user, school_id=school_id)
    upload = selectors.upload_get(school=school, upload_id=upload_id)
    if upload.applied_at is not None:
        return render(request, "imports/result.html", {
            "school": school, "upload": upload, "files": list(upload.files.all()),
            "changes": [dict(zip(("action", "what", "name", "detail"), change, strict=True))
                        for change in upload.result.get("changes", [])],
            "affected_plans": upload.result.get("affected_plans", []),
            "what_labels": services.WHAT_LABELS,
        })
    try:
        report = services.upload_preview(upload=upload, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("import_start", school_id=school.pk)
    return render(request, "imports/preview.html", _report_context(school, upload, report))


@login_required
@require_POST
def import_confirm(request, school_id: int, upload_id: int):
    school = selectors.import_school_get(user=request.user, school_id=school_id)
    upload = selectors.upload_get(school=school, upload_id=upload_id)
    try:
        report = services.upload_apply(upload=upload, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("import_preview", school_id=school.pk, upload_id=upload.pk)
    if not report.applied:
        # Something changed since the preview (another import, an edit): show why, nothing
        # was written.
        context = _report_context(school, upload, report)
        return render(request, "imports/preview.html", context, status=409)
    messages.success(request, _("Imported: %(summary)s.") % {"summary": report.summary()})
    return redirect("import_preview", school_id=school.pk, upload_id=upload.pk)


@login_required
@require_safe
def template_csv(request, school_id: int, kind: str):
    selectors.import_school_get(user=request.user, school_id=school_id)
    if kind not in people.KINDS:
        raise Http404("No such template.")
    response = HttpResponse(people.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="poolplan-{kind}.csv"'
    return response


@login_required
@require_safe
def template_xlsx(request, school_id: int):
    selectors.import_school_get(user=request.user, school_id=school_id)
    response = HttpResponse(people.template_xlsx(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="poolplan-people.xlsx"'
    return response


@login_required
@require_safe
def class_timetable(request, school_id: int, class_id: int):
    """A class's week as imported, read-only: rows of lesson periods by weekday."""
    school = selectors.import_school_get(user=request.user, school_id=school_id)
    try:
        school_class = school.classes.get(pk=class_id)
    except school.classes.model.DoesNotExist:
        raise Http404("No such class.") from None
    periods = list(school.periods.filter(kind=PeriodKind.LESSON).order_by("weekday", "start"))
    entries = roster_services.class_timetable(school_class.pk)
    weekdays = sorted({p.weekday for p in periods})
    rows: dict[str, dict] = {}
    for period in periods:
        row = rows.setdefault(period.label, {"label": period.label, "start": period.start,
                                             "cells": {}})
        row["cells"][period.weekday] = sorted(entries.get(period.pk, []),
                                              key=lambda entry: entry.group)
    ordered = sorted(rows.values(), key=lambda r: (len(r["label"]), r["label"]))
    for row in ordered:
        row["cells"] = [row["cells"].get(day, []) for day in weekdays]
    return render(request, "imports/class_timetable.html", {
        "school": school, "school_class": school_class,
        "weekdays": [Weekday(day).label for day in weekdays], "rows": ordered,
        "lesson_count": sum(len(v) for v in entries.values()),
    })
