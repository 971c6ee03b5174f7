"""Benchmark the live board: flip → every-client latency over WebSockets (Redis layer) against
clients polling the board's state every 2 seconds, measured in the same run.

    python bench/board.py [--json] [--clients 100 500] [--flips 20] [--rate 2]
                          [--layers redis-pubsub redis-core memory] [--workers 1]
                          [--redis redis://127.0.0.1:6379/13]

Starts uvicorn with poolplan's ASGI app on 127.0.0.1 (a temporary SQLite file with one seeded
school) once per channel layer (default: the Redis layer poolplan uses, REDIS_CHANNEL_LAYER's
default), then for each client count:

  websocket   N board clients on /ws/board/<school>/; a card is turned through the API at a
              steady rate; latency = time from sending the PUT until a client has the card's
              news, for every (flip, client) pair. Beside it (dispatch_p50/p99): until the
              client has the dispatch suggestions worked out after that flip (or a later one).
  polling-2s  N clients each GET /board/<school>/state/ every 2 s (random phase); latency =
              time from sending the PUT until that client's next poll shows the change
              (HTTP only, so measured with the first layer only)

delivered/expected counts (flip, client) pairs; a pair never seen is lost (missing pairs and
clients that got no news at all are listed on stderr, with their close codes). request_p50 is
the flip's own PUT (sent → answer read); srv_cpu and cli_cpu are the CPU milliseconds per flip
of the server (everything: request, news, dispatch, fan-out) and of this process's clients,
figures that do not depend on how busy the machine is, unlike the latencies. Everything runs
on loopback, bounded in clients and time, and stops by itself (a few minutes). The clients run
in this process on the same machine as the server, so their own work is part of the figure.
Never run as a test: figures depend on the machine and its load (printed with the table).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import math
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import websockets  # noqa: E402

from tests.board.servers import Server, prepare_site, redis_answers  # noqa: E402

STATES = ("red", "yellow", "green")  # every flip changes the card (children start green)
# Channel layers the server can run on: REDIS_URL unset = in-memory (one process only).
LAYERS = ("redis-pubsub", "redis-core", "memory")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by the process `pid` and its children (uvicorn's
    workers), from /proc: a figure that does not depend on how busy the machine is."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


class Http:
    """A minimal HTTP/1.1 keep-alive client (the standard library has no asyncio one)."""

    def __init__(self, port: int, headers: dict[str, str]):
        self.port = port
        self.headers = headers
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}",
                f"Content-Length: {len(body)}",
                *(f"{k}: {v}" for k, v in self.headers.items())]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, chunked = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _sep, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if not chunked:
            return status, await self.reader.readexactly(length)
        chunks = []
        while size := int((await self.reader.readline()).strip(), 16):
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readline()
        await self.reader.readline()
        return status, b"".join(chunks)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def flip_cards(server: Server, site, *, flips: int, rate: float, counter: list[int],
                     sent: dict[tuple[int, int], float],
                     sent_order: list[float] | None = None,
                     answered_ms: list[float] | None = None) -> None:
    """Turn cards through the API at `rate` per second, one after the other (SQLite refuses
    concurrent writers); sent[(child, version)] = the time the PUT was sent. Stops early when
    a saturated server makes the flips fall 10 s behind schedule."""
    client = Http(server.port, {"Authorization": f"Bearer {site.token}",
                                "Content-Type": "application/json"})
    start = time.perf_counter()
    try:
        for k in range(flips):
            now = time.perf_counter()
            if now > start + flips / rate + 10:
                break
            await asyncio.sleep(max(0.0, start + k / rate - now))
            n = counter[0]
            counter[0] += 1
            child_id = site.child_ids[n % len(site.child_ids)]
            state = STATES[(n // len(site.child_ids)) % len(STATES)]
            t0 = time.perf_counter()
            status, body = await client.request(
                "PUT", f"/api/cards/{child_id}", json.dumps({"state": state}).encode())
            if status != 200:
                raise RuntimeError(f"PUT /api/cards/{child_id} answered {status}: {body[:300]}")
            sent[(child_id, json.loads(body)["version"])] = t0
            if sent_order is not None:
                sent_order.append(t0)
            if answered_ms is not None:
                answered_ms.append((time.perf_counter() - t0) * 1000)
    finally:
        await client.close()


async def wait_idle(server: Server, site, *, limit: float = 60) -> None:
    """Until the server answers a board request at once again (a saturated polling row leaves
    a queue behind), so the next row starts on an idle server."""
    http = Http(server.port, {"Cookie": site.cookie, "Accept": "application/json"})
    deadline = time.perf_counter() + limit
    try:
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            await http.request("GET", f"/board/{site.school_id}/state/")
            if time.perf_counter() - began < 0.5:
                return
    finally:
        await http.close()


def _ms_round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _row(layer: str, mode: str, clients: int, sent: dict, seen: list[dict],
         dispatch_latencies: list[float] | None = None,
         answered_ms: list[float] | None = None, server_cpu: float | None = None,
         client_cpu: float | None = None) -> dict:
    latencies = [(at - sent[key]) * 1000 for received in seen
                 for key, at in received.items() if key in sent]
    row = {"layer": layer, "mode": mode, "clients": clients,
           "p50_ms": _ms_round(percentile(latencies, 50)),
           "p99_ms": _ms_round(percentile(latencies, 99)),
           "delivered": len(latencies), "expected": len(sent) * clients}
    if dispatch_latencies is not None:
        row["dispatch_p50_ms"] = _ms_round(percentile(dispatch_latencies, 50))
        row["dispatch_p99_ms"] = _ms_round(percentile(dispatch_latencies, 99))
    if answered_ms is not None:
        # The flip's own request (PUT sent → answer read): the part of the latency before any
        # client can hear of it.
        row["request_p50_ms"] = _ms_round(percentile(answered_ms, 50))
    if server_cpu is not None and sent:
        # CPU per flip, everything included: the server's (request, news, dispatch, fan-out)
        # and this process's clients' (reading the frames). Unlike the latencies, these do not
        # depend on how busy the machine is.
        row["server_cpu_ms_per_flip"] = _ms_round(server_cpu * 1000 / len(sent))
        row["client_cpu_ms_per_flip"] = _ms_round(client_cpu * 1000 / len(sent))
    return row


async def run_websocket(server: Server, site, *, layer: str, clients: int, flips: int,
                        rate: float, counter: list[int]) -> dict:
    url = f"{server.ws}/ws/board/{site.school_id}/"
    headers = {"Cookie": site.cookie, "Origin": server.http}
    gate = asyncio.Semaphore(50)  # connect in waves, as a school's screens come online
    snapshot_seqs = []

    async def connect():
        async with gate:
            ws = await websockets.connect(url, additional_headers=headers, open_timeout=60,
                                          max_size=None, compression=None)
            snapshot = json.loads(await asyncio.wait_for(ws.recv(), 60))
            snapshot_seqs.append(snapshot.get("seq"))
            return ws

    sockets = await asyncio.gather(*(connect() for _ in range(clients)))
    raw: list[list[tuple[float, str]]] = [[] for _ in sockets]

    async def listen(ws, inbox):
        # Only the arrival time here; parsing waits until the end, so a slow parse of one
        # client's message does not count against the next client.
        async for message in ws:
            inbox.append((time.perf_counter(), message))

    listeners = [asyncio.create_task(listen(ws, inbox))
                 for ws, inbox in zip(sockets, raw, strict=True)]
    sent: dict[tuple[int, int], float] = {}
    sent_order: list[float] = []  # the k-th flip of this row: when its PUT was sent
    answered_ms: list[float] = []
    await asyncio.sleep(1)  # the connections' snapshots are done
    cpu_before, client_before = cpu_seconds(server.process.pid), time.process_time()
    await flip_cards(server, site, flips=flips, rate=rate, counter=counter, sent=sent,
                     sent_order=sent_order, answered_ms=answered_ms)
    deadline = time.perf_counter() + 5
    while time.perf_counter() < deadline and sum(map(len, raw)) < 2 * flips * clients:
        await asyncio.sleep(0.05)
    server_cpu = cpu_seconds(server.process.pid) - cpu_before
    client_cpu = time.process_time() - client_before
    for task in listeners:
        task.cancel()
    closed = [ws.close_code for ws in sockets]
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    # The board's seq counts the school's card changes: flip k of this row makes it seq0 + k + 1,
    # and a dispatch message with seq s answers every flip up to s.
    seq0 = snapshot_seqs[0] if snapshot_seqs and len(set(snapshot_seqs)) == 1 else None
    seen, dispatch_latencies = [], []
    for inbox in raw:
        received, dispatches = {}, []
        for at, text in inbox:
            message = json.loads(text)
            if message.get("type") == "card":
                received.setdefault((message["card"]["child_id"], message["card"]["version"]),
                                    at)
            elif message.get("type") == "dispatch" and seq0 is not None:
                dispatches.append((message["seq"], at))
        seen.append(received)
        for k, t0 in enumerate(sent_order):
            first = next((at for seq, at in dispatches if seq >= seq0 + k + 1), None)
            if first is not None:
                dispatch_latencies.append((first - t0) * 1000)
    missing = {key: sum(key not in received for received in seen) for key in sent}
    if any(missing.values()):
        silent = [i for i, received in enumerate(seen) if not received]
        print(f"{layer} websocket {clients}: missing per (child, version): "
              f"{ {k: v for k, v in missing.items() if v} }; {len(silent)} clients got no "
              f"card news at all (close codes while listening: "
              f"{sorted({closed[i] for i in silent}, key=str)})", file=sys.stderr)
    return _row(layer, "websocket", clients, sent, seen,
                dispatch_latencies if seq0 is not None else None, answered_ms, server_cpu,
                client_cpu)


async def run_polling(server: Server, site, *, layer: str, clients: int, flips: int,
                      rate: float, counter: list[int], interval: float) -> dict:
    path = f"/board/{site.school_id}/state/"
    stop = asyncio.Event()
    seen: list[dict] = [{} for _ in range(clients)]

    async def poll(received: dict):
        http = Http(server.port, {"Cookie": site.cookie, "Accept": "application/json"})
        known: set[tuple[int, int]] | None = None
        await asyncio.sleep(random.uniform(0, interval))
        try:
            while not stop.is_set():
                began = time.perf_counter()
                status, body = await http.request("GET", path)
                at = time.perf_counter()
                if status != 200:
                    raise RuntimeError(f"GET {path} answered {status}")
                versions = {(c["child_id"], c["version"]) for c in json.loads(body)["cards"]}
                if known is not None:
                    for key in versions - known:
                        received.setdefault(key, at)
                known = versions
                await asyncio.sleep(max(0.0, began + interval - time.perf_counter()))
        finally:
            await http.close()

    pollers = [asyncio.create_task(poll(received)) for received in seen]
    await asyncio.sleep(interval + 0.5)  # every poller has its first view of the board
    sent: dict[tuple[int, int], float] = {}
    await flip_cards(server, site, flips=flips, rate=rate, counter=counter, sent=sent)
    await asyncio.sleep(interval + 1.0)  # the last flip's next poll
    stop.set()
    # A poll still waiting now comes too late for this row: no waiting for it.
    for task in pollers:
        task.cancel()
    await asyncio.gather(*pollers, return_exceptions=True)
    await wait_idle(server, site)
    return _row(layer, f"polling-{interval:g}s", clients, sent, seen)


async def bench(server: Server, site, args, *, layer: str, modes: list[str],
                counter: list[int]) -> list[dict]:
    rows = []
    # Warm-up, not measured: the first flip imports and starts the dispatch solver (seconds).
    await flip_cards(server, site, flips=3, rate=10, counter=counter, sent={})
    await asyncio.sleep(1)
    for clients in args.clients:
        for mode in modes:
            if mode == "websocket":
                row = await run_websocket(server, site, layer=layer, clients=clients,
                                          flips=args.flips, rate=args.rate, counter=counter)
            else:
                row = await run_polling(server, site, layer=layer, clients=clients,
                                        flips=args.flips, rate=args.rate, counter=counter,
                                        interval=args.poll_interval)
            rows.append(row)
            if args.json:
                print(json.dumps(row), flush=True)
            else:
                print(f"{row['layer']:<13} {row['mode']:<11} {row['clients']:>7} "
                      f"{_ms(row['p50_ms']):>8} {_ms(row['p99_ms']):>8} "
                      f"{row['delivered']:>9} {row['expected']:>9} "
                      f"{_ms(row.get('dispatch_p50_ms')):>12} "
                      f"{_ms(row.get('dispatch_p99_ms')):>12} "
                      f"{_ms(row.get('request_p50_ms')):>11} "
                      f"{_ms(row.get('server_cpu_ms_per_flip')):>7} "
                      f"{_ms(row.get('client_cpu_ms_per_flip')):>7}", flush=True)
    return rows


def _ms(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def layer_env(site, layer: str, redis_url: str) -> dict:
    env = {k: v for k, v in site.env.items() if k not in ("REDIS_URL", "REDIS_CHANNEL_LAYER")}
    if layer != "memory":
        env["REDIS_URL"] = redis_url
        env["REDIS_CHANNEL_LAYER"] = layer.removeprefix("redis-")
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="one JSON object per row")
    parser.add_argument("--clients", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--flips", type=int, default=20, help="card flips per row")
    parser.add_argument("--rate", type=float, default=2.0, help="flips per second")
    parser.add_argument("--children", type=int, default=20, help="cards on the board")
    parser.add_argument("--poll-interval", type=float, default=2.0)
    parser.add_argument("--modes", nargs="+", choices=("websocket", "polling"),
                        default=["websocket", "polling"])
    parser.add_argument("--layers", nargs="+", choices=LAYERS, default=["redis-core"],
                        help="channel layers to run the server on, one after the other")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--redis", default=os.getenv("BENCH_REDIS_URL",
                                                     "redis://127.0.0.1:6379/13"))
    args = parser.parse_args()
    if max(args.clients) > 2000 or args.flips > 1000:
        parser.error("at most 2000 clients and 1000 flips per row")
    if any(layer != "memory" for layer in args.layers) and not redis_answers(args.redis):
        print(f"Redis does not answer at {args.redis}: start redis-server or pass --redis.",
              file=sys.stderr)
        return 2
    if args.workers > 1 and "memory" in args.layers:
        parser.error("the in-memory layer serves one process only: --workers 1")
    # One socket per client on each side; the server inherits the limit.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * max(args.clients)
                                                                  + 256)), hard))
    info = sys.stderr if args.json else sys.stdout
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    with tempfile.TemporaryDirectory(prefix="poolplan-bench-") as directory:
        site = prepare_site(Path(directory), redis_url=None, children=args.children,
                            helpers=4, debug=False)
        extra = ("--workers", str(args.workers)) if args.workers > 1 else ()
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"uvicorn x{args.workers}, {len(site.child_ids)} cards, {args.flips} flips per "
              f"row at {args.rate:g}/s, {os.cpu_count()} CPUs, load average {load}; "
              f"Redis at {args.redis}", file=info)
        if not args.json:
            print(f"{'layer':<13} {'mode':<11} {'clients':>7} {'p50_ms':>8} {'p99_ms':>8} "
                  f"{'delivered':>9} {'expected':>9} {'dispatch_p50':>12} {'dispatch_p99':>12} "
                  f"{'request_p50':>11} {'srv_cpu':>7} {'cli_cpu':>7}")
        counter = [0]  # flips so far: each picks the next card and colour
        for index, layer in enumerate(args.layers):
            layer_site = dataclasses.replace(site, env=layer_env(site, layer, args.redis))
            server = Server(layer_site, log_path=Path(directory) / f"uvicorn-{layer}.log",
                            extra_args=extra)
            # Polling is plain HTTP: the same on every layer, so measured once.
            modes = [m for m in args.modes if m == "websocket" or index == 0]
            try:
                server.wait_ready()
                runner(asyncio.wait_for(bench(server, layer_site, args, layer=layer,
                                              modes=modes, counter=counter), timeout=900))
            except BaseException:
                print(server.log()[-3000:], file=sys.stderr)
                raise
            finally:
                server.stop()
            log = server.log().strip()
            if log:
                print(f"{layer}: the server logged\n{log[-2000:]}", file=sys.stderr)
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"load average after the run: {load}", file=info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
