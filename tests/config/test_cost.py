"""The cost bound: a document's rows cost at most what `exports.config.cost` allows, refused on every saving path
otherwise.

The worst case is measured behaviourally (characters produced and peak traced memory per row against bounds
computed from the constants), never by wall time: speed is measured by scripts/cost_bound.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import tracemalloc
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from exports.config import cell_safety, cost
from exports.config.cost import CELL, MAX_ROW_TEXT, MAX_RULE_TEXT
from exports.config.plugins import ExportRulePlugin
from exports.config.schema import MAX_REASON_LENGTH
from exports.config.validation import compile_document, validate_document
from exports.config.versions import save_column_config
from exports.container import services
from exports.demo.configs import nhf_config
from exports.domain import Period
from exports.models import OrganisationColumnConfig
from exports.rules.column_mapper import BufdirColumnMapper
from exports.rules.summary import ExportSummary
from exports.workbook.forked import BATCH_CHARACTERS, ForkedWorkbookOpener, ForkedWorkbookWriter
from exports.workbook.plan import WorkbookFacts
from exports.workbook.writer import OpenpyxlWorkbookWriter
from tests import factories
from tests.cost_cases import costliest_config, row_budget_used, worst_record, worst_text

BYTES_PER_CHARACTER = 4
"""The most bytes Python keeps per character of a text (astral characters make a text four bytes a character)."""
AVVIK_TEXT = 6 * (CELL + 1)
"""The texts from the app an `Avvik` row holds: activity type, peer mentor, branch, county, municipality, reasons."""
ROW_MEMORY_BOUND = 2 * BYTES_PER_CHARACTER * (MAX_ROW_TEXT + MAX_RULE_TEXT + AVVIK_TEXT)
"""Peak traced memory of one row (mapped and written): two copies of everything a row can carry (about 6 MB)."""


def _nhf() -> dict:
    """A copy of NHF's document that a test may change (its rules are shared by the demo documents)."""
    return copy.deepcopy(nhf_config())


def _attack(columns: str = "not_counted_reason", reasons: int = 100) -> dict:
    """The attack run's documents: 200 columns of one whole-cell source, `reasons` rules of 1,000 characters."""
    document = _nhf()
    document["columns"] = [
        {"key": f"k{i}", "heading": f"K{i}", "source": columns, "format": "text"} for i in range(200)
    ]
    document["counting_rules"] = [
        {"id": f"r{i}", "require": "description == 'x'", "reason": f"{i} ".ljust(1_000, "x")} for i in range(reasons)
    ]
    return document


def test_the_costliest_accepted_document_is_accepted_and_one_more_whole_cell_is_refused():
    accepted = costliest_config()
    assert validate_document(accepted) == []
    assert row_budget_used(accepted) <= MAX_ROW_TEXT < row_budget_used(costliest_config(whole=16))
    assert cost.rule_text(accepted) == MAX_RULE_TEXT
    [error] = validate_document(costliest_config(whole=16))
    assert error.path == "$.columns" and "524\xa0272" in error.message and "«k0» (32\xa0767)" in error.message


@pytest.mark.parametrize(
    "document",
    [_attack(), _attack("description", reasons=0), _attack("peer_mentor_name", 0)],
    ids=["reasons", "description", "names"],
)
def test_the_attack_runs_documents_are_refused_in_norwegian(document):
    with _norwegian():
        errors = validate_document(document)
    assert errors and errors[0].path == "$.columns"
    assert "tegn" in errors[0].message and "for mye tid og minne" in errors[0].message


def test_too_long_reasons_and_actions_together_are_refused_in_norwegian():
    document = _nhf()
    document["counting_rules"] = [
        {"id": f"r{i}", "require": "has_peer_mentor", "reason": "x" * 1_000, "action": "y" * 1_000} for i in range(16)
    ]
    document["validations"] = []
    with _norwegian():
        [error] = validate_document(document)
    assert error.path == "$" and "32\xa0000" in error.message and "Korte ned" in error.message
    document["counting_rules"] = document["counting_rules"][:15]
    assert validate_document(document) == []


def test_a_rule_reason_or_action_has_a_length_limit():
    document = _nhf()
    document["counting_rules"][0]["action"] = "x" * 1_001
    assert [error.path for error in validate_document(document)] == ["$.counting_rules[0].action"]


@pytest.mark.django_db
def test_every_saving_path_refuses_an_over_budget_document(client):
    org = factories.organisation()
    document = costliest_config(whole=16)
    with pytest.raises(ValidationError, match="524"):
        save_column_config(organisation=org, document=document)
    with pytest.raises(ValidationError, match="524"):
        OrganisationColumnConfig(organisation=org, document=document, version=9).full_clean()
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-123")
    client.force_login(user)
    response = client.post(
        reverse("admin:exports_organisationcolumnconfig_add"),
        {"organisation": org.pk, "comment": "", "document": json.dumps(document)},
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert response.status_code == 200 and "$.columns" in response.content.decode()
    assert OrganisationColumnConfig.objects.filter(organisation=org).count() == 1


def test_the_column_bound_follows_sources_formats_and_expressions():
    document = _nhf()
    document["value_lists"] = {"koder": {"a": "x" * 150}}
    document["columns"] = [
        {"key": "a", "heading": "A", "source": "description", "format": "text"},
        {"key": "b", "heading": "B", "source": "activity_id", "format": "text"},
        {"key": "c", "heading": "C", "source": "description", "format": "boolean"},
        {"key": "d", "heading": "D", "expression": "label('koder', category)", "format": "text"},
        {"key": "e", "heading": "E", "expression": "'ab' + county_name(county_code)", "format": "text"},
        {"key": "f", "heading": "F", "expression": "len(description) if counts else 'abc'", "format": "text"},
        {"key": "g", "heading": "G", "source": "description", "format": "integer"},
    ]
    compiled = compile_document(document)
    widths = cost.row_text(document, expressions=[column.expression for column in compiled.columns])
    assert widths == [CELL, 36, 3, 150, CELL, cost.SHORT, cost.INTEGER_DIGITS]


def test_every_field_has_a_bound_and_the_short_ones_hold():
    from exports.config.row_variables import COLUMN_VARIABLES
    from exports.regulation import CATEGORY_LABELS

    assert set(cost.FIELD_TEXT) == COLUMN_VARIABLES
    with _norwegian():
        assert max(len(str(label)) for label in CATEGORY_LABELS.values()) <= cost.CATEGORY
    assert max(len(str(label)) for label in CATEGORY_LABELS.values()) <= cost.CATEGORY


def test_the_worst_row_under_the_costliest_document_stays_within_the_bound_in_text_and_memory(tmp_path):
    document = costliest_config()
    compiled = compile_document(document)
    widths = cost.row_text(document, expressions=[column.expression for column in compiled.columns])
    mapper, record, summary = BufdirColumnMapper(), worst_record(), ExportSummary()
    writer = OpenpyxlWorkbookWriter(tmp_path / "worst.xlsx", compiled)
    peaks = []
    tracemalloc.start()
    try:
        for _ in range(3):
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            row = mapper.map_or_flag(record, config=compiled)
            summary.add(row)
            writer.add(row)
            peaks.append(tracemalloc.get_traced_memory()[1] - before)
    finally:
        tracemalloc.stop()
    assert row.is_deviation and len(row.findings) > 200  # every rule failed, every long column noted
    written = cell_safety.sheet_row(row.values)
    text = [len(value) for value in written if isinstance(value, str)]
    assert sum(text) <= sum(widths) <= MAX_ROW_TEXT and max(text) <= CELL
    assert sum(text) > 10 * CELL  # the row really is at the limit: the bound is measured, not assumed
    variables = [value for value in row.values if isinstance(value, str)]
    assert all(len(value) <= CELL for value in variables)
    assert max(peaks) <= ROW_MEMORY_BOUND, (max(peaks), ROW_MEMORY_BOUND)
    assert max(peaks) > MAX_ROW_TEXT  # the row's texts were really held: the measurement can fail
    writer.close(_facts(), totals=summary)
    assert Path(tmp_path / "worst.xlsx").stat().st_size > 0


class ManyReasons(ExportRulePlugin):
    """A plugin with 100 long reasons and data problems: more than a cell, and each longer than a rule's reason."""

    def reasons_not_counted(self, row):
        return [f"{i} ".ljust(2_000, "x") for i in range(100)]

    def data_issues(self, row):
        return [f"d{i} ".ljust(2_000, "y") for i in range(100)]


def test_generated_reasons_are_bounded_before_they_reach_a_cell_or_an_expression():
    document = _nhf()
    document["columns"] = [
        {"key": "a", "heading": "A", "source": "not_counted_reason", "format": "text"},
        {"key": "b", "heading": "B", "source": "data_issues", "format": "text"},
        {"key": "c", "heading": "C", "expression": "len(not_counted_reason)", "format": "integer"},
    ]
    row = BufdirColumnMapper().map(worst_record(), config=compile_document(document), plugins=[ManyReasons()])
    reason, issues, length = row.values
    assert CELL - 1 <= cell_safety.utf16_length(reason) <= CELL and reason.endswith(cell_safety.TRUNCATION_MARK)
    assert len(issues) == CELL
    assert length == CELL + 1  # the expression saw the text cut just past a cell, not 200,000 characters
    assert max(len(finding.text) for finding in row.findings) <= MAX_REASON_LENGTH


@pytest.mark.django_db
def test_the_trial_of_the_costliest_document_on_rows_at_the_limit_is_bounded_in_memory():
    org = factories.organisation()
    local = factories.branch(org, name=worst_text("branch"))
    mentor = factories.mentor(org, local, name=worst_text("mentor"))
    for day in (1, 2):
        factories.activity(
            org,
            peer_mentor=mentor,
            local_branch=local,
            description=worst_text("description"),
            municipality_code=worst_text("municipality"),
            started_at=dt.datetime(2025, 3, day, 10, tzinfo=dt.UTC),
        )
    draft = save_column_config(organisation=org, document=costliest_config())
    tracemalloc.start()
    try:
        result = (
            services().get("config_trial").run(config=draft, period=Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert {line.label: line.tried for line in result.figures.totals}["Rader i Avvik"] == 2
    assert peak <= 2 * ROW_MEMORY_BOUND, (peak, ROW_MEMORY_BOUND)


@pytest.mark.django_db
def test_the_writer_process_sends_rows_of_long_texts_in_small_batches(tmp_path, monkeypatch):
    compiled = compile_document(costliest_config())
    sent: list[int] = []
    original = ForkedWorkbookWriter._send

    def recording(self, message):
        if message[0] == "rows":
            sent.append(len(message[1]))
        original(self, message)

    monkeypatch.setattr(ForkedWorkbookWriter, "_send", recording)
    writer = ForkedWorkbookOpener().open(tmp_path / "batches.xlsx", config=compiled)
    mapper, record = BufdirColumnMapper(), worst_record()
    row = mapper.map_or_flag(record, config=compiled)
    try:
        for _ in range(12):
            writer.add(row)
    finally:
        writer.discard()
    carried = sum(len(value) for value in row.values if isinstance(value, str))
    assert sent and max(sent) <= BATCH_CHARACTERS // carried + 1 < 12


def test_cleaning_is_the_per_character_rule_it_replaced():
    def reference(text: str) -> str:
        text = cell_safety.REFUSED_CHARACTERS.sub("", text)
        units = len(text) + sum(1 for character in text if ord(character) > 0xFFFF)
        if units <= CELL:
            return text
        cut = text[: CELL - 1]
        while (excess := len(cut) + sum(1 for c in cut if ord(c) > 0xFFFF) - (CELL - 1)) > 0:
            cut = cut[: len(cut) - max(1, excess // 2)]
        return cut + cell_safety.TRUNCATION_MARK

    alphabet = ["x", "ø", "\U0001f600", "\x00", "\ud800", "\udfff", "\ufffe", "\n", "\t", "\x1f", "\x7f", "\U0010ffff"]
    generator = random.Random(15)
    for _ in range(150):
        letters = generator.sample(alphabet, generator.randint(1, len(alphabet)))
        text = "x" * generator.choice([0, 32_760]) + "".join(
            generator.choices(letters, k=generator.choice([3, 100, 16_400, 32_767, 32_768, 40_000]))
        )
        assert cell_safety.clean_text(text).value == reference(text), letters
        assert cell_safety.utf16_length(text) == len(text.encode("utf-16-le", "surrogatepass")) // 2


def test_a_bounded_join_is_the_join_cut_just_past_a_cell():
    texts = [f"{i} ".ljust(1_000, "x") for i in range(100)]
    joined = cell_safety.bounded_join("; ", iter(texts))
    assert joined == "; ".join(texts)[: CELL + 1]
    assert cell_safety.bounded_join("; ", ["a", "b"]) == "a; b" and cell_safety.bounded_join("; ", []) == ""


def _facts() -> WorkbookFacts:
    """Facts for closing a workbook in a test."""
    return WorkbookFacts(
        organisation_name="Kostnad",
        org_number="000000000",
        period_from=dt.date(2025, 1, 1),
        period_to=dt.date(2025, 12, 31),
        config_version=1,
        template_name="kostnad",
        generated_at=dt.datetime(2026, 1, 1, 12),
    )


def _norwegian():
    """Django's translations in Norwegian for a block."""
    from django.utils import translation

    return translation.override("nb")
