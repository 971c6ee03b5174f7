"""Log book endpoints: log a session (idempotent), change it before signing or correct it
after, a child's month ledger, the monthly proof of service as CSV and PDF, signing a month,
and the pool's ledger and proof (school budgets). Permission rules come from
`logbook.selectors`; writes from `logbook.services`."""

from enum import StrEnum
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header, Path, Query, Router, Status

from poolplan.logbook import proofs, selectors, services
from poolplan.logbook.models import LogEntry, MonthSignature
from poolplan.logbook.schemas import (
    MONTH_PATTERN,
    LedgerOut,
    LogEntryCorrectionIn,
    LogEntryIn,
    LogEntryOut,
    LogEntryUpdateIn,
    MonthIn,
    PoolLedgerOut,
    SignatureOut,
    month_parse,
)
from poolplan.roster import selectors as roster_selectors
from poolplan.roster.schemas import MAX_ID, Error

router = Router(tags=["log book"])

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryMonth = Annotated[str, Query(pattern=MONTH_PATTERN, description="YYYY-MM")]
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error}


def _month(text: str):
    """The month of a request; one too far ahead is a 400 naming the field, not a 500."""
    try:
        return month_parse(text)
    except ValueError as error:
        raise DjangoValidationError({"month": [str(error)]}) from None


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
        "correction_reason": entry.correction_reason,
        "version": services.log_entry_version(entry),
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


def _idempotency_key(body_key: str | None, header: str | None) -> str:
    if body_key and header and body_key != header.strip():
        raise DjangoValidationError({"idempotency_key": [
            "The body's idempotency_key and the Idempotency-Key header differ; send one."]})
    return body_key or (header or "").strip()


def _group(user, ids: list[int]) -> list:
    ids = list(dict.fromkeys(ids))
    group = list(roster_selectors.child_list(user=user).filter(pk__in=ids))
    if len(group) != len(ids):
        raise DjangoValidationError({"group": ["Name only children of this pool in the group."]})
    return group


def _changes(user, payload) -> dict:
    fields = payload.model_dump(exclude_unset=True,
                                exclude={"version", "reason", "idempotency_key"})
    for name, value in list(fields.items()):
        if value is None:
            raise DjangoValidationError({name: ["Leave the field out to keep it; null is no "
                                                "value."]})
    if "group" in fields:
        fields["group"] = _group(user, fields["group"])
    return fields


IdempotencyHeader = Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)]


@router.post("/log-entries",
             response={200: LogEntryOut, 201: LogEntryOut, 409: Error, **ERRORS})
def create_log_entry(request: HttpRequest, payload: LogEntryIn,
                     idempotency_header: IdempotencyHeader = None):
    """Log a session. Send a client-generated idempotency key (body `idempotency_key` or the
    `Idempotency-Key` header): a repeat with the same key and content returns the first entry
    with 200 instead of 201; the same key with other content is refused with 409."""
    user = request.auth
    key = _idempotency_key(payload.idempotency_key, idempotency_header)
    if not key:
        raise DjangoValidationError({"idempotency_key": [
            "Send a client-generated idempotency key (e.g. a UUID) in the body or the "
            "Idempotency-Key header."]})
    child = roster_selectors.child_list(user=user, include_archived=True).filter(
        pk=payload.child).first()
    if child is None:
        raise Http404("No such child.")
    assistant = selectors.log_entry_assistant(user=user, child=child,
                                              assistant_id=payload.assistant)
    group = _group(user, payload.group)
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


@router.get("/log-entries/{entry_id}", response={200: LogEntryOut, **ERRORS})
def get_log_entry(request: HttpRequest, entry_id: PathId):
    """One entry of the pool, with its `version` (send it with a change)."""
    return log_entry_out(selectors.log_entry_get(user=request.auth, entry_id=entry_id))


@router.patch("/log-entries/{entry_id}", response={200: LogEntryOut, 409: Error, **ERRORS})
def update_log_entry(request: HttpRequest, entry_id: PathId, payload: LogEntryUpdateIn):
    """Change an entry in place: its author or the coordinator, before the month is signed
    (after signing only `note` and `incident`; anything else is a correction). Audited."""
    user = request.auth
    entry = selectors.log_entry_get(user=user, entry_id=entry_id)
    if not selectors.log_entry_can_edit(user=user, entry=entry):
        raise PermissionDenied("Only the entry's author and the pool's coordinator change it.")
    try:
        entry = services.log_entry_update(actor=user, entry=entry, version=payload.version,
                                          **_changes(user, payload))
    except services.EntryChanged as changed:
        return Status(409, {"message": " ".join(changed.messages),
                            "details": {"version": services.log_entry_version(
                                LogEntry.objects.get(pk=entry.pk))}})
    return log_entry_out(entry)


@router.post("/log-entries/{entry_id}/corrections",
             response={200: LogEntryOut, 201: LogEntryOut, 409: Error, **ERRORS})
def correct_log_entry(request: HttpRequest, entry_id: PathId, payload: LogEntryCorrectionIn,
                      idempotency_header: IdempotencyHeader = None):
    """Correct an entry (the coordinator): a new entry with the changes and a `reason`
    supersedes it; the proof of a signed month shows the correction and its reason. A repeat
    with the same idempotency key returns the first correction with 200."""
    user = request.auth
    entry = selectors.log_entry_get(user=user, entry_id=entry_id)
    # Not log_entry_can_correct: a retry of a correction that went through must reach the
    # service, which returns the first correction; a new one of a corrected entry it refuses.
    if not selectors.month_can_sign(user=user, child=entry.child):
        raise PermissionDenied("Corrections are the coordinator's; ask them.")
    try:
        correction, created = services.log_entry_correct(
            actor=user, entry=entry, reason=payload.reason,
            idempotency_key=_idempotency_key(payload.idempotency_key, idempotency_header),
            **_changes(user, payload))
    except services.IdempotencyConflict as conflict:
        return Status(409, {"message": str(conflict), "details": {"entry": conflict.entry.pk}})
    return Status(201 if created else 200, log_entry_out(correction))


@router.get("/children/{child_id}/ledger", response={200: LedgerOut, **ERRORS})
def get_ledger(request: HttpRequest, child_id: PathId, month: QueryMonth):
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


def _file_doc(what: str) -> dict:
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": what,
                                "content": {"application/pdf": binary, "text/csv": binary}}}}


class ProofFormat(StrEnum):
    PDF = "pdf"
    CSV = "csv"


@router.get("/children/{child_id}/proof", response={200: None, **ERRORS},
            openapi_extra=_file_doc("The proof of service: PDF (A4) or CSV (UTF-8 with BOM, "
                                    "semicolons; columns in poolplan/logbook/proofs.py)."))
def get_proof(request: HttpRequest, child_id: PathId, month: QueryMonth,
              format: Annotated[ProofFormat, Query(description="pdf or csv")] = ProofFormat.PDF):
    """The month's proof of service, to sign and send to the funding body (PDF) or for Excel
    (CSV). A month signed and corrected afterwards shows each correction and its reason."""
    user = request.auth
    child = selectors.proof_child_get(user=user, child_id=child_id)
    ledger = selectors.month_ledger(user=user, child=child, month=_month(month))
    if format == ProofFormat.CSV:
        return _file_response(proofs.proof_csv(ledger), "text/csv; charset=utf-8",
                              proofs.proof_filename(ledger, "csv"))
    return _file_response(proofs.proof_pdf(ledger), "application/pdf",
                          proofs.proof_filename(ledger, "pdf"))


@router.post("/children/{child_id}/proof/sign", response={201: SignatureOut, **ERRORS})
def sign_month(request: HttpRequest, child_id: PathId, payload: MonthIn):
    """Sign the child's month (the coordinator), e.g. `{"month": "2026-11"}`: its entries
    lock; later changes are corrections that the proof marks."""
    user = request.auth
    child = selectors.month_sign_child_get(user=user, child_id=child_id)
    signature = services.month_sign(actor=user, child=child, month=_month(payload.month))
    return Status(201, _signature_out(signature))


def _pool_period_out(p) -> dict:
    return {name: getattr(p, name) for name in (
        "label", "start", "end", "budget", "planned", "staff", "child_minutes", "remaining")}


@router.get("/schools/{school_id}/ledger", response={200: PoolLedgerOut, **ERRORS})
def get_pool_ledger(request: HttpRequest, school_id: PathId, month: QueryMonth):
    """The pool's month (both funding models): the budget of a school-budget pool, planned and
    delivered staff minutes per week part, and the minutes each child received. For the
    pool's coordinators and the provider."""
    school = selectors.pool_school_get(user=request.auth, school_id=school_id)
    ledger = selectors.pool_ledger(school=school, month=_month(month))
    return {
        "school": school.pk, "month": f"{ledger.month:%Y-%m}",
        "funding_model": school.funding_model,
        "budget_minutes_per_week": school.budget_minutes_per_week if ledger.is_budget else None,
        "weeks": [_pool_period_out(w) for w in ledger.weeks],
        "total": _pool_period_out(ledger.total),
        "children": [{"child": r.child.pk, "display_code": r.child.display_code,
                      "sessions": r.sessions, "delivered": r.delivered}
                     for r in ledger.children],
    }


@router.get("/schools/{school_id}/proof", response={200: None, **ERRORS},
            openapi_extra=_file_doc("The pool's month as PDF (A4) or CSV (columns in "
                                    "poolplan/logbook/proofs.py)."))
def get_pool_proof(request: HttpRequest, school_id: PathId, month: QueryMonth,
                   format: Annotated[ProofFormat, Query(description="pdf or csv")]
                   = ProofFormat.PDF):
    """The pool's proof of service for a month: every session of the pool's children, staff
    minutes against the school budget."""
    school = selectors.pool_school_get(user=request.auth, school_id=school_id)
    ledger = selectors.pool_ledger(school=school, month=_month(month))
    if format == ProofFormat.CSV:
        return _file_response(proofs.pool_proof_csv(ledger), "text/csv; charset=utf-8",
                              proofs.pool_proof_filename(ledger, "csv"))
    return _file_response(proofs.pool_proof_pdf(ledger), "application/pdf",
                          proofs.pool_proof_filename(ledger, "pdf"))
