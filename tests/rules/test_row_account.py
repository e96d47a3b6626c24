"""An export's recorded result accounts for every row: counted per category, the rest by why, old results too."""

from __future__ import annotations

import json

from django.utils import translation

from exports.regulation import COUNTING_CATEGORIES
from exports.rules.row_account import (
    NOT_COUNTED_PARTS,
    OUTCOME_LABELS,
    exported_by_outcome,
    ranked_reasons,
    row_account,
)

RESULT = {
    "rows": {"read": 20, "exported": 16, "counted": 9, "not_counted": 7, "rejected": 3, "unreadable": 1},
    "counted_by_category": {"oppsokende": 6, "kurs": 3},
    "exported_by_outcome": {"counted": 9, "phone_and_contact": 4, "other": 2, "not_counted_by_rule": 1},
    "deviations_by_reason": {"Mangler likeperson": 2, "Ukjent kommune": 5},
}


def test_the_rows_by_outcome_add_up_to_the_rows_exported():
    outcome = exported_by_outcome(
        counted=5, not_counted=6, documented_by_category={"oppsokende": 7, "kontakt": 3, "annet": 1}
    )
    assert outcome == {"counted": 5, "phone_and_contact": 3, "other": 1, "not_counted_by_rule": 2}
    assert sum(outcome.values()) == 11


def test_a_category_that_was_not_documented_is_none_of_its_part():
    assert exported_by_outcome(counted=2, not_counted=1, documented_by_category={"oppsokende": 3}) == {
        "counted": 2,
        "phone_and_contact": 0,
        "other": 0,
        "not_counted_by_rule": 1,
    }


def test_a_full_result_is_accounted_for_as_recorded():
    account = row_account(RESULT)
    assert account.counted_by_category == {"oppsokende": 6, "samtalegruppe": 0, "aktivitetsgruppe": 0, "kurs": 3}
    assert list(account.counted_by_category) == list(COUNTING_CATEGORIES)
    assert (account.counted, account.not_counted, account.exported) == (9, 7, 16)
    assert (account.phone_and_contact, account.other, account.not_counted_by_rule) == (4, 2, 1)
    assert (account.rejected, account.unreadable, account.read) == (3, 1, 20)
    assert account.not_counted_parts() == [("phone_and_contact", 4), ("other", 2), ("not_counted_by_rule", 1)]


def test_categories_that_are_not_counting_ones_are_left_out_of_the_counted():
    account = row_account({"rows": {"exported": 2, "counted": 2}, "counted_by_category": {"kontakt": 5, "kurs": 2}})
    assert set(account.counted_by_category) == set(COUNTING_CATEGORIES)
    assert account.counted_by_category["kurs"] == 2 and "kontakt" not in account.counted_by_category


def test_a_result_with_documented_categories_but_no_breakdown_derives_the_breakdown():
    result = {
        "rows": {"read": 10, "exported": 10, "counted": 6, "not_counted": 4},
        "documented_by_category": {"oppsokende": 7, "kontakt": 2, "annet": 1},
    }
    account = row_account(result)
    assert account.not_counted_parts() == [("phone_and_contact", 2), ("other", 1), ("not_counted_by_rule", 1)]


def test_an_old_result_without_any_breakdown_knows_only_the_totals():
    account = row_account({"rows": {"exported": 12, "counted": 8, "rejected": 2, "unreadable": 1}})
    assert (account.phone_and_contact, account.other, account.not_counted_by_rule) == (None, None, None)
    assert account.not_counted_parts() == []
    assert account.not_counted == 4
    assert account.read == 15


def test_an_empty_result_is_an_account_of_nothing():
    account = row_account({})
    assert account.as_dict() == {
        "counted_by_category": dict.fromkeys(COUNTING_CATEGORIES, 0),
        "counted": 0,
        "phone_and_contact": None,
        "other": None,
        "not_counted_by_rule": None,
        "not_counted": 0,
        "exported": 0,
        "rejected": 0,
        "unreadable": 0,
        "read": 0,
    }


def test_the_account_as_a_dict_is_json_and_a_copy():
    account = row_account(RESULT)
    document = account.as_dict()
    assert json.loads(json.dumps(document)) == document
    assert document["not_counted_by_rule"] == 1 and document["read"] == 20
    document["counted_by_category"]["kurs"] = 0
    assert account.counted_by_category["kurs"] == 3


def test_recorded_reasons_are_ranked_most_common_first_then_by_name():
    result = {"deviations_by_reason": {"Ukjent kommune": 2, "Mangler likeperson": 5, "For kort": 2}}
    assert ranked_reasons(result) == [("Mangler likeperson", 5), ("For kort", 2), ("Ukjent kommune", 2)]
    assert ranked_reasons({}) == [] and ranked_reasons({"deviations_by_reason": None}) == []


def test_every_outcome_has_a_norwegian_label():
    assert set(NOT_COUNTED_PARTS) <= set(OUTCOME_LABELS)
    with translation.override("en"):
        english = {key: str(label) for key, label in OUTCOME_LABELS.items()}
    with translation.override("nb"):
        norwegian = {key: str(label) for key, label in OUTCOME_LABELS.items()}
    assert norwegian["counted"] == "Tellende"
    assert [key for key in OUTCOME_LABELS if norwegian[key] == english[key]] == []
