"""Bufdir's activity categories: which count, and the one set of Norwegian names every sheet and page uses."""
from django.utils.translation import gettext_lazy as _

CATEGORIES = ("oppsokende", "samtalegruppe", "aktivitetsgruppe", "kurs", "kontakt", "annet")
COUNTING_CATEGORIES = ("oppsokende", "samtalegruppe", "aktivitetsgruppe", "kurs")
REPORTED_SEPARATELY = ("kontakt", "annet")
GROUP_CATEGORIES = ("samtalegruppe", "aktivitetsgruppe", "kurs")
"""Activities held together (a group or a course day): one activity, however many peer mentors registered it."""
UNKNOWN_CATEGORY = "ukjent"

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
