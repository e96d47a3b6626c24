"""End to end in headless Chromium: real server and worker processes on the embedded default."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.utils import timezone

from tests.export_reading import open_bundle

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> None:
    """Run a management command in its own process."""
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


@contextmanager
def fresh_postgres_database(url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of `url`, dropped afterwards."""
    import psycopg

    parts = urlsplit(url)
    name = f"bufdir_e2e_{uuid.uuid4().hex[:12]}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def live_app(tmp_path_factory) -> Iterator[str]:
    """Migrated, seeded app served by `runserver` (Daphne) with a django-q2 worker beside it.

    On the embedded default (no DATABASE_URL) that is SQLite and the SQLite channel layer; with
    DATABASE_URL and REDIS_URL set it is a fresh PostgreSQL database, Redis as channel layer and broker.
    """
    var = tmp_path_factory.mktemp("var")
    with app_environment(
        var, EXPORT_CHUNK_SIZE="250", Q_WORKERS="1", Q_CLUSTER_NAME=f"e2e-{uuid.uuid4().hex[:8]}"
    ) as env:
        yield from serve(env, var)


@contextmanager
def app_environment(var: Path, **extra: str) -> Iterator[dict[str, str]]:
    """The environment of live processes in `var` on this run's topology (a fresh database on PostgreSQL)."""
    env = {**os.environ, "BUFDIR_VAR_DIR": str(var), "DJANGO_DEBUG": "1", "PYTHONUNBUFFERED": "1", **extra}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    with ExitStack() as stack:
        if env.get("DATABASE_URL", "").startswith("postgres"):
            env["DATABASE_URL"] = stack.enter_context(fresh_postgres_database(env["DATABASE_URL"]))
        else:
            env.pop("DATABASE_URL", None)
            env.pop("REDIS_URL", None)
        yield env


def serve(env: dict[str, str], var: Path, *, activities: int = 4000) -> Iterator[str]:
    """Migrate and seed, then run the server and the worker until the tests are done."""
    # One key for every process (a generated one is refused under the production topology by exports.checks).
    env.setdefault("DJANGO_SECRET_KEY", f"live-test-{uuid.uuid4().hex}")
    manage(env, "migrate", "--noinput")
    if "REDIS_URL" not in env:
        manage(env, "migrate", "--database", "channels", "--noinput")
    manage(env, "seed_demo", "--activities", str(activities), "--seed", "7")
    port = free_port()
    logs = var / "logs"
    logs.mkdir()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=(logs / "server.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=(logs / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError((logs / "server.log").read_text())
        yield f"http://127.0.0.1:{port}"
    finally:
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def page():
    """A page in headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(accept_downloads=True)
        yield context.new_page()
        browser.close()


STATUS_RECORDER = """() => {
  window.seenStates = [];
  window.seenRows = [];
  const record = () => {
    const el = document.querySelector('#export-status');
    const bar = document.querySelector('#export-progress');
    if (el) window.seenStates.push([el.dataset.status, bar ? Number(bar.value) : null]);
    const row = document.querySelector('#export-history tbody [id^=history-status-]');
    if (el && row) window.seenRows.push([el.dataset.status, bar ? Number(bar.value) : null, row.textContent.trim()]);
  };
  new MutationObserver(record).observe(document.body, {childList: true, subtree: true});
}"""


def test_log_in_export_last_year_watch_progress_and_download(live_app, page, tmp_path):
    last_year = timezone.localdate().year - 1
    page.goto(live_app + "/")
    page.fill("#id_username", "nhf-admin")
    page.fill("#id_password", "demo-passord-2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/exports/*/")
    assert page.locator("h1").inner_text() == "Eksport til Bufdir"
    assert page.locator("[aria-live=polite] #export-status").count() == 1
    page.wait_for_function("() => window.htmx && document.querySelector('[ws-connect]')")
    page.evaluate(STATUS_RECORDER)

    page.select_option("#id_year", str(last_year))
    page.focus("#id_year")
    while page.evaluate("document.activeElement.id") != "export-button":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("#download-link", timeout=120_000)

    states = page.evaluate("window.seenStates")
    statuses = [status for status, _ in states]
    assert statuses[0] in ("pending", "running") and statuses[-1] == "succeeded"
    assert "running" in statuses, states
    percents = [value for status, value in states if status == "running" and value is not None]
    assert percents and percents == sorted(percents)
    rows = page.evaluate("window.seenRows")
    running = [(value, text) for status, value, text in rows if status == "running" and value is not None]
    assert running and all(text.startswith("Pågår") and text.endswith(f", {value} %)") for value, text in running), rows

    with page.expect_download() as download_info:
        page.click("#download-link")
    target = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(target)
    assert zipfile.is_zipfile(target)
    bundle = open_bundle(target.read_bytes())
    assert bundle.manifest["organisation"]["slug"] == "nhf"
    assert bundle.manifest["period"] == {"from": f"{last_year}-01-01", "to": f"{last_year}-12-31"}
    assert bundle.manifest["rows"]["exported"] == len(bundle.rows("Aktiviteter")) > 0
    assert page.locator("#export-history tbody tr").count() >= 1
