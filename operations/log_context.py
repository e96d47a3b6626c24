"""The export a log line belongs to: context variables set while an export runs, and the filter that adds them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_export_id: ContextVar[int | None] = ContextVar("log_export_id", default=None)
_organisation: ContextVar[str | None] = ContextVar("log_organisation", default=None)
_phase: ContextVar[str | None] = ContextVar("log_phase", default=None)

CONTEXT_FIELDS = ("export_id", "organisation", "phase")


@contextmanager
def export_log_context(*, export_id: int, organisation: str) -> Iterator[None]:
    """Within the block, log records carry the export's id, its organisation (slug) and its current phase."""
    tokens = (_export_id.set(export_id), _organisation.set(organisation), _phase.set(None))
    try:
        yield
    finally:
        _phase.reset(tokens[2])
        _organisation.reset(tokens[1])
        _export_id.reset(tokens[0])


def set_log_phase(phase: str) -> None:
    """Record the phase the running export has reached, for the log records that follow."""
    if _export_id.get() is not None:
        _phase.set(str(phase))


class ExportContextFilter(logging.Filter):
    """Adds `export_id`, `organisation` and `phase` (None outside an export) to every record; drops none."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Set the context attributes a record does not already have."""
        for name, variable in (("export_id", _export_id), ("organisation", _organisation), ("phase", _phase)):
            if getattr(record, name, None) is None:
                setattr(record, name, variable.get())
        return True
