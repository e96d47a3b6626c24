"""One period rule (at most 366 days, years 2000 to next year) held by the form, the command line and the service."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from exports.container import services
from exports.domain import ExportFailure, ExportRequest, Period
from exports.forms import ExportPeriodForm
from exports.lifecycle.starting import start_export
from exports.models import BufdirExportAudit
from exports.rules.periods import (
    FIRST_YEAR,
    PeriodNotChosen,
    PeriodOutOfBounds,
    check_period,
    check_year,
    last_year,
    parse_period,
)
from tests import factories

HTMX = {"HTTP_HX_REQUEST": "true"}
NEXT_YEAR = timezone.localdate().year + 1

OUT_OF_BOUNDS = [
    (dt.date(1, 1, 1), dt.date(1, 12, 31)),
    (dt.date(9999, 1, 1), dt.date(9999, 12, 31)),
    (dt.date(1999, 12, 31), dt.date(2000, 1, 5)),
    (dt.date(NEXT_YEAR + 1, 1, 1), dt.date(NEXT_YEAR + 1, 1, 2)),
    (dt.date(2000, 1, 1), dt.date(NEXT_YEAR, 12, 31)),
    (dt.date(2024, 1, 1), dt.date(2025, 1, 1)),
    (dt.date(2025, 5, 3), dt.date(2025, 5, 2)),
]


def test_the_rule_at_and_past_its_bounds():
    assert check_period(dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)) == Period.year(2024)
    assert check_period(dt.date(2024, 3, 1), end=dt.date(2025, 2, 28)).end == dt.date(2025, 2, 28)
    assert check_year(FIRST_YEAR) == Period.year(FIRST_YEAR)
    assert check_year(last_year()) == Period.year(NEXT_YEAR)
    for year in (0, -1, FIRST_YEAR - 1, NEXT_YEAR + 1, 10_000, 10**30):
        with pytest.raises(PeriodOutOfBounds, match=str(FIRST_YEAR)):
            check_year(year)
    for start, end in OUT_OF_BOUNDS:
        with pytest.raises(PeriodOutOfBounds):
            check_period(start, end=end)


@pytest.mark.parametrize(("start", "end"), OUT_OF_BOUNDS)
def test_the_form_refuses_out_of_bounds_periods_with_a_message(start, end):
    form = ExportPeriodForm({"mode": "range", "date_from": start.isoformat(), "date_to": end.isoformat()})
    assert not form.is_valid()
    assert form.errors["date_to"]


@pytest.mark.parametrize("year", ["0", "1999", str(NEXT_YEAR + 2), "10000", "-1"])
def test_the_form_refuses_out_of_bounds_years(year):
    form = ExportPeriodForm({"mode": "year", "year": year})
    assert not form.is_valid() and form.errors["year"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"mode": "range", "date_from": "0001-01-01", "date_to": "0001-12-31"},
        {"mode": "range", "date_from": "9999-01-01", "date_to": "9999-12-31"},
        {"mode": "range", "date_from": "1900-01-01", "date_to": "2100-12-31"},
    ],
)
def test_the_page_refuses_out_of_bounds_periods_and_queues_nothing(client, data):
    client.force_login(factories.member(factories.organisation("nhf")))
    response = client.post(reverse("exports:start", args=["nhf"]), data, **HTMX)
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    assert not BufdirExportAudit.objects.exists()


@pytest.mark.django_db
def test_the_service_refuses_out_of_bounds_periods():
    org = factories.organisation()
    user = factories.member(org)
    with pytest.raises(PeriodOutOfBounds):
        start_export(
            audits=services().audits,
            membership=user.memberships.get(),
            period=Period(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
        )
    audit = services().audits.create(
        organisation_id=org.pk,
        requested_by_id=None,
        requested_by_label="tester",
        period=Period(dt.date(9999, 1, 1), dt.date(9999, 12, 31)),
    )
    result = services().orchestrator.run(
        ExportRequest(audit_id=audit.pk, organisation_id=org.pk, period=audit_period(audit), requested_by="tester")
    )
    assert isinstance(result, ExportFailure)
    assert str(FIRST_YEAR) in result.error_message
    audit.refresh_from_db()
    assert audit.status == BufdirExportAudit.Status.FAILED


def audit_period(audit: BufdirExportAudit) -> Period:
    """The period an audit records."""
    return Period(audit.period_from, audit.period_to)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "arguments",
    [
        ["--year", "0"],
        ["--year", "10000"],
        ["--year", "99999999999999999999"],
        ["--year", "1999"],
        ["--year", "abc"],
        ["--year", "2025", "--from", "2025-01-01", "--to", "2025-01-02"],
        ["--from", "2025-05-03", "--to", "2025-05-02"],
        ["--from", "1900-01-01", "--to", "2100-12-31"],
        ["--from", "2024-01-01", "--to", "2025-06-30"],
        ["--from", "0001-01-01", "--to", "0001-01-02"],
        ["--from", "2025-13-01", "--to", "2025-12-31"],
        ["--from", "2025-01-01"],
        [],
    ],
)
def test_the_command_refuses_bad_periods_with_a_message(tmp_path, arguments):
    factories.organisation("nhf")
    with pytest.raises(CommandError) as raised:
        call_command("bufdir_export", "--org", "nhf", "--out", str(tmp_path), *arguments, stdout=io.StringIO())
    assert str(raised.value)


@pytest.mark.django_db
@pytest.mark.parametrize("org", ["nope", "a\x00b", "x" * 1000, "'; DROP TABLE x; --"])
def test_the_command_refuses_unknown_or_malformed_organisations(tmp_path, org):
    with pytest.raises(CommandError):
        call_command("bufdir_export", "--org", org, "--out", str(tmp_path), "--year", "2025", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_command_refuses_an_output_folder_it_cannot_make(tmp_path):
    factories.organisation("nhf")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(CommandError, match="utdatamappe"):
        call_command(
            "bufdir_export", "--org", "nhf", "--out", str(blocker / "sub"), "--year", "2025", stdout=io.StringIO()
        )


@pytest.mark.parametrize("arguments", [["--year", "10000"], ["--from", "1900-01-01", "--to", "2100-12-31"]])
def test_the_command_line_prints_a_message_not_a_traceback(tmp_path, arguments):
    manage = Path(__file__).resolve().parents[2] / "manage.py"
    var = tmp_path / "var"
    var.mkdir()
    (var / "db.sqlite3").touch()  # a database is there (the command's own check); the period is what is wrong
    environment = {**os.environ, "BUFDIR_VAR_DIR": str(var)}
    environment.pop("DATABASE_URL", None)
    environment.pop("REDIS_URL", None)
    finished = subprocess.run(
        [
            sys.executable,
            str(manage),
            "bufdir_export",
            "--skip-checks",
            "--org",
            "nhf",
            "--out",
            str(tmp_path / "out"),
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=environment,
    )
    assert finished.returncode != 0
    assert "Traceback" not in finished.stderr
    assert str(FIRST_YEAR) in finished.stderr


@pytest.mark.parametrize(
    ("year", "start", "end", "problems"),
    [
        (2025, dt.date(2025, 1, 1), None, {"both"}),
        (2025, None, dt.date(2025, 1, 1), {"both"}),
        (None, None, None, {"neither"}),
        (None, dt.date(2025, 1, 1), None, {"no_end"}),
        (None, None, dt.date(2025, 1, 1), {"no_start"}),
    ],
)
def test_the_one_period_parser_never_guesses_between_a_year_and_dates(year, start, end, problems):
    with pytest.raises(PeriodNotChosen) as raised:
        parse_period(year=year, date_from=start, date_to=end, today=dt.date(2026, 6, 1))
    assert {str(problem) for problem in raised.value.problems} == problems


def test_the_one_period_parser_reads_a_year_or_a_range_under_the_period_rule():
    today = dt.date(2026, 6, 1)
    assert parse_period(year=2025, date_from=None, date_to=None, today=today) == Period.year(2025)
    assert parse_period(year=None, date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 31), today=today) == (
        Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    )
    with pytest.raises(PeriodOutOfBounds):
        parse_period(year=1999, date_from=None, date_to=None, today=today)
