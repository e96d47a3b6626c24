"""The workers' heartbeat: a thread in each django-q2 worker process records it is alive every BEAT_SECONDS.

A worker counts as alive when it was seen within SEEN_WITHIN_SECONDS (three beats), whichever host it runs
on: the heartbeats are rows in the database every web server reads. A worker busy with an export still
beats (the thread runs beside the task); a worker that was killed, or a cluster that is stopped, stops.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from typing import Any

from django.db import close_old_connections
from django.utils import timezone

from operations.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

BEAT_SECONDS = 10.0
SEEN_WITHIN_SECONDS = 30.0
FORGET_AFTER = dt.timedelta(hours=1)


def worker_name() -> str:
    """This process's name among the workers: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(*, worker: str, started_at: dt.datetime) -> None:
    """Record that `worker` is alive now, and forget workers not seen for an hour."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"seen_at": now, "started_at": started_at})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def last_seen() -> WorkerHeartbeat | None:
    """The worker seen most recently, if any."""
    return WorkerHeartbeat.objects.order_by("-seen_at").first()


def alive_workers(now: dt.datetime | None = None) -> int:
    """How many workers were seen within SEEN_WITHIN_SECONDS."""
    since = (now or timezone.now()) - dt.timedelta(seconds=SEEN_WITHIN_SECONDS)
    return WorkerHeartbeat.objects.filter(seen_at__gte=since).count()


def _beat_forever(worker: str, stop: threading.Event) -> None:
    """Beat until `stop` is set; a database that does not answer is logged and tried again at the next beat."""
    started_at = timezone.now()
    while True:
        close_old_connections()
        try:
            beat(worker=worker, started_at=started_at)
        except Exception:
            logger.warning(
                "the worker heartbeat could not be recorded (tried again in %s s)", BEAT_SECONDS, exc_info=True
            )
        finally:
            close_old_connections()
        if stop.wait(BEAT_SECONDS):
            return


def start_beating() -> threading.Event:
    """Start the heartbeat thread of this process (a daemon, so it ends with the process); set the event to stop."""
    stop = threading.Event()
    threading.Thread(
        target=_beat_forever, args=(worker_name(), stop), name="bufdir-worker-heartbeat", daemon=True
    ).start()
    return stop


_beating_in: set[int] = set()
_beating_lock = threading.Lock()


def start_in_worker(sender: Any = None, proc_name: str = "", **kwargs: Any) -> None:
    """django-q2's post_spawn receiver: a worker process has started, so it starts beating (once per process).

    A task run inline (Q_SYNC: django-q2 calls its worker loop in the requesting process) starts none.
    """
    from django_q.conf import Conf

    if Conf.SYNC:
        return
    with _beating_lock:
        if os.getpid() in _beating_in:
            return
        _beating_in.add(os.getpid())
    start_beating()
