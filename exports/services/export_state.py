"""The state the page shows for an export, built from an audit record or a progress message."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class ExportState:
    """What the page needs to draw an export: status, phase, progress and error."""

    audit_id: int
    status: str
    phase: str
    rows_processed: int
    rows_total: int | None
    percent: int
    error_message: str
    period_from: str
    period_to: str

    @classmethod
    def from_audit(cls, audit: Any) -> ExportState:
        """The state recorded on an audit."""
        return cls(
            audit_id=audit.pk,
            status=audit.status,
            phase=audit.phase,
            rows_processed=audit.rows_processed,
            rows_total=audit.rows_total,
            percent=audit.progress_percent,
            error_message=audit.error_message,
            period_from=audit.period_from.isoformat(),
            period_to=audit.period_to.isoformat(),
        )

    def to_message(self) -> dict[str, Any]:
        """A channel-layer message carrying this state."""
        return {"type": "export.state", **asdict(self)}

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> ExportState:
        """The state carried by a channel-layer message."""
        return cls(**{key: message[key] for key in cls.__dataclass_fields__})

    @property
    def is_active(self) -> bool:
        """Whether the export is still pending or running."""
        return self.status in ("pending", "running")
