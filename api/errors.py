"""One JSON shape for every error of the API: {"code", "message", "fields", "export"}."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

STRUCTURAL_LOCATIONS = {"body", "path", "query", "header", "payload"}
RETRY_AFTER_SECONDS = 30


class ApiError(Exception):
    """An error answer: HTTP status, stable code, message, and optionally field errors or an export."""

    def __init__(
        self,
        status: int,
        *,
        code: str,
        message: str,
        fields: dict[str, list[str]] | None = None,
        export: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.export = export
        self.headers = headers or {}


def error_body(
    code: str, *, message: str, fields: dict[str, list[str]] | None = None, export: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The error document."""
    return {"code": code, "message": message, "fields": fields, "export": export}


def not_found() -> ApiError:
    """No such export for this token: also what another organisation's export looks like."""
    return ApiError(404, code="not_found", message=_("No such export."))


def service_unavailable() -> ApiError:
    """A backing service (Redis, the task broker) cannot be reached: try again shortly."""
    return ApiError(
        503,
        code="service_unavailable",
        message=_("The export service cannot reach one of its own services just now. Try again in a few minutes."),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def payload_too_large() -> ApiError:
    """The body is larger than the service reads (DATA_UPLOAD_MAX_MEMORY_SIZE)."""
    return ApiError(
        413,
        code="payload_too_large",
        message=_("The request is too large. Send only the period: a year, or a first and a last date."),
    )


def bad_request() -> ApiError:
    """A request Django refuses to read (a malformed or suspicious one)."""
    return ApiError(400, code="bad_request", message=_("The request could not be read."))


def server_error() -> ApiError:
    """Anything unexpected: the message says nothing of the cause (that goes to the log)."""
    return ApiError(
        500,
        code="server_error",
        message=_(
            "Something went wrong on our side. Try again; if it happens again, contact your system administrator."
        ),
    )


def unexpected(request: HttpRequest, error: BaseException) -> ApiError:
    """The answer to an exception nothing else handled: 503 when a service is down, else 500; logged either way."""
    if is_outage(error):
        logger.warning(
            "API request %s %s: a backing service is unreachable (%s)",
            request.method,
            request.path,
            type(error).__name__,
            exc_info=error,
        )
        return service_unavailable()
    logger.error("API request %s %s failed", request.method, request.path, exc_info=error)
    return server_error()


def _field_name(location: Any) -> str:
    """The request field an error is about, from pydantic's location (body.payload.year -> year)."""
    parts = [str(part) for part in location if str(part) not in STRUCTURAL_LOCATIONS]
    return ".".join(parts) or "request"


def field_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Pydantic's error list as {field: [messages in the active language]}."""
    fields: dict[str, list[str]] = {}
    for error in errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(field_message(error))
    return fields


def install_error_handlers(api: NinjaAPI) -> None:
    """Answer every failure of `api` in the one error shape."""

    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        response = respond(
            request, exc.status, error_body(exc.code, message=exc.message, fields=exc.fields, export=exc.export)
        )
        for header, value in exc.headers.items():
            response[header] = value
        return response

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(
            request, 422, error_body("invalid", message=_("The request is not valid."), fields=field_errors(exc.errors))
        )

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(
            request,
            401,
            error_body(
                "invalid_token",
                message=_("Missing, unknown, expired or revoked API token, or its user may no longer export."),
            ),
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        response = respond(
            request,
            429,
            error_body("throttled", message=_("Too many requests with this token. Wait a little and try again.")),
        )
        if exc.wait is not None:
            response["Retry-After"] = str(int(exc.wait))
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            return respond(
                request, 400, error_body("bad_request", message=_("The request body could not be read as JSON."))
            )
        return respond(request, exc.status_code, error_body("error", message=str(exc)))

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return on_api_error(request, not_found())

    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return on_api_error(request, bad_request())

    def on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return on_api_error(request, payload_too_large())

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        return on_api_error(request, unexpected(request, exc))

    handlers: list[tuple[type[Exception], Any]] = [
        (Exception, on_unexpected),
        (Http404, on_not_found),
        (HttpError, on_http_error),
        (Throttled, on_throttled),
        (AuthenticationError, on_authentication),
        (ValidationError, on_validation),
        (ApiError, on_api_error),
        (SuspiciousOperation, on_suspicious),
        (RequestDataTooBig, on_too_large),
    ]
    for exception, handler in handlers:
        api.add_exception_handler(exception, handler)


OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    RedisConnectionError,
    RedisTimeoutError,
)
"""Connection refused, reset or timed out: the builtin ones (OSError-derived) and redis-py's own."""
OUTAGE_CLASS_NAMES = frozenset({"BrokerUnavailable"})
"""Service exceptions that say the task broker is down, recognised by name so no import ties the apps."""
MAX_CHAIN = 10


def is_outage(error: BaseException) -> bool:
    """True when `error`, or an error it was raised from, says a backing service is unreachable."""
    seen: BaseException | None = error
    for _link in range(MAX_CHAIN):
        if seen is None:
            return False
        if isinstance(seen, OUTAGE_ERRORS) or any(kind.__name__ in OUTAGE_CLASS_NAMES for kind in type(seen).__mro__):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


VALUE_ERROR_PREFIX = "Value error, "


def field_message(error: dict[str, Any]) -> str:
    """One field error of a request, in the active language."""
    kind = str(error.get("type", ""))
    if kind == "value_error":
        cause = (error.get("ctx") or {}).get("error")
        text = str(cause) if cause else str(error.get("msg", ""))
        return text.removeprefix(VALUE_ERROR_PREFIX) or _("The value is not valid.")
    messages = {
        "extra_forbidden": _("This field is not allowed here."),
        "missing": _("This field is required."),
        "model_attributes_type": _("The request body must be a JSON object."),
        "dict_type": _("The request body must be a JSON object."),
        "model_type": _("The request body must be a JSON object."),
        "greater_than_equal": _("The number is too small."),
        "less_than_equal": _("The number is too large."),
        "int_type": _("must be a whole number, e.g. 2025"),
        "int_parsing": _("must be a whole number, e.g. 2025"),
        "date_type": _("must be a date written YYYY-MM-DD"),
        "date_parsing": _("must be a date written YYYY-MM-DD"),
        "date_from_datetime_parsing": _("must be a date written YYYY-MM-DD"),
    }
    return str(messages.get(kind, _("The value is not valid.")))
