"""Start a configuration trial from the admin's trial page and read the page once its task has run."""

from __future__ import annotations

from typing import Any

from django.test import Client, TestCase
from django.urls import reverse

from exports.models import OrganisationColumnConfig


def trial_url(config: OrganisationColumnConfig) -> str:
    """The version's trial page."""
    return reverse("admin:exports_organisationcolumnconfig_try", args=[config.pk])


def try_version(client: Client, config: OrganisationColumnConfig, data: dict[str, Any]) -> Any:
    """POST the period (queuing the task, run inline under `sync_tasks` when the request commits); the page after.

    The POST answers with a redirect to the trial page, which is returned as it reads after the task.
    """
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = client.post(trial_url(config), data)
    assert started.status_code == 302, started
    assert started["Location"] == trial_url(config)
    return client.get(trial_url(config))
