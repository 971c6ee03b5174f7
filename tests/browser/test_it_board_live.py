"""The live board when the connection is not there: without WebSockets the page polls, and
after a lost connection it reconnects and fetches the state it missed (no red card missed)."""

import pytest
from playwright.sync_api import expect

from tests.browser import test_it_board as board_tests
from tests.browser.conftest import do_login
from tests.browser.test_it_board import CHILD, live, new_page

asgi_server = board_tests.asgi_server  # the same fixture: the ASGI app under uvicorn

pytestmark = pytest.mark.browser
POLLING = "Live connection lost: checking every few seconds and reconnecting …"

# Records the page's sockets; while window.wsBlocked is true new ones go nowhere (as when the
# server is unreachable), so the page cannot reconnect until the test lets it.
SOCKETS = """
(() => {
  const Real = window.WebSocket;
  window.sockets = [];
  window.wsBlocked = false;
  window.WebSocket = function (url, protocols) {
    const socket = new Real(window.wsBlocked ? "ws://127.0.0.1:9/" : url, protocols);
    window.sockets.push(socket);
    return socket;
  };
  window.WebSocket.prototype = Real.prototype;
})();
"""


@pytest.fixture
def pool_at_work(demo_data):
    from poolplan.roster.models import WorkingTime

    # The server runs on the real clock; the pool is at work whatever time the test runs.
    WorkingTime.objects.filter(assistant__schools__children__display_code=CHILD).delete()


def turn_red(browser, base_url: str):
    teacher = new_page(browser, base_url)
    do_login(teacher, "teacher")
    teacher.goto("/cards/mine/")
    switch = teacher.locator(f".tl-switch:has(h2:text-is('{CHILD}'))")
    switch.get_by_role("button", name="I need help").click()
    expect(switch.get_by_role("button", name="I need help")).to_have_attribute(
        "aria-pressed", "true")
    teacher.context.close()


def test_it_polls_when_the_browser_has_no_websockets(pool_at_work, asgi_server, browser):
    board = new_page(browser, asgi_server)
    board.add_init_script("delete window.WebSocket;")
    do_login(board, "assistant1")
    board.goto("/board/")
    expect(board.locator("[data-live-status]")).to_have_text(POLLING)
    turn_red(browser, asgi_server)
    first = board.locator(".tl-card").first
    expect(first.locator("h2")).to_have_text(CHILD)
    expect(first).to_have_class("tl-card tl-card--red")
    # The poll brings the dispatch suggestion too, its reasons in the page's words.
    expect(first.locator(".tl-card__suggestion")).to_contain_text("Suggested:")
    board.context.close()


def test_it_reconnects_and_fetches_what_it_missed(pool_at_work, asgi_server, browser):
    board = new_page(browser, asgi_server)
    board.add_init_script(SOCKETS)
    do_login(board, "assistant1")
    board.goto("/board/")
    live(board)
    # Polling cannot help here: only the snapshot after reconnecting can bring the change.
    board.route("**/state/", lambda route: route.abort())
    board.evaluate("window.wsBlocked = true; window.sockets[0].close();")
    expect(board.locator("[data-live-status]")).to_have_text(POLLING)
    turn_red(browser, asgi_server)
    expect(board.locator(".tl-card").first.locator("h2")).not_to_have_text(CHILD)
    board.evaluate("window.wsBlocked = false;")
    # The page retries with a growing pause (1, 2, 4, 8 s ...): wait for the next try.
    expect(board.locator("[data-live-status]")).to_have_text("Live updates: on",
                                                             timeout=30_000)
    first = board.locator(".tl-card").first
    expect(first.locator("h2")).to_have_text(CHILD)
    expect(first).to_have_class("tl-card tl-card--red")
    board.context.close()
