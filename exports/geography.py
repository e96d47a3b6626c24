"""Look-ups of Norwegian counties and municipalities."""

from __future__ import annotations

from exports.geography_data import COUNTIES, MUNICIPALITIES


def is_municipality(code: object) -> bool:
    """Whether `code` is the number of a municipality that exists."""
    return isinstance(code, str) and code in MUNICIPALITIES


def municipality_county(code: object) -> str | None:
    """The county code of an existing municipality, or None."""
    return code[:2] if is_municipality(code) else None  # type: ignore[index]


def county_name(code: object) -> str:
    """The county's name, or the code itself when it is unknown."""
    return COUNTIES.get(str(code), str(code)) if code else ""


def municipality_name(code: object) -> str:
    """The municipality's name, or an empty string."""
    return MUNICIPALITIES.get(str(code), "") if code else ""
