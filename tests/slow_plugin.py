"""A plugin that makes every row take a few milliseconds, so an export runs long enough to be stopped."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from exports.config.plugins import ExportRulePlugin

ROW_SECONDS = 0.004


class SlowPlugin(ExportRulePlugin):
    """Adds nothing to a row; only takes its time."""

    def reasons_not_counted(self, row: Mapping[str, Any]) -> Sequence[str]:
        """No reason, after a short sleep."""
        time.sleep(ROW_SECONDS)
        return ()
