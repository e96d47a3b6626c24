"""Fail exports whose worker disappeared, so that no audit stays pending or running forever."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import ngettext

from bufdir_site.data_presence import require_migrated_database
from exports.container import services


class Command(BaseCommand):
    """`manage.py fail_stale_exports`."""

    help = (
        "Fail exports whose worker stopped sending heartbeats or that no worker took "
        "(the same check django-q2's schedule runs; see EXPORT_LOST_AFTER_SECONDS)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        """Fail the lost exports and say which."""
        require_migrated_database()
        with translation.override(settings.LANGUAGE_CODE):
            failed = services().reaper.reap()
            said = ngettext(
                "Failed %(count)s lost export: %(ids)s", "Failed %(count)s lost exports: %(ids)s", len(failed)
            )
            self.stdout.write(said % {"count": len(failed), "ids": ", ".join(map(str, failed)) or "–"})
