"""Thin views of the trigger page: show, start, poll and download exports."""
from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import Any, Callable

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from exports.container import services
from exports.forms import ExportPeriodForm
from exports.models import BufdirExportAudit
from exports.presentation import (
    download_url_for,
    history_rows,
    result_view,
    status_context,
)
from exports.selectors import (
    administrators_of_organisations_of,
    audit_for_member,
    export_membership,
    latest_audit,
    memberships_of,
    recent_audits,
)
from exports.services.export_state import ExportState
from exports.services.starting import start_export


def export_role_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let through only logged-in users who may export; the membership is handed to the view."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = export_membership(request.user)
        if membership is None:
            return render(request, "exports/forbidden.html", _forbidden_context(request), status=403)
        return view(request, membership, *args, **kwargs)

    return wrapper


def _forbidden_context(request: HttpRequest) -> dict[str, Any]:
    """Why the user may not export, and whom to ask."""
    return {"memberships": memberships_of(request.user),
            "administrators": administrators_of_organisations_of(request.user)}


def _status(audit: BufdirExportAudit | None) -> dict[str, Any]:
    """The status fragment's context for an audit (or for no export yet)."""
    return status_context(ExportState.from_audit(audit) if audit else None,
                          download_url_for(audit, services().storage), result_view(audit))


def _history(organisation_id: object) -> list[dict[str, Any]]:
    """The history table's rows of the organisation."""
    return history_rows(recent_audits(organisation_id), services().storage)


def _page_context(membership, form: ExportPeriodForm) -> dict[str, Any]:
    """The whole page's context: the organisation, the form, the current export and the history."""
    organisation_id = membership.organisation_id
    return {"organisation": membership.organisation, "form": form, "history": _history(organisation_id),
            **_status(latest_audit(organisation_id))}


def _fail_stale() -> None:
    """Close exports whose worker disappeared, so nothing shows as running forever."""
    services().audits.fail_stale(dt.timedelta(seconds=settings.BUFDIR_EXPORT["STALE_AFTER_SECONDS"]))


@require_GET
@export_role_required
def index(request: HttpRequest, membership) -> HttpResponse:
    """The trigger page: the form, the current export and the history."""
    _fail_stale()
    return render(request, "exports/index.html", _page_context(membership, ExportPeriodForm()))


@require_POST
@export_role_required
def start(request: HttpRequest, membership) -> HttpResponse:
    """Start an export of the user's own organisation and answer with the loading state."""
    form = ExportPeriodForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            return render(request, "exports/_form.html", {"form": form}, status=422)
        return render(request, "exports/index.html", _page_context(membership, form), status=422)
    _fail_stale()
    audit = start_export(services().audits, membership, form.period())
    if not request.htmx:
        return redirect("exports:index")
    html = render_to_string("exports/_form.html", {"form": ExportPeriodForm()}, request)
    html += render_to_string("exports/_status.html", {**_status(audit), "oob": True}, request)
    html += render_to_string("exports/_history.html", {"history": _history(membership.organisation_id),
                                                       "oob": True}, request)
    return HttpResponse(html)


@require_GET
@export_role_required
def status(request: HttpRequest, membership) -> HttpResponse:
    """The current state as a fragment (for reloads and when the websocket is down)."""
    return render(request, "exports/_status.html", _status(latest_audit(membership.organisation_id)))


@require_GET
@login_required
def download(request: HttpRequest, audit_id: int) -> HttpResponse:
    """Hand the bundle to a member of its organisation holding an unexpired link."""
    audit = audit_for_member(request.user, audit_id)
    if audit is None or not audit.file_key:
        return render(request, "exports/forbidden.html", {"reason": _("This export is not available to you.")},
                      status=404)
    storage = services().storage
    if not storage.token_is_valid(audit.pk, request.GET.get("token", "")):
        return render(request, "exports/forbidden.html",
                      {"reason": _("The download link has expired. Open the export page again for a new link.")},
                      status=403)
    return FileResponse(storage.open(audit.file_key), as_attachment=True,
                        filename=audit.file_key.rsplit("/", 1)[-1], content_type="application/zip")
