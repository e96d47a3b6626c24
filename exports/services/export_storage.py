"""Stores bundles through Django's storage API and hands out time-limited download URLs."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import IO

from django.core import signing
from django.core.files import File
from django.core.files.storage import Storage
from django.urls import reverse

_SALT = "exports.download"
logger = logging.getLogger(__name__)


class ExportStorage:
    """Bundles live in one storage under `<organisation slug>/<audit id>/<file name>`."""

    def __init__(self, storage: Storage, url_max_age: int) -> None:
        self._storage = storage
        self.url_max_age = url_max_age

    def save(self, organisation_slug: str, audit_id: int, bundle: Path) -> str:
        """Store the bundle and return its key; a write that fails leaves nothing behind."""
        key = f"{organisation_slug}/{audit_id}/{bundle.name}"
        if self._storage.exists(key):
            self._storage.delete(key)
        try:
            with bundle.open("rb") as handle:
                return self._storage.save(key, File(handle, name=bundle.name))
        except BaseException:
            self.delete(key)
            raise

    def delete(self, key: str) -> None:
        """Remove a stored bundle (best effort: a storage that is down is logged, not raised)."""
        try:
            if self._storage.exists(key):
                self._storage.delete(key)
        except Exception:
            logger.warning("could not delete the partial bundle %s", key, exc_info=True)

    def open(self, key: str) -> IO[bytes]:
        """Open a stored bundle for reading."""
        return self._storage.open(key, "rb")

    def download_url(self, audit_id: int) -> str:
        """A URL for the audit's bundle that stops working after `url_max_age` seconds."""
        token = signing.dumps({"audit": audit_id}, salt=_SALT)
        return f"{reverse('exports:download', args=[audit_id])}?token={token}"

    def token_is_valid(self, audit_id: int, token: str) -> bool:
        """Whether `token` was issued for this audit and has not expired."""
        try:
            payload = signing.loads(token, salt=_SALT, max_age=self.url_max_age)
        except signing.BadSignature:
            return False
        return payload.get("audit") == audit_id
