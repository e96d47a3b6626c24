"""Small builders of test data in the app's tables."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.contrib.auth import get_user_model

from exports.config.versions import save_column_config
from exports.demo.configs import nhf_config
from exports.models import (
    Activity,
    LocalBranch,
    Membership,
    Organisation,
    PeerMentor,
)

_numbers = itertools.count(1)


def organisation(slug: str = "nhf", **fields: Any) -> Organisation:
    """An organisation with an active NHF-style configuration."""
    org = Organisation.objects.create(
        slug=slug, name=fields.pop("name", f"Org {slug}"), org_number=fields.pop("org_number", "938477566"), **fields
    )
    save_column_config(organisation=org, document=nhf_config(), active=True)
    return org


def branch(org: Organisation, name: str = "Bergen", county: str = "46", municipality: str = "4601") -> LocalBranch:
    """A local branch."""
    return LocalBranch.objects.create(organisation=org, name=name, county_code=county, municipality_code=municipality)


def mentor(
    org: Organisation,
    local_branch: LocalBranch | None = None,
    certified_on: dt.date | None = dt.date(2020, 1, 1),
    name: str | None = None,
) -> PeerMentor:
    """A peer mentor, certified since 2020 unless told otherwise."""
    return PeerMentor.objects.create(
        organisation=org,
        local_branch=local_branch,
        full_name=name or f"Likeperson {next(_numbers)}",
        certified_on=certified_on,
    )


def activity(org: Organisation, **fields: Any) -> Activity:
    """An activity that counts as outreach unless the fields say otherwise."""
    values: dict[str, Any] = {
        "activity_type": "hjemmebesok",
        "started_at": dt.datetime(2025, 6, 2, 10, 0, tzinfo=dt.UTC),
        "duration_minutes": 60,
        "participant_count": 1,
        "country_code": "NO",
        "municipality_code": "4601",
        "status": "registered",
    }
    values.update(fields)
    return Activity.objects.create(organisation=org, **values)


def member(org: Organisation, role: str = Membership.Role.ADMINISTRATOR, username: str | None = None):
    """A user with a membership of `org`."""
    user = get_user_model().objects.create_user(username or f"user{next(_numbers)}", password="pw-for-tests-123")
    Membership.objects.create(user=user, organisation=org, role=role)
    return user
