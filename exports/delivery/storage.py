"""Stores bundles through Django's storage API: saved whole or not at all, opened, deleted."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import IO

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage

logger = logging.getLogger(__name__)


class ExportStorage:
    """Bundles live in one storage under `<organisation slug>/<audit id>/<file name>`."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    def save(self, organisation_slug: str, *, audit_id: int, bundle: Path) -> str:
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

    def remove(self, key: str) -> None:
        """Remove a stored bundle; a storage that fails raises (retention records only what was removed)."""
        if self._storage.exists(key):
            self._storage.delete(key)

    def open(self, key: str) -> IO[bytes]:
        """Open a stored bundle for reading."""
        return self._storage.open(key, "rb")

    def probe(self) -> str:
        """Write a tiny file and delete it again (readiness); the backend's name, or the storage's error."""
        key = self._storage.save(f".readiness/{uuid.uuid4().hex}", ContentFile(b"ok"))
        self._storage.delete(key)
        return type(self._storage).__name__
