"""The server-error handler: a database that stays locked answers 503 "busy, try again" instead of a 500."""

from __future__ import annotations

import logging
import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from exports.lifecycle.fault_naming import is_database_busy

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500, called while the failure is handled (anywhere: a view, the session, django-axes).

    "database is locked" (SQLite's writer held past the busy timeout) or a lock timeout is a busy service,
    not a broken one: the page says so in Norwegian with 503 and Retry-After; the API answers its JSON shape.
    """
    failure = sys.exc_info()[1]
    if failure is None or not is_database_busy(failure):
        return defaults.server_error(request)
    logger.warning("the database was busy: answered 503 to %s %s", request.method, request.path)
    message = _("The service is busy, try again in a little while.")
    response: HttpResponse
    if request.path.startswith("/api/"):
        from api.errors import error_body

        response = JsonResponse(error_body("service_busy", message=message), status=503)
    elif request.headers.get("HX-Request") == "true":
        response = HttpResponse(render_to_string("service_busy_fragment.html", {"message": message}), status=503)
        response["HX-Reswap"] = "none"  # only the out-of-band alert is shown; the page keeps its parts
    else:
        response = HttpResponse(
            render_to_string("service_busy.html", {"message": message, "path": request.get_full_path()}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
