"""The monthly proof of service as a file: PDF (WeasyPrint, A4) and CSV for Excel.

CSV: UTF-8 with a byte order mark (so Excel detects the encoding) and semicolons (what German
Excel expects), one row per session nobody superseded, then the superseded entries, in these
columns:

    date              YYYY-MM-DD
    start, end        HH:MM, Europe/Berlin
    assistant         first and last name
    presence          present | child_absent | assistant_absent | lesson_cancelled
    kind              learning_support | physical_care | behaviour | communication |
                      organisation | break_transition
    minutes           end - start
    minutes_away      minutes away from the child
    delivered         minutes - minutes_away when present, else 0
    ratio             1:n, the child and the others supported at the same time
    allowed_ratio     1:n, what the approval valid that day allows
    credited          delivered minutes that count against the approval
    status            current | superseded
    corrects          id of the entry a correction replaces, else empty
    correction_reason why it was corrected
    after_signing     yes when the correction was entered after the month was signed
    entry             the entry's id

Notes are not part of a proof: they are for the pool.
"""

import csv
import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from poolplan.logbook.selectors import MonthLedger, PoolLedger

CSV_COLUMNS = ["date", "start", "end", "assistant", "presence", "kind", "minutes",
               "minutes_away", "delivered", "ratio", "allowed_ratio", "credited", "status",
               "corrects", "correction_reason", "after_signing", "entry"]


def _hhmm(value) -> str:
    return timezone.localtime(value).strftime("%H:%M")


def proof_csv(ledger: MonthLedger) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for session in ledger.sessions:
        e = session.entry
        writer.writerow([
            e.date.isoformat(), _hhmm(e.start), _hhmm(e.end), e.assistant.full_name, e.presence,
            e.kind, e.duration_minutes, e.minutes_away, session.delivered, f"1:{session.ratio}",
            f"1:{session.allowed_ratio}", session.credited, "current",
            e.supersedes_id or "", e.correction_reason,
            "yes" if session.corrected_after_signing else "", e.pk])
    for e in ledger.superseded:
        writer.writerow([
            e.date.isoformat(), _hhmm(e.start), _hhmm(e.end), e.assistant.full_name, e.presence,
            e.kind, e.duration_minutes, e.minutes_away, e.delivered_minutes,
            f"1:{1 + len(e.group.all())}", "", 0, "superseded", e.supersedes_id or "",
            e.correction_reason, "", e.pk])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def proof_html(ledger: MonthLedger) -> str:
    return render_to_string("logbook/proof_pdf.html", {"ledger": ledger,
                                                       "generated_at": timezone.now()})


def proof_pdf(ledger: MonthLedger) -> bytes:
    # Imported here: WeasyPrint loads pango at import, which only the PDF needs.
    from weasyprint import HTML

    return HTML(string=proof_html(ledger)).write_pdf()


def proof_filename(ledger: MonthLedger, extension: str) -> str:
    return f"proof-{slugify(ledger.child.display_code)}-{ledger.month:%Y-%m}.{extension}"


# The pool's month (school-budget pools: the evidence for the budget). CSV columns:
#   date, start, end, assistant, child (display code), presence, kind, minutes,
#   delivered (minutes - minutes away when present, else 0), ratio (1:n), entry (id);
# then a row "staff_minutes" with the month's staff minutes and one "budget" row (empty for a
# pool on individual approvals).
POOL_CSV_COLUMNS = ["date", "start", "end", "assistant", "child", "presence", "kind", "minutes",
                    "delivered", "ratio", "entry"]


def pool_proof_csv(ledger: PoolLedger) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(POOL_CSV_COLUMNS)
    for e in ledger.sessions:
        writer.writerow([
            e.date.isoformat(), _hhmm(e.start), _hhmm(e.end), e.assistant.full_name,
            e.child.display_code, e.presence, e.kind, e.duration_minutes, e.delivered_minutes,
            f"1:{1 + len(e.group.all())}", e.pk])
    writer.writerow([])
    writer.writerow(["staff_minutes", ledger.total.staff])
    writer.writerow(["budget", "" if ledger.total.budget is None else ledger.total.budget])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def pool_proof_pdf(ledger: PoolLedger) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_to_string("logbook/pool_proof_pdf.html", {
        "ledger": ledger, "generated_at": timezone.now()})).write_pdf()


def pool_proof_filename(ledger: PoolLedger, extension: str) -> str:
    return f"pool-{slugify(ledger.school.name)}-{ledger.month:%Y-%m}.{extension}"
