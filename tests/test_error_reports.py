"""Django's DEBUG error page shows no secret: not in settings, not in request.META, not in frame variables."""

from __future__ import annotations

import sys

import pytest
from django.test import RequestFactory
from django.views.debug import SafeExceptionReporterFilter, technical_500_response

from exports.error_reports import SecretMaskingFilter

SECRETS = {
    "REDIS_URL": "redis://:redis-pass-4711@redis.internal:6379/0",
    "DATABASE_URL": "postgres://bufdir:db-pass-4711@db.internal:5432/bufdir",
    "SUPABASE_SERVICE_KEY": "supabase-service-key-4711",
    "EXPORT_S3_SECRET_ACCESS_KEY": "s3-secret-key-4711",
}
AUTHORIZATION = "Bearer bearer-token-4711"
PASSWORD = SECRETS["DATABASE_URL"].split(":")[2].split("@")[0]
MARKERS = [
    "redis-pass-4711",
    "db-pass-4711",
    "supabase-service-key-4711",
    "s3-secret-key-4711",
    "query-token-4711",
    "bearer-token-4711",
]


@pytest.fixture
def secret_settings(settings):
    settings.DEBUG = True
    settings.REDIS_URL = SECRETS["REDIS_URL"]
    settings.DATABASE_URL = SECRETS["DATABASE_URL"]
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [SECRETS["REDIS_URL"]]}}
    }
    settings.Q_CLUSTER = {"name": "bufdir", "redis": SECRETS["REDIS_URL"]}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": ("redis://user:redis-pass-4711@cache:6379",),
        }
    }
    settings.SUPABASE_SERVICE_KEY = SECRETS["SUPABASE_SERVICE_KEY"]
    settings.SUPABASE_URL = "https://x.supabase.co/rest/v1?apikey=query-token-4711"
    settings.EXPORT_STORAGE = {"OPTIONS": {"secret_key": SECRETS["EXPORT_S3_SECRET_ACCESS_KEY"]}}
    return settings


def _error_page(reporter_filter=None) -> str:
    """The technical 500 page of an error raised where a local variable holds a secret URL."""
    request = RequestFactory().get("/boom", HTTP_AUTHORIZATION=AUTHORIZATION, **dict(SECRETS))
    if reporter_filter is not None:
        request.exception_reporter_filter = reporter_filter
    connection = {"url": SECRETS["DATABASE_URL"], "password": PASSWORD}  # noqa: F841 - shown in the frame
    redis_url = SECRETS["REDIS_URL"]  # noqa: F841 - shown in the frame
    try:
        raise RuntimeError("the worker could not connect")
    except RuntimeError:
        return technical_500_response(request, *sys.exc_info()).content.decode()


def test_the_debug_page_masks_every_secret(secret_settings):
    page = _error_page()
    assert "the worker could not connect" in page and "redis.internal" in page
    for marker in MARKERS:
        assert marker not in page, marker


def test_django_alone_would_have_shown_them(secret_settings):
    page = _error_page(SafeExceptionReporterFilter())
    assert "redis-pass-4711" in page


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("redis://:pw-1@h:6379/0", "redis://:********************@h:6379/0"),
        ("postgres://u:pw-1@h/db", "postgres://u:********************@h/db"),
        ("https://h/x?token=pw-1&a=b", "https://h/x?token=********************&a=b"),
        ("no secret here", "no secret here"),
    ],
)
def test_urls_are_masked(text, masked):
    assert SecretMaskingFilter().mask_text(text) == masked
