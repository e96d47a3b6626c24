"""The state the page draws is read from an audit as recorded and survives a trip through a channel-layer message."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from exports.lifecycle.export_state import ExportState
from exports.models import BufdirExportAudit, ExportStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return factories.organisation("nhf", name="Norges Handikapforbund")


def audit(org, **fields) -> BufdirExportAudit:
    """An export of the first half of 2025 asked for by kari, as recorded (reloaded from the database)."""
    values = {
        "organisation": org,
        "period_from": dt.date(2025, 1, 1),
        "period_to": dt.date(2025, 6, 30),
        "requested_by_label": "kari",
    }
    values.update(fields)
    created = BufdirExportAudit.objects.create(**values)
    return BufdirExportAudit.objects.get(pk=created.pk)


def test_a_running_export_shows_its_phase_and_progress(org):
    running = audit(
        org,
        status=ExportStatus.RUNNING,
        phase="mapping",
        rows_processed=250,
        rows_total=1000,
        progress_percent=26,
    )
    state = ExportState.from_audit(running)
    assert state == ExportState(
        audit_id=running.pk,
        status=ExportStatus.RUNNING,
        phase="mapping",
        rows_processed=250,
        rows_total=1000,
        percent=26,
        error_message="",
        period_from="2025-01-01",
        period_to="2025-06-30",
        requested_by="kari",
        created_at=running.created_at.isoformat(),
        cancelled_by="",
        rows_exported=None,
    )
    assert state.is_active


def test_a_new_export_is_pending_with_nothing_done(org):
    state = ExportState.from_audit(audit(org))
    assert (state.status, state.rows_processed, state.rows_total, state.percent) == (ExportStatus.PENDING, 0, None, 0)
    assert state.is_active


@pytest.mark.parametrize("status", [ExportStatus.SUCCEEDED, ExportStatus.FAILED, ExportStatus.CANCELLED])
def test_a_finished_export_is_not_active(org, status):
    state = ExportState.from_audit(audit(org, status=status, finished_at=timezone.now()))
    assert state.status == status and not state.is_active


def test_a_failed_export_carries_its_message_and_a_succeeded_one_its_rows(org):
    failed = ExportState.from_audit(audit(org, status=ExportStatus.FAILED, error_message="Disken er full."))
    succeeded = ExportState.from_audit(
        audit(org, status=ExportStatus.SUCCEEDED, rows_exported=1234, period_from=dt.date(2024, 1, 1))
    )
    assert failed.error_message == "Disken er full." and failed.rows_exported is None
    assert succeeded.rows_exported == 1234 and succeeded.error_message == ""


def test_a_cancelled_export_names_who_cancelled_it(org):
    user = factories.member(org, username="ola")
    state = ExportState.from_audit(audit(org, status=ExportStatus.CANCELLED, cancelled_by=user))
    assert state.cancelled_by == "ola"


def test_the_message_is_plain_json_of_type_export_state(org):
    message = ExportState.from_audit(audit(org, status=ExportStatus.RUNNING, rows_total=10)).to_message()
    assert message["type"] == "export.state"
    assert message["status"] == "running" and type(message["status"]) is str
    assert json.loads(json.dumps(message)) == message


def test_a_state_read_back_from_its_message_is_the_same_state(org):
    user = factories.member(org, username="ola")
    state = ExportState.from_audit(
        audit(org, status=ExportStatus.CANCELLED, cancelled_by=user, rows_processed=3, rows_total=9)
    )
    message = json.loads(json.dumps(state.to_message()))
    assert ExportState.from_message(message) == state
    assert ExportState.from_message({**message, "unrelated": "ignored"}) == state


def test_created_is_the_moment_the_export_was_asked_for(org):
    recorded = audit(org)
    state = ExportState.from_audit(recorded)
    assert state.created == recorded.created_at
    assert state.created.tzinfo is not None
