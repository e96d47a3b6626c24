"""Wrapped text is counted in lines at word boundaries, and a row is made as tall as its most wrapped cell."""

from __future__ import annotations

from exports.workbook.wrapping import LINE_HEIGHT, MAX_LINES, line_count, row_height


def test_a_text_exactly_as_long_as_the_column_is_one_line():
    assert line_count("aaaa bbbb", width=9) == 1


def test_words_move_to_the_next_line_when_the_space_and_the_word_do_not_fit():
    assert line_count("aaaa bbbb cccc", width=9) == 2  # "aaaa bbbb" fills the line; "cccc" goes on
    assert line_count("aaaa bbb cc", width=9) == 2  # "aaaa bbb" is 8; a space and "cc" make 11
    assert line_count("aa bb cc dd ee", width=5) == 3  # "aa bb", "cc dd", "ee"


def test_each_line_break_starts_a_line_and_an_empty_line_counts_too():
    assert line_count("Bergen\n\nOslo", width=40) == 3


def test_a_word_longer_than_the_column_breaks_within_it():
    assert line_count("x" * 20, width=10) == 2
    assert line_count("x" * 21, width=10) == 3
    assert line_count("kort " + "y" * 25, width=10) == 4  # "kort", then 25 characters over three lines


def test_a_fractional_width_holds_only_its_whole_characters_and_a_zero_width_one():
    assert line_count("abcdefghij", width=9.9) == 2
    assert line_count("abc", width=0) == 3


def test_no_text_takes_more_lines_than_excels_tallest_row():
    assert line_count("\n" * 100, width=10) == MAX_LINES


def test_a_row_of_one_line_texts_keeps_the_default_height():
    assert row_height([("Bergen", 10.0), ("Oslo", 10.0)]) is None
    assert row_height([]) is None


def test_a_row_is_as_tall_as_the_cell_with_the_most_lines():
    height = row_height([("aa bb cc dd ee", 5.0), ("linje én\nlinje to", 20.0), ("kort", 5.0)])

    assert height == 3 * LINE_HEIGHT


def test_only_text_in_a_wrapping_column_makes_a_row_taller():
    not_wrapping = ("en lang tekst som ikke brytes i denne kolonnen", None)
    number = (123_456_789_012, 3.0)
    one_character = ("x", 0.5)  # one character fits even a column narrower than one
    assert row_height([not_wrapping, number, one_character]) is None
    assert row_height([not_wrapping, ("en\nto", 30.0)]) == 2 * LINE_HEIGHT
