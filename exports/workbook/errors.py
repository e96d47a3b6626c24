"""What can go wrong writing the workbook, in terms the export names: a writing error, a full disk."""

from __future__ import annotations

import errno
from collections.abc import Iterator

DISK_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class WritingError(RuntimeError):
    """Writing the workbook failed; `disk_full` when the writer ran out of disk."""

    def __init__(self, message: str, *, disk_full: bool = False) -> None:
        super().__init__(message)
        self.disk_full = disk_full


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and those it was raised from or during."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_disk_full(exc: BaseException) -> bool:
    """Whether the disk (or the quota) ran out somewhere in the exception's chain."""
    return any(
        isinstance(e, OSError) and e.errno in DISK_FULL_ERRNOS or isinstance(e, WritingError) and e.disk_full
        for e in exception_chain(exc)
    )
