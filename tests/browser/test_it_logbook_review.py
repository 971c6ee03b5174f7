"""The log book's month in a real browser with the demo data (issue 6, "Done when"):
assistant1 logs a week of sessions on the phone, the coordinator sees the shortfall turn into
make-up debt, signs the month, corrects an entry afterwards with a reason, prepares the team
meeting and reads the evaluation; the reviewer downloads the proof as PDF and CSV; the
school-budget pool's ledger; "done" on the live board opens a prefilled log entry.

Every page is checked with axe and photographed at phone and desktop width (English pages:
the strings are new)."""

import datetime as dt
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import Page, expect

from tests import dates
from tests.browser.conftest import ARTIFACTS_DIR

pytestmark = pytest.mark.browser

CHILD = "Otter 1"  # Gesamtschule Nord, funded by the youth office (the demo reviewer's)


@pytest.fixture
def browser_context_args() -> dict:
    return {"locale": "en-GB", "timezone_id": "Europe/Berlin"}


def no_horizontal_overflow(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def look(page: Page, name: str, check_a11y, screenshot) -> None:
    no_horizontal_overflow(page)
    check_a11y(page)
    screenshot(page, name)


def switch(page: Page, login, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)


def past_week() -> list[dt.date]:
    """Monday to Friday of the latest week that is wholly past and inside one month."""
    monday = dates.this_monday() - dt.timedelta(days=7)
    while (monday + dt.timedelta(days=4)).month != monday.month:
        monday -= dt.timedelta(days=7)
    return [monday + dt.timedelta(days=n) for n in range(5)]


@pytest.fixture
def otter(demo_data):
    from poolplan.roster.models import Child

    child = Child.objects.get(display_code=CHILD)
    # The demo's approvals run for this school year; the week logged may lie before it.
    child.approvals.update(valid_from=min(past_week()[0], child.approvals.get().valid_from))
    return child


def test_it_logs_a_week_signs_corrects_and_proves_it(
        otter, page, phone_page, login, check_a11y, screenshot, tmp_path):
    week = past_week()
    month = f"{week[0]:%Y-%m}"

    # assistant1 logs the week on the phone: 45 minutes a day, the approval wants 810 a week.
    login(phone_page, "assistant1")
    for number, day in enumerate(week):
        phone_page.goto("/log/")
        phone_page.select_option("select[name=child]", str(otter.pk))
        phone_page.fill("input[name=date]", day.isoformat())
        phone_page.fill("input[name=start]", "08:00")
        phone_page.fill("input[name=end]", "08:45")
        phone_page.fill("textarea[name=note]", f"Reading, page {number + 1}.")
        if number == 2:
            phone_page.check("input[name=incident]")
        phone_page.get_by_role("button", name="Save session").click()
        expect(phone_page.locator(".messages")).to_contain_text("45 minutes")
    look(phone_page, "logbook-week-logged-phone", check_a11y, screenshot)

    # The coordinator: the shortfall has become make-up debt.
    login(page, "coordinator")
    page.goto(f"/children/{otter.pk}/ledger/{month}/")
    expect(page.locator("table.sessions-table tbody tr")).to_have_count(5)
    debt = int(page.locator("[data-figure=debt]").inner_text())
    assert debt >= 810 - 5 * 45, debt
    expect(page.locator("[data-figure=shortfall]")).not_to_have_text("0")
    look(page, "logbook-ledger-debt-desktop", check_a11y, screenshot)

    # ... signs the month ...
    page.get_by_role("button", name=re.compile("^Sign ")).click()
    expect(page.locator(".signature-state")).to_be_visible()

    # ... and corrects Wednesday afterwards: a new entry with a reason.
    page.locator("table.sessions-table tbody tr").nth(2).get_by_role(
        "link", name=re.compile("Correct")).click()
    expect(page.locator("h1")).to_have_text("Correct a session")
    look(page, "logbook-correct-desktop", check_a11y, screenshot)
    page.fill("textarea[name=reason]", "The child left at 08:30 (doctor's appointment).")
    page.fill("input[name=end]", "08:30")
    page.get_by_role("button", name="Save correction").click()
    expect(page.locator("table.sessions-table")).to_contain_text("corrected after signing")
    expect(page.locator("table.sessions-table")).to_contain_text("doctor's appointment")
    look(page, "logbook-ledger-corrected-desktop", check_a11y, screenshot)

    switch(phone_page, login, "coordinator")
    phone_page.goto(f"/children/{otter.pk}/ledger/{month}/")
    look(phone_page, "logbook-ledger-corrected-phone", check_a11y, screenshot)
    phone_page.locator("table.sessions-table tbody tr").first.get_by_role(
        "link", name=re.compile("Correct")).click()
    look(phone_page, "logbook-correct-phone", check_a11y, screenshot)

    # The reviewer downloads the corrected proof from the home page's links.
    switch(page, login, "reviewer")
    page.goto("/")
    pdf_link = page.locator(f"a[href='/api/children/{otter.pk}/proof?month={month}&format=pdf']")
    expect(pdf_link.first).to_be_attached()
    pdf = page.request.get(f"/api/children/{otter.pk}/proof?month={month}&format=pdf")
    csv = page.request.get(f"/api/children/{otter.pk}/proof?month={month}&format=csv")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    assert csv.status == 200 and "doctor's appointment" in csv.text()
    assert len([row for row in csv.text().splitlines() if ";current;" in row]) == 5
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; CI installs it")
    path = tmp_path / "proof.pdf"
    path.write_bytes(pdf.body())
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                                   capture_output=True, text=True).stdout.split())
    assert "Corrected after signing" in text and "doctor's appointment" in text
    for day in week:
        assert f"{day:%d.%m.}" in text
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(path), str(ARTIFACTS_DIR / "logbook-corrected-proof-pdf")], check=True)


def test_it_lets_the_author_change_an_entry_on_the_phone(otter, phone_page, login,
                                                          check_a11y, screenshot):
    login(phone_page, "assistant1")
    phone_page.goto(f"/log/?child={otter.pk}")
    phone_page.fill("input[name=start]", "07:10")
    phone_page.fill("input[name=end]", "07:40")
    phone_page.get_by_role("button", name="Save session").click()
    look(phone_page, "logbook-quick-entry-change-link-phone", check_a11y, screenshot)
    phone_page.locator("table.today-table").get_by_role("link", name=re.compile("Change")).click()
    expect(phone_page.locator("h1")).to_have_text("Change a session")
    look(phone_page, "logbook-change-phone", check_a11y, screenshot)
    phone_page.fill("input[name=end]", "07:35")
    phone_page.get_by_role("button", name="Save changes").click()
    expect(phone_page.locator(".messages")).to_contain_text("changed")
    expect(phone_page.locator("table.today-table")).to_contain_text("25")


def test_it_shows_the_team_meeting_and_the_evaluation(otter, page, phone_page, login,
                                                      check_a11y, screenshot):
    from poolplan.accounts.models import User
    from poolplan.logbook import services
    from poolplan.logbook.models import Presence
    from poolplan.roster.models import Absence, AbsenceReason

    week = past_week()
    assistant = User.objects.get(username="assistant1").assistant
    for number, day in enumerate(week[:4]):
        services.log_entry_create(
            actor=assistant.user, child=otter, assistant=assistant, date=day,
            start=dt.time(8, 0), end=dt.time(9, 30), kind="learning_support",
            presence=Presence.ASSISTANT_ABSENT if number == 3 else Presence.PRESENT,
            incident=number == 1, note="Refused to work; calmed down with a timer.",
            idempotency_key=f"review-{number}")
    Absence.objects.create(assistant=assistant, start=dates.next_school_day(),
                           end=dates.next_school_day(), reason=AbsenceReason.ILLNESS)
    school = otter.school

    for p, width in ((page, "desktop"), (phone_page, "phone")):
        login(p, "coordinator")
        p.goto(f"/schools/{school.pk}/team-meeting/{dates.iso_week(week[0])}/")
        expect(p.locator("h1")).to_contain_text("Team meeting")
        expect(p.locator(".attention-table")).to_contain_text(CHILD)
        expect(p.locator(".risk-table")).to_contain_text(CHILD)
        expect(p.locator(".debt-table")).to_contain_text(CHILD)
        look(p, f"logbook-team-meeting-{width}", check_a11y, screenshot)
    page.select_option("select[name=child]", str(otter.pk))
    page.fill("textarea[name=text]", "A sand timer on the desk helps to start.")
    page.get_by_role("button", name="Share the strategy").click()
    expect(page.locator(".messages")).to_contain_text("shared")

    page.goto(f"/schools/{school.pk}/team-meeting/")
    expect(page.locator(".strategies")).to_contain_text("sand timer")
    expect(page.locator(".absences-ahead")).to_contain_text(assistant.full_name)
    look(page, "logbook-team-meeting-this-week-desktop", check_a11y, screenshot)

    for p, width in ((page, "desktop"), (phone_page, "phone")):
        p.goto(f"/schools/{school.pk}/evaluation/?month={week[0]:%Y-%m}&months=6")
        expect(p.locator("h1")).to_contain_text("Evaluation")
        expect(p.locator("figure.chart img")).to_have_count(4)
        look(p, f"logbook-evaluation-{width}", check_a11y, screenshot)
    csv = page.request.get(f"/schools/{school.pk}/evaluation/?month={week[0]:%Y-%m}"
                           "&months=6&format=csv")
    assert csv.status == 200 and f"{CHILD};" in csv.text()

    switch(page, login, "provider")
    page.goto("/")
    page.get_by_role("link", name=re.compile(f"Evaluation {school.name}")).click()
    expect(page.locator("figure.chart img").first).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(otter.full_name)
    look(page, "logbook-evaluation-provider-desktop", check_a11y, screenshot)


def test_it_shows_the_school_budget_pools_ledger(demo_data, page, phone_page, login,
                                                 check_a11y, screenshot):
    from poolplan.accounts.models import User
    from poolplan.logbook import services
    from poolplan.roster.models import Child, School

    school = School.objects.get(funding_model="school_budget")
    coordinator = User.objects.get(username="coordinator3")
    children = list(Child.objects.filter(school=school).order_by("display_code")[:3])
    staff = children[0].school.assistants.first()
    day = past_week()[0]
    for number, child in enumerate(children):
        services.log_entry_create(
            actor=coordinator, child=child, assistant=staff, date=day, start=dt.time(8, 0),
            end=dt.time(8, 45), kind="physical_care", idempotency_key=f"budget-{number}",
            group=[c for c in children if c != child])
    for p, width in ((page, "desktop"), (phone_page, "phone")):
        login(p, "coordinator3")
        p.goto(f"/schools/{school.pk}/ledger/{day:%Y-%m}/")
        expect(p.locator("[data-figure=staff]")).to_have_text("45")
        expect(p.locator(".pool-children tbody tr")).to_have_count(3)
        look(p, f"logbook-pool-ledger-{width}", check_a11y, screenshot)
    pdf = page.request.get(f"/api/schools/{school.pk}/proof?month={day:%Y-%m}&format=pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")


def test_it_opens_a_prefilled_log_entry_after_done_on_the_board(otter, phone_page, login,
                                                                check_a11y, screenshot):
    from poolplan.accounts.models import User
    from poolplan.board import services as board_services

    board_services.card_set(child=otter, colour="red",
                            actor=User.objects.get(username="coordinator"))
    login(phone_page, "assistant1")
    phone_page.goto("/board/")
    card = phone_page.locator(f"li[data-child='{otter.pk}']")
    card.get_by_role("button", name="I'm going").click()
    expect(card).to_contain_text("on the way")
    card.get_by_role("button", name="Done").click()
    expect(phone_page).to_have_url(re.compile(rf"/log/\?card={otter.pk}$"))
    expect(phone_page.locator("select[name=child]")).to_have_value(str(otter.pk))
    look(phone_page, "logbook-quick-entry-from-card-phone", check_a11y, screenshot)
