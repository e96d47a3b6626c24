"""Benchmark: wall time and peak memory of exporting NHF's demo year from the command line."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURED = (
    "import atexit, resource, runpy, sys\n"
    "peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "atexit.register(lambda: sys.stderr.write(f'\\nPEAK_RSS_KIB={peak()}\\n'))\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)


def measure(env: dict[str, str], *args: str) -> tuple[float, int, str]:
    """Run a management command in its own process: wall seconds, peak RSS in KiB, standard output."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", MEASURED, str(ROOT / "manage.py"), *args],
                            env=env, check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    peak = int(result.stderr.rsplit("PEAK_RSS_KIB=", 1)[1].split()[0])
    return wall, peak, result.stdout


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
        measure(env, "migrate", "-v0")
        measure(env, "migrate", "--database", "channels", "-v0")
        measure(env, "seed_demo", "--activities", str(args.activities))
        _, baseline, _ = measure(env, "check")
        wall, peak, output = measure(env, "bufdir_export", "--org", "nhf", "--year", str(args.year),
                                     "--out", str(Path(var) / "out"))
        lines = output.strip().splitlines()
        bundle = Path(lines[-1])
        print(f"activities seeded (NHF): {args.activities}; exported year: {args.year}")
        print(f"export: {lines[0]}")
        print(f"bundle: {bundle.name} ({bundle.stat().st_size / 1024:.0f} KiB)")
        print(f"wall time: {wall:.2f} s")
        print(f"peak memory (RSS): {peak / 1024:.0f} MiB "
              f"(an idle `manage.py check` peaks at {baseline / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
