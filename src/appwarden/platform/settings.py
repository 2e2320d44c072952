"""Django settings of the platform, configured by environment variables.

Embedded (default): SQLite under ``APPWARDEN_DATA_DIR`` (default ``./appwarden-data``) and the embedded DB-queue
worker process. Distributed: ``DATABASE_URL`` (``postgresql://user:pw@host:5432/db`` or ``sqlite:///path``),
``CELERY_BROKER_URL`` (``amqp://`` or ``redis://``) and ``APPWARDEN_WORKER=celery``.

Other variables: ``APPWARDEN_SECRET_KEY``, ``APPWARDEN_DEBUG``, ``APPWARDEN_ALLOWED_HOSTS`` (comma list),
``APPWARDEN_MAX_UPLOAD_MB`` (default 1024), ``APPWARDEN_RECTIFY_DAYS`` (working days, default 15),
``APPWARDEN_HOLIDAYS`` (comma list of ISO dates that are not working days), ``APPWARDEN_CELERY_QUEUE``
(default ``appwarden-platform``), ``APPWARDEN_ENGINE`` (``module:function``, default
``appwarden.scan:scan_apk``), ``APPWARDEN_WORKER``
(``thread`` | ``celery`` | ``eager``; ``eager`` runs a scan right after the upload commits, for tests only).

Security and deployment (docs/platform.md): ``APPWARDEN_HTTPS`` (SSL redirect + HSTS + Secure cookies at once) or
each alone: ``APPWARDEN_SSL_REDIRECT``, ``APPWARDEN_HSTS_SECONDS``, ``APPWARDEN_SECURE_COOKIES``, plus
``APPWARDEN_HSTS_INCLUDE_SUBDOMAINS``, ``APPWARDEN_HSTS_PRELOAD``, ``APPWARDEN_BEHIND_HTTPS_PROXY``,
``APPWARDEN_CSRF_TRUSTED_ORIGINS``, ``APPWARDEN_NUM_PROXIES``; ``APPWARDEN_CACHE_URL`` (a shared cache for the
throttles); the login lockout ``APPWARDEN_LOGIN_MAX_FAILURES`` / ``_WINDOW_MINUTES`` / ``_LOCK_MINUTES``.
The SQLite data directory is created 0700 and the database 0600.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

from appwarden.errors import AppwardenError
from appwarden.platform.core.files import private_dir, private_sqlite

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("APPWARDEN_DATA_DIR", "appwarden-data")).resolve()


def parse_database_url(url: str) -> dict:
    """Turn ``DATABASE_URL`` into a Django ``DATABASES['default']`` dict (PostgreSQL or SQLite)."""
    parsed = urlparse(url)
    if parsed.scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "appwarden",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
        }
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if url.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
        elif url.startswith("sqlite:///"):
            path = path.lstrip("/")
        return _sqlite(path or ":memory:")
    raise AppwardenError(
        f"unsupported DATABASE_URL scheme {parsed.scheme!r} (use postgresql:// or sqlite:///)"
    )


def _sqlite(path: str) -> dict:
    """SQLite with a 30 s busy wait and ``BEGIN IMMEDIATE`` transactions: a deferred transaction that reads and then
    writes cannot wait for another writer (SQLite answers ``database is locked`` at once), which failed scan jobs when
    two worker processes stored reports at the same time; an immediate one takes the write lock first and waits."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
    }


def _secret_key() -> str:
    """``APPWARDEN_SECRET_KEY``, else a key generated once and kept in ``<data dir>/secret_key`` (mode 600), so
    sessions survive restarts and every process sharing the data directory agrees."""
    if os.environ.get("APPWARDEN_SECRET_KEY"):
        return os.environ["APPWARDEN_SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except OSError:
        pass
    key = secrets.token_urlsafe(50)
    try:
        private_dir(DATA_DIR)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
    except FileExistsError:
        return path.read_text().strip()
    except OSError:
        pass  # read-only data directory: a per-process key
    return key


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("APPWARDEN_DEBUG", "") in ("1", "true", "yes")
ALLOWED_HOSTS = [
    h for h in os.environ.get("APPWARDEN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "drf_spectacular",
    "appwarden.platform.core",
    "appwarden.platform.registry",
    "appwarden.platform.testing",
    "appwarden.platform.enforcement",
    "appwarden.platform.complaints",
    "appwarden.platform.attestation",
    "appwarden.platform.prelisting",
    "appwarden.platform.selfcheck",
    "appwarden.platform.sanctions",
    "appwarden.platform.notifications",
    "appwarden.platform.web",
]

MIDDLEWARE = [
    "appwarden.platform.core.middleware.UploadLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "appwarden.platform.core.middleware.AuditActorMiddleware",
]

ROOT_URLCONF = "appwarden.platform.urls"
WSGI_APPLICATION = "appwarden.platform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "appwarden.platform.core.roles.role_context",
            ]
        },
    }
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": parse_database_url(os.environ["DATABASE_URL"])}
else:
    DATABASES = {"default": _sqlite(str(DATA_DIR / "appwarden.sqlite3"))}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    private_sqlite(DATABASES["default"]["NAME"])  # data directory 0700, database 0600 (core/files.py)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = os.environ.get("APPWARDEN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = False
USE_TZ = True
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in ("1", "true", "yes", "on")


# --- HTTPS deployment (docs/platform.md "Security and deployment"); all off by default for `serve` on a laptop.
# APPWARDEN_HTTPS=1 turns on the three below at once; each variable alone overrides it.
_HTTPS = _env_flag("APPWARDEN_HTTPS")
SECURE_SSL_REDIRECT = _env_flag("APPWARDEN_SSL_REDIRECT", _HTTPS)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _env_flag("APPWARDEN_SECURE_COOKIES", _HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("APPWARDEN_HSTS_SECONDS") or (31536000 if _HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("APPWARDEN_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = _env_flag("APPWARDEN_HSTS_PRELOAD")
if _env_flag("APPWARDEN_BEHIND_HTTPS_PROXY"):  # the proxy terminates TLS and sets X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("APPWARDEN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# Throttles (login lockout counters live in the database; the complaint throttle in this cache). LocMem is per
# process: several web processes need a shared cache, APPWARDEN_CACHE_URL=redis://host:6379/1.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["APPWARDEN_CACHE_URL"],
        }
        if os.environ.get("APPWARDEN_CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "appwarden"}
    )
}
# Login lockout (core/lockout.py): per username + client address, this many failed logins within the window
# lock that pair for APPWARDEN_LOGIN_LOCK_MINUTES; a regulator unlocks on /users/<id>/ or by a password reset.
APPWARDEN_LOGIN_MAX_FAILURES = int(os.environ.get("APPWARDEN_LOGIN_MAX_FAILURES", "5"))
APPWARDEN_LOGIN_WINDOW_MINUTES = int(os.environ.get("APPWARDEN_LOGIN_WINDOW_MINUTES", "15"))
APPWARDEN_LOGIN_LOCK_MINUTES = int(os.environ.get("APPWARDEN_LOGIN_LOCK_MINUTES", "15"))
# Checked when a regulator sets a password on the user pages (core/users.py); the CLI takes the operator's word.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

# Uploads stream to temporary files above 2 MB; the APK size limit is checked while storing.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# core/uploadhandlers.py sees every chunk first: a file over APPWARDEN_MAX_UPLOAD is stopped at the limit (HTTP 413),
# never written whole to memory or FILE_UPLOAD_TEMP_DIR.
FILE_UPLOAD_HANDLERS = [
    "appwarden.platform.core.uploadhandlers.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
APPWARDEN_MAX_UPLOAD = int(float(os.environ.get("APPWARDEN_MAX_UPLOAD_MB", "1024")) * 1024 * 1024)
APPWARDEN_STORAGE_DIR = Path(os.environ.get("APPWARDEN_STORAGE_DIR", DATA_DIR / "blobs"))
APPWARDEN_RECTIFY_DAYS = int(os.environ.get("APPWARDEN_RECTIFY_DAYS", "15"))
# a 不良APP direct 下架 needs a confirmed 筛查结论复核 by someone other than the regulator ordering it (two-person
# rule; testing/screening_review.py); 0/false lets the regulator's own confirmation suffice
APPWARDEN_HARMFUL_TAKEDOWN_TWO_PERSON = _env_flag("APPWARDEN_HARMFUL_TAKEDOWN_TWO_PERSON", True)
# working days a company has to answer a forwarded complaint (投诉转办), and the office named on 责令整改通知书 /
# 投诉转办单 PDFs
APPWARDEN_COMPLAINT_ANSWER_DAYS = int(os.environ.get("APPWARDEN_COMPLAINT_ANSWER_DAYS", "10"))
APPWARDEN_ISSUING_OFFICE = os.environ.get("APPWARDEN_ISSUING_OFFICE", "APP个人信息保护监管办公室")
APPWARDEN_HOLIDAYS = [d for d in os.environ.get("APPWARDEN_HOLIDAYS", "").split(",") if d]
APPWARDEN_WORKER = os.environ.get("APPWARDEN_WORKER", "thread")
APPWARDEN_ENGINE = os.environ.get("APPWARDEN_ENGINE", "appwarden.scan:scan_apk")
# Scan isolation (testing/engine.py, distributed/sandbox.py; docs/platform.md "Scan isolation"): every scan runs in a
# child process killed at the wall-clock limit and capped in address space; a job whose scan process never came
# back (its worker died) is re-run at most APPWARDEN_SCAN_MAX_ATTEMPTS times in all, then quarantined.
APPWARDEN_SCAN_TIMEOUT = float(os.environ.get("APPWARDEN_SCAN_TIMEOUT", "600"))
APPWARDEN_SCAN_MEMORY_MB = int(os.environ.get("APPWARDEN_SCAN_MEMORY_MB", "4096"))
APPWARDEN_SCAN_MAX_ATTEMPTS = max(1, int(os.environ.get("APPWARDEN_SCAN_MAX_ATTEMPTS", "3")))
APPWARDEN_SCAN_MAX_REPORT_MB = int(os.environ.get("APPWARDEN_SCAN_MAX_REPORT_MB", "64"))
# The fair queue (testing/fairq.py): at most this many queued scan jobs per store / company / SDK vendor (staff and
# deadline work, re-tests and complaint scans, are not bounded); the next submission gets HTTP 429, nothing stored.
APPWARDEN_MAX_QUEUED_PER_PARTY = max(1, int(os.environ.get("APPWARDEN_MAX_QUEUED_PER_PARTY", "500")))
# Upload checks (core/uploadcheck.py): reading an uploaded APK while a request waits (zip + manifest, the re-test
# identity check) runs in such a child too, under a short limit; over it the upload is refused and nothing stored.
# APPWARDEN_UPLOAD_CHECK_ENGINE (``module:function``) may wrap the check (tests).
APPWARDEN_UPLOAD_CHECK_TIMEOUT = float(os.environ.get("APPWARDEN_UPLOAD_CHECK_TIMEOUT", "20"))
APPWARDEN_UPLOAD_CHECK_MEMORY_MB = int(
    os.environ.get("APPWARDEN_UPLOAD_CHECK_MEMORY_MB", str(APPWARDEN_SCAN_MEMORY_MB))
)
APPWARDEN_UPLOAD_CHECK_ENGINE = os.environ.get("APPWARDEN_UPLOAD_CHECK_ENGINE", "")
# At most this many checks at once across all web processes (flock slots under DATA_DIR); a check waits up to
# APPWARDEN_UPLOAD_CHECK_WAIT seconds for a slot, then the upload gets 503 + Retry-After (nothing stored).
APPWARDEN_UPLOAD_CHECK_CONCURRENCY = max(1, int(os.environ.get("APPWARDEN_UPLOAD_CHECK_CONCURRENCY", "2")))
APPWARDEN_UPLOAD_CHECK_WAIT = float(os.environ.get("APPWARDEN_UPLOAD_CHECK_WAIT", "5"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "appwarden.platform.core.tokens.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [  # DRF's defaults, with a JSON parser that refuses nesting too deep as a 400
        "appwarden.platform.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "appwarden.platform.core.api.exception_handler",
    # client address for throttles and the login lockout: REMOTE_ADDR, or behind N reverse proxies the N-th
    # address from the right of X-Forwarded-For
    "NUM_PROXIES": int(os.environ["APPWARDEN_NUM_PROXIES"])
    if os.environ.get("APPWARDEN_NUM_PROXIES")
    else None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "appwarden platform API",
    "DESCRIPTION": "App governance platform: registry, testing, enforcement (责令整改/通报/下架), complaints.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "appwarden.platform.testing.models.JOB_STATUS",
        "FailureKindEnum": "appwarden.platform.testing.models.FAILURE_KINDS",
        "AppCategoryEnum": "appwarden.platform.testing.categories.CHOICES",
        "CategoryEnum": "appwarden.platform.complaints.models.CATEGORIES",
        "FindingStatusEnum": "appwarden.platform.testing.models.FINDING_STATUS",
        "ComplaintStatusEnum": "appwarden.platform.complaints.models.STATUS",
        "TakedownStatusEnum": "appwarden.platform.enforcement.models.TD_STATUS",
        "OrderStateEnum": "appwarden.platform.enforcement.models.STATES",
    },
}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# a queue of its own so that other Celery applications on the same broker never take the platform's tasks
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("APPWARDEN_CELERY_QUEUE", "appwarden-platform")
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "") in ("1", "true")

# --- Notifications (notifications/, docs/platform.md "Notifications"): email through Django's mail backend and
# signed webhooks. APPWARDEN_EMAIL_BACKEND: file (default: one .log file per email under <data dir>/outbox, for the
# embedded serve), console, smtp (APPWARDEN_EMAIL_HOST/_PORT/_USER/_PASSWORD/_USE_TLS/_USE_SSL) or a dotted path.
_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = os.environ.get("APPWARDEN_EMAIL_BACKEND", "file")
EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email_backend, _email_backend)
EMAIL_FILE_PATH = os.environ.get("APPWARDEN_EMAIL_FILE_PATH", str(DATA_DIR / "outbox"))
EMAIL_HOST = os.environ.get("APPWARDEN_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("APPWARDEN_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("APPWARDEN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("APPWARDEN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_flag("APPWARDEN_EMAIL_USE_TLS")
EMAIL_USE_SSL = _env_flag("APPWARDEN_EMAIL_USE_SSL")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("APPWARDEN_EMAIL_FROM", "appwarden@localhost")
APPWARDEN_BASE_URL = os.environ.get("APPWARDEN_BASE_URL", "http://127.0.0.1:8000")  # links in notifications
APPWARDEN_WEBHOOK_TIMEOUT = float(os.environ.get("APPWARDEN_WEBHOOK_TIMEOUT", "10"))
# webhook URLs resolving to loopback/private/link-local addresses are refused unless this is set (SSRF)
APPWARDEN_WEBHOOK_ALLOW_PRIVATE = _env_flag("APPWARDEN_WEBHOOK_ALLOW_PRIVATE")
APPWARDEN_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("APPWARDEN_NOTIFY_MAX_ATTEMPTS", "6"))
APPWARDEN_DIGEST_HOUR = int(os.environ.get("APPWARDEN_DIGEST_HOUR", "8"))  # local hour of the daily digest
# delivery log retention (days; 0 = keep forever): delivered deliveries, and failed ones (kept longer: they are
# what a party asks about); read and checked by notifications/retention.py
APPWARDEN_NOTIFY_RETENTION_DAYS = os.environ.get("APPWARDEN_NOTIFY_RETENTION_DAYS", "90")
APPWARDEN_NOTIFY_FAILED_RETENTION_DAYS = os.environ.get("APPWARDEN_NOTIFY_FAILED_RETENTION_DAYS", "365")
# the yearly report is served from a snapshot at most this many minutes old (web/yearly.py; 0 = compute per request)
APPWARDEN_STATS_SNAPSHOT_MINUTES = os.environ.get("APPWARDEN_STATS_SNAPSHOT_MINUTES", "60")
# a yearly snapshot the data changed since is recomputed on the read when computing it took at most this many
# seconds, else served marked outdated (web/yearly.py: cached_stats)
APPWARDEN_STATS_INLINE_SECONDS = os.environ.get("APPWARDEN_STATS_INLINE_SECONDS", "1")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("APPWARDEN_LOG_LEVEL", "WARNING")},
}
