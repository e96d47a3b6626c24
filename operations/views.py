"""/healthz (liveness), /readyz (readiness) and /metrics (Prometheus), for load balancers and monitoring."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from operations.access import is_trusted
from operations.health import readiness


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers; no database, broker or storage is asked."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when an export can run now, else 503; detail (times, findings) only for a trusted caller."""
    report = readiness()
    response = JsonResponse(report.as_json(detail=is_trusted(request)), status=200 if report.ok else 503)
    response._has_been_logged = True  # type: ignore[attr-defined]  # a probe every few seconds: health logs changes
    return response


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus figures, for the METRICS_TOKEN bearer (or, without a token, loopback callers); else 403."""
    if not is_trusted(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest  # only a scraped process loads it

    from operations.metrics import registry

    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
