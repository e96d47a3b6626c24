"""In headless Chromium on real processes: two tabs of one user on two organisations. A tab left open on one
organisation exports that organisation after the other tab switched, and says so."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.test_api_live import live_api  # noqa: F401  (the module-scoped live server fixture)
from tests.test_browser_e2e import ROOT, page  # noqa: F401  (the Chromium page fixture)
from tests.test_browser_organisations import export_last_year

pytestmark = pytest.mark.browser
HLF = "Hørselshemmedes Likepersonsforbund (demo)"


def audits_by_organisation(env: dict[str, str]) -> list[str]:
    """The organisation of every export the live app recorded, oldest first (read in a process of its own)."""
    script = (
        "from exports.models import BufdirExportAudit as A; "
        "print('audits:', *A.objects.order_by('pk').values_list('organisation__slug', flat=True))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return next(line for line in result.stdout.splitlines() if line.startswith("audits:")).split()[1:]


def test_a_stale_tab_exports_the_organisation_it_shows(live_api, page):  # noqa: F811
    url, env = live_api
    page.goto(url + "/")
    page.fill("#id_username", "begge-admin")
    page.fill("#id_password", "demo-passord-2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/exports/*/")
    page.goto(url + "/exports/nhf/")
    page.wait_for_function("() => window.htmx && document.querySelector('[ws-connect]')")
    assert page.locator("#organisation-choice option:checked").inner_text() == "Norges Handikapforbund"

    tab_b = page.context.new_page()
    tab_b.goto(url + "/exports/")
    tab_b.wait_for_url("**/exports/*/")
    tab_b.select_option("#organisation-choice", label=HLF)
    tab_b.click("#switch-organisation-button")
    tab_b.wait_for_url("**/exports/hlf-demo/")
    assert tab_b.locator("#export-status h2").inner_text() == f"Gjeldende eksport for {HLF}"
    assert audits_by_organisation(env) == []

    page.bring_to_front()
    assert page.locator("#organisation-choice option:checked").inner_text() == "Norges Handikapforbund"
    export_last_year(page)
    assert page.locator("#export-status h2").inner_text() == "Gjeldende eksport for Norges Handikapforbund"
    assert page.locator("#export-history h2").inner_text() == "Siste eksporter for Norges Handikapforbund"
    assert audits_by_organisation(env) == ["nhf"]

    tab_b.reload()
    assert tab_b.locator("#organisation-choice option:checked").inner_text() == HLF
    assert tab_b.locator("#export-status").get_attribute("data-status") == "none"
