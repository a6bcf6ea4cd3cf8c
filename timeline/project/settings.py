"""Settings for development and tests; production overrides come from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SEEDS_DIR = BASE_DIR / "seeds"
FIXTURES_DIR = BASE_DIR / "fixtures"


def env_flag(name, default):
    """A yes/no setting from the environment: 1/0, true/false, yes/no, on/off."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("Set DJANGO_SECRET_KEY when DJANGO_DEBUG is off.")
    SECRET_KEY = "dev-only-not-secret"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
# The site's public address, for absolute links (the embed snippet, feeds). Unset, each request's own
# scheme and host (ALLOWED_HOSTS guards it), so `PORT=8811 make serve` links to port 8811.
SITE_URL = os.environ.get("DJANGO_SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "simple_history",
    "timeline",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "timeline.web.middleware.SiteCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "timeline.web.middleware.DatabaseUnavailableMiddleware",
    "timeline.web.middleware.IndexAfterWritesMiddleware",
]

# Only for tests and the benchmark: each response says how many queries it ran.
if env_flag("TIMELINE_QUERY_COUNT_HEADER", False):
    MIDDLEWARE.insert(0, "timeline.web.middleware.QueryCountHeaderMiddleware")

ROOT_URLCONF = "timeline.urls"
WSGI_APPLICATION = "timeline.project.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# TIMELINE_STATIC_ROOT: the tests that start gunicorn collect into a directory of their own (tests/static_files.py).
STATIC_ROOT = Path(os.environ.get("TIMELINE_STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# One cache shared by every worker and instance when REDIS_URL is set (redis-py parses
# responses with hiredis when it is installed); otherwise each process keeps its own.
CACHES = {
    "default": {
        "BACKEND": "timeline.cache.shared.RedisCacheOrNothing",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": "cz-timeline",
        # A Redis that does not answer within this is treated as down (shared_cache.py): a miss, not a hung page.
        "OPTIONS": {
            "socket_connect_timeout": 0.5,
            "socket_timeout": 0.5,
            "serializer": "timeline.cache.shared.BitsetSerializer",
        },
    }
    if os.environ.get("REDIS_URL")
    else {
        "BACKEND": "timeline.cache.local.BoundedLocMemCache",
        # Each worker holds at most this many bytes of cached values (pickled), whatever the requests.
        "OPTIONS": {
            "MAX_ENTRIES": 3000,
            "MAX_BYTES": int(os.environ.get("TIMELINE_CACHE_MAX_BYTES", 64 * 1024 * 1024)),
        },
        "KEY_PREFIX": "cz-timeline",
    }
}
# The deployment's release id, the same on every instance; by default a digest of the code (caching.py).
TIMELINE_RELEASE = os.environ.get("TIMELINE_RELEASE", "")
# Shared caches (a CDN, Varnish) may keep a public page this long, and serve it stale while revalidating.
PUBLIC_CACHE_CONTROL = os.environ.get(
    "TIMELINE_PUBLIC_CACHE_CONTROL", "public, max-age=0, s-maxage=60, stale-while-revalidate=30"
)

# Security headers. Only /embed/ may be framed (it relaxes both of the framing rules).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# HTTPS: on by default when DEBUG is off; each can be turned off for a plain-HTTP run
# (the benchmark on 127.0.0.1). docs/deploy.md explains them.
HTTPS = env_flag("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_flag("DJANGO_SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
if env_flag("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Curators sign in at /admin/; repeated failures lock out that username from that address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_AXES_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "locked_out.html"
AXES_VERBOSE = False

# Errors (a 500's traceback) go to the console, so gunicorn's log holds them under DJANGO_DEBUG=0 too;
# Django's default sends them only to ADMINS by mail, and this site sends no mail.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}

# Request bodies are bounded before anything is parsed or spooled to disk (body_limit.py, docs/deploy.md).
FILE_UPLOAD_HANDLERS = [
    "timeline.web.body_limit.BodyLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# A 500 page under DEBUG (`make serve`) hides credentials in settings, the request and the environment.
DEFAULT_EXCEPTION_REPORTER_FILTER = "timeline.web.error_reports.CredentialFilter"
