#!/usr/bin/env bash
# Create the virtual environment and install the pinned requirements (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
requirements="${1:-requirements.txt}"
python3 -m venv .venv
stamp=".venv/.installed-$(sha256sum requirements.txt requirements-dev.txt | sha256sum | cut -c1-12)-$(basename "$requirements")"
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet -r "$requirements"
  touch "$stamp"
fi
