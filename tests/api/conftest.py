"""Fixtures for API tests: the permission world of tests/factories.py and clients that call
/api/ as one of its users with a personal API token (Bearer), as scripts do."""

import json

import pytest
from django.test import Client

from poolplan.accounts.services import api_token_create
from tests.factories import make_world

# Every user of make_world(); tests name the ones allowed and expect all others refused.
ROLES = ("coordinator", "other_coordinator", "assistant", "other_assistant", "teacher", "parent",
         "other_parent", "provider", "other_provider", "reviewer", "other_reviewer")


class ApiClient:
    def __init__(self, token: str | None = None, client: Client | None = None):
        self.client = client or Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _send(self, method: str, path: str, data=None, **params):
        kwargs = {"headers": self.headers}
        if data is not None:
            kwargs.update(data=json.dumps(data), content_type="application/json")
        elif params:
            kwargs["data"] = params
        return getattr(self.client, method)("/api" + path, **kwargs)

    def get(self, path: str, **params):
        return self._send("get", path, **params)

    def post(self, path: str, data):
        return self._send("post", path, data)

    def put(self, path: str, data):
        return self._send("put", path, data)

    def patch(self, path: str, data):
        return self._send("patch", path, data)

    def delete(self, path: str):
        return self._send("delete", path)


@pytest.fixture(autouse=True)
def _solves_run_at_once(settings):
    """Planning solves run inside the request (ImmediateBackend), with small time limits."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.PLANNER_TIME_LIMIT = 3
    settings.PLANNER_PROPOSAL_TIME_LIMIT = 3


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def api(world):
    """api("coordinator") -> a client authenticated with that user's API token;
    api() -> an anonymous client."""
    tokens = {}

    def make(role: str | None = None) -> ApiClient:
        if role is None:
            return ApiClient()
        if role not in tokens:
            tokens[role] = api_token_create(user=world.user(role), name="tests")
        return ApiClient(tokens[role])

    return make


def assert_error(response, status: int) -> dict:
    """The response is the uniform JSON error with this status."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "details"}
    assert isinstance(body["message"], str) and body["message"]
    return body


def assert_refused(api, method: str, path: str, expected: dict[str, int], data=None):
    """Every role in `expected` gets exactly its status (403 or 404) as a JSON error."""
    for role, status in expected.items():
        client = api(role)
        response = (getattr(client, method)(path) if data is None
                    else getattr(client, method)(path, data))
        assert response.status_code == status, (role, response.status_code, response.content)
        assert_error(response, status)
