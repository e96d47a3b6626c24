"""axe-core finds no violations on the app's pages, at desktop width and at 390 px (headless Chromium)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from exports.models import BufdirExportAudit, Membership
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "pw-for-tests-123"


@pytest.fixture
def pages(live_server):
    """An organisation with a finished and a failed export, an administrator and a peer mentor."""
    assert AXE.exists(), "axe-core is not installed: run `npm ci` in the project folder (scripts/test.sh does)"
    org = factories.organisation("nhf", name="Norges Handikapforbund")
    factories.member(org, Membership.Role.ADMINISTRATOR, username="kari")
    factories.member(org, Membership.Role.PEER_MENTOR, username="ola")
    for user in get_user_model().objects.all():
        user.set_password(PASSWORD)
        user.save()
    BufdirExportAudit.objects.create(
        organisation=org,
        period_from=dt.date(2024, 1, 1),
        period_to=dt.date(2024, 12, 31),
        status="failed",
        error_message="Organisasjonen har ingen aktiv kolonnekonfigurasjon.",
        phase="failed",
    )
    BufdirExportAudit.objects.create(
        organisation=org,
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        status="succeeded",
        phase="done",
        rows_exported=10486,
        rows_counted=7225,
        rows_deviations=244,
        file_key="nhf/x.zip",
        result={
            "rows": {
                "read": 10498,
                "exported": 10486,
                "counted": 7225,
                "deviations": 244,
                "rejected": 12,
                "unreadable": 0,
            },
            "counted_by_category": {"oppsokende": 4295, "samtalegruppe": 1312, "aktivitetsgruppe": 1297, "kurs": 321},
            "deviations_by_reason": {
                "Sykehusbesøk telles bare når likepersonen er godkjent": 47,
                "Mangler likeperson": 16,
                "Registreringen er avvist": 12,
            },
        },
    )
    return live_server.url


def violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in found]


def log_in(page, url: str, username: str) -> None:
    """Log in through the login form."""
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_app_pages_have_no_axe_violations_and_fit_the_width(pages, width):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            found = {}
            for username, path in (("kari", "/exports/"), ("ola", "/exports/")):
                context = browser.new_context(viewport={"width": width, "height": 900})
                page = context.new_page()
                page.goto(f"{pages}/accounts/login/")
                found[f"login {width}"] = violations(page)
                log_in(page, pages, username)
                page.goto(f"{pages}{path}")
                page.wait_for_load_state("networkidle")
                found[f"{username} {path} {width}"] = violations(page)
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{username} at {width} px scrolls sideways by {overflow} px"
                context.close()
            assert all(not v for v in found.values()), json.dumps(found, indent=1, ensure_ascii=False)
        finally:
            browser.close()


@pytest.fixture
def admin_pages(pages):
    """The pages a system administrator uses: configurations, audits (with their steps) and the trial page."""
    from exports.models import BufdirExportAuditEvent, OrganisationColumnConfig

    root = get_user_model().objects.create_superuser("sysadmin", "sysadmin@example.org", PASSWORD)
    org = factories.organisation("hlf", name="Hørselshemmedes Landsforbund")
    factories.activity(org, started_at=dt.datetime(2025, 3, 3, 10, tzinfo=dt.UTC))
    config = OrganisationColumnConfig.objects.get(organisation=org)
    audit = BufdirExportAudit.objects.filter(status="succeeded").first()
    for phase in ("queued", "querying", "done"):
        BufdirExportAuditEvent.objects.create(audit=audit, phase=phase, message=f"steg {phase}")
    return (
        pages,
        root.username,
        [
            "/admin/",
            "/admin/exports/organisationcolumnconfig/",
            f"/admin/exports/organisationcolumnconfig/{config.pk}/change/",
            "/admin/exports/organisationcolumnconfig/add/",
            f"/admin/exports/organisationcolumnconfig/{config.pk}/try/",
            "/admin/exports/organisationcolumnconfig/documentation/",
            "/admin/exports/bufdirexportaudit/",
            f"/admin/exports/bufdirexportaudit/{audit.pk}/change/",
        ],
        config.pk,
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_the_admin_pages_have_no_axe_violations_and_show_their_columns(admin_pages, width):
    from playwright.sync_api import sync_playwright

    url, username, paths, config_id = admin_pages
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            page.goto(f"{url}/admin/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_load_state("networkidle")
            found = {}
            for path in paths:
                page.goto(f"{url}{path}")
                page.wait_for_load_state("networkidle")
                found[f"{path} {width}"] = violations(page)
                if path.endswith("/try/"):
                    page.click("#content-main form [type=submit]")
                    page.wait_for_load_state("networkidle")
                    found[f"{path} tried {width}"] = violations(page)
                if width == 1280 and path.endswith(("organisationcolumnconfig/", "bufdirexportaudit/")):
                    cut = page.evaluate("""() => { const box = document.querySelector('#changelist-form .results');
                        const table = document.querySelector('#result_list');
                        return table.getBoundingClientRect().right - box.getBoundingClientRect().right; }""")
                    if cut > 1:
                        found[f"{path} columns cut off by {cut:.0f} px"] = ["cut"]
                if width == 390:
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    if overflow > 0:
                        found[f"{path} scrolls sideways by {overflow} px at 390"] = ["overflow"]
            assert all(not v for v in found.values()), json.dumps(found, indent=1, ensure_ascii=False)
            context.close()
        finally:
            browser.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_page_fits_brings_progress_into_view_asks_before_cancelling_and_copies_a_token(pages, width, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the test reads the database beside Playwright's loop

    other = factories.organisation("hlf", name="Hørselshemmedes Landsforbund – landsdekkende likepersonsarbeid")
    both = factories.member(other, Membership.Role.ADMINISTRATOR, username="begge-administrator")
    Membership.objects.create(
        user=both, organisation_id=BufdirExportAudit.objects.first().organisation_id, role=Membership.Role.ADMINISTRATOR
    )
    both.set_password(PASSWORD)
    both.save()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            context = browser.new_context(viewport={"width": width, "height": 700})
            context.grant_permissions(["clipboard-read", "clipboard-write"])
            page = context.new_page()
            log_in(page, pages, "begge-administrator")
            page.goto(f"{pages}/exports/nhf/")
            page.wait_for_load_state("networkidle")
            found = {"page": violations(page)}
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
            assert page.locator("#switch-organisation-button").is_visible()
            box = page.locator("#switch-organisation-button").bounding_box()
            assert box["x"] + box["width"] <= width

            page.click("#export-button")
            page.wait_for_selector("#export-status[data-status=pending]")
            page.wait_for_function("""() => { const r = document.getElementById('export-status')
                .getBoundingClientRect(); return r.top >= -1 && r.top < window.innerHeight; }""")
            audit = BufdirExportAudit.objects.get(status="pending")
            assert page.locator(f"#history-status-{audit.pk}").inner_text() == "Venter på å starte"

            page.focus("#cancel-button")
            page.keyboard.press("Enter")
            page.wait_for_selector("#cancel-dialog[open]")
            found["dialog"] = violations(page)
            assert page.evaluate("document.activeElement.id") == "cancel-keep-button"
            page.keyboard.press("Escape")
            page.wait_for_selector("#cancel-dialog", state="hidden")
            assert page.evaluate("document.activeElement.id") == "cancel-button"
            BufdirExportAudit.objects.get(pk=audit.pk, status="pending")
            page.keyboard.press("Enter")
            page.wait_for_selector("#cancel-dialog[open]")
            page.keyboard.press("Shift+Tab")
            assert page.evaluate("document.activeElement.id") == "cancel-confirm-button"
            page.keyboard.press("Enter")
            page.wait_for_selector("#export-cancelled")
            assert BufdirExportAudit.objects.get(pk=audit.pk).status == "cancelled"
            assert "Avbrutt" in page.locator(f"#history-row-{audit.pk}").inner_text()

            page.goto(f"{pages}/tokens/nhf/")
            page.fill("#id_name", "Regneark med et ganske langt navn for å prøve bredden")
            page.click("#create-token-button")
            page.wait_for_selector("#copy-token-button")
            found["tokens"] = violations(page)
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
            page.focus("#copy-token-button")
            page.keyboard.press("Enter")
            page.wait_for_function("document.getElementById('copy-token-status').textContent === 'Kopiert'")
            secret = page.locator("#new-token-secret").inner_text()
            assert page.evaluate("navigator.clipboard.readText()") == secret
            assert all(not v for v in found.values()), json.dumps(found, indent=1, ensure_ascii=False)
            context.close()
        finally:
            browser.close()
