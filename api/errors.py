"""One JSON shape for every error of the API: {"code", "message", "fields", "export"}."""
from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from api.validation_wording import field_message

logger = logging.getLogger(__name__)

STRUCTURAL_LOCATIONS = {"body", "path", "query", "header", "payload"}


class ApiError(Exception):
    """An error answer: HTTP status, stable code, message, and optionally field errors or an export."""

    def __init__(self, status: int, *, code: str, message: str, fields: dict[str, list[str]] | None = None,
                 export: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.export = export


def error_body(code: str, message: str, *, fields: dict[str, list[str]] | None = None,
               export: dict[str, Any] | None = None) -> dict[str, Any]:
    """The error document."""
    return {"code": code, "message": message, "fields": fields, "export": export}


def not_found() -> ApiError:
    """No such export for this token: also what another organisation's export looks like."""
    return ApiError(404, code="not_found", message=_("No such export."))


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
        return respond(request, exc.status, error_body(exc.code, exc.message, fields=exc.fields, export=exc.export))

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return respond(request, 422, error_body("invalid", _("The request is not valid."),
                                                fields=field_errors(exc.errors)))

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, 401, error_body(
            "invalid_token", _("Missing, unknown, expired or revoked API token, or its user may no longer export.")))
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        response = respond(request, 429, error_body("throttled", _("Too many requests with this token. "
                                                                   "Wait a little and try again.")))
        if exc.wait is not None:
            response["Retry-After"] = str(int(exc.wait))
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            return respond(request, 400, error_body("bad_request", _("The request body could not be read as JSON.")))
        return respond(request, exc.status_code, error_body("error", str(exc)))

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return on_api_error(request, not_found())

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API request %s %s failed", request.method, request.path)
        return respond(request, 500, error_body("server_error", _("Something went wrong on our side. Try again; "
                                                                  "if it happens again, contact your system "
                                                                  "administrator.")))

    handlers: list[tuple[type[Exception], Any]] = [
        (Exception, on_unexpected), (Http404, on_not_found), (HttpError, on_http_error), (Throttled, on_throttled),
        (AuthenticationError, on_authentication), (ValidationError, on_validation), (ApiError, on_api_error),
    ]
    for exception, handler in handlers:
        api.add_exception_handler(exception, handler)
