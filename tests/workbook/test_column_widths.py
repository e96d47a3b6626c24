"""Each column of `Aktiviteter` is as wide as the longest value the configuration allows, bounded, before any row."""

from __future__ import annotations

import copy
from typing import Any

from exports.config.validation import CompiledConfig, compile_document
from exports.demo.configs import nhf_config
from exports.workbook.column_widths import (
    FREE_TEXT_WIDTH,
    WRAP_WIDTH,
    ColumnLayout,
    column_layout,
    column_layouts,
    longest_value,
)


def _config(columns: list[dict[str, Any]], **template: Any) -> CompiledConfig:
    """NHF's configuration with `columns` and the `template` settings given."""
    document = copy.deepcopy(nhf_config())
    document["columns"] = columns
    document["template"].update(template)
    return compile_document(document)


def _layout(column: dict[str, Any], **template: Any) -> ColumnLayout:
    """The layout of one column in a configuration of it alone."""
    config = _config([column], **template)
    return column_layout(config.columns[0], config=config)


def test_a_date_column_is_as_wide_as_its_format_or_the_longest_word_of_its_heading():
    assert _layout({"key": "d", "heading": "Dag", "source": "local_date", "format": "date"}) == ColumnLayout(
        width=len("DD.MM.YYYY") + 2, wraps=False
    )
    assert _layout(
        {"key": "d", "heading": "Aktivitetsdato i Oslo", "source": "local_date", "format": "date"}
    ) == ColumnLayout(width=len("Aktivitetsdato") + 2, wraps=False)


def test_a_yes_no_column_fits_the_longer_of_the_organisations_two_labels():
    column = {"key": "t", "heading": "OK", "source": "counts", "format": "boolean"}

    assert _layout(column, boolean_labels={"true": "Tellende", "false": "Nei"}).width == len("Tellende") + 2
    assert _layout(column, boolean_labels={"true": 1, "false": 0}).width == len("OK") + 2


def test_free_text_without_a_configured_width_gets_the_free_text_width_and_wraps():
    names = {"key": "n", "heading": "Navn", "source": "peer_mentor_name", "format": "text"}
    computed = {"key": "e", "heading": "Beskrivelse", "expression": "description", "format": "text"}

    assert _layout(names) == ColumnLayout(width=FREE_TEXT_WIDTH, wraps=True)
    assert _layout(computed) == ColumnLayout(width=FREE_TEXT_WIDTH, wraps=True)


def test_known_text_longer_than_the_wrap_width_is_held_to_it_and_wraps():
    reasons = {"key": "a", "heading": "Årsak", "source": "not_counted_reason", "format": "text"}

    assert _layout(reasons) == ColumnLayout(width=WRAP_WIDTH, wraps=True)


def test_known_text_that_fits_gets_its_longest_value_and_does_not_wrap():
    category = {"key": "k", "heading": "Kategori", "source": "category_label", "format": "text"}
    county = {"key": "f", "heading": "Fylke", "source": "county_name_of_branch", "format": "text"}
    config = _config([category, county])

    longest = [longest_value(column, config=config) for column in config.columns]

    assert longest == [len("Likepersonstelefon og kontakttjeneste"), len("Møre og Romsdal")]
    assert column_layouts(config) == [
        ColumnLayout(width=len("Likepersonstelefon og kontakttjeneste") + 2, wraps=False),  # 39: just within 40
        ColumnLayout(width=len("Møre og Romsdal") + 2, wraps=False),
    ]


def test_a_configured_width_is_kept_and_wraps_only_text_longer_than_it():
    narrow = {"key": "k", "heading": "Kategori", "source": "category_label", "format": "text", "width": 12}
    wide = {"key": "k", "heading": "Kategori", "source": "category_label", "format": "text", "width": 45}
    number = {"key": "v", "heading": "Varighet", "source": "duration_minutes", "format": "integer", "width": 3}

    assert _layout(narrow) == ColumnLayout(width=12, wraps=True)  # "Likepersonstelefon og kontakttjeneste" is 37
    assert _layout(wide) == ColumnLayout(width=45, wraps=False)
    assert _layout(number) == ColumnLayout(width=len("Varighet") + 2, wraps=False)  # the heading's word still fits


def test_fixed_length_fields_are_as_wide_as_their_values():
    config = _config(
        [
            {"key": "id", "heading": "ID", "source": "activity_id", "format": "text"},
            {"key": "fylke", "heading": "Fylkesnr.", "source": "county_code", "format": "text"},
            {"key": "kommune", "heading": "Knr", "source": "municipality_code", "format": "text"},
        ]
    )

    assert [longest_value(column, config=config) for column in config.columns] == [36, 2, 4]
    assert column_layouts(config) == [
        ColumnLayout(width=38, wraps=False),
        ColumnLayout(width=len("Fylkesnr.") + 2, wraps=False),
        ColumnLayout(width=6, wraps=False),
    ]


def test_the_activity_label_column_fits_the_longest_label_the_configuration_gives():
    config = _config([{"key": "a", "heading": "Aktivitet", "source": "activity_label", "format": "text"}])

    assert longest_value(config.columns[0], config=config) == len("Video- eller chatsamtale")
    assert column_layouts(config) == [ColumnLayout(width=len("Video- eller chatsamtale") + 2, wraps=False)]


def test_layouts_come_in_the_order_of_the_configured_columns():
    config = _config(
        [
            {"key": "tid", "heading": "Tid", "source": "local_time", "format": "time"},
            {"key": "navn", "heading": "Navn", "source": "peer_mentor_name", "format": "text", "width": 30},
        ],
        time_format="HH:MM:SS",
    )

    assert column_layouts(config) == [
        ColumnLayout(width=len("HH:MM:SS") + 2, wraps=False),
        ColumnLayout(width=30, wraps=True),
    ]
