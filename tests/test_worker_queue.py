"""A django-q2 cluster whose idle workers are killed keeps taking tasks (real processes)."""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from exports.worker_queue import ProcessLock

ROOT = Path(__file__).resolve().parent.parent


def _hold_for_ever(lock: ProcessLock, held) -> None:
    """Take the lock, say so, and wait to be killed."""
    lock.acquire()
    held.set()
    time.sleep(600)


def test_a_lock_whose_holder_is_killed_is_free_again():
    lock = ProcessLock()
    context = multiprocessing.get_context("fork")
    held = context.Event()
    holder = context.Process(target=_hold_for_ever, args=(lock, held))
    holder.start()
    assert held.wait(10)
    assert not lock.acquire(block=False)
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(10)
    assert lock.acquire(timeout=10)
    lock.release()


def test_killing_every_idle_worker_does_not_stop_the_cluster(tmp_path):
    env = {
        **os.environ,
        "BUFDIR_VAR_DIR": str(tmp_path),
        "DJANGO_DEBUG": "1",
        "Q_WORKERS": "2",
        "Q_CLUSTER_NAME": f"kill-{uuid.uuid4().hex[:8]}",
        "DJANGO_SECRET_KEY": f"t-{uuid.uuid4().hex}",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    log = (tmp_path / "worker.log").open("w")
    cluster = subprocess.Popen([*manage, "qcluster"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "running." not in (tmp_path / "worker.log").read_text():
            time.sleep(0.2)
        workers = [int(pid) for pid in re.findall(r"ready for work at (\d+)", (tmp_path / "worker.log").read_text())]
        assert len(workers) == 2, (tmp_path / "worker.log").read_text()
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        time.sleep(1)  # the guard notices dead workers every 0.5 s and starts new ones
        ask = (
            "from django_q.tasks import async_task, result; import time; t = async_task('math.floor', 2.5); "
            "deadline = time.monotonic() + 60\n"
            "while result(t) is None and time.monotonic() < deadline: time.sleep(0.2)\n"
            "print(result(t))"
        )
        answer = subprocess.run(
            [*manage, "shell", "-c", ask], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert answer.stdout.strip().splitlines()[-1] == "2", (answer, (tmp_path / "worker.log").read_text())
    finally:
        cluster.terminate()
        try:
            cluster.wait(timeout=20)
        except subprocess.TimeoutExpired:
            cluster.kill()
