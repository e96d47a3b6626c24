"""Sent to Bufdir in headless Chromium: mark, a second leader confirms, a later edit in the app is warned of."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from django.utils import timezone

from tests.test_browser_e2e import ROOT, app_environment, page, serve  # noqa: F401 (page is a fixture)

pytestmark = pytest.mark.browser

EDIT_ONE_REGISTRATION = """
from django.db.models import F
from django.utils import timezone
from exports.models import Activity
first = Activity.objects.filter(organisation__slug="nhf", started_at__year={year},
                                status="registered").order_by("id")[0]
Activity.objects.filter(pk=first.pk).update(duration_minutes=F("duration_minutes") + 5, updated_at=timezone.now())
print(first.pk)
"""


@pytest.fixture(scope="module")
def live_app(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    """The seeded app with a server and a worker (as in test_browser_e2e), and its environment."""
    var = tmp_path_factory.mktemp("var")
    with app_environment(var, Q_WORKERS="1", Q_CLUSTER_NAME=f"e2e-{uuid.uuid4().hex[:8]}") as env:
        for url in serve(env, var, activities=2000):
            yield url, env


def log_in(page, url: str, username: str) -> None:  # noqa: F811 (the fixture's name)
    """Log in on the page as a demo user and land on NHF's export page."""
    page.goto(url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo-passord-2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/exports/*/")


def test_mark_confirm_and_see_a_later_edit_warned_of(live_app, page):  # noqa: F811
    url, env = live_app
    year = timezone.localdate().year - 1
    log_in(page, url, "nhf-admin")
    page.select_option("#id_year", str(year))
    page.click("#export-button")
    page.wait_for_selector("#download-link", timeout=120_000)

    page.reload()
    page.click("#submit-button")
    section = page.locator("#export-submissions")
    section.locator(".attention").wait_for()
    assert "Venter på at en annen leder" in section.inner_text()
    assert len(section.locator(".checksum code").inner_text()) == 64
    assert page.locator(".confirm-button").count() == 0, "the one who marked cannot confirm it"

    coordinator = page.context.browser.new_context().new_page()
    log_in(coordinator, url, "nhf-koordinator")
    coordinator.click(".confirm-button")
    coordinator.locator("#export-submissions").get_by_text("Bekreftet av").wait_for()

    edited = uuid.UUID(subprocess_output(env, EDIT_ONE_REGISTRATION.format(year=year)))
    page.reload()
    warning = page.locator("[id^=changed-after-]")
    assert f"1 registrering i {year} er endret etter at rapporten ble sendt" in warning.inner_text()
    assert str(edited) in warning.locator("table").inner_text()

    page.click("#export-button")
    changes = page.locator("#export-changes", has_text="sendt til Bufdir")  # the new one, against the sent one
    changes.wait_for(timeout=120_000)
    assert changes.locator("#changes-changed").inner_text() == "1"
    assert changes.locator("#changes-added").inner_text() == "0"


def subprocess_output(env: dict[str, str], code: str) -> str:
    """What `manage.py shell -c code` prints last, run against the live app's database."""
    finished = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return finished.stdout.strip().splitlines()[-1]
