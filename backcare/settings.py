"""BackCare settings, read from environment variables.

Development works with no environment at all (SQLite, DEBUG on, 127.0.0.1). With DEBUG
off the app refuses to start without a real SECRET_KEY and ALLOWED_HOSTS. Every
variable is documented in `.env.example`.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.text import format_lazy

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"


def env_bool(name: str, default: bool) -> bool:
    raw = _env_value(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def _env_value(name: str) -> str | None:
    """The variable's value, or None when it is unset or set to nothing: `DATABASE_URL= make
    test` means "not set", rather than an empty URL or key that fails far from its cause."""
    raw = os.environ.get(name)
    return None if raw is None or raw.strip() == "" else raw


def env_int(name: str, default: int) -> int:
    raw = _env_value(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer; got {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = _env_value(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_str(name: str, default: str) -> str:
    raw = _env_value(name)
    return default if raw is None else raw


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate such as "20/hour": a count, then second, minute, hour or day."""
    value = env_str(name, default).strip()
    count, _slash, period = value.partition("/")
    if not count.isdigit() or period not in {"s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"}:
        raise ImproperlyConfigured(f"{name} must look like 20/hour (count/second|minute|hour|day); got {value!r}.")
    return value


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("DEBUG is off: set SECRET_KEY to a random string of 32+ characters.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DEBUG is off: set ALLOWED_HOSTS (comma-separated host names).")

INSTALLED_APPS = [
    # Before the admin, so its forms see each content text's field per language.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "pwa",
    "axes",
    "quiz",
]

MIDDLEWARE = [
    # First, so every response (redirects and errors too) carries the request id.
    "quiz.middleware.RequestIdMiddleware",
    # Pages and the content bundle are sent compressed (WhiteNoise already serves static
    # files compressed): it halves the offline precache (docs/BENCHMARKS.md). CSRF tokens
    # are masked per response, so compressed pages do not leak them (BREACH).
    "django.middleware.gzip.GZipMiddleware",
    "quiz.middleware.StaticFilesWithoutDocumentPoliciesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "quiz.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backcare.urls"
# A less guessable admin path is a cheap extra in production; it must end with "/".
ADMIN_URL = env_str("ADMIN_URL", "admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/"):
    raise ImproperlyConfigured(
        f"ADMIN_URL must look like 'admin/' (no leading slash, a trailing one); got {ADMIN_URL!r}."
    )

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project templates come first so they override django-pwa's manifest.json.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "quiz.i18n.language_switch",
            ],
        },
    },
]

WSGI_APPLICATION = "backcare.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        # A kept connection is tested (SELECT 1) before a request's first query and
        # replaced if the server closed it (a restart, a failover, an idle timeout), so
        # the first request after PostgreSQL comes back does not fail.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails a request in seconds, not at gunicorn's
    # timeout: connecting gives up after DB_CONNECT_TIMEOUT s, and the server cancels a
    # statement (a lock wait included) after DB_STATEMENT_TIMEOUT_MS (0: no limit).
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
    # Added to any `?options=` the URL itself carries. No JIT compilation: it spent 120-150 ms
    # compiling each count over a million results, more than the count itself (bench/NOTES.md).
    _db_options["options"] = (
        f"{_db_options.get('options', '')} -c statement_timeout={env_int('DB_STATEMENT_TIMEOUT_MS', 10_000)} -c jit=off"
    ).strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded server answers in threads. IMMEDIATE makes a second writer wait for
    # the lock (up to `timeout` s) instead of failing with "database is locked" mid-sync.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out address or user name is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Every language of the pages and of the content. Adding one is this entry, its catalogue
# (locale/<language>/LC_MESSAGES) and its content texts; django-modeltranslation gives each
# content text a field per language (quiz/translation.py), so `makemigrations` adds them.
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
# The content is written in English first; a text with no translation shows the English.
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)


def MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME(verbose_name, language):
    """A text's label in the admin, per language: "text (简体中文)", in the admin's language."""
    from django.conf import settings  # the final settings: a settings module may add a language

    return format_lazy("{} ({})", verbose_name, dict(settings.LANGUAGES)[language])


# The switch's choice (static/js/language.js writes it too, for offline use): a year.
LANGUAGE_COOKIE_NAME = "django_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            # Hashed, compressed names; ES module imports rewritten to them (quiz/storage.py).
            else "quiz.storage.StaticFilesStorage"
        )
    },
}

# No `Access-Control-Allow-Origin: *` on static files: only our own pages load them, and
# each precached file would carry it (about 35 bytes) for no reader.
WHITENOISE_ALLOW_ALL_ORIGINS = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["quiz.rest.LimitedJSONParser"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every API error body is {"code": ..., "detail": ...}; see quiz/rest.py.
    "EXCEPTION_HANDLER": "quiz.rest.api_exception_handler",
    # Counts live in the default cache (shared Redis in production, so every app
    # server sees the same counts). "devices" is per IP: registration and failed
    # tokens; "results" is per device.
    "DEFAULT_THROTTLE_RATES": {
        "devices": env_rate("THROTTLE_DEVICES", "20/hour"),
        "results": env_rate("THROTTLE_RESULTS", "120/minute"),
    },
    # Behind one proxy (the load balancer) the client address is the last X-Forwarded-For hop.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
}
# Largest request body the API parses; bigger ones get 413 before any JSON is read.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 256 * 1024)

SPECTACULAR_SETTINGS = {
    "TITLE": "BackCare API",
    "DESCRIPTION": "Content bundles for the BackCare app, and anonymous sync of finished self-checks.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the sidecar package, served as our own static files: the docs page
    # works with no internet and needs no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "quiz.schema.close_strict_request_bodies",
    ],
}

# django-pwa: the manifest template in templates/manifest.json reads these.
PWA_APP_NAME = "BackCare"
PWA_APP_SHORT_NAME = "BackCare"
PWA_APP_DESCRIPTION = "A private low back pain self-check and lifestyle tips that work offline."
PWA_APP_THEME_COLOR = "#1f5f8b"
PWA_APP_BACKGROUND_COLOR = "#ffffff"
PWA_APP_DISPLAY = "standalone"
PWA_APP_SCOPE = "/"
PWA_APP_START_URL = "/"
PWA_APP_LANG = "en"
PWA_APP_DEBUG_MODE = False
# Paths are relative to STATIC_URL; templates/manifest.json turns them into static URLs.
PWA_APP_SHORTCUTS = [
    {
        "name": "Start a check",
        "short_name": "Check",
        "description": "Start a low back pain self-check",
        "url": "/check/",
        "icons": [{"src": "icons/icon-192.png", "sizes": "192x192"}],
    },
    {
        "name": "Tips",
        "short_name": "Tips",
        "description": "Read the lifestyle tips",
        "url": "/tips/",
        "icons": [{"src": "icons/icon-192.png", "sizes": "192x192"}],
    },
]
PWA_APP_SCREENSHOTS = [
    {
        "src": "screenshots/check-narrow.png",
        "sizes": "540x1200",
        "form_factor": "narrow",
        "label": "A question of the BackCare self-check on a phone",
    },
]

# -- Logging ---------------------------------------------------------------------------
# Production writes one JSON object a line (quiz/logs.py) with the request id; neither
# format ever includes headers, query strings or request bodies.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'text' or 'json'; got {LOG_FORMAT!r}.")
# quiz.logs.configure also routes Python's warnings (a RuntimeWarning, say) into logging,
# so they leave as JSON lines too, not as bare text on stderr.
LOGGING_CONFIG = "quiz.logs.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "quiz.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every step at INFO; failed sign-ins and lockouts are WARNING.
    # Django's own handler for warnings prints plain text when DEBUG is on: ours instead.
    "loggers": {"axes": {"level": "WARNING"}, "py.warnings": {"handlers": ["console"], "propagate": False}},
}

# -- Production: HTTPS, HSTS, cookies ---------------------------------------------------
# Every default below is the safe one whenever DEBUG is off; docs/DEPLOY.md explains each.
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and overwrites whatever a
# client sent), set SECURE_PROXY_SSL_HEADER=true so Django knows the request was HTTPS.
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe the health check over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# Django reads the CSRF token from the form, never from script, so the cookie can hide too.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# -- Content-Security-Policy (django-csp) -----------------------------------------------
# Scripts and styles only from our own origin: no inline code, no eval, no CDN. The
# pages, the admin and the API docs (Swagger UI from drf-spectacular-sidecar) all work
# under it; tests/test_templates_no_inline.py keeps our templates that way.
# script-src, style-src, font-src, connect-src, worker-src and manifest-src are not
# spelled: each falls back to default-src (CSP Level 3), the same policy in about 115
# bytes fewer on every page the service worker precaches. A source added to default-src
# would reach them all: tests/test_security_headers.py checks what each one enforces.
_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        # data: for the small SVG icons Swagger UI's stylesheet embeds.
        "img-src": [_SELF, "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": [_SELF],
        "form-action": [_SELF],
    },
    # A policy governs the document (or worker script) it arrives with: on a stylesheet,
    # a module or an image it does nothing, yet it costs about 260 bytes on every one the
    # service worker precaches. The worker script itself is not under /static/.
    "EXCLUDE_URL_PREFIXES": ["/static/"],
}

# -- Permissions-Policy (quiz.middleware.PermissionsPolicyMiddleware) -------------------
# BackCare uses none of these browser features; an empty list denies a feature to every
# origin, this one included. (Notifications and Background Sync are not governed here.)
PERMISSIONS_POLICY: dict[str, list[str]] = {
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
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# -- Cache (throttle counts) -------------------------------------------------------------
# API throttling counts live in the default cache. One process can use local memory (the
# default); several workers or servers must share Redis, or each would count on its own.
# Lower case, so the URL (and any password in it) is not a setting of its own.
_cache_url = env_str("CACHE_URL", "") or env_str("REDIS_URL", "")
_cache_timeout = env_int("CACHE_TIMEOUT_MS", 500) / 1000
CACHES: dict[str, dict[str, Any]]
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            # Lets staging and production (or parallel test runs) share one Redis.
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "backcare"),
            # A Redis that refuses or does not answer costs a request this long at most:
            # throttling then counts in the process instead (quiz/rest.py), so the API
            # keeps working. redis-py waits forever by default.
            "OPTIONS": {
                "socket_connect_timeout": _cache_timeout,
                "socket_timeout": _cache_timeout,
            },
        }
    }
elif _cache_url in ("", "locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # The value is not echoed: it may hold a password.
    raise ImproperlyConfigured("CACHE_URL/REDIS_URL must start with redis://, rediss:// or unix://.")

# -- Admin sign-in limits (django-axes) ----------------------------------------------------
# Failed admin sign-ins are counted per client address and user name together; reaching
# the limit pauses sign-in for that name from that address until the cool-off has passed,
# so a stranger guessing the admin's password cannot lock out staff signing in from
# elsewhere (the trade-off: docs/DEPLOY.md). Counts live in the database (one count for
# every worker, and they survive a cache outage).
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 5)
_cooloff_minutes = env_int("ADMIN_LOGIN_COOLOFF_MINUTES", 15)
if AXES_FAILURE_LIMIT < 1 or _cooloff_minutes < 1:
    raise ImproperlyConfigured("ADMIN_LOGIN_FAILURE_LIMIT and ADMIN_LOGIN_COOLOFF_MINUTES must be 1 or more.")
AXES_COOLOFF_TIME = timedelta(minutes=_cooloff_minutes)
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
# A right password before the limit forgives the earlier typos of that address and name.
AXES_RESET_ON_SUCCESS = True
# Keep no record of successful sign-ins (address, browser): only failures, for the cool-off.
AXES_DISABLE_ACCESS_LOG = True
# The client address as the API's throttles see it: NUM_PROXIES hops of X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "quiz.login_limits.client_address"
AXES_LOCKOUT_CALLABLE = "quiz.login_limits.lockout_response"
