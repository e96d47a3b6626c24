"""Switching between the organisations a user may export for: a POST that remembers the choice and goes to the
other organisation's own page. A GET never changes anything."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from exports.organisation_choice import membership_for, remember

# The organisation pages a switch may land on: the same page for the other organisation.
ORGANISATION_PAGES = frozenset({"exports:page", "api_tokens:list"})


@require_GET
@login_required
def open_for_organisation(request: HttpRequest, slug: str) -> HttpResponse:
    """The old address of an organisation's page (older notice e-mails): a plain redirect, nothing is stored."""
    return redirect("exports:page", slug=slug)


@require_POST
@login_required
def switch_organisation(request: HttpRequest) -> HttpResponse:
    """Go to the named organisation's page, if the user may export for it (remembered for `/exports/`); else 404."""
    membership = membership_for(request.user, slug=request.POST.get("organisation", ""))
    if membership is None:
        return render(
            request, "exports/forbidden.html", {"reason": _("You cannot export for that organisation.")}, status=404
        )
    remember(request.session, membership=membership)
    return redirect(_same_page_for(request, membership.organisation.slug))


def _same_page_for(request: HttpRequest, slug: str) -> str:
    """The page the switch came from (`next`), for the organisation `slug`; else that organisation's export page."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        try:
            match = resolve(target.split("?", 1)[0])
        except Resolver404:
            match = None
        if match is not None and match.view_name in ORGANISATION_PAGES:
            return reverse(match.view_name, kwargs={**match.kwargs, "slug": slug})
    return reverse("exports:page", kwargs={"slug": slug})
