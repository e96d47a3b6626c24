"""Run a Bufdir export in the foreground: same orchestrator, a progress bar, the bundle copied to a folder."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from bufdir_site.data_presence import require_migrated_database
from exports.container import services
from exports.domain import (
    PHASE_LABELS,
    ExportFacts,
    ExportFailure,
    ExportProgress,
    ExportRequest,
    ExportSuccess,
    Period,
)
from exports.lifecycle.state_machine import ExportAlreadyActive
from exports.models import Organisation
from exports.regulation import category_label
from exports.rules.periods import PeriodNotChosen, PeriodOutOfBounds, parse_period
from exports.rules.row_account import OUTCOME_LABELS, ranked_reasons, row_account
from operations.log_context import export_log_context

_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")


def _date(text: str) -> dt.date:
    """Parse YYYY-MM-DD for argparse."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            _("«%(text)s» is not a date of the form YYYY-MM-DD (for example 2025-01-31)") % {"text": text[:60]}
        ) from exc


def _year(text: str) -> int:
    """Parse a four-digit year for argparse."""
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise argparse.ArgumentTypeError(_("«%(text)s» is not a year of the form YYYY") % {"text": text[:60]})
    return int(text)


def _slug(text: str) -> str:
    """An organisation slug for argparse."""
    if not _SLUG.fullmatch(text):
        raise argparse.ArgumentTypeError(
            _("«%(text)s» is not an organisation's short name (letters, digits, - and _)") % {"text": text[:60]}
        )
    return text


def command_line_label() -> str:
    """Who an export started from the command line was started by, when --requested-by is not given."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("the command line")


class TerminalProgressBar:
    """Draws one line that is redrawn as progress events arrive."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width

    def __call__(self, event: ExportProgress) -> None:
        filled = self.width * event.percent // 100
        total = f"/{event.rows_total}" if event.rows_total is not None else ""
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {event.percent:3d}% "
            f"{event.rows_processed}{total} {PHASE_LABELS.get(event.phase, event.phase)}\033[K"
        )
        self.stream.flush()


class PlainProgressLines:
    """One plain line per phase and per tenth of the rows, for log files: no carriage returns, no colour codes."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._last: tuple[str, int] | None = None

    def __call__(self, event: ExportProgress) -> None:
        step = (str(event.phase), event.percent // 10)
        if step == self._last:
            return
        self._last = step
        rows = ""
        if event.rows_total is not None:
            rows = " " + _("%(done)s of %(total)s") % {
                "done": _number(event.rows_processed),
                "total": _number(event.rows_total),
            }
        self.stream.write(f"{event.percent:3d} % {PHASE_LABELS.get(event.phase, event.phase)}{rows}\n")
        self.stream.flush()


def _number(value: int) -> str:
    """A whole number with the active language's thousands separator."""
    return number_format(value, force_grouping=True)


def summary_lines(*, organisation: Organisation, period: Period, result: ExportFacts) -> list[str]:
    """What the export found, in the active language, for the end of the command's output."""
    rows = result.get("rows", {})
    account = row_account(result)
    reasons = ranked_reasons(result)
    entries: list[tuple[int, str, int]] = [
        (1, _("Registrations read"), account.read),
        (1, _("Exported (sheet Aktiviteter)"), account.exported),
        (2, _("Counted"), account.counted),
        *((3, category_label(category), count) for category, count in account.counted_by_category.items()),
        *((2, str(OUTCOME_LABELS[key]), count) for key, count in account.not_counted_parts()),
        (1, _("Rejected registrations (only on Avvik)"), account.rejected),
        (1, _("Unreadable rows (only on Avvik)"), account.unreadable),
        (1, _("Need attention (sheet Avvik)"), rows.get("deviations", 0)),
        *((2, reason, count) for reason, count in reasons),
    ]
    width = max(2 * depth + len(label) for depth, label, _count in entries) + 2
    heading = _("Export for %(organisation)s, %(start)s–%(end)s") % {
        "organisation": organisation.name,
        "start": period.start.strftime("%d.%m.%Y"),
        "end": period.end.strftime("%d.%m.%Y"),
    }
    return [
        heading,
        *(f"{'  ' * depth}{label:<{width - 2 * depth}}{_number(count):>10}" for depth, label, count in entries),
    ]


class Command(BaseCommand):
    """`manage.py bufdir_export`."""

    help = "Export an organisation's peer-support activities for Bufdir and copy the bundle into a folder."

    def add_arguments(self, parser: CommandParser) -> None:
        """--org, --year or --from/--to, --out; the description and help in the active language."""
        parser.description = _(
            "Export an organisation's peer-support activities for Bufdir and copy the bundle into a folder."
        )
        parser.add_argument("--org", required=True, type=_slug, help=_("the organisation's short name, e.g. nhf"))
        parser.add_argument("--year", type=_year, help=_("calendar year (Norwegian time)"))
        parser.add_argument("--from", dest="date_from", type=_date, help=_("first date, YYYY-MM-DD"))
        parser.add_argument("--to", dest="date_to", type=_date, help=_("last date, YYYY-MM-DD (included)"))
        parser.add_argument("--out", required=True, type=Path, help=_("folder to copy the bundle into"))
        parser.add_argument(
            "--requested-by",
            default=command_line_label(),
            help=_("who started the export, as the export page and the audit show it"),
        )

    def _period(self, options: dict) -> Period:
        """The period from --year or --from/--to, held to the service's period rule."""
        try:
            return parse_period(year=options["year"], date_from=options["date_from"], date_to=options["date_to"])
        except PeriodOutOfBounds as exc:
            raise CommandError(str(exc)) from exc
        except PeriodNotChosen:
            raise CommandError(_("Give either --year YYYY or both --from YYYY-MM-DD and --to YYYY-MM-DD.")) from None

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the export in the foreground and copy its bundle into --out."""
        period = self._period(options)  # a wrong argument is told first: it needs no data
        require_migrated_database()
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(_("No organisation has the short name «%(slug)s».") % {"slug": options["org"]})
        out: Path = options["out"]
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(
                _("«%(folder)s» cannot be used as the output folder: %(problem)s")
                % {"folder": str(out)[:200], "problem": exc.strerror}
            ) from exc
        container = services()
        try:
            audit = container.audits.create(
                organisation_id=organisation.pk,
                requested_by_id=None,
                requested_by_label=options["requested_by"],
                period=period,
            )
        except ExportAlreadyActive as busy:
            raise CommandError(
                _(
                    "Export %(id)s of %(organisation)s is not finished (%(status)s, started by "
                    "%(starter)s); only one export runs at a time."
                )
                % {
                    "id": busy.active.pk,
                    "organisation": organisation.name,
                    "status": busy.active.get_status_display().lower(),
                    "starter": busy.active.requested_by_label or "–",
                }
            ) from None
        request = ExportRequest(
            audit_id=audit.pk, organisation_id=organisation.pk, period=period, requested_by=options["requested_by"]
        )
        terminal = sys.stderr.isatty()
        progress = TerminalProgressBar(sys.stderr) if terminal else PlainProgressLines(sys.stderr)
        with translation.override("nb"), export_log_context(export_id=audit.pk, organisation=organisation.slug):
            result = container.orchestrator.run(request, on_progress=progress)
        if terminal:
            sys.stderr.write("\n")
        if isinstance(result, ExportFailure):
            raise CommandError(result.error_message)
        if not isinstance(result, ExportSuccess):
            raise CommandError(_("Export %(id)s was cancelled or failed while it ran.") % {"id": audit.pk})
        target = out / Path(result.file_key).name
        try:
            descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with container.storage.open(result.file_key) as source, os.fdopen(descriptor, "wb") as destination:
                shutil.copyfileobj(source, destination)
        except OSError as exc:
            raise CommandError(
                _("The bundle could not be copied to «%(target)s»: %(problem)s")
                % {"target": str(target)[:200], "problem": exc.strerror}
            ) from exc
        with translation.override("nb"):
            for line in summary_lines(
                organisation=organisation, period=period, result=container.audits.get(audit.pk).facts or ExportFacts()
            ):
                self.stdout.write(line)
        self.stdout.write(str(target.resolve()))
