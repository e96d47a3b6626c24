"""Bufdir's activity categories and their Norwegian names."""
from django.utils.translation import gettext_lazy as _

from exports.services.config_schema import CATEGORIES, COUNTING_CATEGORIES

CATEGORY_LABELS = {
    "oppsokende": _("Outreach peer support"),
    "samtalegruppe": _("Conversation group"),
    "aktivitetsgruppe": _("Activity group"),
    "kurs": _("Peer-mentor training course"),
    "kontakt": _("Peer phone and contact service"),
    "annet": _("Other (never counted)"),
    "ukjent": _("Unknown activity type"),
}

__all__ = ["CATEGORIES", "COUNTING_CATEGORIES", "CATEGORY_LABELS"]
