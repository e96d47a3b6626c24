"""The websocket consumer through Channels' communicator."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from exports.container import services
from exports.domain import ExportProgress, Period, Phase
from exports.models import Membership
from tests import factories
from tests.sockets import page_socket

pytestmark = pytest.mark.django_db(transaction=True)


def communicator_for(user, slug: str = "nhf") -> WebsocketCommunicator:
    """A websocket client of `slug`'s page, authenticated as `user`."""
    return page_socket(user, slug)


def run(coroutine_function):
    """Run an async test body from a sync test."""
    return async_to_sync(coroutine_function)()


@pytest.mark.parametrize("role", [None, Membership.Role.PEER_MENTOR])
def test_users_without_the_role_are_refused(role):
    user = AnonymousUser() if role is None else factories.member(factories.organisation(), role)

    async def body():
        connected, code = await communicator_for(user).connect()
        assert not connected and code == 4403

    run(body)


def test_connect_shows_the_current_state_then_pushes_progress_and_success(export_files):
    org = factories.organisation()
    user = factories.member(org)
    audit = services().audits.create(
        organisation_id=org.pk, requested_by_id=user.pk, requested_by_label=user.username, period=Period.year(2025)
    )

    async def body():
        communicator = communicator_for(user)
        connected, _ = await communicator.connect()
        assert connected
        first = await communicator.receive_from()
        assert 'id="export-status"' in first and 'hx-swap-oob="true"' in first
        assert 'data-status="pending"' in first

        progress = ExportProgress(
            audit_id=audit.pk, phase=Phase.MAPPING, rows_processed=500, rows_total=1000, percent=47
        )
        await sync_to_async(services().audits.start)(audit.pk)
        await sync_to_async(services().progress.publish)(org.pk, event=progress)
        loading = await communicator.receive_from()
        assert 'value="47"' in loading and "500 av 1\xa0000" in loading and "Behandler aktiviteter" in loading

        await sync_to_async(lambda: services().audits.fail(audit.pk, message="Lagringstjenesten svarte ikke."))()
        await sync_to_async(services().progress.push_state)(org.pk, audit_id=audit.pk)
        failed = await communicator.receive_from()
        assert 'data-status="failed"' in failed and "Lagringstjenesten svarte ikke." in failed
        assert 'id="export-history"' in failed
        await communicator.disconnect()

    run(body)


def test_a_user_never_receives_another_organisations_progress():
    nhf, other = factories.organisation("nhf"), factories.organisation("other")
    user = factories.member(nhf)
    foreign = services().audits.create(
        organisation_id=other.pk,
        requested_by_id=None,
        requested_by_label="x",
        period=Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31)),
    )

    async def body():
        communicator = communicator_for(user)
        connected, _ = await communicator.connect()
        assert connected
        await sync_to_async(services().progress.push_state)(other.pk, audit_id=foreign.pk)
        assert await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()

    run(body)


@pytest.mark.parametrize("lose", ["demoted", "removed", "deactivated"])
def test_a_user_who_loses_the_role_stops_receiving(lose):
    org = factories.organisation()
    user = factories.member(org)
    audit = services().audits.create(
        organisation_id=org.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
    )

    def take_away() -> None:
        if lose == "demoted":
            Membership.objects.filter(user=user).update(role=Membership.Role.PEER_MENTOR)
        elif lose == "removed":
            Membership.objects.filter(user=user).delete()
        else:
            type(user).objects.filter(pk=user.pk).update(is_active=False)

    async def body():
        communicator = communicator_for(user)
        connected, _ = await communicator.connect()
        assert connected
        assert 'data-status="pending"' in await communicator.receive_from()
        await sync_to_async(take_away)()
        await sync_to_async(services().progress.push_state)(org.pk, audit_id=audit.pk)
        closed = await communicator.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": 4403}

    run(body)


def test_access_is_checked_periodically_without_any_message(monkeypatch):
    from exports import consumers

    monkeypatch.setattr(consumers, "ACCESS_RECHECK_SECONDS", 0.05)
    org = factories.organisation()
    user = factories.member(org)

    async def body():
        communicator = communicator_for(user)
        connected, _ = await communicator.connect()
        assert connected
        await sync_to_async(Membership.objects.filter(user=user).delete)()
        closed = await communicator.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": 4403}

    run(body)


def test_logging_out_ends_the_live_updates():
    from django.contrib.sessions.backends.db import SessionStore

    org = factories.organisation()
    user = factories.member(org)
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session.create()

    async def body():
        communicator = communicator_for(user)
        communicator.scope["session"] = session
        connected, _ = await communicator.connect()
        assert connected
        await sync_to_async(session.flush)()
        await sync_to_async(services().progress.push_state)(
            org.pk,
            audit_id=(
                await sync_to_async(
                    lambda: services().audits.create(
                        organisation_id=org.pk, requested_by_id=None, requested_by_label="x", period=Period.year(2025)
                    )
                )()
            ).pk,
        )
        closed = await communicator.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": 4403}

    run(body)
