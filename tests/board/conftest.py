import datetime as dt
import os
import uuid
import zoneinfo

import pytest

from tests.api.conftest import api  # noqa: F401 - the API tests' token clients, reused
from tests.factories import make_world

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# A Monday in lesson 1 of the test world's bell schedule (08:00–08:45 local).
MONDAY_0810 = dt.datetime(2026, 11, 16, 8, 10, tzinfo=BERLIN)


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def now():
    return MONDAY_0810


@pytest.fixture
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


REDIS_URL = os.getenv("POOLPLAN_TEST_REDIS", "redis://127.0.0.1:6379") + "/0"


def _redis_answers() -> bool:
    from tests.board.servers import redis_answers

    return redis_answers(REDIS_URL)


@pytest.fixture(params=["memory", "redis-pubsub", "redis-core"])
def channel_layer(request, settings):
    """Each test that uses it runs three times: on the in-memory layer and on both channels_redis
    layers (publish/subscribe, poolplan's default with Redis, and the list-based core layer)
    against the real server (skipped when Redis does not answer, a failure under
    POOLPLAN_REQUIRE_ALL=1). A prefix of its own keeps parallel runs apart."""
    from channels.layers import channel_layers

    if request.param == "memory":
        settings.CHANNEL_LAYERS = {"default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer"}}
    else:
        if not _redis_answers():
            if os.getenv("POOLPLAN_REQUIRE_ALL") == "1":
                pytest.fail(f"Redis does not answer at {REDIS_URL} (POOLPLAN_REQUIRE_ALL=1).")
            pytest.skip(f"Redis does not answer at {REDIS_URL}: start redis-server (or set "
                        "POOLPLAN_TEST_REDIS) to test the consumers through channels_redis.")
        backend = {"redis-pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
                   "redis-core": "channels_redis.core.RedisChannelLayer"}[request.param]
        settings.CHANNEL_LAYERS = {"default": {
            "BACKEND": backend,
            "CONFIG": {"hosts": [{"address": REDIS_URL, "max_connections": 1000,
                                  "socket_timeout": 15}],
                       "prefix": f"poolplan-test-{uuid.uuid4().hex[:12]}"},
        }}
    channel_layers.backends.clear()
    yield request.param
    channel_layers.backends.clear()
