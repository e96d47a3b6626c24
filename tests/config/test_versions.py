"""A configuration reaches exports only proven: saved inactive, tried as an export maps, then activated."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from exports.config.validation import validate_document
from exports.config.versions import save_column_config
from exports.container import services
from exports.demo.configs import nhf_config
from exports.domain import ExportFailure, ExportRequest, Period
from exports.models import OrganisationColumnConfig
from tests import factories
from tests.trials import try_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, sync_tasks):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-123")
    client.force_login(user)
    return client


@pytest.fixture
def org():
    """NHF with its demo configuration active and three home visits in 2025, one of them in a group of 2."""
    org = factories.organisation("nhf")
    for day, participants in ((1, 1), (2, 1), (3, 2)):
        factories.activity(org, participant_count=participants, started_at=dt.datetime(2025, 5, day, 10, tzinfo=dt.UTC))
    return org


def _dividing_by_zero_on_rows() -> dict:
    """NHF's document whose «varighet_rimelig» divides by zero on rows with one participant."""
    document = copy.deepcopy(nhf_config())
    [rule] = [rule for rule in document["validations"] if rule["id"] == "varighet_rimelig"]
    rule["require"] = "0 < duration_minutes / (participant_count - 1) <= 1440"
    return document


def _edit_active(admin_client, org, document) -> OrganisationColumnConfig:
    """Save `document` over the organisation's active version in the admin; the version it became."""
    active = OrganisationColumnConfig.objects.get(organisation=org, is_active=True)
    admin_client.post(
        reverse("admin:exports_organisationcolumnconfig_change", args=[active.pk]),
        {"comment": "endret", "document": json.dumps(document), "_continue": "1"},
    )
    return OrganisationColumnConfig.objects.filter(organisation=org).latest("version")


def _try(admin_client, config, year="2025"):
    return try_version(admin_client, config, {"year": year})


def _activate(admin_client, config):
    return admin_client.post(reverse("admin:exports_organisationcolumnconfig_activate", args=[config.pk]), follow=True)


def test_an_edit_of_the_active_version_is_a_new_inactive_version_shown_with_a_message(admin_client, org):
    response = admin_client.post(
        reverse(
            "admin:exports_organisationcolumnconfig_change",
            args=[OrganisationColumnConfig.objects.get(organisation=org).pk],
        ),
        {"comment": "ny", "is_active": "on", "document": json.dumps(_dividing_by_zero_on_rows())},
        follow=True,
    )
    new = OrganisationColumnConfig.objects.get(organisation=org, version=2)
    assert not new.is_active and OrganisationColumnConfig.objects.get(organisation=org, version=1).is_active
    assert response.redirect_chain[-1][0] == reverse("admin:exports_organisationcolumnconfig_change", args=[new.pk])
    assert response.context["original"].pk == new.pk
    page = response.content.decode()
    assert "Endringen er lagret som en ny versjon, 2; versjon 1 er beholdt slik den var." in page
    assert "Den blir aktiv først når den er prøvd uten feil på en periode og deretter aktivert." in page


def test_activation_is_refused_before_a_trial_and_not_offered(admin_client, org):
    new = _edit_active(admin_client, org, _dividing_by_zero_on_rows())
    page = admin_client.get(reverse("admin:exports_organisationcolumnconfig_try", args=[new.pk])).content.decode()
    assert 'id="activate-version"' not in page and "Ikke prøvd uten feil" in page
    change = admin_client.get(reverse("admin:exports_organisationcolumnconfig_change", args=[new.pk]))
    assert "Ikke prøvd uten feil" in change.content.decode() and 'name="is_active"' not in change.content.decode()
    response = _activate(admin_client, new)
    assert "Versjon 2 er ikke prøvd uten feil, og kan derfor ikke aktiveres." in response.content.decode()
    assert not OrganisationColumnConfig.objects.get(pk=new.pk).is_active
    assert (
        admin_client.get(reverse("admin:exports_organisationcolumnconfig_activate", args=[new.pk])).status_code == 405
    )


def test_a_trial_shows_the_rule_that_fails_as_the_export_would_and_activation_stays_refused(admin_client, org):
    new = _edit_active(admin_client, org, _dividing_by_zero_on_rows())
    response = _try(admin_client, new)
    [failure] = response.context["result"].failures
    assert (failure.broken.name, failure.rows, failure.broken.reason) == ("varighet_rimelig", 2, "deling på null")
    page = response.content.decode()
    assert (
        "Kolonnekonfigurasjonen er feil: datakontrollen «varighet_rimelig» kunne ikke beregnes på 2 rader "
        "(deling på null)."
    ) in page
    assert "Versjon 2 kan ikke aktiveres: en eksport med den ville feilet." in page
    assert 'id="activate-version"' not in page
    assert OrganisationColumnConfig.objects.get(pk=new.pk).proven_at is None
    response = _activate(admin_client, new)
    assert "kan derfor ikke aktiveres" in response.content.decode()
    assert not OrganisationColumnConfig.objects.get(pk=new.pk).is_active


def test_a_trial_without_errors_lets_the_version_be_activated_and_records_who(admin_client, org):
    document = copy.deepcopy(nhf_config())
    document["template"]["name"] = "Ny mal"
    new = _edit_active(admin_client, org, document)
    response = _try(admin_client, new)
    page = response.content.decode()
    assert "Ingen regel eller kolonne feilet på disse registreringene." in page and 'id="activate-version"' in page
    proven = OrganisationColumnConfig.objects.get(pk=new.pk)
    assert (proven.proven_period_from, proven.proven_period_to, proven.proven_rows) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
        3,
    )
    assert proven.proven_by.username == "root" and len(proven.proven_document_sha256) == 64
    document["template"]["name"] = "Enda en mal"
    admin_client.post(
        reverse("admin:exports_organisationcolumnconfig_change", args=[new.pk]),
        {"comment": "endret igjen", "document": json.dumps(document)},
    )
    third = OrganisationColumnConfig.objects.get(organisation=org, version=3)
    assert (third.proven_at, third.proven_document_sha256, third.is_active) == (None, "", False)
    assert OrganisationColumnConfig.objects.get(pk=new.pk).proven_at == proven.proven_at
    response = _activate(admin_client, new)
    assert "Versjon 2 av Org nhf er nå aktiv." in response.content.decode()
    active = OrganisationColumnConfig.objects.get(organisation=org, is_active=True)
    assert active.pk == new.pk and active.activated_by.username == "root" and active.activated_at is not None


def test_a_version_changed_since_its_trial_or_tried_on_no_rows_is_not_activated(admin_client, org):
    document = copy.deepcopy(nhf_config())
    document["template"]["name"] = "Ny mal"
    new = _edit_active(admin_client, org, document)
    _try(admin_client, new)
    document["template"]["name"] = "Endret i databasen"
    OrganisationColumnConfig.objects.filter(pk=new.pk).update(document=document)
    response = _activate(admin_client, new)
    assert "Versjon 2 er endret siden den ble prøvd" in response.content.decode()
    page = _try(admin_client, new, year="2024").content.decode()
    assert "Perioden har ingen registreringer" in page
    assert OrganisationColumnConfig.objects.get(pk=new.pk).proven_at is None
    assert not OrganisationColumnConfig.objects.get(pk=new.pk).is_active


def test_a_failing_trial_withdraws_an_earlier_proof(admin_client, org):
    new = _edit_active(admin_client, org, _dividing_by_zero_on_rows())
    factories.activity(org, participant_count=2, started_at=dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC))
    _try(admin_client, new, year="2024")
    assert OrganisationColumnConfig.objects.get(pk=new.pk).proven_at is not None
    _try(admin_client, new, year="2025")
    assert OrganisationColumnConfig.objects.get(pk=new.pk).proven_at is None
    assert "kan derfor ikke aktiveres" in _activate(admin_client, new).content.decode()


def test_the_active_version_cannot_be_deleted_in_the_admin_or_in_code(admin_client, org):
    active = OrganisationColumnConfig.objects.get(organisation=org)
    old = save_column_config(organisation=org, document=nhf_config(), comment="utkast")
    message = "Versjon 1 er den aktive kolonnekonfigurasjonen til Org nhf og kan ikke slettes"
    change = admin_client.get(reverse("admin:exports_organisationcolumnconfig_change", args=[active.pk]))
    assert "deletelink" not in change.content.decode()
    response = admin_client.post(
        reverse("admin:exports_organisationcolumnconfig_delete", args=[active.pk]), {"post": "yes"}, follow=True
    )
    assert message in response.content.decode()
    changelist = reverse("admin:exports_organisationcolumnconfig_changelist")
    response = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [active.pk, old.pk], "post": "yes"}, follow=True
    )
    assert message in response.content.decode()
    assert OrganisationColumnConfig.objects.filter(organisation=org).count() == 2
    with pytest.raises(ValidationError):
        active.delete()
    with pytest.raises(ValidationError):
        OrganisationColumnConfig.objects.filter(organisation=org).delete()
    admin_client.post(changelist, {"action": "delete_selected", "_selected_action": [old.pk], "post": "yes"})
    assert list(OrganisationColumnConfig.objects.filter(organisation=org)) == [active]


@pytest.mark.parametrize(
    ("place", "expression", "shown"),
    [
        ("columns", "1/0", "«1 / 0» kan ikke beregnes (deling på null)"),
        ("counting_rules", "int('x') > 1", "«int('x') > 1» kan ikke beregnes (en verdi som ikke kan gjøres om"),
        ("validations", "len(5) > 1", "«len(5) > 1» kan ikke beregnes (en verdi av feil type"),
        ("validations", "duration_minutes / (3 - 3) < 1440", "«duration_minutes / (3 - 3)» deler på null"),
    ],
)
def test_expressions_that_always_fail_are_refused_at_save_naming_the_field(place, expression, shown):
    document = copy.deepcopy(nhf_config())
    if place == "columns":
        document["columns"].append({"key": "x", "heading": "X", "expression": expression, "format": "text"})
        path = f"$.columns[{len(document['columns']) - 1}].expression"
    else:
        document[place][0]["require"] = expression
        path = f"$.{place}[0].require"
    [error] = validate_document(document)
    assert error.path == path and error.field
    assert error.message.startswith("feiler alltid: ") and shown in error.message


@pytest.mark.parametrize(
    "expression",
    [
        "duration_minutes / 60 > 1",
        "int('42') == 42",
        "len('abc') == 3 and duration_minutes > 0",
        "duration_minutes is None or (True or 1/0)",
        "duration_minutes / (participant_count - 1) > 0",
    ],
)
def test_ordinary_expressions_are_accepted(expression):
    document = copy.deepcopy(nhf_config())
    document["validations"][0]["require"] = expression
    assert validate_document(document) == []


def test_the_export_fails_on_the_same_rows_the_trial_found(admin_client, org, export_files):
    new = _edit_active(admin_client, org, _dividing_by_zero_on_rows())
    [tried] = _try(admin_client, new).context["result"].failures
    save_column_config(organisation=org, document=new.document, active=True)
    audit = services().audits.create(
        organisation_id=org.pk, requested_by_id=None, requested_by_label="tester", period=Period.year(2025)
    )
    result = services().orchestrator.run(
        ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=Period.year(2025), requested_by="tester")
    )
    assert isinstance(result, ExportFailure)
    assert f"datakontrollen «varighet_rimelig» kunne ikke beregnes på {tried.rows} rader (deling på null)" in (
        result.error_message
    )
