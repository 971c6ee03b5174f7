#!/usr/bin/env python
"""Run every test suite of poolplan: `make test`.

Parts, each its own pytest process:
  sqlite      the whole suite but the browser tests and those marked `postgresql` (real
              concurrency, which SQLite serialises), on SQLite (in memory)
  postgresql  the same again on PostgreSQL, with the `postgresql` tests (the Django-free
              planner tests run once only):
              the server at TEST_DATABASE_URL if it answers, otherwise a throwaway server
              started for this run from the installed PostgreSQL binaries
  browser     tests/browser in Debian's chromium via Playwright; its own process because
              Playwright's sync API and an asyncio test plugin cannot share one

A part that cannot run here is skipped with one line at the end saying how to enable it;
with POOLPLAN_REQUIRE_ALL=1 (CI) a skipped part is a failure. Extra arguments are passed to
every pytest run (e.g. `make test ARGS="-x -k traffic_light"`).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/poolplan"
CHROMIUM = Path("/usr/bin/chromium")
# Settings read these; a developer's own values must not leak into the SQLite or browser parts.
DATABASE_VARIABLES = ("DATABASE_URL", "POOLPLAN_TEST_DB_NAME")

_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)")
# pytest's closing line, with or without -q: "=== 3 passed, 1 skipped in 2.1s ===".
_FINAL = re.compile(r"^=*\s*((\d+ \w+|no tests ran)[^=]* in [\d.]+s\b[^=]*?)\s*=*$")


@dataclass
class Part:
    name: str
    status: str = "not run"  # passed | failed | skipped
    detail: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    skip_reason: str = ""


def env_flag(name: str) -> bool:
    return os.getenv(name, "").strip().lower() in {"1", "true", "yes", "on"}


def workers_args() -> list[str]:
    """Two xdist workers on a machine with two or more cores (the suite is CPU-bound: solver
    tests); POOLPLAN_TEST_WORKERS=0 runs in one process, e.g. for debugging."""
    wanted = os.getenv("POOLPLAN_TEST_WORKERS")
    count = int(wanted) if wanted else min(2, os.cpu_count() or 1)
    return ["-n", str(count)] if count > 1 else []


def run_pytest(part: Part, args: list[str], env: dict[str, str]) -> None:
    """Run pytest, streaming its output, and record its closing line and counts."""
    command = [PYTHON, "-m", "pytest", *args]
    print(f"\n### {part.name}: {shlex.join(['pytest', *args])}", flush=True)
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, errors="replace", bufsize=1,
    )
    final_line = ""
    assert process.stdout is not None
    try:
        for line in process.stdout:
            sys.stdout.write(line)
            closing = _FINAL.match(line.strip())
            if closing:
                final_line = closing.group(1)
        returncode = process.wait()
    except KeyboardInterrupt:
        process.send_signal(signal.SIGINT)
        process.wait()
        raise
    part.seconds = time.monotonic() - started
    for number, word in _COUNT.findall(final_line):
        key = "errors" if word.startswith("error") else word
        part.counts[key] = part.counts.get(key, 0) + int(number)
    part.detail = final_line or f"pytest exited with code {returncode}"
    if returncode == 0:
        part.status = "passed"
    elif returncode == 5:
        part.status = "failed"
        part.detail = "no tests were collected (pytest exit code 5)"
    else:
        part.status = "failed"
        if not final_line:
            part.detail = f"pytest exited with code {returncode}"


def base_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in DATABASE_VARIABLES:
        env.pop(name, None)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


# --- PostgreSQL ---------------------------------------------------------------------------------


def postgres_answers(url: str) -> str | None:
    """Return None if a PostgreSQL server answers at url, else the reason it does not.
    Connects to the maintenance database 'postgres': the database named in the URL need not
    exist, since the tests create their own."""
    import psycopg

    parsed = urlparse(url)
    maintenance = urlunparse(parsed._replace(path="/postgres"))
    try:
        with psycopg.connect(maintenance, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
        return None
    except Exception as error:  # any failure means: not usable
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def postgres_bin_dir() -> Path | None:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in p.parent.name.split(".")],
    )
    for candidate in reversed(candidates):
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    """A PostgreSQL server in a temporary folder for this run only (no fsync: it is thrown
    away). initdb refuses to run as root, so as root it runs as the 'postgres' user."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.data_dir: Path | None = None
        self.port = free_port()
        self.as_user: list[str] = []

    def start(self) -> str:
        base = Path(tempfile.mkdtemp(prefix="poolplan-pg-"))
        self.data_dir = base / "data"
        if os.geteuid() == 0:
            import pwd

            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no 'postgres' user to run "
                                   "initdb as") from None
            os.chown(base, account.pw_uid, account.pw_gid)
            runuser = shutil.which("runuser")
            if not runuser:
                raise RuntimeError("running as root and runuser is missing")
            self.as_user = [runuser, "-u", "postgres", "--"]
        log = base / "server.log"
        self._run([str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", "postgres",
                   "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
        self._run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(log),
                   "-w", "-t", "60", "-o",
                   f"-F -p {self.port} -k {base} -c listen_addresses=127.0.0.1 "
                   "-c max_connections=50", "start"])
        return f"postgres://postgres@127.0.0.1:{self.port}/poolplan"

    def stop(self) -> None:
        if self.data_dir is None:
            return
        try:
            self._run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate",
                       "-w", "stop"])
        except RuntimeError as error:
            print(f"warning: could not stop the throwaway PostgreSQL server: {error}")
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)

    def _run(self, command: list[str]) -> None:
        result = subprocess.run([*self.as_user, *command], capture_output=True, text=True,
                                cwd="/")
        if result.returncode != 0:
            output = (result.stderr or result.stdout).strip()
            raise RuntimeError(f"{Path(command[0]).name} failed: {output[-500:]}")


# --- Parts --------------------------------------------------------------------------------------


def part_sqlite(extra: list[str]) -> Part:
    part = Part("sqlite")
    run_pytest(part, ["-m", "not browser and not postgresql", "--ignore=tests/browser",
                      *workers_args(), *extra], base_env())
    return part


def part_postgresql(extra: list[str]) -> Part:
    part = Part("postgresql")
    url = os.getenv("TEST_DATABASE_URL") or DEFAULT_TEST_DATABASE_URL
    server: ThrowawayPostgres | None = None
    reason = postgres_answers(url)
    if reason is not None:
        print(f"\nPostgreSQL at {url} does not answer ({reason}); "
              "starting a throwaway server for this run.", flush=True)
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            part.status = "skipped"
            part.skip_reason = (
                "PostgreSQL tests — no server at TEST_DATABASE_URL and no PostgreSQL binaries "
                "(initdb, pg_ctl); install PostgreSQL (apt-get install postgresql) or set "
                "TEST_DATABASE_URL=postgres://user@host:port/poolplan"
            )
            return part
        server = ThrowawayPostgres(bin_dir)
        try:
            url = server.start()
        except (RuntimeError, OSError) as error:
            server.stop()
            part.status = "skipped"
            part.skip_reason = (f"PostgreSQL tests — could not start a throwaway server "
                                f"({error}); start PostgreSQL or set TEST_DATABASE_URL")
            return part
    env = base_env()
    env["DATABASE_URL"] = url
    # A name of its own per run: engineers sharing one server must not drop each other's
    # test databases (pytest-django adds _gw0, _gw1 per xdist worker).
    env["POOLPLAN_TEST_DB_NAME"] = f"test_poolplan_{uuid.uuid4().hex[:8]}"
    try:
        run_pytest(part, ["-m", "not browser", "--ignore=tests/browser",
                          "--ignore=tests/planner", "--ignore=tests/simulation",
                          *workers_args(), *extra], env)
    finally:
        if server is not None:
            server.stop()
    where = "throwaway server" if server else url
    part.detail = f"{part.detail} [{where}]"
    return part


def part_browser(extra: list[str]) -> Part:
    part = Part("browser")
    if not CHROMIUM.exists():
        part.status = "skipped"
        part.skip_reason = ("browser tests — install Debian's chromium "
                            "(apt-get install chromium)")
        return part
    try:
        import playwright  # noqa: F401
    except ImportError:
        part.status = "skipped"
        part.skip_reason = "browser tests — Playwright is not installed (run make install)"
        return part
    env = base_env()
    env["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    run_pytest(part, ["-m", "browser", "tests/browser", "-p", "no:xdist", *extra], env)
    return part


def main(argv: list[str]) -> int:
    extra = argv[1:]
    require_all = env_flag("POOLPLAN_REQUIRE_ALL")
    started = time.monotonic()
    parts = [part_sqlite(extra), part_postgresql(extra), part_browser(extra)]

    print("\n" + "=" * 30 + " poolplan test summary " + "=" * 30)
    for part in parts:
        if part.status == "skipped":
            print(f"{part.name:<11} SKIPPED")
        else:
            print(f"{part.name:<11} {part.status.upper():<7} {part.detail} "
                  f"({part.seconds:.0f} s)")
    skipped = [part for part in parts if part.status == "skipped"]
    for part in skipped:
        print(f"SKIPPED: {part.skip_reason}"
              + ("  [a failure: POOLPLAN_REQUIRE_ALL=1]" if require_all else ""))
    failed = [part for part in parts if part.status == "failed"]
    total = {key: sum(part.counts.get(key, 0) for part in parts)
             for key in ("passed", "failed", "errors", "skipped")}
    print(f"all parts took {time.monotonic() - started:.0f} s")
    # The plain closing line CI reads: 'N passed, N failed'.
    print(f"tests: {total['passed']} passed, {total['failed'] + total['errors']} failed, "
          f"{total['skipped']} skipped")
    if failed or (skipped and require_all):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
