"""Several organisations per user: the page says which one it is for, switches only among the user's own."""
from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from exports.consumers import ExportProgressConsumer
from exports.links import download_url
from exports.models import BufdirExportAudit, Membership, Organisation
from exports.organisation_choice import SESSION_KEY
from tests import factories

pytestmark = pytest.mark.django_db


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


def page_organisation(client: Client) -> str:
    """The organisation selected in the page's switcher."""
    html = client.get("/exports/").content.decode()
    switcher = html.split('id="organisation-switcher"', 1)[1].split("</form>", 1)[0]
    return switcher.split(" selected>", 1)[1].split("<", 1)[0]


def test_the_page_names_its_organisation_and_offers_only_the_users_export_organisations(client, user):
    client.force_login(user)
    html = client.get("/exports/").content.decode()
    assert page_organisation(client) == "Alfa-forbundet"
    assert "Beta-forbundet" in html and 'value="gamma"' not in html


def test_switching_and_exporting_for_each(client, user, orgs, django_capture_on_commit_callbacks):
    alfa, beta, _ = orgs
    client.force_login(user)
    response = client.post("/exports/organisation/", {"organisation": "beta"})
    assert response.status_code == 302
    assert page_organisation(client) == "Beta-forbundet"
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/exports/start/", {"mode": "year", "year": 2025, "organisation": "alfa",
                                        "organisation_id": str(alfa.pk)})
    assert BufdirExportAudit.objects.get().organisation == beta

    client.post("/exports/organisation/", {"organisation": "alfa"})
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/exports/start/", {"mode": "year", "year": 2025})
    assert set(BufdirExportAudit.objects.values_list("organisation__slug", flat=True)) == {"alfa", "beta"}


def test_the_link_in_a_notice_opens_the_page_for_its_organisation_if_the_user_may_export_for_it(client, user):
    client.force_login(user)
    assert client.get("/exports/for/beta/").status_code == 302
    assert page_organisation(client) == "Beta-forbundet"
    assert client.get("/exports/for/gamma/").status_code == 404
    assert page_organisation(client) == "Beta-forbundet"


@pytest.mark.parametrize("slug", ["gamma", "nope", ""])
def test_the_switcher_refuses_an_organisation_the_user_may_not_export_for(client, user, slug):
    client.force_login(user)
    client.post("/exports/organisation/", {"organisation": "beta"})
    response = client.post("/exports/organisation/", {"organisation": slug})
    assert response.status_code == 404
    assert page_organisation(client) == "Beta-forbundet"


def test_the_choice_is_checked_against_the_memberships_on_every_request(client, user, orgs):
    alfa, beta, _ = orgs
    client.force_login(user)
    client.post("/exports/organisation/", {"organisation": "beta"})
    Membership.objects.filter(user=user, organisation=beta).update(role=Membership.Role.PEER_MENTOR)
    html = client.get("/exports/").content.decode()
    assert "Beta-forbundet" not in html and 'id="current-organisation">Alfa-forbundet' in html
    session = client.session
    session[SESSION_KEY] = str(Organisation.objects.get(slug="gamma").pk)
    session.save()
    assert 'id="current-organisation">Alfa-forbundet' in client.get("/exports/").content.decode()


def test_downloads_are_checked_against_the_memberships(client, user, orgs, export_files):
    _, _, gamma = orgs
    audit = BufdirExportAudit.objects.create(organisation=gamma, period_from="2025-01-01", period_to="2025-12-31",
                                             status=BufdirExportAudit.Status.SUCCEEDED, file_key="gamma/1/x.zip")
    client.force_login(user)
    url = download_url(audit.pk)
    assert client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_websocket_follows_the_sessions_checked_choice(user, orgs, export_files):
    alfa, beta, gamma = orgs
    for org, status in ((alfa, "failed"), (beta, "pending"), (gamma, "running")):
        BufdirExportAudit.objects.create(organisation=org, period_from="2025-01-01", period_to="2025-12-31",
                                         status=status)

    def first_status(chosen) -> str:
        session = SessionStore()
        if chosen is not None:
            session[SESSION_KEY] = str(chosen.pk)
        session.save()
        communicator = WebsocketCommunicator(ExportProgressConsumer.as_asgi(), "/ws/exports/")
        communicator.scope["user"] = user
        communicator.scope["session"] = SessionStore(session.session_key)

        async def body() -> str:
            connected, _ = await communicator.connect()
            assert connected
            html = await communicator.receive_from()
            await communicator.disconnect()
            return html.split('data-status="', 1)[1].split('"', 1)[0]

        return async_to_sync(body)()

    assert first_status(beta) == "pending"
    assert first_status(alfa) == "failed"
    assert first_status(gamma) == "failed"
    assert first_status(None) == "failed"
