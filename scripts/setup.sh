#!/usr/bin/env bash
# Create the virtual environment and install the locked requirements (idempotent).
# Usage: scripts/setup.sh [requirements.txt|requirements-dev.txt]; installs the matching .lock
# (every transitive package pinned with hashes) when there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements="${1:-requirements.txt}"
lock="${requirements%.txt}.lock"
python3 -m venv .venv
if [ -f "$lock" ]; then
  install=(--require-hashes -r "$lock")
  source_file="$lock"
else
  install=(-r "$requirements")
  source_file="$requirements"
fi
stamp=".venv/.installed-$(sha256sum "$source_file" requirements.txt | sha256sum | cut -c1-12)-$(basename "$source_file")"
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet "${install[@]}"
  touch "$stamp"
fi
