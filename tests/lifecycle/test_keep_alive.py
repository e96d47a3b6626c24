"""The side-thread heartbeat beats while a long step runs and stops with it."""

from __future__ import annotations

import threading
import time

from exports.lifecycle.keep_alive import keep_alive


def test_beats_while_the_block_runs_and_stops_after_it():
    beats = threading.Semaphore(0)
    count = []

    def beat():
        count.append(1)
        beats.release()

    with keep_alive(beat, 0.01):
        assert beats.acquire(timeout=10) and beats.acquire(timeout=10)
    after = len(count)
    assert not beats.acquire(timeout=0.1) or len(count) == after + 1  # at most one beat was already under way
    assert not any(thread.name == "export-heartbeat" for thread in threading.enumerate())


def test_a_failing_beat_does_not_end_the_block():
    calls = threading.Semaphore(0)

    def beat():
        calls.release()
        raise ConnectionError("database away for a moment")

    with keep_alive(beat, 0.01):
        assert calls.acquire(timeout=10) and calls.acquire(timeout=10)


def test_a_beat_that_says_the_export_no_longer_runs_ends_the_beating():
    calls = []

    def beat():
        calls.append(1)
        return False

    with keep_alive(beat, 0.01):
        time.sleep(0.3)  # thirty intervals
        assert calls == [1]
