"""Opens an export bundle again: the manifest and the three sheets, read back with openpyxl."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook


@dataclass
class OpenedBundle:
    """A bundle's manifest, its raw files and its workbook."""

    manifest: dict[str, Any]
    files: dict[str, bytes]
    workbook: Any

    def rows(self, sheet: str) -> list[dict[str, Any]]:
        """A sheet's data rows as dicts keyed by heading."""
        values = list(self.workbook[sheet].iter_rows(values_only=True))
        headings = values[0]
        return [dict(zip(headings, row, strict=True)) for row in values[1:]]


def open_bundle(data: bytes) -> OpenedBundle:
    """Read a zip bundle from bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files["manifest.json"])
    workbook_name = next(name for name in files if name.endswith(".xlsx"))
    return OpenedBundle(manifest, files, load_workbook(io.BytesIO(files[workbook_name])))
