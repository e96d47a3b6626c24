"""The cost bound's worst case: time and peak memory per row of the costliest accepted configuration on the worst row.

    .venv/bin/python scripts/cost_bound.py [--rows 20] [--config costliest|nhf]

The row has every text field from the app at a cell's limit (32,767 characters of formula-like text with refused
and astral characters), fails every rule and so also goes on `Avvik`. Per row it prints the time and the peak
traced memory (tracemalloc) of mapping it (what the admin's trial does per configuration), and of mapping and
writing it to a real workbook (`cell_safety.sheet_row`,
`OpenpyxlWorkbookWriter.add`); then the time of closing the workbook (it
writes `Avvik`) per row, and the size of the workbook per row.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    """Set up Django for this process, in Norwegian."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bufdir_site.settings")
    import django

    django.setup()
    from django.utils import translation

    translation.activate("nb")


def _per_row(rows: int, work: Callable[[], object]) -> tuple[list[float], list[int]]:
    """Seconds of each of `rows` runs of `work` (untraced), then the peak traced bytes of each (traced)."""
    seconds = []
    for _ in range(rows):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    peaks = []
    tracemalloc.start()
    for _ in range(rows):
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        work()
        peaks.append(tracemalloc.get_traced_memory()[1] - before)
    tracemalloc.stop()
    return seconds, peaks


def _report(label: str, seconds: list[float], peaks: list[int]) -> None:
    """One line: median and worst time per row, worst peak memory per row."""
    print(
        f"{label:<34} {statistics.median(seconds) * 1000:8.1f} ms median {max(seconds) * 1000:8.1f} ms max "
        f"{max(peaks) / 2**20:8.2f} MiB peak"
    )


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--config", choices=("costliest", "nhf"), default="costliest")
    options = parser.parse_args()
    _setup()
    from exports.config import cell_safety
    from exports.config.cost import MAX_ROW_TEXT, MAX_RULE_TEXT
    from exports.config.validation import compile_document
    from exports.demo.configs import nhf_config
    from exports.rules.column_mapper import BufdirColumnMapper
    from exports.rules.summary import ExportSummary
    from exports.workbook.plan import WorkbookFacts
    from exports.workbook.writer import OpenpyxlWorkbookWriter
    from tests.cost_cases import costliest_config, worst_record

    document = costliest_config() if options.config == "costliest" else nhf_config()
    compiled = compile_document(document)
    mapper, record, summary = BufdirColumnMapper(), worst_record(), ExportSummary()
    print(
        f"configuration: {options.config} ({len(compiled.columns)} columns, "
        f"{len(compiled.counting_rules) + len(compiled.validations)} rules); bound {MAX_ROW_TEXT:,} characters of "
        f"row text, {MAX_RULE_TEXT:,} of reasons and actions; {options.rows} rows"
    )
    mapped = mapper.map_or_flag(record, config=compiled)
    row = cell_safety.sheet_row(mapped.values)
    print(
        f"row text written: {sum(len(v) for v in row if isinstance(v, str)):,} characters; "
        f"on Avvik: {mapped.is_deviation}, findings: {len(mapped.findings)}"
    )
    _report("map (the trial's work)", *_per_row(options.rows, lambda: mapper.map_or_flag(record, config=compiled)))
    with tempfile.TemporaryDirectory(prefix="cost-bound-") as workdir:
        path = Path(workdir) / "cost.xlsx"
        writer = OpenpyxlWorkbookWriter(path, compiled)

        def export_row() -> None:
            done = mapper.map_or_flag(record, config=compiled)
            summary.add(done)
            writer.add(done)

        _report("map + write (the export's work)", *_per_row(options.rows, export_row))
        facts = WorkbookFacts(
            organisation_name="Kostnad",
            org_number="000000000",
            period_from=dt.date(2025, 1, 1),
            period_to=dt.date(2025, 12, 31),
            config_version=1,
            template_name="kostnad",
            generated_at=dt.datetime(2026, 1, 1, 12),
        )
        started = time.perf_counter()
        writer.close(facts, totals=summary)
        closing = time.perf_counter() - started
        rows = 2 * options.rows
        with zipfile.ZipFile(path) as archive:
            xml = sum(member.file_size for member in archive.infolist())
        print(
            f"{'close (Avvik, save) per row':<34} {closing / rows * 1000:8.1f} ms; workbook "
            f"{path.stat().st_size / rows / 2**20:.2f} MiB per row ({xml / rows / 2**20:.2f} MiB of XML, what the "
            "sheets' temporary files hold)"
        )

        _forked(options.rows * 10, compiled, mapper, record, facts, Path(workdir) / "forked.xlsx")


def _forked(rows: int, compiled: object, mapper: object, record: object, facts: object, path: Path) -> None:
    """Map and write `rows` worst rows as an export does (the writer in a forked process): wall time and peak RSS."""
    from exports.rules.summary import ExportSummary
    from exports.workbook.forked import ForkedWorkbookOpener

    summary = ExportSummary()
    started = time.perf_counter()
    writer = ForkedWorkbookOpener().open(path, config=compiled)  # type: ignore[arg-type]
    for _ in range(rows):
        row = mapper.map_or_flag(record, config=compiled)  # type: ignore[attr-defined]
        summary.add(row)
        writer.add(row)
    writer.close(facts, totals=summary)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"export of {rows} rows (writer forked): {seconds:.1f} s, {seconds / rows * 1000:.1f} ms per row; peak RSS "
        f"{own.ru_maxrss / 1024:.0f} MiB exporting process, {children.ru_maxrss / 1024:.0f} MiB writer process"
    )


if __name__ == "__main__":
    main()
