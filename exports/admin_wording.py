"""The admin's yes/no icons say Ja/Nei/Ukjent to a screen reader, not Django's untranslated True/False/None."""

from __future__ import annotations

from django.contrib.admin.templatetags import admin_list
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

_ICONS = {True: "yes", False: "no", None: "unknown"}


def boolean_icon(field_val: bool | None) -> SafeString:
    """Django's yes/no/unknown icon with its alternative text in the active language."""
    words = {True: _("Yes"), False: _("No"), None: _("Unknown")}
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{_ICONS[field_val]}.svg"), words[field_val])


def install() -> None:
    """Use `boolean_icon` wherever the admin draws one (its list, its read-only fields and display_for_*)."""
    admin_list._boolean_icon = boolean_icon  # type: ignore[attr-defined]
