"""The period form never guesses: mode, year and dates must agree; errors sit next to their field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from exports.models import BufdirExportAudit
from tests import factories

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def admin(client):
    """A logged-in NHF administrator."""
    org = factories.organisation("nhf")
    client.force_login(factories.member(org))
    return client


@pytest.mark.parametrize(
    "data",
    [
        {"mode": "year", "year": "2025", "date_from": "2025-03-01", "date_to": "2025-03-31"},
        {"mode": "range", "year": "2025", "date_from": "2025-03-01", "date_to": "2025-03-31"},
        {"mode": "year", "year": "2025", "date_from": "2025-03-01"},
    ],
)
def test_a_year_and_dates_together_are_refused_with_a_message(admin, data):
    response = admin.post(reverse("exports:start", args=["nhf"]), data, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="period-error"' in html and "ikke begge" in html
    assert not BufdirExportAudit.objects.exists()


def test_each_error_sits_next_to_its_field_and_the_field_points_at_it(admin):
    start = reverse("exports:start", args=["nhf"])
    response = admin.post(
        start, {"mode": "range", "year": "", "date_from": "2025-05-03", "date_to": "2025-05-02"}, **HTMX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="date_to-error"' in html and 'role="alert"' in html
    assert 'aria-describedby="date_to-error"' in html and 'aria-invalid="true"' in html
    assert 'value="2025-05-03"' in html and 'value="2025-05-02"' in html


def test_a_missing_first_date_is_named(admin):
    response = admin.post(reverse("exports:start", args=["nhf"]), {"mode": "range", "date_to": "2025-05-02"}, **HTMX)
    assert response.status_code == 422 and 'id="date_from-error"' in response.content.decode()


def test_a_date_range_without_a_year_starts_that_range(admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = admin.post(
            reverse("exports:start", args=["nhf"]),
            {"mode": "range", "year": "", "date_from": "2025-03-01", "date_to": "2025-03-31"},
            **HTMX,
        )
    assert response.status_code == 200
    audit = BufdirExportAudit.objects.get()
    assert (audit.period_from, audit.period_to) == (dt.date(2025, 3, 1), dt.date(2025, 3, 31))


def test_the_chosen_year_stays_chosen_after_a_start(admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = admin.post(reverse("exports:start", args=["nhf"]), {"mode": "year", "year": "2023"}, **HTMX)
    html = response.content.decode()
    assert '<option value="2023" selected>' in html


def test_the_page_offers_no_year_for_the_date_range_and_last_year_by_default(admin):
    html = admin.get(reverse("exports:page", args=["nhf"])).content.decode()
    last_year = dt.date.today().year - 1
    assert '<option value="">' in html and f'<option value="{last_year}" selected>' in html
    assert "exports/form.js" in html
