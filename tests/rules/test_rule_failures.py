"""A rule or column whose expression fails on rows is a configuration error: named, counted, never bad data."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from exports.config.expression_failures import BrokenExpression, ExpressionPlace
from exports.config.validation import compile_document
from exports.config.versions import save_column_config
from exports.container import services
from exports.demo.configs import nhf_config
from exports.domain import ExportFailure, ExportRequest, Period
from exports.models import Activity, BufdirExportAudit
from exports.rules.column_mapper import BufdirColumnMapper
from exports.rules.rule_failures import RuleFailure
from exports.source.local import LocalActivitySource
from tests import factories

pytestmark = pytest.mark.django_db


def _with_broken_rule() -> dict:
    """NHF's document with a counting rule that divides by zero on the rows and a column that adds text to a number."""
    document = copy.deepcopy(nhf_config())
    document["counting_rules"].append(
        {
            "id": "deler_paa_null",
            "reason": "Skal aldri vises",
            "require": "duration_minutes / (participant_count - 1) > 1",
        }
    )
    document["columns"].append(
        {"key": "rar", "heading": "Rar", "expression": "duration_minutes + 'x'", "format": "text"}
    )
    return document


@pytest.fixture
def org():
    """NHF with three counted home visits and the broken configuration active."""
    org = factories.organisation("nhf")
    save_column_config(organisation=org, document=_with_broken_rule(), active=True)
    local = factories.branch(org)
    mentor = factories.mentor(org, local)
    for day in range(1, 4):
        factories.activity(
            org, peer_mentor=mentor, local_branch=local, started_at=dt.datetime(2025, 5, day, 10, tzinfo=dt.UTC)
        )
    return org


def test_the_mapper_names_the_broken_rule_and_does_not_blame_the_row(org):
    compiled = compile_document(_with_broken_rule())
    record = next(iter(LocalActivitySource().stream(org.pk, period=Period.year(2025), chunk_size=10)))[0]
    mapped = BufdirColumnMapper().map(record, config=compiled)
    assert "Skal aldri vises" not in [reason.text for reason in mapped.reasons]
    assert [(broken.place, broken.name, broken.reason) for broken in mapped.broken] == [
        ("counting_rule", "deler_paa_null", "deling på null"),
        ("column", "Rar", "en verdi av feil type (for eksempel tekst der det trengs et tall, eller en tom verdi)"),
    ]


def test_the_export_fails_naming_each_rule_and_its_row_count(org, export_files):
    period = Period.year(2025)
    audit = services().audits.create(
        organisation_id=org.pk, requested_by_id=None, requested_by_label="tester", period=period
    )
    result = services().orchestrator.run(
        ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=period, requested_by="tester")
    )
    assert isinstance(result, ExportFailure)
    assert result.error_message.startswith(
        "Kolonnekonfigurasjonen er feil: telleregelen «deler_paa_null» kunne ikke beregnes på 3 rader "
        "(deling på null); kolonnen «Rar» kunne ikke beregnes på 3 rader (en verdi av feil type"
    )
    assert "Rett regelen i konfigurasjonen" in result.error_message
    audit.refresh_from_db()
    assert audit.status == BufdirExportAudit.Status.FAILED
    assert audit.error_message == result.error_message
    assert not audit.file_key
    first = str(Activity.objects.filter(organisation=org).order_by("started_at", "id").first().pk)
    assert (
        "- telleregelen «deler_paa_null» kunne ikke beregnes på 3 rader (deling på null); første aktivitet: "
        f"{first}; feil: «duration_minutes / (participant_count - 1) > 1»: ZeroDivisionError"
    ) in audit.error_detail

    admin = Client()
    admin.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-123"))
    page = admin.get(reverse("admin:exports_bufdirexportaudit_change", args=[audit.pk])).content.decode()
    assert "Feildetaljer" in page and f"første aktivitet: {first}" in page


def test_the_page_shows_the_broken_rule(org, export_files, client, sync_tasks, django_capture_on_commit_callbacks):
    client.force_login(factories.member(org))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("exports:start", args=["nhf"]), {"mode": "year", "year": "2025"}, HTTP_HX_REQUEST="true")
    page = client.get(reverse("exports:status", args=["nhf"])).content.decode()
    assert "deler_paa_null" in page and "3 rader" in page


def test_the_row_count_is_written_as_in_norwegian():
    failure = RuleFailure(
        broken=BrokenExpression(place=ExpressionPlace.VALIDATION, name="varighet_rimelig", reason="deling på null"),
        rows=12973,
        example_activity_id="x",
    )
    assert failure.in_words() == (
        "datakontrollen «varighet_rimelig» kunne ikke beregnes på 12\xa0973 rader (deling på null)"
    )
