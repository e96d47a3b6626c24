"""Saves the export page's e-mail notice choice."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from notices.forms import NoticePreferenceForm
from notices.services import set_email_preference


@require_POST
@login_required
def preference(request: HttpRequest) -> HttpResponse:
    """Turn the e-mail notice on or off; HTMX gets the updated fragment, others go back to the page."""
    form = NoticePreferenceForm(request.POST)
    form.is_valid()
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    enabled = bool(form.cleaned_data.get("email_when_finished"))
    set_email_preference(user, enabled=enabled)
    if getattr(request, "htmx", False):
        return render(
            request,
            "notices/_email_preference.html",
            {"form": NoticePreferenceForm(initial={"email_when_finished": enabled}), "saved": True},
        )
    return redirect("exports:index")
