"""The command-line tools: seed_demo and bufdir_export."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from exports.models import (
    Activity,
    BufdirExportAudit,
    Membership,
    Organisation,
    OrganisationColumnConfig,
)

pytestmark = pytest.mark.django_db


def seed(activities: int = 800, seed: int = 3) -> str:
    """Run seed_demo and return what it printed."""
    out = io.StringIO()
    call_command("seed_demo", activities=activities, seed=seed, stdout=out)
    return out.getvalue()


def fingerprint() -> str:
    """A digest of every activity's content, in id order."""
    rows = Activity.objects.order_by("id").values_list(
        "id",
        "activity_type",
        "started_at",
        "duration_minutes",
        "participant_count",
        "country_code",
        "municipality_code",
        "status",
        "peer_mentor_id",
        "local_branch_id",
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def test_same_seed_same_data_and_reseeding_replaces():
    seed(seed=3)
    first = fingerprint()
    seed(seed=3)
    assert fingerprint() == first
    seed(seed=4)
    assert fingerprint() != first


def test_demo_data_has_both_organisations_logins_configs_and_every_deviation():
    printed = seed(activities=2000)
    assert "nhf-admin" in printed and "demo-passord-2026" in printed
    nhf, other = Organisation.objects.get(slug="nhf"), Organisation.objects.get(slug="hlf-demo")
    assert OrganisationColumnConfig.objects.filter(is_active=True).count() == 2
    assert set(Activity.objects.filter(organisation=other).values_list("activity_type", flat=True)).isdisjoint(
        Activity.objects.filter(organisation=nhf).values_list("activity_type", flat=True)
    )
    assert (
        authenticate(RequestFactory().post("/accounts/login/"), username="nhf-admin", password="demo-passord-2026")
        is not None
    )
    assert Membership.objects.get(user__username="nhf-likeperson").role == "peer_mentor"
    activities = Activity.objects.filter(organisation=nhf)
    this_year = dt.date.today().year
    assert activities.filter(started_at__year=this_year - 1).count() > 500
    assert activities.filter(peer_mentor=None).exists()
    assert activities.exclude(country_code="NO").exists()
    assert activities.filter(status="rejected").exists() and activities.filter(status="deleted").exists()
    assert activities.filter(duration_minutes=None).exists()
    assert activities.filter(duration_minutes__gt=1440).exists()
    assert activities.filter(activity_type="samtalegruppe", participant_count__lt=3).exists()
    assert activities.filter(activity_type="likepersonskurs", duration_minutes__lt=90).exists()
    assert activities.filter(activity_type="sykehusbesok", peer_mentor__certified_on=None).exists()
    assert activities.filter(municipality_code__in=["12", "abcd", "03011", "", "0399", "4699"]).exists()
    assert activities.filter(started_at=dt.datetime(this_year - 1, 12, 31, 23, 30, tzinfo=dt.UTC)).exists()


PROGRESS_FRAME = re.compile(
    r"\[(?P<filled>#*)(?P<empty>\.*)\] +(?P<percent>\d+)% (?P<done>\d+)(?:/(?P<total>\d+))? "
    r"(?P<phase>\S.*)\x1b\[K"
)
"""One redraw of the command's progress bar."""


class Terminal(io.StringIO):
    """A captured stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_bufdir_export_command_draws_a_bar_on_a_terminal_and_prints_the_path_last(tmp_path, export_files, monkeypatch):
    seed(activities=600)
    out, terminal = io.StringIO(), Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    year = dt.date.today().year - 1
    call_command("bufdir_export", "--org", "nhf", "--year", str(year), "--out", str(tmp_path), stdout=out)
    path = Path(out.getvalue().strip().splitlines()[-1])
    assert path.parent == tmp_path and zipfile.is_zipfile(path)
    assert "manifest.json" in zipfile.ZipFile(path).namelist()
    assert BufdirExportAudit.objects.get().status == "succeeded"
    rows = json.loads(zipfile.ZipFile(path).read("manifest.json"))["rows"]
    frames = terminal.getvalue().split("\r")
    assert frames[0] == "" and frames[-1].endswith("\x1b[K\n")
    bars = [PROGRESS_FRAME.fullmatch(frame.removesuffix("\n")) for frame in frames[1:]]
    assert all(bars), frames
    percents = [int(bar["percent"]) for bar in bars]
    assert percents == sorted(percents) and 0 < percents[-1] <= 100
    assert all(len(bar["filled"]) == 30 * int(bar["percent"]) // 100 for bar in bars)
    assert all(len(bar["filled"]) + len(bar["empty"]) == 30 for bar in bars)
    last = bars[-1]
    assert last["done"] == last["total"] == str(rows["exported"] + rows["rejected"] + rows["unreadable"])


def test_bufdir_export_command_writes_plain_lines_to_a_log_and_a_norwegian_summary(tmp_path, export_files, capsys):
    seed(activities=600)
    out = io.StringIO()
    year = dt.date.today().year - 1
    call_command("bufdir_export", "--org", "nhf", "--year", str(year), "--out", str(tmp_path), stdout=out)
    log = capsys.readouterr().err
    assert "\r" not in log and "\x1b" not in log
    progress = [line for line in log.splitlines() if re.match(r"^ *\d+ % ", line)]
    assert progress[0].endswith("Laster kolonnekonfigurasjonen") and "Behandler aktiviteter" in log
    assert len(progress) == len(set(progress)) and len(progress) < 30
    manifest = json.loads(zipfile.ZipFile(out.getvalue().strip().splitlines()[-1]).read("manifest.json"))
    text = out.getvalue()
    assert text.startswith(f"Eksport for Norges Handikapforbund, 01.01.{year}–31.12.{year}")

    def figure(label: str) -> int:
        line = next(line for line in text.splitlines() if line.strip().startswith(label))
        return int(re.sub(r"\D", "", line[len(line.rstrip("0123456789\xa0 ")) :]))

    assert figure("Eksportert (arket Aktiviteter)") == manifest["rows"]["exported"]
    assert figure("Tellende") == manifest["rows"]["counted"]
    assert figure("Oppsøkende likepersonsarbeid") == manifest["counted_by_category"]["oppsokende"]
    assert figure("Trenger oppfølging (arket Avvik)") == manifest["rows"]["deviations"]
    why_not = (
        "Telefon- og kontakttjeneste (føres for seg, telles aldri)",
        "Andre aktiviteter (dokumenteres, telles aldri)",
        "Telles ikke etter en telleregel (står i Avvik)",
    )
    assert [figure(label) for label in why_not] == [
        manifest["exported_by_outcome"][key] for key in ("phone_and_contact", "other", "not_counted_by_rule")
    ]
    assert figure("Tellende") + sum(figure(label) for label in why_not) == figure("Eksportert (arket Aktiviteter)")
    assert figure("Eksportert (arket Aktiviteter)") + figure("Avviste registreringer (bare i Avvik)") + figure(
        "Uleselige rader (bare i Avvik)"
    ) == figure("Registreringer lest")
    for reason, count in manifest["deviations_by_reason"].items():
        assert figure(reason) == count


def test_bufdir_export_command_fails_with_the_message(tmp_path, export_files):
    seed(activities=100)
    OrganisationColumnConfig.objects.update(is_active=False)
    with pytest.raises(CommandError, match="ingen aktiv kolonnekonfigurasjon"):
        call_command(
            "bufdir_export", "--org", "nhf", "--from", "2025-01-01", "--to", "2025-03-31", "--out", str(tmp_path)
        )
    assert BufdirExportAudit.objects.get().status == "failed"


@pytest.mark.parametrize(
    "args",
    [
        ["--org", "nope", "--year", "2025"],
        ["--org", "nhf"],
        ["--org", "nhf", "--from", "2025-02-01", "--to", "2025-01-01"],
    ],
)
def test_bufdir_export_command_refuses_bad_arguments(tmp_path, args):
    seed(activities=10)
    with pytest.raises(CommandError):
        call_command("bufdir_export", *args, "--out", str(tmp_path))


def test_bufdir_export_command_says_plainly_what_is_wrong_with_a_date(tmp_path):
    with pytest.raises(CommandError, match="«2025-13-01» er ikke en dato på formen ÅÅÅÅ-MM-DD"):
        call_command(
            "bufdir_export", "--org", "nhf", "--from", "2025-13-01", "--to", "2025-12-31", "--out", str(tmp_path)
        )
