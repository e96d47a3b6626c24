"""The page's download URLs: the route of the download view with a fresh token (routing stays out of services)."""

from __future__ import annotations

from django.urls import reverse

from exports.container import services


def download_url(audit_id: int) -> str:
    """A URL for the audit's bundle that stops working after EXPORT_DOWNLOAD_URL_MAX_AGE seconds."""
    return f"{reverse('exports:download', args=[audit_id])}?token={services().download_links.token(audit_id)}"
