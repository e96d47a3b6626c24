"""The deviations view in headless Chromium: from the export's result to the list, filtered by reason and paged."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.utils import timezone

from tests.test_browser_e2e import app_environment, page, serve  # noqa: F401 (page is a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_app(tmp_path_factory) -> Iterator[str]:
    """The seeded app with a server and a worker (as in test_browser_e2e)."""
    var = tmp_path_factory.mktemp("var")
    with app_environment(
        var, EXPORT_CHUNK_SIZE="500", Q_WORKERS="1", Q_CLUSTER_NAME=f"e2e-{uuid.uuid4().hex[:8]}"
    ) as env:
        yield from serve(env, var, activities=9000)


def reasons_of_rows(page) -> list[str]:  # noqa: F811 (the fixture's name)
    """The reason cell of every row shown."""
    return page.locator("#deviations-table tbody td.reasons").all_inner_texts()


def test_open_the_deviations_filter_by_reason_and_follow_the_pages(live_app, page):  # noqa: F811
    page.goto(live_app + "/")
    page.fill("#id_username", "nhf-admin")
    page.fill("#id_password", "demo-passord-2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/exports/*/")
    page.select_option("#id_year", str(timezone.localdate().year - 1))
    page.click("#export-button")
    page.wait_for_selector("#deviations-link", timeout=120_000)

    page.click("#deviations-link")
    page.wait_for_url("**/exports/nhf/deviations/")
    assert page.locator("h1").inner_text() == "Avvik for Norges Handikapforbund"
    assert page.locator("#deviations-table tbody tr").count() == 25
    assert (
        page.locator("#deviations-table a", has_text="Åpne i appen")
        .first.get_attribute("href")
        .startswith("https://app.nhf.example/aktiviteter/")
    )

    options = page.locator("#filter-reason option").all()
    top = options[1]  # the most common reason (the first option is "all"), on more than ten rows
    assert int(top.inner_text().rsplit("(", 1)[1].rstrip(")").replace("\xa0", "")) > 10
    reason = top.get_attribute("value")
    page.select_option("#filter-reason", reason)
    page.select_option("#filter-per-page", "10")
    page.click("#deviations-filter-button")
    page.wait_for_url("**reason=*")
    first_page = reasons_of_rows(page)
    assert first_page and all(reason in cell.split("\n") for cell in first_page)
    assert page.locator("#filter-reason").input_value() == reason

    page.click("#deviations-pages a[rel=next]")
    page.wait_for_url("**page=2*")
    second_page = reasons_of_rows(page)
    assert second_page and all(reason in cell.split("\n") for cell in second_page)
    assert page.locator("#deviations-pages [aria-current=page]").inner_text() == "2"
    assert page.locator("#filter-reason").input_value() == reason
