"""One typed result of an export: what a succeeded export records, and the status questions asked of its audit."""

from __future__ import annotations

import pytest

from exports.domain import RESULT_SCHEMA_VERSION, Period
from exports.models import BufdirExportAudit, ExportStatus
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_succeeded_export_records_its_facts_with_their_schema_version(run_export):
    org = factories.organisation()
    local = factories.branch(org)
    factories.activity(org, peer_mentor=factories.mentor(org, local), local_branch=local)
    audit = run_export(org, Period.year(2025)).audit
    facts = audit.facts
    assert facts is not None and facts["schema_version"] == RESULT_SCHEMA_VERSION
    assert facts["rows"]["read"] == facts["rows"]["exported"] == 1
    assert audit.has_file


def test_no_facts_and_no_file_unless_the_export_succeeded_with_one():
    org = factories.organisation()
    audit = BufdirExportAudit(organisation=org, status=ExportStatus.FAILED, result={"rows": {"read": 3}}, file_key="x")
    assert audit.facts is None and not audit.has_file
    audit.status = ExportStatus.SUCCEEDED
    assert audit.facts == {"rows": {"read": 3}} and audit.has_file
    audit.file_key = ""
    assert not audit.has_file
    audit.result = {}
    assert audit.facts is None
