"""The export compares the rows its source delivered with the count taken at the start: a short read is a failure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from exports.container import services
from exports.domain import ExportFailure
from exports.models import Activity
from exports.source.local import LocalActivitySource
from tests import factories
from tests.postgrest_fake import FakePostgrest
from tests.source.test_supabase_source import many_rows, source_over

pytestmark = pytest.mark.django_db


class CappedSource(LocalActivitySource):
    """The local tables read the way the old Supabase source read a capped API: the first 1,000 rows only."""

    def stream(self, organisation_id, period, chunk_size):
        delivered = 0
        for chunk in super().stream(organisation_id, period=period, chunk_size=chunk_size):
            chunk = chunk[: 1000 - delivered]
            delivered += len(chunk)
            if chunk:
                yield chunk


class UndercountingSource(LocalActivitySource):
    """A source whose count missed one activity (one was registered after it was taken)."""

    def count(self, organisation_id, period):
        return super().count(organisation_id, period=period) - 1


def stored_files(export_files) -> list[Path]:
    """Every file in the export storage."""
    return [path for path in Path(export_files._storage.location).rglob("*") if path.is_file()]


def plain(text: str) -> str:
    """Text with Norwegian digit grouping (a no-break space) written as a plain space."""
    return text.replace("\xa0", " ")


@pytest.fixture
def org_with_2500(db):
    """An organisation with 2,500 activities in 2025."""
    org = factories.organisation("nhf")
    start = dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC)
    Activity.objects.bulk_create(
        Activity(
            organisation=org,
            activity_type="hjemmebesok",
            started_at=start + dt.timedelta(hours=i // 3),
            duration_minutes=60,
            participant_count=1,
            municipality_code="4601",
            status="registered",
        )
        for i in range(2500)
    )
    return org


def test_fewer_rows_than_counted_fail_the_export_with_both_numbers_and_store_nothing(
    org_with_2500, run_export, export_files
):
    with services().override(activity_source=CappedSource()):
        done = run_export(org_with_2500)

    assert isinstance(done.result, ExportFailure)
    assert plain(done.result.error_message).startswith(
        "Kilden leverte 1 000 av 2 500 aktiviteter i perioden; eksporten er stoppet så ingen ufullstendig "
        "rapport sendes. Prøv igjen"
    )
    audit = done.audit
    assert (audit.status, audit.phase, audit.error_message) == ("failed", "failed", done.result.error_message)
    assert "counted 2500 activities at the start and delivered 1000" in audit.error_detail
    assert audit.file_key == "" and audit.rows_exported is None
    assert stored_files(export_files) == []


def test_more_rows_than_counted_fail_the_export_too(org_with_activities, run_export, export_files):
    with services().override(activity_source=UndercountingSource()):
        done = run_export(org_with_activities)

    assert isinstance(done.result, ExportFailure)
    assert plain(done.result.error_message).startswith(
        "Kilden leverte 25 aktiviteter, men 24 ble telt i perioden da eksporten startet"
    )
    assert "counted 24 activities at the start and delivered 25" in done.audit.error_detail
    assert done.audit.status == "failed" and stored_files(export_files) == []


def test_the_testers_case_2500_activities_behind_a_1000_row_cap_are_all_exported(run_export):
    org = factories.organisation("nhf")
    rows = [{**r, "organisation_id": str(org.pk)} for r in many_rows(2500, ties=4, seed=11)]
    fake = FakePostgrest(rows, max_rows=1000)
    with services().override(activity_source=source_over(fake)):
        done = run_export(org)

    bundle = done.succeeded_bundle
    assert done.result.rows_exported == 2500 == bundle.manifest["rows"]["exported"]
    assert done.audit.status == "succeeded" and done.audit.error_detail == ""
    assert sorted(row["Aktivitets-ID"] for row in bundle.rows("Aktiviteter")) == sorted(r["id"] for r in rows)
