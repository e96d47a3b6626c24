"""Time-limited download links of the API: the page's signer, bound to the export and the token's organisation."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from exports.delivery.download_links import DownloadLinks, LinkVerdict


def _links() -> DownloadLinks:
    """The signer with the link lifetime of the settings now (EXPORT_DOWNLOAD_URL_MAX_AGE, as on the page)."""
    return DownloadLinks(settings.BUFDIR_EXPORT["DOWNLOAD_URL_MAX_AGE"])


def sign(audit_id: int, *, organisation_id: object) -> tuple[str, dt.datetime]:
    """A link token for the export and when it stops working."""
    links = _links()
    token = links.token(audit_id, organisation_id=organisation_id)
    return token, timezone.now() + dt.timedelta(seconds=links.max_age)


def is_valid(token: str, *, audit_id: int, organisation_id: object) -> bool:
    """Whether `token` was issued for this export of this organisation and has not expired."""
    return _links().check(audit_id, token=token, organisation_id=organisation_id) is LinkVerdict.VALID
