"""Several organisations per user: the organisation a page shows is the one in its URL, and every request and
socket of the page acts for that one (checked against the memberships now), whatever another tab switched to."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from exports.container import services
from exports.domain import Period
from exports.lifecycle.export_state import ExportState
from exports.lifecycle.progress import organisation_group
from exports.models import BufdirExportAudit, Membership, Organisation
from exports.organisation_choice import SESSION_KEY
from exports.presentation import download_url
from tests import factories
from tests.sockets import page_socket

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def orgs():
    """Three organisations: the user administers Alfa, coordinates Beta and is a peer mentor of Gamma."""
    alfa = factories.organisation("alfa", name="Alfa-forbundet")
    beta = factories.organisation("beta", name="Beta-forbundet")
    gamma = factories.organisation("gamma", name="Gamma-forbundet")
    return alfa, beta, gamma


@pytest.fixture
def user(orgs):
    alfa, beta, gamma = orgs
    person = factories.member(alfa, username="begge")
    Membership.objects.create(user=person, organisation=beta, role=Membership.Role.COORDINATOR)
    Membership.objects.create(user=person, organisation=gamma, role=Membership.Role.PEER_MENTOR)
    return person


def selected(html: str) -> str:
    """The organisation selected in the page's switcher."""
    switcher = html.split('id="organisation-switcher"', 1)[1].split("</form>", 1)[0]
    return switcher.split(" selected>", 1)[1].split("<", 1)[0]


def landing(client: Client) -> str:
    """Where `/exports/` sends the user."""
    response = client.get("/exports/")
    assert response.status_code == 302
    return response["Location"]


def test_the_page_names_its_organisation_everywhere_and_offers_only_the_users_export_organisations(client, user):
    client.force_login(user)
    html = client.get("/exports/beta/").content.decode()
    assert selected(html) == "Beta-forbundet"
    assert "<title>Eksport til Bufdir · Beta-forbundet</title>" in html
    assert "Gjeldende eksport for Beta-forbundet" in html and "Siste eksporter for Beta-forbundet" in html
    assert 'ws-connect="/ws/exports/beta/"' in html
    assert 'hx-post="/exports/beta/start/"' in html and 'href="/tokens/beta/"' in html
    assert "Alfa-forbundet" in html and 'value="gamma"' not in html


def test_exports_redirects_to_the_last_choice_or_the_first_by_name(client, user, orgs):
    client.force_login(user)
    assert landing(client) == "/exports/alfa/"
    assert client.post("/exports/organisation/", {"organisation": "beta"})["Location"] == "/exports/beta/"
    assert landing(client) == "/exports/beta/"
    Membership.objects.filter(user=user, organisation=orgs[1]).update(role=Membership.Role.PEER_MENTOR)
    assert landing(client) == "/exports/alfa/"
    session = client.session
    session[SESSION_KEY] = str(Organisation.objects.get(slug="gamma").pk)
    session.save()
    assert landing(client) == "/exports/alfa/"


def test_a_stale_tab_exports_the_organisation_it_shows(client, user, orgs, django_capture_on_commit_callbacks):
    alfa, beta, _ = orgs
    client.force_login(user)
    tab_a = client.get("/exports/alfa/").content.decode()
    assert selected(tab_a) == "Alfa-forbundet"
    client.post("/exports/organisation/", {"organisation": "beta"})
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/exports/alfa/start/", {"mode": "year", "year": 2025, "organisation": "beta"}, **HTMX)
    assert response.status_code == 200 and "Gjeldende eksport for Alfa-forbundet" in response.content.decode()
    assert BufdirExportAudit.objects.get().organisation == alfa

    with django_capture_on_commit_callbacks(execute=False):
        client.post("/exports/beta/start/", {"mode": "year", "year": 2025})
    assert set(BufdirExportAudit.objects.values_list("organisation__slug", flat=True)) == {"alfa", "beta"}
    status = client.get("/exports/alfa/status/").content.decode()
    assert "Gjeldende eksport for Alfa-forbundet" in status and "Beta" not in status


def test_cancel_acts_only_within_the_urls_organisation(client, user, orgs):
    alfa, beta, _ = orgs
    client.force_login(user)
    audit = services().audits.create(
        organisation_id=beta.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
    )
    assert client.post(f"/exports/alfa/{audit.pk}/cancel", **HTMX).status_code == 404
    assert BufdirExportAudit.objects.get(pk=audit.pk).status == BufdirExportAudit.Status.PENDING
    response = client.post(f"/exports/beta/{audit.pk}/cancel", **HTMX)
    assert response.status_code == 200 and "Gjeldende eksport for Beta-forbundet" in response.content.decode()
    assert BufdirExportAudit.objects.get(pk=audit.pk).status == BufdirExportAudit.Status.CANCELLED


@pytest.mark.parametrize("slug", ["gamma", "nope", "delta"])
def test_an_organisation_the_user_may_not_export_for_is_404_on_every_endpoint(
    client, user, slug, django_capture_on_commit_callbacks
):
    factories.organisation("delta", name="Delta-forbundet")
    client.force_login(user)
    assert client.get(f"/exports/{slug}/").status_code == 404
    assert client.get(f"/exports/{slug}/status/").status_code == 404
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(f"/exports/{slug}/start/", {"mode": "year", "year": 2025}).status_code == 404
    assert client.get(f"/tokens/{slug}/").status_code == 404
    assert not BufdirExportAudit.objects.exists()


@pytest.mark.parametrize("slug", ["gamma", "nope", ""])
def test_the_switcher_refuses_an_organisation_the_user_may_not_export_for(client, user, slug):
    client.force_login(user)
    client.post("/exports/organisation/", {"organisation": "beta"})
    assert client.post("/exports/organisation/", {"organisation": slug}).status_code == 404
    assert landing(client) == "/exports/beta/"


def test_a_get_never_switches(client, user):
    client.force_login(user)
    client.post("/exports/organisation/", {"organisation": "beta"})
    assert client.get("/exports/alfa/").status_code == 200
    assert client.get("/exports/alfa/status/").status_code == 200
    assert client.get("/exports/organisation/", {"organisation": "alfa"}).status_code == 405
    old_link = client.get("/exports/for/alfa/")
    assert old_link.status_code == 302 and old_link["Location"] == "/exports/alfa/"
    assert client.get("/exports/for/gamma/", follow=True).status_code == 404
    assert landing(client) == "/exports/beta/"


def test_the_switch_goes_to_the_same_page_of_the_other_organisation_and_only_on_this_host(client, user):
    client.force_login(user)
    assert (
        client.post("/exports/organisation/", {"organisation": "beta", "next": "/tokens/alfa/"})["Location"]
        == "/tokens/beta/"
    )
    assert (
        client.post("/exports/organisation/", {"organisation": "alfa", "next": "https://evil.example/"})["Location"]
        == "/exports/alfa/"
    )


def test_the_choice_is_checked_against_the_memberships_on_every_request(client, user, orgs):
    alfa, beta, _ = orgs
    client.force_login(user)
    assert client.get("/exports/beta/").status_code == 200
    Membership.objects.filter(user=user, organisation=beta).update(role=Membership.Role.PEER_MENTOR)
    assert client.get("/exports/beta/").status_code == 404
    assert 'id="current-organisation">Alfa-forbundet' in client.get("/exports/alfa/").content.decode()


def test_downloads_are_checked_against_the_memberships(client, user, orgs, export_files):
    _, _, gamma = orgs
    audit = BufdirExportAudit.objects.create(
        organisation=gamma,
        period_from="2025-01-01",
        period_to="2025-12-31",
        status=BufdirExportAudit.Status.SUCCEEDED,
        file_key="gamma/1/x.zip",
    )
    client.force_login(user)
    assert client.get(download_url(audit.pk)).status_code == 404


def test_a_failed_download_links_to_its_own_organisations_page(client, user, orgs):
    _, beta, _ = orgs
    audit = BufdirExportAudit.objects.create(
        organisation=beta,
        period_from="2025-01-01",
        period_to="2025-12-31",
        status=BufdirExportAudit.Status.SUCCEEDED,
        file_key="beta/1/x.zip",
    )
    client.force_login(user)
    html = client.get(f"/exports/{audit.pk}/download?token=forged").content.decode()
    assert 'href="/exports/beta/"' in html and "Åpne eksportsiden for Beta-forbundet for en ny lenke" in html


@pytest.mark.django_db(transaction=True)
def test_the_websocket_follows_its_url_not_the_sessions_choice(user, orgs, export_files):
    alfa, beta, gamma = orgs
    for org, status in ((alfa, "failed"), (beta, "pending"), (gamma, "running")):
        BufdirExportAudit.objects.create(
            organisation=org, period_from="2025-01-01", period_to="2025-12-31", status=status
        )
    session = SessionStore()
    session[SESSION_KEY] = str(beta.pk)
    session.save()

    def first_frame(slug: str) -> tuple[bool, int | str]:
        communicator = page_socket(user, slug, SessionStore(session.session_key))

        async def body() -> tuple[bool, int | str]:
            connected, code = await communicator.connect()
            if not connected:
                return False, code
            html = await communicator.receive_from()
            await communicator.disconnect()
            return True, html

        return async_to_sync(body)()

    connected, html = first_frame("alfa")
    assert connected and 'data-status="failed"' in str(html) and "Gjeldende eksport for Alfa-forbundet" in str(html)
    connected, html = first_frame("beta")
    assert connected and 'data-status="pending"' in str(html) and "Beta-forbundet" in str(html)
    assert first_frame("gamma") == (False, 4403)
    assert first_frame("nope") == (False, 4403)


@pytest.mark.django_db(transaction=True)
def test_a_socket_for_one_organisation_never_gets_anothers_frames(user, orgs, export_files):
    alfa, beta, _ = orgs
    alfa_audit, beta_audit = (
        services().audits.create(
            organisation_id=org.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
        )
        for org in (alfa, beta)
    )

    async def body() -> None:
        tab_a, tab_b = page_socket(user, "alfa"), page_socket(user, "beta")
        assert (await tab_a.connect())[0] and (await tab_b.connect())[0]
        assert "Alfa-forbundet" in await tab_a.receive_from()
        assert "Beta-forbundet" in await tab_b.receive_from()
        await sync_to_async(services().progress.push_state)(beta.pk, audit_id=beta_audit.pk)
        assert "Beta-forbundet" in await tab_b.receive_from()
        assert await tab_a.receive_nothing(timeout=0.3)
        beta_state = await sync_to_async(lambda: ExportState.from_audit(services().audits.get(beta_audit.pk)))()
        await get_channel_layer().group_send(organisation_group(alfa.pk), beta_state.to_message())
        assert await tab_a.receive_nothing(timeout=0.3)
        await sync_to_async(services().progress.push_state)(alfa.pk, audit_id=alfa_audit.pk)
        assert "Alfa-forbundet" in await tab_a.receive_from()
        await tab_a.disconnect()
        await tab_b.disconnect()

    async_to_sync(body)()
