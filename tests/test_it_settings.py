"""Settings come from the environment: bad values stop the start with a sentence naming the
variable, production values pass `check --deploy`, REDIS_URL configures the channel layer."""

import asyncio
import os
import runpy
import secrets
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
# Variables the settings read: cleared so the developer's own environment does not leak in.
SETTINGS_VARIABLES = (
    "SECRET_KEY", "DEBUG", "POOLPLAN_DEMO", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL", "POOLPLAN_TEST_DB_NAME", "REDIS_URL", "REDIS_MAX_CONNECTIONS", "EMAIL_URL",
    "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS", "TIME_ZONE", "LANGUAGE_CODE",
    "PLANNER_TIME_LIMIT", "PLANNER_WORKERS", "POOLPLAN_DATA_DIR", "STATIC_ROOT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT", "LOG_LEVEL",
)


def clean_env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env["DJANGO_SETTINGS_MODULE"] = "poolplan.settings"
    env["POOLPLAN_DATA_DIR"] = str(tmp_path)
    env.update(values)
    return env


def production_env(tmp_path: Path, **values: str) -> dict[str, str]:
    # Production sends real mail: without EMAIL_URL the deploy check rightly reports the
    # console backend (mail.E001).
    return clean_env(tmp_path, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50),
                     ALLOWED_HOSTS="poolplan.example.org",
                     EMAIL_URL="smtp://poolplan:secret@mail.example.org:587", **values)


def start_django(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "values"),
    [
        ("DEBUG", {"DEBUG": "maybe"}),
        ("POOLPLAN_DEMO", {"POOLPLAN_DEMO": "sometimes"}),
        ("DATABASE_URL", {"DATABASE_URL": "mysql://x"}),
        ("TIME_ZONE", {"TIME_ZONE": "Mars/Base"}),
        ("LANGUAGE_CODE", {"LANGUAGE_CODE": "fr"}),
        ("SECRET_KEY", {"DEBUG": "0", "ALLOWED_HOSTS": "poolplan.example.org"}),
        ("REDIS_URL", {"REDIS_URL": "http://127.0.0.1:6379"}),
        ("REDIS_MAX_CONNECTIONS", {"REDIS_URL": "redis://127.0.0.1:6379/0",
                                   "REDIS_MAX_CONNECTIONS": "lots"}),
        ("REDIS_MAX_CONNECTIONS", {"REDIS_URL": "redis://127.0.0.1:6379/0",
                                   "REDIS_MAX_CONNECTIONS": "0"}),
        ("EMAIL_URL", {"EMAIL_URL": "ftp://mail.example.org"}),
        ("EMAIL_PORT", {"EMAIL_HOST": "mail.example.org", "EMAIL_PORT": "smtp"}),
        ("PLANNER_TIME_LIMIT", {"PLANNER_TIME_LIMIT": "0"}),
        ("PLANNER_WORKERS", {"PLANNER_WORKERS": "eight"}),
    ],
)
def test_it_refuses_a_bad_value_naming_the_variable(tmp_path, variable, values):
    result = start_django(clean_env(tmp_path, **values))
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert f"The environment variable {variable} must" in last_line


def test_it_starts_with_no_configuration_at_all(tmp_path):
    result = start_django(clean_env(tmp_path))
    assert result.returncode == 0, result.stderr


def test_it_passes_the_deploy_check_with_production_values(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT_DIR, env=production_env(tmp_path), capture_output=True, text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


def load_settings(monkeypatch, tmp_path, **values: str) -> dict:
    """Execute poolplan/settings.py afresh with these variables (Django's own, already loaded
    settings stay untouched)."""
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POOLPLAN_DATA_DIR", str(tmp_path))
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    # A fresh namespace, not the imported module: Django's loaded settings stay as they are.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "found in sys.modules": intended
        return runpy.run_module("poolplan.settings")


def test_it_uses_the_in_memory_channel_layer_without_redis(monkeypatch, tmp_path):
    config = load_settings(monkeypatch, tmp_path)["CHANNEL_LAYERS"]["default"]
    assert config["BACKEND"] == "channels.layers.InMemoryChannelLayer"


def redis_layer(monkeypatch, tmp_path, **values: str):
    from channels_redis.core import RedisChannelLayer

    config = load_settings(monkeypatch, tmp_path, **values)["CHANNEL_LAYERS"]["default"]
    assert config["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    return RedisChannelLayer(**config["CONFIG"])


def test_it_gives_the_redis_pool_1000_connections(monkeypatch, tmp_path):
    # channels-redis hands the host dict's keys to redis-py's ConnectionPool.from_url; a key it
    # dropped would leave redis-py's default of 100 (too few for a school's live boards).
    layer = redis_layer(monkeypatch, tmp_path, REDIS_URL="redis://127.0.0.1:6379/0")
    pool = layer.create_pool(0)
    assert pool.max_connections == 1000
    assert pool.connection_kwargs["host"] == "127.0.0.1"


def test_it_takes_the_pool_size_from_redis_max_connections(monkeypatch, tmp_path):
    layer = redis_layer(monkeypatch, tmp_path, REDIS_URL="redis://127.0.0.1:6379/0",
                        REDIS_MAX_CONNECTIONS="250")
    assert layer.create_pool(0).max_connections == 250


def redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_it_holds_more_than_100_redis_connections_at_once(monkeypatch, tmp_path):
    """With the real server: 150 connections open at once through the layer's pool, where
    redis-py's default pool would raise "Too many connections" at the 101st."""
    if not redis_answers():
        if os.getenv("POOLPLAN_REQUIRE_ALL") == "1":
            pytest.fail("Redis does not answer at 127.0.0.1:6379 (POOLPLAN_REQUIRE_ALL=1).")
        pytest.skip("Redis does not answer at 127.0.0.1:6379; start redis-server to run this.")
    layer = redis_layer(monkeypatch, tmp_path, REDIS_URL="redis://127.0.0.1:6379/15")

    async def scenario():
        pool = layer.create_pool(0)
        connections = [await pool.get_connection() for _ in range(150)]
        try:
            await asyncio.gather(*(c.send_command("PING") for c in connections))
            replies = await asyncio.gather(*(c.read_response() for c in connections))
        finally:
            for connection in connections:
                await pool.release(connection)
            await pool.disconnect()
        # And the layer itself works over it: a message sent is received.
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "board.update", "child": 7})
        message = await layer.receive(channel)
        await layer.close_pools()
        return replies, message

    replies, message = asyncio.run(scenario())
    assert len(replies) == 150
    assert all(reply in (b"PONG", "PONG", True) for reply in replies)
    assert message == {"type": "board.update", "child": 7}
