"""The counts of what changed since an earlier export, and the spooled change rows; no Django models here."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ADDED, REMOVED, CHANGED, FIXED, NEW_DEVIATION = "added", "removed", "changed", "fixed", "new_deviation"

ChangeRow = tuple[str, Any, str, str, tuple[str, ...]]
"""(activity id, date, peer mentor, kind, changed column headings)."""


@dataclass(frozen=True, kw_only=True)
class ChangeSummary:
    """The counts of what changed since the compared export (`compared_with` None: the period's first export)."""

    compared_with: dict[str, Any] | None = None
    headings: list[str] = field(default_factory=list)
    counted_then: dict[str, int] = field(default_factory=dict)
    counted_now: dict[str, int] = field(default_factory=dict)
    added: int = 0
    removed: int = 0
    changed: int = 0
    fixed: int = 0
    new_deviations: int = 0
    rows: int = 0
    spool: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for the audit's result (without the spool's path)."""
        document = asdict(self)
        document.pop("spool")
        return document


def spooled_changes(spool: str) -> Iterator[ChangeRow]:
    """The change rows a comparison spooled, in order."""
    if not spool or not Path(spool).exists():
        return
    with open(spool, "rb") as handle:
        while True:
            try:
                batch = pickle.load(handle)  # noqa: S301 - our own spool file in the export's 0700 folder
            except EOFError:
                return
            yield from batch
