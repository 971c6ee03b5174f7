"""Real poolplan server processes for the multi-process test and bench/board.py: a temporary
SQLite file, migrated and seeded with one small school, served by uvicorn subprocesses on free
loopback ports. Nothing here imports Django: the servers and the seeding run in their own
processes with their own settings (from the environment, as in production)."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
# Variables of the caller's environment that would point the servers elsewhere.
_FOREIGN = ("DATABASE_URL", "REDIS_URL", "REDIS_CHANNEL_LAYER", "DJANGO_SETTINGS_MODULE",
            "POOLPLAN_DATA_DIR", "SECRET_KEY", "ALLOWED_HOSTS")

_SEED = r"""
import json, sys
import django
django.setup()
from django.core.management import call_command
# Migrating in this process saves starting Django twice.
call_command("migrate", interactive=False, verbosity=0)
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from poolplan.accounts.models import Role, User
from poolplan.accounts.services import api_token_create
from poolplan.roster.models import Assistant, Child, Provider, School, SchoolClass

children, helpers = int(sys.argv[1]), int(sys.argv[2])
provider = Provider.objects.create(name="Bench provider")
school = School.objects.create(provider=provider, name="Bench school")
classes = [SchoolClass.objects.create(school=school, name=f"{g}a", grade=g) for g in (5, 6, 7)]
kids = [Child.objects.create(school=school, school_class=classes[i % len(classes)],
                             first_name="Kim", last_name=f"Test {i}",
                             display_code=f"Card {i + 1}") for i in range(children)]
users = []
for i in range(helpers):
    user = User.objects.create_user(username=f"helper{i}", password=None, role=Role.ASSISTANT,
                                    provider=provider, first_name="Helper", last_name=str(i))
    user.schools.set([school])
    assistant = Assistant.objects.create(provider=provider, first_name="Helper",
                                         last_name=str(i), contract_minutes_per_week=1500,
                                         user=user)
    assistant.schools.set([school])
    users.append(user)
session = SessionStore()
session[SESSION_KEY] = str(users[0].pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = users[0].get_session_auth_hash()
session.save()
print(json.dumps({"school_id": school.pk, "child_ids": [k.pk for k in kids],
                  "cookie": f"sessionid={session.session_key}",
                  "token": api_token_create(user=users[0], name="bench")}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_answers(url: str) -> bool:
    """PING the Redis server of a redis://host:port/db URL (a plain socket: no client needed)."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379),
                                      timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class Site:
    """A prepared database: its environment for server processes and the seeded ids."""

    env: dict
    school_id: int
    child_ids: list[int]
    cookie: str  # session cookie of a pool member (helper0) of the school
    token: str  # API token of the same pool member


def prepare_site(directory: Path, *, redis_url: str | None, children: int = 3, helpers: int = 2,
                 debug: bool = True) -> Site:
    """Migrate a fresh SQLite file in `directory` and seed one school (about 10 s)."""
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN}
    env.update(
        DJANGO_SETTINGS_MODULE="poolplan.settings",
        DATABASE_URL=f"sqlite:///{(Path(directory) / 'poolplan.sqlite3').resolve()}",
        POOLPLAN_DATA_DIR=str(directory),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="true" if debug else "false",
        POOLPLAN_DEMO="false",
        # Plain HTTP on loopback: no redirect to HTTPS when DEBUG is off.
        SECURE_SSL_REDIRECT="false",
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    seeded = subprocess.run([PYTHON, "-c", _SEED, str(children), str(helpers)], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=120)
    if seeded.returncode:
        raise RuntimeError(f"Preparing the database failed:\n{seeded.stderr}")
    data = json.loads(seeded.stdout.strip().splitlines()[-1])
    return Site(env=env, **data)


class Server:
    """`uvicorn poolplan.asgi:application` in a subprocess on a free loopback port."""

    def __init__(self, site: Site, *, log_path: Path, extra_args: tuple[str, ...] = ()):
        self.port = free_port()
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [PYTHON, "-m", "uvicorn", "poolplan.asgi:application", "--host", "127.0.0.1",
             "--port", str(self.port), "--lifespan", "off", "--no-access-log",
             "--log-level", "warning", *extra_args],
            cwd=REPO, env=site.env, stdout=self._log, stderr=subprocess.STDOUT,
        )

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}:\n"
                                   + self.log_path.read_text(errors="replace"))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"uvicorn did not listen on port {self.port} within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")
