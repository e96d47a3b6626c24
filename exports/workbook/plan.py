"""The workbook's sheets and the seams that write it, without openpyxl: only the process that writes cells loads it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from exports.config.validation import CompiledConfig
from exports.history.change_summary import ChangeSummary
from exports.history.comparison import Comparison
from exports.rules.column_mapper import MappedActivity
from exports.rules.summary import ExportSummary

SHEET_ACTIVITIES = "Aktiviteter"
SHEET_SUMMARY = "Sammendrag"
SHEET_DEVIATIONS = "Avvik"
SHEET_PEER_MENTORS = "Likepersoner"
MAX_SHEET_ROWS = 1_048_576
"""The most rows Excel shows on one sheet; `Aktiviteter` goes on over further sheets past it."""


def activity_sheets(rows: int) -> list[tuple[str, int]]:
    """The sheets `rows` activities are written on, with how many each holds (a heading row on each)."""
    per_sheet = MAX_SHEET_ROWS - 1
    counts = [min(per_sheet, rows - start) for start in range(0, rows, per_sheet)] or [0]
    return [(activity_sheet_name(index), count) for index, count in enumerate(counts)]


def activity_sheet_name(index: int) -> str:
    """The name of the zero-based `index`th sheet of activities: Aktiviteter, Aktiviteter 2, ..."""
    return SHEET_ACTIVITIES if index == 0 else f"{SHEET_ACTIVITIES} {index + 1}"


@dataclass(frozen=True, kw_only=True)
class WorkbookFacts:
    """What `Sammendrag` states about the export, and an earlier export to compare with."""

    organisation_name: str
    org_number: str
    period_from: dt.date
    period_to: dt.date
    config_version: int
    template_name: str
    generated_at: dt.datetime
    comparison: Comparison | None = None
    changes: ChangeSummary | None = None
    """What changed since the period's earlier export (`Endringer`); None: no such sheet."""


class WorkbookWriter(Protocol):
    """What the orchestrator needs of a workbook being written, in this process or another."""

    def add(self, row: MappedActivity) -> None:
        """Write one mapped activity."""

    def close(self, facts: WorkbookFacts, *, totals: ExportSummary) -> None:
        """Write the summary and save the workbook."""

    def discard(self) -> None:
        """Give up the workbook (after a failure)."""


class WorkbookOpener(Protocol):
    """Starts workbooks: `OpenpyxlWorkbookOpener` (in this process) or `ForkedWorkbookOpener` (in a forked one)."""

    def open(self, path: Path, *, config: CompiledConfig) -> WorkbookWriter:
        """A writer for a new workbook at `path`."""
        ...
