"""Redis restarts while boards are connected: the card state lives in the database and the layer
only carries news, so a board must not stay connected and silently miss what happens while
Redis is away. The server closes the live sockets when its Redis connection breaks; the client
(cards.js) then polls, reconnects and gets a fresh snapshot with every change it missed.

A Redis server of its own on a free port (Debian's redis-server), so the shared one is never
restarted; skipped when redis-server is not installed, unless POOLPLAN_REQUIRE_ALL=1."""

import asyncio
import json
import os
import shutil
import subprocess
import time
import urllib.request

import pytest
import websockets

from tests.board.servers import Server, free_port, prepare_site, redis_answers

TIMEOUT = 30.0  # waits for events, never times them


class PrivateRedis:
    def __init__(self, directory):
        self.port = free_port()
        self.directory = directory
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + TIMEOUT
        while not redis_answers(self.url):
            if time.monotonic() > deadline:
                raise TimeoutError(f"redis-server did not answer on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def redis(tmp_path):
    if shutil.which("redis-server") is None:
        if os.getenv("POOLPLAN_REQUIRE_ALL") == "1":
            pytest.fail("redis-server is not installed (POOLPLAN_REQUIRE_ALL=1).")
        pytest.skip("redis-server is not installed: apt-get install redis-server")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def _put(server: Server, token: str, child_id: int, state: str) -> dict:
    request = urllib.request.Request(
        f"{server.http}/api/cards/{child_id}", method="PUT",
        data=json.dumps({"state": state}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return json.loads(response.read())


def test_it_closes_the_boards_when_redis_goes_and_resyncs_them_after(tmp_path, redis):
    site = prepare_site(tmp_path, redis_url=redis.url)
    server = Server(site, log_path=tmp_path / "uvicorn.log")
    child_id = site.child_ids[0]
    url = f"{server.ws}/ws/board/{site.school_id}/"
    headers = {"Cookie": site.cookie, "Origin": server.http}

    async def scenario():
        board = await websockets.connect(url, additional_headers=headers,
                                         open_timeout=TIMEOUT)
        snapshot = json.loads(await asyncio.wait_for(board.recv(), TIMEOUT))
        assert snapshot["type"] == "snapshot"
        redis.stop()
        # The board is told (its socket closes), not left listening to nothing.
        with pytest.raises(websockets.ConnectionClosed):
            while True:
                await asyncio.wait_for(board.recv(), TIMEOUT)
        assert board.close_code == 1011
        # A flip while Redis is away is stored; only its news is lost.
        answer = await asyncio.to_thread(_put, server, site.token, child_id, "red")
        assert answer["state"] == "red"
        redis.start()
        # Reconnecting (as cards.js does) brings the state the board missed.
        again = await websockets.connect(url, additional_headers=headers,
                                         open_timeout=TIMEOUT)
        snapshot = json.loads(await asyncio.wait_for(again.recv(), TIMEOUT))
        card = next(c for c in snapshot["cards"] if c["child_id"] == child_id)
        assert (card["colour"], card["version"]) == ("red", answer["version"])
        # And the news flows again.
        await asyncio.to_thread(_put, server, site.token, child_id, "green")
        while True:
            message = json.loads(await asyncio.wait_for(again.recv(), TIMEOUT))
            if message["type"] == "card" and message["card"]["child_id"] == child_id:
                assert message["card"]["colour"] == "green"
                break
        await again.close()

    try:
        server.wait_ready()
        asyncio.run(scenario())
    except BaseException:
        print(f"--- log of uvicorn on port {server.port} ---\n{server.log()}")
        raise
    finally:
        server.stop()
