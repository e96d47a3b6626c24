"""In headless Chromium on real processes: a user of two organisations switches and exports each; the
background tab gets a browser notification and the starter a Norwegian e-mail file per finished export."""

from __future__ import annotations

import time
from email import message_from_string
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.utils import timezone

from tests.test_api_live import live_api  # noqa: F401  (the module-scoped live server fixture)
from tests.test_browser_e2e import page  # noqa: F401  (the Chromium page fixture)

pytestmark = pytest.mark.browser

FAKE_NOTIFICATIONS = """
window.shownNotifications = [];
window.Notification = class {
  constructor(title, options) { window.shownNotifications.push([title, options && options.body]); }
  static get permission() { return window.notificationPermission || "default"; }
  static requestPermission() { window.notificationPermission = "granted"; return Promise.resolve("granted"); }
};
Object.defineProperty(document, "visibilityState", {get: () => window.tabHidden ? "hidden" : "visible"});
"""


def export_last_year(page) -> None:  # noqa: F811
    """Start an export of last year and wait until it has succeeded."""
    page.select_option("#id_year", str(timezone.localdate().year - 1))
    page.click("#export-button")
    page.wait_for_selector("#export-status[data-status=succeeded]", timeout=120_000)


def mail_subjects(var: Path) -> list[str]:
    """The subjects of the e-mails the file backend wrote."""
    subjects = []
    for path in sorted((var / "mail").glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            if "Subject:" in chunk:
                subjects.append(str(make_header(decode_header(message_from_string(chunk.strip())["Subject"]))))
    return subjects


def test_a_user_of_two_organisations_switches_and_exports_each(live_api, page):  # noqa: F811
    url, env = live_api
    page.add_init_script(FAKE_NOTIFICATIONS)
    page.goto(url + "/")
    page.fill("#id_username", "begge-admin")
    page.fill("#id_password", "demo-passord-2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/exports/*/")
    assert set(page.locator("#organisation-choice option").all_inner_texts()) == {
        "Norges Handikapforbund",
        "Hørselshemmedes Likepersonsforbund (demo)",
    }
    first = page.locator("#organisation-choice option:checked").inner_text()

    page.check("#notify-browser")
    page.wait_for_function("() => window.notificationPermission === 'granted'")
    page.evaluate("window.tabHidden = true")
    export_last_year(page)
    page.wait_for_function("() => window.shownNotifications.length === 1")
    assert page.evaluate("window.shownNotifications")[0][0] == "Bufdir-eksporten er klar"

    other = [o for o in page.locator("#organisation-choice option").all_inner_texts() if o != first][0]
    page.select_option("#organisation-choice", label=other)
    page.click("#switch-organisation-button")
    page.wait_for_url("**/exports/*/")
    assert page.locator("#organisation-choice option:checked").inner_text() == other
    export_last_year(page)

    expected = sorted(f"Bufdir-eksporten for {name} er klar" for name in (first, other))
    deadline = time.monotonic() + 60
    while sorted(mail_subjects(Path(env["BUFDIR_VAR_DIR"]))) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sorted(mail_subjects(Path(env["BUFDIR_VAR_DIR"]))) == expected
