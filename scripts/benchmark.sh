#!/usr/bin/env bash
# Side-by-side benchmark: the project's export, a bare openpyxl loop and django-import-export (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh requirements.txt
# The peer is installed for the benchmark only, outside the virtualenv (never a runtime dependency).
stamp="var/bench-packages/.installed-$(sha256sum requirements-bench.txt | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  rm -rf var/bench-packages
  .venv/bin/pip install --quiet --no-deps --target var/bench-packages -r requirements-bench.txt
  touch "$stamp"
fi
exec .venv/bin/python scripts/benchmark.py "$@"
