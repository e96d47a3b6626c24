"""Which date and time number formats a configuration may give Excel: a whitelist grammar of format tokens."""

from __future__ import annotations

import re

_DATE_TOKENS = r"yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d"
_TIME_TOKENS = r"\[hh?\]|\[mm?\]|\[ss?\]|hh|h|mm|m|ss|s|am/pm|a/p|\.0{1,3}"
_LITERALS = r'[ .,:/\-_()]|"[^"\\\x00-\x1f]{0,20}"|\\[^\x00-\x1f"\\]'
_FORMAT = re.compile(rf"(?:{_DATE_TOKENS}|{_TIME_TOKENS}|{_LITERALS})+", re.IGNORECASE)
_HAS_TIME = re.compile(r"[hs]", re.IGNORECASE)
MAX_FORMAT_LENGTH = 64


def is_date_time_format(text: str, *, needs_date: bool, needs_time: bool) -> bool:
    """Whether `text` is a date/time format Excel accepts, built only from the whitelisted tokens.

    Tokens: d dd ddd dddd, m mm mmm mmmm mmmmm, yy yyyy, h hh, [h] [m] [s], s ss, .0-.000, AM/PM, A/P;
    literals: space . , : / - _ ( ), a backslash before one character, or a short "quoted text".
    No colours, conditions, number placeholders or sections (`;`).
    """
    if not isinstance(text, str) or not 0 < len(text) <= MAX_FORMAT_LENGTH or not _FORMAT.fullmatch(text):
        return False
    unquoted = re.sub(r'"[^"]*"|\\.', "", text)
    if needs_date and not re.search(r"[dy]", unquoted, re.IGNORECASE):
        return False
    return not (needs_time and not _HAS_TIME.search(unquoted))
