"""ExportStorage: bundles under `<slug>/<audit>/<name>` in any Django storage; DownloadLinks: expiring tokens."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import FileSystemStorage, InMemoryStorage
from django.urls import reverse

from exports.delivery.download_links import DownloadLinks, LinkVerdict
from exports.delivery.storage import ExportStorage
from exports.presentation import download_url

LINKS = DownloadLinks(max_age=900)


@pytest.fixture(params=["filesystem", "memory"])
def storage(request, tmp_path) -> ExportStorage:
    """The service over a folder and over Django's in-memory storage: it needs only the storage API."""
    backend = FileSystemStorage(location=tmp_path / "exports") if request.param == "filesystem" else InMemoryStorage()
    return ExportStorage(backend)


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
    key = storage.save("nhf", audit_id=41, bundle=bundle)
    assert key == "nhf/41/bufdir-nhf-2025.zip"
    with storage.open(key) as handle:
        assert handle.read() == b"PK first version"


def test_storing_the_same_audit_again_replaces_the_bundle_under_the_same_key(storage, bundle):
    first = storage.save("nhf", audit_id=41, bundle=bundle)
    bundle.write_bytes(b"PK second version")
    assert storage.save("nhf", audit_id=41, bundle=bundle) == first
    with storage.open(first) as handle:
        assert handle.read() == b"PK second version"


def test_audits_and_organisations_do_not_share_keys(storage, bundle):
    keys = {
        storage.save("nhf", audit_id=1, bundle=bundle),
        storage.save("nhf", audit_id=2, bundle=bundle),
        storage.save("hlf", audit_id=1, bundle=bundle),
    }
    assert keys == {"nhf/1/bufdir-nhf-2025.zip", "nhf/2/bufdir-nhf-2025.zip", "hlf/1/bufdir-nhf-2025.zip"}


def test_opening_a_missing_bundle_raises(storage):
    with pytest.raises(FileNotFoundError):
        storage.open("nhf/404/missing.zip")


@pytest.mark.django_db
def test_a_download_url_points_at_the_member_only_view_with_a_token_for_its_audit():
    url = download_url(41)
    assert urlsplit(url).path == reverse("exports:download", args=[41])
    token = token_of(url)
    assert LINKS.check(41, token=token) == LinkVerdict.VALID
    assert LINKS.check(42, token=token) == LinkVerdict.OTHER_EXPORT


@pytest.mark.parametrize("token", ["", "forged", "eyJhdWRpdCI6NDF9:1abc:def"])
def test_forged_tokens_are_refused(token):
    assert LINKS.check(41, token=token) == LinkVerdict.TAMPERED


def test_a_token_signed_with_another_key_is_refused(settings):
    token = LINKS.token(41)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert LINKS.check(41, token=token) == LinkVerdict.TAMPERED


def test_a_token_expires_after_the_max_age(monkeypatch):
    token = LINKS.token(41)
    issued = time.time()
    monkeypatch.setattr(time, "time", lambda: issued + 899)
    assert LINKS.check(41, token=token) == LinkVerdict.VALID
    monkeypatch.setattr(time, "time", lambda: issued + 902)
    assert LINKS.check(41, token=token) == LinkVerdict.EXPIRED


def test_a_write_that_fails_leaves_nothing_behind(tmp_path, bundle):
    class FailingMidWrite(FileSystemStorage):
        def _save(self, name, content):
            (tmp_path / "exports" / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / "exports" / name).write_bytes(b"PK half")
            raise OSError(28, "No space left on device")

    storage = ExportStorage(FailingMidWrite(location=tmp_path / "exports"))
    with pytest.raises(OSError, match="No space left"):
        storage.save("nhf", audit_id=41, bundle=bundle)
    assert not (tmp_path / "exports" / "nhf" / "41" / "bufdir-nhf-2025.zip").exists()
