"""One builder of the activity records a source yields, with defaults any keyword overrides."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from exports.source.activities import ActivityRecord


def activity_record(**fields: Any) -> ActivityRecord:
    """A counted 60-minute home visit in Bergen by Kari Nordmann, certified in 2020, unless `fields` say otherwise.

    One participant, in Norway (municipality 4601), status "registered", on 2 June 2025 at 12:00 Oslo time; the
    activity and the peer mentor get fresh ids and the local branch none unless given.
    """
    values: dict[str, Any] = {
        "activity_type": "hjemmebesok",
        "started_at": dt.datetime(2025, 6, 2, 10, 0, tzinfo=dt.UTC),
        "duration_minutes": 60,
        "participant_count": 1,
        "country_code": "NO",
        "municipality_code": "4601",
        "description": None,
        "status": "registered",
        "peer_mentor_name": "Kari Nordmann",
        "peer_mentor_certified_on": dt.date(2020, 1, 1),
        "local_branch_name": "Bergen",
        "local_branch_county_code": "46",
        "local_branch_municipality_code": "4601",
        "local_branch_id": None,
    }
    values.update(fields)
    values.setdefault("id", uuid.uuid4())
    values.setdefault("peer_mentor_id", uuid.uuid4())
    return ActivityRecord(**values)
