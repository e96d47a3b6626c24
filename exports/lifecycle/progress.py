"""Persists the latest progress on the audit record and pushes it to the organisation's websocket group."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from asgiref.sync import async_to_sync

from exports.domain import ExportProgress
from exports.lifecycle.export_state import ExportState
from exports.lifecycle.state_machine import ExportStateMachine

logger = logging.getLogger(__name__)


def organisation_group(organisation_id: UUID | str) -> str:
    """The channel-layer group of one organisation's export pages."""
    return f"exports.org.{organisation_id}"


class ChannelLayerGateway:
    """Sends group messages through the channel layer, looked up on first use (no I/O at start-up)."""

    def __init__(self, layer_factory: Callable[[], Any]) -> None:
        self._layer_factory = layer_factory

    def group_send(self, group: str, message: dict[str, Any]) -> None:
        """Send one message to a group; a failure is logged, never raised into the export."""
        try:
            layer = self._layer_factory()
            if layer is not None:
                async_to_sync(layer.group_send)(group, message)
        except Exception:
            logger.warning("could not push export progress to %s", group, exc_info=True)


class ProgressPublisher:
    """Throttles progress: every phase change goes out, row progress at most once per interval and percent."""

    def __init__(
        self,
        audits: ExportStateMachine,
        gateway: ChannelLayerGateway,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._audits = audits
        self._gateway = gateway
        self._interval = interval
        self._clock = clock
        self._last: dict[int, tuple[str, float, int]] = {}

    def publish(self, organisation_id: UUID, *, event: ExportProgress) -> bool:
        """Record and push `event` unless an event of the same phase went out too recently or had its percent.

        So an export sends at most one message per phase and per percent, however many rows it has.
        """
        now = self._clock()
        last = self._last.get(event.audit_id)
        if last is not None and last[0] == event.phase and (now - last[1] < self._interval or last[2] == event.percent):
            return False
        self._last[event.audit_id] = (event.phase, now, event.percent)
        self._audits.record_progress(
            event.audit_id,
            phase=event.phase,
            rows_processed=event.rows_processed,
            rows_total=event.rows_total,
            percent=event.percent,
        )
        self.push_state(organisation_id, audit_id=event.audit_id)
        return True

    def push_state(self, organisation_id: UUID, *, audit_id: int) -> None:
        """Push the audit's recorded state (used for progress and for the final result)."""
        state = ExportState.from_audit(self._audits.get(audit_id))
        if not state.is_active:
            self._last.pop(audit_id, None)
        self._gateway.group_send(organisation_group(organisation_id), state.to_message())
