"""Faults against real processes, watched in headless Chromium: a worker killed mid-export, the next export."""

from __future__ import annotations

import os
import re
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone

from tests import test_browser_e2e
from tests.test_browser_e2e import app_environment, serve

page = test_browser_e2e.page  # the Chromium page fixture

pytestmark = pytest.mark.browser
LOST_AFTER_SECONDS = 60


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """Server and a two-worker cluster on enough activities that an export runs for a few seconds."""
    var = tmp_path_factory.mktemp("var")
    with app_environment(
        var,
        EXPORT_CHUNK_SIZE="100",
        Q_WORKERS="2",
        Q_CLUSTER_NAME=f"life-{uuid.uuid4().hex[:8]}",
        EXPORT_LOST_AFTER_SECONDS=str(LOST_AFTER_SECONDS),
        EXPORT_WRITER_PROCESS="0",
    ) as env:
        for url in serve(env, var, activities=20000):
            yield url, var / "logs" / "worker.log"


def log_in(page, url: str, username: str = "nhf-admin") -> None:
    """Log in and wait for the websocket to be connected."""
    page.goto(url + "/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo-passord-2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/exports/*/")
    page.wait_for_function("() => window.htmx && document.querySelector('[ws-connect]')")


def live_workers(worker_log: Path) -> list[int]:
    """The worker processes of the cluster that are alive now."""
    pids = {int(pid) for pid in re.findall(r"ready for work at (\d+)", worker_log.read_text())}
    return sorted(pid for pid in pids if Path(f"/proc/{pid}").exists())


def status(page) -> str:
    """The status box's data-status."""
    return page.get_attribute("#export-status", "data-status") or ""


def test_a_worker_killed_mid_export_fails_on_the_open_page_and_the_next_export_succeeds(live, page):
    url, worker_log = live
    last_year = timezone.localdate().year - 1
    log_in(page, url)
    page.select_option("#id_year", str(last_year))
    page.click("#export-button")
    page.wait_for_function(
        "() => document.querySelector('#export-status').dataset.status === 'running' && "
        "Number(document.querySelector('#export-progress')?.value) >= 6",
        timeout=120_000,
    )
    assert page.is_disabled("#export-button")

    workers = live_workers(worker_log)
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    page.wait_for_function(
        "() => document.querySelector('#export-status').dataset.status === 'failed'",
        timeout=(LOST_AFTER_SECONDS + 15) * 1000,
    )
    elapsed = time.monotonic() - killed_at
    print(
        f"\nSIGKILL of {len(workers)} worker(s) -> failed on the open page: {elapsed:.1f} s "
        f"({'PostgreSQL+Redis' if os.environ.get('REDIS_URL') else 'embedded default'})"
    )
    assert elapsed <= LOST_AFTER_SECONDS
    assert "sluttet å svare" in page.inner_text("#export-error")
    assert not page.is_disabled("#export-button")

    page.click("#export-button")
    page.wait_for_selector("#download-link", timeout=240_000)
    assert status(page) == "succeeded"


def test_the_form_never_guesses_and_a_bad_link_says_what_happened(live, page):
    url, _ = live
    last_year = timezone.localdate().year - 1
    log_in(page, url)
    page.wait_for_function("() => !document.querySelector('#export-button').disabled", timeout=120_000)

    page.fill("#id_date_from", f"{last_year}-03-10")
    assert page.is_checked("#mode-range") and page.input_value("#id_year") == ""
    page.select_option("#id_year", str(last_year))
    assert page.is_checked("#mode-year") and page.input_value("#id_date_from") == ""

    page.fill("#id_date_from", f"{last_year}-03-10")
    page.fill("#id_date_to", f"{last_year}-03-01")
    page.click("#export-button")
    error = page.wait_for_selector("#date_to-error")
    assert error.get_attribute("role") == "alert" and "etter" in error.inner_text()
    assert page.get_attribute("#id_date_to", "aria-describedby") == "date_to-error"
    assert page.input_value("#id_date_from") == f"{last_year}-03-10"

    page.fill("#id_date_to", f"{last_year}-03-31")
    page.click("#export-button")
    page.wait_for_function(
        "() => { const box = document.querySelector('#export-status'); "
        "return box.dataset.status === 'succeeded' && box.innerText.includes('10.03.'); }",
        timeout=120_000,
    )
    assert page.is_checked("#mode-range") and page.input_value("#id_date_to") == f"{last_year}-03-31"

    link = page.get_attribute("#download-link", "href")
    assert page.get_attribute("#download-link", "download") is None
    page.goto(url + link[:-3])
    assert "ikke gyldig" in page.inner_text("#download-failure")
    page.click("#new-link")
    page.wait_for_selector("#download-link")
