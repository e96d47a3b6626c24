"""The websocket that pushes an organisation's export states to its HTMX page."""

from __future__ import annotations

import asyncio
import contextlib
from importlib import import_module
from typing import Any
from uuid import UUID

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from exports.container import services
from exports.fragments import state_fragments
from exports.lifecycle.export_state import ExportState
from exports.lifecycle.progress import organisation_group
from exports.models import BufdirExportAudit, Membership
from exports.organisation_choice import membership_for
from exports.selectors import latest_audit
from exports.socket_shutdown import OPEN

FORBIDDEN = 4403
ACCESS_RECHECK_SECONDS = 15.0


def still_allowed(user: Any, *, session_key: str | None, organisation_id: UUID) -> bool:
    """Whether the connection's user is still logged in (same session) and may still export for the organisation."""
    if session_key is not None:
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
        if not store.exists(session_key):
            return False
        if store.get("_auth_user_id") not in (None, str(user.pk)):
            return False
    return Membership.objects.filter(
        user_id=user.pk, user__is_active=True, organisation_id=organisation_id, role__in=Membership.EXPORT_ROLES
    ).exists()


class ExportProgressConsumer(AsyncWebsocketConsumer):
    """Joins the group of the organisation named in the socket's URL (if the user may export for it) and renders
    each of its states as an HTMX fragment."""

    group: str | None = None
    _watch: asyncio.Task | None = None

    async def connect(self) -> None:
        """Accept users who may export for the URL's organisation; show them its current state at once."""
        user = self.scope.get("user") or AnonymousUser()
        slug = self.scope.get("url_route", {}).get("kwargs", {}).get("slug", "")
        membership = await database_sync_to_async(membership_for)(user, slug=slug)
        if membership is None:
            await self.close(code=FORBIDDEN)
            return
        self.organisation = membership.organisation
        self.organisation_id = membership.organisation_id
        self.group = organisation_group(self.organisation_id)
        self.user = user
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        OPEN.add(self)
        self._watch = asyncio.ensure_future(self._watch_access())
        audit = await database_sync_to_async(latest_audit)(self.organisation_id)
        if audit is not None:
            await self._send_state(ExportState.from_audit(audit))

    async def disconnect(self, code: int) -> None:
        """Stop watching and leave the organisation's group."""
        OPEN.discard(self)
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def going_away(self, code: int) -> None:
        """The server is stopping: close the socket with `code` and clean up as on a disconnect."""
        await self.close(code=code)
        await self.disconnect(code)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """The page sends nothing the server acts on."""

    async def export_state(self, message: dict[str, Any]) -> None:
        """A state from the worker: render it for this page, if it is an export of the page's organisation."""
        state = ExportState.from_message(message)
        if await database_sync_to_async(self._is_ours)(state.audit_id):
            await self._send_state(state)

    def _is_ours(self, audit_id: int) -> bool:
        """Whether the export belongs to the socket's organisation (a frame never crosses organisations)."""
        return BufdirExportAudit.objects.filter(pk=audit_id, organisation_id=self.organisation_id).exists()

    async def _watch_access(self) -> None:
        """Close the connection once the user logs out or loses the export role (checked periodically)."""
        while True:
            await asyncio.sleep(ACCESS_RECHECK_SECONDS)
            if not await self._allowed():
                return

    async def _allowed(self) -> bool:
        """Check access now; close the connection when it is gone."""
        if await database_sync_to_async(still_allowed)(
            self.user, session_key=self.session_key, organisation_id=self.organisation_id
        ):
            return True
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None
        await self.close(code=FORBIDDEN)
        return False

    async def _send_state(self, state: ExportState) -> None:
        """Send the status fragment, and the history when the export has finished (access checked first)."""
        if not await self._allowed():
            return
        html = await database_sync_to_async(self._render)(state)
        await self.send(text_data=html)

    def _render(self, state: ExportState) -> str:
        """The out-of-band fragments for one state: status box, Export button, history row or history."""
        audit = services().audits.get(state.audit_id)
        with translation.override(settings.LANGUAGE_CODE):
            return state_fragments(audit=audit, organisation=self.organisation, state=state)
