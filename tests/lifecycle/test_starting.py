"""Starting an export records a pending audit of the member's organisation and queues its task once committed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from django_q.conf import Conf
from django_q.models import OrmQ

from exports.container import services
from exports.domain import Period
from exports.lifecycle.starting import ExportQueueUnavailable, start_export
from exports.lifecycle.state_machine import ExportAlreadyActive
from exports.models import BufdirExportAudit, BufdirExportAuditEvent, ExportStatus, Membership
from exports.rules.periods import PeriodOutOfBounds
from tests import factories

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:1/0"
BROKER_DOWN = (
    "Eksportkøen (Redis) svarte ikke, så eksporten kunne ikke startes. Prøv igjen om litt; skjer det igjen, "
    "kontakt systemadministratoren."
)


@pytest.fixture
def orm_queue(monkeypatch):
    """django-q2 queues in the database and nothing runs the task (its Conf is read at import, so it is patched)."""
    monkeypatch.setattr(Conf, "ORM", "default")
    monkeypatch.setattr(Conf, "SYNC", False)


@pytest.fixture
def queue_down(monkeypatch):
    """django-q2's broker is Redis on a port where nothing listens."""
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", CLOSED_PORT)
    monkeypatch.setattr(Conf, "SYNC", False)


@pytest.fixture
def member() -> Membership:
    """kari, an administrator of NHF (and a peer mentor of another organisation)."""
    org = factories.organisation("nhf", name="Norges Handikapforbund")
    user = factories.member(org, username="kari")
    Membership.objects.create(user=user, organisation=factories.organisation("hlf"), role=Membership.Role.PEER_MENTOR)
    return user.memberships.get(organisation=org)


def test_a_start_records_a_pending_export_of_the_members_organisation(member, orm_queue):
    audit = start_export(audits=services().audits, membership=member, period=Period.year(2025))
    recorded = BufdirExportAudit.objects.get()
    assert recorded.pk == audit.pk and recorded.organisation_id == member.organisation_id
    assert (recorded.status, recorded.phase) == (ExportStatus.PENDING, "queued")
    assert (recorded.period_from, recorded.period_to) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert (recorded.requested_by_id, recorded.requested_by_label) == (member.user_id, "kari")


def test_the_task_is_queued_only_when_the_transaction_commits(member, orm_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        audit = start_export(audits=services().audits, membership=member, period=Period.year(2025))
    assert len(callbacks) == 1
    assert OrmQ.objects.count() == 0 and BufdirExportAudit.objects.get().task_id == ""
    callbacks[0]()
    [queued] = OrmQ.objects.all()
    assert queued.name() == f"bufdir-export-{audit.pk}"
    assert queued.func() == "exports.tasks.run_export" and queued.args() == (audit.pk,)
    assert BufdirExportAudit.objects.get().task_id == queued.task_id()


def test_a_period_out_of_bounds_is_refused_before_anything_is_recorded(member, orm_queue):
    with pytest.raises(PeriodOutOfBounds):
        start_export(
            audits=services().audits,
            membership=member,
            period=Period(start=dt.date(1999, 1, 1), end=dt.date(1999, 12, 31)),
        )
    assert not BufdirExportAudit.objects.exists()


def test_a_second_start_while_one_is_active_is_refused(member, orm_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = start_export(audits=services().audits, membership=member, period=Period.year(2025))
    with pytest.raises(ExportAlreadyActive) as refused:
        start_export(audits=services().audits, membership=member, period=Period.year(2024))
    assert refused.value.active.pk == first.pk
    assert BufdirExportAudit.objects.count() == 1 and OrmQ.objects.count() == 1


def test_another_organisation_may_start_while_one_is_active(member, orm_queue):
    other = factories.member(factories.organisation("lhl"), username="per").memberships.get()
    first = start_export(audits=services().audits, membership=member, period=Period.year(2025))
    second = start_export(audits=services().audits, membership=other, period=Period.year(2025))
    assert {first.organisation_id, second.organisation_id} == {member.organisation_id, other.organisation_id}
    assert BufdirExportAudit.objects.filter(status=ExportStatus.PENDING).count() == 2


def test_a_queue_that_does_not_answer_fails_the_export_at_once_in_norwegian(
    member, queue_down, django_capture_on_commit_callbacks
):
    with (
        translation.override("nb"),
        pytest.raises(ExportQueueUnavailable) as refused,
        django_capture_on_commit_callbacks(execute=True),
    ):
        start_export(audits=services().audits, membership=member, period=Period.year(2025))
    message = BROKER_DOWN
    audit = BufdirExportAudit.objects.get()
    assert refused.value.message == message and refused.value.audit.pk == audit.pk
    assert refused.value.audit.status == ExportStatus.FAILED
    assert (audit.status, audit.error_message, audit.task_id) == (ExportStatus.FAILED, message, "")
    assert audit.error_detail.startswith("phase: queued\ncause: broker down\n")
    assert "failed" in BufdirExportAuditEvent.objects.filter(audit=audit).values_list("phase", flat=True)
