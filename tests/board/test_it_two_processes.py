"""Several server processes behind one school, joined by Redis: a card turned through process A
reaches the live boards connected to process B (and A), and an acknowledgement through B
reaches A's board. Real uvicorn subprocesses, one SQLite file, real WebSockets.

Skipped when Redis does not answer, unless POOLPLAN_REQUIRE_ALL=1 (then it fails)."""

import asyncio
import json
import os
import random
import time
import urllib.request

import pytest
import websockets

from tests.board.servers import Server, prepare_site, redis_answers

REDIS_BASE = os.getenv("POOLPLAN_TEST_REDIS", "redis://127.0.0.1:6379")
# Generous: this waits for delivery, it does not time it (latency is bench/board.py's job), and
# CI shares two cores with the other test workers.
TIMEOUT = 30.0


@pytest.fixture
def redis_url():
    if not redis_answers(REDIS_BASE):
        if os.getenv("POOLPLAN_REQUIRE_ALL") == "1":
            pytest.fail(f"Redis does not answer at {REDIS_BASE} (POOLPLAN_REQUIRE_ALL=1).")
        pytest.skip(f"Redis does not answer at {REDIS_BASE}: start redis-server (or set "
                    "POOLPLAN_TEST_REDIS) to test several server processes.")
    # A database of its own keeps parallel runs on the same Redis apart (groups are per DB).
    return f"{REDIS_BASE}/{random.randint(1, 14)}"


@pytest.fixture
def servers(tmp_path, redis_url):
    site = prepare_site(tmp_path, redis_url=redis_url)
    started = [Server(site, log_path=tmp_path / f"uvicorn-{name}.log") for name in "AB"]
    try:
        for server in started:
            server.wait_ready()
        yield site, started
    finally:
        for server in started:
            server.stop()


def _call(method: str, url: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        url, method=method, data=json.dumps(body or {}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return json.loads(response.read())


async def _board(server: Server, site):
    client = await websockets.connect(
        f"{server.ws}/ws/board/{site.school_id}/", open_timeout=TIMEOUT,
        additional_headers={"Cookie": site.cookie, "Origin": server.http})
    snapshot = json.loads(await asyncio.wait_for(client.recv(), TIMEOUT))
    assert snapshot["type"] == "snapshot"
    return client


async def _next_card(client, child_id: int) -> dict:
    """The next news of this card (other messages are skipped)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        message = json.loads(await asyncio.wait_for(client.recv(),
                                                     deadline - time.monotonic()))
        if message.get("type") == "card" and message["card"]["child_id"] == child_id:
            return message["card"]


def test_it_carries_a_flip_from_one_process_to_the_boards_of_another(servers):
    site, (server_a, server_b) = servers
    child_id = site.child_ids[0]

    async def scenario():
        board_b = await _board(server_b, site)
        board_a = await _board(server_a, site)
        try:
            answer = await asyncio.to_thread(
                _call, "PUT", f"{server_a.http}/api/cards/{child_id}", site.token,
                {"state": "red"})
            assert answer["state"] == "red"
            card_b = await _next_card(board_b, child_id)
            assert (card_b["colour"], card_b["version"]) == ("red", answer["version"])
            assert (await _next_card(board_a, child_id))["colour"] == "red"
            # And back: "I'm going" through B shows on A's board.
            await asyncio.to_thread(
                _call, "POST", f"{server_b.http}/api/cards/{child_id}/acknowledge", site.token)
            card_a = await _next_card(board_a, child_id)
            assert card_a["acknowledged_by"] == "Helper 0"
        finally:
            await board_a.close()
            await board_b.close()

    try:
        asyncio.run(scenario())
    except BaseException:
        for server in (server_a, server_b):
            print(f"--- log of uvicorn on port {server.port} ---\n{server.log()}")
        raise
