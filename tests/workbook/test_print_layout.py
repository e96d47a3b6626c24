"""Print layout rules: the least scale, pages side by side, widths from what the configuration knows, wrapped rows."""

from __future__ import annotations

import pytest

from exports.config.validation import compile_document
from exports.demo.configs import hlf_config, nhf_config
from exports.workbook.column_widths import FREE_TEXT_WIDTH, WRAP_WIDTH, column_layouts
from exports.workbook.sheet_layout import FONT_POINTS, MIN_PRINTED_POINTS, SCALE_FLOOR, fitted_widths, print_layout
from exports.workbook.wrapping import LINE_HEIGHT, line_count, row_height


def test_the_least_scale_keeps_the_type_at_the_least_size():
    assert FONT_POINTS * SCALE_FLOOR / 100 >= MIN_PRINTED_POINTS + 0.2
    assert FONT_POINTS * (SCALE_FLOOR - 3) / 100 < MIN_PRINTED_POINTS


def test_narrow_columns_print_on_one_page_at_full_size_and_wide_ones_flow_over_pages_instead_of_shrinking():
    narrow = print_layout([12, 10, 20])
    assert (narrow.scale, narrow.pages_wide, narrow.repeat_first_column) == (100, 1, False)
    fitting = print_layout([30] * 5)  # 150 units: shrinks a little to one landscape page
    assert fitting.pages_wide == 1 and SCALE_FLOOR <= fitting.scale < 100 and fitting.orientation == "landscape"
    wide = print_layout([12, *[30] * 12])
    assert wide.scale == SCALE_FLOOR and wide.pages_wide > 1
    assert wide.repeat_first_column  # the narrow first column is on every page, as no page more is needed for it


def test_a_wide_first_column_is_not_repeated():
    assert not print_layout([45, *[30] * 12]).repeat_first_column


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("kort", 10, 1),
        ("en lang tekst som bryter over flere linjer", 20, 3),
        ("linje\nto", 20, 2),
        ("x" * 45, 20, 3),
        ("ord " * 500, 10, 27),  # at most Excel's tallest row
    ],
)
def test_lines_of_wrapped_text(text, width, lines):
    assert line_count(text, width) == lines


def test_a_row_is_as_tall_as_its_most_wrapped_cell_and_only_wrapping_columns_count():
    assert row_height([("kort", 10), (12345, 2)]) is None
    assert row_height([("en lang tekst som bryter over flere linjer", 20), ("x" * 80, None)]) == 3 * LINE_HEIGHT


def test_nhf_columns_fit_their_known_values_and_wrap_the_reason_and_free_text():
    layouts = dict(
        zip(
            (c["heading"] for c in nhf_config()["columns"]), column_layouts(compile_document(nhf_config())), strict=True
        )
    )
    assert layouts["Fylke"].width >= len("Møre og Romsdal") + 2 and not layouts["Fylke"].wraps
    assert layouts["Dato"].width == len("DD.MM.YYYY") + 2
    assert layouts["Tellende"].width == len("Tellende") + 2  # its heading; Ja/Nei are shorter
    assert layouts["Godkjent likeperson"].width == len("likeperson") + 2  # the heading wraps at its longest word
    assert layouts["Årsak til ikke tellende"].wraps and layouts["Årsak til ikke tellende"].width == 50  # configured
    assert layouts["Lokallag"].wraps  # free text, configured width
    assert layouts["Aktivitets-ID"].width == 38


def test_unconfigured_free_text_gets_a_bounded_width_and_wraps():
    layouts = column_layouts(compile_document(hlf_config()))
    assert all(layout.width <= max(WRAP_WIDTH, FREE_TEXT_WIDTH) or not layout.wraps for layout in layouts)


def test_fitted_widths_measure_values_and_let_a_lone_text_run_on_to_the_block_end():
    rows = [
        ["Bufdir-rapport: likepersonsaktiviteter, en lang tittel"],
        ["Kategori", "Tellende", "Dokumentert"],
        ["Annet", 12_345, 7],
    ]
    widths = fitted_widths(rows, bounds=(40, 16, 13))
    assert widths[:3] == [10, 10, 13]
    assert fitted_widths([["Organisasjon", "Et svært langt navn på en organisasjon"]], bounds=(20, 16, 13))[2] == 13
