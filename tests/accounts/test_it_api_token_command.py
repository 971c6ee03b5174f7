import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from poolplan.accounts.models import ApiToken, Role, User

pytestmark = pytest.mark.django_db


def test_it_prints_only_a_token_that_hash_key_finds():
    user = User.objects.create_user(username="alice", password="x", role=Role.COORDINATOR)
    out = io.StringIO()
    call_command("api_token", "alice", "--name", "backup", stdout=out)
    key = out.getvalue().strip()
    assert "\n" not in key and key.startswith("pp_")
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(key))
    assert token.user == user and token.name == "backup"


def test_it_fails_for_an_unknown_user():
    with pytest.raises(CommandError):
        call_command("api_token", "nobody", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_it_exits_non_zero_from_the_command_line():
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "api_token", "nobody", "--skip-checks"]).execute()
    assert exit_info.value.code != 0
