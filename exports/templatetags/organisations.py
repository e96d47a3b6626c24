"""`{% organisation_switcher organisation %}`: which organisation the page is for, and a switch between them."""

from __future__ import annotations

from typing import Any

from django import template

from exports.selectors import export_memberships

register = template.Library()


@register.inclusion_tag("exports/_organisation_switcher.html", takes_context=True)
def organisation_switcher(context: dict[str, Any], organisation: Any) -> dict[str, Any]:
    """The current organisation's name, with a form to switch when the user may export for several."""
    request = context["request"]
    return {
        "organisation": organisation,
        "memberships": export_memberships(request.user),
        "csrf_token": context.get("csrf_token"),
        "next": request.path,
    }
