"""Zips the workbook with `manifest.json`, which carries the export's facts and file checksums."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exports.rules.summary import ExportSummary
from exports.workbook.plan import SHEET_DEVIATIONS, SHEET_PEER_MENTORS, SHEET_SUMMARY, activity_sheets

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT_VERSION = 1


@dataclass(frozen=True, kw_only=True)
class ManifestFacts:
    """The facts of an export that the manifest states besides its counts."""

    organisation_id: str
    organisation_slug: str
    organisation_name: str
    org_number: str
    period_from: dt.date
    period_to: dt.date
    config_id: int
    config_version: int
    generated_at: dt.datetime
    requested_by: str
    submitted: dict[str, Any] | None = None
    """The period's export marked as sent to Bufdir (id, sha256, marked_at), when there is one."""


@dataclass(frozen=True, kw_only=True)
class Bundle:
    """A finished zip bundle on local disk."""

    path: Path
    sha256: str
    bytes: int


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_manifest(facts: ManifestFacts, *, totals: ExportSummary, files: list[Path]) -> dict[str, Any]:
    """The manifest document of a bundle holding `files`."""
    return {
        "format_version": MANIFEST_FORMAT_VERSION,
        "organisation": {
            "id": facts.organisation_id,
            "slug": facts.organisation_slug,
            "name": facts.organisation_name,
            "org_number": facts.org_number,
        },
        "period": {"from": facts.period_from.isoformat(), "to": facts.period_to.isoformat()},
        "config": {"id": facts.config_id, "version": facts.config_version},
        "rows": {
            "exported": totals.exported,
            "counted": totals.counted,
            "not_counted": totals.not_counted,
            "deviations": totals.deviations,
            "rejected": totals.rejected,
            "unreadable": totals.unreadable,
        },
        "counted_by_category": totals.counted_categories(),
        "exported_by_outcome": totals.outcomes(),
        "documented_by_category": dict(sorted(totals.documented_by_category.items())),
        "deviations_by_reason": dict(totals.reasons_by_frequency()),
        "activity_sheets": [{"name": name, "rows": rows} for name, rows in activity_sheets(totals.exported)],
        "sheets": [
            *(name for name, _rows in activity_sheets(totals.exported)),
            SHEET_SUMMARY,
            SHEET_DEVIATIONS,
            SHEET_PEER_MENTORS,
        ],
        "peer_mentors": {"sheet": SHEET_PEER_MENTORS, "rows": len(totals.peer_mentors)},
        "files": [{"name": f.name, "sha256": file_digest(f), "bytes": f.stat().st_size} for f in files],
        "generated_at": facts.generated_at.isoformat(),
        "requested_by": facts.requested_by,
        "submitted_export": facts.submitted,
    }


class Bundler:
    """Builds bundles; holds no state of its own."""

    def bundle(self, workbook: Path, *, facts: ManifestFacts, totals: ExportSummary, target: Path) -> Bundle:
        """Zip `workbook` and its manifest into `target`."""
        manifest = build_manifest(facts, totals=totals, files=[workbook])
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            # An .xlsx is a zip already: stored as it is, not compressed a second time for nothing.
            archive.write(workbook, arcname=workbook.name, compress_type=zipfile.ZIP_STORED)
            entry = zipfile.ZipInfo(MANIFEST_NAME, date_time=facts.generated_at.timetuple()[:6])
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, json.dumps(manifest, ensure_ascii=False, indent=2))
        return Bundle(path=target, sha256=file_digest(target), bytes=target.stat().st_size)
