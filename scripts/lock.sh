#!/usr/bin/env bash
# Re-resolve the locks from the direct requirements: every transitive package pinned with hashes.
# requirements.txt -> requirements.lock; each requirements-NAME.txt -> requirements-NAME.lock, constrained by
# the runtime lock so that every lock installs the same runtime packages. Extra arguments go to uv
# (e.g. --upgrade-package django).
set -euo pipefail
cd "$(dirname "$0")/.."
compile() {
  .venv/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
    --index-url https://pypi.org/simple --custom-compile-command "scripts/lock.sh" "$@"
}
compile requirements.txt -o requirements.lock "$@"
for direct in requirements-*.txt; do
  compile "$direct" -c requirements.lock -o "${direct%.txt}.lock" "$@"
done
