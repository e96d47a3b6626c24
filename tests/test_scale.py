"""The scale test (scripts/scale-test.sh): its frame check and loopback rule, and the run itself on request."""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_driver() -> ModuleType:
    """scripts/scale_test.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("scale_test", ROOT / "scripts" / "scale_test.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def driver() -> ModuleType:
    return load_driver()


def frame(name: str, slug: str, export_id: int) -> str:
    """A frame shaped like the consumer's: status box with the organisation's name, its cancel URL, a history row."""
    return (
        f'<section id="export-status" hx-swap-oob="true" data-status="running"><h2>Gjeldende eksport for {name}'
        f'</h2><form action="/exports/{slug}/{export_id}/cancel"></form></section>'
        f'<span id="history-status-{export_id}" hx-swap-oob="true">Kjører</span>'
    )


@pytest.fixture
def orgs(driver: ModuleType) -> tuple[Any, Any]:
    return (
        driver.Org("skala-03", "Skalatest forening 03", "u3", "page", 0),
        driver.Org("skala-04", "Skalatest forening 04", "u4", "api", 1),
    )


def test_a_frame_of_its_own_organisation_passes(driver: ModuleType, orgs: tuple[Any, Any]) -> None:
    own, other = orgs
    assert driver.names_only_its_own(frame(own.name, own.slug, 7), org=own, own_ids={7}, others=[other])


@pytest.mark.parametrize(
    "text",
    [
        frame("Skalatest forening 04", "skala-04", 8),  # the other organisation's frame entirely
        frame("Skalatest forening 03", "skala-03", 8),  # its name and slug, but the other's export id
        frame("Skalatest forening 03", "skala-04", 7),  # the other's slug in a URL
        frame("Skalatest forening 03", "skala-03", 7) + "<td>Skalatest forening 04</td>",  # the other's name
        frame("Noen andre", "skala-03", 7),  # not naming its own organisation
    ],
)
def test_a_frame_naming_another_organisation_is_caught(driver: ModuleType, orgs: tuple[Any, Any], text: str) -> None:
    own, other = orgs
    assert not driver.names_only_its_own(text, org=own, own_ids={7}, others=[other])


def test_only_loopback_addresses(driver: ModuleType, tmp_path: Path) -> None:
    args = argparse.Namespace(
        database_url="postgres://postgres@10.0.0.5:5432/postgres", redis_url="redis://127.0.0.1:6379/2"
    )
    with pytest.raises(SystemExit, match="only loopback"):
        driver.configure(args, tmp_path, "postgres://postgres@10.0.0.5:5432/x")


@pytest.mark.scale
@pytest.mark.skipif(
    os.environ.get("BUFDIR_SCALE_TEST") != "1",
    reason="set BUFDIR_SCALE_TEST=1 (needs PostgreSQL and Redis on loopback; a few minutes)",
)
def test_three_servers_three_workers_ten_organisations() -> None:
    done = subprocess.run(
        [str(ROOT / "scripts" / "scale-test.sh")], cwd=ROOT, capture_output=True, text=True, timeout=1200
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    lines = done.stdout.splitlines()
    rows = [
        line
        for line in lines
        if line.split()[:1] and line.split()[0] in {"nhf", "hlf-demo", *(f"skala-{n:02d}" for n in range(3, 11))}
    ]
    cells = [row.split() for row in rows]  # organisation via server export final rows secs frames connects seen cross
    assert len(cells) == 10 and all(c[4] in ("succeeded", "failed") and c[9:11] == ["yes", "0"] for c in cells), (
        "\n".join(rows)
    )
    assert "violations: 0" in done.stdout
