"""Each counting rule and each deviation of the domain brief, through the orchestrator and the workbook."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from exports.config.versions import save_column_config
from exports.demo.configs import hlf_config, nhf_config
from exports.domain import Period
from exports.regulation import (
    COURSE_DAY_MIN_MINUTES,
    GROUP_MIN_MINUTES,
    GROUP_MIN_PARTICIPANTS,
    MAX_ACTIVITY_MINUTES,
)
from exports.rules.column_mapper import said_once
from tests import factories

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def nhf(db):
    """NHF with one branch in Bergen, a certified and an uncertified peer mentor."""
    org = factories.organisation("nhf", name="Norges Handikapforbund")
    local = factories.branch(org)
    return {
        "org": org,
        "branch": local,
        "certified": factories.mentor(org, local, dt.date(2020, 1, 1), "Kari Godkjent"),
        "uncertified": factories.mentor(org, local, None, "Ola Ugodkjent"),
        "late": factories.mentor(org, local, dt.date(2025, 9, 1), "Per Senere"),
    }


CASES = [
    # (name, activity fields, counts, reason fragment or None, on Avvik)
    ("home visit counts", {"activity_type": "hjemmebesok"}, True, None),
    ("public meeting counts", {"activity_type": "mote_offentlig"}, True, None),
    ("phone is contact, never outreach", {"activity_type": "telefon"}, False, "rapporteres separat"),
    ("video/chat is contact", {"activity_type": "digital"}, False, "rapporteres separat"),
    ("stand is other, never counts", {"activity_type": "stand"}, False, "telles aldri"),
    ("no peer mentor", {"peer_mentor": None}, False, "Mangler likeperson"),
    ("abroad", {"country_code": "SE"}, False, "utenfor Norge"),
    (
        "group of three for 45 minutes counts",
        {
            "activity_type": "samtalegruppe",
            "duration_minutes": GROUP_MIN_MINUTES,
            "participant_count": GROUP_MIN_PARTICIPANTS,
        },
        True,
        None,
    ),
    (
        "group of 44 minutes",
        {"activity_type": "samtalegruppe", "duration_minutes": GROUP_MIN_MINUTES - 1, "participant_count": 5},
        False,
        f"kortere enn {GROUP_MIN_MINUTES}",
    ),
    (
        "group of two",
        {"activity_type": "aktivitetsgruppe", "duration_minutes": 90, "participant_count": GROUP_MIN_PARTICIPANTS - 1},
        False,
        "færre enn tre",
    ),
    (
        "group without participant count",
        {"activity_type": "aktivitetsgruppe", "duration_minutes": 90, "participant_count": None},
        False,
        "færre enn tre",
    ),
    (
        "group without duration",
        {"activity_type": "samtalegruppe", "duration_minutes": None, "participant_count": 4},
        False,
        "varigheten mangler",
    ),
    (
        "group of absurd duration",
        {"activity_type": "samtalegruppe", "duration_minutes": MAX_ACTIVITY_MINUTES + 1, "participant_count": 4},
        False,
        "urimelig",
    ),
    (
        "course day of 90 minutes counts",
        {"activity_type": "likepersonskurs", "duration_minutes": COURSE_DAY_MIN_MINUTES},
        True,
        None,
    ),
    (
        "course day of 89 minutes",
        {"activity_type": "likepersonskurs", "duration_minutes": COURSE_DAY_MIN_MINUTES - 1},
        False,
        "2 x 45",
    ),
    (
        "hospital visit by uncertified mentor",
        {"activity_type": "sykehusbesok", "peer_mentor": "uncertified"},
        False,
        "Sykehusbesøk",
    ),
    (
        "hospital visit before certification",
        {"activity_type": "sykehusbesok", "peer_mentor": "late"},
        False,
        "Sykehusbesøk",
    ),
    ("hospital visit by certified mentor", {"activity_type": "sykehusbesok", "peer_mentor": "certified"}, True, None),
    ("unknown activity type", {"activity_type": "bowling"}, False, "Ukjent aktivitetstype"),
]


SEPARATE = {"telefon", "digital", "stand"}


@pytest.mark.parametrize(("name", "fields", "counts", "reason"), CASES, ids=[case[0] for case in CASES])
def test_counting_rule(nhf, run_export, name, fields, counts, reason):
    fields = dict(fields)
    mentor_key = fields.pop("peer_mentor", "certified")
    mentor = nhf[mentor_key] if mentor_key else None
    activity = factories.activity(nhf["org"], peer_mentor=mentor, local_branch=nhf["branch"], **fields)

    bundle = run_export(nhf["org"], Period.year(2025)).succeeded_bundle

    [row] = bundle.rows("Aktiviteter")
    assert row["Aktivitets-ID"] == str(activity.id)
    assert row["Tellende"] == ("Ja" if counts else "Nei")
    on_avvik = not counts and fields.get("activity_type") not in SEPARATE
    assert bundle.manifest["rows"] == {
        "exported": 1,
        "counted": int(counts),
        "not_counted": int(not counts),
        "deviations": int(on_avvik),
        "rejected": 0,
        "unreadable": 0,
    }
    deviations = bundle.rows("Avvik")
    if counts:
        assert deviations == []
        assert sum(bundle.manifest["counted_by_category"].values()) == 1
    else:
        assert reason in row["Årsak til ikke tellende"]
    if on_avvik:
        [deviation] = deviations
        assert reason in deviation["Årsak"] and deviation["Slik retter du det"]
    elif not counts:
        assert deviations == [], "a phone, contact or other row in order is not a deviation"


def test_a_phone_row_with_a_real_problem_is_a_deviation_for_that_problem_only(nhf, run_export):
    factories.activity(
        nhf["org"], peer_mentor=None, local_branch=nhf["branch"], activity_type="telefon", municipality_code="9999"
    )
    bundle = run_export(nhf["org"], Period.year(2025)).succeeded_bundle
    [deviation] = bundle.rows("Avvik")
    assert deviation["Årsak"].split("; ") == [
        "Mangler likeperson",
        "Kommunenummeret finnes ikke eller har feil form (skal være fire sifre)",
    ]
    assert "separat" not in deviation["Årsak"]
    assert deviation["Kategori"] == "Likepersonstelefon og kontakttjeneste"


def test_avvik_lists_the_most_common_problem_first_and_each_reason_once(nhf, run_export):
    abroad = [
        factories.activity(
            nhf["org"],
            peer_mentor=nhf["certified"],
            local_branch=nhf["branch"],
            country_code="SE",
            started_at=dt.datetime(2025, 5, day, 9, tzinfo=UTC),
        )
        for day in (1, 2)
    ]
    lonely = [
        factories.activity(
            nhf["org"],
            peer_mentor=None,
            local_branch=nhf["branch"],
            started_at=dt.datetime(2025, 3, day, 9, tzinfo=UTC),
        )
        for day in (1, 2, 3)
    ]
    both = factories.activity(
        nhf["org"],
        peer_mentor=None,
        local_branch=nhf["branch"],
        country_code="DK",
        started_at=dt.datetime(2025, 1, 5, 9, tzinfo=UTC),
    )
    bundle = run_export(nhf["org"], Period.year(2025)).succeeded_bundle
    rows = bundle.rows("Avvik")
    assert [row["Aktivitets-ID"] for row in rows] == [str(a.id) for a in (both, *lonely, *abroad)]
    assert rows[0]["Årsak"] == "Mangler likeperson; Aktiviteten fant sted utenfor Norge"
    assert all(len(row["Årsak"].split("; ")) == len(set(row["Årsak"].split("; "))) for row in rows)
    assert bundle.manifest["deviations_by_reason"] == {
        "Mangler likeperson": 4,
        "Aktiviteten fant sted utenfor Norge": 3,
    }


def test_duplicate_counts_once_and_copy_is_a_deviation(nhf, run_export):
    first = factories.activity(nhf["org"], peer_mentor=nhf["certified"], local_branch=nhf["branch"])
    copy = factories.activity(nhf["org"], peer_mentor=nhf["certified"], local_branch=nhf["branch"])
    other_type = factories.activity(
        nhf["org"], peer_mentor=nhf["certified"], local_branch=nhf["branch"], activity_type="mote_offentlig"
    )

    bundle = run_export(nhf["org"], Period.year(2025)).succeeded_bundle

    assert bundle.manifest["rows"]["exported"] == 3
    assert bundle.manifest["counted_by_category"]["oppsokende"] == 2
    [deviation] = bundle.rows("Avvik")
    assert deviation["Aktivitets-ID"] == max(str(first.id), str(copy.id))
    assert "Duplikat" in deviation["Årsak"]
    assert str(other_type.id) not in {d["Aktivitets-ID"] for d in bundle.rows("Avvik")}


GROUP = {
    "activity_type": "samtalegruppe",
    "duration_minutes": 90,
    "participant_count": 6,
    "started_at": dt.datetime(2025, 4, 3, 16, tzinfo=UTC),
}


@pytest.mark.parametrize(
    ("activity_type", "category"),
    [("samtalegruppe", "samtalegruppe"), ("aktivitetsgruppe", "aktivitetsgruppe"), ("likepersonskurs", "kurs")],
)
def test_a_group_registered_by_two_co_leaders_counts_once(nhf, run_export, activity_type, category):
    registrations = [
        factories.activity(
            nhf["org"], peer_mentor=nhf[key], local_branch=nhf["branch"], **{**GROUP, "activity_type": activity_type}
        )
        for key in ("certified", "uncertified", "late")
    ]
    first, *others = sorted(registrations, key=lambda a: str(a.id))

    bundle = run_export(nhf["org"], Period.year(2025)).succeeded_bundle

    assert bundle.manifest["counted_by_category"][category] == 1
    verdicts = {row["Aktivitets-ID"]: row["Tellende"] for row in bundle.rows("Aktiviteter")}
    assert verdicts == {str(first.id): "Ja", **{str(other.id): "Nei" for other in others}}
    deviations = {row["Aktivitets-ID"]: row for row in bundle.rows("Avvik")}
    assert deviations.keys() == {str(other.id) for other in others}
    for row in deviations.values():
        assert row["Årsak"] == (
            "Samme gruppe er også registrert av en annen likeperson (samme type, starttid og lokallag)"
        )
        assert row["Slik retter du det"] == (
            f"Gjentar registrering {first.id} av {first.peer_mentor.full_name}. "
            "Slett den ene registreringen i appen; gruppen telles én gang."
        )
    assert bundle.manifest["deviations_by_reason"] == {
        "Samme gruppe er også registrert av en annen likeperson (samme type, starttid og lokallag)": 2
    }


def test_groups_in_two_branches_or_at_two_starts_and_visits_together_each_count(nhf, run_export):
    other_branch = factories.branch(nhf["org"], name="Voss", municipality="4621")
    factories.activity(nhf["org"], peer_mentor=nhf["certified"], local_branch=nhf["branch"], **GROUP)
    factories.activity(
        nhf["org"], peer_mentor=nhf["uncertified"], local_branch=other_branch, **{**GROUP, "municipality_code": "4621"}
    )
    factories.activity(
        nhf["org"],
        peer_mentor=nhf["uncertified"],
        local_branch=nhf["branch"],
        **{**GROUP, "started_at": GROUP["started_at"] + dt.timedelta(minutes=30)},
    )
    for key in ("certified", "uncertified"):
        factories.activity(
            nhf["org"],
            peer_mentor=nhf[key],
            local_branch=nhf["branch"],
            started_at=dt.datetime(2025, 4, 4, 10, tzinfo=UTC),
        )

    bundle = run_export(nhf["org"], Period.year(2025)).succeeded_bundle

    assert bundle.manifest["counted_by_category"]["samtalegruppe"] == 3
    assert bundle.manifest["counted_by_category"]["oppsokende"] == 2
    assert bundle.rows("Avvik") == []


def test_a_row_on_avvik_says_each_reason_and_each_action_once(nhf, run_export):
    factories.activity(
        nhf["org"],
        peer_mentor=nhf["certified"],
        local_branch=nhf["branch"],
        activity_type="aktivitetsgruppe",
        duration_minutes=90,
        participant_count=None,
    )
    factories.activity(
        nhf["org"], peer_mentor=nhf["certified"], local_branch=nhf["branch"], **{**GROUP, "participant_count": None}
    )
    factories.activity(
        nhf["org"], peer_mentor=nhf["uncertified"], local_branch=nhf["branch"], **{**GROUP, "participant_count": None}
    )

    bundle = run_export(nhf["org"], Period.year(2025)).succeeded_bundle

    rows = bundle.rows("Avvik")
    assert len(rows) == 3
    for row in rows:
        reasons = row["Årsak"].split("; ")
        assert len(reasons) == len(set(reasons))
        assert row["Slik retter du det"].count("Før opp antall deltakere i appen") == 1, row["Slik retter du det"]
        assert row["Slik retter du det"].count("Slett den ene registreringen i appen") <= 1
        assert "Før opp antall deltakere i appen; en gruppe må ha minst tre." in row["Slik retter du det"]
    assert sum("annen likeperson" in row["Årsak"] for row in rows) == 1


def test_a_co_leaders_own_copy_of_a_group_is_told_to_delete_once(nhf, run_export):
    ids = [uuid.UUID(int=n) for n in (1, 2, 3)]
    for activity_id, key in zip(ids, ("certified", "uncertified", "uncertified"), strict=True):
        factories.activity(nhf["org"], id=activity_id, peer_mentor=nhf[key], local_branch=nhf["branch"], **GROUP)

    bundle = run_export(nhf["org"], Period.year(2025)).succeeded_bundle

    assert bundle.manifest["counted_by_category"]["samtalegruppe"] == 1
    rows = {row["Aktivitets-ID"]: row for row in bundle.rows("Avvik")}
    copy = rows[str(ids[2])]
    assert copy["Årsak"].split("; ") == [  # the most common reason first
        "Samme gruppe er også registrert av en annen likeperson (samme type, starttid og lokallag)",
        "Duplikat: samme likeperson, starttid og aktivitetstype er registrert tidligere",
    ]
    assert copy["Slik retter du det"] == (
        f"Gjentar registrering {ids[0]} av Kari Godkjent. Slett den ene registreringen i appen; gruppen telles én gang."
    )


def test_several_counted_activities_for_one_peer_on_one_day(nhf, run_export):
    for hour in (9, 12, 15):
        factories.activity(
            nhf["org"],
            peer_mentor=nhf["certified"],
            local_branch=nhf["branch"],
            started_at=dt.datetime(2025, 3, 3, hour, tzinfo=UTC),
        )
    bundle = run_export(nhf["org"], Period.year(2025)).succeeded_bundle
    assert bundle.manifest["counted_by_category"]["oppsokende"] == 3


def test_rejected_only_on_avvik_and_deleted_never(nhf, run_export):
    rejected = factories.activity(nhf["org"], peer_mentor=nhf["certified"], status="rejected")
    deleted = factories.activity(
        nhf["org"], peer_mentor=nhf["certified"], status="deleted", started_at=dt.datetime(2025, 7, 1, tzinfo=UTC)
    )
    approved = factories.activity(
        nhf["org"], peer_mentor=nhf["certified"], status="approved", started_at=dt.datetime(2025, 8, 1, tzinfo=UTC)
    )

    bundle = run_export(nhf["org"], Period.year(2025)).succeeded_bundle

    listed = {row["Aktivitets-ID"] for row in bundle.rows("Aktiviteter")}
    deviations = {row["Aktivitets-ID"]: row["Årsak"] for row in bundle.rows("Avvik")}
    assert listed == {str(approved.id)}
    assert "avvist" in deviations[str(rejected.id)]
    assert str(deleted.id) not in listed | set(deviations)
    assert bundle.manifest["rows"]["rejected"] == 1


def test_year_is_calendar_year_in_oslo_time(nhf, run_export):
    late_evening_utc = factories.activity(
        nhf["org"], peer_mentor=nhf["certified"], started_at=dt.datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    )
    last_minute = factories.activity(
        nhf["org"], peer_mentor=nhf["certified"], started_at=dt.datetime(2025, 12, 31, 22, 59, tzinfo=UTC)
    )
    new_year_utc = factories.activity(
        nhf["org"], peer_mentor=nhf["certified"], started_at=dt.datetime(2024, 12, 31, 23, 15, tzinfo=UTC)
    )

    bundle_2025 = run_export(nhf["org"], Period.year(2025)).succeeded_bundle
    bundle_2026 = run_export(nhf["org"], Period.year(2026)).succeeded_bundle

    ids_2025 = {row["Aktivitets-ID"]: row["Dato"] for row in bundle_2025.rows("Aktiviteter")}
    assert set(ids_2025) == {str(last_minute.id), str(new_year_utc.id)}
    assert ids_2025[str(new_year_utc.id)].date() == dt.date(2025, 1, 1)
    [row_2026] = bundle_2026.rows("Aktiviteter")
    assert row_2026["Aktivitets-ID"] == str(late_evening_utc.id)
    assert row_2026["Dato"].date() == dt.date(2026, 1, 1)
    assert bundle_2026.manifest["period"] == {"from": "2026-01-01", "to": "2026-12-31"}


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("12", "finnes ikke eller har feil form"),
        ("abcd", "finnes ikke eller har feil form"),
        ("0399", "finnes ikke eller har feil form"),
        (None, "Kommunenummer mangler"),
        ("0301", "annet fylke"),
    ],
)
def test_municipality_problems_are_deviations_but_still_count(nhf, run_export, code, message):
    activity = factories.activity(
        nhf["org"], peer_mentor=nhf["certified"], local_branch=nhf["branch"], municipality_code=code
    )
    bundle = run_export(nhf["org"], Period.year(2025)).succeeded_bundle
    [row] = bundle.rows("Aktiviteter")
    assert row["Tellende"] == "Ja"
    [deviation] = bundle.rows("Avvik")
    assert deviation["Aktivitets-ID"] == str(activity.id) and message in deviation["Årsak"]
    assert bundle.manifest["counted_by_category"]["oppsokende"] == 1


APP_TEXT = {
    "branch": '=HYPERLINK("http://evil.example","Klikk")\x07',
    "county": "+1+1\x01",
    "municipality": "@SUM(A1:A2)\x1f",
    "mentor": "-2+3\x0bBell\x1b Ringer",
    "activity_type": "=cmd|' /C calc'!A0\x08",
}
"""Formula-like text with control characters in every text field of the app that a demo configuration maps."""
MAPPED_APP_TEXT = {
    "nhf": ["branch", "county", "municipality", "mentor", "activity_type"],
    "hlf": ["county", "municipality", "mentor", "activity_type"],
}
REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


@pytest.mark.parametrize(("make_config", "mapped"), [(nhf_config, "nhf"), (hlf_config, "hlf")])
def test_text_from_the_app_is_never_a_formula_and_control_characters_are_dropped(db, run_export, make_config, mapped):
    org = factories.organisation("hostile")
    save_column_config(organisation=org, document=make_config(), active=True)
    local = factories.branch(org, name=APP_TEXT["branch"], county=APP_TEXT["county"], municipality="4601")
    mentor = factories.mentor(org, local, name=APP_TEXT["mentor"])
    factories.activity(
        org,
        peer_mentor=mentor,
        local_branch=local,
        activity_type=APP_TEXT["activity_type"],
        municipality_code=APP_TEXT["municipality"],
        description="=1+1\x02",
    )

    bundle = run_export(org, Period.year(2025)).succeeded_bundle

    [row] = bundle.rows("Aktiviteter")
    cleaned = {field: REFUSED.sub("", text) for field, text in APP_TEXT.items()}
    assert {field: cleaned[field] in row.values() for field in MAPPED_APP_TEXT[mapped]} == dict.fromkeys(
        MAPPED_APP_TEXT[mapped], True
    )
    assert len(bundle.rows("Avvik")) == 1
    written = 0
    for sheet in bundle.workbook.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not REFUSED.search(cell.value), (sheet.title, cell.coordinate, cell.value)
                    if cell.value in cleaned.values():
                        assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate)
                        written += 1
    assert written >= len(MAPPED_APP_TEXT[mapped])


def test_a_text_another_one_starts_with_is_left_out_whichever_comes_first():
    short = "Før opp antall deltakere i appen."
    full = "Før opp antall deltakere i appen; en gruppe må ha minst tre."
    assert said_once([full, short]) == [full]
    assert said_once([short, full]) == [full]


def test_repeats_differing_only_in_case_space_and_closing_stop_are_said_once():
    assert said_once(["Rett varigheten i appen.", "rett  varigheten i appen", "Rett kommunenummeret."]) == [
        "Rett varigheten i appen.",
        "Rett kommunenummeret.",
    ]


def test_a_text_inside_another_is_left_out_and_different_texts_all_stay_in_order():
    texts = [
        "Slett den ene registreringen i appen.",
        "Gjentar registrering 7 av Kari. Slett den ene registreringen i appen; gruppen telles én gang.",
        "Registrer likepersonen som deltok, i appen.",
    ]
    assert said_once(texts) == texts[1:]
    assert said_once(["B", "A", "C"]) == ["B", "A", "C"]
    assert said_once([]) == [] and said_once(["Én"]) == ["Én"]
