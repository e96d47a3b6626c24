"""Says each thing once: of texts that repeat or contain one another, only the fullest is kept."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SPACE = re.compile(r"\s+")
_END = " .;:,!"


def _core(text: str) -> str:
    """What a text says, for comparing: case, runs of space and the closing punctuation left out."""
    return _SPACE.sub(" ", text).strip(_END).casefold()


def said_once(texts: Iterable[str]) -> list[str]:
    """The texts in order, leaving out a repeat and any text that another one already says in full."""
    kept = list(dict.fromkeys(texts))
    if len(kept) < 2:
        return kept
    cores = [_core(text) for text in kept]
    return [
        text
        for index, (text, core) in enumerate(zip(kept, cores, strict=True))
        if not any(
            core in other and (core != other or later < index) for later, other in enumerate(cores) if later != index
        )
    ]
