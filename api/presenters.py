"""Turns audit records into the API's export documents."""
from __future__ import annotations

import json
import logging
import zipfile
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse

from api import links
from exports.container import services
from exports.models import BufdirExportAudit
from exports.services.bundler import MANIFEST_NAME

logger = logging.getLogger(__name__)


def counted_by_category(audit: BufdirExportAudit) -> dict[str, int] | None:
    """Counted activities per category, read once from the bundle's manifest (then cached)."""
    if audit.status != BufdirExportAudit.Status.SUCCEEDED or not audit.file_key:
        return None
    key = f"api:v1:categories:{audit.pk}:{audit.file_sha256}"
    cached: dict[str, int] | None = cache.get(key)
    if cached is not None:
        return cached
    try:
        with services().storage.open(audit.file_key) as handle, zipfile.ZipFile(handle) as archive:
            categories = {str(k): int(v) for k, v in json.loads(archive.read(MANIFEST_NAME))
                          .get("counted_by_category", {}).items()}
    except Exception:
        logger.warning("could not read the manifest of export %s", audit.pk, exc_info=True)
        return None
    cache.set(key, categories, timeout=24 * 3600)
    return categories


def export_document(request: HttpRequest, audit: BufdirExportAudit, *, detail: bool = True) -> dict[str, Any]:
    """The API's view of one export; `detail` adds the counts per category (read from the bundle)."""
    succeeded = audit.status == BufdirExportAudit.Status.SUCCEEDED and bool(audit.file_key)
    download_url = expires_at = None
    if succeeded:
        token, expires_at = links.sign(audit.pk, audit.organisation_id)
        download_url = request.build_absolute_uri(
            f"{reverse('api-v1:export_download', args=[audit.pk])}?link={token}")
    return {
        "id": audit.pk,
        "url": request.build_absolute_uri(reverse("api-v1:export_detail", args=[audit.pk])),
        "status": audit.status,
        "phase": audit.phase,
        "percent": audit.progress_percent,
        "period": {"from": audit.period_from, "to": audit.period_to},
        "requested_by": audit.requested_by_label,
        "created_at": audit.created_at,
        "started_at": audit.started_at,
        "finished_at": audit.finished_at,
        "rows": {"processed": audit.rows_processed, "total": audit.rows_total, "exported": audit.rows_exported,
                 "counted": audit.rows_counted, "not_counted": audit.rows_not_counted,
                 "deviations": audit.rows_deviations},
        "counted_by_category": counted_by_category(audit) if detail else None,
        "error_message": audit.error_message or None,
        "download_url": download_url,
        "download_expires_at": expires_at,
    }
