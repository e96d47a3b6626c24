"""Progress stays cheap: the messages and audit writes of an export are bounded, however many rows it has."""

from __future__ import annotations

import pytest

from exports.container import services
from exports.domain import ExportProgress, Period, Phase, mapping_percent
from exports.lifecycle.progress import ProgressPublisher
from tests import factories

pytestmark = pytest.mark.django_db


class CountingGateway:
    """Counts the messages sent to the channel layer."""

    def __init__(self) -> None:
        self.sent = 0

    def group_send(self, group: str, message: dict) -> None:
        self.sent += 1


class CountingAudits:
    """The real audit service, counting progress writes."""

    def __init__(self) -> None:
        self.real = services().audits
        self.writes = 0

    def record_progress(self, *args, **kwargs) -> None:
        self.writes += 1
        self.real.record_progress(*args, **kwargs)

    def get(self, audit_id: int):
        return self.real.get(audit_id)


@pytest.mark.parametrize("rows", [1_000, 1_000_000])
def test_row_progress_is_bounded_by_percent_not_by_rows_or_time(rows):
    org = factories.organisation()
    audit = services().audits.create(
        organisation_id=org.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
    )
    now = [0.0]
    gateway, audits = CountingGateway(), CountingAudits()
    publisher = ProgressPublisher(audits, gateway, interval=0.25, clock=lambda: now[0])
    for done in range(0, rows + 1, 100):
        now[0] += 1.0  # a slow export: the interval alone would let every event through
        publisher.publish(
            org.pk,
            event=ExportProgress(
                audit_id=audit.pk,
                phase=Phase.MAPPING,
                rows_processed=done,
                rows_total=rows,
                percent=mapping_percent(done, total=rows),
            ),
        )
    assert gateway.sent == audits.writes <= 86
    assert gateway.sent == len({mapping_percent(done, total=rows) for done in range(0, rows + 1, 100)})
