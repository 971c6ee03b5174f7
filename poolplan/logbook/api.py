"""Log book endpoints: log a session (idempotent), a child's month ledger, the monthly proof
of service as CSV and PDF, and signing a month. Permission rules come from
`logbook.selectors`; writes from `logbook.services`."""

from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header, Path, Query, Router, Status

from poolplan.logbook import proofs, selectors, services
from poolplan.logbook.models import LogEntry, MonthSignature
from poolplan.logbook.schemas import MONTH_PATTERN, LedgerOut, LogEntryIn, LogEntryOut, SignatureOut
from poolplan.roster import selectors as roster_selectors
from poolplan.roster.schemas import MAX_ID, Error

router = Router(tags=["log book"])

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Month = Annotated[str, Path(pattern=MONTH_PATTERN, description="YYYY-MM")]
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


def _month(text: str):
    import datetime

    year, month = (int(part) for part in text.split("-"))
    return datetime.date(year, month, 1)


def _hhmm(value) -> str:
    return timezone.localtime(value).strftime("%H:%M")


def log_entry_out(entry: LogEntry) -> dict:
    return {
        "id": entry.pk, "child": entry.child_id, "assistant": entry.assistant_id,
        "date": entry.date, "start": _hhmm(entry.start), "end": _hhmm(entry.end),
        "presence": entry.presence, "minutes_away": entry.minutes_away, "kind": entry.kind,
        "note": entry.note, "incident": entry.incident,
        "group": sorted(c.pk for c in entry.group.all()),
        "delivered_minutes": entry.delivered_minutes,
        "idempotency_key": entry.idempotency_key, "supersedes": entry.supersedes_id,
    }


def _signature_out(signature: MonthSignature | None) -> dict | None:
    if signature is None:
        return None
    return {"month": f"{signature.month:%Y-%m}", "signed_by": signature.signed_by_name,
            "signed_at": signature.signed_at, "content_hash": signature.content_hash}


def _period_out(p) -> dict:
    return {name: getattr(p, name) for name in (
        "label", "start", "end", "approved", "planned", "delivered", "credited",
        "not_credited", "excused", "shortfall", "debt_before", "debt_added", "debt_made_up",
        "debt_after")}


@router.post("/log-entries",
             response={200: LogEntryOut, 201: LogEntryOut, 409: Error, **ERRORS})
def create_log_entry(request: HttpRequest, payload: LogEntryIn,
                     idempotency_header: Annotated[str | None, Header(
                         alias="Idempotency-Key", max_length=100)] = None):
    """Log a session. Send a client-generated idempotency key (body `idempotency_key` or the
    `Idempotency-Key` header): a repeat with the same key and content returns the first entry
    with 200 instead of 201; the same key with other content is refused with 409."""
    user = request.auth
    key = payload.idempotency_key or (idempotency_header or "").strip()
    if not key:
        raise DjangoValidationError({"idempotency_key": [
            "Send a client-generated idempotency key (e.g. a UUID) in the body or the "
            "Idempotency-Key header."]})
    if payload.idempotency_key and idempotency_header and \
            payload.idempotency_key != idempotency_header.strip():
        raise DjangoValidationError({"idempotency_key": [
            "The body's idempotency_key and the Idempotency-Key header differ; send one."]})
    child = roster_selectors.child_list(user=user, include_archived=True).filter(
        pk=payload.child).first()
    if child is None:
        raise Http404("No such child.")
    assistant = selectors.log_entry_assistant(user=user, child=child,
                                              assistant_id=payload.assistant)
    group_ids = list(dict.fromkeys(payload.group))
    group = list(roster_selectors.child_list(user=user).filter(pk__in=group_ids))
    if len(group) != len(group_ids):
        raise DjangoValidationError({"group": ["Name only children of this pool in the group."]})
    try:
        entry, created = services.log_entry_create(
            actor=user, child=child, assistant=assistant, date=payload.date,
            start=payload.start, end=payload.end, kind=payload.kind, presence=payload.presence,
            minutes_away=payload.minutes_away, note=payload.note, incident=payload.incident,
            group=group, idempotency_key=key)
    except services.IdempotencyConflict as conflict:
        return Status(409, {"message": str(conflict),
                            "details": {"entry": conflict.entry.pk}})
    return Status(201 if created else 200, log_entry_out(entry))


@router.get("/children/{child_id}/ledger", response={200: LedgerOut, **ERRORS})
def get_ledger(request: HttpRequest, child_id: PathId,
               month: Annotated[str, Query(pattern=MONTH_PATTERN, description="YYYY-MM")]):
    """Approved, planned, delivered and credited minutes per week of the month, the shortfall
    and the make-up debt, with the month's sessions (without notes)."""
    user = request.auth
    child = selectors.ledger_child_get(user=user, child_id=child_id)
    ledger = selectors.month_ledger(user=user, child=child, month=_month(month))
    return {
        "child": child.pk, "month": f"{ledger.month:%Y-%m}",
        "weeks": [_period_out(w) for w in ledger.weeks], "total": _period_out(ledger.total),
        "sessions": [{
            "id": s.entry.pk, "date": s.entry.date, "start": _hhmm(s.entry.start),
            "end": _hhmm(s.entry.end), "assistant": s.entry.assistant.full_name,
            "presence": s.entry.presence, "kind": s.entry.kind, "delivered": s.delivered,
            "ratio": s.ratio, "allowed_ratio": s.allowed_ratio, "credited": s.credited,
            "corrects": s.entry.supersedes_id, "correction_reason": s.entry.correction_reason,
            "corrected_after_signing": s.corrected_after_signing,
        } for s in ledger.sessions],
        "signature": _signature_out(ledger.signature),
        "changed_since_signing": ledger.changed_since_signing,
    }


def _file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _file_doc(media_type: str, what: str) -> dict:
    return {"responses": {200: {"description": what,
                                "content": {media_type: {"schema": {"type": "string",
                                                                     "format": "binary"}}}}}}


@router.get("/children/{child_id}/proofs/{month}.csv", response={200: None, **ERRORS},
            openapi_extra=_file_doc("text/csv", "The proof of service as CSV (UTF-8 with BOM, "
                                                "semicolons; columns in poolplan/logbook/"
                                                "proofs.py)."))
def get_proof_csv(request: HttpRequest, child_id: PathId, month: Month):
    """The month's proof of service as CSV for Excel."""
    user = request.auth
    child = selectors.proof_child_get(user=user, child_id=child_id)
    ledger = selectors.month_ledger(user=user, child=child, month=_month(month))
    return _file_response(proofs.proof_csv(ledger), "text/csv; charset=utf-8",
                          proofs.proof_filename(ledger, "csv"))


@router.get("/children/{child_id}/proofs/{month}.pdf", response={200: None, **ERRORS},
            openapi_extra=_file_doc("application/pdf", "The proof of service as PDF (A4)."))
def get_proof_pdf(request: HttpRequest, child_id: PathId, month: Month):
    """The month's proof of service as PDF, to sign and send to the funding body."""
    user = request.auth
    child = selectors.proof_child_get(user=user, child_id=child_id)
    ledger = selectors.month_ledger(user=user, child=child, month=_month(month))
    return _file_response(proofs.proof_pdf(ledger), "application/pdf",
                          proofs.proof_filename(ledger, "pdf"))


@router.post("/children/{child_id}/proofs/{month}/sign", response={201: SignatureOut, **ERRORS})
def sign_month(request: HttpRequest, child_id: PathId, month: Month):
    """Sign the child's month (the coordinator): its entries lock; later changes are
    corrections that the proof marks."""
    user = request.auth
    child = selectors.proof_child_get(user=user, child_id=child_id)
    if not selectors.month_can_sign(user=user, child=child):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only the coordinator of the child's pool signs its proof.")
    signature = services.month_sign(actor=user, child=child, month=_month(month))
    return Status(201, _signature_out(signature))
