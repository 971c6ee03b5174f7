"""The log book in a real browser with the demo data: an assistant logs a session on a phone,
the coordinator sees it in the child's month ledger, signs the month and downloads the proof.
Every page is checked with axe and photographed at phone and desktop width; the proof PDF's
first page is rendered to PNG (pdftoppm) beside the screenshots."""

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS_DIR

pytestmark = pytest.mark.browser


def no_horizontal_overflow(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def switch_user(page: Page, login, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)


def test_it_logs_a_session_on_the_phone_and_the_coordinator_sees_it(
        demo_data, page, phone_page, login, check_a11y, screenshot, tmp_path):
    # The assistant, on the phone: the form is pre-filled, one tap saves.
    login(phone_page, "assistant1")
    phone_page.goto("/log/")
    expect(phone_page.locator("h1")).to_have_text(re.compile("Einsatz|session", re.I))
    child_id = phone_page.locator("select[name=child]").input_value()
    assert child_id, "the quick entry pre-selects a child"
    no_horizontal_overflow(phone_page)
    check_a11y(phone_page)
    screenshot(phone_page, "logbook-quick-entry-phone")
    phone_page.fill("input[name=start]", "08:00")
    phone_page.fill("input[name=end]", "08:45")
    phone_page.fill("textarea[name=note]", "Arbeitsblatt Brüche, selbstständig beendet.")
    phone_page.get_by_role("button", name=re.compile("speichern|Save", re.I)).click()
    expect(phone_page.locator(".messages")).to_contain_text("45")
    expect(phone_page.locator("table.today-table tbody tr")).to_have_count(1)
    check_a11y(phone_page)
    screenshot(phone_page, "logbook-quick-entry-saved-phone")

    # The coordinator, at the desk: the quick entry names the assistant ...
    login(page, "coordinator")
    page.goto("/log/")
    check_a11y(page)
    screenshot(page, "logbook-quick-entry-desktop")

    # ... and the child's month ledger shows the session.
    page.goto(f"/children/{child_id}/ledger/")
    sessions = page.locator("table.sessions-table tbody tr")
    expect(sessions).to_have_count(1)
    expect(sessions.first).to_contain_text("08:00")
    expect(page.locator("table.ledger-table")).to_be_visible()
    no_horizontal_overflow(page)
    check_a11y(page)
    screenshot(page, "logbook-ledger-desktop")
    ledger_path = page.url.removeprefix(page.url.split("/children/")[0])

    switch_user(phone_page, login, "coordinator")
    phone_page.goto(ledger_path)
    expect(phone_page.locator("table.sessions-table tbody tr")).to_have_count(1)
    no_horizontal_overflow(phone_page)
    check_a11y(phone_page)
    screenshot(phone_page, "logbook-ledger-phone")

    # Signing locks the month.
    page.get_by_role("button", name=re.compile("abzeichnen|Sign", re.I)).click()
    expect(page.locator(".signature-state")).to_be_visible()
    check_a11y(page)
    screenshot(page, "logbook-ledger-signed-desktop")

    # The proof as the funding body gets it.
    month = ledger_path.rstrip("/").rsplit("/", 1)[-1]
    response = page.request.get(f"/api/children/{child_id}/proof?month={month}&format=pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    pdf = tmp_path / "proof.pdf"
    pdf.write_bytes(response.body())
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed; CI installs it")
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(ARTIFACTS_DIR / "logbook-proof-pdf")], check=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "08:00" in text
