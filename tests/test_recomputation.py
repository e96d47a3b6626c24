"""An independent recomputation of the brief's counting rules over seeded demo data agrees with the export."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from exports.container import services
from exports.domain import ExportRequest, ExportSuccess, Period
from exports.geography_data import MUNICIPALITIES
from exports.models import Activity, Organisation
from tests.export_reading import open_bundle

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")
NHF_CATEGORIES = {
    "hjemmebesok": "oppsokende", "sykehusbesok": "oppsokende", "mote_offentlig": "oppsokende",
    "telefon": "kontakt", "digital": "kontakt", "samtalegruppe": "samtalegruppe",
    "aktivitetsgruppe": "aktivitetsgruppe", "likepersonskurs": "kurs", "stand": "annet",
}


def recompute(org: Organisation, year: int) -> dict[str, object]:
    """The brief's rules, written out plainly, applied to every activity of the year."""
    counted: Counter = Counter()
    documented: Counter = Counter()
    verdicts: dict[str, bool] = {}
    seen: set[tuple] = set()
    activities = (Activity.objects.filter(organisation=org).exclude(status="deleted")
                  .select_related("peer_mentor", "local_branch").order_by("started_at", "id"))
    municipality_flags = 0
    for activity in activities:
        local = activity.started_at.astimezone(OSLO)
        if local.year != year or activity.status == "rejected":
            continue
        category = NHF_CATEGORIES[activity.activity_type]
        documented[category] += 1
        mentor = activity.peer_mentor
        key = (activity.peer_mentor_id, activity.started_at, activity.activity_type)
        duplicate = mentor is not None and key in seen
        if mentor is not None:
            seen.add(key)
        minutes, people = activity.duration_minutes, activity.participant_count
        ok = (
            category in {"oppsokende", "samtalegruppe", "aktivitetsgruppe", "kurs"}
            and mentor is not None
            and activity.country_code == "NO"
            and not duplicate
        )
        if category in {"samtalegruppe", "aktivitetsgruppe"}:
            ok = ok and minutes is not None and 45 <= minutes <= 1440 and people is not None and people >= 3
        if category == "kurs":
            ok = ok and minutes is not None and 90 <= minutes <= 1440
        if activity.activity_type == "sykehusbesok":
            ok = ok and mentor is not None and mentor.certified_on is not None and mentor.certified_on <= local.date()
        if activity.municipality_code not in MUNICIPALITIES:
            municipality_flags += 1
        verdicts[str(activity.id)] = ok
        if ok:
            counted[category] += 1
    return {"counted": counted, "documented": documented, "verdicts": verdicts,
            "municipality_flags": municipality_flags}


def test_export_agrees_with_an_independent_recomputation(tmp_path, export_files):
    call_command("seed_demo", activities=3000, seed=11, stdout=open("/dev/null", "w"))
    org = Organisation.objects.get(slug="nhf")
    year = dt.date.today().year - 1
    audit = services().audits.create(org.pk, None, "test", Period.year(year))
    result = services().orchestrator.run(ExportRequest(audit.pk, org.pk, Period.year(year), "test"))
    assert isinstance(result, ExportSuccess)
    with export_files.open(result.file_key) as handle:
        bundle = open_bundle(handle.read())

    expected = recompute(org, year)
    manifest = bundle.manifest
    assert manifest["counted_by_category"] == {
        category: expected["counted"].get(category, 0)
        for category in ("oppsokende", "samtalegruppe", "aktivitetsgruppe", "kurs")
    }
    assert manifest["documented_by_category"] == dict(expected["documented"])
    rows = bundle.rows("Aktiviteter")
    assert {row["Aktivitets-ID"]: row["Tellende"] == "Ja" for row in rows} == expected["verdicts"]
    assert manifest["rows"]["exported"] == len(rows) == len(expected["verdicts"])
    assert manifest["rows"]["counted"] == sum(expected["verdicts"].values())
    flagged = [row for row in bundle.rows("Avvik") if "Kommunenummer" in (row["Årsak"] or "")]
    assert len(flagged) >= 1
    summary: dict = {}
    for row in bundle.workbook["Sammendrag"].iter_rows(values_only=True):
        summary.setdefault(row[0], row[1])
    assert summary["Sum tellende"] == manifest["rows"]["counted"]
    assert summary["Oppsøkende likepersonsarbeid"] == manifest["counted_by_category"]["oppsokende"]
