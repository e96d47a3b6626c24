"""Answers /api/ requests that never reached an API operation (unknown path, wrong method) in the error shape."""
from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from api.errors import error_body

API_PREFIX = "/api/"


class ApiErrorShapeMiddleware:
    """Django's HTML 404 and ninja's plain-text 405 become the API's JSON error document under /api/."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code not in (404, 405) \
                or response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 404:
            body = error_body("not_found", _("There is nothing at this address in the API."))
        else:
            body = error_body("method_not_allowed", _("This method is not allowed here."))
        shaped = JsonResponse(body, status=response.status_code)
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped
