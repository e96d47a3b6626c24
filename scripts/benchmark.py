"""Benchmark: the project's export against a bare openpyxl loop and django-import-export, side by side.

For each size it seeds a fresh embedded database (SQLite) and a fresh PostgreSQL database, then runs,
each in its own process, `bufdir_export` of NHF's year, the bare loop and django-import-export over the
same rows, and prints wall time, rows per second, peak RSS, the project's phases, its progress messages
and audit writes, and the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHILD = ROOT / "scripts" / "benchmark_child.py"
KINDS = ("project", "bare", "import-export")
LABELS = {"project": "project (bufdir_export)", "bare": "bare openpyxl loop", "import-export": "django-import-export"}
TOPOLOGIES = ("sqlite", "postgres")


def run(env: dict[str, str], *args: str) -> str:
    """Run a management command; its standard output."""
    result = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return result.stdout


def measure(env: dict[str, str], kind: str, year: int, out: Path) -> dict[str, Any]:
    """One measured child process: its own result line plus the wall time of the whole process."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(CHILD), kind, "--year", str(year), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{result.stderr[-4000:]}")
    line = next(line for line in result.stdout.splitlines() if line.startswith("BENCH_RESULT "))
    return {**json.loads(line.removeprefix("BENCH_RESULT ")), "wall": wall}


def first_progress(env: dict[str, str], year: int, out: Path) -> dict[str, Any]:
    """Start a django-q2 worker, time three clicks to their first progress, stop the worker."""
    worker = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "qcluster"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stderr is not None
        for line in worker.stderr:
            if "running" in line:
                break
        else:
            raise SystemExit("the django-q2 worker did not start")
        threading.Thread(target=worker.stderr.read, daemon=True).start()
        return measure(env, "first-progress", year, out)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The fastest of repeated runs, with the highest peak RSS seen in any of them."""
    fastest = min(runs, key=lambda r: r["wall"])
    return {**fastest, "peak_rss_kib": max(r["peak_rss_kib"] for r in runs)}


class Database:
    """A fresh database for one topology: a temporary SQLite folder, or a new PostgreSQL database."""

    def __init__(self, topology: str, var: Path, postgres_url: str, redis_url: str) -> None:
        self.topology = topology
        self.env = {**os.environ, "BUFDIR_VAR_DIR": str(var)}
        self.env.pop("DATABASE_URL", None)
        self.env.pop("REDIS_URL", None)
        self.name = f"bufdir_bench_{os.getpid()}"
        self.postgres_url = postgres_url
        if topology == "postgres":
            self.env["DATABASE_URL"] = f"{postgres_url}/{self.name}"
            self.env.setdefault("DJANGO_SECRET_KEY", f"benchmark-{secrets.token_hex(24)}")
            if redis_url:
                self.env["REDIS_URL"] = redis_url

    def _admin(self, statement: str) -> None:
        """Run one statement on PostgreSQL's maintenance database."""
        import psycopg

        with psycopg.connect(f"{self.postgres_url}/postgres", autocommit=True) as connection:
            connection.execute(statement)

    def __enter__(self) -> Database:
        if self.topology == "postgres":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
            self._admin(f'CREATE DATABASE "{self.name}"')
        try:
            run(self.env, "migrate", "-v0")
            if "REDIS_URL" not in self.env:  # the SQLite channel layer has a database of its own
                run(self.env, "migrate", "--database", "channels", "-v0")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.topology == "postgres":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def report(size: int, topology: str, year: int, seed_seconds: float, results: dict[str, dict[str, Any]]) -> None:
    """Print one size and topology."""
    first = next(iter(results.values()))
    where = "SQLite (embedded default)" if topology == "sqlite" else "PostgreSQL"
    print(
        f"\n== {size:,} activities seeded on {where} in {seed_seconds:.0f} s; NHF {year}: "
        f"{first['rows_read']:,} rows read, {first['rows_listed']:,} on Aktiviteter"
    )
    print(f"{'':26}{'wall s':>8}{'rows/s':>10}{'peak MiB':>10}{'CPU s':>8}")
    for kind, result in results.items():
        rate = result["rows_read"] / result["wall"]
        print(
            f"{LABELS[kind]:26}{result['wall']:8.2f}{rate:10,.0f}{result['peak_rss_kib'] / 1024:10.0f}"
            f"{result['cpu']:8.2f}"
        )
    if "project" not in results:
        return
    project = results["project"]
    phases = ", ".join(f"{phase} {seconds:.2f}" for phase, seconds in project["phases"].items())
    print(f"  project phases (s, from the audit events): {phases}; in-process total {project['seconds']:.2f}")
    if project.get("children_rss_kib"):
        print(
            f"  project peak RSS: exporting process {project['own_rss_kib'] / 1024:.0f} MiB, "
            f"forked writer process {project['children_rss_kib'] / 1024:.0f} MiB (peak shown: the larger); "
            f"CPU: exporting {project['cpu'] - project['cpu_children']:.2f} s, "
            f"writer {project['cpu_children']:.2f} s"
        )
    print(
        f"  project per export: {project['progress_messages']} progress messages, "
        f"{project['audit_writes']} audit writes, {project['queries']} queries"
    )
    if "manifest_sheets" in project:
        listed = ", ".join(f"{name} ({rows:,} rows)" for name, rows in project["manifest_sheets"])
        print(
            f"  sheets of activities in the manifest: {listed}; the workbook's sheets: "
            f"{', '.join(project['workbook_sheets'])}"
        )
    if "import-export" in results and "bare" in results:
        peer, bare = results["import-export"], results["bare"]
        print(
            f"  ratios: project/import-export time {project['wall'] / peer['wall']:.2f}, "
            f"memory {project['peak_rss_kib'] / peer['peak_rss_kib']:.2f}; "
            f"project/bare time {project['wall'] / bare['wall']:.2f}, "
            f"memory {project['peak_rss_kib'] / bare['peak_rss_kib']:.2f}"
        )


def main() -> None:
    """Seed each size on each topology and measure the three exports."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated activity counts")
    parser.add_argument("--million", action="store_true", help="also 1,000,000 activities (slow to seed)")
    parser.add_argument("--topologies", default=",".join(TOPOLOGIES), help="sqlite,postgres")
    parser.add_argument("--kinds", default=",".join(KINDS), help="project,bare,import-export")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each kind; the best time is shown")
    parser.add_argument(
        "--no-first-progress",
        dest="first_progress",
        action="store_false",
        help="skip timing click to first progress (done at the first size)",
    )
    parser.add_argument("--year", type=int, default=dt.date.today().year - 1)
    parser.add_argument(
        "--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", ""),
        help="Redis for the PostgreSQL topology's channel layer (default: none)",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size] + ([1_000_000] if args.million else [])
    kinds = [kind for kind in args.kinds.split(",") if kind]
    lxml = subprocess.run(
        [sys.executable, "-c", "from openpyxl.xml import LXML; print(LXML)"], check=True, capture_output=True, text=True
    ).stdout.strip()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; lxml in use by openpyxl: {lxml}")
    for size in sizes:
        for topology in [t for t in args.topologies.split(",") if t]:
            with (
                tempfile.TemporaryDirectory(prefix="bufdir-bench-") as var,
                Database(topology, Path(var), args.postgres_url, args.redis_url) as database,
            ):
                out = Path(var) / "out"
                out.mkdir()
                started = time.perf_counter()
                run(database.env, "seed_demo", "--activities", str(size))
                seeded = time.perf_counter() - started
                runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
                for _round in range(args.repeat):  # rounds: a machine slowed for a while slows every kind alike
                    for kind in kinds:
                        runs[kind].append(measure(database.env, kind, args.year, out))
                results = {kind: best(kind_runs) for kind, kind_runs in runs.items()}
                report(size, topology, args.year, seeded, results)
                if args.first_progress and size == sizes[0]:
                    clicks = first_progress(database.env, args.year, out)["clicks"]
                    print(
                        f"  click to first progress (worker running, POST to progress recorded and pushed): "
                        f"{', '.join(f'{seconds:.2f}' for seconds in clicks)} s"
                    )
                sys.stdout.flush()


if __name__ == "__main__":
    main()
