"""A heartbeat from a side thread for the whole life of an export, whatever one row or one step costs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connections

logger = logging.getLogger(__name__)


@contextmanager
def keep_alive(beat: Callable[[], object], interval: float) -> Iterator[None]:
    """Call `beat` every `interval` seconds from a side thread until the block ends (failures are logged).

    A beat that returns False (the export is no longer running: cancelled, or failed by the reaper, as
    stuck too) ends the beating; the export itself notices at its next step (it asks the audit then).
    """
    done = threading.Event()

    def run() -> None:
        try:
            while not done.wait(max(interval, 0.01)):
                try:
                    alive = beat()
                except Exception:
                    logger.warning("export heartbeat failed", exc_info=True)
                    continue
                if alive is False:
                    return
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=run, name="export-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
