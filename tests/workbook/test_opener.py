"""The in-process opener gives a fresh openpyxl writer for the path and configuration, and loads openpyxl only then."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from exports.config.validation import compile_document
from exports.demo.configs import hlf_config, nhf_config
from exports.rules.summary import ExportSummary
from exports.workbook.opener import OpenpyxlWorkbookOpener
from exports.workbook.plan import WorkbookFacts
from exports.workbook.writer import OpenpyxlWorkbookWriter

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys, django
django.setup()
from exports.config.validation import compile_document
from exports.demo.configs import nhf_config
from exports.workbook.opener import OpenpyxlWorkbookOpener
opener = OpenpyxlWorkbookOpener()
before = "openpyxl" in sys.modules
writer = opener.open(__import__("pathlib").Path(sys.argv[1]), config=compile_document(nhf_config()))
writer.discard()
print(json.dumps({"before": before, "after": "openpyxl" in sys.modules}))
"""


def _facts() -> WorkbookFacts:
    """The facts of an empty export of 2025."""
    return WorkbookFacts(
        organisation_name="Hørselshemmedes Landsforbund",
        org_number="970000000",
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        config_version=1,
        template_name="HLF demo – Bufdir-mal",
        generated_at=dt.datetime(2026, 1, 2, 9, 0, tzinfo=dt.UTC),
    )


def test_the_opener_gives_an_openpyxl_writer_for_the_path_and_configuration_that_saves_only_on_close(tmp_path):
    config = compile_document(nhf_config())
    path = tmp_path / "eksport.xlsx"

    writer = OpenpyxlWorkbookOpener().open(path, config=config)

    assert isinstance(writer, OpenpyxlWorkbookWriter)
    assert (writer.path, writer.config) == (path, config)
    assert not path.exists()
    writer.close(_facts(), totals=ExportSummary())
    assert path.is_file()


def test_a_writer_it_opened_saves_the_workbook_at_the_path_with_the_configurations_headings(tmp_path):
    config = compile_document(hlf_config())
    path = tmp_path / "hlf.xlsx"

    writer = OpenpyxlWorkbookOpener().open(path, config=config)
    writer.close(_facts(), totals=ExportSummary())

    book = load_workbook(path)
    assert book.sheetnames == ["Sammendrag", "Aktiviteter", "Avvik", "Likepersoner"]
    headings = next(book["Aktiviteter"].iter_rows(max_row=1, values_only=True))
    assert list(headings) == [column["heading"] for column in hlf_config()["columns"]]


def test_one_opener_opens_independent_writers(tmp_path):
    opener = OpenpyxlWorkbookOpener()
    first = opener.open(tmp_path / "en.xlsx", config=compile_document(nhf_config()))
    second = opener.open(tmp_path / "to.xlsx", config=compile_document(hlf_config()))

    assert first is not second and first.workbook is not second.workbook
    second.close(_facts(), totals=ExportSummary())
    first.discard()

    assert (tmp_path / "to.xlsx").is_file()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["to.xlsx"]  # nothing left of the discarded one


def test_openpyxl_is_loaded_when_a_workbook_is_opened_not_when_the_opener_is_imported(tmp_path):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "bufdir_site.test_settings", "BUFDIR_VAR_DIR": str(tmp_path)}
    environment.pop("DATABASE_URL", None)

    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "probe.xlsx")],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )

    assert json.loads(probe.stdout.strip().splitlines()[-1]) == {"before": False, "after": True}
