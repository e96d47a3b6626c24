"""Opens a workbook written in this process: loads openpyxl only when a workbook is opened, not on import."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from exports.config.validation import CompiledConfig

if TYPE_CHECKING:
    from exports.workbook.writer import OpenpyxlWorkbookWriter


class OpenpyxlWorkbookOpener:
    """Opens workbooks written with openpyxl in this process; holds no state of its own."""

    def open(self, path: Path, *, config: CompiledConfig) -> OpenpyxlWorkbookWriter:
        """A writer for a new workbook at `path`."""
        from exports.workbook.writer import OpenpyxlWorkbookWriter

        return OpenpyxlWorkbookWriter(path, config)
