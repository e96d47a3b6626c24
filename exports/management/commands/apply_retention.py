"""Delete old bundles and old audit details now, as the daily schedule does (`--dry-run` only lists them)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from exports.delivery.retention import retention_policy


class Command(BaseCommand):
    """`manage.py apply_retention [--dry-run]`."""

    help = (
        "Delete bundles older than EXPORT_RETENTION_DAYS (never the latest succeeded export of an "
        "organisation and period) and audit details older than AUDIT_DETAIL_RETENTION_DAYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """The --dry-run flag."""
        parser.add_argument("--dry-run", action="store_true", help="list what would be deleted; delete nothing")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        """Apply (or list) the retention rules and say what they did."""
        policy = retention_policy()
        report = policy.apply(dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        days = {"bundles": policy.bundle_days, "details": policy.detail_days}
        self.stdout.write(
            f"Bundles ({days['bundles'] or 'kept for ever'} days): {verb} {len(report.bundles)}"
            + (f" (exports {', '.join(map(str, report.bundles))})" if report.bundles else "")
        )
        self.stdout.write(f"Audit details ({days['details'] or 'kept for ever'} days): {verb} {len(report.details)}")
        if report.failed:
            self.stderr.write(
                f"Storage refused to delete the bundles of exports "
                f"{', '.join(map(str, report.failed))}; they are tried again on the next run."
            )
