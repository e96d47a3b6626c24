"""The organisation's app address of one registration: an `https://` template with one `{id}`, checked at save."""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from uuid import UUID

from django.utils.translation import gettext as _

from exports.config.schema import MAX_ACTIVITY_URL_LENGTH

ID_PLACEHOLDER = "{id}"
_UNSAFE = re.compile(r"[\s\"'<>\\^`|\x00-\x1f\x7f]")
"""Characters that have no place in an address written into a workbook or a page."""


def url_template_problem(template: str) -> str | None:
    """Why `template` is not an address of one registration (None when it is)."""
    if len(template) > MAX_ACTIVITY_URL_LENGTH:
        return _("is longer than %(max)s characters") % {"max": MAX_ACTIVITY_URL_LENGTH}
    if not template.startswith("https://"):
        return _("must start with https://")
    if template.count(ID_PLACEHOLDER) != 1:
        return _("must contain {id} exactly once, where the registration's id goes")
    rest = template.replace(ID_PLACEHOLDER, "")
    if "{" in rest or "}" in rest:
        return _("may contain no braces other than {id}")
    if _UNSAFE.search(rest):
        return _("may contain no spaces, quotes, angle brackets or control characters")
    parts = urlsplit(template.replace(ID_PLACEHOLDER, "id"))
    if not parts.hostname or parts.username or parts.password:
        return _("must name a host (and no user name or password), e.g. https://app.example.no/aktiviteter/{id}")
    return None


def activity_link(template: str, *, activity_id: UUID | str) -> str:
    """The address of one registration; the id is a UUID, so the address stays what the template allows."""
    return template.replace(ID_PLACEHOLDER, str(UUID(str(activity_id))))
