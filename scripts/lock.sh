#!/usr/bin/env bash
# Re-resolve the locks from the direct requirements: every transitive package pinned with hashes.
# requirements.txt -> requirements.lock; requirements-dev.txt -> requirements-dev.lock, constrained by the
# runtime lock so that both install the same runtime packages. Extra arguments go to uv
# (e.g. --upgrade-package django).
set -euo pipefail
cd "$(dirname "$0")/.."
compile() {
  .venv/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
    --index-url https://pypi.org/simple --custom-compile-command "scripts/lock.sh" "$@"
}
compile requirements.txt -o requirements.lock "$@"
compile requirements-dev.txt -c requirements.lock -o requirements-dev.lock "$@"
