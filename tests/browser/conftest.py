"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's
live_server.

Mark every test here `@pytest.mark.browser`; they run in their own pytest process
(`pytest -m browser tests/browser`, part "browser" of `make test`), because Playwright's sync
API cannot share a process with an asyncio test plugin. Never `playwright install`: the
browser is Debian's /usr/bin/chromium.

Fixtures: browser, page (desktop 1280x800), phone_page (390x844, touch), demo_data, and the
helpers login(page, username, password="demo"), check_a11y(page) and screenshot(page, name).
Pages open relative to the live server: page.goto("/admin/login/").
"""

import os
import re
from pathlib import Path

import pytest

# The live server runs in a thread beside Playwright's event loop; Django's async-safety
# check would refuse its ORM calls from the test thread otherwise. Set before Django runs.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
# Without the networking flags chromium keeps calling Google's hosts, which this machine's
# closed network refuses.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEFAULT_TIMEOUT_MS = 10_000


BROWSER_TESTS_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    # Everything in this folder is a browser test, marked or not.
    for item in items:
        if BROWSER_TESTS_DIR in item.path.parents and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Remember each phase's outcome so the page fixtures can save a screenshot on failure.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    # Playwright gives every launch a new, empty user-data-dir of its own.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_context_args() -> dict:
    """Override in a test module to change every page's context (e.g. locale="en-GB")."""
    return {"locale": "de-DE", "timezone_id": "Europe/Berlin"}


def _new_page(request, browser, live_server, browser_context_args, **context_args) -> Page:
    context = browser.new_context(base_url=live_server.url,
                                  **{**browser_context_args, **context_args})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        _save_screenshot(page, f"FAILED-{name}-{request.fixturename}")
    context.close()


@pytest.fixture
def page(request, browser, live_server, browser_context_args) -> Page:
    """A desktop page (1280x800) on the live server."""
    yield from _new_page(request, browser, live_server, browser_context_args,
                         viewport={"width": 1280, "height": 800})


@pytest.fixture
def phone_page(request, browser, live_server, browser_context_args) -> Page:
    """A phone page (390x844, touch, mobile viewport) on the live server."""
    yield from _new_page(request, browser, live_server, browser_context_args,
                         viewport={"width": 390, "height": 844}, is_mobile=True,
                         has_touch=True, device_scale_factor=2)


@pytest.fixture
def demo_data(transactional_db):
    """The demo data (`manage.py demo`) in the database the live server uses."""
    import io

    from django.core.management import call_command

    call_command("demo", stdout=io.StringIO())


def _login_path() -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("login")
    except NoReverseMatch:
        return reverse("admin:login")


def do_login(page: Page, username: str, password: str = "demo") -> None:
    """Log in through the login form and check the login worked."""
    login_path = _login_path()
    page.goto(login_path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) [type=submit]").first.click()
    page.wait_for_load_state()
    if page.url.split("?")[0].endswith(login_path):
        errors = page.locator(".errornote, .errorlist, [role=alert]").all_inner_texts()
        raise AssertionError(f"Login as {username!r} failed; the page says: "
                             f"{' '.join(errors) or page.title()}")


@pytest.fixture
def login():
    """login(page, username, password="demo")"""
    return do_login


def axe_violations(page: Page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        "resultTypes": ["violations"],
    })
    return results.response["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} "
                     f"<{violation.get('helpUrl', '')}>")
        for node in violation["nodes"][:5]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)


def do_check_a11y(page: Page) -> None:
    """Fail on any WCAG 2.1 A/AA violation that axe-core finds on the current page."""
    violations = axe_violations(page)
    if violations:
        pytest.fail(f"{len(violations)} accessibility violation(s) (WCAG 2.1 A/AA) on "
                    f"{page.url}:\n{format_violations(violations)}", pytrace=False)


@pytest.fixture
def check_a11y():
    """check_a11y(page)"""
    return do_check_a11y


def _save_screenshot(page: Page, name: str) -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot():
    """screenshot(page, name) -> Path of test-artifacts/screenshots/<name>.png"""
    return _save_screenshot
