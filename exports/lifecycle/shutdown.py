"""Clean shutdown of a worker: a stop request fails the running export at once with a restart message.

django-q2 1.11 stops a cluster like this: the `qcluster` process catches SIGTERM/SIGINT and sets the
cluster's stop event; the sentinel then puts a poison pill per worker in the task queue and waits, with
no bound, for every worker to finish its task (the task's `timeout`, 30 minutes here). The sentinel and
the workers themselves keep SIGTERM's default action: a SIGTERM sent to the whole process group
(systemd's default, `scripts/run-demo.sh`) kills a busy worker on the spot. Either way the export was
left running for the reaper, or was killed by the runtime's own bound (10 s for containers, 90 s for
systemd) long before a 30-minute export could finish.

So a stop request fails the running export at once (no grace period: the runtime's kill bound is
shorter than an export, and a half-waited export is still lost): `ServiceStopping` is raised in the
export's own thread, the orchestrator's failure path records the restart message through the audit's
guarded transition (a success already recorded stands), pushes the state to the open page, and removes
the forked writer and the temporary folder. A stop request reaches the worker as SIGTERM (sent to the
process group) or as the cluster's stop event (SIGTERM to the `qcluster` process alone), which a side
thread watches while an export runs; the sentinel's death counts too. A worker that got SIGTERM itself
exits once the export has failed; one stopped through the cluster returns the task and takes its
poison pill. An idle worker keeps SIGTERM's default action.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from django.db import connections
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

WATCH_SECONDS = 0.2
"""How often a running export's side thread looks at the cluster's stop event and at its sentinel."""


class ServiceStopping(BaseException):  # noqa: N818  (like SystemExit: not an error, a request to stop)
    """The worker is being stopped; raised once in the running export (never caught as an `Exception`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        """What the person who started the export reads (in the active language)."""
        return _("The export service was restarted while the export ran. Start the export again.")

    @property
    def detail(self) -> str:
        """What administrators read on the audit."""
        return f"service stopping: {self.reason}; the export was failed at once (no grace period)"


class ShutdownGuard:
    """Turns a stop request in a worker process into `ServiceStopping` inside the running export."""

    def __init__(self) -> None:
        self._pid: int | None = None
        self._parent: int | None = None
        self._stop_flag: Any = None
        self._busy = False
        self._armed = False
        self.requested: str = ""
        self.terminated = False

    @property
    def installed(self) -> bool:
        """Whether this process is a worker with the guard in place."""
        return self._pid == os.getpid()

    def install(self, *, stop_event: Any = None) -> None:
        """Take SIGTERM (and the watcher's SIGUSR1) in this worker process; watch `stop_event` during exports."""
        self._pid, self._parent = os.getpid(), os.getppid()
        self._stop_flag = getattr(stop_event, "_flag", None)
        self.requested, self.terminated, self._busy, self._armed = "", False, False, False
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGUSR1, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        """Record the stop request; raise it in the export when one runs; die as before when idle."""
        if os.getpid() != self._pid:
            return  # a forked export writer: its export process stops and reaps it
        if signum == signal.SIGTERM:
            self.terminated = True
        elif not self._busy:
            return  # the watcher's late nudge
        if not self._busy:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        self.requested = self.requested or signal.Signals(signum).name
        if self._armed:
            self._armed = False
            raise ServiceStopping(self.requested)

    def _cluster_stopping(self) -> str:
        """Why the cluster is stopping ('' when it is not): its stop event is set, or the sentinel died."""
        if self._stop_flag is not None:
            try:
                if self._stop_flag.get_value() > 0:  # read without taking the event's lock
                    return "the cluster's stop event"
            except (AttributeError, NotImplementedError, OSError):
                self._stop_flag = None
        if self._parent is not None and os.getppid() != self._parent:
            return "the sentinel died"
        return ""

    @contextmanager
    def running(self) -> Iterator[None]:
        """Around one task: stop requests are kept for the export (and watched for) until it ends."""
        if not self.installed:
            yield
            return
        done = threading.Event()
        main = threading.main_thread().ident

        def watch() -> None:
            while not done.wait(WATCH_SECONDS):
                reason = self._cluster_stopping()
                if reason:
                    logger.warning("the worker is stopping (%s) while an export runs; failing it", reason)
                    self.requested = self.requested or reason
                    if main is not None:
                        signal.pthread_kill(main, signal.SIGUSR1)
                    return

        self._busy = True
        watcher = threading.Thread(target=watch, name="export-stop-watch", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            done.set()
            watcher.join()
            self._busy = self._armed = False

    @contextmanager
    def armed(self) -> Iterator[None]:
        """The part of an export where a stop request is raised as `ServiceStopping` (once)."""
        if self.requested:
            raise ServiceStopping(self.requested)
        self._armed = True
        try:
            yield
        finally:
            self._armed = False

    def exit_if_terminated(self) -> None:
        """After the task: a worker that got SIGTERM itself exits (its sentinel is stopping or gone)."""
        if self.installed and self.terminated:
            raise SystemExit(0)


def settle_connections() -> None:
    """Drop this thread's database connections that a stop may have cut mid-query (outside transactions)."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


guard = ShutdownGuard()
"""This process's guard (installed in django-q2 workers by `install_in_workers`)."""


def stop_window() -> Callable[[], Any]:
    """The guard's armed window, for the orchestrator."""
    return guard.armed


def _stop_cluster(self: Any) -> bool:
    """django-q2's `Cluster.stop`, setting the stop event without waking its waiters.

    `Event.set()` waits in `notify_all()` until every waiter woke; a sentinel killed while it waited
    (SIGTERM to the whole process group) never wakes, and `qcluster` hung there until killed. The
    sentinel waits at most one guard cycle (0.5 s) and then sees the flag.
    """
    if not self.sentinel.is_alive():
        return False
    logger.info("Q Cluster %s stopping.", self.name)
    self.stop_event._flag.release()  # the event's flag, set without taking its lock or waking anyone
    self.sentinel.join()
    logger.info("Q Cluster %s has stopped.", self.name)
    self.start_event = None
    self.stop_event = None
    return True


def install_in_workers() -> None:
    """Install the guard in every django-q2 worker as it starts, with the cluster's stop event; make the
    `qcluster` process's stop safe from a sentinel that died first."""
    from django_q import cluster
    from django_q.signals import post_spawn

    class StopAwareSentinel(cluster.Sentinel):
        """django-q2's sentinel, leaving the cluster's stop event where its forked workers find it."""

        def __init__(self, stop_event: Any, *args: Any, **kwargs: Any) -> None:
            _cluster_stop_event[0] = stop_event
            super().__init__(stop_event, *args, **kwargs)

    def on_spawn(sender: Any, proc_name: str, **kwargs: Any) -> None:
        guard.install(stop_event=_cluster_stop_event[0])

    if not getattr(cluster.Sentinel, "bufdir_stop_aware", False):
        StopAwareSentinel.bufdir_stop_aware = True
        cluster.Sentinel = StopAwareSentinel
        cluster.Cluster.stop = _stop_cluster
    post_spawn.connect(on_spawn, dispatch_uid="bufdir-shutdown-guard", weak=False)


_cluster_stop_event: list[Any] = [None]
