"""ExportStorage: bundles under `<slug>/<audit>/<name>` in any Django storage, and expiring download tokens."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import FileSystemStorage, InMemoryStorage
from django.urls import reverse

from exports.services.export_storage import ExportStorage


@pytest.fixture(params=["filesystem", "memory"])
def storage(request, tmp_path) -> ExportStorage:
    """The service over a folder and over Django's in-memory storage: it needs only the storage API."""
    backend = FileSystemStorage(location=tmp_path / "exports") if request.param == "filesystem" else InMemoryStorage()
    return ExportStorage(backend, url_max_age=900)


@pytest.fixture
def bundle(tmp_path):
    """A bundle file on local disk."""
    path = tmp_path / "bufdir-nhf-2025.zip"
    path.write_bytes(b"PK first version")
    return path


def token_of(url: str) -> str:
    """The token query parameter of a download URL."""
    return parse_qs(urlsplit(url).query)["token"][0]


def test_a_bundle_is_stored_under_the_organisation_and_audit_and_read_back(storage, bundle):
    key = storage.save("nhf", 41, bundle)
    assert key == "nhf/41/bufdir-nhf-2025.zip"
    with storage.open(key) as handle:
        assert handle.read() == b"PK first version"


def test_storing_the_same_audit_again_replaces_the_bundle_under_the_same_key(storage, bundle):
    first = storage.save("nhf", 41, bundle)
    bundle.write_bytes(b"PK second version")
    assert storage.save("nhf", 41, bundle) == first
    with storage.open(first) as handle:
        assert handle.read() == b"PK second version"


def test_audits_and_organisations_do_not_share_keys(storage, bundle):
    keys = {storage.save("nhf", 1, bundle), storage.save("nhf", 2, bundle), storage.save("hlf", 1, bundle)}
    assert keys == {"nhf/1/bufdir-nhf-2025.zip", "nhf/2/bufdir-nhf-2025.zip", "hlf/1/bufdir-nhf-2025.zip"}


def test_opening_a_missing_bundle_raises(storage):
    with pytest.raises(FileNotFoundError):
        storage.open("nhf/404/missing.zip")


def test_a_download_url_points_at_the_member_only_view_with_a_token_for_its_audit(storage):
    url = storage.download_url(41)
    assert urlsplit(url).path == reverse("exports:download", args=[41])
    token = token_of(url)
    assert storage.token_is_valid(41, token)
    assert not storage.token_is_valid(42, token)


@pytest.mark.parametrize("token", ["", "forged", "eyJhdWRpdCI6NDF9:1abc:def"])
def test_forged_tokens_are_refused(storage, token):
    assert not storage.token_is_valid(41, token)


def test_a_token_signed_with_another_key_is_refused(storage, settings):
    token = token_of(storage.download_url(41))
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert not storage.token_is_valid(41, token)


def test_a_token_expires_after_the_max_age(storage, monkeypatch):
    token = token_of(storage.download_url(41))
    issued = time.time()
    monkeypatch.setattr(time, "time", lambda: issued + 899)
    assert storage.token_is_valid(41, token)
    monkeypatch.setattr(time, "time", lambda: issued + 902)
    assert not storage.token_is_valid(41, token)
