"""The Django admin: column configurations with validation and versions, audits read-only and filterable."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from exports.config.versions import save_column_config
from exports.demo.configs import nhf_config
from exports.models import BufdirExportAudit, OrganisationColumnConfig
from tests import factories
from tests.trials import try_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, sync_tasks):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-123")
    client.force_login(user)
    return client


def test_saving_a_changed_document_creates_a_new_inactive_version_and_keeps_the_old(admin_client):
    org = factories.organisation()
    config = OrganisationColumnConfig.objects.get(organisation=org)
    document = nhf_config()
    document["template"]["boolean_labels"] = {"true": 1, "false": 0}
    url = reverse("admin:exports_organisationcolumnconfig_change", args=[config.pk])
    assert "&quot;format_version&quot;: 1" in admin_client.get(url).content.decode()
    response = admin_client.post(
        url, {"organisation": org.pk, "is_active": "on", "comment": "1/0", "document": json.dumps(document)}
    )
    versions = list(OrganisationColumnConfig.objects.filter(organisation=org).order_by("version"))
    assert [(v.version, v.is_active) for v in versions] == [(1, True), (2, False)]
    assert versions[0].document == nhf_config() and versions[1].document == document
    assert response.status_code == 302
    assert response.url == reverse("admin:exports_organisationcolumnconfig_change", args=[versions[1].pk])
    page = admin_client.get(response.url).content.decode()
    assert "Endringen er lagret som en ny versjon, 2; versjon 1 er beholdt slik den var." in page
    assert "Versjon 2 er lagret, men ikke aktiv; eksportene bruker fortsatt versjon 1." in page
    assert "ble endret" not in page


def test_an_invalid_document_is_shown_with_its_errors_and_not_saved(admin_client):
    org = factories.organisation()
    document = nhf_config()
    document["columns"][0]["source"] = "dato"
    response = admin_client.post(
        reverse("admin:exports_organisationcolumnconfig_add"),
        {"organisation": org.pk, "comment": "", "document": json.dumps(document)},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "$.columns[0].source" in content and "«dato»" in content
    assert OrganisationColumnConfig.objects.count() == 1


def test_audits_are_read_only_and_filterable(admin_client):
    org, other = factories.organisation("nhf"), factories.organisation("other")
    for organisation, status in ((org, "succeeded"), (other, "failed")):
        BufdirExportAudit.objects.create(
            organisation=organisation, period_from=dt.date(2025, 1, 1), period_to=dt.date(2025, 12, 31), status=status
        )
    listing = admin_client.get(
        reverse("admin:exports_bufdirexportaudit_changelist"),
        {"organisation__id__exact": org.pk, "status__exact": "succeeded"},
    )
    assert listing.status_code == 200 and listing.context["cl"].result_count == 1
    audit = BufdirExportAudit.objects.get(organisation=org)
    assert admin_client.get(reverse("admin:exports_bufdirexportaudit_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:exports_bufdirexportaudit_delete", args=[audit.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    change = admin_client.get(reverse("admin:exports_bufdirexportaudit_change", args=[audit.pk]))
    assert change.status_code == 200 and 'name="status"' not in change.content.decode()


def test_the_active_version_keeps_its_activation_when_only_its_comment_changes(admin_client):
    org = factories.organisation()
    config = OrganisationColumnConfig.objects.get(organisation=org)
    url = reverse("admin:exports_organisationcolumnconfig_change", args=[config.pk])
    assert 'name="is_active"' not in admin_client.get(url).content.decode()
    response = admin_client.post(
        url, {"organisation": org.pk, "comment": "off", "document": json.dumps(config.document)}
    )
    assert response.status_code == 302
    stored = OrganisationColumnConfig.objects.get(organisation=org)
    assert (stored.pk, stored.is_active, stored.comment) == (config.pk, True, "off")


def test_saving_a_new_version_does_not_activate_it_and_the_action_needs_a_trial(admin_client):
    org = factories.organisation()
    factories.activity(org, started_at=dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC))
    document = nhf_config()
    document["template"]["name"] = "Ny mal"
    response = admin_client.post(
        reverse("admin:exports_organisationcolumnconfig_add"),
        {"organisation": org.pk, "comment": "utkast", "document": json.dumps(document)},
        follow=True,
    )
    assert "Versjon 2 er lagret, men ikke aktiv; eksportene bruker fortsatt versjon 1" in response.content.decode()
    draft = OrganisationColumnConfig.objects.get(organisation=org, version=2)
    assert not draft.is_active and draft.comment == "utkast"
    activate = {"action": "activate_version", "_selected_action": [draft.pk]}
    changelist = reverse("admin:exports_organisationcolumnconfig_changelist")
    response = admin_client.post(changelist, activate, follow=True)
    assert "Versjon 2 er ikke prøvd uten feil, og kan derfor ikke aktiveres." in response.content.decode()
    assert not OrganisationColumnConfig.objects.get(pk=draft.pk).is_active
    try_version(admin_client, draft, {"year": "2025"})
    response = admin_client.post(changelist, activate, follow=True)
    assert "Versjon 2 av Org nhf er nå aktiv." in response.content.decode()
    assert [(v.version, v.is_active) for v in org.column_configs.order_by("version")] == [(1, False), (2, True)]


def test_code_saves_versions_through_the_same_service():
    org = factories.organisation()
    draft = save_column_config(organisation=org, document=nhf_config(), comment="kode")
    assert (draft.version, draft.is_active) == (2, False)
    active = save_column_config(organisation=org, document=nhf_config(), active=True)
    assert active.version == 3
    assert list(org.column_configs.filter(is_active=True)) == [active]


def test_audits_filter_by_year_and_speak_norwegian(admin_client):
    org = factories.organisation()
    for year, status in ((2024, "failed"), (2025, "succeeded")):
        BufdirExportAudit.objects.create(
            organisation=org,
            period_from=dt.date(year, 1, 1),
            period_to=dt.date(year, 12, 31),
            status=status,
            phase="done",
        )
    listing = admin_client.get(reverse("admin:exports_bufdirexportaudit_changelist"), {"year": "2025"})
    assert listing.context["cl"].result_count == 1
    page = listing.content.decode()
    assert "Etter år for perioden" in page and "Ferdig" in page
    assert ">succeeded<" not in page and ">done<" not in page
    assert ">01.01.2025–31.12.2025<" in page and "Bestilt av" in page


def test_a_version_is_tried_on_a_period_before_activation_and_nothing_is_stored(admin_client):
    org = factories.organisation()
    local = factories.branch(org)
    mentor = factories.mentor(org, local)
    for day in range(1, 4):
        factories.activity(
            org, peer_mentor=mentor, local_branch=local, started_at=dt.datetime(2025, 3, day, 10, tzinfo=dt.UTC)
        )
    factories.activity(
        org,
        peer_mentor=mentor,
        local_branch=local,
        activity_type="telefon",
        started_at=dt.datetime(2025, 3, 9, tzinfo=dt.UTC),
    )
    document = nhf_config()
    document["activity_types"]["telefon"]["category"] = "oppsokende"
    draft = save_column_config(organisation=org, document=document, comment="telefon teller")
    change = admin_client.get(reverse("admin:exports_organisationcolumnconfig_change", args=[draft.pk]))
    url = reverse("admin:exports_organisationcolumnconfig_try", args=[draft.pk])
    assert url in change.content.decode()
    response = try_version(admin_client, draft, {"year": "2025"})
    assert response.status_code == 200
    result = response.context["result"]
    counted = {line.label: (line.tried, line.active, line.difference) for line in result.counted_by_category}
    assert counted["Oppsøkende likepersonsarbeid"] == (4, 3, 1)
    assert result.changed_verdicts == 1
    page = response.content.decode()
    assert "Sammenlignet med den aktive versjonen 1: 1 rad" in page and "+1" in page
    assert not BufdirExportAudit.objects.exists()
    assert OrganisationColumnConfig.objects.get(pk=draft.pk).is_active is False


def test_trying_needs_a_period(admin_client):
    org = factories.organisation()
    config = OrganisationColumnConfig.objects.get(organisation=org)
    response = admin_client.post(reverse("admin:exports_organisationcolumnconfig_try", args=[config.pk]), {})
    assert response.status_code == 200 and response.context["result"] is None
    assert "Oppgi et år, eller både første og siste dato." in response.content.decode()


def test_admin_pages_have_no_english_left(admin_client):
    org = factories.organisation()
    audit = BufdirExportAudit.objects.create(
        organisation=org,
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        status="succeeded",
        phase="done",
    )
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "Modellnavn" in index and "Mislykkede oppgaver" in index and "Model name" not in index
    change = admin_client.get(reverse("admin:exports_bufdirexportaudit_change", args=[audit.pk])).content.decode()
    assert "01.01.2025–31.12.2025 (Ferdig)" in change and ">done<" not in change and "succeeded" not in change


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "0"},
        {"year": "10000"},
        {"year": "9" * 20},
        {"year": "٢٠٢٥"},
        {"year": "-1"},
        {"created_at__year": "9999"},
        {"created_at__year": "10000"},
        {"created_at__year": "0"},
        {"created_at__year": "9" * 20},
        {"created_at__year": "2025", "created_at__month": "13"},
        {"created_at__year": "9999", "created_at__month": "12", "created_at__day": "31"},
    ],
)
def test_out_of_range_audit_filters_are_the_admins_invalid_lookup_not_a_500(admin_client, params):
    org = factories.organisation()
    BufdirExportAudit.objects.create(
        organisation=org, period_from=dt.date(2025, 1, 1), period_to=dt.date(2025, 12, 31), status="succeeded"
    )
    url = reverse("admin:exports_bufdirexportaudit_changelist")
    response = admin_client.get(url, params)
    assert response.status_code == 302 and response["Location"].endswith("?e=1")
    assert admin_client.get(url, {"year": "2025"}).context["cl"].result_count == 1


def test_the_document_field_says_its_format_and_links_the_documentation(admin_client):
    org = factories.organisation()
    config = OrganisationColumnConfig.objects.get(organisation=org)
    page = admin_client.get(reverse("admin:exports_organisationcolumnconfig_change", args=[config.pk]))
    html = page.content.decode()
    documentation = reverse("admin:exports_organisationcolumnconfig_documentation")
    assert "dokument (JSON)" in html
    assert "Et JSON-dokument: organisasjonens aktivitetstyper" in html
    assert f'<a href="{documentation}">Slik skriver du det: beskrivelse av konfigurasjonsspråket</a>' in html
    doc = admin_client.get(documentation).content.decode()
    assert "<h2>The expression language</h2>" in doc and '<th scope="col">function</th>' in doc
    assert "<code>is_municipality(code)</code>" in doc


def test_the_documentation_page_escapes_what_it_shows():
    from exports.markdown_page import render_markdown

    html = render_markdown("# <b>x</b>\n\n| a | `b | c` |\n|---|---|\n| <i> | **y** |\n\n```\n<script>\n```")
    assert html == (
        '<h1>&lt;b&gt;x&lt;/b&gt;</h1>\n<table><thead><tr><th scope="col">a</th>'
        '<th scope="col"><code>b | c</code></th></tr></thead><tbody><tr><td>&lt;i&gt;</td>'
        "<td><strong>y</strong></td></tr></tbody></table>\n<pre><code>&lt;script&gt;</code></pre>"
    )


def test_the_documentation_covers_every_row_field_function_and_format():
    from pathlib import Path

    from exports.config.expressions import FUNCTION_NAMES
    from exports.config.row_variables import COLUMN_VARIABLES
    from exports.config.schema import COLUMN_FORMATS

    text = (Path(__file__).resolve().parent.parent / "docs" / "configuration.md").read_text()
    missing = [name for name in (*COLUMN_VARIABLES, *COLUMN_FORMATS) if f"`{name}`" not in text]
    missing += [name for name in FUNCTION_NAMES if f"`{name}(" not in text]
    assert missing == []


def test_the_documentation_is_for_staff_only(client):
    response = client.get(reverse("admin:exports_organisationcolumnconfig_documentation"))
    assert response.status_code == 302 and "/admin/login/" in response.url
