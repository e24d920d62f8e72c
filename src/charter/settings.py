"""Django settings for Charter, read once from the environment (see `.env.example`).

Organisation policy (deadlines, cadences, fiscal calendar) lives in the database, not here.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

from charter.env import ConfigError, env_bool, env_int, env_list, env_str, load_env_file
from charter.private import private_dir, private_file, write_private

PACKAGE_DIR = Path(__file__).resolve().parent
load_env_file(Path(os.environ.get("CHARTER_ENV_FILE", ".env")))

DEBUG = env_bool("DEBUG", default=False)
DATA_DIR = Path(env_str("DATA_DIR", "data")).resolve()
# The database, the secret key, uploads, backups and mail (with reset links) live here: the
# folder is 0700 and the files Charter creates in it 0600 (charter.private).
private_dir(DATA_DIR)


def _secret_key() -> str:
    """SECRET_KEY from the environment, or one generated once and kept in DATA_DIR."""
    key = env_str("SECRET_KEY")
    if key:
        if len(key) < 50:
            raise ConfigError("SECRET_KEY must be at least 50 characters long")
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        write_private(key_file, secrets.token_urlsafe(64))
    return private_file(key_file).read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "charter.core",
    "charter.accounts",
    "charter.org",
    "charter.expectations",
    "charter.crm",
    "charter.kpis",
    "charter.learning",
    "charter.development",
    "charter.feedback",
    "charter.meetings",
    "charter.reviews",
    "charter.api",
    "charter.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "charter.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "charter.core.middleware.HtmxMiddleware",
    # Axes must come last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "charter.urls"
WSGI_APPLICATION = "charter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "charter.org.context_processors.charter",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# SQLite in WAL mode under DATA_DIR unless DATABASE_URL names another database. Every process
# (web, worker, `charter` commands) reads the same variable, so they all see one database.
_default_db_url = f"sqlite:///{DATA_DIR / 'charter.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _default_db_url)
_db: dict[str, Any] = dict(dj_database_url.parse(DATABASE_URL, conn_max_age=0))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] not in ("", ":memory:"):
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the
        # database file's mode.
        private_file(Path(_db["NAME"]))
    _db["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE takes the write lock
        # at BEGIN so two writers queue on the busy timeout instead of failing mid-transaction.
        # The write-ahead log stays small on its own, with or without a worker: a commit that
        # leaves it over 1,000 pages copies it into the database (SQLite's wal_autocheckpoint).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # Keep each thread's connection open between requests: opening one (and running the
    # PRAGMAs above) costs more than a page served from the cache.
    _db["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 600)
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and sign-in --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username/IP before a password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading the person and organization with the user (one query, not three).
    "charter.accounts.backends.UserBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)

LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = LOGIN_LOCKOUT_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Axes and every other reader of the client's address go through one function, which believes
# X-Forwarded-For only as far as TRUSTED_PROXY_COUNT says.
AXES_CLIENT_IP_CALLABLE = "charter.core.http.client_ip"
# Per account, from any address (`accounts.services.sign_in_wait`): past this many failures
# within LOGIN_LOCKOUT_MINUTES, each attempt waits twice as long after the last failure,
# from the base delay up to the maximum.
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 10)
LOGIN_ACCOUNT_BASE_DELAY_SECONDS = 15
LOGIN_ACCOUNT_MAX_DELAY_SECONDS = 300
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# --- HTTPS and cookies -----------------------------------------------------------------------
# HTTPS defaults on outside DEBUG; set HTTPS=0 only behind a trusted proxy on a private network.
HTTPS = env_bool("HTTPS", default=not DEBUG)
# Django's database sessions in Charter's table (`accounts.Session`), which keeps the signed-in
# user's id so a login's sessions can be ended together.
SESSION_ENGINE = "charter.accounts.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts only from Charter's own static files (htmx and charter.js; no inline scripts, no
# eval: htmx runs with allowEval off). Styles also allow 'unsafe-inline': pages set a few style
# attributes (tree indentation depth, progress bar widths) and htmx adds its indicator style.
# `data:` images: the blank favicon. Every response carries it (core.middleware).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
if env_bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies of yours stand in front of Charter, each appending the address it saw to
# X-Forwarded-For; 0 (the default) ignores the header, which any client can send.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ConfigError("TRUSTED_PROXY_COUNT must be 0 or more")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD or not HTTPS else ["security.W021"]

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# The project-wide assets (charter.css, htmx) live outside any app's static/ folder.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Assets are vendored in the package; WhiteNoise serves them from the finders, so neither
# `collectstatic` nor a separate web server is needed to run Charter.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
# Uploads (CRM and HR files waiting to be imported) are as private as the database.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Evidence files of learning records (a certificate's scan, a course's proof of completion):
# beside MEDIA_ROOT and STATIC_ROOT, not under them, so nothing that serves those ever serves
# these; only the learning app's access-checked view reads them.
LEARNING_EVIDENCE_DIR = DATA_DIR / "evidence"
LEARNING_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

# --- Email -----------------------------------------------------------------------------------
# With no EMAIL_HOST, mail is written to DATA_DIR/mail (`*.log` files, one per batch sent), so a
# fresh machine needs no mail server; set EMAIL_HOST to send through SMTP.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=EMAIL_PORT == 465)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Charter <charter@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    # Django's file backend, with the folder 0700 and each message 0600.
    EMAIL_BACKEND = "charter.core.mail.PrivateFileEmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")

# --- Background jobs -------------------------------------------------------------------------
# "db" needs no broker: jobs wait in the database until `charter worker` (or `charter serve`)
# runs them. "immediate" runs them in the calling process, which the test suite uses.
TASKS_BACKEND = env_str("TASKS_BACKEND", "db")
_TASK_BACKENDS = {
    "db": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ConfigError(f"TASKS_BACKEND={TASKS_BACKEND!r}: expected one of {sorted(_TASK_BACKENDS)}")
# The lanes jobs wait in: "long" for imports and roll-up rebuilds, "default" for everything
# short (mail, the tick). `charter serve` and `charter worker` run a worker thread per lane.
TASKS = {
    "default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default", "long"]},
}
TICK_INTERVAL_SECONDS = env_int("TICK_INTERVAL_SECONDS", 60)
if TICK_INTERVAL_SECONDS < 1:
    raise ConfigError(f"TICK_INTERVAL_SECONDS={TICK_INTERVAL_SECONDS}: expected 1 or more")

# --- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "charter.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["charter.api.permissions.IsPersonInCharter"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env_str("API_RATE_LIMIT", "600/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Charter API",
    "DESCRIPTION": "People, teams and the rest of Charter. Authenticate with `Authorization: "
    "Bearer <token>` using a token created on your profile page.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Several apps expose the org roles; one name for them keeps the schema free of warnings.
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "charter.org.models.Role",
        "TrainingKindEnum": "charter.learning.models.Kind",
        "UnitEnum": "charter.kpis.models.Unit",
        "MentorshipStatusEnum": "charter.development.models.MentorshipStatus",
        "MentorRequestStatusEnum": "charter.development.models.RequestStatus",
        "GoalStatusEnum": "charter.development.models.GoalStatus",
        "FeedbackKindEnum": "charter.feedback.models.Kind",
        "FeedbackVisibilityEnum": "charter.feedback.models.Visibility",
        "QuestionVisibilityEnum": "charter.expectations.models.Question.Visibility",
    },
    # The default enum hook, then the error answers (400/401/403/404/429) of every operation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "charter.api.schema.add_error_responses",
    ],
}

# --- Logging ---------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
# Every job start and finish, and every successful sign-in, would otherwise be an INFO line;
# failures and lockouts still show. `charter worker` turns the job lines back on.
_CHATTY = "DEBUG" if LOG_LEVEL == "DEBUG" else "WARNING"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # 403s and 404s are the access rules working, not incidents; 5xx are still logged.
        "django.request": {"level": "ERROR"},
        "django_tasks": {"level": _CHATTY},
        "django_tasks_db": {"level": _CHATTY},
        "axes": {"level": _CHATTY},
        # WeasyPrint narrates every layout step at INFO; only its warnings matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
