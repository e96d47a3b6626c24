"""A daphne told to stop (SIGTERM) closes its export pages' websockets cleanly and exits 0 (real processes)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.test_browser_e2e import ROOT, app_environment, free_port, manage

SESSION = (
    "from importlib import import_module\n"
    "from django.conf import settings\n"
    "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model\n"
    "from exports.models import Membership, Organisation\n"
    "user = get_user_model().objects.create_user('ws-admin', 'ws@example.no', 'ws-passord-2026')\n"
    "org = Organisation.objects.create(slug='nhf', name='NHF', org_number='987654321')\n"
    "Membership.objects.create(user=user, organisation=org, role='administrator')\n"
    "store = import_module(settings.SESSION_ENGINE).SessionStore()\n"
    "store[SESSION_KEY] = str(user.pk)\n"
    "store[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'\n"
    "store[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
    "store.create()\n"
    "print(settings.SESSION_COOKIE_NAME, store.session_key)\n"
)


def _read_until_closed(socket_) -> None:
    """Read frames until the server closes the socket (ConnectionClosed) or 20 s pass without one."""
    while True:
        socket_.recv(timeout=20)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_daphne_closes_an_open_export_socket_cleanly_on_stop(tmp_path: Path, stop: signal.Signals):
    with app_environment(tmp_path, DJANGO_SECRET_KEY=f"ws-{uuid.uuid4().hex}") as env:
        manage(env, "migrate", "--noinput")
        if "REDIS_URL" not in env:
            manage(env, "migrate", "--database", "channels", "--noinput")
        made = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SESSION],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        cookie, key = made.stdout.split()[-2:]
        port = free_port()
        stderr = tmp_path / "daphne.log"
        server = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "bufdir_site.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr.open("w"),
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                with socket.socket() as sock:
                    if sock.connect_ex(("127.0.0.1", port)) == 0:
                        break
                assert time.monotonic() < deadline and server.poll() is None, stderr.read_text()
                time.sleep(0.2)
            with connect(
                f"ws://127.0.0.1:{port}/ws/exports/nhf/",
                open_timeout=20,
                additional_headers={"Cookie": f"{cookie}={key}", "Origin": f"http://127.0.0.1:{port}"},
            ) as socket_:
                time.sleep(0.5)  # the consumer has joined the group and started its access watch
                server.send_signal(stop)
                with pytest.raises(ConnectionClosed) as closed:
                    _read_until_closed(socket_)
            code = server.wait(timeout=20)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
    log = stderr.read_text()
    assert closed.value.rcvd is not None, f"no close frame from the server: {closed.value}\n{log}"
    assert closed.value.rcvd.code in (1000, 1001), (closed.value, log)
    assert code == 0, log
    assert "Traceback" not in log and "ERROR" not in log, log
