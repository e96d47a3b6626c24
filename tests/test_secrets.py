"""No secret reaches a person: the keys are set to markers and searched for in pages, websocket frames and logs.

The logs are searched in both formats: the plain text and the JSON lines of LOG_FORMAT=json.

Three exports run with every secret set: one that succeeds with bundles in an S3 bucket (moto's server with
marker keys), one whose Supabase source cannot be reached with the marker service key, and one whose S3
endpoint cannot be reached. Every page a member or the system administrator sees, every frame the
websocket pushes, and every log record at the configured level is searched for each marker.
"""

from __future__ import annotations

import io
import json
import logging
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from botocore.config import Config
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import escape
from storages.backends.s3 import S3Storage

from exports.container import services
from exports.delivery.storage import ExportStorage
from exports.models import BufdirExportAudit
from exports.source.supabase_source import SupabaseActivitySource, supabase_client_factory
from operations.log_context import ExportContextFilter
from operations.log_format import JsonFormatter
from tests import factories
from tests.s3_server import BUCKET, REGION, free_port
from tests.sockets import page_socket

pytestmark = pytest.mark.django_db(transaction=True)

MARKERS = {
    name: f"MARKER-{name}-{uuid.uuid4().hex}"
    for name in (
        "DJANGO_SECRET_KEY",
        "SUPABASE_SERVICE_KEY",
        "EXPORT_S3_ACCESS_KEY_ID",
        "EXPORT_S3_SECRET_ACCESS_KEY",
    )
}
HTMX = {"HTTP_HX_REQUEST": "true"}


def marked_s3_storage(endpoint: str) -> ExportStorage:
    """The production S3 backend with the marker keys, at `endpoint`, trying once."""
    backend = S3Storage(
        bucket_name=BUCKET,
        endpoint_url=endpoint,
        region_name=REGION,
        addressing_style="path",
        default_acl=None,
        file_overwrite=True,
        access_key=MARKERS["EXPORT_S3_ACCESS_KEY_ID"],
        secret_key=MARKERS["EXPORT_S3_SECRET_ACCESS_KEY"],
        client_config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=2),
    )
    return ExportStorage(backend)


@pytest.fixture
def marked_settings(settings, s3_endpoint):
    """Every secret setting holds a marker; the bucket (moto, any keys work) is created for them."""
    import boto3

    settings.SECRET_KEY = MARKERS["DJANGO_SECRET_KEY"]
    settings.SUPABASE_URL = f"http://127.0.0.1:{free_port()}"
    settings.SUPABASE_SERVICE_KEY = MARKERS["SUPABASE_SERVICE_KEY"]
    exports_storage = {
        **settings.STORAGES["exports"],
        "OPTIONS": {
            "access_key": MARKERS["EXPORT_S3_ACCESS_KEY_ID"],
            "secret_key": MARKERS["EXPORT_S3_SECRET_ACCESS_KEY"],
        },
    }
    settings.STORAGES = {**settings.STORAGES, "exports": exports_storage}
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=MARKERS["EXPORT_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=MARKERS["EXPORT_S3_SECRET_ACCESS_KEY"],
    ).list_buckets()
    return settings


def unreachable_supabase(settings) -> SupabaseActivitySource:
    """The Supabase source with the marker service key, at an address where nothing listens."""
    return SupabaseActivitySource(supabase_client_factory(settings.SUPABASE_URL, key=settings.SUPABASE_SERVICE_KEY))


def export_and_collect(client, user) -> list[str]:
    """Start an export from the page while the user's websocket is open; every frame it received."""

    async def body() -> list[str]:
        communicator = page_socket(user, "nhf")
        connected, _ = await communicator.connect()
        assert connected
        await sync_to_async(client.post)(reverse("exports:start", args=["nhf"]), {"mode": "year", "year": 2025}, **HTMX)
        frames = []
        while not await communicator.receive_nothing(timeout=0.5):
            frames.append(await communicator.receive_from())
        await communicator.disconnect()
        return frames

    return async_to_sync(body)()


def pages_of(client, superuser_client) -> dict[str, str]:
    """Every page a member and the system administrator see about the exports."""
    audits = list(BufdirExportAudit.objects.all())
    responses = {
        path: client.get(path)
        for path in (reverse("exports:page", args=["nhf"]), reverse("exports:status", args=["nhf"]))
    }
    admin_paths = [reverse("admin:exports_bufdirexportaudit_changelist")]
    admin_paths += [reverse("admin:exports_bufdirexportaudit_change", args=[audit.pk]) for audit in audits]
    responses.update({path: superuser_client.get(path) for path in admin_paths})
    assert {path: response.status_code for path, response in responses.items()} == dict.fromkeys(responses, 200)
    return {path: response.content.decode() for path, response in responses.items()}


def leaks(texts: dict[str, str]) -> list[tuple[str, str]]:
    """(where, which marker) for every marker found in any text."""
    return [(where, name) for where, text in texts.items() for name, marker in MARKERS.items() if marker in text]


@pytest.mark.parametrize("scenario", ["succeeds in the bucket", "Supabase unreachable", "bucket unreachable"])
def test_no_secret_reaches_a_page_a_frame_or_a_log(marked_settings, s3_endpoint, client, sync_tasks, caplog, scenario):
    org = factories.organisation("nhf")
    factories.activity(org, peer_mentor=factories.mentor(org, factories.branch(org)))
    user = factories.member(org)
    client.force_login(user)
    superuser_client = type(client)()
    superuser_client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "pw-x-123"))
    fakes = {"export_storage": marked_s3_storage(s3_endpoint)}
    if scenario == "Supabase unreachable":
        fakes["activity_source"] = unreachable_supabase(marked_settings)
    if scenario == "bucket unreachable":
        fakes["export_storage"] = marked_s3_storage(f"http://127.0.0.1:{free_port()}")

    caplog.set_level(logging.getLevelName(logging.getLogger().getEffectiveLevel()))
    json_stream = io.StringIO()
    json_handler = logging.StreamHandler(json_stream)
    json_handler.setFormatter(JsonFormatter())
    json_handler.addFilter(ExportContextFilter())
    logging.getLogger().addHandler(json_handler)
    records_before = len(caplog.records)
    try:
        with services().override(**fakes):
            frames = export_and_collect(client, user)
            pages = pages_of(client, superuser_client)
    finally:
        logging.getLogger().removeHandler(json_handler)

    audit = BufdirExportAudit.objects.get()
    # What was searched holds the outcome: the download link, or the failure's message.
    shown = 'id="download-link"' if scenario == "succeeds in the bucket" else escape(audit.error_message)
    assert audit.status == ("succeeded" if scenario == "succeeds in the bucket" else "failed")
    assert shown and any(shown in frame for frame in frames) and shown in pages[reverse("exports:page", args=["nhf"])]
    logs = caplog.text  # formatted records, tracebacks included
    assert logs and (scenario == "succeeds in the bucket" or "Traceback" in logs)
    json_lines = [json.loads(line) for line in json_stream.getvalue().splitlines()]  # each line one object
    assert len(json_lines) == len(caplog.records) - records_before > 0
    assert scenario == "succeeds in the bucket" or any("exc_info" in line for line in json_lines)
    texts = {
        **pages,
        **{f"frame {n}": frame for n, frame in enumerate(frames)},
        "logs": logs,
        "JSON logs": json_stream.getvalue(),
    }
    assert leaks(texts) == []
