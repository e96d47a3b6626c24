"""seed_demo is safe to run against a database that matters: --if-empty, refusal, no password changes."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from exports.models import Activity, Organisation, OrganisationColumnConfig
from tests import factories

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    """Run seed_demo with few activities and return what it printed."""
    out = io.StringIO()
    call_command("seed_demo", "--activities", "200", *args, stdout=out)
    return out.getvalue()


def test_if_empty_seeds_a_fresh_database_once_and_keeps_what_was_changed_since():
    seed("--if-empty")
    assert Organisation.objects.filter(slug="nhf").exists()
    config = OrganisationColumnConfig.objects.get(organisation__slug="nhf", is_active=True)
    OrganisationColumnConfig.objects.filter(pk=config.pk).update(comment="edited in the admin")
    activities = Activity.objects.count()

    assert "not seeding" in seed("--if-empty")

    assert OrganisationColumnConfig.objects.get(pk=config.pk).comment == "edited in the admin"
    assert Activity.objects.count() == activities


def test_a_database_with_other_data_is_refused_unless_forced():
    factories.organisation("real-org")
    with pytest.raises(CommandError, match="real-org"):
        seed()
    assert not Organisation.objects.filter(slug="nhf").exists()
    seed("--force")
    assert Organisation.objects.filter(slug="nhf").exists()
    assert Organisation.objects.filter(slug="real-org").exists()


def test_an_existing_users_password_is_never_changed():
    users = get_user_model()
    users.objects.create_superuser("sysadmin", password="the-operators-own-secret")
    seed()
    admin = users.objects.get(username="sysadmin")
    assert admin.check_password("the-operators-own-secret")
    assert not admin.check_password("demo-passord-2026")
    assert users.objects.get(username="nhf-admin").check_password("demo-passord-2026")


def test_if_empty_leaves_a_database_with_only_users_alone():
    get_user_model().objects.create_user("someone", password="pw-123456789")
    assert "not seeding" in seed("--if-empty")
    assert not Organisation.objects.exists()
