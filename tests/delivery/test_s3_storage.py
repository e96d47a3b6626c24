"""Bundles in an S3-compatible bucket (Supabase Storage's S3 endpoint in production), through Django's storage API.

Supabase cannot be reached from here; moto's S3 server stands in for it on loopback, speaking the S3
protocol that Supabase Storage documents for its S3 endpoint, so the real boto3 client and the real
django-storages backend are exercised over HTTP.
"""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from django.urls import reverse
from storages.backends.s3 import S3Storage

from exports.container import services
from exports.delivery.storage import ExportStorage
from exports.domain import ExportFailure, ExportSuccess
from exports.presentation import download_url
from tests import factories
from tests.export_reading import open_bundle
from tests.s3_server import BUCKET, CREDENTIALS, free_port

pytestmark = pytest.mark.django_db


def s3_storage(endpoint: str, **options) -> S3Storage:
    """The production storage backend pointed at `endpoint`."""
    return S3Storage(
        bucket_name=BUCKET,
        endpoint_url=endpoint,
        addressing_style="path",
        default_acl=None,
        file_overwrite=True,
        **CREDENTIALS,
        **options,
    )


def test_bundles_are_stored_in_the_bucket_and_downloaded_through_the_member_only_view(s3_endpoint, client, run_export):
    org = factories.organisation()
    factories.activity(org, peer_mentor=factories.mentor(org), started_at=dt.datetime(2025, 2, 3, 12, tzinfo=dt.UTC))
    with services().override(export_storage=ExportStorage(s3_storage(s3_endpoint))):
        result = run_export(org).result
        assert isinstance(result, ExportSuccess)
        keys = [
            item["Key"]
            for item in boto3.client(
                "s3",
                endpoint_url=s3_endpoint,
                aws_access_key_id=CREDENTIALS["access_key"],
                aws_secret_access_key=CREDENTIALS["secret_key"],
                region_name=CREDENTIALS["region_name"],
            ).list_objects_v2(Bucket=BUCKET)["Contents"]
        ]
        assert result.file_key in keys
        client.force_login(factories.member(org))
        response = client.get(download_url(result.audit_id))
        assert response.status_code == 200
        assert open_bundle(b"".join(response.streaming_content)).manifest["rows"]["counted"] == 1
        assert client.get(reverse("exports:download", args=[result.audit_id])).status_code == 403


def test_an_unreachable_bucket_fails_the_export_with_a_plain_message(run_export):
    from botocore.config import Config

    org = factories.organisation()
    factories.activity(org, peer_mentor=factories.mentor(org))
    unreachable = s3_storage(
        f"http://127.0.0.1:{free_port()}", client_config=Config(connect_timeout=1, retries={"max_attempts": 1})
    )
    with services().override(export_storage=ExportStorage(unreachable)):
        result = run_export(org).result
    assert isinstance(result, ExportFailure)
    assert "lagringstjenesten svarte ikke" in result.error_message
