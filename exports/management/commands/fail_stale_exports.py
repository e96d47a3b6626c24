"""Fail exports whose worker disappeared, so that no audit stays pending or running forever."""
import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand

from exports.container import services


class Command(BaseCommand):
    """`manage.py fail_stale_exports`."""

    help = "Mark exports that have not moved for EXPORT_STALE_AFTER_SECONDS as failed."

    def handle(self, *args, **options) -> None:
        """Fail the stale exports and say which."""
        failed = services().audits.fail_stale(dt.timedelta(seconds=settings.BUFDIR_EXPORT["STALE_AFTER_SECONDS"]))
        self.stdout.write(f"failed {len(failed)} stale export(s): {failed}")
