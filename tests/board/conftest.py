import datetime as dt
import zoneinfo

import pytest

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
