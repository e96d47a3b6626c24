"""The page where a user with the export role creates, lists and revokes their personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from api.forms import NewTokenForm
from api.tokens import issue_token, revoke_token, tokens_of
from exports.models import Membership
from exports.organisation_choice import landing_membership
from exports.views import organisation_required, refused

NEW_TOKEN_SESSION_KEY = "api_new_token"  # noqa: S105 - the name of a session key, not a secret


def _user(request: HttpRequest) -> User:
    """The logged-in user (the decorator has checked)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _page(request: HttpRequest, membership: Membership, form: NewTokenForm, status: int = 200) -> HttpResponse:
    """The token page: the form, the token made just now (shown once) and the user's tokens."""
    context = {
        "organisation": membership.organisation,
        "form": form,
        "tokens": tokens_of(_user(request)),
        "new_token": request.session.pop(NEW_TOKEN_SESSION_KEY, None),
    }
    return render(request, "api/tokens.html", context, status=status)


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """`/tokens/`: to the token page of the organisation the user last switched to, else their first by name."""
    membership = landing_membership(request.user, session=request.session)
    if membership is None:
        return refused(request)
    return _list(membership)


def _list(membership: Membership) -> HttpResponse:
    """Back to the token page of the membership's organisation."""
    return redirect("api_tokens:list", slug=membership.organisation.slug)


@require_GET
@organisation_required
def tokens(request: HttpRequest, membership: Membership) -> HttpResponse:
    """List the user's tokens and offer a new one."""
    return _page(request, membership, NewTokenForm())


@require_POST
@organisation_required
def create(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Make a token for the URL's organisation (the one the page names), and show it once."""
    form = NewTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, form, status=422)
    issued = issue_token(
        user=_user(request),
        organisation=membership.organisation,
        name=form.cleaned_data["name"],
        days=form.cleaned_data["days"],
    )
    request.session[NEW_TOKEN_SESSION_KEY] = {"name": issued.token.name, "secret": issued.secret}
    return _list(membership)


@require_POST
@organisation_required
def revoke(request: HttpRequest, membership: Membership, token_id: int) -> HttpResponse:
    """Revoke one of the user's own tokens; it stops working at once."""
    if revoke_token(user=_user(request), token_id=token_id):
        messages.success(request, _("The token was revoked. It no longer works."))
    return _list(membership)
