"""Loading an organisation's active configuration: its own active version compiled, or an ExportError in Norwegian."""

from __future__ import annotations

import copy

import pytest

from exports.config.repository import ColumnConfigRepository
from exports.config.validation import CompiledConfig, InvalidColumnConfig
from exports.config.versions import save_column_config
from exports.demo.configs import hlf_config, nhf_config
from exports.domain import ExportError
from exports.models import Organisation, OrganisationColumnConfig
from tests import factories

pytestmark = pytest.mark.django_db


def renamed(document: dict, name: str) -> dict:
    """`document` with another template name, so the version that was loaded can be told apart."""
    changed = copy.deepcopy(document)
    changed["template"]["name"] = name
    return changed


def test_the_active_version_is_loaded_with_its_document_compiled():
    org = factories.organisation("nhf")
    config, compiled = ColumnConfigRepository().active_for(org.pk)
    assert (config.organisation_id, config.version, config.is_active) == (org.pk, 1, True)
    assert isinstance(compiled, CompiledConfig)
    document = nhf_config()
    assert compiled.template_name == "NHF – Bufdir likepersonsarbeid"
    assert [column.heading for column in compiled.columns] == [column["heading"] for column in document["columns"]]
    assert [rule.id for rule in compiled.counting_rules] == [rule["id"] for rule in document["counting_rules"]]
    assert compiled.activity_url == "https://app.nhf.example/aktiviteter/{id}"


def test_a_newer_version_that_is_not_active_is_not_loaded():
    org = factories.organisation("nhf")
    save_column_config(organisation=org, document=renamed(nhf_config(), "Utkast"), active=False)
    config, compiled = ColumnConfigRepository().active_for(org.pk)
    assert config.version == 1
    assert compiled.template_name == "NHF – Bufdir likepersonsarbeid"


def test_the_version_activated_last_is_the_one_loaded():
    org = factories.organisation("nhf")
    save_column_config(organisation=org, document=renamed(nhf_config(), "Versjon 2"), active=True)
    config, compiled = ColumnConfigRepository().active_for(org.pk)
    assert (config.version, compiled.template_name) == (2, "Versjon 2")


def test_each_organisation_gets_its_own_configuration():
    nhf = factories.organisation("nhf")
    hlf = factories.organisation("hlf")
    save_column_config(organisation=hlf, document=hlf_config(), active=True)
    repository = ColumnConfigRepository()
    hlf_version, hlf_compiled = repository.active_for(hlf.pk)
    nhf_version, nhf_compiled = repository.active_for(nhf.pk)
    assert (hlf_version.organisation_id, hlf_version.version) == (hlf.pk, 2)
    assert hlf_compiled.template_name == hlf_config()["template"]["name"]
    assert (nhf_version.organisation_id, nhf_compiled.template_name) == (nhf.pk, "NHF – Bufdir likepersonsarbeid")


def test_an_organisation_without_an_active_version_gets_an_error_that_says_what_to_do():
    org = Organisation.objects.create(slug="ny", name="Ny forening", org_number="938477566")
    save_column_config(organisation=org, document=nhf_config(), active=False)
    with pytest.raises(ExportError) as raised:
        ColumnConfigRepository().active_for(org.pk)
    assert str(raised.value) == (
        "Organisasjonen har ingen aktiv kolonnekonfigurasjon. En systemansvarlig må aktivere en i administrasjonen."
    )


def test_a_stored_version_that_no_longer_validates_is_an_error_naming_the_version_and_the_field():
    org = factories.organisation("nhf")
    broken = nhf_config()
    broken["columns"][2]["source"] = "fylke"
    OrganisationColumnConfig.objects.filter(organisation=org, is_active=True).update(document=broken)
    with pytest.raises(ExportError) as raised:
        ColumnConfigRepository().active_for(org.pk)
    message = str(raised.value)
    assert message.startswith(
        "Kolonnekonfigurasjon versjon 1 er ugyldig: kolonne 3, kildefelt ($.columns[2].source): "
        "«fylke» er ikke et felt på raden"
    )
    assert isinstance(raised.value.__cause__, InvalidColumnConfig)
