"""An independent recomputation of the brief's counting rules over seeded demo data agrees with the export."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from exports import regulation
from exports.domain import Period
from exports.geography_data import MUNICIPALITIES
from exports.models import Activity, Organisation

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")
NHF_CATEGORIES = {
    "hjemmebesok": "oppsokende",
    "sykehusbesok": "oppsokende",
    "mote_offentlig": "oppsokende",
    "telefon": "kontakt",
    "digital": "kontakt",
    "samtalegruppe": "samtalegruppe",
    "aktivitetsgruppe": "aktivitetsgruppe",
    "likepersonskurs": "kurs",
    "stand": "annet",
}


COUNTING = set(regulation.COUNTING_CATEGORIES)
GROUPS = set(regulation.GROUPS)
HELD_TOGETHER = set(regulation.GROUP_CATEGORIES)
LONGEST = regulation.MAX_ACTIVITY_MINUTES


def data_problem(activity: Activity, category: str) -> bool:
    """A problem with the registration itself: municipality, duration, a group's participants."""
    code = activity.municipality_code
    branch = activity.local_branch
    return (
        not code
        or code not in MUNICIPALITIES
        or (branch is not None and bool(branch.county_code) and code[:2] != branch.county_code)
        or (activity.duration_minutes is not None and not 0 < activity.duration_minutes <= LONGEST)
        or (category in GROUPS and activity.participant_count is None)
    )


def recompute(org: Organisation, year: int) -> dict[str, object]:
    """The brief's rules, written out plainly, applied to every activity of the year."""
    counted: Counter = Counter()
    documented: Counter = Counter()
    verdicts: dict[str, bool] = {}
    deviations: set[str] = set()
    seen: set[tuple] = set()
    first_registration: dict[tuple, Activity] = {}
    repeats: dict[str, str] = {}
    activities = (
        Activity.objects.filter(organisation=org)
        .exclude(status="deleted")
        .select_related("peer_mentor", "local_branch")
        .order_by("started_at", "id")
    )
    for activity in activities:
        local = activity.started_at.astimezone(OSLO)
        if local.year != year:
            continue
        if activity.status == "rejected":
            deviations.add(str(activity.id))
            continue
        category = NHF_CATEGORIES[activity.activity_type]
        documented[category] += 1
        mentor = activity.peer_mentor
        key = (activity.peer_mentor_id, activity.started_at, activity.activity_type)
        duplicate = mentor is not None and key in seen
        if mentor is not None:
            seen.add(key)
        # A group or course day is one activity whoever registered it: the first by id of the same type, start
        # and local branch counts; a registration of it by another peer mentor repeats that one.
        repeat = False
        if mentor is not None and activity.local_branch_id is not None and category in HELD_TOGETHER:
            group = (activity.activity_type, activity.started_at, activity.local_branch_id)
            first = first_registration.setdefault(group, activity)
            repeat = first.peer_mentor_id != activity.peer_mentor_id
            if repeat:
                repeats[str(activity.id)] = str(first.id)
        minutes, people = activity.duration_minutes, activity.participant_count
        in_order = (
            mentor is not None and activity.country_code == regulation.COUNTING_COUNTRY and not duplicate and not repeat
        )
        if category in GROUPS:
            in_order = (
                in_order
                and minutes is not None
                and regulation.GROUP_MIN_MINUTES <= minutes <= LONGEST
                and people is not None
                and people >= regulation.GROUP_MIN_PARTICIPANTS
            )
        if category == "kurs":
            in_order = in_order and minutes is not None and regulation.COURSE_DAY_MIN_MINUTES <= minutes <= LONGEST
        if activity.activity_type == "sykehusbesok":
            in_order = in_order and mentor.certified_on is not None and mentor.certified_on <= local.date()
        ok = category in COUNTING and in_order
        verdicts[str(activity.id)] = ok
        if ok:
            counted[category] += 1
        if not in_order or data_problem(activity, category):
            deviations.add(str(activity.id))
    return {
        "counted": counted,
        "documented": documented,
        "verdicts": verdicts,
        "deviations": deviations,
        "repeats": repeats,
    }


def test_export_agrees_with_an_independent_recomputation(run_export):
    call_command("seed_demo", activities=3000, seed=11, stdout=io.StringIO())
    org = Organisation.objects.get(slug="nhf")
    year = dt.date.today().year - 1
    bundle = run_export(org, Period.year(year)).succeeded_bundle

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
    avvik = bundle.rows("Avvik")
    assert {row["Aktivitets-ID"] for row in avvik} == expected["deviations"]
    assert len(avvik) == len(expected["deviations"]) == manifest["rows"]["deviations"]
    assert not any(
        row["Kategori"] in ("Likepersonstelefon og kontakttjeneste", "Annet") and row["Årsak"].startswith("Telles ikke")
        for row in avvik
    )
    assert any("Kommunenummer" in row["Årsak"] for row in avvik)
    repeats = {row["Aktivitets-ID"]: row for row in avvik if "annen likeperson" in row["Årsak"]}
    assert repeats.keys() == expected["repeats"].keys() and repeats, "the demo data has groups registered twice"
    for activity_id, row in repeats.items():
        assert f"Gjentar registrering {expected['repeats'][activity_id]} av " in row["Slik retter du det"]
        assert "Slett den ene registreringen i appen; gruppen telles én gang." in row["Slik retter du det"]
    reasons = Counter(reason for row in avvik for reason in row["Årsak"].split("; "))
    assert dict(reasons) == manifest["deviations_by_reason"]
    firsts = [row["Årsak"].split("; ")[0] for row in avvik]
    assert firsts[0] == max(reasons, key=reasons.get)
    summary: dict = {}
    for row in bundle.workbook["Sammendrag"].iter_rows(values_only=True):
        summary.setdefault(row[0], row[1])
    assert summary["Sum tellende"] == manifest["rows"]["counted"]
    assert summary["Oppsøkende likepersonsarbeid"] == manifest["counted_by_category"]["oppsokende"]
