"""An export's `Avvik` rows are spooled, then saved as `ExportDeviation`s with their reasons ranked and app links."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest

from exports.config.validation import CompiledConfig, compile_document
from exports.delivery import deviation_records
from exports.delivery.deviation_records import DeviationRecords
from exports.demo.configs import nhf_config
from exports.models import BufdirExportAudit, ExportDeviation
from exports.rules.column_mapper import Finding, MappedActivity
from exports.rules.summary import ExportSummary
from exports.source.activities import OSLO
from tests import factories
from tests.records import activity_record

pytestmark = pytest.mark.django_db

NO_MENTOR = Finding(text="Mangler likeperson", action="Registrer likepersonen i appen.")
ABROAD = Finding(text="Aktiviteten fant sted utenfor Norge", action="Rett landet i appen.")


def row(
    *, findings: tuple[Finding, ...] = (NO_MENTOR,), counts: bool = False, category: str = "oppsokende", **fields: Any
) -> MappedActivity:
    """A mapped home visit at 23:30 UTC on 31 May 2025 (1 June in Oslo) that does not count for `findings`."""
    record = activity_record(**({"started_at": dt.datetime(2025, 5, 31, 23, 30, tzinfo=dt.UTC)} | fields))
    return MappedActivity(
        record=record,
        category=category,
        local_start=record.started_at.astimezone(OSLO),
        listed=True,
        counts=counts,
        reasons=() if counts else findings,
    )


def totals(reasons: dict[str, int] | None = None) -> ExportSummary:
    """Totals whose deviations had `reasons` (text to rows)."""
    return ExportSummary(deviations_by_reason=Counter(reasons or {}))


@pytest.fixture
def config() -> CompiledConfig:
    """NHF's template, which links each registration in the app."""
    return compile_document(nhf_config())


@pytest.fixture
def audit() -> BufdirExportAudit:
    """A running export of 2025."""
    return BufdirExportAudit.objects.create(
        organisation=factories.organisation("nhf"),
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        status=BufdirExportAudit.Status.RUNNING,
    )


def test_only_rows_that_belong_on_avvik_are_saved_with_what_the_page_shows(tmp_path, config, audit):
    records = DeviationRecords(tmp_path / "avvik.pickle", config=config)
    deviating = row()
    records.add(row(counts=True))
    records.add(row(activity_type="telefon", category="kontakt", findings=()))
    records.add(deviating)
    assert records.save(audit_id=audit.pk, totals=totals({"Mangler likeperson": 1})) == 1
    saved = ExportDeviation.objects.get(audit=audit)
    assert saved.activity_id == deviating.record.id
    assert saved.activity_date == dt.date(2025, 6, 1)
    assert (saved.activity_type, saved.peer_mentor, saved.local_branch) == ("Hjemmebesøk", "Kari Nordmann", "Bergen")
    assert saved.reason_list == ["Mangler likeperson"]
    assert saved.action == "Registrer likepersonen i appen."
    assert saved.activity_url == f"https://app.nhf.example/aktiviteter/{deviating.record.id}"


def test_a_rows_reasons_and_actions_come_most_common_reason_first(tmp_path, config, audit):
    records = DeviationRecords(tmp_path / "avvik.pickle", config=config)
    records.add(row(findings=(NO_MENTOR, ABROAD)))
    records.save(audit_id=audit.pk, totals=totals({"Mangler likeperson": 1, "Aktiviteten fant sted utenfor Norge": 7}))
    saved = ExportDeviation.objects.get(audit=audit)
    assert saved.reason_list == ["Aktiviteten fant sted utenfor Norge", "Mangler likeperson"]
    assert saved.action == "Rett landet i appen. Registrer likepersonen i appen."


def test_an_unknown_type_keeps_the_apps_code_and_names_are_cleaned(tmp_path, config, audit):
    records = DeviationRecords(tmp_path / "avvik.pickle", config=config)
    records.add(
        row(
            activity_type="bowling\x00",
            peer_mentor_name="Kari\x1f Nordmann",
            local_branch_name="B" * 300,
            findings=(Finding(text="Ukjent\x00 aktivitetstype", action="Rett typen."),),
        )
    )
    records.save(audit_id=audit.pk, totals=totals())
    saved = ExportDeviation.objects.get(audit=audit)
    assert (saved.activity_type, saved.peer_mentor) == ("bowling", "Kari Nordmann")
    assert saved.local_branch == "B" * 200
    assert saved.reason_list == ["Ukjent aktivitetstype"]


def test_without_an_app_address_a_deviation_has_no_link(tmp_path, audit):
    document = nhf_config()
    del document["activity_url"]
    records = DeviationRecords(tmp_path / "avvik.pickle", config=compile_document(document))
    records.add(row())
    records.save(audit_id=audit.pk, totals=totals())
    assert ExportDeviation.objects.get(audit=audit).activity_url == ""


def test_many_rows_are_saved_in_batches_and_all_counted(tmp_path, config, audit, monkeypatch):
    monkeypatch.setattr(deviation_records, "BATCH_ROWS", 2)
    records = DeviationRecords(tmp_path / "avvik.pickle", config=config)
    rows = [row() for _ in range(5)]
    for item in rows:
        records.add(item)
    assert records.save(audit_id=audit.pk, totals=totals({"Mangler likeperson": 5})) == 5
    assert set(ExportDeviation.objects.filter(audit=audit).values_list("activity_id", flat=True)) == {
        item.record.id for item in rows
    }


def test_forget_deletes_only_that_exports_deviations(tmp_path, config, audit):
    other = BufdirExportAudit.objects.create(
        organisation=audit.organisation,
        period_from=dt.date(2024, 1, 1),
        period_to=dt.date(2024, 12, 31),
        status=BufdirExportAudit.Status.SUCCEEDED,
    )
    for target in (audit, other):
        records = DeviationRecords(tmp_path / f"avvik-{target.pk}.pickle", config=config)
        records.add(row())
        records.save(audit_id=target.pk, totals=totals())
    DeviationRecords.forget(audit.pk)
    assert not ExportDeviation.objects.filter(audit=audit).exists()
    assert ExportDeviation.objects.filter(audit=other).count() == 1


def test_discard_removes_the_spool_and_saves_nothing(tmp_path, config, audit):
    path = tmp_path / "avvik.pickle"
    records = DeviationRecords(path, config=config)
    records.add(row())
    assert path.exists()
    records.discard()
    assert not path.exists()
    assert not ExportDeviation.objects.filter(audit=audit).exists()
    records.discard()
