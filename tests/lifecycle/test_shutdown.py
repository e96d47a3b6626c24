"""A worker told to stop mid-export fails the export at once with a restart message (real processes)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_browser_e2e import ROOT, app_environment, manage

RESTART = "Eksporttjenesten ble startet på nytt mens eksporten kjørte. Start eksporten på nytt."
START = (
    "import datetime as dt\n"
    "from django.db import transaction\n"
    "from exports.container import services\n"
    "from exports.domain import Period\n"
    "from exports.models import Membership\n"
    "from exports.lifecycle.starting import start_export\n"
    "m = Membership.objects.get(user__username='nhf-admin', organisation__slug='nhf')\n"
    "y = dt.date.today().year - 1\n"
    "period = Period(dt.date(y, 1, 1), dt.date(y, 12, 31))\n"
    "with transaction.atomic():\n"
    "    a = start_export(audits=services().audits, membership=m, period=period)\n"
    "print(a.pk)\n"
)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Iterator[tuple[dict[str, str], Path]]:
    """A migrated, seeded private var folder whose `nhf` exports take a few milliseconds per row."""
    var = tmp_path_factory.mktemp("var")
    with app_environment(
        var,
        EXPORT_CHUNK_SIZE="50",
        Q_WORKERS="1",
        EXPORT_WRITER_PROCESS="1",
        DJANGO_SECRET_KEY=f"stop-{uuid.uuid4().hex}",
    ) as env:
        env["DJANGO_SETTINGS_MODULE"] = "tests.slow_settings"
        manage(env, "migrate", "--noinput")
        if "REDIS_URL" not in env:
            manage(env, "migrate", "--database", "channels", "--noinput")
        manage(env, "seed_demo", "--activities", "3000", "--seed", "7")
        yield env, var


def audit_row(env: dict[str, str], var: Path, pk: int) -> dict[str, Any]:
    """The audit's status, rows processed, error message and finish time, read straight from the database."""
    query = "SELECT status, rows_processed, error_message, finished_at FROM exports_bufdirexportaudit WHERE id = %s"
    if env.get("DATABASE_URL", "").startswith("postgres"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as connection:
            row = connection.execute(query, (pk,)).fetchone()
    else:
        with sqlite3.connect(var / "db.sqlite3", timeout=10) as connection:
            row = connection.execute(query.replace("%s", "?"), (pk,)).fetchone()
    assert row is not None
    return dict(zip(("status", "rows", "error", "finished_at"), row, strict=True))


def start_cluster(env: dict[str, str], var: Path, name: str) -> tuple[subprocess.Popen[bytes], Path]:
    """A running `manage.py qcluster` in a session of its own (on the queue named in `env`), and its log."""
    log = var / f"{name}.log"
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while "running." not in log.read_text():
        assert time.monotonic() < deadline and cluster.poll() is None, log.read_text()
        time.sleep(0.2)
    return cluster, log


def export_in_flight(env: dict[str, str], var: Path) -> int:
    """Start an export of last year for `nhf` and wait until it has written rows; its audit id."""
    started = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", START],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    pk = int(started.stdout.strip().splitlines()[-1])
    deadline = time.monotonic() + 60
    while not ((row := audit_row(env, var, pk))["status"] == "running" and row["rows"] >= 100):
        assert time.monotonic() < deadline and row["status"] in ("pending", "running"), row
        time.sleep(0.1)
    return pk


def export_folders(var: Path) -> list[Path]:
    """The exports' temporary folders under the private var folder."""
    return sorted((var / "tmp").glob("bufdir-export-*"))


@pytest.mark.parametrize("target", ["qcluster", "process group"])
def test_a_stopped_worker_fails_the_running_export_at_once_with_the_restart_message(seeded, target):
    env, var = seeded
    env = {**env, "Q_CLUSTER_NAME": f"stop-{uuid.uuid4().hex[:8]}"}  # the queue of this test's cluster
    cluster, log = start_cluster(env, var, target.replace(" ", "-"))
    try:
        pk = export_in_flight(env, var)
        assert export_folders(var), "the running export has its temporary folder"
        stopped_at, stopped_wall = time.monotonic(), time.time()
        if target == "qcluster":
            os.kill(cluster.pid, signal.SIGTERM)  # a container runtime signals the main process only
        else:
            os.killpg(cluster.pid, signal.SIGTERM)  # systemd and scripts/run-demo.sh signal every process
        try:
            code = cluster.wait(timeout=60)
        except subprocess.TimeoutExpired:
            left = subprocess.run(
                ["ps", "-o", "pid,ppid,stat,args", "-s", str(cluster.pid)], capture_output=True, text=True
            ).stdout
            pytest.fail(f"the cluster did not exit:\n{left}\n{log.read_text()}")
        exited = time.monotonic() - stopped_at
    finally:
        if cluster.poll() is None:
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait()
    row = audit_row(env, var, pk)
    text = log.read_text()
    assert row["status"] == "failed", (row, text)
    assert row["error"] == RESTART
    assert row["rows"] < 3000, "stopped mid-export, not finished"
    assert code == 0, text
    assert export_folders(var) == []
    assert "Traceback" not in text, text
    finished = row["finished_at"]
    if isinstance(finished, str):  # SQLite keeps UTC without an offset
        finished = dt.datetime.fromisoformat(finished).replace(tzinfo=dt.UTC)
    failed_after = finished.timestamp() - stopped_wall
    print(f"\nSIGTERM to the {target}: export failed after {failed_after:.2f} s, qcluster exited after {exited:.2f} s")
    assert failed_after < 5
    deadline = time.monotonic() + 10  # the workers (and a forked writer) end too, none is left to be killed
    while (
        left := subprocess.run(
            ["ps", "-o", "pid,stat,args", "--no-headers", "-s", str(cluster.pid)], capture_output=True, text=True
        ).stdout.strip()
    ) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == "", f"processes of the cluster still run:\n{left}\n{log.read_text()}"
