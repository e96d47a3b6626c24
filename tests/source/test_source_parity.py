"""The same activities read from the local tables and through the Supabase source give the same Aktiviteter sheet.

The Supabase side is the real source over the PostgREST fake (tests/postgrest_fake.py) holding the local
tables' rows as PostgREST serialises them, with a small "Max rows" so that pages, and ties, cross boundaries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from exports.container import services
from exports.models import Activity
from tests import factories
from tests.postgrest_fake import FakePostgrest
from tests.source.test_supabase_source import source_over

pytestmark = pytest.mark.django_db


def postgrest_row(activity: Activity) -> dict[str, Any]:
    """An activity as PostgREST returns it as JSON, with its peer mentor and local branch embedded."""
    mentor, branch = activity.peer_mentor, activity.local_branch
    return {
        "id": str(activity.id),
        "organisation_id": str(activity.organisation_id),
        "activity_type": activity.activity_type,
        "started_at": activity.started_at.isoformat(),
        "duration_minutes": activity.duration_minutes,
        "participant_count": activity.participant_count,
        "country_code": activity.country_code,
        "municipality_code": activity.municipality_code,
        "description": activity.description,
        "status": activity.status,
        "peer_mentor_id": str(activity.peer_mentor_id) if activity.peer_mentor_id else None,
        "local_branch_id": str(activity.local_branch_id) if activity.local_branch_id else None,
        "peer_mentors": None
        if mentor is None
        else {
            "full_name": mentor.full_name,
            "certified_on": mentor.certified_on.isoformat() if mentor.certified_on else None,
        },
        "local_branches": None
        if branch is None
        else {"name": branch.name, "county_code": branch.county_code, "municipality_code": branch.municipality_code},
    }


def sheet_cells(bundle, name: str) -> list[list[tuple[Any, str]]]:
    """Every cell of a sheet as (value, number format), row by row."""
    return [[(cell.value, cell.number_format) for cell in row] for row in bundle.workbook[name].iter_rows()]


def test_local_tables_and_supabase_give_the_same_activity_sheet(org_with_activities, run_export):
    org = org_with_activities
    same = dt.datetime(2025, 5, 5, 8, tzinfo=dt.UTC)
    for index in range(9):  # ties on the start time across the fake's pages of 7
        factories.activity(org, started_at=same, description=f"Samme tid {index}", participant_count=index or None)
    factories.activity(
        org,
        peer_mentor=None,
        local_branch=None,
        municipality_code=None,
        description=None,
        participant_count=None,
        duration_minutes=None,
        activity_type="samtalegruppe",
    )
    factories.activity(
        org,
        peer_mentor=factories.mentor(org, certified_on=None),
        status="approved",
        started_at=dt.datetime(2025, 12, 31, 22, 59, tzinfo=dt.UTC),
    )
    factories.activity(org, status="deleted")
    factories.activity(org, started_at=dt.datetime(2024, 12, 31, 22, 59, tzinfo=dt.UTC))
    factories.activity(factories.organisation("other"))
    rows = [postgrest_row(activity) for activity in Activity.objects.select_related("peer_mentor", "local_branch")]

    local = run_export(org).succeeded_bundle
    fake = FakePostgrest(rows, max_rows=7)
    with services().override(activity_source=source_over(fake)):
        remote = run_export(org).succeeded_bundle

    local_cells, remote_cells = sheet_cells(local, "Aktiviteter"), sheet_cells(remote, "Aktiviteter")
    assert len(local_cells) == 1 + 25 + 11
    assert len(remote_cells) == len(local_cells)
    for number, (local_row, remote_row) in enumerate(zip(local_cells, remote_cells, strict=True), start=1):
        assert remote_row == local_row, f"row {number} differs"
    assert sum(r.method == "GET" for r in fake.requests) == -(-36 // 7) + 1
