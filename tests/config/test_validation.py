"""Column configurations: JSON Schema, compiled expressions, messages that point at the wrong field."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from exports.admin import ColumnConfigForm
from exports.config.row_variables import COLUMN_VARIABLES
from exports.config.validation import (
    InvalidColumnConfig,
    compile_document,
    validate_document,
)
from exports.config.versions import save_column_config
from exports.demo.configs import hlf_config, nhf_config
from exports.models import OrganisationColumnConfig, UnnumberedVersion
from tests import factories


def broken(change) -> dict:
    """The NHF document with one change applied."""
    document = copy.deepcopy(nhf_config())
    change(document)
    return document


@pytest.mark.parametrize("document", [nhf_config(), hlf_config()], ids=["nhf", "hlf"])
def test_demo_documents_are_valid(document):
    assert validate_document(document) == []
    assert compile_document(document).columns


BAD_DOCUMENTS = [
    ("not an object", lambda d: d.clear() or d.update({"x": 1}), "$.format_version"),
    ("missing columns", lambda d: d.pop("columns"), "$.columns"),
    (
        "unknown category",
        lambda d: d["activity_types"]["stand"].update(category="moro"),
        "$.activity_types.stand.category",
    ),
    ("bad column format", lambda d: d["columns"][0].update(format="money"), "$.columns[0].format"),
    (
        "syntax error",
        lambda d: d["counting_rules"][1].update(require="has_peer_mentor and"),
        "$.counting_rules[1].require",
    ),
    (
        "unknown name",
        lambda d: d["counting_rules"][4].update(require="duraton_minutes >= 45"),
        "$.counting_rules[4].require",
    ),
    (
        "attribute access",
        lambda d: d["validations"][0].update(require="municipality_code.__class__"),
        "$.validations[0].require",
    ),
    (
        "calling a non-function",
        lambda d: d["counting_rules"][0].update(require="open('/etc/passwd')"),
        "$.counting_rules[0].require",
    ),
    ("unknown source", lambda d: d["columns"][2].update(source="fylke"), "$.columns[2].source"),
    ("column with source and expression", lambda d: d["columns"][0].update(expression="local_date"), "$.columns[0]"),
]


@pytest.mark.parametrize(("name", "change", "path"), BAD_DOCUMENTS, ids=[case[0] for case in BAD_DOCUMENTS])
def test_bad_documents_are_refused_with_the_path_of_the_wrong_field(name, change, path):
    errors = validate_document(broken(change))
    assert any(error.path == path and error.field for error in errors), errors
    with pytest.raises(InvalidColumnConfig):
        compile_document(broken(change))


def test_messages_name_the_field_in_norwegian_words():
    with translation.override("nb"):
        errors = validate_document(broken(lambda d: d["columns"][2].update(source="fylke")))
    assert [str(error) for error in errors] == [
        "kolonne 3, kildefelt ($.columns[2].source): «fylke» er ikke et felt på raden; bruk ett av "
        + ", ".join(sorted(COLUMN_VARIABLES))
    ]


@pytest.mark.django_db
def test_model_refuses_to_save_an_invalid_document():
    org = factories.organisation()
    with pytest.raises(ValidationError) as raised:
        save_column_config(organisation=org, document={"format_version": 1})
    assert "document" in raised.value.message_dict


@pytest.mark.django_db
def test_a_version_saved_past_the_version_service_is_refused_in_words_not_by_the_database():
    org = factories.organisation()
    with pytest.raises(UnnumberedVersion, match="save_column_config"):
        OrganisationColumnConfig(organisation=org, document=nhf_config()).save()
    with pytest.raises(UnnumberedVersion):
        OrganisationColumnConfig.objects.create(organisation=org, document=nhf_config(), is_active=True)
    assert list(org.column_configs.values_list("version", "is_active")) == [(1, True)]


@pytest.mark.django_db
def test_versions_increase_and_only_one_is_active():
    org = factories.organisation()
    second = save_column_config(organisation=org, document=nhf_config(), active=True)
    assert second.version == 2
    assert list(org.column_configs.filter(is_active=True)) == [second]


@pytest.mark.django_db
def test_admin_form_shows_the_errors_of_a_bad_document():
    org = factories.organisation()
    document = broken(lambda d: d["counting_rules"][4].update(require="duraton_minutes >= 45"))
    import json

    form = ColumnConfigForm(
        data={"organisation": org.pk, "is_active": True, "comment": "", "document": json.dumps(document)}
    )
    assert not form.is_valid()
    assert any("$.counting_rules[4].require" in error for error in form.errors["document"])
