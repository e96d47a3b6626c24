"""`manage.py check_ready`: the readiness checks of /readyz for scripts and systemd; exit status 0 or 1."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand

from operations.health import run_checks


class Command(BaseCommand):
    """Print the readiness report (with detail) as JSON; exit 0 when ready, 1 when not."""

    help = "Run the readiness checks (database, broker, channel layer, storage, worker) and exit 0 when ready."

    def handle(self, *args: Any, **options: Any) -> None:
        """Run every check now (no cache) and exit with the outcome."""
        report = run_checks()
        self.stdout.write(json.dumps(report.as_json(detail=True), indent=2))
        if not report.ok:
            sys.exit(1)
