"""ConfigTrial: a version's figures on a period beside the active version's, computed as an export would."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from exports.config.versions import save_column_config
from exports.container import services
from exports.demo.configs import nhf_config
from exports.domain import Period
from exports.lifecycle.config_trial import WATCH_SLICE, TrialFigures, WatchedSource
from exports.models import BufdirExportAudit
from tests import factories
from tests.records import activity_record

pytestmark = pytest.mark.django_db

YEAR = Period.year(2025)


@pytest.fixture
def org():
    """NHF with three home visits of 2025 and one phone call, all by a certified peer mentor."""
    org = factories.organisation()
    mentor = factories.mentor(org, local_branch=factories.branch(org))
    for day in (3, 4, 5):
        factories.activity(org, peer_mentor=mentor, started_at=dt.datetime(2025, 3, day, 10, tzinfo=dt.UTC))
    factories.activity(
        org, peer_mentor=mentor, activity_type="telefon", started_at=dt.datetime(2025, 3, 6, 10, tzinfo=dt.UTC)
    )
    return org


def _draft(org, **changes):
    """A new inactive version of NHF's configuration with `changes` to the phone call's activity type."""
    document = nhf_config()
    document["activity_types"]["telefon"].update(changes)
    return save_column_config(organisation=org, document=document, comment="prøve")


def _lines(lines):
    return {line.label: (line.tried, line.active, line.difference) for line in lines}


def test_a_version_that_counts_one_more_row_shows_the_difference_and_the_changed_verdict(org):
    draft = _draft(org, category="oppsokende")
    result = services().get("config_trial").run(config=draft, period=YEAR)
    figures = result.figures
    assert result.config == draft and result.active is not None and result.active.is_active
    assert figures.active_version == result.active.version
    assert _lines(figures.counted_by_category)["Oppsøkende likepersonsarbeid"] == (4, 3, 1)
    assert _lines(figures.totals)["Registreringer lest"] == (4, 4, 0)
    assert figures.changed_verdicts == 1 and figures.rows_read == 4
    assert figures.proves and not figures.failures and figures.failure_message == ""
    assert not BufdirExportAudit.objects.exists()


def test_the_active_version_tried_is_compared_with_nothing(org):
    active = org.column_configs.get(is_active=True)
    figures = services().get("config_trial").run(config=active, period=YEAR).figures
    assert figures.active_version is None and figures.changed_verdicts == 0
    assert all(line.active is None and line.difference is None for line in figures.totals)


def test_a_period_without_activities_proves_nothing(org):
    figures = services().get("config_trial").run(config=_draft(org), period=Period.year(2019)).figures
    assert figures.rows_read == 0 and not figures.proves


def test_a_rule_that_fails_on_the_rows_is_named_with_its_row_count(org):
    document = nhf_config()
    document["counting_rules"].append(
        {
            "id": "deler_paa_null",
            "when": "duration_minutes / (participant_count - 1) > 0",
            "require": "duration_minutes > 0",
            "reason": "Deler på null.",
        }
    )
    draft = save_column_config(organisation=org, document=document, comment="ødelagt regel")
    figures = services().get("config_trial").run(config=draft, period=YEAR).figures
    assert not figures.proves
    assert [(failure.broken.name, failure.rows) for failure in figures.failures] == [("deler_paa_null", 4)]
    assert "deler_paa_null" in figures.failure_message


def test_the_figures_come_back_from_their_json_as_they_were(org):
    figures = services().get("config_trial").run(config=_draft(org, category="oppsokende"), period=YEAR).figures
    stored = json.loads(json.dumps(figures.to_json()))
    assert TrialFigures.from_json(stored) == figures


def test_a_watched_source_is_watched_before_each_slice_and_at_the_end():
    rows = [activity_record() for _ in range(WATCH_SLICE * 2 + 5)]

    class ListSource:
        def count(self, organisation_id, *, period):
            return len(rows)

        def stream(self, organisation_id, *, period, chunk_size):
            for start in range(0, len(rows), chunk_size):
                yield rows[start : start + chunk_size]

    watched = []
    source = WatchedSource(source=ListSource(), watch=watched.append)
    slices = list(source.stream(None, period=YEAR, chunk_size=WATCH_SLICE * 3))
    assert [len(part) for part in slices] == [WATCH_SLICE, WATCH_SLICE, 5]
    assert watched == [0, WATCH_SLICE, WATCH_SLICE * 2, len(rows)]
    assert source.count(None, period=YEAR) == len(rows)
