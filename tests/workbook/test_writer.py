"""The openpyxl writer puts listed rows on `Aktiviteter`, deviations most common first on `Avvik`, and saves it all."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.packaging.core import DocumentProperties

from exports.config.validation import CompiledConfig, compile_document
from exports.demo.configs import nhf_config
from exports.history.change_summary import ChangeSummary
from exports.rules.column_mapper import BufdirColumnMapper, MappedActivity
from exports.rules.summary import ExportSummary
from exports.source.activities import ActivityRecord
from exports.workbook.plan import WorkbookFacts
from exports.workbook.writer import WORKBOOK_LANGUAGE, OpenpyxlWorkbookWriter, describe_workbook
from tests.records import activity_record

MENTOR = uuid.UUID("00000000-0000-0000-0000-0000000000aa")
REJECTED = "Registreringen er avvist"
BAD_MUNICIPALITY = "Kommunenummeret finnes ikke eller har feil form (skal være fire sifre)"
UNCERTIFIED_VISIT = "Sykehusbesøk telles bare når likepersonen er godkjent"


def _record(number: int, **fields: Any) -> ActivityRecord:
    """Kari's home visit in Bergen on 1 March 2025 at 10:00 Oslo time, the `number`th minute after."""
    values: dict[str, Any] = {
        "id": uuid.UUID(int=number),
        "started_at": dt.datetime(2025, 3, 1, 9, number, tzinfo=dt.UTC),
        "peer_mentor_id": MENTOR,
    }
    return activity_record(**(values | fields))


def _rows(config: CompiledConfig) -> list[MappedActivity]:
    """Five activities: one that counts, a wrong municipality, two rejected, a visit by an uncertified mentor."""
    mapper = BufdirColumnMapper()
    records = [
        _record(1),
        _record(2, municipality_code="9999"),
        _record(3, status="rejected"),
        _record(4, activity_type="sykehusbesok", peer_mentor_certified_on=None),
        _record(5, status="rejected"),
    ]
    return [mapper.map(record, config=config) for record in records]


def _facts(**fields: Any) -> WorkbookFacts:
    """NHF's export of 2025."""
    values: dict[str, Any] = {
        "organisation_name": "Norges Handikapforbund",
        "org_number": "938477566",
        "period_from": dt.date(2025, 1, 1),
        "period_to": dt.date(2025, 12, 31),
        "config_version": 3,
        "template_name": "NHF – Bufdir likepersonsarbeid",
        "generated_at": dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.UTC),
    }
    return WorkbookFacts(**(values | fields))


def _write(path: Path, config: CompiledConfig, **facts: Any) -> Any:
    """The five activities written and closed at `path`; the workbook read back."""
    writer = OpenpyxlWorkbookWriter(path, config=config)
    totals = ExportSummary()
    for row in _rows(config):
        totals.add(row)
        writer.add(row)
    writer.close(_facts(**facts), totals=totals)
    return load_workbook(path)


def _nhf_without_links() -> CompiledConfig:
    """NHF's configuration without the app's address of a registration."""
    document = copy.deepcopy(nhf_config())
    del document["activity_url"]
    return compile_document(document)


def test_the_workbook_has_its_four_sheets_with_sammendrag_first_and_nothing_else_left_behind(tmp_path):
    book = _write(tmp_path / "eksport.xlsx", compile_document(nhf_config()))

    assert book.sheetnames == ["Sammendrag", "Aktiviteter", "Avvik", "Likepersoner"]
    assert book.active.title == "Sammendrag"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["eksport.xlsx"]  # the spool of Avvik is gone


def test_every_listed_row_is_on_aktiviteter_with_the_configured_values_and_formats(tmp_path):
    sheet = _write(tmp_path / "eksport.xlsx", compile_document(nhf_config()))["Aktiviteter"]

    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(column["heading"] for column in nhf_config()["columns"])
    assert [row[-1] for row in rows[1:]] == [str(uuid.UUID(int=number)) for number in (1, 2, 4)]  # not the rejected
    assert rows[1] == (
        dt.datetime(2025, 3, 1),
        dt.time(10, 1),
        "Vestland",
        "Bergen",
        "4601",
        "Hjemmebesøk",
        "Oppsøkende likepersonsarbeid",
        "Kari Nordmann",
        "Ja",
        60,
        1,
        "Ja",
        None,
        str(uuid.UUID(int=1)),
    )
    assert rows[3][11:13] == ("Nei", UNCERTIFIED_VISIT)
    assert (sheet["A2"].number_format, sheet["B2"].number_format) == ("DD.MM.YYYY", "HH:MM")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:N4"


def test_avvik_lists_the_most_common_reason_first_with_what_to_do_and_a_link_to_the_registration(tmp_path):
    sheet = _write(tmp_path / "eksport.xlsx", compile_document(nhf_config()))["Avvik"]

    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Årsak",
        "Slik retter du det",
        "Dato",
        "Starttid",
        "Aktivitetstype",
        "Kategori",
        "Likeperson",
        "Lokallag",
        "Fylke",
        "Kommunenr.",
        "Tellende",
        "Aktivitets-ID",
        "Lenke",
    )
    assert [(row[0], row[11]) for row in rows[1:]] == [
        (REJECTED, str(uuid.UUID(int=3))),
        (REJECTED, str(uuid.UUID(int=5))),
        (BAD_MUNICIPALITY, str(uuid.UUID(int=2))),
        (UNCERTIFIED_VISIT, str(uuid.UUID(int=4))),
    ]
    assert rows[3][1] == "Rett kommunenummeret i appen til kommunen der aktiviteten fant sted."
    assert rows[3][2:11] == (
        dt.datetime(2025, 3, 1),
        dt.time(10, 2),
        "Hjemmebesøk",
        "Oppsøkende likepersonsarbeid",
        "Kari Nordmann",
        "Bergen",
        "Vestland",
        "9999",
        "Ja",
    )
    link = sheet["M4"]
    assert link.value == "Åpne i appen"
    assert link.hyperlink.target == f"https://app.nhf.example/aktiviteter/{uuid.UUID(int=2)}"
    assert sheet.auto_filter.ref == "A1:M5"


def test_without_the_apps_address_avvik_has_no_link_column(tmp_path):
    sheet = _write(tmp_path / "eksport.xlsx", _nhf_without_links())["Avvik"]

    headings = next(sheet.iter_rows(max_row=1, values_only=True))
    assert len(headings) == 12 and headings[-1] == "Aktivitets-ID"
    assert not any(cell.hyperlink for row in sheet.iter_rows(min_row=2) for cell in row)


def test_the_peer_mentors_and_the_summary_are_written_from_the_totals(tmp_path):
    book = _write(tmp_path / "eksport.xlsx", compile_document(nhf_config()))

    mentors = list(book["Likepersoner"].iter_rows(values_only=True))
    assert mentors[1][:6] == ("Kari Nordmann", "Bergen", dt.datetime(2020, 1, 1), 3, 2, 3)
    summary = {row[0]: row[1] for row in book["Sammendrag"].iter_rows(max_col=2, values_only=True) if row[0]}
    assert (summary["Organisasjon"], summary["Registreringer lest"], summary["Rader i Aktiviteter"]) == (
        "Norges Handikapforbund",
        5,
        3,
    )


def test_the_changes_since_an_earlier_export_go_on_a_last_sheet_endringer(tmp_path):
    book = _write(tmp_path / "eksport.xlsx", compile_document(nhf_config()), changes=ChangeSummary())

    assert book.sheetnames == ["Sammendrag", "Aktiviteter", "Avvik", "Likepersoner", "Endringer"]
    assert book["Endringer"]["A1"].value == "Endringer siden forrige eksport"


def test_the_document_properties_name_the_service_the_organisation_and_the_period_in_norwegian(tmp_path):
    book = _write(tmp_path / "eksport.xlsx", compile_document(nhf_config()))

    properties = book.properties
    assert (properties.creator, properties.lastModifiedBy) == ("Bufdir-eksport", "Bufdir-eksport")
    assert properties.title == "Bufdir-rapport Norges Handikapforbund 01.01.2025–31.12.2025"
    assert properties.subject == "Likepersonsaktiviteter i Norges Handikapforbund for Bufdir"
    assert properties.description == "Laget av Bufdir-eksporten med kolonnekonfigurasjon versjon 3."
    assert properties.language == WORKBOOK_LANGUAGE == "nb-NO"


def test_characters_xml_refuses_are_left_out_of_the_organisation_in_the_properties():
    properties = DocumentProperties()

    describe_workbook(
        properties, facts=_facts(organisation_name="Norges\x0b Handikap\x00forbund"), period="01.01.2025–31.12.2025"
    )

    assert properties.title == "Bufdir-rapport Norges Handikapforbund 01.01.2025–31.12.2025"
    assert properties.subject == "Likepersonsaktiviteter i Norges Handikapforbund for Bufdir"


def test_a_discarded_workbook_leaves_no_file_behind_here_or_in_the_temporary_folder(tmp_path):
    config = compile_document(nhf_config())
    writer = OpenpyxlWorkbookWriter(tmp_path / "forkastet.xlsx", config=config)
    for row in _rows(config):
        writer.add(row)
    sheet_files = [sheet._writer.out for sheet in writer.workbook.worksheets if getattr(sheet, "_writer", None)]
    assert sheet_files and all(Path(name).is_file() for name in sheet_files)  # Aktiviteter streams to a file

    writer.discard()

    assert list(tmp_path.iterdir()) == []  # no workbook, no spool of Avvik
    assert not any(Path(name).exists() for name in sheet_files)
