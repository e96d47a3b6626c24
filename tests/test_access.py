"""Users reach only their own organisation's pages and files, and only with an export role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from exports.container import services
from exports.domain import Period
from exports.models import Membership
from exports.presentation import download_url
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished_export(run_export):
    """A succeeded export of NHF."""
    org = factories.organisation("nhf")
    factories.activity(org, peer_mentor=factories.mentor(org))
    return org, run_export(org).audit


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("exports:index"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_root_redirects_to_the_export_page(client):
    assert client.get("/")["Location"] == reverse("exports:index")


@pytest.mark.parametrize("role", [Membership.Role.PEER_MENTOR, None])
def test_users_without_the_role_are_refused(client, role):
    org = factories.organisation()
    user = factories.member(org, role) if role else factories.member(org).__class__.objects.create_user("x")
    client.force_login(user)
    assert client.get(reverse("exports:index")).status_code == 403
    assert client.post(reverse("exports:start", args=["nhf"]), {"mode": "year", "year": 2025}).status_code == 403
    assert not org.export_audits.exists()


def test_coordinators_may_export(client):
    org = factories.organisation()
    client.force_login(factories.member(org, Membership.Role.COORDINATOR))
    response = client.get(reverse("exports:index"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("exports:page", args=[org.slug]), 302)]


def test_members_download_with_a_valid_link(client, finished_export):
    org, audit = finished_export
    client.force_login(factories.member(org))
    response = client.get(download_url(audit.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"


def test_other_organisations_cannot_download_even_with_a_valid_link(client, finished_export):
    _, audit = finished_export
    other = factories.organisation("other")
    client.force_login(factories.member(other))
    assert client.get(download_url(audit.pk)).status_code == 404


def test_links_expire(client, finished_export, settings):
    org, audit = finished_export
    client.force_login(factories.member(org))
    url = download_url(audit.pk)
    links = services().download_links
    links.max_age = -1
    try:
        response = client.get(url)
    finally:
        links.max_age = 900
    assert response.status_code == 410
    page = response.content.decode()
    assert 'role="alert"' in page and "utløpt" in page and reverse("exports:page", args=["nhf"]) in page


def test_a_link_for_one_audit_does_not_open_another(client, finished_export):
    org, audit = finished_export
    client.force_login(factories.member(org))
    token = download_url(audit.pk).split("token=")[1]
    second = services().audits.create(
        organisation_id=org.pk,
        requested_by_id=None,
        requested_by_label="test",
        period=Period(dt.date(2025, 1, 1), dt.date(2025, 1, 2)),
    )
    assert client.get(reverse("exports:download", args=[second.pk]) + f"?token={token}").status_code == 404
    forged = client.get(reverse("exports:download", args=[audit.pk]) + "?token=forged")
    assert forged.status_code == 403 and "ikke gyldig" in forged.content.decode()
    assert client.get(reverse("exports:download", args=[audit.pk])).status_code == 403


@pytest.mark.parametrize("lose", ["demoted", "removed", "logged out"])
def test_a_valid_link_is_refused_once_the_user_lost_access(client, finished_export, lose):
    org, audit = finished_export
    user = factories.member(org)
    client.force_login(user)
    url = download_url(audit.pk)
    assert client.get(url).status_code == 200
    if lose == "demoted":
        Membership.objects.filter(user=user).update(role=Membership.Role.PEER_MENTOR)
    elif lose == "removed":
        Membership.objects.filter(user=user).delete()
    else:
        client.logout()
    response = client.get(url)
    assert response.status_code in (302, 403, 404)
    assert response.get("Content-Type") != "application/zip"
