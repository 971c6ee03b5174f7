"""The exports in the browser: the coordinator opens the printable week plan from the plan
board and downloads it as CSV; downloads a child's GDPR access export from the child's page and
the month's hours from the ledger; the provider's management finds the hours on its overview.
Every page is checked with axe and photographed at phone and desktop width (and the week plan
as printed)."""

import csv
import io

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

COMPREHENSIVE = "Gesamtschule Nord"


@pytest.fixture
def published(demo_data):
    """Next week's plan of the comprehensive school, made by the greedy pass and published."""
    from poolplan.planning.weeks import iso_week_label
    from poolplan.roster.models import School
    from tests import dates
    from tests.planning.view_helpers import publish_greedy

    school = School.objects.get(name=COMPREHENSIVE)
    week = iso_week_label(dates.next_monday())
    plan = publish_greedy(school=school, week=week)
    assert plan.assignments.exists()
    return school, week, plan


def look(pages: dict[str, Page], name: str, check_a11y, screenshot, path: str) -> None:
    for width, page in pages.items():
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response)
        check_a11y(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"
        screenshot(page, f"exports-{name}-{width}")


def download(page: Page, selector: str) -> bytes:
    with page.expect_download() as info:
        page.locator(selector).first.click()
    path = info.value.path()
    assert path is not None
    with open(path, "rb") as file:
        return file.read()


def test_the_coordinator_prints_and_downloads_the_week_plan(published, page, phone_page, login,
                                                          check_a11y, screenshot):
    school, week, plan = published
    pages = {"desktop": page, "phone": phone_page}
    for p in pages.values():
        login(p, "coordinator")
    board = f"/plans/{school.pk}/{week}/"
    printable = f"/reports/{school.pk}/weeks/{week}/print/"
    page.goto(board)
    page.locator(f"a[href='{printable}']").click()
    page.wait_for_load_state()
    assert page.url.endswith(printable)
    expect(page.locator("h1")).to_contain_text(week)
    first = plan.assignments.select_related("assistant", "child").order_by("date").first()
    expect(page.locator("table.morning-plan").first).to_contain_text(first.assistant.full_name)
    expect(page.locator("main")).to_contain_text(first.child.display_code)
    assert first.child.last_name not in page.locator("main").inner_text()
    look(pages, "week-plan", check_a11y, screenshot, printable)
    page.emulate_media(media="print")
    screenshot(page, "exports-week-plan-print")
    page.emulate_media(media="screen")

    content = download(page, "a[href$='.csv']")
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content[3:].decode("utf-8")), delimiter=";"))
    assert rows[0][:3] == ["week", "date", "weekday"]
    assert len(rows) - 1 == plan.assignments.count()
    assert {row[6] for row in rows[1:]} >= {first.assistant.full_name}
    assert download(page, "a[href$='.xlsx']").startswith(b"PK")

    look({"desktop": page}, "board", check_a11y, screenshot, board)


def test_the_child_page_ledger_and_provider_overview_offer_the_exports(
        published, page, phone_page, login, check_a11y, screenshot):
    from django.utils import timezone

    from poolplan.roster.models import Child

    school, _week, _plan = published
    child = Child.objects.filter(school=school).order_by("display_code").first()
    pages = {"desktop": page, "phone": phone_page}
    for p in pages.values():
        login(p, "coordinator")
    detail = f"/children/{child.pk}/"
    look(pages, "child-detail", check_a11y, screenshot, detail)
    pdf = download(page, f"a[href='/api/children/{child.pk}/access-export.pdf']")
    assert pdf.startswith(b"%PDF")
    data = download(page, f"a[href='/api/children/{child.pk}/access-export.json']")
    assert child.last_name.encode() in data

    month = f"{timezone.localdate():%Y-%m}"
    ledger = f"/children/{child.pk}/ledger/{month}/"
    look(pages, "ledger", check_a11y, screenshot, ledger)
    assert download(page, f"a[href='/api/schools/{school.pk}/hours/{month}.xlsx']"
                    ).startswith(b"PK")

    for p in pages.values():
        p.context.clear_cookies()
        login(p, "provider")
    look(pages, "provider-home", check_a11y, screenshot, "/")
    content = download(page, f"a[href='/api/schools/{school.pk}/hours/{month}.csv']")
    assert content.startswith(b"\xef\xbb\xbf") and b"approved_minutes" in content
