"""Issue 7's page in the browser: the provider manager opens the needs analysis of the demo's
comprehensive school, starts a simulation, and reads the comparison, both charts and the
recommendation; the coordinator sees the same run. Every page is axe-checked and
photographed at desktop and phone width; the page never scrolls sideways."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args() -> dict:
    return {"locale": "en-GB", "timezone_id": "Europe/Berlin"}


@pytest.fixture
def quick_simulation(settings):
    # The live server is a thread of this process without a task worker: the run executes
    # inside the request (ImmediateBackend); the sizing plays few years per candidate pool.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.SIMULATION_SIZING_RUNS = 20


def look(page: Page, name: str, check_a11y, screenshot) -> None:
    """axe, then a desktop and a phone-width screenshot, and no sideways scrolling."""
    for width, height, label in ((1280, 800, "desktop"), (390, 844, "phone")):
        page.set_viewport_size({"width": width, "height": height})
        check_a11y(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen ({label})"
        screenshot(page, f"analysis-{name}-{label}")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_the_provider_simulates_the_comprehensive_school(demo_data, quick_simulation,
                                                          live_server, page, login,
                                                          check_a11y, screenshot):
    from poolplan.roster.demo_data import COMPREHENSIVE

    login(page, "provider")
    page.get_by_role("link", name="Needs analysis").click()
    page.get_by_role("link", name=COMPREHENSIVE).click()
    expect(page.get_by_role("heading", name="Needs analysis", level=1)).to_be_visible()
    look(page, "form", check_a11y, screenshot)

    page.get_by_label("School years simulated").fill("60")
    page.get_by_label("School days a year").fill("95")
    # The run executes inside this request (no worker here): on a loaded machine the answer
    # can take longer than the default 10 s.
    page.set_default_navigation_timeout(120_000)
    page.get_by_role("button", name="Start the simulation").click()
    expect(page.locator("#run-status")).to_contain_text("Done")
    expect(page.locator("table.comparison")).to_be_visible()
    expect(page.locator("table.comparison thead th")).to_have_text(
        ["Figure", re.compile("One-to-one"), re.compile("Pool$"), re.compile("Pool \\+ k")])
    expect(page.locator("svg[role=img]")).to_have_count(2)
    expect(page.get_by_role("heading", name="How many assistants the pool needs")).to_be_visible()
    expect(page.locator(".fixed-list li")).not_to_have_count(0)
    page.locator("details summary").first.click()
    look(page, "result", check_a11y, screenshot)

    page.context.clear_cookies()
    login(page, "coordinator")
    page.get_by_role("link", name="Needs analysis").click()
    expect(page.locator("table.comparison")).to_be_visible()
