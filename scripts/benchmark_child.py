"""One measured run of the benchmark, in its own process: the project's export, a bare openpyxl loop, or
django-import-export, over the same rows. Prints one `BENCH_RESULT {json}` line with its peak RSS."""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_PACKAGES = ROOT / "var" / "bench-packages"

# The 14 columns of the peers' sheet: the activity with its peer mentor and local branch joined.
PEER_COLUMNS = (
    "id",
    "activity_type",
    "started_at",
    "duration_minutes",
    "participant_count",
    "country_code",
    "municipality_code",
    "description",
    "status",
    "peer_mentor__full_name",
    "peer_mentor__certified_on",
    "local_branch__name",
    "local_branch__county_code",
    "local_branch__municipality_code",
)


def _usage() -> dict[str, Any]:
    """Peak resident set sizes in KiB (this process's, the largest of its children: the writer process) and the
    CPU seconds of both."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "peak_rss_kib": max(own.ru_maxrss, children.ru_maxrss),
        "own_rss_kib": own.ru_maxrss,
        "children_rss_kib": children.ru_maxrss,
        "cpu": own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime,
        "cpu_children": children.ru_utime + children.ru_stime,
    }


def _setup() -> None:
    """Set up Django for this process."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bufdir_site.settings")
    import django

    django.setup()


def _queryset(org: str, year: int):
    """The rows the export reads: one organisation's year, deleted ones left out, in export order."""
    from exports.domain import Period
    from exports.models import Activity, Organisation
    from exports.source.activities import period_bounds

    organisation = Organisation.objects.get(slug=org)
    start, end = period_bounds(Period.year(year))
    return (
        Activity.objects.filter(organisation=organisation, started_at__gte=start, started_at__lt=end)
        .exclude(status=Activity.Status.DELETED)
        .order_by("started_at", "id")
    )


def run_project(args: argparse.Namespace) -> dict[str, Any]:
    """`manage.py bufdir_export` in this process, counting progress messages and audit writes."""
    from django.core.management import call_command
    from django.db import connection

    from exports.lifecycle.progress import ChannelLayerGateway
    from exports.models import BufdirExportAudit

    counts = {"progress_messages": 0, "audit_writes": 0, "queries": 0}
    send = ChannelLayerGateway.group_send

    def counted_send(self, group: str, message: dict[str, Any]) -> None:
        counts["progress_messages"] += 1
        send(self, group, message)

    def count_queries(execute, sql, params, many, context):
        counts["queries"] += 1
        if sql.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"} and (
            "bufdirexportaudit" in sql.lower()
        ):
            counts["audit_writes"] += 1
        return execute(sql, params, many, context)

    ChannelLayerGateway.group_send = counted_send  # type: ignore[method-assign]
    started = time.perf_counter()
    with connection.execute_wrapper(count_queries):
        call_command("bufdir_export", org=args.org, year=args.year, out=Path(args.out), stdout=sys.stderr)
    seconds = time.perf_counter() - started
    audit = BufdirExportAudit.objects.order_by("-pk").first()
    events = list(audit.events.order_by("at", "pk").values_list("phase", "at"))
    phases: dict[str, float] = {}
    for (phase, at), (_, following) in zip(events, events[1:], strict=False):
        phases[phase] = phases.get(phase, 0.0) + (following - at).total_seconds()
    return {
        "seconds": seconds,
        "rows_read": audit.rows_total,
        "rows_listed": audit.rows_exported,
        "phases": phases,
        **counts,
    }


def _activity_sheets(out: Path) -> dict[str, Any]:
    """The sheets of activities in the bundle's workbook and in its manifest (the workbook copied out in chunks)."""
    import re
    import shutil
    import zipfile

    bundle = max(out.glob("*.zip"), key=lambda path: path.stat().st_mtime)
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        name = next(entry for entry in archive.namelist() if entry.endswith(".xlsx"))
        with archive.open(name) as source, open(out / "workbook-copy.xlsx", "wb") as copy:
            shutil.copyfileobj(source, copy, 1 << 20)
    with zipfile.ZipFile(out / "workbook-copy.xlsx") as workbook:
        sheets = re.findall(r'<sheet [^>]*name="([^"]+)"', workbook.read("xl/workbook.xml").decode())
    (out / "workbook-copy.xlsx").unlink()
    return {
        "workbook_sheets": sheets,
        "manifest_sheets": [[sheet["name"], sheet["rows"]] for sheet in manifest["activity_sheets"]],
    }


def run_bare(args: argparse.Namespace) -> dict[str, Any]:
    """values_list().iterator() over the same rows and joins into one write-only openpyxl sheet."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from exports.source.activities import OSLO as oslo

    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Aktiviteter")
    sheet.append(list(PEER_COLUMNS))
    rows = 0
    for row in _queryset(args.org, args.year).values_list(*PEER_COLUMNS).iterator(chunk_size=2000):
        row = list(row)
        row[0] = str(row[0])
        row[2] = row[2].astimezone(oslo).replace(tzinfo=None)
        if row[7]:
            row[7] = ILLEGAL_CHARACTERS_RE.sub("", row[7])
        sheet.append(row)
        rows += 1
    workbook.save(Path(args.out) / "bare.xlsx")
    return {"seconds": time.perf_counter() - started, "rows_read": rows, "rows_listed": rows}


def run_import_export(args: argparse.Namespace) -> dict[str, Any]:
    """A django-import-export ModelResource over the same queryset, exported to xlsx."""
    sys.path.insert(0, str(BENCH_PACKAGES))
    from django.conf import settings
    from import_export import fields, resources
    from import_export.formats.base_formats import XLSX

    from exports.models import Activity

    class ActivityResource(resources.ModelResource):
        peer_mentor_name = fields.Field(attribute="peer_mentor__full_name", column_name="peer_mentor_name")
        peer_mentor_certified_on = fields.Field(
            attribute="peer_mentor__certified_on", column_name="peer_mentor_certified_on"
        )
        branch_name = fields.Field(attribute="local_branch__name", column_name="branch_name")
        county_code = fields.Field(attribute="local_branch__county_code", column_name="county_code")
        branch_municipality_code = fields.Field(
            attribute="local_branch__municipality_code", column_name="branch_municipality_code"
        )

        class Meta:
            model = Activity
            fields = (
                "id",
                "activity_type",
                "started_at",
                "duration_minutes",
                "participant_count",
                "country_code",
                "municipality_code",
                "description",
                "status",
                "peer_mentor_name",
                "peer_mentor_certified_on",
                "branch_name",
                "county_code",
                "branch_municipality_code",
            )

    started = time.perf_counter()
    queryset = _queryset(args.org, args.year).select_related("peer_mentor", "local_branch")
    dataset = ActivityResource().export(queryset=queryset)
    settings.IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True
    (Path(args.out) / "import-export.xlsx").write_bytes(XLSX().export_data(dataset))
    return {"seconds": time.perf_counter() - started, "rows_read": len(dataset), "rows_listed": len(dataset)}


def run_first_progress(args: argparse.Namespace) -> dict[str, Any]:
    """Click Eksporter (POST to the start view as NHF's administrator) with a worker running, and time
    until the export's first progress is recorded and pushed; three clicks, one after the other."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from exports.models import BufdirExportAudit

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username="nhf-admin"))
    finished = {BufdirExportAudit.Status.SUCCEEDED, BufdirExportAudit.Status.FAILED}
    seconds = []
    for _ in range(3):
        newest = BufdirExportAudit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        started = time.perf_counter()
        response = client.post(
            reverse("exports:start", args=["nhf"]), {"mode": "year", "year": args.year}, HTTP_HX_REQUEST="true"
        )
        if response.status_code != 200:
            raise SystemExit(f"start answered {response.status_code}")
        audit = None
        while time.perf_counter() - started < 30:
            audit = BufdirExportAudit.objects.filter(pk__gt=newest).order_by("pk").first()
            if audit is not None and audit.progress_percent > 0:
                break
            time.sleep(0.005)
        seconds.append(time.perf_counter() - started)
        while audit is not None and audit.status not in finished and time.perf_counter() - started < 600:
            time.sleep(0.05)
            audit.refresh_from_db()
    return {"seconds": max(seconds), "clicks": seconds, "rows_read": 0, "rows_listed": 0}


RUNS = {
    "project": run_project,
    "bare": run_bare,
    "import-export": run_import_export,
    "first-progress": run_first_progress,
}


def main() -> None:
    """Run one kind and print its result line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=sorted(RUNS))
    parser.add_argument("--org", default="nhf")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    _setup()
    result = RUNS[args.kind](args)
    result.update(_usage())
    if args.kind == "project":  # read after the usage is taken, so it does not count
        result.update(_activity_sheets(Path(args.out)))
    print("BENCH_RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
