"""One JSON object per log line (LOG_FORMAT=json): time, level, logger, message and the export's context."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from operations.log_context import CONTEXT_FIELDS


class JsonFormatter(logging.Formatter):
    """Formats a record as a single-line JSON object; only fixed fields, never the record's other attributes."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON: timestamp (UTC, ISO 8601), level, logger, message, context and any traceback."""
        entry: dict[str, Any] = {
            "timestamp": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
