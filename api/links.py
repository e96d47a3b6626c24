"""Time-limited download links of the API (signed, bound to the export and the token's organisation)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.utils import timezone

_SALT = "api.v1.download"


def max_age() -> int:
    """Seconds a download link works (EXPORT_DOWNLOAD_URL_MAX_AGE, as on the page)."""
    return settings.BUFDIR_EXPORT["DOWNLOAD_URL_MAX_AGE"]


def sign(audit_id: int, organisation_id: object) -> tuple[str, dt.datetime]:
    """A link token for the export and when it stops working."""
    token = signing.dumps({"audit": audit_id, "org": str(organisation_id)}, salt=_SALT)
    return token, timezone.now() + dt.timedelta(seconds=max_age())


def is_valid(token: str, *, audit_id: int, organisation_id: object) -> bool:
    """Whether `token` was issued for this export of this organisation and has not expired."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=max_age())
    except signing.BadSignature:
        return False
    return bool(payload == {"audit": audit_id, "org": str(organisation_id)})
