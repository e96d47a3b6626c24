"""The page after an export: what it found (in Norwegian number form), the history, and the 403 page that helps."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from exports.models import BufdirExportAudit, Membership
from tests import factories

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


def text_of(html: str) -> str:
    """The visible text of a fragment, whitespace collapsed."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def nhf(client, export_files):
    org = factories.organisation("nhf", name="Norges Handikapforbund")
    local = factories.branch(org)
    mentor = factories.mentor(org, local)
    for day in range(1, 4):
        factories.activity(
            org, peer_mentor=mentor, local_branch=local, started_at=dt.datetime(2025, 5, day, 10, tzinfo=dt.UTC)
        )
    factories.activity(org, peer_mentor=None, local_branch=local, started_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    factories.activity(
        org,
        peer_mentor=mentor,
        local_branch=local,
        country_code="SE",
        started_at=dt.datetime(2025, 6, 2, tzinfo=dt.UTC),
    )
    factories.activity(
        org,
        peer_mentor=mentor,
        local_branch=local,
        activity_type="telefon",
        started_at=dt.datetime(2025, 6, 3, tzinfo=dt.UTC),
    )
    factories.activity(org, peer_mentor=mentor, status="rejected", started_at=dt.datetime(2025, 6, 4, tzinfo=dt.UTC))
    factories.activity(org, peer_mentor=mentor, status="deleted", started_at=dt.datetime(2025, 6, 5, tzinfo=dt.UTC))
    client.force_login(factories.member(org))
    client.org = org
    return client


def test_success_shows_counts_per_category_the_rows_needing_attention_and_why_rows_differ(nhf, run_export):
    run_export(nhf.org, requested_by="Kari")
    status = text_of(nhf.get(reverse("exports:status", args=["nhf"])).content.decode())
    assert "Eksporten er klar" in status
    assert "Oppsøkende likepersonsarbeid 3" in status and "Samtalegruppe 0" in status
    assert "Sum tellende 3" in status
    assert "3 rader trenger oppfølging" in status
    assert "Mangler likeperson (1)" in status and "Aktiviteten fant sted utenfor Norge (1)" in status
    assert "Registreringen er avvist (1)" in status and "separat" not in status
    assert "7 registreringer lest, 6 eksportert til arket Aktiviteter" in status
    assert "1 avvist registrering står bare i Avvik" in status
    assert "Slettede registreringer tas aldri med" in status
    page = nhf.get(reverse("exports:page", args=["nhf"])).content.decode()
    assert 'id="download-link"' in page and 'id="export-attention"' in page


def breakdown_of(html: str) -> dict[str, int]:
    """The page's table of the rows on Aktiviteter, label to number."""
    table = html.split('id="export-breakdown"')[1].split("</table>")[0]
    return {
        label.strip(): int(re.sub(r"\D", "", number))
        for label, number in re.findall(r'<th scope="row">(.*?)</th><td class="number">(.*?)</td>', table)
    }


def test_the_page_accounts_for_every_exported_row(nhf, run_export):
    run_export(nhf.org, requested_by="Kari")
    html = nhf.get(reverse("exports:status", args=["nhf"])).content.decode()
    shown = breakdown_of(html)
    categories = ("Oppsøkende likepersonsarbeid", "Samtalegruppe", "Aktivitetsgruppe", "Likepersonskurs")
    why_not = {
        "Telefon- og kontakttjeneste (føres for seg, telles aldri)": 1,
        "Andre aktiviteter (dokumenteres, telles aldri)": 0,
        "Telles ikke etter en telleregel (står i Avvik)": 2,
    }
    assert {label: shown[label] for label in why_not} == why_not
    assert sum(shown[label] for label in categories) == shown["Sum tellende"] == 3
    assert sum(why_not.values()) == shown["Sum ikke tellende"] == 3
    audit = BufdirExportAudit.objects.get()
    assert shown["Sum tellende"] + shown["Sum ikke tellende"] == shown["Rader i Aktiviteter"] == 6
    assert audit.rows_exported == 6
    assert list(shown)[-1] == "Rader i Aktiviteter"


def test_an_export_recorded_before_the_breakdown_still_adds_up(nhf):
    BufdirExportAudit.objects.create(
        organisation=nhf.org,
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        status="succeeded",
        rows_exported=10,
        rows_counted=7,
        file_key="x.zip",
        result={
            "rows": {"read": 10, "exported": 10, "counted": 7, "not_counted": 3, "deviations": 0},
            "counted_by_category": {"oppsokende": 7},
        },
    )
    shown = breakdown_of(nhf.get(reverse("exports:page", args=["nhf"])).content.decode())
    assert shown["Sum tellende"] == 7 and shown["Sum ikke tellende"] == 3 and shown["Rader i Aktiviteter"] == 10
    assert not any(label.startswith("Telles ikke etter") for label in shown), "no breakdown was recorded"


def test_numbers_have_norwegian_thousands_separators(nhf):
    BufdirExportAudit.objects.create(
        organisation=nhf.org,
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        status="succeeded",
        rows_exported=10486,
        rows_counted=7225,
        rows_deviations=244,
        file_key="x.zip",
        result={
            "rows": {
                "read": 10498,
                "exported": 10486,
                "counted": 7225,
                "deviations": 244,
                "rejected": 12,
                "unreadable": 0,
            },
            "counted_by_category": {"oppsokende": 5102, "samtalegruppe": 900, "aktivitetsgruppe": 800, "kurs": 423},
            "deviations_by_reason": {"A": 47, "B": 29, "C": 28, "D": 1},
        },
    )
    page = text_of(nhf.get(reverse("exports:page", args=["nhf"])).content.decode())
    assert f"10{NBSP}498 registreringer lest, 10{NBSP}486 eksportert" in page
    assert f"Oppsøkende likepersonsarbeid 5{NBSP}102" in page and f"Sum tellende 7{NBSP}225" in page
    assert "244 rader trenger oppfølging" in page and "12 avviste registreringer" in page
    assert "A (47)" in page and "C (28)" in page and "D (1)" not in page
    assert f"10{NBSP}486" in page.split("Siste eksporter for Norges Handikapforbund")[-1]
    assert "10486" not in page


def test_history_says_why_an_export_failed_in_words(nhf, run_export):
    BufdirExportAudit.objects.create(
        organisation=nhf.org,
        period_from=dt.date(2024, 1, 1),
        period_to=dt.date(2024, 12, 31),
        status="failed",
        error_message="Organisasjonen har ingen aktiv kolonnekonfigurasjon.",
    )
    run_export(nhf.org, requested_by="Kari")
    history = text_of(nhf.get(reverse("exports:page", args=["nhf"])).content.decode().split('id="export-history"')[1])
    assert "Feilet Organisasjonen har ingen aktiv kolonnekonfigurasjon." in history
    assert "Ferdig" in history
    assert "failed" not in history and "succeeded" not in history


def test_the_403_page_says_why_and_whom_to_ask(client):
    org = factories.organisation("nhf", name="Norges Handikapforbund")
    boss = factories.member(org, Membership.Role.ADMINISTRATOR, username="kari")
    boss.email, boss.first_name, boss.last_name = "kari@nhf.example", "Kari", "Nordmann"
    boss.save()
    client.force_login(factories.member(org, Membership.Role.PEER_MENTOR, username="ola"))
    response = client.get(reverse("exports:index"))
    assert response.status_code == 403
    html = response.content.decode()
    page = text_of(html)
    assert "Du er logget inn som ola" in page
    assert "Rollen din i Norges Handikapforbund er likeperson" in page
    assert "Kari Nordmann (Norges Handikapforbund)" in page and 'href="mailto:kari@nhf.example"' in html
    assert f'action="{reverse("logout")}"' in html
    assert f'href="{reverse("exports:index")}"' not in html


def test_the_403_page_of_a_user_without_organisation(client):
    client.force_login(get_user_model().objects.create_user("alone", password="pw-for-tests-123"))
    page = text_of(client.get(reverse("exports:index")).content.decode())
    assert "ikke medlem av noen organisasjon" in page and "systemansvarlig" in page


def test_the_most_common_reasons_come_first_whatever_order_the_database_keeps(nhf):
    BufdirExportAudit.objects.create(
        organisation=nhf.org,
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        status="succeeded",
        rows_exported=100,
        rows_counted=50,
        rows_deviations=30,
        file_key="x.zip",
        result={
            "rows": {"read": 100, "exported": 100, "counted": 50, "deviations": 30},
            "deviations_by_reason": {"Kort": 2, "Lang grunn": 3, "Vanligst": 20, "Nest": 5},
        },
    )
    page = text_of(nhf.get(reverse("exports:page", args=["nhf"])).content.decode())
    shown = page.split("Vanligst:", 1)[1]
    assert shown.index("Vanligst (20)") < shown.index("Nest (5)") < shown.index("Lang grunn (3)")
    assert "Kort (2)" not in shown
