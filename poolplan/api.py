"""The HTTP API at /api/ (OpenAPI docs at /api/docs, schema at /api/openapi.json).

Every error is JSON `{"message": "...", "details": ...}` with its status code: 400 unreadable
body, 401 no or bad credentials, 403 not allowed, 404 not there or not visible, 405 wrong
method, 422 invalid data (`details` maps each field to its messages; a query parameter the
endpoint does not take is invalid too, `query.<name>`), 500 our fault.
"""

import functools
import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from poolplan.accounts.auth import SessionAuth, TokenAuth

logger = logging.getLogger(__name__)

_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def error_body(message: str, details=None) -> dict:
    return {"message": message, "details": details}


class PoolplanAPI(NinjaAPI):
    """NinjaAPI whose URL-level answers (wrong method, unknown path) are JSON as well."""

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            callback = getattr(pattern, "callback", None)
            if callback is not None:
                pattern.callback = _json_method_not_allowed(callback)
        # Anything else under /api/ is a JSON 404 rather than Django's HTML page.
        urls.append(re_path(r"^.*$", _not_found, name="api-not-found"))
        return urls


def _json_method_not_allowed(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = JsonResponse(
                error_body(f"Method {request.method} is not allowed here; use {allowed}."),
                status=405,
            )
            response["Allow"] = allowed
        return response

    return wrapper


@csrf_exempt
def _not_found(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    return JsonResponse(error_body("There is no such API endpoint; see /api/docs."), status=404)


api = PoolplanAPI(
    title="poolplan API",
    version="1",
    description=(
        "Master data of school support pools: schools, children, assistants, approvals, "
        "absences and need profiles. Authenticate with a personal API token "
        "(`Authorization: Bearer <token>`, created with `manage.py api_token <username>`) "
        "or, from the browser, with the login session (unsafe methods need the CSRF token). "
        'Errors are JSON `{"message": ..., "details": ...}`.'
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


def _query_names(operation) -> frozenset[str]:
    """The query parameters an operation declares (as its OpenAPI document lists them)."""
    names: set[str] = set()
    for model in operation.models:
        if model.__ninja_param_source__ != "query":
            continue
        flat = getattr(model, "__ninja_flatten_map__", None)
        names.update(flat or (f.alias or n for n, f in model.model_fields.items()))
    return frozenset(names)


def _reject_unknown_query(run):
    """Answer 422 to a query parameter the operation does not take.

    Ninja ignores them, so `?fromat=csv` (a typo) silently gave the PDF proof, and
    `?include_archive=true` the list without archived children; a script should hear about
    it. Authentication still comes first: a stranger learns nothing from a 422 that the
    OpenAPI document does not say.
    """
    operation = run.__self__
    known = _query_names(operation)

    @functools.wraps(run)
    def wrapper(request, *args, **kwargs):
        unknown = sorted(set(request.GET) - known)
        if not unknown:
            return run(request, *args, **kwargs)
        refused = operation._run_checks(request)
        if refused:
            return refused
        takes = ", ".join(sorted(known)) or "none"
        error = NinjaValidationError(
            [
                {"loc": ("query", name), "msg": f"Unknown query parameter; this takes: {takes}."}
                for name in unknown
            ]
        )
        return operation.api.on_exception(request, error)

    return wrapper


api.add_decorator(_reject_unknown_query, mode="view")


def _field_name(loc) -> str:
    parts = [str(p) for p in loc]
    # ninja reports ("body", "payload", "start"); callers know the field as "start".
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
        if not parts:
            return source
        if source != "body":
            return f"{source}.{'.'.join(parts)}"
    return ".".join(parts) or "__all__"


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details: dict[str, list[str]] = {}
    for error in exc.errors:
        details.setdefault(_field_name(error.get("loc", ())), []).append(str(error.get("msg")))
    return api.create_response(
        request, error_body("The request data is not valid; see details.", details), status=422
    )


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        details = {
            field: [str(m) for m in messages] for field, messages in exc.message_dict.items()
        }
    else:
        details = {"__all__": [str(m) for m in exc.messages]}
    first = next(iter(details.values()), [""])[0]
    return api.create_response(
        request, error_body(first or "The data is not valid.", details), status=422
    )


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        error_body("Authentication required: send `Authorization: Bearer <API token>` or log in."),
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="poolplan"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, error_body(exc.message), status=exc.status_code)


@api.exception_handler(PermissionDenied)
def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, error_body(str(exc) or "You may not do this."), status=403)


@api.exception_handler(Http404)
def _not_found_error(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body(str(exc) or "Not found."), status=404)


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(
        request,
        error_body("Something went wrong on our side; please try again later."),
        status=500,
    )


from poolplan.roster.api import router as roster_router  # noqa: E402

api.add_router("/", roster_router)

from poolplan.planning.api import router as planning_router  # noqa: E402

api.add_router("/", planning_router)

from poolplan.logbook.api import router as logbook_router  # noqa: E402

api.add_router("/", logbook_router)

from poolplan.board.api import router as board_router  # noqa: E402

api.add_router("/", board_router)

from poolplan.reports.api import router as reports_router  # noqa: E402

api.add_router("/", reports_router)
