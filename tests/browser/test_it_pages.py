"""The pages in a real browser with the demo data: every role's home page, the child and
assistant records, need-grid editing, the audit trail and the language switch. Every page
visited is checked with axe (WCAG 2.1 A/AA) and photographed at phone and desktop width into
test-artifacts/screenshots/."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

COMPREHENSIVE = "Gesamtschule Nord"


def look(pages: dict[str, Page], name: str, check_a11y, screenshot, path: str | None = None):
    """Open `path` (or stay) on every page, check accessibility and take a screenshot each."""
    for width, page in pages.items():
        if path is not None:
            response = page.goto(path)
            assert response is not None and response.status == 200, (path, response.status)
        check_a11y(page)
        screenshot(page, f"{name}-{width}")


def no_horizontal_overflow(page: Page) -> None:
    """The page itself never scrolls sideways; wide grids scroll inside their own box."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_it_shows_the_coordinator_the_15_young_people_of_the_comprehensive_school(
        demo_data, page, phone_page, login, check_a11y, screenshot):
    pages = {"desktop": page, "phone": phone_page}
    for p in pages.values():
        login(p, "coordinator")
        school = p.locator(f"section[data-school='{COMPREHENSIVE}']")
        expect(school.locator("h2")).to_have_text(COMPREHENSIVE)
        expect(school.locator("table.children-table tbody tr")).to_have_count(15)
        expect(school.locator("table.assistants-table tbody tr")).to_have_count(7)
        no_horizontal_overflow(p)
    look(pages, "coordinator-home", check_a11y, screenshot)

    # The child's record: need grid (symbols and words, not colour alone) and approvals.
    page.locator("table.children-table tbody tr th a").first.click()
    expect(page.locator("table.need-grid:not(.heat-grid)")).to_be_visible()
    expect(page.locator("table.approvals-table tbody tr")).not_to_have_count(0)
    child_path = page.url.removeprefix(page.url.split("/children/")[0])
    look(pages, "coordinator-child", check_a11y, screenshot, child_path)
    for p in pages.values():
        no_horizontal_overflow(p)

    # Editing the need grid: an invalid room is refused in words next to the grid ...
    look(pages, "coordinator-need-edit", check_a11y, screenshot, child_path + "need-profile/")
    need = page.locator("select[name^=need_]").first
    need.select_option("2")
    page.get_by_role("button", name=re.compile("speichern|Save", re.I)).click()
    expect(page.locator(".messages")).to_be_visible()
    assert page.url.endswith(child_path)
    expect(page.locator("table.need-grid:not(.heat-grid) td.need-2").first).to_be_visible()

    # ... and the change is in the audit trail.
    look(pages, "coordinator-audit", check_a11y, screenshot, child_path + "audit/")
    expect(page.locator("tr.audit-row").first).to_be_visible()

    page.goto("/")
    page.locator("table.assistants-table tbody tr th a").first.click()
    expect(page.locator("h1")).to_be_visible()
    assistant_path = page.url.removeprefix(page.url.split("/assistants/")[0])
    look(pages, "coordinator-assistant", check_a11y, screenshot, assistant_path)


def test_it_shows_the_need_grid_errors_next_to_the_grid(demo_data, page, login, check_a11y,
                                                        screenshot):
    login(page, "coordinator")
    page.locator("table.children-table tbody tr th a").first.click()
    page.get_by_role("link", name=re.compile("Förderbedarf bearbeiten|Edit need profile")).click()
    # Two people edit at once: the second save is detected instead of overwriting.
    page.evaluate("document.querySelector('input[name=stamp]').value = 'stale'")
    page.locator("select[name^=need_]").first.select_option("1")
    page.get_by_role("button", name=re.compile("speichern|Save", re.I)).click()
    errors = page.locator("#need-errors")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text(re.compile("jemand|someone", re.I))
    check_a11y(page)
    screenshot(page, "coordinator-need-edit-error-desktop")


ROLE_HOMES = [
    # (login, heading words, text from the demo data that must show)
    ("assistant1", re.compile("Pool"), COMPREHENSIVE),
    ("teacher", re.compile("Klassen|classes"), "6a"),
    ("parent", re.compile("Kind|child"), "Luchs 4"),
    ("provider", re.compile("Träger|provider"), "Förderzentrum am Stadtpark"),
    ("reviewer", re.compile("Bewilligung|Approval"), "Jugendamt Musterstadt"),
]


@pytest.mark.parametrize(("username", "heading", "data"), ROLE_HOMES,
                         ids=[row[0] for row in ROLE_HOMES])
def test_it_shows_each_role_its_home_page_with_demo_data(
        demo_data, page, phone_page, login, check_a11y, screenshot, username, heading, data):
    pages = {"desktop": page, "phone": phone_page}
    for p in pages.values():
        login(p, username)
        expect(p.locator("h1")).to_have_text(heading)
        expect(p.locator("main")).to_contain_text(data)
        no_horizontal_overflow(p)
    look(pages, f"{username}-home", check_a11y, screenshot)

    # Each role's first linked record opens and shows only what the role may see.
    link = page.locator("main a[href^='/children/']").first
    if link.count():
        child_path = link.get_attribute("href")
        look(pages, f"{username}-child", check_a11y, screenshot, child_path)
        for p in pages.values():
            no_horizontal_overflow(p)
        if username in ("teacher", "provider"):
            expect(page.locator(".notes")).to_have_count(0)
        if username == "assistant1":
            expect(page.locator("table.need-grid:not(.heat-grid)")).to_be_visible()
            expect(page.locator("#approvals-heading")).to_have_count(0)


def test_it_switches_the_language(page, check_a11y, screenshot, phone_page):
    # A German browser gets German by default.
    page.goto("/login/")
    expect(page.locator("h1")).to_have_text("Anmelden")
    look({"desktop": page, "phone": phone_page}, "login", check_a11y, screenshot, "/login/")
    page.select_option("#language-select", "en")
    page.get_by_role("button", name="Wechseln").click()
    expect(page.locator("h1")).to_have_text("Log in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_a11y(page)
    screenshot(page, "login-english-desktop")


def test_it_shows_a_failed_login_in_words(page, check_a11y, screenshot, django_user_model):
    page.goto("/login/")
    page.fill("input[name=username]", "nobody")
    page.fill("input[name=password]", "wrong")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.locator("[role=alert]")).to_be_visible()
    check_a11y(page)
    screenshot(page, "login-failed-desktop")
