"""A django-q2 task queue whose reader lock dies with its holder.

django-q2's workers read tasks from one `multiprocessing.Queue`. A blocking `get()` holds the queue's
reader lock (a POSIX semaphore) while it waits on the pipe, so one idle worker always holds it. When
that worker is killed (SIGKILL, the OOM killer), the semaphore is never released: the guard starts a
new worker, but it and every other worker wait on the lock for ever and the cluster takes no task
until it is restarted. Here the reader lock is a POSIX record lock (`fcntl.lockf`) on a private
temporary file instead: the kernel releases it when its holder dies, and the next worker reads on.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from typing import Any

from django_q import cluster
from django_q.queues import Queue

_POLL_SECONDS = 0.05


class ProcessLock:
    """A lock between processes that the kernel releases when the holding process dies."""

    def __init__(self) -> None:
        handle, self.path = tempfile.mkstemp(prefix="bufdir-q-reader-", suffix=".lock")
        os.close(handle)
        self._fd: int | None = None
        self._pid: int | None = None

    def _descriptor(self) -> int:
        """This process's descriptor of the lock file (record locks belong to the process, not the fd)."""
        if self._pid != os.getpid() or self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR)
            self._pid = os.getpid()
        return self._fd

    def acquire(self, block: bool = True, timeout: float | None = None) -> bool:
        """Take the lock; False when it could not be had within `timeout` (or at once, unblocked)."""
        fd = self._descriptor()
        if block and timeout is None:
            fcntl.lockf(fd, fcntl.LOCK_EX)
            return True
        deadline = time.monotonic() + (timeout or 0)
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except OSError:
                if not block or time.monotonic() >= deadline:
                    return False
                time.sleep(_POLL_SECONDS)

    def release(self) -> None:
        """Give the lock back."""
        fcntl.lockf(self._descriptor(), fcntl.LOCK_UN)

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()


class DeathSafeTaskQueue(Queue):
    """django-q2's queue with a reader lock that a killed reader cannot keep."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rlock = ProcessLock()


def install() -> None:
    """Make django-q2's sentinel build its task queue from DeathSafeTaskQueue (POSIX systems)."""
    if hasattr(fcntl, "lockf"):
        cluster.Queue = DeathSafeTaskQueue
