"""Each mapped row leaves a fingerprint (id, Oslo date, peer mentor, flags, a CRC-32 a value) kept only if told."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from typing import Any

import pytest

from exports.history import row_digests
from exports.history.row_digests import RowDigestRecorder, column_hashes, split_hashes
from exports.models import BufdirExportAudit, ExportRowDigest
from exports.rules.column_mapper import Finding, MappedActivity
from exports.source.activities import OSLO
from tests import factories
from tests.records import activity_record

VALUES = (dt.date(2025, 6, 1), "Hjemmebesøk", 60, "Ja", None)


def row(*, values: tuple[Any, ...] = VALUES, listed: bool = True, deviates: bool = False, **fields: Any):
    """A mapped home visit that started at 23:30 UTC on 31 May 2025 (1 June in Oslo)."""
    activity = activity_record(**({"started_at": dt.datetime(2025, 5, 31, 23, 30, tzinfo=dt.UTC)} | fields))
    reasons = (Finding(text="Mangler likeperson", action="-"),) if deviates or not listed else ()
    return MappedActivity(
        record=activity,
        category="oppsokende",
        local_start=activity.started_at.astimezone(OSLO),
        listed=listed,
        counts=listed and not deviates,
        reasons=reasons,
        values=values if listed else (),
    )


@pytest.fixture
def audit(db) -> BufdirExportAudit:
    """A running export of 2025."""
    return BufdirExportAudit.objects.create(
        organisation=factories.organisation("nhf"),
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        status=BufdirExportAudit.Status.RUNNING,
    )


def test_each_value_has_a_little_endian_crc32_of_its_text():
    hashes = column_hashes(VALUES)
    assert len(hashes) == 4 * len(VALUES)
    assert hashes[4:8] == struct.pack("<I", zlib.crc32("Hjemmebesøk".encode()))
    assert hashes[16:20] == struct.pack("<I", zlib.crc32(b"None"))
    assert column_hashes(()) == b""


def test_a_changed_value_changes_only_its_own_hash():
    before = split_hashes(column_hashes(VALUES))
    after = split_hashes(column_hashes((*VALUES[:2], 95, *VALUES[3:])))
    assert [index for index, (old, new) in enumerate(zip(before, after, strict=True)) if old != new] == [2]
    assert split_hashes(column_hashes(VALUES)) == before


def test_the_hashes_split_into_one_four_byte_hash_a_column():
    pieces = split_hashes(column_hashes(VALUES))
    assert pieces == [column_hashes((value,)) for value in VALUES]
    assert split_hashes(b"") == []


def test_a_listed_row_is_kept_with_its_oslo_date_peer_mentor_and_hashes(audit):
    recorder = RowDigestRecorder(audit.pk)
    listed = row()
    recorder.add(listed)
    recorder.flush()
    digest = ExportRowDigest.objects.get(audit=audit)
    assert digest.activity_id == listed.record.id
    assert digest.started_on == dt.date(2025, 6, 1)
    assert digest.peer_mentor == "Kari Nordmann"
    assert digest.flags == ExportRowDigest.LISTED
    assert bytes(digest.hashes) == column_hashes(VALUES)


def test_flags_say_whether_a_row_deviates_and_whether_it_is_listed(audit):
    recorder = RowDigestRecorder(audit.pk)
    deviating, unlisted = row(deviates=True), row(listed=False, status="rejected")
    recorder.add(deviating)
    recorder.add(unlisted)
    recorder.flush()
    digests = {digest.activity_id: digest for digest in ExportRowDigest.objects.filter(audit=audit)}
    assert digests[deviating.record.id].flags == ExportRowDigest.LISTED | ExportRowDigest.DEVIATES
    assert digests[unlisted.record.id].flags == ExportRowDigest.DEVIATES
    assert bytes(digests[unlisted.record.id].hashes) == b""


def test_a_peer_mentors_name_is_kept_without_refused_characters_and_at_most_200_long(audit):
    recorder = RowDigestRecorder(audit.pk)
    refused = row(peer_mentor_name="Kari\x00 Nord\x1fmann")
    long = row(peer_mentor_name="K" * 300)
    nameless = row(peer_mentor_name=None, peer_mentor_id=None)
    for item in (refused, long, nameless):
        recorder.add(item)
    recorder.flush()
    names = dict(ExportRowDigest.objects.filter(audit=audit).values_list("activity_id", "peer_mentor"))
    assert names == {refused.record.id: "Kari Nordmann", long.record.id: "K" * 200, nameless.record.id: ""}


def test_a_full_batch_is_written_without_waiting_for_flush(audit, monkeypatch):
    monkeypatch.setitem(row_digests.BATCH_ROWS, "sqlite", 2)
    monkeypatch.setitem(row_digests.BATCH_ROWS, "postgresql", 2)
    recorder = RowDigestRecorder(audit.pk)
    for _ in range(5):
        recorder.add(row())
    assert ExportRowDigest.objects.filter(audit=audit).count() == 4
    recorder.flush()
    assert ExportRowDigest.objects.filter(audit=audit).count() == 5
    recorder.flush()
    assert ExportRowDigest.objects.filter(audit=audit).count() == 5


def test_an_export_that_was_not_kept_leaves_no_fingerprints(audit, monkeypatch):
    monkeypatch.setitem(row_digests.BATCH_ROWS, "sqlite", 2)
    monkeypatch.setitem(row_digests.BATCH_ROWS, "postgresql", 2)
    recorder = RowDigestRecorder(audit.pk)
    for _ in range(3):
        recorder.add(row())
    recorder.discard()
    recorder.flush()
    assert ExportRowDigest.objects.filter(audit=audit).count() == 0


def test_a_kept_export_keeps_its_fingerprints_and_another_exports_are_untouched(audit):
    other = BufdirExportAudit.objects.create(
        organisation=audit.organisation,
        period_from=dt.date(2024, 1, 1),
        period_to=dt.date(2024, 12, 31),
        status=BufdirExportAudit.Status.SUCCEEDED,
    )
    earlier = RowDigestRecorder(other.pk)
    earlier.add(row())
    earlier.flush()
    recorder = RowDigestRecorder(audit.pk)
    recorder.add(row())
    recorder.flush()
    recorder.keep()
    recorder.discard()
    assert ExportRowDigest.objects.filter(audit=audit).count() == 1
    RowDigestRecorder(audit.pk).discard()
    assert ExportRowDigest.objects.filter(audit=audit).count() == 0
    assert ExportRowDigest.objects.filter(audit=other).count() == 1
