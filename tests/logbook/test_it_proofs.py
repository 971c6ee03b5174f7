"""The proof files: PDF read back with pdftotext, CSV as Excel reads it."""

import csv
import datetime as dt
import io
import shutil
import subprocess

import pytest

from poolplan.logbook import proofs, services
from poolplan.logbook.models import Presence
from poolplan.logbook.selectors import month_ledger
from tests.logbook.conftest import MONTH, MONTH_MONDAYS


@pytest.fixture
def november(lb, log):
    log(MONTH_MONDAYS[0], "08:00", "08:45")
    log(MONTH_MONDAYS[1], "08:00", "09:30", minutes_away=10)
    log(MONTH_MONDAYS[2], "08:00", "08:45", presence=Presence.ASSISTANT_ABSENT)
    first = log(MONTH_MONDAYS[3], "08:00", "08:45", assistant=lb.colleague)
    services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=MONTH)
    services.log_entry_correct(actor=lb.user("coordinator"), entry=first,
                               reason="Started late (bus)", start=dt.time(8, 15))
    return month_ledger(user=lb.user("coordinator"), child=lb.child, month=MONTH)


def pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian package poppler-utils) is not installed; CI installs it")
    path = tmp_path / "proof.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_it_renders_a_pdf_with_name_sessions_and_totals(november, tmp_path, settings):
    settings.LANGUAGE_CODE = "en"
    content = proofs.proof_pdf(november)
    assert content.startswith(b"%PDF")
    text = pdf_text(content, tmp_path)
    assert "Jürgen Müßig-Öztürk" in text
    assert "Youth office" in text and "AZ-Fox 1" in text
    assert "Özlem Şahin" in text
    for day in MONTH_MONDAYS[:4]:
        assert f"{day:%d.%m.}" in text
    flat = " ".join(text.split())  # cells wrap onto several lines
    assert "Corrected after signing" in flat and "Started late (bus)" in flat
    # Totals: 45 + 80 + 30 delivered and credited; 900 approved per Monday.
    lines = {line.strip().split("  ")[0]: line.split()[-1] for line in text.splitlines()
             if line.strip()}
    assert lines["Approved minutes"] == str(900 * len(MONTH_MONDAYS))
    assert lines["Delivered minutes"] == "155"
    assert lines["Credited minutes"] == "155"
    assert "Signed by" in text


def test_it_writes_csv_for_german_excel(november):
    content = proofs.proof_csv(november)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == proofs.CSV_COLUMNS
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    current = [r for r in body if r["status"] == "current"]
    assert [r["delivered"] for r in current] == ["45", "80", "0", "30"]
    assert current[1]["minutes_away"] == "10" and current[1]["ratio"] == "1:1"
    assert current[2]["presence"] == "assistant_absent"
    assert current[3]["after_signing"] == "yes" and current[3]["corrects"]
    assert current[3]["assistant"] == "Özlem Şahin"
    [superseded] = [r for r in body if r["status"] == "superseded"]
    assert superseded["entry"] == current[3]["corrects"]
