"""Base settings: run as they are on an embedded SQLite with eager Celery tasks.

Everything that differs between machines comes from the environment through `portal.env`;
`portal.settings.production` holds the production-only overrides.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from portal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdef")
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from our static files, no CDN
    "guardian",
    "axes",
    "django_htmx",
    "csp",
    "accounts",
    "credits",
    "courses",
    "certificates",
    "partners",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.ActingRoleMiddleware",
    # AxesMiddleware must be last so that it sees the lockout raised by the backend.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.acting_role",
                "portal.breadcrumbs.breadcrumbs",
                "accounts.context_processors.unread_notices",
            ],
            "libraries": {"portal": "portal.templatetags"},
        },
    },
]

DATABASES = {
    "default": environ.Env.db_url_config(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # a reused connection is checked first
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # AxesStandaloneBackend first, so a locked-out client is refused before passwords are checked.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with at most LOGIN_HASH_CONCURRENCY password checks at once per process.
    "accounts.backends.BoundedModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Password checks (PBKDF2, ~0.3 CPU-s each) hashing at the same time in one process, and how
# long a login waits for a place before it is told the portal is busy.
LOGIN_HASH_CONCURRENCY = env_int("LOGIN_HASH_CONCURRENCY", 1)
LOGIN_HASH_WAIT_SECONDS = env_int("LOGIN_HASH_WAIT_SECONDS", 5)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# E-mail (password-reset links): printed on the console unless an SMTP server is configured.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")
# Password-reset requests accepted per client IP and hour (accounts.views.PasswordResetView).
PASSWORD_RESET_LIMIT = env_int("PASSWORD_RESET_LIMIT", 5)
# Reset links expire after one day.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

CSRF_FAILURE_VIEW = "accounts.errors.csrf_failure"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Sessions end after 30 idle minutes and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# Reverse proxies in front of the app (production sets it); see portal.client_ip.
NUM_PROXIES = 0

# django-axes: five failures lock the username+IP pair for 30 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The lockout keys on the real client address, read through NUM_PROXIES proxies: behind the TLS
# proxy every client would otherwise share the proxy's address, and anyone could lock anyone out.
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip"

# Reverse proxies in front of the application (0 in development: X-Forwarded-For is ignored).
NUM_PROXIES = env_int("NUM_PROXIES", 0)

# Anonymous registration forms: at most this many POSTs per client address per window.
REGISTRATION_THROTTLE_LIMIT = env_int("REGISTRATION_THROTTLE_LIMIT", 10)
REGISTRATION_THROTTLE_WINDOW = 60 * 60

# django-guardian: no anonymous user row; object permissions live on organisations only.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Content-Security-Policy (django-csp 4) on every response: only this site's own files, no inline
# script or style anywhere (templates use classes and static/js/portal.js; htmx is told not to
# inject its indicator <style> by <meta name="htmx-config"> in base.html), never framed.
# frame-src 'self' lets a page show uploaded evidence inline; the Django admin needs no exemption
# (Django 5.2's admin has no inline scripts or style attributes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Evidence images above this many pixels are refused (a 600 dpi A4 scan has about 35 million).
EVIDENCE_MAX_PIXELS = 40_000_000

# --- Certificates (certificates app) ---------------------------------------------------------
# The QR code and the printed link point here (the public /verify/ page).
CERTIFICATE_VERIFY_BASE_URL = env_str("CERTIFICATE_VERIFY_BASE_URL", "http://127.0.0.1:8000")
# The PAdES signing key (PEM, ECDSA P-256), its certificate and the CA chain (PEM). Outside
# production a throwaway CA and key are created here on first use (var/ is not in git).
_KEYS_DIR = BASE_DIR / "var" / "certificate-keys"
CERTIFICATE_SIGNING_KEY = env_str("CERTIFICATE_SIGNING_KEY", str(_KEYS_DIR / "signing-key.pem"))
CERTIFICATE_SIGNING_CERT = env_str("CERTIFICATE_SIGNING_CERT", str(_KEYS_DIR / "signing-cert.pem"))
CERTIFICATE_SIGNING_CHAIN = env_str("CERTIFICATE_SIGNING_CHAIN", str(_KEYS_DIR / "ca-chain.pem"))
CERTIFICATE_SIGNING_KEY_PASSPHRASE = env_str("CERTIFICATE_SIGNING_KEY_PASSPHRASE", "")
CERTIFICATE_KEYS_AUTOCREATE = True
# The compact certificate font (certificates/fonts.py), built once per machine.
CERTIFICATE_FONT_CACHE = env_str("CERTIFICATE_FONT_CACHE", str(BASE_DIR / "var" / "fonts"))
# RFC 3161 timestamp server: set it for PAdES B-T signatures (empty: B-B).
CERTIFICATE_TIMESTAMP_URL = env_str("CERTIFICATE_TIMESTAMP_URL", "")
# Public verification look-ups (form and API) per client address.
CERTIFICATE_VERIFY_RATE = env_str("CERTIFICATE_VERIFY_RATE", "30/minute")
# Bulk printing: certificates per background chunk, and how long a finished file's download
# link works (hours; then 410 Gone).
CERTIFICATE_BULK_CHUNK = env_int("CERTIFICATE_BULK_CHUNK", 50)
CERTIFICATE_BULK_LINK_HOURS = env_int("CERTIFICATE_BULK_LINK_HOURS", 24)

# --- Online public-subject study (courses app, decision 0015) ---------------------------------
# One heartbeat earns at most this many seconds of study time; the player's claimed position
# may run ahead of the credited time plus the wall time since the last heartbeat by at most
# the tolerance (network jitter), or the heartbeat is refused.
ONLINE_HEARTBEAT_SECONDS = env_int("ONLINE_HEARTBEAT_SECONDS", 10)
ONLINE_POSITION_TOLERANCE_SECONDS = env_int("ONLINE_POSITION_TOLERANCE_SECONDS", 2)
# The public class search API (courses.apis.classes), per client address.
CLASS_SEARCH_RATE = env_str("CLASS_SEARCH_RATE", "120/minute")
# --- Sync partners (partners app; docs/decisions/0016-partner-sync.md) --------------------
# After a key is rotated, the old key keeps working this many seconds (default 7 days).
PARTNER_KEY_ROTATION_GRACE = env_int("PARTNER_KEY_ROTATION_GRACE", 7 * 24 * 3600)
# Idempotency keys (and the first response) are kept at least this many hours, then purged.
PARTNER_IDEMPOTENCY_TTL = env_int("PARTNER_IDEMPOTENCY_TTL", 24)
# Requests per partner key (DRF rate: "N/second|minute|hour|day"); more get 429 + Retry-After.
PARTNER_SYNC_RATE = env_str("PARTNER_SYNC_RATE", "120/minute")
# Largest request body the sync API reads (bytes): 10,000 records fit with room to spare.
PARTNER_SYNC_MAX_BODY = env_int("PARTNER_SYNC_MAX_BODY", 16 * 1024 * 1024)
# Up to this many records are answered at once (200); more (up to the maximum) become a job
# (202) processed on the `sync` queue in chunks; above the maximum: 413.
PARTNER_SYNC_INLINE_LIMIT = env_int("PARTNER_SYNC_INLINE_LIMIT", 1_000)
PARTNER_SYNC_MAX_RECORDS = env_int("PARTNER_SYNC_MAX_RECORDS", 10_000)
# 5,000: the largest push is two chunks (progress 50 %, 100 %; two workers share it), each a
# second or so of work: every chunk costs ~0.1 s on its own (a task, a transaction, its
# look-ups), measured in docs/decisions/0019-sync-push-speed.md. A chunk's records stay
# locked until it commits.
PARTNER_SYNC_CHUNK = env_int("PARTNER_SYNC_CHUNK", 5_000)

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {
        "compliance": "60/minute",
        "certificate_verify": CERTIFICATE_VERIFY_RATE,
        "class_search": CLASS_SEARCH_RATE,
    },
    # Never None: then DRF would key throttles on a client-written X-Forwarded-For.
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Guangdong CE portal API",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "The portal's machine interface: the public compliance calculator and certificate "
        "verification, and the sync API of the platforms that certify hours and push them "
        "(`Authorization: Bearer <key>`; keys come from HRSS). Errors of the sync API are "
        "`application/problem+json` (RFC 9457)."
    ),
    # Swagger UI (/api/v1/docs/) and ReDoc (/api/v1/redoc/) load their files from this site.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partners.apis.docs.strict_push_schema",
        "portal.api_docs.problem_media_types",  # Problem answers are application/problem+json
    ],
    "SERVE_INCLUDE_SCHEMA": False,
}

REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Queues by kind (ARCHITECTURE.md): a worker must consume every one (-Q celery,certificates,sync).
CELERY_TASK_ROUTES = {
    "certificates.tasks.*": {"queue": "certificates"},
    "partners.tasks.*": {"queue": "sync"},
}
# Periodic work (the `beat` service of docker-compose.yml).
CELERY_BEAT_SCHEDULE = {
    "certificates-bulk-print-cleanup": {
        "task": "certificates.tasks.bulk_print_cleanup_task",
        "schedule": 3600.0,  # seconds: expired bulk print files are deleted within the hour
    },
    "partners-idempotency-purge": {
        "task": "partners.tasks.idempotency_purge_task",
        "schedule": 3600.0,  # idempotency keys older than PARTNER_IDEMPOTENCY_TTL, hourly
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step at INFO (certificates render in the worker).
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# Tests use a fast hasher; see tests/conftest.py. Nothing else differs between test and dev.
PASSWORD_HASHERS = env_list(
    "DJANGO_PASSWORD_HASHERS",
    [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ],
)

# Courses (s4-plans): when a course plan may be submitted, in days before each class's start
# ("开班前30日内", docs/decisions/0014-plan-filing-window.md). The default reads the seed as
# "within the 30 days before the start": from 30 days before up to the day before. The other
# reading, "at least 30 days before", is MIN=30 and MAX=0 (0: no earliest day).
COURSES_PLAN_WINDOW_MIN_DAYS = env_int("COURSES_PLAN_WINDOW_MIN_DAYS", 1)
COURSES_PLAN_WINDOW_MAX_DAYS = env_int("COURSES_PLAN_WINDOW_MAX_DAYS", 30)
