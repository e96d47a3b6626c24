"""The progress publisher: every phase change goes out, row progress is throttled, state is persisted."""

from __future__ import annotations

import pytest

from exports.container import services
from exports.domain import ExportProgress, Period, Phase
from exports.lifecycle.progress import ProgressPublisher, organisation_group
from tests import factories

pytestmark = pytest.mark.django_db


class RecordingGateway:
    """Collects group messages instead of sending them."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def group_send(self, group: str, message: dict) -> None:
        self.sent.append((group, message))


def test_row_progress_is_throttled_and_phase_changes_are_not():
    org = factories.organisation()
    audit = services().audits.create(
        organisation_id=org.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
    )
    assert services().audits.start(audit.pk)
    now = [0.0]
    gateway = RecordingGateway()
    publisher = ProgressPublisher(services().audits, gateway, interval=1.0, clock=lambda: now[0])

    sent = [
        publisher.publish(
            org.pk,
            event=ExportProgress(
                audit_id=audit.pk, phase=Phase.MAPPING, rows_processed=100, rows_total=1000, percent=10
            ),
        ),
        publisher.publish(
            org.pk,
            event=ExportProgress(
                audit_id=audit.pk, phase=Phase.MAPPING, rows_processed=200, rows_total=1000, percent=20
            ),
        ),
        publisher.publish(
            org.pk,
            event=ExportProgress(
                audit_id=audit.pk, phase=Phase.WRITING, rows_processed=1000, rows_total=1000, percent=92
            ),
        ),
    ]
    now[0] = 2.0
    sent.append(
        publisher.publish(
            org.pk,
            event=ExportProgress(
                audit_id=audit.pk, phase=Phase.WRITING, rows_processed=1000, rows_total=1000, percent=93
            ),
        )
    )

    assert sent == [True, False, True, True]
    assert [message["percent"] for _, message in gateway.sent] == [10, 92, 93]
    assert {group for group, _ in gateway.sent} == {organisation_group(org.pk)}
    audit.refresh_from_db()
    assert (audit.phase, audit.progress_percent, audit.rows_processed) == ("writing", 93, 1000)
