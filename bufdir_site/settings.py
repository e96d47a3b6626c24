"""Settings of the Bufdir export service, read from environment variables.

With no variables set, the service runs on the embedded default: SQLite, django-q2's
ORM broker, a SQLite channel layer shared between processes and local files. Setting
DATABASE_URL (PostgreSQL) and REDIS_URL switches to the production topology.
"""

import importlib.util
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from bufdir_site.env import env_bool, env_int, env_list, env_str
from bufdir_site.export_options import ExportOptions
from bufdir_site.paths import database_url, var_dir
from bufdir_site.private_files import FILE_MODE, FOLDER_MODE, private_file
from bufdir_site.secret import local_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = var_dir()

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY_IS_GENERATED = not env_str("DJANGO_SECRET_KEY", "")  # exports.checks refuses it in production
# The production topology (a database server, or Redis) runs several processes and hosts that must sign
# sessions and download links with one key: a key generated per host is refused at start unless DEBUG is on.
PRODUCTION_TOPOLOGY = bool(env_str("REDIS_URL", "")) or not env_str("DATABASE_URL", "sqlite://").startswith("sqlite")
if PRODUCTION_TOPOLOGY and SECRET_KEY_IS_GENERATED and not DEBUG:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set: the production topology (DATABASE_URL to a database "
        "server, or REDIS_URL) needs the same secret key on every web server and worker."
    )
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "") or local_secret_key(VAR_DIR / "secret_key")
DEFAULT_EXCEPTION_REPORTER_FILTER = "exports.error_reports.SecretMaskingFilter"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "channels_lite",
    "django_q",
    "django_htmx",
    "axes",
    "exports",
    "api",
    "notices",
    "operations",
]


def _package_dir(name: str) -> Path:
    """An installed package's folder, found without importing the package."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ImproperlyConfigured(f"the package {name} is not installed")
    return Path(spec.origin).parent


# django-ninja is kept out of INSTALLED_APPS: as an app it imports itself and pydantic into every process
# (about 15 MiB in each worker and export). The API's docs page (api.docs) renders ninja's bundled Swagger UI
# from the package's own templates and static files instead.
NINJA_DIR = _package_dir("ninja")
# Daphne's app only gives `runserver` its ASGI server; importing it installs Twisted (about 27 MiB per
# process), so the worker, an export in the foreground and the other commands go without it. `manage.py
# runserver` sets BUFDIR_DEV_SERVER for its own process.
if env_bool("BUFDIR_DEV_SERVER", False):
    INSTALLED_APPS.insert(0, "daphne")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so that an error of any middleware after it is answered in the API's JSON shape under /api/.
    "api.middleware.ApiErrorShapeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]
# Failed logins are throttled by django-axes (in the database, so every web server of the production
# topology counts the same attempts): after AXES_FAILURE_LIMIT failures for one username from one address,
# that pair is locked out for AXES_COOLOFF_MINUTES.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

ROOT_URLCONF = "bufdir_site.urls"
WSGI_APPLICATION = "bufdir_site.wsgi.application"
ASGI_APPLICATION = "bufdir_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates", NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
}


def _database(url: str) -> dict[str, Any]:
    """Build one DATABASES entry from a URL, with the SQLite options that multi-process use needs."""
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0)))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
        if config["NAME"] and config["NAME"] != ":memory:":
            private_file(Path(config["NAME"]))  # SQLite gives its -wal and -shm files the same mode
    return config


DATABASES = {"default": _database(database_url())}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    # redis-py 8 reads with a 5 s socket timeout by default, no longer than channels_redis's blocking BZPOPMIN
    # (5 s): an idle page's socket then died with a TimeoutError (close 1011). Reads now outwait the pop.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}]},
        }
    }
else:
    DATABASES["channels"] = _database(f"sqlite:///{VAR_DIR / 'channels.sqlite3'}")
    # Progress is best effort: a locked channel database must not hold an export up for long.
    DATABASES["channels"]["OPTIONS"].update(
        timeout=5, init_command=str(SQLITE_OPTIONS["init_command"]).replace("busy_timeout=30000", "busy_timeout=5000")
    )
    DATABASE_ROUTERS = ["bufdir_site.routers.ChannelLayerDatabaseRouter"]
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "exports.channel_layer.ResilientSQLiteChannelLayer",
            "CONFIG": {"database": "channels", "expiry": 60, "polling_interval": 0.05},
        }
    }

Q_CLUSTER = {
    "name": env_str("Q_CLUSTER_NAME", "bufdir"),
    "workers": env_int("Q_WORKERS", 2),
    "timeout": env_int("EXPORT_TIMEOUT_SECONDS", 1800),
    "retry": env_int("EXPORT_TIMEOUT_SECONDS", 1800) + 60,
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "poll": 0.5,
    "label": "Django Q2",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
Q_CLUSTER["sync"] = env_bool("Q_SYNC", False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "exports:index"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env_str("DJANGO_LANGUAGE_CODE", "nb")
LANGUAGES = [("nb", "Norsk bokmål"), ("en", "English")]
# The project's catalogue first (it wins), then the hand-kept one for the text of Django, django-axes and
# django-q2 that their own Norwegian catalogues lack (makemessages leaves that one alone).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_third_party"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static", NINJA_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(VAR_DIR / "static")))

EXPORT_STORAGE_DIR = Path(env_str("EXPORT_STORAGE_DIR", str(VAR_DIR / "exports")))
FILE_UPLOAD_PERMISSIONS = FILE_MODE  # bundles saved by FileSystemStorage
FILE_UPLOAD_DIRECTORY_PERMISSIONS = FOLDER_MODE
EXPORT_S3_BUCKET = env_str("EXPORT_S3_BUCKET", "")
if EXPORT_S3_BUCKET:
    # An S3-compatible bucket, such as Supabase Storage's S3 endpoint (https://<ref>.supabase.co/storage/v1/s3).
    EXPORT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": EXPORT_S3_BUCKET,
            "endpoint_url": env_str("EXPORT_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("EXPORT_S3_REGION", "") or None,
            "access_key": env_str("EXPORT_S3_ACCESS_KEY_ID", ""),
            "secret_key": env_str("EXPORT_S3_SECRET_ACCESS_KEY", ""),
            "addressing_style": "path",
            "default_acl": None,
            "file_overwrite": True,
            "querystring_auth": True,
        },
    }
else:
    EXPORT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(EXPORT_STORAGE_DIR), "base_url": None},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "exports": EXPORT_STORAGE,
}

SUPABASE_URL = env_str("SUPABASE_URL", "")
SUPABASE_SERVICE_KEY = env_str("SUPABASE_SERVICE_KEY", "")

BUFDIR_EXPORT: ExportOptions = {
    "ACTIVITY_SOURCE": env_str("EXPORT_ACTIVITY_SOURCE", "supabase" if SUPABASE_URL else "local"),
    "DOWNLOAD_URL_MAX_AGE": env_int("EXPORT_DOWNLOAD_URL_MAX_AGE", 15 * 60),
    "CHUNK_SIZE": env_int("EXPORT_CHUNK_SIZE", 2000),
    "PROGRESS_INTERVAL_SECONDS": float(env_str("EXPORT_PROGRESS_INTERVAL_SECONDS", "0.25")),
    "WRITER_PROCESS": env_bool("EXPORT_WRITER_PROCESS", hasattr(os, "fork")),
    # An export whose worker died, or that no worker took, is failed within this many seconds.
    "LOST_AFTER_SECONDS": env_int("EXPORT_LOST_AFTER_SECONDS", 60),
    # A running export that is alive but has not moved on (rows or a phase) for this long is failed as stuck.
    "STUCK_AFTER_SECONDS": env_int("EXPORT_STUCK_AFTER_SECONDS", 30 * 60),
    # Each export's temporary files go in a folder of its own under this one, removed when the export ends.
    "TEMP_DIR": env_str("EXPORT_TEMP_DIR", str(VAR_DIR / "tmp")),
    # Bundles older than this many days are deleted (never the latest succeeded per organisation and period,
    # never one sent to Bufdir); error details and event messages likewise. 0 keeps them for ever.
    "RETENTION_DAYS": env_int("EXPORT_RETENTION_DAYS", 400),
    "AUDIT_DETAIL_RETENTION_DAYS": env_int("AUDIT_DETAIL_RETENTION_DAYS", 400),
    "PLUGINS": {},
}
# A configuration trial (admin, run by the worker) is stopped and failed after this many seconds.
CONFIG_TRIAL_MAX_SECONDS = env_int("CONFIG_TRIAL_MAX_SECONDS", 600)

# E-mail: files under var/mail on the embedded default; SMTP when EMAIL_HOST is set.
BUFDIR_SITE_URL = env_str("BUFDIR_SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Bufdir-eksport <bufdir-eksport@localhost>")
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
else:
    EMAIL_BACKEND = "notices.mail.PrivateFileEmailBackend"  # 0600 files, like the rest of var/
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "600/m")
if REDIS_URL:
    # Shared by every server process, so the per-token API throttle counts across them.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

SESSION_COOKIE_HTTPONLY = True
# Behind an HTTPS proxy (production): DJANGO_HTTPS=true turns on what `manage.py check --deploy` asks for.
HTTPS = env_bool("DJANGO_HTTPS", False)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
# Health probes and scrapes reach a server directly over plain HTTP: never redirected to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# /metrics and the detail of /readyz: with a token, only `Authorization: Bearer <token>`; without, loopback only.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# LOG_FORMAT=json: one JSON object per line (web, worker and writer processes), with the running export's
# id, organisation and phase (operations.log_context).
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT[:20]!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"export_context": {"()": "operations.log_context.ExportContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "operations.log_format.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["export_context"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
