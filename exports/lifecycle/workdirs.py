"""Each export's own temporary folder: made when it starts, removed when it ends, swept when a killed one left it."""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

logger = logging.getLogger(__name__)

PREFIX = "bufdir-export-"
_NAME = re.compile(rf"^{re.escape(PREFIX)}(\d+)-")


class ExportWorkdirs:
    """The folders of running exports under one root (the system's temporary folder when none is set)."""

    def __init__(self, root: str | Path = "") -> None:
        self._root = str(root)

    @property
    def root(self) -> Path:
        """The folder holding every export's own folder (made, private, on first use)."""
        root = Path(self._root or tempfile.gettempdir())
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        return root

    @contextmanager
    def workdir(self, audit_id: int) -> Iterator[Path]:
        """A new folder for export `audit_id`, removed with everything in it when the block ends."""
        path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{audit_id}-", dir=self.root))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def sweep(self, *, active: Callable[[], Collection[int]]) -> list[Path]:
        """Remove the folders of exports that are not `active` (left by a killed process); the folders removed.

        The folders are listed before the active exports are asked for: a folder is made only after its
        export started, so one listed here whose export is not active then has truly ended.
        """
        with os.scandir(self.root) as entries:
            found = [
                (int(match.group(1)), Path(entry.path))
                for entry in entries
                if (match := _NAME.match(entry.name)) and entry.is_dir(follow_symlinks=False)
            ]
        if not found:
            return []
        keep = set(active())
        removed = [path for audit_id, path in found if audit_id not in keep]
        for path in removed:
            shutil.rmtree(path, ignore_errors=True)
            logger.info("removed the temporary folder %s of an export that no longer runs", path.name)
        return removed
