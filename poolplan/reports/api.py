"""Export endpoints: the week plan (CSV, XLSX), hours per child and month (CSV, XLSX) and the
GDPR access export of a child (JSON, PDF). Who may take which is decided in
`reports/selectors.py`; each download writes its audit row (`reports/services.py`). The
browser's links use these too (the API accepts the login session)."""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Path, Router

from poolplan.logbook.schemas import month_parse
from poolplan.planning.weeks import WeekError, iso_week_label, iso_week_monday
from poolplan.reports import exports, selectors, services
from poolplan.roster.schemas import MAX_ID, Error

router = Router(tags=["exports"])

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Week = Annotated[str, Path(pattern=r"^\d{4}-W\d{2}$", description="ISO week, e.g. 2026-W48")]
Month = Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


def _doc(kind: str, what: str) -> dict:
    media_type = exports.FORMATS[kind].split(";")[0]
    schema = {"type": "object"} if kind == "json" else {"type": "string", "format": "binary"}
    return {"responses": {200: {"description": what, "content": {media_type: {"schema": schema}}}}}


def _response(file: exports.ExportFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    # Child data: not for shared caches, and not kept in the browser's cache either.
    response["Cache-Control"] = "no-store"
    return response


def _week(week: str) -> str:
    try:
        return iso_week_label(iso_week_monday(week))
    except WeekError as error:
        raise DjangoValidationError({"week": [str(error)]}) from None


def _month(month: str) -> datetime.date:
    """The log book's month rule (this century, at most a year ahead: the ledger runs week by
    week up to the month), its refusal as a 422 naming the field."""
    try:
        return month_parse(month)
    except ValueError as error:
        raise DjangoValidationError({"month": [str(error)]}) from None


# --- the week plan ------------------------------------------------------------------------------


def _week_plan(request: HttpRequest, school_id: int, week: str, kind: str) -> HttpResponse:
    user = request.auth
    school = selectors.week_plan_school_get(user=user, school_id=school_id)
    plan = selectors.week_plan_get(school=school, week=_week(week))
    table = selectors.week_plan_table(plan=plan, rows=selectors.week_plan_rows(plan=plan))
    services.week_plan_export_record(actor=user, plan=plan, file_format=kind.upper(),
                                     rows=len(table))
    return _response(exports.week_plan_file(kind=kind, school=school, week=plan.week,
                                            table=table))


@router.get("/schools/{school_id}/week-plans/{week}.csv", response={200: None, **ERRORS},
            openapi_extra=_doc("csv", "The published week plan as CSV (UTF-8 with BOM, "
                                      "semicolons; columns in poolplan/reports/exports.py)."))
def get_week_plan_csv(request: HttpRequest, school_id: PathId, week: Week):
    """The week's published plan, one row per assignment, for the school's coordinators."""
    return _week_plan(request, school_id, week, "csv")


@router.get("/schools/{school_id}/week-plans/{week}.xlsx", response={200: None, **ERRORS},
            openapi_extra=_doc("xlsx", "The published week plan as an Excel workbook."))
def get_week_plan_xlsx(request: HttpRequest, school_id: PathId, week: Week):
    """The week's published plan as an Excel workbook, for the school's coordinators."""
    return _week_plan(request, school_id, week, "xlsx")


# --- hours per child and month ------------------------------------------------------------------


def _hours(request: HttpRequest, school_id: int, month: str, kind: str) -> HttpResponse:
    user = request.auth
    school = selectors.hours_school_get(user=user, school_id=school_id)
    children, table = selectors.hours_table(user=user, school=school, month=_month(month))
    services.hours_export_record(actor=user, school=school, month=month,
                                 file_format=kind.upper(), children=children)
    return _response(exports.hours_file(kind=kind, school=school, month=month, table=table))


@router.get("/schools/{school_id}/hours/{month}.csv", response={200: None, **ERRORS},
            openapi_extra=_doc("csv", "Minutes per child of the month as CSV (UTF-8 with BOM, "
                                      "semicolons; columns in poolplan/reports/exports.py)."))
def get_hours_csv(request: HttpRequest, school_id: PathId, month: Month):
    """Approved, planned, delivered and credited minutes and the make-up debt of every child
    of the school in the month, for billing: the school's coordinators and the provider's
    management."""
    return _hours(request, school_id, month, "csv")


@router.get("/schools/{school_id}/hours/{month}.xlsx", response={200: None, **ERRORS},
            openapi_extra=_doc("xlsx", "Minutes per child of the month as an Excel workbook."))
def get_hours_xlsx(request: HttpRequest, school_id: PathId, month: Month):
    """The month's minutes per child as an Excel workbook (see the CSV)."""
    return _hours(request, school_id, month, "xlsx")


# --- the GDPR access export ---------------------------------------------------------------------


def _access(request: HttpRequest, child_id: int, kind: str) -> HttpResponse:
    user = request.auth
    child = selectors.access_export_child_get(user=user, child_id=child_id)
    data = selectors.access_export(user=user, child=child)
    services.access_export_record(actor=user, child=child, file_format=kind.upper())
    return _response(exports.access_file(kind=kind, data=data))


@router.get("/children/{child_id}/access-export.json", response={200: None, **ERRORS},
            openapi_extra=_doc("json", "Everything stored about the child "
                                       "(poolplan-access-export/1)."))
def get_access_export_json(request: HttpRequest, child_id: PathId):
    """The child's data for a request under Art. 15 GDPR, for the coordinators of the child's
    school (parents ask them)."""
    return _access(request, child_id, "json")


@router.get("/children/{child_id}/access-export.pdf", response={200: None, **ERRORS},
            openapi_extra=_doc("pdf", "Everything stored about the child, readable (A4)."))
def get_access_export_pdf(request: HttpRequest, child_id: PathId):
    """The same as the JSON, as a readable PDF to hand over."""
    return _access(request, child_id, "pdf")
