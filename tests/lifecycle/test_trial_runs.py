"""The admin's configuration trial runs in the worker: queued by the page, bounded in time, reaped when lost."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import time
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from exports import tasks
from exports.config.versions import document_fingerprint, save_column_config
from exports.container import services
from exports.demo.configs import nhf_config
from exports.domain import Period
from exports.lifecycle.trial_runs import TrialRunner, fail_trial, start_trial
from exports.models import ConfigTrialRun, OrganisationColumnConfig, TrialStatus
from exports.source.local import LocalActivitySource
from tests import factories
from tests.trials import trial_url, try_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-123")
    client.force_login(user)
    return client


@pytest.fixture
def draft():
    """An inactive second version of NHF's configuration, and five home visits in 2025 to try it on."""
    org = factories.organisation("nhf")
    for day in range(1, 6):
        factories.activity(org, started_at=dt.datetime(2025, 5, day, 10, tzinfo=dt.UTC))
    document = copy.deepcopy(nhf_config())
    document["template"]["name"] = "Ny mal"
    return save_column_config(organisation=org, document=document, comment="utkast")


@pytest.fixture
def queued_trials_removed():
    """The real queue (not run inline); afterwards the trials queued in Redis are taken out (the ORM's roll back)."""
    yield
    from django_q.brokers import get_broker
    from django_q.brokers.redis_broker import Redis
    from django_q.signing import SignedPackage

    broker = get_broker()
    if isinstance(broker, Redis):
        for raw in broker.connection.lrange(broker.list_key, 0, -1):
            if SignedPackage.loads(raw).get("func") == "exports.tasks.run_config_trial":
                broker.connection.lrem(broker.list_key, 0, raw)


class UnreadableSource(LocalActivitySource):
    """A source that fails the test if anything reads it (the page must not map rows)."""

    def stream(self, organisation_id, period, chunk_size):
        raise AssertionError("the trial page read rows inside the web request")


class EditingSource(LocalActivitySource):
    """Changes the tried version's document in the database after its first row has been read."""

    def __init__(self, config: OrganisationColumnConfig) -> None:
        self.config = config

    def stream(self, organisation_id, period, chunk_size):
        for index, chunk in enumerate(super().stream(organisation_id, period=period, chunk_size=1)):
            yield chunk
            if index == 0:
                document = copy.deepcopy(self.config.document)
                document["template"]["name"] = "Endret under prøven"
                OrganisationColumnConfig.objects.filter(pk=self.config.pk).update(document=document)


class SlowSource(LocalActivitySource):
    """Hands out one row at a time, each after `delay` seconds (a slow project or a costly mapping)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.handed_out = 0

    def stream(self, organisation_id, period, chunk_size):
        for chunk in super().stream(organisation_id, period=period, chunk_size=1):
            time.sleep(self.delay)
            self.handed_out += 1
            yield chunk


def test_the_trial_page_only_queues_the_trial_and_says_it_is_waiting(admin_client, draft, queued_trials_removed):
    with services().override(activity_source=UnreadableSource()):
        page = try_version(admin_client, draft, {"year": "2025"}).content.decode()
        again = try_version(admin_client, draft, {"year": "2024"})
    [run] = ConfigTrialRun.objects.filter(config=draft)
    assert (run.status, run.rows_done, run.period_from, run.requested_by.username) == (
        TrialStatus.PENDING,
        0,
        dt.date(2025, 1, 1),
        "root",
    )
    assert run.task_id and run.document_sha256 == document_fingerprint(draft)
    assert "Prøven kjører … 0 registreringer fra 01.01.2025–31.12.2025 er lest så langt." in page
    assert "Venter på at arbeideren skal starte den." in page
    assert 'id="trial-refresh" defer' in page and 'data-refresh-seconds="2"' in page
    assert 'id="trial-result"' not in page
    assert "Versjon 2 blir allerede prøvd. Vent til den prøven er ferdig." in again.content.decode()
    assert OrganisationColumnConfig.objects.get(pk=draft.pk).proven_at is None


def test_the_database_holds_one_pending_or_running_trial_per_version(draft):
    fields = {
        "config": draft,
        "document_sha256": "x",
        "period_from": dt.date(2025, 1, 1),
        "period_to": dt.date(2025, 12, 31),
    }
    ConfigTrialRun.objects.create(**fields, status=TrialStatus.FAILED)
    ConfigTrialRun.objects.create(**fields, status=TrialStatus.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConfigTrialRun.objects.create(**fields)


def test_a_finished_trial_shows_its_figures_without_refreshing_and_proves_what_it_ran(admin_client, draft, sync_tasks):
    page = try_version(admin_client, draft, {"year": "2025"}).content.decode()
    [run] = ConfigTrialRun.objects.filter(config=draft)
    proven = OrganisationColumnConfig.objects.get(pk=draft.pk)
    assert (run.status, run.rows_done, run.result["rows_read"]) == (TrialStatus.SUCCEEDED, 5, 5)
    assert proven.proven_document_sha256 == run.document_sha256 and proven.proven_rows == 5
    assert "Ingen regel eller kolonne feilet på disse registreringene." in page and 'id="activate-version"' in page
    assert "http-equiv" not in page and "Prøven kjører" not in page


def test_a_version_edited_during_its_trial_is_not_proven(admin_client, draft, sync_tasks):
    with services().override(activity_source=EditingSource(draft)):
        page = try_version(admin_client, draft, {"year": "2025"}).content.decode()
    [run] = ConfigTrialRun.objects.filter(config=draft)
    edited = OrganisationColumnConfig.objects.get(pk=draft.pk)
    assert run.status == TrialStatus.SUCCEEDED and run.result["rows_read"] == 5
    assert run.document_sha256 == document_fingerprint(draft) != document_fingerprint(edited)
    assert (edited.proven_at, edited.proven_document_sha256) == (None, "")
    assert "Versjon 2 er endret siden denne prøven, så prøven gjelder ikke for den." in page
    assert 'id="activate-version"' not in page


def test_a_version_edited_before_the_worker_starts_its_trial_fails_the_trial(draft):
    with TestCase.captureOnCommitCallbacks(execute=False):
        run = start_trial(config=draft, period=Period.year(2025), requested_by=None, max_seconds=600)
    document = copy.deepcopy(draft.document)
    document["template"]["name"] = "Endret i køen"
    OrganisationColumnConfig.objects.filter(pk=draft.pk).update(document=document)
    assert TrialRunner(trial=services().get("config_trial"), max_seconds=600).run(run.pk) == TrialStatus.FAILED
    run.refresh_from_db()
    assert run.error_message == "Versjon 2 ble endret etter at prøven startet. Prøv den igjen."
    assert OrganisationColumnConfig.objects.get(pk=draft.pk).proven_at is None


def test_the_time_bound_stops_a_slow_trial_with_a_clear_failure(admin_client, draft, sync_tasks, settings):
    settings.CONFIG_TRIAL_MAX_SECONDS = 0.5
    source = SlowSource(delay=0.2)
    with services().override(activity_source=source):
        page = try_version(admin_client, draft, {"year": "2025"}).content.decode()
    [run] = ConfigTrialRun.objects.filter(config=draft)
    assert run.status == TrialStatus.FAILED and run.finished_at is not None
    assert run.error_message.startswith(
        "Prøven ble stoppet etter 0,5 sekunder, det lengste en prøve kan kjøre "
        "(CONFIG_TRIAL_MAX_SECONDS), etter å ha lest "
    )
    read = int(run.error_message.split("etter å ha lest ")[1].split(" ")[0])
    assert read > 0 and read == source.handed_out - 1  # the row handed out last was stopped before its mapping
    assert run.error_message in page and 'id="trial-error"' in page and "http-equiv" not in page
    assert OrganisationColumnConfig.objects.get(pk=draft.pk).proven_at is None


def test_a_running_trial_shows_its_rows_and_refreshes(admin_client, draft):
    ConfigTrialRun.objects.create(
        config=draft,
        document_sha256=document_fingerprint(draft),
        status="running",
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 6, 30),
        rows_done=321,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    page = admin_client.get(trial_url(draft)).content.decode()
    assert "Prøven kjører … 321 registreringer fra 01.01.2025–30.06.2025 er lest så langt." in page
    assert "Venter på at arbeideren" not in page
    assert 'id="trial-refresh" defer' in page and 'data-refresh-seconds="2"' in page


def test_the_reaper_fails_trials_no_worker_took_whose_worker_died_or_that_outlived_the_bound(
    admin_client, draft, settings
):
    settings.BUFDIR_EXPORT = {**settings.BUFDIR_EXPORT, "LOST_AFTER_SECONDS": 60}
    settings.CONFIG_TRIAL_MAX_SECONDS = 600
    now = timezone.now()
    others = [
        save_column_config(organisation=draft.organisation, document=nhf_config(), comment=str(index))
        for index in range(3)
    ]

    def run(config, status, created, **fields):
        made = ConfigTrialRun.objects.create(
            config=config,
            document_sha256="x",
            status=status,
            period_from=dt.date(2025, 1, 1),
            period_to=dt.date(2025, 12, 31),
            **fields,
        )
        ConfigTrialRun.objects.filter(pk=made.pk).update(created_at=created)
        return made.pk

    def ago(seconds: int) -> dt.datetime:
        return now - dt.timedelta(seconds=seconds)

    not_taken = run(draft, "pending", ago(31))
    died = run(others[0], "running", ago(61), started_at=ago(60), heartbeat_at=ago(21))
    too_long = run(others[1], "running", ago(622), started_at=ago(621), heartbeat_at=now)
    alive = run(others[2], "running", ago(31), started_at=ago(30), heartbeat_at=now)
    tasks.reap_lost_exports()
    runs = {run.pk: run for run in ConfigTrialRun.objects.all()}
    assert {pk: runs[pk].status for pk in (not_taken, died, too_long, alive)} == {
        not_taken: "failed",
        died: "failed",
        too_long: "failed",
        alive: "running",
    }
    assert runs[not_taken].error_message.startswith("Ingen arbeider tok prøven: eksporttjenestens arbeider kjører")
    assert runs[died].error_message == (
        "Arbeideren som kjørte prøven, sluttet å svare (den ble stoppet eller krasjet). Prøv igjen."
    )
    assert runs[too_long].error_message.startswith("Prøven kjørte lenger enn 600 sekunder")
    page = admin_client.get(trial_url(draft)).content.decode()
    assert runs[not_taken].error_message in page and "http-equiv" not in page


def test_a_trial_whose_task_the_worker_stopped_is_failed_by_the_hook(draft):
    with TestCase.captureOnCommitCallbacks(execute=False):
        run = start_trial(config=draft, period=Period.year(2025), requested_by=None, max_seconds=600)
    tasks.config_trial_finished(SimpleNamespace(success=False, args=[run.pk], result="timeout"))
    run.refresh_from_db()
    assert (run.status, run.error_message) == (
        "failed",
        "Prøven ble stoppet av arbeideren før den var ferdig. Prøv igjen.",
    )


class StampReadingSource(LocalActivitySource):
    """Notes the run's stamped rows before each row it hands out; fails the run (as the reaper would) at `fail_at`."""

    def __init__(self, run_id: int, fail_at: int | None = None) -> None:
        self.run_id, self.fail_at, self.seen = run_id, fail_at, []

    def stream(self, organisation_id, period, chunk_size):
        for index, chunk in enumerate(super().stream(organisation_id, period=period, chunk_size=1)):
            self.seen.append(ConfigTrialRun.objects.get(pk=self.run_id).rows_done)
            if index == self.fail_at:
                fail_trial(self.run_id, message="Høstet av reaperen.")
            yield chunk


def _queued(config: OrganisationColumnConfig) -> ConfigTrialRun:
    with TestCase.captureOnCommitCallbacks(execute=False):
        return start_trial(config=config, period=Period.year(2025), requested_by=None, max_seconds=600)


def test_a_running_trial_stamps_its_rows_as_it_goes_and_stops_when_it_was_failed_meanwhile(draft):
    ticks = itertools.count(0, 2)
    run = _queued(draft)
    source = StampReadingSource(run.pk)
    with services().override(activity_source=source):
        status = TrialRunner(trial=services().get("config_trial"), max_seconds=10**6, clock=lambda: next(ticks)).run(
            run.pk
        )
    assert (status, source.seen) == ("succeeded", [0, 0, 1, 2, 3])
    OrganisationColumnConfig.objects.filter(pk=draft.pk).update(proven_at=None)
    second = _queued(draft)
    source = StampReadingSource(second.pk, fail_at=2)
    with services().override(activity_source=source):
        status = TrialRunner(trial=services().get("config_trial"), max_seconds=10**6, clock=lambda: next(ticks)).run(
            second.pk
        )
    second.refresh_from_db()
    assert (status, second.status, second.error_message, second.rows_done) == (
        "failed",
        "failed",
        "Høstet av reaperen.",
        1,
    )
    assert OrganisationColumnConfig.objects.get(pk=draft.pk).proven_at is None
