"""The mapping loop maps every record of every chunk under each configuration, counting each on its own."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest
from django.utils import translation

from exports.config.plugins import ExportRulePlugin
from exports.config.validation import CompiledConfig, compile_document
from exports.demo.configs import nhf_config
from exports.domain import Period
from exports.rules.column_mapper import BufdirColumnMapper
from exports.rules.mapping_pass import ConfigMapping, mapped_chunks
from exports.source.activities import ActivityRecord
from tests.records import activity_record

ORGANISATION = uuid.UUID("8d6c3f1e-0000-4000-8000-000000000001")
PERIOD = Period.year(2025)
MENTOR = uuid.UUID("8d6c3f1e-0000-4000-8000-0000000000aa")
BRANCH = uuid.UUID("8d6c3f1e-0000-4000-8000-0000000000bb")
START = dt.datetime(2025, 6, 2, 10, 0, tzinfo=dt.UTC)


def record(**fields: Any) -> ActivityRecord:
    """A counted home visit in Bergen by a certified peer mentor, unless the fields say otherwise."""
    return activity_record(**({"started_at": START, "peer_mentor_id": MENTOR, "local_branch_id": BRANCH} | fields))


class ListSource:
    """A source over a fixed list of records that remembers how it was asked."""

    def __init__(self, records: Sequence[ActivityRecord]) -> None:
        self.records = list(records)
        self.calls: list[tuple[uuid.UUID, Period, int]] = []

    def count(self, organisation_id: uuid.UUID, period: Period) -> int:
        return len(self.records)

    def stream(self, organisation_id: uuid.UUID, period: Period, chunk_size: int) -> Iterator[list[ActivityRecord]]:
        self.calls.append((organisation_id, period, chunk_size))
        for start in range(0, len(self.records), chunk_size):
            yield self.records[start : start + chunk_size]


def compiled(document: dict[str, Any] | None = None) -> CompiledConfig:
    """The compiled NHF template (or `document`)."""
    return compile_document(document or nhf_config())


def mapping(config: CompiledConfig | None = None, plugins: Sequence[ExportRulePlugin] = ()) -> ConfigMapping:
    """A mapping of the NHF template (or `config`)."""
    return ConfigMapping(mapper=BufdirColumnMapper(), compiled=config or compiled(), plugins=plugins)


def test_every_chunk_of_the_source_becomes_one_list_of_mapped_rows_in_order():
    records = [record(started_at=START + dt.timedelta(hours=hour)) for hour in range(5)]
    source = ListSource(records)
    chunks = list(
        mapped_chunks(
            source=source, organisation_id=ORGANISATION, period=PERIOD, chunk_size=2, mappings=[mapping(), mapping()]
        )
    )
    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    assert [[row[0].record.id for row in chunk] for chunk in chunks] == [
        [records[0].id, records[1].id],
        [records[2].id, records[3].id],
        [records[4].id],
    ]
    assert all(len(row) == 2 and row[0].record is row[1].record for chunk in chunks for row in chunk)
    assert source.calls == [(ORGANISATION, PERIOD, 2)]


def test_an_empty_period_yields_nothing_and_counts_nothing():
    only = mapping()
    chunks = list(
        mapped_chunks(
            source=ListSource([]), organisation_id=ORGANISATION, period=PERIOD, chunk_size=10, mappings=[only]
        )
    )
    assert chunks == []
    assert only.summary.read == 0 and only.summary.as_facts()["rows"]["exported"] == 0


def test_each_configuration_maps_the_same_record_under_its_own_rules():
    document = nhf_config()
    document["activity_types"]["stand"] = {"label": "Informasjonsstand", "category": "oppsokende"}
    template, outreach_stand = mapping(), mapping(compiled(document))
    [[(under_template, under_variant)]] = list(
        mapped_chunks(
            source=ListSource([record(activity_type="stand")]),
            organisation_id=ORGANISATION,
            period=PERIOD,
            chunk_size=10,
            mappings=[template, outreach_stand],
        )
    )
    assert (under_template.category, under_template.counts) == ("annet", False)
    assert (under_variant.category, under_variant.counts) == ("oppsokende", True)
    assert template.summary.counted == 0 and template.summary.documented_by_category == {"annet": 1}
    assert outreach_stand.summary.counted == 1 and outreach_stand.summary.counted_by_category == {"oppsokende": 1}


def test_a_mapping_counts_every_row_it_maps_in_its_summary():
    only = mapping()
    rows = [
        only.map(record()),
        only.map(record(activity_type="telefon", started_at=START + dt.timedelta(hours=1))),
        only.map(record(status="rejected", started_at=START + dt.timedelta(hours=2))),
    ]
    assert [row.counts for row in rows] == [True, False, False]
    summary = only.summary
    assert (summary.read, summary.exported, summary.counted, summary.not_counted, summary.rejected) == (3, 2, 1, 1, 1)


def test_the_same_peer_mentors_second_copy_is_a_duplicate_that_does_not_count():
    only = mapping()
    first = only.map(record())
    copy = only.map(record())
    with translation.override("nb"):
        reasons = [finding.text for finding in copy.reasons]
    assert first.counts and not copy.counts
    assert any(reason.startswith("Duplikat") for reason in reasons)
    assert only.summary.counted == 1 and only.summary.not_counted == 1


def test_a_group_registered_by_a_second_peer_mentor_counts_once_and_names_the_first():
    only = mapping()
    group = {"activity_type": "samtalegruppe", "duration_minutes": 90, "participant_count": 5}
    first = only.map(record(**group))
    second = only.map(record(**group, peer_mentor_id=uuid.uuid4(), peer_mentor_name="Ola Nordmann"))
    assert first.counts and not second.counts
    with translation.override("nb"):
        [repeat] = [finding for finding in second.reasons if str(first.record.id) in finding.action]
    assert "Kari Nordmann" in repeat.action
    assert only.summary.counted_by_category["samtalegruppe"] == 1


def test_the_plugins_given_to_a_mapping_add_their_reasons():
    class NoHomeVisits(ExportRulePlugin):
        def reasons_not_counted(self, row: Mapping[str, Any]) -> Sequence[str]:
            return ["Hjemmebesøk telles ikke her"] if row["activity_type"] == "hjemmebesok" else []

    only = mapping(plugins=[NoHomeVisits()])
    visit = only.map(record())
    meeting = only.map(record(activity_type="mote_offentlig", started_at=START + dt.timedelta(hours=1)))
    assert not visit.counts and [finding.text for finding in visit.reasons] == ["Hjemmebesøk telles ikke her"]
    assert meeting.counts
    assert only.summary.deviations_by_reason == {"Hjemmebesøk telles ikke her": 1}


def test_a_rule_that_cannot_be_computed_on_a_row_is_collected_as_a_broken_rule():
    document = nhf_config()
    document["counting_rules"].append({"id": "lenge_nok", "require": "duration_minutes > 30", "reason": "For kort"})
    only = mapping(compiled(document))
    only.map(record(duration_minutes=None))
    only.map(record(duration_minutes=None, started_at=START + dt.timedelta(hours=1)))
    only.map(record(duration_minutes=45, started_at=START + dt.timedelta(hours=2)))
    [failure] = only.failures.most_common()
    assert failure.broken.name == "lenge_nok" and failure.rows == 2
    assert only.summary.broken_rules[failure.broken] == 2


def test_a_record_in_an_unknown_type_is_mapped_not_raised():
    only = mapping()
    row = only.map(record(activity_type="bowling"))
    assert row.listed and not row.counts and row.category == "ukjent"
    assert only.summary.deviations == 1


@pytest.mark.parametrize("chunk_size", [1, 3, 100])
def test_the_mapped_rows_do_not_depend_on_the_chunk_size(chunk_size):
    records = [record(started_at=START + dt.timedelta(hours=hour)) for hour in range(4)]
    only = mapping()
    rows = [
        row[0].record.id
        for chunk in mapped_chunks(
            source=ListSource(records),
            organisation_id=ORGANISATION,
            period=PERIOD,
            chunk_size=chunk_size,
            mappings=[only],
        )
        for row in chunk
    ]
    assert rows == [item.id for item in records]
    assert only.summary.counted == 4
