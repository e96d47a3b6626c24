"""The export page's forms for the exports sent to Bufdir: mark, confirm, withdraw (POST, the URL's organisation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exports.delivery import submissions
from exports.models import BufdirExportAudit, Membership, Submission
from exports.views import organisation_required

Owned = TypeVar("Owned", BufdirExportAudit, Submission)


def _own(model: type[Owned], pk: int, membership: Membership) -> Owned | None:
    """The record of the URL's organisation with this id; None for another organisation's, as for none at all."""
    return model.objects.filter(pk=pk, organisation_id=membership.organisation_id).first()


def _not_found(request: HttpRequest) -> HttpResponse:
    """The answer for an export or mark of another organisation (or none)."""
    return render(request, "exports/forbidden.html", {"reason": _("This export is not available to you.")}, status=404)


def _step(request: HttpRequest, membership: Membership, action: Callable[[], object], done: str) -> HttpResponse:
    """Run one step; back to the page with what happened (or why it was refused)."""
    try:
        action()
    except submissions.SubmissionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return redirect("exports:page", slug=membership.organisation.slug)


@require_POST
@organisation_required
def mark(request: HttpRequest, membership: Membership, audit_id: int) -> HttpResponse:
    """An administrator marks the URL's organisation's export as sent to Bufdir."""
    if (audit := _own(BufdirExportAudit, audit_id, membership)) is None:
        return _not_found(request)
    return _step(
        request,
        membership,
        lambda: submissions.mark(audit=audit, membership=membership),
        _("The export is marked as sent to Bufdir."),
    )


@require_POST
@organisation_required
def confirm(request: HttpRequest, membership: Membership, submission_id: int) -> HttpResponse:
    """A second leader confirms the mark."""
    if (submission := _own(Submission, submission_id, membership)) is None:
        return _not_found(request)
    return _step(
        request,
        membership,
        lambda: submissions.confirm(submission=submission, membership=membership),
        _("The mark as sent to Bufdir is confirmed."),
    )


@require_POST
@organisation_required
def withdraw(request: HttpRequest, membership: Membership, submission_id: int) -> HttpResponse:
    """An administrator withdraws the mark, with a reason."""
    if (submission := _own(Submission, submission_id, membership)) is None:
        return _not_found(request)
    return _step(
        request,
        membership,
        lambda: submissions.withdraw(
            submission=submission, membership=membership, reason=request.POST.get("reason", "")
        ),
        _(
            "The export is no longer marked as sent; it can be deleted after the retention period like "
            "any other export."
        ),
    )
