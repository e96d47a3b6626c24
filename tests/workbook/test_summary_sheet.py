"""`Sammendrag` answers who, when and how many on one portrait page, beside the earlier export's numbers."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from exports.history.comparison import Comparison, comparison_from
from exports.rules.summary import ExportSummary
from exports.workbook.plan import WorkbookFacts
from exports.workbook.sheet_layout import SCALE_FLOOR
from exports.workbook.summary_sheet import SummarySheet

CONTINUES = "Sammendrag fortsetter på neste side: med lesbar skriftstørrelse får det ikke plass på én side"


def _totals(**fields: Any) -> ExportSummary:
    """An export of 12 rows: 10 on `Aktiviteter` (6 counted), one rejected, one unreadable, 3 on `Avvik`."""
    values: dict[str, Any] = {
        "read": 12,
        "exported": 10,
        "counted": 6,
        "not_counted": 4,
        "deviations": 3,
        "rejected": 1,
        "unreadable": 1,
        "counted_by_category": Counter(oppsokende=5, kurs=1),
        "documented_by_category": Counter(oppsokende=6, kurs=1, kontakt=2, annet=1),
        "counted_by_county": Counter({"46": 5, "03": 1}),
        "counted_by_branch": Counter({("Bergen", "46"): 5, ("Oslo", "03"): 1}),
        "deviations_by_reason": Counter({"Kommunenummer mangler": 1, "Registreringen er avvist": 2}),
    }
    return ExportSummary(**(values | fields))


def _last_year() -> Comparison:
    """The export of 2024: 7 counted outreach rows in Vestland, one rejected registration on `Avvik`."""
    earlier = ExportSummary(
        read=9,
        exported=8,
        counted=7,
        not_counted=1,
        deviations=1,
        rejected=1,
        counted_by_category=Counter(oppsokende=7),
        documented_by_category=Counter(oppsokende=7, kontakt=1),
        counted_by_county=Counter({"46": 7}),
        deviations_by_reason=Counter({"Registreringen er avvist": 1}),
    )
    return comparison_from(
        result=earlier.as_facts(),
        period_from=dt.date(2024, 1, 1),
        period_to=dt.date(2024, 12, 31),
        current_from=dt.date(2025, 1, 1),
    )


def _written(
    tmp_path: Path, totals: ExportSummary, *, comparison: Comparison | None = None, notes: Sequence[Sequence[Any]] = ()
) -> Any:
    """`Sammendrag` of NHF's export of 2025 written into a write-only workbook, saved and read back."""
    facts = WorkbookFacts(
        organisation_name="Norges Handikapforbund",
        org_number="938477566",
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        config_version=3,
        template_name="NHF – Bufdir likepersonsarbeid",
        generated_at=dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.UTC),
        comparison=comparison,
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sammendrag")
    SummarySheet(sheet, date_format="DD.MM.YYYY", datetime_format="DD.MM.YYYY HH:MM").write(
        facts=facts, totals=totals, notes=notes
    )
    workbook.save(tmp_path / "sammendrag.xlsx")
    return load_workbook(tmp_path / "sammendrag.xlsx")["Sammendrag"]


def _trimmed(values: Sequence[Any]) -> tuple[Any, ...]:
    """Values without their trailing empty cells."""
    kept = list(values)
    while kept and kept[-1] is None:
        kept.pop()
    return tuple(kept)


def _left(sheet: Any) -> list[tuple[Any, ...]]:
    """The left stack (columns A to E), row by row."""
    return [_trimmed(row[:5]) for row in sheet.iter_rows(values_only=True)]


def _right(sheet: Any) -> list[tuple[Any, ...]]:
    """The right stack (columns G to I), its non-empty rows."""
    return [_trimmed(row[6:9]) for row in sheet.iter_rows(values_only=True) if any(row[6:9])]


def _block(rows: list[tuple[Any, ...]], heading: str) -> list[tuple[Any, ...]]:
    """The rows from the one starting with `heading` to the next empty row."""
    start = next(index for index, row in enumerate(rows) if row and row[0] == heading)
    end = next((index for index in range(start, len(rows)) if not rows[index]), len(rows))
    return rows[start:end]


def test_the_first_rows_say_whose_export_of_which_period_under_which_configuration(tmp_path):
    sheet = _written(tmp_path, _totals())

    assert _left(sheet)[:7] == [
        ("Bufdir-rapport: likepersonsarbeid",),
        ("Organisasjon", "Norges Handikapforbund"),
        ("Organisasjonsnummer", "938477566"),
        ("Periode fra", dt.datetime(2025, 1, 1)),
        ("Periode til", dt.datetime(2025, 12, 31)),
        ("Kolonnekonfigurasjon", "NHF – Bufdir likepersonsarbeid (versjon 3)"),
        ("Generert", dt.datetime(2026, 1, 5, 8, 30)),
    ]
    assert sheet["B4"].number_format == "DD.MM.YYYY" and sheet["B7"].number_format == "DD.MM.YYYY HH:MM"
    assert "B2:E2" in {str(cells) for cells in sheet.merged_cells.ranges}  # the value spans the number columns


def test_each_category_shows_counted_documented_and_not_counted_then_the_totals(tmp_path):
    rows = _block(_left(_written(tmp_path, _totals())), "Kategori")

    assert rows == [
        ("Kategori", "Tellende", "Dokumentert", "Ikke tellende"),
        ("Oppsøkende likepersonsarbeid", 5, 6, 1),
        ("Samtalegruppe", 0, 0, 0),
        ("Aktivitetsgruppe", 0, 0, 0),
        ("Likepersonskurs", 1, 1, 0),
        ("Likepersonstelefon og kontakttjeneste", 0, 2, 2),
        ("Annet", 0, 1, 1),
        ("Sum tellende", 6),
        ("Sum dokumentert", None, 10),
        ("Sum ikke tellende", None, None, 4),
    ]


def test_unknown_activity_types_get_a_row_only_when_there_are_some(tmp_path):
    unknown = _totals(documented_by_category=Counter(oppsokende=6, kurs=1, kontakt=2, ukjent=1))

    with_unknown = [row[0] for row in _block(_left(_written(tmp_path, unknown)), "Kategori")]
    without = [row[0] for row in _block(_left(_written(tmp_path, _totals())), "Kategori")]

    assert with_unknown[7] == "Ukjent aktivitetstype" and "Ukjent aktivitetstype" not in without


def test_every_row_read_is_accounted_for_by_outcome(tmp_path):
    rows = _block(_left(_written(tmp_path, _totals())), "Alle rader, fordelt")

    assert rows == [
        ("Alle rader, fordelt", "Rader"),
        ("Tellende", 6),
        ("Telefon- og kontakttjeneste (føres for seg, telles aldri)", 2),
        ("Andre aktiviteter (dokumenteres, telles aldri)", 1),
        ("Telles ikke etter en telleregel (står i Avvik)", 1),
        ("Rader i Aktiviteter", 10),
        ("Avviste registreringer (bare i Avvik)", 1),
        ("Uleselige rader (bare i Avvik)", 1),
        ("Registreringer lest", 12),
    ]


def test_counties_local_branches_and_deviation_reasons_are_listed_with_the_most_common_reason_first(tmp_path):
    totals = _totals(
        counted_by_county=Counter({"46": 4, "03": 1, "": 1}),
        counted_by_branch=Counter({("Bergen", "46"): 4, ("Oslo", "03"): 1, ("", ""): 1}),
    )
    sheet = _written(tmp_path, totals)
    left = _left(sheet)

    assert _block(left, "Fylke") == [
        ("Fylke", "Fylkesnr.", "Tellende"),
        ("(uten fylke)", None, 1),
        ("Oslo", "03", 1),
        ("Vestland", "46", 4),
    ]
    assert _right(sheet) == [
        ("Lokallag", "Fylke", "Tellende"),
        ("(uten lokallag)", None, 1),
        ("Bergen", "Vestland", 4),
        ("Oslo", "Oslo", 1),
    ]
    assert _block(left, "Rader i Avvik, per årsak") == [
        ("Rader i Avvik, per årsak", None, None, "Rader"),
        ("Registreringen er avvist", None, None, 2),
        ("Kommunenummer mangler", None, None, 1),
        ("Rader i Avvik", None, None, 3),
    ]


def test_an_export_without_deviations_says_so(tmp_path):
    sheet = _written(tmp_path, _totals(deviations=0, deviations_by_reason=Counter()))

    assert _block(_left(sheet), "Rader i Avvik, per årsak")[1:] == [("Ingen avvik",), ("Rader i Avvik", None, None, 0)]


def test_last_years_numbers_stand_beside_this_years_under_i_fjor(tmp_path):
    left = _left(_written(tmp_path, _totals(), comparison=_last_year()))

    categories = _block(left, "Kategori")
    assert categories[0] == ("Kategori", "Tellende", "Dokumentert", "Ikke tellende", "I fjor")
    assert [row[4] if len(row) > 4 else None for row in categories[1:8]] == [7, 0, 0, 0, None, None, 7]
    assert _block(left, "Alle rader, fordelt")[0] == ("Alle rader, fordelt", "Rader", "I fjor")
    assert _block(left, "Alle rader, fordelt")[-1] == ("Registreringer lest", 12, 9)
    assert _block(left, "Fylke")[1:] == [("Oslo", "03", 1, 0), ("Vestland", "46", 5, 7)]
    assert _block(left, "Rader i Avvik, per årsak")[1:] == [
        ("Registreringen er avvist", None, None, 2, 1),
        ("Kommunenummer mangler", None, None, 1, 0),
        ("Rader i Avvik", None, None, 3, 1),
    ]


def test_notes_are_written_under_the_tables(tmp_path):
    left = _left(_written(tmp_path, _totals(), notes=[["Aktiviteter er delt", "Aktiviteter, Aktiviteter 2"]]))

    note = left.index(("Aktiviteter er delt", "Aktiviteter, Aktiviteter 2"))
    assert left[note - 1] == () and left[note + 2][0] == "Rader i Avvik, per årsak"


def test_a_summary_that_fits_is_fitted_to_one_portrait_page_with_the_chart_of_the_counting_categories(tmp_path):
    sheet = _written(tmp_path, _totals())

    assert sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 1)
    [chart] = sheet._charts
    series = chart.series[0]
    assert series.val.numRef.f == "'Sammendrag'!$B$10:$B$13"  # Tellende of the four counting categories
    assert series.cat.numRef.f == "'Sammendrag'!$A$10:$A$13"
    assert [sheet[f"A{row}"].value for row in range(10, 14)] == [
        "Oppsøkende likepersonsarbeid",
        "Samtalegruppe",
        "Aktivitetsgruppe",
        "Likepersonskurs",
    ]


def test_a_summary_too_long_for_one_page_says_so_and_prints_at_the_least_readable_scale(tmp_path):
    branches = Counter({(f"Lokallag {number:03}", "46"): 1 for number in range(90)})
    sheet = _written(tmp_path, _totals(counted_by_branch=branches))

    assert sheet["A2"].value == CONTINUES
    assert sheet["A3"].value == "Organisasjon"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is False
    assert sheet.page_setup.scale == SCALE_FLOOR
    assert len(_right(sheet)) == 91
    assert sheet._charts[0].series[0].val.numRef.f == "'Sammendrag'!$B$11:$B$14"  # still the counting categories
