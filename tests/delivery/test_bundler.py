"""Bundler: the zip holds the workbook and a manifest whose facts, counts and checksums are right."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections import Counter

import pytest

from exports.delivery.bundler import MANIFEST_FORMAT_VERSION, MANIFEST_NAME, Bundler, ManifestFacts, file_digest
from exports.rules.summary import ExportSummary

GENERATED = dt.datetime(2026, 1, 15, 8, 30, 5, tzinfo=dt.UTC)


@pytest.fixture
def facts() -> ManifestFacts:
    """The facts of one export of 2025."""
    return ManifestFacts(
        organisation_id="8d6c3f1e-0000-4000-8000-000000000001",
        organisation_slug="nhf",
        organisation_name="Norges Handikapforbund",
        org_number="938477566",
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        config_id=7,
        config_version=3,
        generated_at=GENERATED,
        requested_by="nhf-admin",
    )


@pytest.fixture
def totals() -> ExportSummary:
    """Totals with a little of everything."""
    return ExportSummary(
        read=9,
        exported=7,
        counted=5,
        not_counted=2,
        deviations=3,
        rejected=1,
        unreadable=1,
        counted_by_category=Counter({"oppsokende": 4, "samtalegruppe": 1}),
        documented_by_category=Counter({"oppsokende": 5, "samtalegruppe": 2}),
        deviations_by_reason=Counter({"Mangler likeperson": 1, "Ukjent kommune": 2}),
    )


@pytest.fixture
def bundled(tmp_path, facts, totals):
    """A workbook stand-in bundled into tmp_path/bundle.zip."""
    workbook = tmp_path / "bufdir-nhf-2025.xlsx"
    workbook.write_bytes(b"not really a workbook, but bytes to checksum" * 100)
    bundle = Bundler().bundle(workbook, facts=facts, totals=totals, target=tmp_path / "bundle.zip")
    return workbook, bundle


def test_the_zip_holds_the_workbook_and_the_manifest(bundled):
    workbook, bundle = bundled
    with zipfile.ZipFile(bundle.path) as archive:
        assert sorted(archive.namelist()) == sorted([workbook.name, MANIFEST_NAME])
        assert archive.read(workbook.name) == workbook.read_bytes()
        assert archive.testzip() is None


def test_the_bundle_knows_its_own_size_and_checksum(bundled):
    _, bundle = bundled
    data = bundle.path.read_bytes()
    assert bundle.bytes == len(data)
    assert bundle.sha256 == hashlib.sha256(data).hexdigest() == file_digest(bundle.path)


def test_the_manifest_states_the_facts_counts_and_file_checksums(bundled, facts):
    workbook, bundle = bundled
    with zipfile.ZipFile(bundle.path) as archive:
        manifest = json.loads(archive.read(MANIFEST_NAME))
    assert manifest["format_version"] == MANIFEST_FORMAT_VERSION
    assert manifest["organisation"] == {
        "id": facts.organisation_id,
        "slug": "nhf",
        "name": "Norges Handikapforbund",
        "org_number": "938477566",
    }
    assert manifest["period"] == {"from": "2025-01-01", "to": "2025-12-31"}
    assert manifest["config"] == {"id": 7, "version": 3}
    assert manifest["rows"] == {
        "exported": 7,
        "counted": 5,
        "not_counted": 2,
        "deviations": 3,
        "rejected": 1,
        "unreadable": 1,
    }
    assert manifest["counted_by_category"] == {"oppsokende": 4, "samtalegruppe": 1, "aktivitetsgruppe": 0, "kurs": 0}
    assert sum(manifest["counted_by_category"].values()) == 5
    assert manifest["documented_by_category"] == {"oppsokende": 5, "samtalegruppe": 2}
    assert list(manifest["deviations_by_reason"].items()) == [("Ukjent kommune", 2), ("Mangler likeperson", 1)]
    assert manifest["files"] == [
        {
            "name": workbook.name,
            "sha256": hashlib.sha256(workbook.read_bytes()).hexdigest(),
            "bytes": workbook.stat().st_size,
        }
    ]
    assert manifest["generated_at"] == GENERATED.isoformat()
    assert manifest["requested_by"] == "nhf-admin"


def test_the_manifest_keeps_norwegian_letters_and_the_export_time(tmp_path, facts, totals):
    workbook = tmp_path / "w.xlsx"
    workbook.write_bytes(b"x")
    facts = ManifestFacts(**{**facts.__dict__, "organisation_name": "Foreningen for blødere i Norge"})
    bundle = Bundler().bundle(workbook, facts=facts, totals=totals, target=tmp_path / "b.zip")
    with zipfile.ZipFile(bundle.path) as archive:
        assert "blødere".encode() in archive.read(MANIFEST_NAME)
        assert archive.getinfo(MANIFEST_NAME).date_time == (2026, 1, 15, 8, 30, 4)


def test_the_same_export_bundles_to_the_same_bytes(tmp_path, facts, totals):
    workbook = tmp_path / "w.xlsx"
    workbook.write_bytes(b"same")
    first = Bundler().bundle(workbook, facts=facts, totals=totals, target=tmp_path / "1.zip")
    second = Bundler().bundle(workbook, facts=facts, totals=totals, target=tmp_path / "2.zip")
    assert first.sha256 == second.sha256
