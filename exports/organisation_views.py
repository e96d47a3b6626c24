"""Switching the organisation the export page is for (among the user's own export memberships only)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from exports.organisation_choice import choose
from exports.selectors import export_memberships


def _choose(request: HttpRequest, slug: str) -> HttpResponse | None:
    """Choose the organisation named `slug` if the user may export for it; else the 404 answer."""
    membership = next((m for m in export_memberships(request.user) if m.organisation.slug == slug), None)
    if membership is None:
        return render(request, "exports/forbidden.html",
                      {"reason": _("You cannot export for that organisation.")}, status=404)
    choose(request.session, membership)
    return None


@require_GET
@login_required
def open_for_organisation(request: HttpRequest, slug: str) -> HttpResponse:
    """The export page for one of the user's organisations (the link in a notice e-mail)."""
    return _choose(request, slug) or redirect("exports:index")


@require_POST
@login_required
def switch_organisation(request: HttpRequest) -> HttpResponse:
    """Make the named organisation the page's, if the user may export for it; 404 for any other."""
    if refused := _choose(request, request.POST.get("organisation", "")):
        return refused
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = ""
    return redirect(target or "exports:index")
