"""Holds the rows of `Avvik` on disk while the export streams, then returns them most common problem first."""

from __future__ import annotations

import json
import pickle
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any


class DeviationSpool:
    """A throw-away SQLite file: memory stays bounded however many rows deviate."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(path)
        self._db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE deviation (seq INTEGER PRIMARY KEY, reasons TEXT, payload BLOB);"
            "CREATE TABLE deviation_reason (seq INTEGER, reason TEXT);"
        )

    def add(self, *, reasons: Sequence[str], payload: Any) -> None:
        """Keep one row with the reasons it is listed for."""
        cursor = self._db.execute(
            "INSERT INTO deviation (reasons, payload) VALUES (?, ?)", (json.dumps(list(reasons)), pickle.dumps(payload))
        )
        self._db.executemany(
            "INSERT INTO deviation_reason VALUES (?, ?)", [(cursor.lastrowid, reason) for reason in reasons]
        )

    def by_frequency(self, ranked_reasons: Sequence[str]) -> Iterator[tuple[list[str], Any]]:
        """Every row with its reasons, the most common first; rows sharing their top reason keep stream order."""
        rank = {reason: position for position, reason in enumerate(ranked_reasons)}
        self._db.execute("CREATE TEMP TABLE reason_rank (reason TEXT PRIMARY KEY, position INTEGER)")
        self._db.executemany("INSERT INTO reason_rank VALUES (?, ?)", rank.items())
        query = (
            "SELECT d.reasons, d.payload FROM deviation d "
            "LEFT JOIN deviation_reason r ON r.seq = d.seq LEFT JOIN reason_rank k ON k.reason = r.reason "
            "GROUP BY d.seq ORDER BY MIN(COALESCE(k.position, 1000000000)), d.seq"
        )
        for reasons, payload in self._db.execute(query):
            yield sorted(json.loads(reasons), key=lambda reason: rank.get(reason, len(rank))), pickle.loads(payload)  # noqa: S301 - our own spool

    def close(self) -> None:
        """Drop the file."""
        self._db.close()
        self.path.unlink(missing_ok=True)
