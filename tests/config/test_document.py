"""The admin's document field: valid JSON is read, and every wrong text gets a Norwegian message that says where."""

from __future__ import annotations

import pytest
from django import forms

from exports.config.document import MAX_DOCUMENT_CHARACTERS, DocumentField, json_problem, read_document


class DocumentForm(forms.Form):
    """A form with the document field alone, as the admin's configuration form holds it."""

    document = DocumentField()


def refusal(text: str) -> forms.ValidationError:
    """The validation error `read_document` raises for `text`."""
    with pytest.raises(forms.ValidationError) as raised:
        read_document(text)
    return raised.value


def test_a_valid_document_is_read_with_its_values():
    assert read_document('{"navn": "NHF", "kolonner": [1, 2.5, null, true], "tom": {}}') == {
        "navn": "NHF",
        "kolonner": [1, 2.5, None, True],
        "tom": {},
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{\n  "a": 1,\n  "b" 2\n}',
            "JSON-teksten er ugyldig på linje 3, kolonne 7 (her mangler et kolon (:)).",
        ),
        (
            '{"a": 1,}',
            "JSON-teksten er ugyldig på linje 1, kolonne 9 (her skulle det stått et feltnavn i doble anførselstegn).",
        ),
        ("[1,]", "JSON-teksten er ugyldig på linje 1, kolonne 4 (her skulle det stått en verdi)."),
        (
            '{"a": "x\ny"}',
            "JSON-teksten er ugyldig på linje 1, kolonne 9 "
            "(et kontrolltegn, for eksempel et linjeskift, står inne i en tekst i anførselstegn).",
        ),
        (
            '{"a": 1} x',
            "JSON-teksten er ugyldig på linje 1, kolonne 10 (det står mer tekst etter slutten av dokumentet).",
        ),
        ("", "JSON-teksten er ugyldig på linje 1, kolonne 1 (her skulle det stått en verdi)."),
    ],
    ids=["missing colon", "trailing comma in an object", "trailing comma in a list", "a line break", "extra", "empty"],
)
def test_a_syntax_error_is_told_by_line_and_column_in_norwegian(text, message):
    error = refusal(text)
    assert error.code == "invalid"
    assert error.messages == [message]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_numbers_json_does_not_allow_are_refused_by_name(constant):
    error = refusal(f'{{"bredde": {constant}}}')
    assert error.code == "invalid"
    assert error.messages == [f"JSON-teksten er ugyldig: «{constant}» er ikke et tall JSON tillater"]


def test_a_document_longer_than_the_limit_is_refused_before_it_is_read():
    longest = '"' + "a" * (MAX_DOCUMENT_CHARACTERS - 2) + '"'
    assert read_document(longest) == "a" * 199_998
    error = refusal(longest + " ")
    assert error.code == "too_long"
    assert error.messages == ["Dokumentet er lengre enn 200\xa0000 tegn; et kolonneoppsett er mye mindre."]


def test_a_document_nested_too_deeply_is_refused_with_a_message_not_a_crash():
    error = refusal("[" * 50_000 + "]" * 50_000)
    assert error.code == "too_deep"
    assert error.messages == ["JSON-teksten er nøstet for dypt; et kolonneoppsett har bare noen få nivåer."]


def test_a_problem_of_a_kind_not_known_is_passed_on_unchanged_and_known_ones_are_translated():
    assert json_problem("Something new happened: char 3") == "Something new happened: char 3"
    assert json_problem("Expecting ',' delimiter: line 1 column 5 (char 4)") == "her mangler et komma (,)"
    assert json_problem("Illegal trailing comma before end of array") == "et komma står rett før den avsluttende ]"


def test_the_form_reads_the_document_into_its_value():
    form = DocumentForm(data={"document": '{"format_version": 1}'})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["document"] == {"format_version": 1}


def test_the_form_shows_the_error_and_gives_back_the_text_as_typed():
    typed = '{"format_version": 1,\n "columns": [}'
    form = DocumentForm(data={"document": typed})
    assert not form.is_valid()
    assert form.errors["document"] == [
        "JSON-teksten er ugyldig på linje 2, kolonne 14 (her skulle det stått en verdi)."
    ]
    assert form["document"].value() == typed
    assert "[}</textarea>" in str(form["document"])
