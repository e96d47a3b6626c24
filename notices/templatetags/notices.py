"""`{% notice_preferences %}`: the export page's notice choices (e-mail and browser notification)."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import User

from notices.forms import NoticePreferenceForm
from notices.services import wants_email

register = template.Library()


@register.inclusion_tag("notices/_preferences.html", takes_context=True)
def notice_preferences(context: dict[str, Any]) -> dict[str, Any]:
    """The form with the user's current e-mail choice and the browser notification switch."""
    user = context["request"].user
    enabled = isinstance(user, User) and wants_email(user)
    return {
        "form": NoticePreferenceForm(initial={"email_when_finished": enabled}),
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }
