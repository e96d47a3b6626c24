"""The JSON API's contract through the Django test client: every endpoint, status and the error shape."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.utils import timezone

from api.models import ApiToken
from api.tokens import issue_token
from exports.models import BufdirExportAudit, Membership, Organisation
from tests import factories
from tests.export_reading import open_bundle

pytestmark = pytest.mark.django_db
ERROR_KEYS = {"code", "message", "fields", "export"}
Status = BufdirExportAudit.Status


class Api:
    """A test client that sends one token with every request."""

    def __init__(self, client, secret: str) -> None:
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def get(self, path: str, **extra):
        return self.client.get(path, **self.headers, **extra)

    def post(self, path: str, body: object):
        return self.client.post(path, body, content_type="application/json", **self.headers)

    def delete(self, path: str):
        return self.client.delete(path, **self.headers)


@pytest.fixture
def nhf():
    """NHF with five counted activities in May 2025."""
    org = factories.organisation("nhf", name="Norges Handikapforbund")
    local = factories.branch(org)
    mentor = factories.mentor(org, local)
    for day in range(1, 6):
        factories.activity(
            org, peer_mentor=mentor, local_branch=local, started_at=dt.datetime(2025, 5, day, 10, tzinfo=dt.UTC)
        )
    return org


@pytest.fixture
def nhf_user(nhf):
    return factories.member(nhf, username="nhf-admin")


@pytest.fixture
def api(client, nhf, nhf_user, export_files):
    """The API with a fresh token of NHF's administrator."""
    return Api(client, issue_token(user=nhf_user, organisation=nhf, name="ci").secret)


@pytest.fixture
def other_api(client, export_files):
    """The API with a token of another organisation's administrator."""
    org = factories.organisation("hlf", name="Hørselshemmedes Landsforbund")
    return Api(client, issue_token(user=factories.member(org), organisation=org, name="hlf").secret)


def assert_error(response, status: int, code: str) -> dict:
    """The response is the one error shape with this status and code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == code and body["message"]
    return body


def finished_export(org, **fields) -> BufdirExportAudit:
    """A recorded export of `org` in 2025 (succeeded unless told otherwise)."""
    values = {
        "status": Status.SUCCEEDED,
        "period_from": dt.date(2025, 1, 1),
        "period_to": dt.date(2025, 12, 31),
        "finished_at": timezone.now(),
    }
    values.update(fields)
    return BufdirExportAudit.objects.create(organisation=org, **values)


def test_start_poll_and_download_an_export(api, nhf_user, django_capture_on_commit_callbacks, sync_tasks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/exports", {"year": 2025})
    assert response.status_code == 202, response.content
    started = response.json()
    assert started["period"] == {"from": "2025-01-01", "to": "2025-12-31"}
    assert started["requested_by"] == "nhf-admin"

    detail = api.get(f"/api/v1/exports/{started['id']}").json()
    assert detail["status"] == "succeeded" and detail["percent"] == 100
    assert detail["rows"]["exported"] == 5 and detail["rows"]["counted"] == 5
    assert sum(detail["counted_by_category"].values()) == 5
    assert detail["error_message"] is None
    assert detail["download_url"].startswith("http://testserver/api/v1/exports/")
    assert dt.datetime.fromisoformat(detail["download_expires_at"]) > timezone.now()

    download = api.get(detail["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    bundle = open_bundle(b"".join(download.streaming_content))
    assert bundle.manifest["rows"]["exported"] == 5
    plain = api.get(f"/api/v1/exports/{started['id']}/download")
    assert plain.status_code == 200

    audit = BufdirExportAudit.objects.get(pk=started["id"])
    assert audit.requested_by == nhf_user
    assert any("API" in event.message and "ci" in event.message for event in audit.events.all())


def test_a_date_range(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = api.post("/api/v1/exports", {"from": "2025-01-01", "to": "2025-06-30"})
    assert response.status_code == 202
    assert response.json()["period"] == {"from": "2025-01-01", "to": "2025-06-30"}
    assert response.json()["status"] == "pending" and response.json()["download_url"] is None


def test_a_second_start_is_409_with_the_running_export(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = api.post("/api/v1/exports", {"year": 2025}).json()
        second = api.post("/api/v1/exports", {"from": "2025-01-01", "to": "2025-03-31"})
    body = assert_error(second, 409, "export_running")
    assert body["export"]["id"] == first["id"] and body["export"]["status"] == "pending"
    assert BufdirExportAudit.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "year"),
        ({"year": 2025, "from": "2025-01-01", "to": "2025-02-01"}, "year"),
        ({"year": 1990}, "year"),
        ({"from": "2025-03-01", "to": "2025-01-01"}, "to"),
        ({"from": "2024-01-01", "to": "2025-06-30"}, "to"),
        ({"from": "2025-01-01"}, "to"),
        ({"from": "2025-02-30", "to": "2025-03-01"}, "from"),
        ({"year": "tjuefemten"}, "year"),
        ({"year": 2025, "organisation": "hlf"}, "organisation"),
    ],
)
def test_a_bad_period_is_422_with_field_errors(api, body, field):
    response = api.post("/api/v1/exports", body)
    errors = assert_error(response, 422, response.json()["code"])["fields"]
    assert field in errors and all(errors[field])
    assert not BufdirExportAudit.objects.exists()


def test_the_period_rule_is_the_one_of_the_page_and_the_command_line(api):
    from exports.rules.periods import PeriodOutOfBounds, check_period, check_year

    too_long = api.post("/api/v1/exports", {"from": "2024-01-01", "to": "2025-06-30"}).json()
    with pytest.raises(PeriodOutOfBounds) as rule:
        check_period(dt.date(2024, 1, 1), end=dt.date(2025, 6, 30))
    assert too_long["fields"] == {"to": [str(rule.value)]}
    far = timezone.localdate().year + 2
    too_late = api.post("/api/v1/exports", {"year": far}).json()
    with pytest.raises(PeriodOutOfBounds) as rule:
        check_year(far)
    assert too_late["fields"] == {"year": [str(rule.value)]}


def test_a_body_that_is_not_json_is_400(api):
    response = api.client.post("/api/v1/exports", "{", content_type="application/json", **api.headers)
    assert_error(response, 400, "bad_request")


def test_list_recent_exports_of_the_own_organisation_only(api, other_api, nhf):
    mine = finished_export(nhf)
    finished_export(Organisation.objects.get(slug="hlf"))
    items = api.get("/api/v1/exports").json()["items"]
    assert [item["id"] for item in items] == [mine.pk]
    assert api.get("/api/v1/exports?limit=0").status_code == 422


def test_a_succeeded_export_accounts_for_every_row(api, nhf, run_export):
    local, mentor = nhf.branches.get(), nhf.peer_mentors.get()
    factories.activity(nhf, peer_mentor=mentor, local_branch=local, activity_type="telefon")
    factories.activity(nhf, peer_mentor=mentor, local_branch=local, activity_type="stand")
    factories.activity(nhf, peer_mentor=None, local_branch=local)
    factories.activity(nhf, peer_mentor=mentor, local_branch=local, status="rejected")
    audit = run_export(nhf, requested_by="API").audit

    detail = api.get(f"/api/v1/exports/{audit.pk}").json()

    breakdown = detail["row_breakdown"]
    assert breakdown == {
        "counted_by_category": {"oppsokende": 5, "samtalegruppe": 0, "aktivitetsgruppe": 0, "kurs": 0},
        "counted": 5,
        "phone_and_contact": 1,
        "other": 1,
        "not_counted_by_rule": 1,
        "not_counted": 3,
        "exported": 8,
        "rejected": 1,
        "unreadable": 0,
        "read": 9,
    }
    assert sum(breakdown["counted_by_category"].values()) == breakdown["counted"]
    assert (
        breakdown["counted"] + breakdown["phone_and_contact"] + breakdown["other"] + breakdown["not_counted_by_rule"]
        == breakdown["exported"]
        == detail["rows"]["exported"]
    )
    assert breakdown["exported"] + breakdown["rejected"] + breakdown["unreadable"] == breakdown["read"]
    schema = api.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "not_counted_by_rule" in schema["RowBreakdownOut"]["properties"]


def test_a_failed_export_shows_its_message_and_no_download(api, nhf):
    audit = finished_export(nhf, status=Status.FAILED, error_message="Ingen aktiv kolonnekonfigurasjon.")
    detail = api.get(f"/api/v1/exports/{audit.pk}").json()
    assert detail["status"] == "failed" and detail["error_message"] == "Ingen aktiv kolonnekonfigurasjon."
    assert detail["download_url"] is None and detail["counted_by_category"] is None
    assert detail["row_breakdown"] is None
    assert_error(api.get(f"/api/v1/exports/{audit.pk}/download"), 404, "no_file")


def test_a_running_export_cannot_be_downloaded_yet(api, nhf):
    audit = finished_export(nhf, status=Status.RUNNING, finished_at=None)
    body = assert_error(api.get(f"/api/v1/exports/{audit.pk}/download"), 409, "export_not_finished")
    assert body["export"]["id"] == audit.pk


def test_an_unknown_export_is_404(api):
    assert_error(api.get("/api/v1/exports/999999"), 404, "not_found")
    assert_error(api.get("/api/v1/exports/999999/download"), 404, "not_found")
    assert_error(api.get("/api/v1/exports/0"), 422, "invalid")


def test_an_expired_or_forged_download_link_is_403(api, nhf, settings):
    audit = finished_export(nhf, file_key="nhf/1/x.zip")
    assert_error(api.get(f"/api/v1/exports/{audit.pk}/download?link=forged"), 403, "link_expired")
    link = api.get(f"/api/v1/exports/{audit.pk}").json()["download_url"]
    settings.BUFDIR_EXPORT = {**settings.BUFDIR_EXPORT, "DOWNLOAD_URL_MAX_AGE": -1}
    assert_error(api.get(link), 403, "link_expired")


def test_another_organisations_token_reaches_nothing_of_it(api, other_api, nhf):
    audit = finished_export(nhf, file_key="nhf/1/x.zip")
    link = api.get(f"/api/v1/exports/{audit.pk}").json()["download_url"]
    assert_error(other_api.get(f"/api/v1/exports/{audit.pk}"), 404, "not_found")
    assert_error(other_api.get(f"/api/v1/exports/{audit.pk}/download"), 404, "not_found")
    assert_error(other_api.get(link), 404, "not_found")
    assert other_api.get("/api/v1/exports").json() == {"items": []}


@pytest.mark.parametrize("request_", ["list", "detail", "download", "start"])
def test_no_token_a_wrong_one_a_revoked_or_expired_one_or_a_lost_role_is_401(client, api, nhf, nhf_user, request_):
    audit = finished_export(nhf, file_key="nhf/1/x.zip")
    revoked = issue_token(user=nhf_user, organisation=nhf, name="revoked")
    ApiToken.objects.filter(pk=revoked.token.pk).update(revoked_at=timezone.now())
    expired = issue_token(user=nhf_user, organisation=nhf, name="expired")
    ApiToken.objects.filter(pk=expired.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    peer = factories.member(nhf, role=Membership.Role.PEER_MENTOR)
    demoted = issue_token(user=peer, organisation=nhf, name="no role")
    live = api.headers["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    tampered = live[:-4] + ("AAAA" if not live.endswith("AAAA") else "BBBB")
    calls = {
        "list": lambda a: a.get("/api/v1/exports"),
        "detail": lambda a: a.get(f"/api/v1/exports/{audit.pk}"),
        "download": lambda a: a.get(f"/api/v1/exports/{audit.pk}/download"),
        "start": lambda a: a.post("/api/v1/exports", {"year": 2025}),
    }
    call = calls[request_]
    for secret in (revoked.secret, expired.secret, demoted.secret, tampered, "bfx_nope_nope", "garbage"):
        response = assert_error(call(Api(client, secret)), 401, "invalid_token")
        assert response["fields"] is None
    assert_error(call(Api(client, "")), 401, "invalid_token")
    assert not BufdirExportAudit.objects.exclude(pk=audit.pk).exists()


def test_a_token_stops_working_at_once_when_the_user_loses_the_role(api, nhf, nhf_user):
    assert api.get("/api/v1/exports").status_code == 200
    Membership.objects.filter(user=nhf_user).update(role=Membership.Role.PEER_MENTOR)
    assert_error(api.get("/api/v1/exports"), 401, "invalid_token")
    Membership.objects.filter(user=nhf_user).delete()
    assert_error(api.get("/api/v1/exports"), 401, "invalid_token")


def test_a_token_is_stored_as_a_hash_and_remembers_its_last_use(api, nhf_user):
    secret = api.headers["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    token = ApiToken.objects.get(user=nhf_user)
    assert secret not in {token.token_hash, token.prefix, token.name}
    assert token.last_used_at is None
    api.get("/api/v1/exports")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_requests_are_throttled_per_token(api, other_api, settings):
    settings.API_THROTTLE_RATE = "3/m"
    for _ in range(3):
        assert api.get("/api/v1/exports").status_code == 200
    assert_error(api.get("/api/v1/exports"), 429, "throttled")
    assert other_api.get("/api/v1/exports").status_code == 200


def test_the_openapi_document_and_the_docs_page(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/exports", "/api/v1/exports/{export_id}", "/api/v1/exports/{export_id}/download"} <= set(
        document["paths"]
    )
    assert "ErrorOut" in document["components"]["schemas"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in docs.content.decode()
    assert finders.find("ninja/swagger-ui-bundle.js")


def test_create_api_token_prints_a_working_token_last(client, nhf, nhf_user, capsys):
    call_command("create_api_token", "nhf-admin", "--org", "nhf", "--days", "7")
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert Api(client, secret).get("/api/v1/exports").status_code == 200
    token = ApiToken.objects.get()
    assert dt.timedelta(days=6) < token.expires_at - timezone.now() <= dt.timedelta(days=7)


def test_create_api_token_refuses_a_user_without_the_export_role(nhf):
    from django.core.management.base import CommandError

    factories.member(nhf, role=Membership.Role.PEER_MENTOR, username="peer")
    with pytest.raises(CommandError):
        call_command("create_api_token", "peer", "--org", "nhf")
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", "--org", "nhf")


def test_delete_cancels_a_running_export_and_the_audit_names_the_tokens_user(api, nhf, nhf_user):
    audit = finished_export(nhf, status=Status.RUNNING, finished_at=None)
    response = api.delete(f"/api/v1/exports/{audit.pk}")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    audit.refresh_from_db()
    assert audit.status == Status.CANCELLED and audit.cancelled_by == nhf_user
    assert any("API" in event.message and "ci" in event.message for event in audit.events.all())
    body = assert_error(api.delete(f"/api/v1/exports/{audit.pk}"), 409, "export_finished")
    assert body["export"]["status"] == "cancelled"


def test_delete_of_another_organisations_export_is_404(api, other_api, nhf):
    audit = finished_export(nhf, status=Status.PENDING, finished_at=None)
    assert_error(other_api.delete(f"/api/v1/exports/{audit.pk}"), 404, "not_found")
    audit.refresh_from_db()
    assert audit.status == Status.PENDING


@pytest.mark.parametrize(
    "body",
    [
        {"year": "2025"},
        {"year": 2025.0},
        {"year": None},
        {"year": True},
        {"from": 1735689600, "to": 1751241600},
        {"from": "2025-01-01", "to": "2025-06-30", "year": None},
        {"from": "20250101", "to": "2025-06-30"},
        [2025],
        "2025",
    ],
)
def test_only_the_documented_json_types_are_accepted(api, body):
    response = api.post("/api/v1/exports", body)
    assert_error(response, 422, "invalid")
    assert not BufdirExportAudit.objects.exists()


def test_an_export_no_worker_took_is_failed_before_a_new_start(api, nhf, django_capture_on_commit_callbacks):
    lost = finished_export(nhf, status=Status.PENDING, finished_at=None)
    BufdirExportAudit.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    assert api.get(f"/api/v1/exports/{lost.pk}").json()["status"] == "failed"
    with django_capture_on_commit_callbacks(execute=False):
        assert api.post("/api/v1/exports", {"year": 2025}).status_code == 202


def test_an_unknown_address_or_method_under_the_api_answers_in_the_error_shape(api, client):
    assert_error(api.get("/api/v1/nothing"), 404, "not_found")
    response = api.client.put("/api/v1/exports", **api.headers)
    assert_error(response, 405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert client.get("/exports/nothing").headers["Content-Type"].startswith("text/html")
