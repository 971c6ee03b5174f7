"""Settings for poolplan, all read from the environment.

Every variable goes through a small typed helper that fails at start with a sentence naming
the variable, so a bad deployment value never turns into a confusing error later.
SQLite is the embedded default; DATABASE_URL switches to PostgreSQL. REDIS_URL switches the
channel layer from in-memory to Redis.
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"The environment variable {name} must be true or false (1/0, yes/no), not {value!r}."
    )


def envint(name: str, default: str, *, minimum: int | None = None) -> int:
    raw = os.getenv(name, default)
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a whole number, not {raw!r}."
        ) from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be at least {minimum}, not {value}."
        )
    return value


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def envurl(name: str, schemes: tuple[str, ...]) -> str | None:
    raw = os.getenv(name, "").strip()
    if not raw:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in schemes:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a URL starting with "
            f"{' or '.join(s + '://' for s in schemes)}, not {raw!r}."
        )
    return raw


DEBUG = envbool("DEBUG", "true")
# Demo mode creates the demo schools and logins (password "demo"); never in production.
DEMO_MODE = envbool("POOLPLAN_DEMO", "true" if DEBUG else "false")

SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "The environment variable SECRET_KEY must be set when DEBUG is off "
            "(a long random string, e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdefghijklmnopqrstu"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "django_tasks_db",
    "poolplan.accounts",
    "poolplan.roster",
    "poolplan.planning",
    "poolplan.logbook",
    "poolplan.board",
    "poolplan.imports",
    "poolplan.analysis",
    "poolplan.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "poolplan.urls"
ASGI_APPLICATION = "poolplan.asgi.application"
WSGI_APPLICATION = "poolplan.wsgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATA_DIR = Path(os.getenv("POOLPLAN_DATA_DIR", str(PROJECT_DIR / "var")))
DATABASE_URL = envurl("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
if DATABASE_URL and not DATABASE_URL.startswith("sqlite"):
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"]["TEST"] = {"NAME": os.getenv("POOLPLAN_TEST_DB_NAME", "test_poolplan")}
elif DATABASE_URL:
    import dj_database_url

    # sqlite:////absolute/path.sqlite3 or sqlite:///relative/path.sqlite3
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "poolplan.sqlite3",
            # WAL and a busy timeout: the web server and a background worker share the file.
            # IMMEDIATE transactions take the write lock at BEGIN, so two concurrent writers wait
            # for each other instead of failing with "database is locked" on lock upgrade.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Real-time --------------------------------------------------------------------------------
REDIS_URL = envurl("REDIS_URL", ("redis", "rediss", "unix"))
# Which channels-redis layer carries the news between processes: "core" (channels-redis's
# list-based layer) or "pubsub" (Redis publish/subscribe). Each process receives a group's news
# once either way (board/fanout.py); bench/board.py measured both alike. "core" is the default
# because a lost Redis connection fails its read, so the screens reconnect and resync; the
# publish/subscribe layer reconnects silently and the screens would miss what came meanwhile.
REDIS_CHANNEL_LAYER = os.getenv("REDIS_CHANNEL_LAYER", "core").strip().lower()
if REDIS_CHANNEL_LAYER not in ("pubsub", "core"):
    raise ImproperlyConfigured(
        f"The environment variable REDIS_CHANNEL_LAYER must be pubsub or core, not "
        f"{REDIS_CHANNEL_LAYER!r}."
    )
if REDIS_URL:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    # redis-py 8 caps an async pool at 100 connections; 200 WebSocket clients connecting at once
    # then got "Too many connections" (measured, see stack-facts). Give the host a larger pool.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": ("channels_redis.pubsub.RedisPubSubChannelLayer"
                        if REDIS_CHANNEL_LAYER == "pubsub"
                        else "channels_redis.core.RedisChannelLayer"),
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": envint("REDIS_MAX_CONNECTIONS", "1000", minimum=1),
                        # redis-py 8 gives up reading after 5 s, the very time the core layer
                        # blocks waiting for news: on a busy machine the reply came a little
                        # later and the read failed (bench/board.py saw boards dropped).
                        "socket_timeout": 15,
                        # One retry on a fresh connection: after a Redis restart the pool's old
                        # connections fail once each (every failure of the layer closes the
                        # live screens, fanout.py); a Redis that is really gone fails again.
                        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
                    }
                ],
                # Publish/subscribe channels are server-wide, not per database: the database
                # number goes into the names, so sites on other databases stay apart.
                "prefix": "poolplan" + "".join(
                    c for c in urlparse(REDIS_URL).path if c.isdigit()),
                **({"capacity": 1000} if REDIS_CHANNEL_LAYER == "core" else {}),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# The board's dispatch suggestions are worked out once per change of a school's cards and kept
# this long for page loads, polls and snapshots; changes that are no card change (an absence,
# working times, minutes of waiting) reach the suggestions within this time.
BOARD_DISPATCH_CACHE_SECONDS = envint("BOARD_DISPATCH_CACHE_SECONDS", "60", minimum=1)
# How many weeks a child's card history (yellow/red by weekday and period) looks back.
CARD_HISTORY_WEEKS = envint("CARD_HISTORY_WEEKS", "6", minimum=1)

# --- Auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- I18N -------------------------------------------------------------------------------------
LANGUAGE_CODE = os.getenv("LANGUAGE_CODE", "de")
LANGUAGES = [("de", _("German")), ("en", _("English"))]
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured(
        f"The environment variable LANGUAGE_CODE must be one of de, en, not {LANGUAGE_CODE!r}."
    )
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.getenv("TIME_ZONE", "Europe/Berlin")
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        f"The environment variable TIME_ZONE must be an IANA time zone such as Europe/Berlin, "
        f"not {TIME_ZONE!r}."
    ) from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The project-wide stylesheet lives in poolplan/static (no app owns it).
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", str(PROJECT_DIR / "var" / "static")))

# --- E-mail -----------------------------------------------------------------------------------
# Django 6.1 configures mail through MAILERS (the EMAIL_* settings are deprecated). EMAIL_URL
# (smtp://user:pass@host:587, smtps://..., console://) or EMAIL_HOST & co. choose SMTP;
# without either, mail is printed to the console.
EMAIL_URL = envurl("EMAIL_URL", ("smtp", "smtps", "console"))
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "poolplan@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_SMTP = "django.core.mail.backends.smtp.EmailBackend"
if EMAIL_URL and not EMAIL_URL.startswith("console"):
    _email = urlparse(EMAIL_URL)
    MAILERS = {
        "default": {
            "BACKEND": _SMTP,
            "OPTIONS": {
                "host": _email.hostname or "localhost",
                "port": _email.port or (465 if _email.scheme == "smtps" else 587),
                "username": unquote(_email.username or ""),
                "password": unquote(_email.password or ""),
                "use_ssl": _email.scheme == "smtps",
                "use_tls": _email.scheme == "smtp" and envbool("EMAIL_USE_TLS", "true"),
            },
        }
    }
elif os.getenv("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": _SMTP,
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": envint("EMAIL_PORT", "587", minimum=1),
                "username": os.getenv("EMAIL_HOST_USER", ""),
                "password": os.getenv("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", "true"),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# --- Security (production values unless DEBUG) -------------------------------------------------
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "false" if DEBUG else "true")
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "false" if DEBUG else "true")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG else "true")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000", minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false")
# Preloading commits the whole domain and its subdomains for months (schools often sit under a
# shared municipal domain): each operator opts in, so its absence is no deploy warning.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if envbool("SECURE_PROXY_SSL_HEADER", "false"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Planner ----------------------------------------------------------------------------------
PLANNER_TIME_LIMIT = envint("PLANNER_TIME_LIMIT", "30", minimum=1)
PLANNER_WORKERS = envint("PLANNER_WORKERS", "8", minimum=1)
# A sick-call proposal replans one day while the coordinator waits: a shorter limit.
PLANNER_PROPOSAL_TIME_LIMIT = envint("PLANNER_PROPOSAL_TIME_LIMIT", "10", minimum=1)
# A solve still "running" this many seconds after PLANNER_TIME_LIMIT has lost its worker
# (crash, restart): it is then marked failed, so that it can be started again.
PLANNER_STALE_AFTER = envint("PLANNER_STALE_AFTER", "120", minimum=1)

# --- Needs analysis (simulation) ------------------------------------------------------------
# School years the pool sizing plays per candidate pool (the comparison plays as many as the
# page asks for), and after how many seconds a run still "running" has lost its worker.
SIMULATION_SIZING_RUNS = envint("SIMULATION_SIZING_RUNS", "200", minimum=10)
SIMULATION_STALE_AFTER = envint("SIMULATION_STALE_AFTER", "1800", minimum=60)

# --- Log book ---------------------------------------------------------------------------------
# A child "falls behind" (an alert to its coordinators, `manage.py pace_alerts`) when its
# make-up debt reaches this share, in per cent, of the minutes a week its approval grants.
LOGBOOK_BEHIND_PERCENT = envint("LOGBOOK_BEHIND_PERCENT", "20", minimum=1)

# --- Imports ----------------------------------------------------------------------------------
# Largest file an import accepts (bytes); a school's real exports are far below 20 MB.
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", str(20 * 1024 * 1024), minimum=1)

# --- Background tasks -------------------------------------------------------------------------
# Solves run in `manage.py db_worker` (django-tasks-db: the queue is a database table, no
# broker needed); `make run` starts the worker beside the web server. Tests use Django's
# ImmediateBackend (tests/planning/conftest.py, tests/api/conftest.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
}
