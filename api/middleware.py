"""Every answer under /api/ that is an error is the API's JSON error document, whatever produced it."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from api.errors import (
    ApiError,
    bad_request,
    error_body,
    payload_too_large,
    server_error,
    service_unavailable,
    unexpected,
)

API_PREFIX = "/api/"
KEPT_AS_IS = {"content-type", "content-length"}
DJANGOS_OWN = (Http404, PermissionDenied, BadRequest, SuspiciousOperation)
"""Exceptions Django answers with a 4xx itself (reshaped on the way out)."""


def _error_for(status: int) -> ApiError:
    """The API's error for a status that Django or a middleware answered with (not an API operation)."""
    if status == 404:
        return ApiError(404, code="not_found", message=_("There is nothing at this address in the API."))
    if status == 405:
        return ApiError(405, code="method_not_allowed", message=_("This method is not allowed here."))
    if status == 400:
        return bad_request()
    if status == 413:
        return payload_too_large()
    if status == 503:
        return service_unavailable()
    if status >= 500:
        return server_error()
    return ApiError(status, code="error", message=_("The request could not be handled."))


def _shaped(error: ApiError, original: HttpResponse | None = None) -> HttpResponse:
    """The error as JSON, keeping the headers (Allow, Retry-After, security headers) of the answer it replaces."""
    shaped = JsonResponse(error_body(error.code, message=error.message), status=error.status)
    if original is not None:
        for header, value in original.items():
            if header.lower() not in KEPT_AS_IS:
                shaped[header] = value
        shaped.cookies = original.cookies
    for header, value in error.headers.items():
        shaped[header] = value
    return shaped


class ApiErrorShapeMiddleware:
    """Django's HTML errors (404, 400, 500…), ninja's plain-text 405 and any exception become JSON under /api/."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not request.path.startswith(API_PREFIX)
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        return _shaped(_error_for(response.status_code), response)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """An exception outside the API's own handlers (authentication, throttling): 503 or 500, never HTML."""
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, RequestDataTooBig):
            return _shaped(payload_too_large())
        if isinstance(exception, DJANGOS_OWN):
            return None
        return _shaped(unexpected(request, exception))
