#!/usr/bin/env bash
# Print the wall time and peak memory of a command-line export of NHF's demo year.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements.txt
exec .venv/bin/python scripts/benchmark.py "$@"
