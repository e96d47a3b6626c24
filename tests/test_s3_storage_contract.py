"""Bundles in an S3-compatible bucket (Supabase Storage's S3 endpoint in production), through Django's storage API.

Supabase cannot be reached from here; moto's S3 server stands in for it on loopback, speaking the S3
protocol that Supabase Storage documents for its S3 endpoint, so the real boto3 client and the real
django-storages backend are exercised over HTTP.
"""
from __future__ import annotations

import datetime as dt
import socket

import boto3
import pytest
from django.urls import reverse
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from exports.container import services
from exports.domain import ExportFailure, ExportRequest, ExportSuccess, Period
from exports.services.export_storage import ExportStorage
from tests import factories
from tests.export_reading import open_bundle

pytestmark = pytest.mark.django_db
BUCKET = "bufdir-exports"
CREDENTIALS = {"access_key": "test-access-key", "secret_key": "test-secret-key", "region_name": "eu-north-1"}


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def s3_storage(endpoint: str, **options) -> S3Storage:
    """The production storage backend pointed at `endpoint`."""
    return S3Storage(bucket_name=BUCKET, endpoint_url=endpoint, addressing_style="path", default_acl=None,
                     file_overwrite=True, **CREDENTIALS, **options)


@pytest.fixture(scope="module")
def s3_endpoint():
    """An S3 server on loopback with the exports bucket."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=CREDENTIALS["access_key"],
                 aws_secret_access_key=CREDENTIALS["secret_key"],
                 region_name=CREDENTIALS["region_name"]).create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": CREDENTIALS["region_name"]})
    yield endpoint
    server.stop()


def run_export(org):
    """Run one export of 2025 for `org`."""
    audit = services().audits.create(organisation_id=org.pk, requested_by_id=None,
                                     requested_by_label="s3", period=Period.year(2025))
    return services().orchestrator.run(ExportRequest(audit.pk, org.pk, Period.year(2025), "s3"))


def test_bundles_are_stored_in_the_bucket_and_downloaded_through_the_member_only_view(s3_endpoint, client):
    org = factories.organisation()
    factories.activity(org, peer_mentor=factories.mentor(org),
                       started_at=dt.datetime(2025, 2, 3, 12, tzinfo=dt.UTC))
    with services().override(export_storage=ExportStorage(s3_storage(s3_endpoint), url_max_age=900)):
        result = run_export(org)
        assert isinstance(result, ExportSuccess)
        keys = [item["Key"] for item in boto3.client(
            "s3", endpoint_url=s3_endpoint, aws_access_key_id=CREDENTIALS["access_key"],
            aws_secret_access_key=CREDENTIALS["secret_key"], region_name=CREDENTIALS["region_name"],
        ).list_objects_v2(Bucket=BUCKET)["Contents"]]
        assert result.file_key in keys
        client.force_login(factories.member(org))
        response = client.get(services().storage.download_url(result.audit_id))
        assert response.status_code == 200
        assert open_bundle(b"".join(response.streaming_content)).manifest["rows"]["counted"] == 1
        assert client.get(reverse("exports:download", args=[result.audit_id])).status_code == 403


def test_an_unreachable_bucket_fails_the_export_with_a_plain_message():
    from botocore.config import Config

    org = factories.organisation()
    factories.activity(org, peer_mentor=factories.mentor(org))
    unreachable = s3_storage(f"http://127.0.0.1:{free_port()}",
                             client_config=Config(connect_timeout=1, retries={"max_attempts": 1}))
    with services().override(export_storage=ExportStorage(unreachable, url_max_age=900)):
        result = run_export(org)
    assert isinstance(result, ExportFailure)
    assert "lagringstjenesten svarte ikke" in result.error_message
