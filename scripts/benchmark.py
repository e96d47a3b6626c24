"""Benchmark: wall time and peak memory of exporting NHF's demo year from the command line."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Seed a fresh embedded database, then time `bufdir_export` in a child process."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--activities", type=int, default=20000)
    parser.add_argument("--year", type=int, default=dt.date.today().year - 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bufdir-bench-") as var:
        env = {**os.environ, "BUFDIR_VAR_DIR": var}
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (["migrate", "-v0"], ["migrate", "--database", "channels", "-v0"],
                        ["seed_demo", "--activities", str(args.activities)]):
            subprocess.run(manage + command, env=env, check=True, stdout=subprocess.DEVNULL)
        started = time.perf_counter()
        result = subprocess.run(
            manage + ["bufdir_export", "--org", "nhf", "--year", str(args.year), "--out", str(Path(var) / "out")],
            env=env, check=True, capture_output=True, text=True,
        )
        wall = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        lines = result.stdout.strip().splitlines()
        bundle = Path(lines[-1])
        print(f"activities seeded (NHF): {args.activities}")
        print(f"export: {lines[0]}")
        print(f"bundle: {bundle.name} ({bundle.stat().st_size / 1024:.0f} KiB)")
        print(f"wall time: {wall:.2f} s")
        print(f"peak memory (largest child process RSS): {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
