"""How API callers prove who they are: personal tokens for scripts, the session for the browser.

Both return the user (ninja puts it in `request.auth`) or None, so the next method is tried;
when none succeeds the API answers 401.
"""

import datetime

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from poolplan.accounts.models import ApiToken, User

# Writing last_used_at on every request would turn each read into a write; a minute is precise
# enough to see whether a token is still in use.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class TokenAuth(HttpBearer):
    """`Authorization: Bearer pp_...` with a personal API token (see `api_token_create`)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token:
            return None
        api_token = (ApiToken.objects.select_related("user")
                     .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
                     .first())
        if api_token is None or not api_token.user.is_active:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        # Code that reads request.user (logging, templates) sees the token's owner too.
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """Django's login session, for the browser. Unsafe methods need the CSRF token, because a
    cookie is sent by the browser whoever built the request."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # CSRF is checked below, and only for logged-in requests: an anonymous request must get
        # 401 (log in), not 403 (CSRF).
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header with the value "
                                 "of the csrftoken cookie, or use an API token.")
        return user
