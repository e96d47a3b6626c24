"""Thin views of the trigger page: show, start, poll and download exports."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from exports.container import services
from exports.delivery.download_links import LinkVerdict
from exports.delivery.retention import removed_by_retention
from exports.deviation_queries import (
    DeviationFilters,
    branch_choices,
    current_export,
    deviations_of,
    kept_before_deviations,
    reason_choices,
)
from exports.forms import ExportPeriodForm
from exports.fragments import history_context, state_fragments, status_fragment_context
from exports.lifecycle.starting import ExportQueueUnavailable, start_export
from exports.lifecycle.state_machine import ExportAlreadyActive
from exports.models import BufdirExportAudit, Membership, Organisation
from exports.organisation_choice import landing_membership, membership_for
from exports.selectors import (
    administrators_of_organisations_of,
    audit_for_member,
    latest_audit,
    memberships_of,
)
from exports.submission_presentation import submissions_panel


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware."""

    htmx: HtmxDetails


def organisation_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let through only logged-in users who may export for the organisation named in the URL (checked on every
    request); the membership is handed to the view. No export role anywhere: 403 and whom to ask; some other
    organisation's slug: 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = membership_for(request.user, slug=slug)
        if membership is None:
            return refused(request)
        return view(request, membership, *args, **kwargs)

    return wrapper


def refused(request: HttpRequest) -> HttpResponse:
    """The answer to a request for an organisation the user may not export for."""
    if landing_membership(request.user, session=None) is None:
        return render(request, "exports/forbidden.html", _forbidden_context(request), status=403)
    return render(
        request, "exports/forbidden.html", {"reason": _("You cannot export for that organisation.")}, status=404
    )


def _forbidden_context(request: HttpRequest) -> dict[str, Any]:
    """Why the user may not export, and whom to ask."""
    return {
        "memberships": memberships_of(request.user),
        "administrators": administrators_of_organisations_of(request.user),
    }


def _status(audit: BufdirExportAudit | None, organisation: Organisation) -> dict[str, Any]:
    """The status fragment's context for an audit (or for no export yet) of the organisation."""
    return status_fragment_context(audit=audit, organisation=organisation)


def _history(organisation: Organisation) -> dict[str, Any]:
    """The history table's context: the organisation and its rows."""
    return history_context(organisation)


def _page_context(membership: Membership, form: ExportPeriodForm) -> dict[str, Any]:
    """The whole page's context: the organisation, the form, the current export and the history."""
    organisation = membership.organisation
    return {
        "form": form,
        **_history(organisation),
        **_status(latest_audit(organisation.pk), organisation),
        **submissions_panel(organisation, membership=membership),
    }


def _reap(organisation_id: UUID) -> None:
    """Fail the organisation's exports whose worker died or that no worker took (the schedule does it too)."""
    with translation.override(settings.LANGUAGE_CODE):
        services().reaper.reap(organisation_id)


def _page_redirect(membership: Membership) -> HttpResponse:
    """Back to the export page of the membership's organisation."""
    return redirect("exports:page", slug=membership.organisation.slug)


def _started_response(
    request: HttpRequest,
    membership: Membership,
    form: ExportPeriodForm,
    audit: BufdirExportAudit,
    status_code: int = 200,
) -> HttpResponse:
    """The form (keeping the chosen period), the export's status and the history, for htmx."""
    organisation = membership.organisation
    html = render_to_string("exports/_form.html", {"form": form, **_status(audit, organisation)}, request)
    html += render_to_string("exports/_status.html", {**_status(audit, organisation), "oob": True}, request)
    html += render_to_string("exports/_history.html", {**_history(organisation), "oob": True}, request)
    return HttpResponse(html, status=status_code)


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """`/exports/`: to the export page of the organisation the user last switched to, else their first by name."""
    membership = landing_membership(request.user, session=request.session)
    if membership is None:
        return render(request, "exports/forbidden.html", _forbidden_context(request), status=403)
    return _page_redirect(membership)


@require_GET
@organisation_required
def page(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """The trigger page of the URL's organisation: the form, the current export and the history."""
    _reap(membership.organisation_id)
    return render(request, "exports/index.html", _page_context(membership, ExportPeriodForm()))


@require_POST
@organisation_required
def start(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """Start an export of the URL's organisation, or show the one that is already running."""
    form = ExportPeriodForm(request.POST)
    organisation = membership.organisation
    if not form.is_valid():
        if request.htmx:
            return render(
                request,
                "exports/_form.html",
                {"form": form, **_status(latest_audit(organisation.pk), organisation)},
                status=422,
            )
        return render(request, "exports/index.html", _page_context(membership, form), status=422)
    _reap(membership.organisation_id)
    try:
        audit = start_export(audits=services().audits, membership=membership, period=form.period())
    except ExportAlreadyActive as busy:
        if not request.htmx:
            return render(request, "exports/index.html", _page_context(membership, form), status=409)
        return _started_response(request, membership, form, busy.active, status_code=409)
    except ExportQueueUnavailable as down:  # its audit is failed: the status box shows why (role="alert")
        if not request.htmx:
            return render(request, "exports/index.html", _page_context(membership, form), status=503)
        return _started_response(request, membership, form, down.audit, status_code=503)
    if not request.htmx:
        return _page_redirect(membership)
    return _started_response(request, membership, form, audit)


@require_POST
@organisation_required
def cancel(request: HtmxHttpRequest, membership: Membership, audit_id: int) -> HttpResponse:
    """Cancel the URL's organisation's pending or running export (an administrator or coordinator)."""
    organisation = membership.organisation
    audit = BufdirExportAudit.objects.filter(pk=audit_id, organisation_id=organisation.pk).first()
    if audit is None:
        return render(
            request, "exports/forbidden.html", {"reason": _("This export is not available to you.")}, status=404
        )
    container = services()
    if container.audits.cancel(audit.pk, user_id=request.user.pk, label=request.user.get_username()):
        container.progress.push_state(organisation.pk, audit_id=audit.pk)
    if not request.htmx:
        return _page_redirect(membership)
    audit = container.audits.get(audit.pk)
    return HttpResponse(state_fragments(audit=audit, organisation=organisation, request=request, status_oob=False))


@require_GET
@organisation_required
def status(request: HtmxHttpRequest, membership: Membership) -> HttpResponse:
    """The current state as a fragment: polled while an export runs (should the websocket be silent) and
    before a download link expires (a fresh link); the Export button and the export's history row (the whole
    history once it has finished) too."""
    organisation = membership.organisation
    _reap(organisation.pk)
    return HttpResponse(
        state_fragments(
            audit=latest_audit(organisation.pk), organisation=organisation, request=request, status_oob=False
        )
    )


DEVIATIONS_PER_PAGE = (25, 10, 50, 100)
"""The rows a page of deviations may show; the first is the default."""


def _per_page(value: str | None) -> int:
    """The chosen number of rows per page, when it is one of the choices; else the default."""
    return next((size for size in DEVIATIONS_PER_PAGE if str(size) == value), DEVIATIONS_PER_PAGE[0])


@require_GET
@organisation_required
def deviations(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Every `Avvik` row of the URL's organisation's current export, filtered and a page at a time."""
    organisation = membership.organisation
    audit = current_export(organisation.pk)
    filters = DeviationFilters.of(
        reason=request.GET.get("reason"),
        local_branch=request.GET.get("local_branch"),
        peer_mentor=request.GET.get("peer_mentor"),
    )
    per_page = _per_page(request.GET.get("per_page"))
    context: dict[str, Any] = {
        "organisation": organisation,
        "audit": audit,
        "filters": filters,
        "per_page": per_page,
        "per_page_choices": sorted(DEVIATIONS_PER_PAGE),
    }
    if audit is not None:
        page = Paginator(deviations_of(audit, filters=filters), per_page).get_page(request.GET.get("page"))
        context.update(
            page=page,
            reasons=reason_choices(audit),
            branches=branch_choices(audit),
            not_kept=kept_before_deviations(audit),
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        )
    return render(request, "exports/deviations.html", context)


@require_GET
@login_required
def download(request: HttpRequest, audit_id: int) -> HttpResponse | FileResponse:
    """Hand the bundle to a member of its organisation holding an unexpired link; otherwise say what happened.

    The export's own organisation is the one acted for (checked against the memberships now), never a choice."""
    audit = audit_for_member(request.user, audit_id=audit_id)
    if audit is None:
        return _download_failed(
            request,
            None,
            _("This export does not exist, or it belongs to another organisation than yours."),
            status_code=404,
        )
    organisation = audit.organisation
    if audit.bundle_removed_at is not None:
        return _download_failed(request, organisation, removed_by_retention(), status_code=410)
    if not audit.has_file:
        return _download_failed(request, organisation, _("This export has no file to download."), status_code=404)
    verdict = services().download_links.check(audit.pk, token=request.GET.get("token", ""))
    if verdict == LinkVerdict.EXPIRED:
        return _download_failed(
            request,
            organisation,
            _("The download link has expired: links work for %(minutes)s minutes.")
            % {"minutes": max(1, services().download_links.max_age // 60)},
            status_code=410,
        )
    if verdict != LinkVerdict.VALID:
        return _download_failed(
            request,
            organisation,
            _("The download link is not valid: it was changed, cut short, or made for another export."),
            status_code=403,
        )
    try:
        handle = services().storage.open(audit.file_key)
    except (FileNotFoundError, OSError):
        return _download_failed(
            request,
            organisation,
            _("The file of this export is no longer in storage. Start a new export of the same period."),
            status_code=404,
        )
    return FileResponse(
        handle, as_attachment=True, filename=audit.file_key.rsplit("/", 1)[-1], content_type="application/zip"
    )


def _download_failed(
    request: HttpRequest, organisation: Organisation | None, reason: str, *, status_code: int
) -> HttpResponse:
    """The page a failed download lands on: what happened and, on the export's organisation's page, a new link."""
    return render(
        request,
        "exports/download_failed.html",
        {"reason": reason, "export_organisation": organisation},
        status=status_code,
    )
