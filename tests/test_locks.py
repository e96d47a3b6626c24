"""The locks match the direct requirements (run `scripts/lock.sh` after changing a requirements file)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)


def pins(path: Path) -> dict[str, str]:
    """Name (normalised) to version of every `name==version` line of a requirements or lock file."""
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in PIN.findall(path.read_text())}


@pytest.mark.parametrize(
    ("direct", "lock"), [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")]
)
def test_every_direct_pin_is_locked_at_its_version(direct, lock):
    locked = pins(ROOT / lock)
    wanted = pins(ROOT / direct) | (pins(ROOT / "requirements.txt") if direct != "requirements.txt" else {})
    assert {name: (version, locked.get(name)) for name, version in wanted.items() if locked.get(name) != version} == {}


def test_every_lock_line_has_hashes():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / lock).read_text()
        assert len(PIN.findall(text)) == len(re.findall(r"^\S.*==.*\\\n\s+--hash=sha256:", text, re.M)) > 10


def test_the_dev_lock_installs_the_runtime_lock_versions():
    runtime, dev = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    assert {name: (version, dev.get(name)) for name, version in runtime.items() if dev.get(name) != version} == {}
