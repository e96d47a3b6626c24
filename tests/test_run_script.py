"""The README's run command on real processes: restart keeps data, PORT and BUFDIR_VAR_DIR work, stops cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, suppress
from pathlib import Path

import pytest

from tests.test_browser_e2e import free_port, fresh_postgres_database

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent


def processes_using(var: Path) -> list[int]:
    """Processes started with BUFDIR_VAR_DIR=var (the script's server and worker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"BUFDIR_VAR_DIR={var}".encode() in environ:
            found.append(int(entry.name))
    return found


def start(env: dict[str, str], out: Path) -> subprocess.Popen:
    """Run scripts/run-demo.sh as from a terminal and wait until the server answers.

    SIGINT is reset to its default first: a shell that starts this suite in the background ignores it, and a
    signal ignored when bash starts cannot be trapped, so Ctrl+C would not reach the script as it does a user's.
    """
    script = subprocess.Popen(
        ["bash", "scripts/run-demo.sh"],
        cwd=ROOT,
        env=env,
        stdout=out.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", int(env["PORT"]))) == 0:
                return script
        assert script.poll() is None, out.read_text()
        time.sleep(0.5)
    raise AssertionError(out.read_text())


def stop(script: subprocess.Popen, how: int, var: Path) -> None:
    """Send `how` to the script and check that nothing it started is left (killed all the same if it is)."""
    os.kill(script.pid, how)
    try:
        script.wait(timeout=60)
        deadline = time.monotonic() + 30
        while processes_using(var) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert processes_using(var) == []
    finally:
        for pid in processes_using(var):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def shell(env: dict[str, str], code: str) -> str:
    """Run Python in the app against the script's database."""
    return (
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def test_restart_keeps_data_and_the_worker_stops_with_the_server(tmp_path):
    var = tmp_path / "custom-var"
    env = {
        **os.environ,
        "BUFDIR_VAR_DIR": str(var),
        "PORT": str(free_port()),
        "DEMO_ACTIVITIES": "300",
        "BUFDIR_SKIP_INSTALL": "1",
        "Q_CLUSTER_NAME": f"run-{os.getpid()}",
    }
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_SECRET_KEY", "DJANGO_DEBUG"):
        env.pop(name, None)
    out = tmp_path / "run-demo.out"
    with ExitStack() as stack:
        if env.get("DATABASE_URL", "").startswith("postgres"):
            env["DATABASE_URL"] = stack.enter_context(fresh_postgres_database(env["DATABASE_URL"]))
        else:
            env.pop("DATABASE_URL", None)
            env.pop("REDIS_URL", None)
        script = start(env, out)
        worker_log = var / "worker.log"
        deadline = time.monotonic() + 60
        while "running." not in (worker_log.read_text() if worker_log.exists() else ""):
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(0.5)
        command_env = {**env, "DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY": (var / "secret_key").read_text().strip()}
        shell(
            command_env,
            "from exports.models import OrganisationColumnConfig as C; "
            "C.objects.filter(is_active=True).update(comment='edited'); print('ok')",
        )
        before = shell(command_env, "from exports.models import Activity; print(Activity.objects.count())")
        stop(script, signal.SIGTERM, var)

        script = start(env, out)
        assert "not seeding" in out.read_text()
        assert shell(command_env, "from exports.models import Activity; print(Activity.objects.count())") == before
        assert (
            shell(
                command_env,
                "from exports.models import OrganisationColumnConfig as C; "
                "print(sorted(set(C.objects.filter(is_active=True)"
                ".values_list('comment', flat=True))))",
            )
            == "['edited']"
        )
        stop(script, signal.SIGINT, var)
    assert "Migrating the database" in out.read_text()
