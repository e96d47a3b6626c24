"""The demo organisations' column configurations: NHF's template and a second, different one.

Both count by Bufdir's regulation (`exports.regulation`); their own rules are the data checks below.
"""

from __future__ import annotations

from typing import Any

from exports.regulation import IN_A_GROUP, regulation_rules

DATA_VALIDATIONS: list[dict[str, str]] = [
    {
        "id": "kommunenummer",
        "when": "municipality_code is not None and municipality_code != ''",
        "require": "is_municipality(municipality_code)",
        "reason": "Kommunenummeret finnes ikke eller har feil form (skal være fire sifre)",
        "action": "Rett kommunenummeret i appen til kommunen der aktiviteten fant sted.",
    },
    {
        "id": "kommunenummer_mangler",
        "require": "municipality_code is not None and municipality_code != ''",
        "reason": "Kommunenummer mangler",
        "action": "Før opp kommunenummeret i appen.",
    },
    {
        "id": "fylke_kommune",
        "when": "is_municipality(municipality_code) and county_code != ''",
        "require": "municipality_county(municipality_code) == county_code",
        "reason": "Kommunen ligger i et annet fylke enn lokallaget",
        "action": "Sjekk kommunenummeret; er det riktig, trenger du ikke gjøre noe.",
    },
    {
        "id": "varighet_rimelig",
        "when": "duration_minutes is not None",
        "require": "0 < duration_minutes <= 1440",
        "reason": "Varigheten er null, negativ eller over ett døgn",
        "action": "Rett varigheten i appen.",
    },
    {
        "id": "deltakere_for_grupper",
        "when": IN_A_GROUP,
        "require": "participant_count is not None",
        "reason": "Antall deltakere er påkrevd for grupper",
        "action": "Før opp antall deltakere i appen.",
    },
]


def nhf_config() -> dict[str, Any]:
    """Norges Handikapforbund: DD.MM.YYYY dates, Ja/Nei, certified peers only for hospital visits."""
    return {
        "format_version": 1,
        "template": {
            "name": "NHF – Bufdir likepersonsarbeid",
            "date_format": "DD.MM.YYYY",
            "datetime_format": "DD.MM.YYYY HH:MM",
            "time_format": "HH:MM",
            "boolean_labels": {"true": "Ja", "false": "Nei"},
        },
        "activity_url": "https://app.nhf.example/aktiviteter/{id}",
        "activity_types": {
            "hjemmebesok": {"label": "Hjemmebesøk", "category": "oppsokende"},
            "sykehusbesok": {"label": "Sykehusbesøk", "category": "oppsokende"},
            "mote_offentlig": {"label": "Møte på offentlig sted", "category": "oppsokende"},
            "telefon": {"label": "Telefonsamtale", "category": "kontakt"},
            "digital": {"label": "Video- eller chatsamtale", "category": "kontakt"},
            "samtalegruppe": {"label": "Samtalegruppe", "category": "samtalegruppe"},
            "aktivitetsgruppe": {"label": "Aktivitetsgruppe", "category": "aktivitetsgruppe"},
            "likepersonskurs": {"label": "Kursdag for likepersoner", "category": "kurs"},
            "stand": {"label": "Informasjonsstand", "category": "annet"},
        },
        "columns": [
            {"key": "dato", "heading": "Dato", "source": "local_date", "format": "date"},
            {"key": "starttid", "heading": "Starttid", "source": "local_time", "format": "time"},
            {"key": "fylke", "heading": "Fylke", "source": "county_name_of_branch", "format": "text"},
            {"key": "lokallag", "heading": "Lokallag", "source": "branch_name", "format": "text", "width": 28},
            {"key": "kommunenr", "heading": "Kommunenr.", "source": "municipality_code", "format": "text"},
            {"key": "aktivitet", "heading": "Aktivitet", "source": "activity_label", "format": "text", "width": 24},
            {
                "key": "kategori",
                "heading": "Bufdir-kategori",
                "source": "category_label",
                "format": "text",
                "width": 36,
            },
            {"key": "likeperson", "heading": "Likeperson", "source": "peer_mentor_name", "format": "text", "width": 26},
            {
                "key": "godkjent",
                "heading": "Godkjent likeperson",
                "source": "peer_mentor_certified",
                "format": "boolean",
            },
            {"key": "varighet", "heading": "Varighet (min)", "source": "duration_minutes", "format": "integer"},
            {"key": "deltakere", "heading": "Deltakere", "source": "participant_count", "format": "integer"},
            {"key": "tellende", "heading": "Tellende", "source": "counts", "format": "boolean"},
            {
                "key": "arsak",
                "heading": "Årsak til ikke tellende",
                "source": "not_counted_reason",
                "format": "text",
                "width": 50,
            },
            {"key": "id", "heading": "Aktivitets-ID", "source": "activity_id", "format": "text", "width": 38},
        ],
        "counting_rules": regulation_rules()
        + [
            {
                "id": "sykehusbesok_godkjent",
                "description": "NHF teller sykehusbesøk bare når likepersonen er godkjent på aktivitetsdatoen",
                "when": "activity_type == 'sykehusbesok'",
                "require": "peer_mentor_certified",
                "reason": "Sykehusbesøk telles bare når likepersonen er godkjent",
                "action": "Sjekk at riktig likeperson er registrert; er den det, telles besøket ikke.",
            }
        ],
        "validations": DATA_VALIDATIONS,
    }


def hlf_config() -> dict[str, Any]:
    """The second demo organisation: ISO dates, 1/0, its own taxonomy and column order."""
    return {
        "format_version": 1,
        "template": {
            "name": "HLF demo – Bufdir-mal",
            "date_format": "YYYY-MM-DD",
            "datetime_format": "YYYY-MM-DD HH:MM",
            "boolean_labels": {"true": 1, "false": 0},
        },
        "activity_types": {
            "besok": {"label": "Besøk", "category": "oppsokende"},
            "likepersonsamtale_digital": {"label": "Digital samtale", "category": "kontakt"},
            "horselsgruppe": {"label": "Hørselsgruppe", "category": "samtalegruppe"},
            "tur_og_trim": {"label": "Tur og trim", "category": "aktivitetsgruppe"},
            "kursdag": {"label": "Kursdag", "category": "kurs"},
            "messe": {"label": "Messe", "category": "annet"},
        },
        "value_lists": {
            "kategori_kode": {
                "oppsokende": "1",
                "samtalegruppe": "2a",
                "aktivitetsgruppe": "2b",
                "kurs": "3",
                "kontakt": "K",
                "annet": "-",
                "ukjent": "?",
            }
        },
        "columns": [
            {"key": "id", "heading": "ID", "source": "activity_id", "format": "text"},
            {
                "key": "kategori",
                "heading": "Kategori (kode)",
                "expression": "label('kategori_kode', category)",
                "format": "text",
            },
            {"key": "tidspunkt", "heading": "Tidspunkt", "source": "started_at", "format": "datetime"},
            {"key": "type", "heading": "Type", "source": "activity_label", "format": "text"},
            {"key": "likeperson", "heading": "Likeperson", "source": "peer_mentor_name", "format": "text"},
            {"key": "fylkesnr", "heading": "Fylkesnr.", "source": "county_code", "format": "text"},
            {
                "key": "kommune",
                "heading": "Kommune",
                "expression": "municipality_name if municipality_name else municipality_code",
                "format": "text",
            },
            {"key": "minutter", "heading": "Minutter", "source": "duration_minutes", "format": "integer"},
            {"key": "antall", "heading": "Antall deltakere", "source": "participant_count", "format": "integer"},
            {"key": "teller", "heading": "Teller", "source": "counts", "format": "boolean"},
            {"key": "merknad", "heading": "Merknad", "source": "not_counted_reason", "format": "text"},
        ],
        "counting_rules": regulation_rules(),
        "validations": DATA_VALIDATIONS,
    }
