"""Per-row fingerprints of an export, kept in `ExportRowDigest` so a later export of the period can compare.

The exporting process hashes each row's `Aktiviteter` values (CRC-32 of each value as text: stable across
processes, unlike `hash`) and inserts the fingerprints in batches (COPY on PostgreSQL, `executemany` on
SQLite), so memory stays flat. The database keeps them ordered by activity id for the merge.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable
from contextlib import suppress
from operator import attrgetter, itemgetter
from typing import Any
from uuid import UUID
from zlib import crc32

from django.db import DatabaseError, connection

from exports.config.cell_safety import without_refused
from exports.models import ExportRowDigest
from exports.rules.column_mapper import MappedActivity

BATCH_ROWS = {"sqlite": 20_000, "postgresql": 2_000}
"""Rows a batch of fingerprints holds: on SQLite each batch is a write of its own, fewer are cheaper (about 8 MB
in memory); PostgreSQL's COPY streams, so a small batch keeps the memory of the export flat."""


def _same(value: Any) -> Any:
    """The value as it is (the driver adapts it)."""
    return value


def column_hashes(values: tuple[Any, ...]) -> bytes:
    """A CRC-32 of each value as text (what the reader sees; `str` is the cheapest), 4 bytes each."""
    hashes = array("I", [crc32(str(value).encode("utf-8", "surrogatepass")) for value in values])
    if hashes.itemsize != 4:  # pragma: no cover - every platform Django runs on has a 4-byte unsigned int
        raise RuntimeError("array('I') is not 4 bytes here")
    return hashes.tobytes()


def split_hashes(hashes: bytes) -> list[bytes]:
    """The 4-byte hash of each column."""
    return [hashes[index : index + 4] for index in range(0, len(hashes), 4)]


def _name(name: str | None) -> str:
    """A peer mentor's name as the database takes it: refused characters (NUL, lone surrogates) left out."""
    if not name:
        return ""
    return name[:200] if name.isprintable() else without_refused(name[:200])


class RowDigestRecorder:
    """Collects one export's row fingerprints and inserts them in batches."""

    def __init__(self, audit_id: int) -> None:
        self.audit_id = audit_id
        self._batch: list[tuple[Any, ...]] = []
        table = ExportRowDigest._meta.db_table
        columns = "(audit_id, activity_id, started_on, peer_mentor, flags, hashes)"
        self._sql = f"INSERT INTO {table} {columns} VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608 - the model's table
        self._copy = f"COPY {table} {columns} FROM STDIN"
        native = connection.vendor == "postgresql"  # the driver takes UUIDs and dates; SQLite keeps text
        self._id: Callable[[UUID], Any] = _same if native else attrgetter("hex")
        self._day: Callable[[dt.date], Any] = _same if native else dt.date.isoformat
        self._kept = False
        self._batch_rows = BATCH_ROWS.get(connection.vendor, BATCH_ROWS["sqlite"])

    def add(self, row: MappedActivity) -> None:
        """Keep the fingerprint of one mapped row; insert a batch when it is full."""
        record = row.record
        flags = (ExportRowDigest.DEVIATES if row.is_deviation else 0) | (ExportRowDigest.LISTED if row.listed else 0)
        self._batch.append(
            (
                self.audit_id,
                self._id(record.id),
                self._day(row.local_start.date()),
                _name(record.peer_mentor_name),
                flags,
                column_hashes(row.values) if row.listed else b"",
            )
        )
        if len(self._batch) >= self._batch_rows:
            self.flush()

    def flush(self) -> None:
        """Insert what is kept: with COPY on PostgreSQL (a statement a row costs far more there), else executemany."""
        if not self._batch:
            return
        self._batch.sort(key=itemgetter(1))  # in index order: a B-tree takes sorted keys with fewer page writes
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(self._copy) as copy:
                    for row in self._batch:
                        copy.write_row(row)
            else:
                cursor.executemany(self._sql, self._batch)
        self._batch = []

    def keep(self) -> None:
        """The export is stored: its fingerprints stay."""
        self._kept = True

    def discard(self) -> None:
        """Drop this export's fingerprints unless it was stored (a failed export; a database gone wrong too)."""
        self._batch = []
        if not self._kept:
            with suppress(DatabaseError):
                ExportRowDigest.objects.filter(audit_id=self.audit_id).delete()
