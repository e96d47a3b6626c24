"""Bufdir's regulation in one place: the categories, which count, and the conditions a counted activity meets.

Everything here is the grant scheme's, the same for every organisation: three kinds of activity count
(outreach, groups, course days), a group lasts at least 45 minutes with three or more participants, a course
day at least 2 x 45 minutes, and only activities in Norway count. Organisation-specific rules (which app
activity types are which category, certification of hospital visits, data checks) stay in each organisation's
column configuration. The demo configurations, the tests and the recomputation oracle import these numbers,
so a change of the regulation is made here once.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CATEGORIES = ("oppsokende", "samtalegruppe", "aktivitetsgruppe", "kurs", "kontakt", "annet")
COUNTING_CATEGORIES = ("oppsokende", "samtalegruppe", "aktivitetsgruppe", "kurs")
REPORTED_SEPARATELY = ("kontakt", "annet")
GROUPS = ("samtalegruppe", "aktivitetsgruppe")
"""Conversation and activity groups: a time-limited gathering led by a peer mentor."""
GROUP_CATEGORIES = ("samtalegruppe", "aktivitetsgruppe", "kurs")
"""Activities held together (a group or a course day): one activity, however many peer mentors registered it."""
UNKNOWN_CATEGORY = "ukjent"

MINUTES_PER_SESSION = 45
"""The regulation's unit of time: a group lasts at least one, a course day at least two."""
GROUP_MIN_MINUTES = MINUTES_PER_SESSION
GROUP_MIN_PARTICIPANTS = 3
COURSE_DAY_MIN_MINUTES = 2 * MINUTES_PER_SESSION
MAX_ACTIVITY_MINUTES = 24 * 60
"""One activity row is one day of activity: a duration past a day is an error in the app, not a long day."""
COUNTING_COUNTRY = "NO"
"""Only activities that take place in Norway count."""

CATEGORY_LABELS = {
    "oppsokende": _("Outreach peer support"),
    "samtalegruppe": _("Conversation group"),
    "aktivitetsgruppe": _("Activity group"),
    "kurs": _("Peer-mentor training course"),
    "kontakt": _("Peer phone and contact service"),
    "annet": _("Other activities"),
    UNKNOWN_CATEGORY: _("Unknown activity type"),
}

NOT_COUNTED_BY_CATEGORY = {
    "kontakt": _("Not counted: phone and contact services are reported separately"),
    "annet": _("Not counted: other activities are documented but never counted"),
}


def category_label(category: str) -> str:
    """The Norwegian name of a category (the code itself when it is not one of Bufdir's)."""
    label = CATEGORY_LABELS.get(category)
    return str(label) if label is not None else category


def _in_list(values: tuple[str, ...]) -> str:
    """A configuration expression's list literal of `values`."""
    return "[" + ", ".join(f"'{value}'" for value in values) + "]"


IN_A_GROUP = f"category in {_in_list(GROUPS)}"
"""The configuration expression that holds for a conversation or activity group."""

REGULATION_RULES: tuple[dict[str, str], ...] = (
    {
        "id": "likeperson",
        "require": "has_peer_mentor",
        "reason": "Mangler likeperson",
        "action": "Registrer likepersonen som deltok, i appen.",
    },
    {
        "id": "i_norge",
        "require": f"country_code == '{COUNTING_COUNTRY}'",
        "reason": "Aktiviteten fant sted utenfor Norge",
        "action": "Rett landet i appen hvis aktiviteten var i Norge; ellers telles den ikke.",
    },
    {
        "id": "duplikat",
        "require": "not is_duplicate",
        "reason": "Duplikat: samme likeperson, starttid og aktivitetstype er registrert tidligere",
        "action": "Slett den ene registreringen i appen.",
    },
    {
        "id": "gruppe_varighet",
        "when": IN_A_GROUP,
        "require": (
            f"duration_minutes is not None and {GROUP_MIN_MINUTES} <= duration_minutes <= {MAX_ACTIVITY_MINUTES}"
        ),
        "reason": f"Gruppen varte kortere enn {GROUP_MIN_MINUTES} minutter, eller varigheten mangler eller er urimelig",
        "action": f"Rett varigheten i appen hvis den er feil; en gruppe må vare minst {GROUP_MIN_MINUTES} minutter.",
    },
    {
        "id": "gruppe_deltakere",
        "when": IN_A_GROUP,
        "require": f"participant_count is not None and participant_count >= {GROUP_MIN_PARTICIPANTS}",
        "reason": "Gruppen hadde færre enn tre deltakere, eller antall deltakere mangler",
        "action": "Før opp antall deltakere i appen; en gruppe må ha minst tre.",
    },
    {
        "id": "kurs_varighet",
        "when": "category == 'kurs'",
        "require": (
            f"duration_minutes is not None and {COURSE_DAY_MIN_MINUTES} <= duration_minutes <= {MAX_ACTIVITY_MINUTES}"
        ),
        "reason": (
            f"Kursdagen varte kortere enn 2 x {MINUTES_PER_SESSION} minutter, eller varigheten mangler "
            "eller er urimelig"
        ),
        "action": (
            f"Rett varigheten i appen hvis den er feil; en kursdag må vare minst {COURSE_DAY_MIN_MINUTES} minutter."
        ),
    },
)
"""The regulation as counting rules of a column configuration, in the configuration's own language."""


def regulation_rules() -> list[dict[str, str]]:
    """A fresh copy of the regulation's counting rules, for a configuration document to hold (and change)."""
    return [dict(rule) for rule in REGULATION_RULES]
