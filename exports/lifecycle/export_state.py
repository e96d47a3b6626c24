"""The state the page shows for an export, built from an audit record or a progress message."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from exports.models import ExportStatus


@dataclass(frozen=True)
class ExportState:
    """What the page needs to draw an export: status, phase, progress, who started it and the error."""

    audit_id: int
    status: ExportStatus
    phase: str
    rows_processed: int
    rows_total: int | None
    percent: int
    error_message: str
    period_from: str
    period_to: str
    requested_by: str
    created_at: str
    cancelled_by: str
    rows_exported: int | None

    @classmethod
    def from_audit(cls, audit: Any) -> ExportState:
        """The state recorded on an audit."""
        return cls(
            audit_id=audit.pk,
            status=ExportStatus(audit.status),
            phase=audit.phase,
            rows_processed=audit.rows_processed,
            rows_total=audit.rows_total,
            percent=audit.progress_percent,
            error_message=audit.error_message,
            period_from=audit.period_from.isoformat(),
            period_to=audit.period_to.isoformat(),
            requested_by=audit.requested_by_label,
            created_at=audit.created_at.isoformat(),
            cancelled_by=audit.cancelled_by.get_username() if audit.cancelled_by_id else "",
            rows_exported=audit.rows_exported,
        )

    def to_message(self) -> dict[str, Any]:
        """A channel-layer message carrying this state."""
        return {"type": "export.state", **asdict(self), "status": str(self.status)}

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> ExportState:
        """The state carried by a channel-layer message."""
        values = {key: message[key] for key in cls.__dataclass_fields__}
        return cls(**{**values, "status": ExportStatus(values["status"])})

    @property
    def is_active(self) -> bool:
        """Whether the export is still pending or running."""
        return self.status.is_active

    @property
    def created(self) -> dt.datetime:
        """When the export was asked for."""
        return dt.datetime.fromisoformat(self.created_at)
