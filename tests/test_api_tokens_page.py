"""The personal API token page: create (shown once), list, revoke; only for users who may export."""

from __future__ import annotations

import pytest

from api.models import ApiToken
from exports.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def nhf():
    return factories.organisation("nhf", name="Norges Handikapforbund")


def test_create_show_once_list_and_revoke(client, nhf):
    user = factories.member(nhf)
    client.force_login(user)
    assert client.get("/tokens/")["Location"] == "/tokens/nhf/"
    page = client.get("/tokens/nhf/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "API-nøkler" in html and "Ny nøkkel for Norges Handikapforbund" in html

    response = client.post("/tokens/nhf/new/", {"name": "Regionkontoret", "days": 30})
    assert response.status_code == 302
    html = client.get("/tokens/nhf/").content.decode()
    secret = html.split('id="new-token-secret">', 1)[1].split("<", 1)[0]
    assert secret.startswith("bfx_") and "Regionkontoret" in html
    token = ApiToken.objects.get(user=user)
    assert token.organisation == nhf and secret not in token.token_hash

    again = client.get("/tokens/nhf/").content.decode()
    assert secret not in again and "Regionkontoret" in again
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/exports", **headers).status_code == 200

    assert client.post(f"/tokens/nhf/{token.pk}/revoke/").status_code == 302
    assert client.get("/api/v1/exports", **headers).status_code == 401
    assert "Tilbakekalt" in client.get("/tokens/nhf/").content.decode()


def test_a_name_is_required(client, nhf):
    client.force_login(factories.member(nhf))
    response = client.post("/tokens/nhf/new/", {"name": " ", "days": 30})
    assert response.status_code == 422 and 'role="alert"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_nobody_revokes_anothers_token(client, nhf):
    from api.tokens import issue_token

    owner = factories.member(nhf)
    issued = issue_token(user=owner, organisation=nhf, name="owner's")
    client.force_login(factories.member(nhf))
    client.post(f"/tokens/nhf/{issued.token.pk}/revoke/")
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_a_user_without_the_export_role_gets_no_page(client, nhf):
    client.force_login(factories.member(nhf, role=Membership.Role.PEER_MENTOR))
    assert client.get("/tokens/").status_code == 403
    assert client.get("/tokens/nhf/").status_code == 403
    assert client.post("/tokens/nhf/new/", {"name": "x", "days": 30}).status_code == 403
    assert not ApiToken.objects.exists()


def test_the_admin_lists_tokens_without_their_hash_and_revokes_them(client, nhf, django_user_model):
    from api.tokens import issue_token

    issued = issue_token(user=factories.member(nhf), organisation=nhf, name="Regionkontoret")
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-for-tests-123"))
    changelist = client.get("/admin/api/apitoken/").content.decode()
    assert "Regionkontoret" in changelist and issued.token.token_hash not in changelist
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [issued.token.pk]})
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert client.get("/admin/api/apitoken/add/").status_code == 403


def test_a_token_is_made_for_the_organisation_in_the_url_whatever_the_last_switch(client, nhf):
    other = factories.organisation("hlf", name="Hørselshemmedes Landsforbund")
    user = factories.member(nhf)
    Membership.objects.create(user=user, organisation=other, role=Membership.Role.ADMINISTRATOR)
    client.force_login(user)
    assert "Ny nøkkel for Norges Handikapforbund" in client.get("/tokens/nhf/").content.decode()
    switched = client.post("/exports/organisation/", {"organisation": "hlf", "next": "/tokens/nhf/"})
    assert switched["Location"] == "/tokens/hlf/"
    client.post("/tokens/nhf/new/", {"name": "Stale tab", "days": 30})
    assert ApiToken.objects.get(name="Stale tab").organisation == nhf
    foreign = factories.organisation("foreign")
    assert client.post("/tokens/foreign/new/", {"name": "x", "days": 30}).status_code == 404
    assert not ApiToken.objects.filter(organisation=foreign).exists()
