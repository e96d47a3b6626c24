"""The JSON API, version 1: start, list, inspect, download and cancel exports with a personal token."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.conf import settings
from django.http import FileResponse, HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Path, Query, Router, Status

from api import links
from api.auth import ApiTokenAuth
from api.docs import BundledSwagger
from api.errors import RETRY_AFTER_SECONDS, ApiError, install_error_handlers, not_found
from api.periods import requested_period
from api.presenters import export_document
from api.schemas import DeviationListOut, ErrorOut, ExportListOut, ExportOut, StartExportIn
from api.throttling import TokenRateThrottle
from api.tokens import TokenGrant
from exports.container import services
from exports.delivery.retention import removed_by_retention
from exports.deviation_queries import MAX_FILTER_LENGTH, DeviationFilters, deviations_of
from exports.domain import Phase
from exports.lifecycle.starting import ExportQueueUnavailable, start_export
from exports.lifecycle.state_machine import ExportAlreadyActive
from exports.models import BufdirExportAudit, ExportStatus

MAX_ID = 2**63 - 1
MAX_OFFSET = 10**9
"""The furthest a page of deviations may start (far past any export's rows, well inside the database's integers)."""
ZIP_RESPONSE = {
    "description": "The bundle (workbook and manifest.json).",
    "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
}


def _errors(*statuses: int) -> dict[int, Any]:
    """The error answers an operation may give, besides 400, 401, 422, 429, 500 and 503, which every one may."""
    return dict.fromkeys(sorted({400, 401, 422, 429, 500, 503, *statuses}), ErrorOut)


def _grant(request: HttpRequest) -> TokenGrant:
    """The grant of the request's token (authentication has run)."""
    grant: TokenGrant = request.auth  # type: ignore[attr-defined]
    return grant


def _audit_of(grant: TokenGrant, export_id: int) -> BufdirExportAudit:
    """The export, when it belongs to the token's organisation; 404 for any other."""
    audit = BufdirExportAudit.objects.filter(pk=export_id, organisation_id=grant.membership.organisation_id).first()
    if audit is None:
        raise not_found()
    return audit


def _serialised(request: HttpRequest, audit: BufdirExportAudit) -> dict[str, Any]:
    """The export as it appears inside an error document."""
    return ExportOut.model_validate(export_document(request, audit)).model_dump(mode="json", by_alias=True)


def _reap(organisation_id: UUID) -> None:
    """Fail the organisation's lost exports first (as the page does), so a dead worker blocks nothing."""
    with translation.override(settings.LANGUAGE_CODE):
        services().reaper.reap(organisation_id)


router = Router(tags=["exports"], by_alias=True)


@router.post(
    "/exports",
    response={202: ExportOut, **_errors(409, 413)},
    summary=cast(str, gettext_lazy("Start an export")),
    operation_id="start_export",
)
def start(request: HttpRequest, payload: StartExportIn) -> Status:
    """Start an export of the token's organisation for a year or a date range (202), unless one is running (409).

    503 when the task queue cannot be reached just now: try again in a few minutes.
    """
    grant = _grant(request)
    period = requested_period(payload)
    _reap(grant.membership.organisation_id)
    try:
        audit = start_export(audits=services().audits, membership=grant.membership, period=period)
    except ExportAlreadyActive as busy:
        raise ApiError(
            409,
            code="export_running",
            message=_("An export of this organisation is already waiting or running."),
            export=_serialised(request, busy.active),
        ) from None
    except ExportQueueUnavailable as down:
        raise ApiError(
            503,
            code="service_unavailable",
            message=down.message,
            export=_serialised(request, down.audit),
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        ) from None
    started_by = _("Started through the API with the token “%(name)s” of %(user)s.") % {
        "name": grant.token.name,
        "user": grant.membership.user.get_username(),
    }
    services().audits.record_phase(audit.pk, phase=Phase.QUEUED, message=started_by)
    return Status(202, export_document(request, audit))


@router.get(
    "/exports",
    response={200: ExportListOut, **_errors()},
    summary=cast(str, gettext_lazy("Recent exports")),
    operation_id="list_exports",
)
def list_exports(request: HttpRequest, limit: int = Query(20, ge=1, le=100)) -> dict[str, Any]:
    """The organisation's most recent exports, newest first."""
    audits = BufdirExportAudit.objects.filter(organisation_id=_grant(request).membership.organisation_id)[:limit]
    return {"items": [export_document(request, audit) for audit in audits]}


@router.get(
    "/exports/{export_id}",
    response={200: ExportOut, **_errors(404)},
    summary=cast(str, gettext_lazy("One export")),
    operation_id="get_export",
    url_name="export_detail",
)
def detail(request: HttpRequest, export_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """Status, phase, percent, rows, counted per category, error and (when succeeded) a download URL."""
    grant = _grant(request)
    _reap(grant.membership.organisation_id)
    return export_document(request, _audit_of(grant, export_id))


@router.get(
    "/exports/{export_id}/download",
    response={200: None, **_errors(403, 404, 409, 410)},
    summary=cast(str, gettext_lazy("Download the bundle")),
    operation_id="download_export",
    url_name="export_download",
    openapi_extra={"responses": {200: ZIP_RESPONSE}},
)
def download(
    request: HttpRequest,
    export_id: int = Path(..., ge=1, le=MAX_ID),
    link: str | None = Query(None, description="The signed part of `download_url`; expires."),
) -> FileResponse:
    """Stream the zip bundle of a succeeded export (the token is needed too, even with a link)."""
    grant = _grant(request)
    audit = _audit_of(grant, export_id)
    if ExportStatus(audit.status).is_active:
        raise ApiError(
            409,
            code="export_not_finished",
            message=_("The export has not finished yet."),
            export=_serialised(request, audit),
        )
    if audit.bundle_removed_at is not None:
        raise ApiError(410, code="bundle_removed", message=removed_by_retention())
    if not audit.has_file:
        raise ApiError(404, code="no_file", message=_("This export has no file."))
    if link is not None and not links.is_valid(link, audit_id=audit.pk, organisation_id=audit.organisation_id):
        raise ApiError(
            403, code="link_expired", message=_("The download link has expired. Fetch the export again for a new link.")
        )
    return FileResponse(
        services().storage.open(audit.file_key),
        as_attachment=True,
        filename=audit.file_key.rsplit("/", 1)[-1],
        content_type="application/zip",
    )


@router.get(
    "/exports/{export_id}/deviations",
    response={200: DeviationListOut, **_errors(404, 409)},
    summary=cast(str, gettext_lazy("The deviations of an export")),
    operation_id="list_export_deviations",
    url_name="export_deviations",
)
def deviations(
    request: HttpRequest,
    export_id: int = Path(..., ge=1, le=MAX_ID),
    reason: str | None = Query(
        None, max_length=MAX_FILTER_LENGTH, description="Only rows with this reason (the whole text)."
    ),
    local_branch: str | None = Query(
        None, max_length=MAX_FILTER_LENGTH, description="Only rows of this local branch (the whole name)."
    ),
    peer_mentor: str | None = Query(
        None, max_length=MAX_FILTER_LENGTH, description="Only rows whose peer mentor's name contains this."
    ),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    """The rows of the sheet Avvik of a succeeded export, by date, a page at a time (409 until it has succeeded)."""
    grant = _grant(request)
    audit = _audit_of(grant, export_id)
    if audit.status != BufdirExportAudit.Status.SUCCEEDED:
        raise ApiError(
            409,
            code="export_not_succeeded",
            message=_("The export has not succeeded, so it has no deviations to list."),
            export=_serialised(request, audit),
        )
    rows = deviations_of(
        audit, filters=DeviationFilters.of(reason=reason, local_branch=local_branch, peer_mentor=peer_mentor)
    )
    return {
        "total": rows.count(),
        "limit": limit,
        "offset": offset,
        "items": [
            {
                "activity_id": str(row.activity_id),
                "date": row.activity_date,
                "activity_type": row.activity_type,
                "peer_mentor": row.peer_mentor,
                "local_branch": row.local_branch,
                "reasons": row.reason_list,
                "action": row.action,
                "activity_url": row.activity_url or None,
            }
            for row in rows[offset : offset + limit]
        ],
    }


@router.delete(
    "/exports/{export_id}",
    response={200: ExportOut, **_errors(404, 409)},
    summary=cast(str, gettext_lazy("Cancel an export")),
    operation_id="cancel_export",
)
def cancel(request: HttpRequest, export_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    """Cancel a pending or running export (200 with it, cancelled); 409 when it had already finished."""
    grant = _grant(request)
    audit = _audit_of(grant, export_id)
    container = services()
    user = grant.membership.user
    label = _("%(user)s through the API with the token “%(name)s”") % {
        "user": user.get_username(),
        "name": grant.token.name,
    }
    if not container.audits.cancel(audit.pk, user_id=user.pk, label=label):
        raise ApiError(
            409,
            code="export_finished",
            message=_("The export has already finished."),
            export=_serialised(request, container.audits.get(audit.pk)),
        )
    container.progress.push_state(audit.organisation_id, audit_id=audit.pk)
    return export_document(request, container.audits.get(audit.pk))


api = NinjaAPI(
    title=cast(str, gettext_lazy("Bufdir export API")),
    version="1",
    description=cast(
        str,
        gettext_lazy(
            "Start, follow and download Bufdir exports of one organisation with a personal API token "
            "(`Authorization: Bearer …`). Every error is JSON with `code`, `message`, `fields` and `export`: "
            "among them 413 `payload_too_large`, 500 `server_error` and 503 `service_unavailable` "
            "(with `Retry-After`) when a service the API needs cannot be reached."
        ),
    ),
    urls_namespace="api-v1",
    auth=ApiTokenAuth(),
    throttle=[TokenRateThrottle()],
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=BundledSwagger(),
)
install_error_handlers(api)
api.add_router("", router)
