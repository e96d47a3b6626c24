"""The orchestrator with fakes swapped in: chunked streaming, the bundle, failures that lose nothing."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from exports.config.plugins import ExportRulePlugin, PluginRegistry
from exports.container import services
from exports.domain import ExportFailure, ExportSuccess, Period
from exports.models import OrganisationColumnConfig
from exports.source.local import LocalActivitySource
from tests import factories

pytestmark = pytest.mark.django_db


class CountingSource(LocalActivitySource):
    """The real source, remembering the size of every chunk it yields."""

    def __init__(self) -> None:
        self.chunks: list[int] = []

    def stream(self, organisation_id, period, chunk_size):
        for chunk in super().stream(organisation_id, period=period, chunk_size=chunk_size):
            self.chunks.append(len(chunk))
            yield chunk


def test_activities_are_streamed_in_chunks_by_keyset(org_with_activities, run_export):
    source = CountingSource()
    orchestrator = services().orchestrator
    with services().override(activity_source=source):
        services().orchestrator.chunk_size = 10
        result = run_export(org_with_activities).result
    assert orchestrator.chunk_size != 10
    assert source.chunks == [10, 10, 5]
    assert isinstance(result, ExportSuccess) and result.rows_exported == 25


def test_bundle_holds_workbook_manifest_checksums_and_chart(org_with_activities, run_export):
    done = run_export(org_with_activities, requested_by="tester")
    audit, bundle = done.audit, done.succeeded_bundle
    manifest = bundle.manifest
    assert manifest["format_version"] == 1
    assert manifest["organisation"] == {
        "id": str(org_with_activities.pk),
        "slug": "nhf",
        "name": "Norges Handikapforbund",
        "org_number": "938477566",
    }
    assert manifest["period"] == {"from": "2025-01-01", "to": "2025-12-31"}
    config = OrganisationColumnConfig.objects.get(organisation=org_with_activities, is_active=True)
    assert manifest["config"] == {"id": config.pk, "version": config.version}
    assert manifest["counted_by_category"] == {"oppsokende": 25, "samtalegruppe": 0, "aktivitetsgruppe": 0, "kurs": 0}
    assert manifest["documented_by_category"] == {"oppsokende": 25}
    assert manifest["requested_by"] == "tester"
    [entry] = manifest["files"]
    workbook_bytes = bundle.files[entry["name"]]
    assert entry["sha256"] == hashlib.sha256(workbook_bytes).hexdigest() and entry["bytes"] == len(workbook_bytes)
    assert bundle.workbook.sheetnames == ["Sammendrag", "Aktiviteter", "Avvik", "Likepersoner", "Endringer"]
    assert bundle.workbook.active.title == "Sammendrag"
    assert len(bundle.rows("Aktiviteter")) == manifest["rows"]["exported"]
    assert len(bundle.workbook["Sammendrag"]._charts) == 1
    summary = {row[0]: row[1:] for row in bundle.workbook["Sammendrag"].iter_rows(values_only=True) if row}
    assert summary["Organisasjonsnummer"][0] == "938477566"
    assert summary["Oslo"][:2] == ("03", 13) and summary["Vestland"][:2] == ("46", 12)
    assert (audit.status, audit.rows_exported, audit.rows_counted, audit.file_sha256) == (
        "succeeded",
        25,
        25,
        hashlib.sha256(done.data or b"").hexdigest(),
    )
    assert [event.phase for event in audit.events.all()] == [
        "queued",
        "loading_config",
        "querying",
        "mapping",
        "writing",
        "bundling",
        "storing",
        "done",
    ]


class BrokenStorage:
    """A storage whose service is down."""

    def save(self, *args, **kwargs):
        raise ConnectionError("storage unreachable")

    def delete(self, key):
        raise AssertionError("nothing was stored")


def test_a_storage_outage_fails_the_export_with_a_plain_message(org_with_activities, run_export):
    with services().override(export_storage=BrokenStorage()):
        done = run_export(org_with_activities)
    audit, result = done.audit, done.result
    assert isinstance(result, ExportFailure)
    assert "lagringstjenesten svarte ikke" in result.error_message
    assert audit.status == "failed" and audit.error_message == result.error_message
    assert audit.finished_at is not None and audit.phase == "failed"


def test_an_invalid_stored_configuration_fails_with_the_field_that_is_wrong(org_with_activities, run_export):
    config = OrganisationColumnConfig.objects.get(organisation=org_with_activities, is_active=True)
    document = config.document
    document["counting_rules"][0]["require"] = "category in"
    OrganisationColumnConfig.objects.filter(pk=config.pk).update(document=document)
    done = run_export(org_with_activities)
    assert isinstance(done.result, ExportFailure)
    assert "counting_rules[0].require" in done.result.error_message
    assert done.audit.status == "failed"


class FirstRowBreaksMapper:
    """The real mapper, except that it cannot read the first row."""

    def __init__(self, real) -> None:
        self.real, self.calls = real, 0

    def map(self, *args, **kwargs):
        self.calls += 1
        if self.calls == 1:
            raise ValueError("broken row")
        return self.real.map(*args, **kwargs)

    def map_or_flag(self, *args, **kwargs):
        return type(self.real).map_or_flag(self, *args, **kwargs)


def test_a_broken_row_goes_to_avvik_and_the_rest_is_exported(org_with_activities, run_export):
    mapper = FirstRowBreaksMapper(services().get("column_mapper"))
    with services().override(column_mapper=mapper):
        done = run_export(org_with_activities)
    assert isinstance(done.result, ExportSuccess) and done.result.rows_exported == 24
    bundle = done.succeeded_bundle
    [deviation] = bundle.rows("Avvik")
    assert "kunne ikke leses" in deviation["Årsak"]
    assert bundle.manifest["rows"]["unreadable"] == 1


class NoMondays(ExportRulePlugin):
    """A test plugin: a rule the JSON cannot express (here: weekday-based, as an example)."""

    def reasons_not_counted(self, row):
        return ["Mandag teller ikke"] if row["local_date"].weekday() == 0 else []

    def data_issues(self, row):
        return ["Beskrivelse mangler"] if not row["description"] else []


def test_plugins_registered_against_the_organisation_add_rules(org_with_activities, run_export):
    monday = factories.activity(
        org_with_activities,
        peer_mentor=factories.mentor(org_with_activities),
        description="Besøk",
        started_at=dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC),
    )
    registry = PluginRegistry({"nhf": [f"{__name__}.NoMondays"]})
    with services().override(plugin_registry=registry):
        bundle = run_export(org_with_activities, Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))).succeeded_bundle
    assert bundle.manifest["rows"]["exported"] == 26 and bundle.manifest["rows"]["counted"] == 25
    deviations = {row["Aktivitets-ID"]: row["Årsak"] for row in bundle.rows("Avvik")}
    assert deviations[str(monday.id)] == "Mandag teller ikke"
    assert len(deviations) == 26
    assert all(reason == "Beskrivelse mangler" for key, reason in deviations.items() if key != str(monday.id))
    other = PluginRegistry({"other": [f"{__name__}.NoMondays"]})
    assert other.for_organisation("nhf") == ()
