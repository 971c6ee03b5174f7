"""The live cards in a real browser: a teacher turns a card red, the assistant's board (another
browser context) shows it live with a dispatch suggestion, the assistant answers "I'm going" and
the teacher sees who is coming. pytest-django's live server speaks WSGI only, so this module runs
the ASGI app (HTTP and WebSockets) under uvicorn in a thread, on the same test database."""

import socket
import threading
import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS, do_login

pytestmark = pytest.mark.browser
LIVE_WITHIN_MS = 1_000
CHILD = "Luchs 4"  # class 6a of the comprehensive school; the demo teacher teaches 6a and 6b


@pytest.fixture
def asgi_server(transactional_db, settings):
    import uvicorn
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    from channels.routing import ProtocolTypeRouter
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.core.asgi import get_asgi_application

    from poolplan.asgi import application as poolplan_application

    # Tests run with DEBUG off, so asgi.py does not serve static files; the page needs its
    # script and stylesheet, as under `make run`.
    application = ProtocolTypeRouter({
        "http": ASGIStaticFilesHandler(get_asgi_application()),
        "websocket": poolplan_application.application_mapping["websocket"],
    })

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port,
                                           lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("uvicorn did not start within 10 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    channel_layers.backends.clear()


def new_page(browser, base_url: str, phone: bool = False) -> Page:
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 800}
    extra = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2} if phone else {}
    # English pages: the assertions name the English labels (German pages: test_it_pages.py).
    context = browser.new_context(base_url=base_url, locale="en-GB",
                                  timezone_id="Europe/Berlin", viewport=size, **extra)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return context.new_page()


def live(page: Page) -> None:
    expect(page.locator("[data-live-status]")).to_have_text("Live updates: on")


def no_horizontal_overflow(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_it_shows_a_red_card_live_on_the_board_and_who_is_coming(
        demo_data, asgi_server, browser, check_a11y, screenshot):
    from poolplan.roster.models import WorkingTime

    # The server runs on the real clock; the pool is at work whatever time the test runs
    # (someone without recorded working times counts as at work).
    WorkingTime.objects.filter(assistant__schools__children__display_code=CHILD).delete()
    teacher = new_page(browser, asgi_server)
    board = new_page(browser, asgi_server)
    do_login(teacher, "teacher")
    teacher.goto("/cards/mine/")
    live(teacher)
    do_login(board, "assistant1")
    board.goto("/board/")
    live(board)
    card = board.locator(f".tl-card:has(h2:text-is('{CHILD}'))")
    expect(card).to_have_class("tl-card tl-card--green")

    switch = teacher.locator(f".tl-switch:has(h2:text-is('{CHILD}'))")
    switch.get_by_role("button", name="I need help").click()
    expect(switch.get_by_role("button", name="I need help")).to_have_attribute(
        "aria-pressed", "true")

    # Without a reload: the board moved the card to the top, red, with a suggestion.
    first = board.locator(".tl-card").first
    expect(first.locator("h2")).to_have_text(CHILD, timeout=LIVE_WITHIN_MS)
    expect(first).to_have_class("tl-card tl-card--red", timeout=LIVE_WITHIN_MS)
    expect(first.locator(".tl-card__suggestion")).to_contain_text("Suggested:")
    assert "Wolff" not in board.content()  # display codes only
    check_a11y(board)
    screenshot(board, "board-desktop")

    first.get_by_role("button", name="I'm going").click()
    expect(first.locator(".tl-card__coming")).to_contain_text("is on the way")
    expect(switch.locator("[data-coming]")).to_contain_text("is on the way",
                                                            timeout=LIVE_WITHIN_MS)
    check_a11y(teacher)
    screenshot(teacher, "teacher-cards-desktop")

    for path, name in (("/cards/mine/", "teacher-cards"), ("/board/", "board")):
        phone = new_page(browser, asgi_server, phone=True)
        do_login(phone, "teacher" if name == "teacher-cards" else "assistant1")
        phone.goto(path)
        live(phone)
        no_horizontal_overflow(phone)
        check_a11y(phone)
        screenshot(phone, f"{name}-phone")
        phone.context.close()
    teacher.context.close()
    board.context.close()


def test_it_pairs_a_tablet_that_turns_its_card(demo_data, asgi_server, browser, check_a11y,
                                               screenshot):
    from poolplan.accounts.models import User
    from poolplan.board import services
    from poolplan.roster.models import Child

    child = Child.objects.get(display_code=CHILD)
    _device, code = services.device_create(actor=User.objects.get(username="coordinator"),
                                           school=child.school, child=child)
    for phone in (True, False):
        tablet = new_page(browser, asgi_server, phone=phone)
        tablet.goto("/tablet/pair/")
        check_a11y(tablet)
        tablet.fill("#pairing-code", code)
        tablet.get_by_role("button", name="Pair").click()
        live(tablet)
        expect(tablet.locator(".tl-switch h2")).to_have_text(CHILD)
        target = "Please keep an eye on me" if phone else "All good"
        tablet.get_by_role("button", name=target).click()
        expect(tablet.get_by_role("button", name=target)).to_have_attribute("aria-pressed",
                                                                           "true")
        no_horizontal_overflow(tablet)
        check_a11y(tablet)
        screenshot(tablet, f"tablet-card-{'phone' if phone else 'desktop'}")
        tablet.context.close()
