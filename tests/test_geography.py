"""The geography table (SSB's classification valid from 2024-01-01) and its look-ups."""

from __future__ import annotations

import re

import pytest

from exports import geography_data
from exports.geography import county_name, is_municipality, municipality_county, municipality_name
from exports.geography_data import COUNTIES, MUNICIPALITIES


def test_the_table_names_its_source_and_version():
    source = geography_data.__doc__ or ""
    assert "SSB" in source and "Standard for kommuneinndeling" in source and "2024-01-01" in source


def test_there_are_fifteen_counties_with_two_digit_codes():
    assert len(COUNTIES) == 15
    assert all(re.fullmatch(r"\d{2}", code) for code in COUNTIES)


def test_there_are_357_municipalities():
    assert len(MUNICIPALITIES) == 357


def test_every_municipality_number_is_four_digits_starting_with_its_county_code():
    malformed = [code for code in MUNICIPALITIES if not re.fullmatch(r"\d{4}", code) or code[:2] not in COUNTIES]
    assert malformed == []


def test_every_county_has_a_municipality_and_every_name_is_given():
    assert {code[:2] for code in MUNICIPALITIES} == set(COUNTIES)
    assert all(name.strip() for name in [*COUNTIES.values(), *MUNICIPALITIES.values()])


@pytest.mark.parametrize(
    ("code", "county", "name", "county_label"),
    [
        ("0301", "03", "Oslo", "Oslo"),
        ("4601", "46", "Bergen", "Vestland"),
        ("5001", "50", "Trondheim", "Trøndelag"),
        ("5601", "56", "Alta", "Finnmark"),
    ],
)
def test_a_municipality_is_looked_up_with_its_county(code, county, name, county_label):
    assert is_municipality(code)
    assert municipality_county(code) == county
    assert municipality_name(code) == name
    assert county_name(county) == county_label


@pytest.mark.parametrize("code", ["1201", "0000", "460", "46011", "", None])
def test_numbers_that_are_not_municipalities_of_2024_are_refused(code):
    assert not is_municipality(code)
    assert municipality_county(code) is None
    assert municipality_name(code) == ""


def test_only_text_is_a_municipality_number():
    assert not is_municipality(4601)
    assert municipality_county(4601) is None


def test_an_unknown_county_code_is_shown_as_it_is():
    assert county_name("12") == "12"
    assert county_name("") == ""
    assert county_name(None) == ""
