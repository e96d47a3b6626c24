"""LOG_FORMAT=json: every line one JSON object, carrying the export's id, organisation and phase in every process."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from exports.container import services
from exports.domain import Period
from exports.source.local import LocalActivitySource
from exports.tasks import run_export
from exports.workbook.forked import ForkedWorkbookOpener
from exports.workbook.opener import OpenpyxlWorkbookOpener
from operations.log_context import ExportContextFilter, export_log_context, set_log_phase
from operations.log_format import JsonFormatter

ROOT = Path(__file__).resolve().parent.parent


class CountingSource(LocalActivitySource):
    """The local tables, saying in the log that it counts."""

    def count(self, organisation_id, period):
        logging.getLogger("tests.source").info("counting the activities")
        return super().count(organisation_id, period=period)


class AnnouncingGenerator(OpenpyxlWorkbookOpener):
    """The ordinary generator, saying in the log (in the writer process) that it opens a workbook."""

    def open(self, path, config):
        logging.getLogger("tests.writer").info("opening the workbook in process %s", os.getpid())
        return super().open(path, config=config)


@pytest.fixture
def json_log(tmp_path):
    """The root logger also writes JSON lines to a file (as LOG_FORMAT=json configures the console); its path."""
    path = tmp_path / "log.jsonl"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ExportContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield path
    root.removeHandler(handler)
    root.setLevel(level)
    handler.close()


def lines(path: Path) -> list[dict]:
    """Every line of the log, each parsed as JSON (a line that is not JSON fails the test)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.django_db(transaction=True)
def test_the_worker_and_the_writer_process_log_json_with_the_exports_context(
    org_with_activities, export_files, json_log
):
    audit = services().audits.create(
        organisation_id=org_with_activities.pk, requested_by_id=None, requested_by_label="t", period=Period.year(2025)
    )
    with services().override(
        activity_source=CountingSource(), workbook_generator=ForkedWorkbookOpener(AnnouncingGenerator())
    ):
        assert run_export(audit.pk)["outcome"] == "succeeded"
    logged = lines(json_log)
    counting = next(line for line in logged if line["message"] == "counting the activities")
    writer = next(line for line in logged if line["message"].startswith("opening the workbook"))
    assert counting["process"] == os.getpid() != writer["process"]  # the writer is a forked process
    for line in (counting, writer):
        assert line["export_id"] == audit.pk
        assert line["organisation"] == "nhf"
        assert line["phase"] == "querying"
        assert line["level"] == "INFO" and line["timestamp"].endswith("+00:00")
    assert counting["logger"] == "tests.source" and writer["logger"] == "tests.writer"


def test_the_context_is_left_behind_with_the_block(json_log):
    log = logging.getLogger("tests.context")
    with export_log_context(export_id=7, organisation="nhf"):
        set_log_phase("mapping")
        log.warning("inside")
        try:
            raise ValueError("bad row")
        except ValueError:
            log.exception("failed")
    set_log_phase("writing")  # outside an export: ignored
    log.warning("outside")
    inside, failed, outside = lines(json_log)
    assert (inside["export_id"], inside["organisation"], inside["phase"]) == (7, "nhf", "mapping")
    assert failed["export_id"] == 7 and "ValueError: bad row" in failed["exc_info"]
    assert "export_id" not in outside and "phase" not in outside


@pytest.mark.parametrize("log_format", ["json", "plain"])
def test_log_format_configures_the_console_of_every_process(tmp_path, log_format):
    """A process started with LOG_FORMAT=json (web, worker, command: same settings) writes JSON to stderr."""
    script = (
        "import django, logging; django.setup()\n"
        "from operations.log_context import export_log_context\n"
        "with export_log_context(export_id=3, organisation='blindeforbundet'):\n"
        "    logging.getLogger('exports.x').warning('hello %s', 'world')\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bufdir_site.settings",
        "BUFDIR_VAR_DIR": str(tmp_path),
        "LOG_FORMAT": log_format,
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        environment.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    if log_format == "json":
        (line,) = [json.loads(text) for text in done.stderr.splitlines()]
        assert {key: line[key] for key in ("level", "logger", "message", "export_id", "organisation")} == {
            "level": "WARNING",
            "logger": "exports.x",
            "message": "hello world",
            "export_id": 3,
            "organisation": "blindeforbundet",
        }
    else:
        assert done.stderr.strip().endswith("WARNING exports.x hello world")


def test_an_unknown_log_format_is_refused(tmp_path):
    environment = {
        **os.environ,
        "BUFDIR_VAR_DIR": str(tmp_path),
        "LOG_FORMAT": "xml",
        "DJANGO_SETTINGS_MODULE": "bufdir_site.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "LOG_FORMAT must be plain or json" in done.stderr
