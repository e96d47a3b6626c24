"""The app address of a registration: which templates are refused and why, and how an address is made."""

from __future__ import annotations

import uuid

import pytest

from exports.config.activity_links import activity_link, url_template_problem
from exports.config.schema import MAX_ACTIVITY_URL_LENGTH

TEMPLATE = "https://app.example.no/aktiviteter/{id}"


@pytest.mark.parametrize(
    "template",
    [
        TEMPLATE,
        "https://app.example.no/a/{id}?kilde=bufdir&fane=detaljer",
        "https://app.example.no:8443/#/aktivitet/{id}",
    ],
)
def test_an_https_address_with_one_id_placeholder_has_no_problem(template):
    assert url_template_problem(template) is None


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("http://app.example.no/aktiviteter/{id}", "må begynne med https://"),
        ("javascript:alert(1)//{id}", "må begynne med https://"),
        (
            "https://app.example.no/aktiviteter/",
            "må inneholde {id} nøyaktig én gang, der registreringens ID skal stå",
        ),
        (
            "https://app.example.no/{id}/{id}",
            "må inneholde {id} nøyaktig én gang, der registreringens ID skal stå",
        ),
        ("https://app.example.no/{org}/{id}", "kan ikke inneholde andre krøllparenteser enn {id}"),
        (
            "https://app.example.no/a b/{id}",
            "kan ikke inneholde mellomrom, anførselstegn, vinkelparenteser eller kontrolltegn",
        ),
        (
            'https://app.example.no/"><script>/{id}',
            "kan ikke inneholde mellomrom, anførselstegn, vinkelparenteser eller kontrolltegn",
        ),
        (
            "https://app.example.no/\n/{id}",
            "kan ikke inneholde mellomrom, anførselstegn, vinkelparenteser eller kontrolltegn",
        ),
        (
            "https:///aktiviteter/{id}",
            "må angi en vert (og ikke brukernavn eller passord), f.eks. https://app.example.no/aktiviteter/{id}",
        ),
        (
            "https://ola:hemmelig@app.example.no/{id}",
            "må angi en vert (og ikke brukernavn eller passord), f.eks. https://app.example.no/aktiviteter/{id}",
        ),
    ],
    ids=[
        "plain http",
        "a script address",
        "no placeholder",
        "two placeholders",
        "another brace",
        "a space",
        "quotes and angle brackets",
        "a line break",
        "no host",
        "a user name and password",
    ],
)
def test_a_template_that_is_not_one_registrations_address_is_refused_in_norwegian(template, problem):
    assert url_template_problem(template) == problem


def test_a_template_may_be_as_long_as_the_schema_allows_and_no_longer():
    head = "https://app.example.no/{id}/"
    longest = head + "a" * (MAX_ACTIVITY_URL_LENGTH - len(head))
    assert len(longest) == 500
    assert url_template_problem(longest) is None
    assert url_template_problem(longest + "a") == "er lengre enn 500 tegn"


def test_the_address_of_a_registration_puts_its_id_where_the_placeholder_was():
    activity_id = uuid.UUID("6f1c2a9e-3b7d-4c55-9a0e-2d4f8b1c7e30")
    assert activity_link(TEMPLATE, activity_id=activity_id) == (
        "https://app.example.no/aktiviteter/6f1c2a9e-3b7d-4c55-9a0e-2d4f8b1c7e30"
    )


def test_an_id_given_as_text_is_written_in_the_canonical_uuid_form():
    assert activity_link(
        "https://app.example.no/a/{id}?fane=1", activity_id="{6F1C2A9E-3B7D-4C55-9A0E-2D4F8B1C7E30}"
    ) == ("https://app.example.no/a/6f1c2a9e-3b7d-4c55-9a0e-2d4f8b1c7e30?fane=1")


@pytest.mark.parametrize("activity_id", ["../../admin", "1 OR 1=1", "", "6f1c2a9e"])
def test_an_id_that_is_not_a_uuid_never_becomes_part_of_an_address(activity_id):
    with pytest.raises(ValueError, match="badly formed"):
        activity_link(TEMPLATE, activity_id=activity_id)
