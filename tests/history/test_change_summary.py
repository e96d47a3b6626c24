"""A change summary records its counts as JSON without the spool, and the spool gives back its change rows in order."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import pickle

import pytest

from exports.history.change_summary import ADDED, CHANGED, FIXED, NEW_DEVIATION, REMOVED, ChangeSummary, spooled_changes

ROWS = [
    ("id-1", dt.date(2025, 5, 1), "Kari Nordmann", ADDED, ()),
    ("id-2", dt.date(2025, 5, 2), "Kari Nordmann", REMOVED, ()),
    ("id-3", dt.date(2025, 5, 3), "Ola Nordmann", CHANGED, ("Varighet (min)", "Deltakere")),
    ("id-4", dt.date(2025, 5, 4), "", FIXED, ()),
    ("id-5", dt.date(2025, 5, 5), "Per", NEW_DEVIATION, ()),
]


def spool(path, *, batches) -> str:
    """A spool file holding `batches` as the comparison writes them (one pickle a batch)."""
    with open(path, "wb") as handle:
        for batch in batches:
            pickle.dump(list(batch), handle, protocol=pickle.HIGHEST_PROTOCOL)
    return str(path)


def test_a_first_export_has_nothing_to_compare_with_and_no_changes():
    document = ChangeSummary().as_dict()
    assert document == {
        "compared_with": None,
        "headings": [],
        "counted_then": {},
        "counted_now": {},
        "added": 0,
        "removed": 0,
        "changed": 0,
        "fixed": 0,
        "new_deviations": 0,
        "rows": 0,
    }


def test_the_recorded_summary_keeps_every_count_and_leaves_out_the_spool_path(tmp_path):
    summary = ChangeSummary(
        compared_with={"id": 7, "sha256": "ab" * 32, "submitted": True},
        headings=["Dato", "Varighet (min)"],
        counted_then={"oppsokende": 4},
        counted_now={"oppsokende": 5},
        added=2,
        removed=1,
        changed=3,
        fixed=1,
        new_deviations=0,
        rows=7,
        spool=str(tmp_path / "changes.pickle"),
    )
    document = summary.as_dict()
    assert "spool" not in document and str(tmp_path) not in json.dumps(document)
    assert json.loads(json.dumps(document)) == document
    assert document["compared_with"]["id"] == 7 and document["counted_now"] == {"oppsokende": 5}
    assert (document["added"], document["removed"], document["changed"], document["fixed"]) == (2, 1, 3, 1)
    assert summary.spool == str(tmp_path / "changes.pickle")


def test_a_summary_cannot_be_changed_once_made():
    summary = ChangeSummary(added=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.added = 2  # type: ignore[misc]


def test_the_spooled_rows_come_back_in_order_across_batches(tmp_path):
    path = spool(tmp_path / "changes.pickle", batches=[ROWS[:2], ROWS[2:4], ROWS[4:]])
    assert list(spooled_changes(path)) == ROWS


def test_an_empty_spool_file_gives_no_rows(tmp_path):
    path = tmp_path / "empty.pickle"
    path.write_bytes(b"")
    assert list(spooled_changes(str(path))) == []


def test_no_spool_or_a_spool_already_removed_gives_no_rows(tmp_path):
    assert list(spooled_changes("")) == []
    assert list(spooled_changes(str(tmp_path / "removed.pickle"))) == []


def test_the_spool_is_read_lazily_one_batch_at_a_time(tmp_path):
    path = tmp_path / "changes.pickle"
    with open(path, "wb") as handle:
        pickle.dump(ROWS[:2], handle, protocol=pickle.HIGHEST_PROTOCOL)
        handle.write(b"not a pickle")
    rows = spooled_changes(str(path))
    assert [next(rows), next(rows)] == ROWS[:2]
    with pytest.raises(pickle.UnpicklingError):
        next(rows)
