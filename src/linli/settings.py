"""Linli's one settings module.

Every value comes from the environment through the helpers below, which fail loudly on a
malformed value. Defaults serve the embedded, local run (SQLite under ``var/``); production
(``LINLI_ENV=production``) refuses to start with a default secret, DEBUG, or no allowed hosts.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from linli.core.checks import RATE as _RATE
from linli.core.checks import fernet_key_problems, parse_networks

BASE_DIR = Path(__file__).resolve().parent  # src/linli
REPO_DIR = BASE_DIR.parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


LINLI_ENV = env("LINLI_ENV", "development")
if LINLI_ENV not in ("development", "production", "test"):
    raise ImproperlyConfigured("LINLI_ENV must be development, production or test")
PRODUCTION = LINLI_ENV == "production"


def envlist(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in env(name, default).split(",") if v.strip()]


def private_dir(path: Path) -> Path:
    """A directory only the server's user can enter (0700): the SQLite file, the job queue and
    uploads hold personal data. An existing directory is tightened too."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


# The SQLite file, the huey queue and uploads live here: readable by the server's user only.
VAR_DIR = private_dir(Path(env("LINLI_VAR_DIR", str(REPO_DIR / "var"))))

_DEFAULT_SECRET = "linli-insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env("LINLI_SECRET_KEY", _DEFAULT_SECRET)
DEBUG = envbool("LINLI_DEBUG", "0")
ALLOWED_HOSTS = envlist("LINLI_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = envlist("LINLI_CSRF_TRUSTED_ORIGINS")

# Key for personal-data fields (ID numbers, health notes). Comma-separated Fernet keys, newest
# first, so keys can be rotated. Development derives one from SECRET_KEY. A key that is not a
# Fernet key would only fail at the first ID number read or written: refuse it now.
FIELD_ENCRYPTION_KEYS = envlist("LINLI_FIELD_KEYS")
for _i, _problem in fernet_key_problems(FIELD_ENCRYPTION_KEYS):
    raise ImproperlyConfigured(f"LINLI_FIELD_KEYS: key {_i} {_problem}")

# Addresses (or networks, CIDR) of the reverse proxies in front of Linli. Only a request that
# arrives from one of them has its X-Forwarded-For read for the client's address (log-in
# throttling, rate limits); with none, the connecting address is the client's.
LINLI_TRUSTED_PROXIES = envlist("LINLI_TRUSTED_PROXIES")
try:
    TRUSTED_PROXY_NETWORKS = parse_networks(LINLI_TRUSTED_PROXIES)
except ValueError as exc:
    raise ImproperlyConfigured(f"LINLI_TRUSTED_PROXIES: {exc}") from None

if PRODUCTION:
    if SECRET_KEY == _DEFAULT_SECRET or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("LINLI_SECRET_KEY must be set to a random 50+ character value")
    if DEBUG:
        raise ImproperlyConfigured("LINLI_DEBUG must be off in production")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("LINLI_ALLOWED_HOSTS must name the site's host(s)")
    if "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "LINLI_ALLOWED_HOSTS must name the site's host(s), not '*' (any Host header)"
        )
    if not FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured("LINLI_FIELD_KEYS must hold at least one Fernet key")
elif not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "huey.contrib.djhuey",
    "django_filters",
    "ninja",  # its Swagger UI from our own static files: the CSP refuses a CDN
    "linli.core",
    "linli.accounts",
    "linli.registry",
    "linli.volunteers",
    "linli.tickets",
    "linli.deliberation",
    "linli.mediation",
    "linli.care",
    "linli.api",
    "linli.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "linli.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Just inside it: a signed-in person's unchanged CSRF cookie not sent back on every page.
    "linli.core.middleware.CsrfCookieKeptMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "linli.core.middleware.ElderModeMiddleware",
    "linli.core.pagecache.PageCacheMiddleware",
    "linli.core.middleware.NoStoreMiddleware",
    "linli.core.middleware.RequestSizeLimitMiddleware",
    "linli.core.middleware.ApiRateLimitMiddleware",
    "linli.core.middleware.RefusedTextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linli.urls"
WSGI_APPLICATION = "linli.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Form widgets render with Django's own Jinja2 widget templates (see core/renderers.py).
FORM_RENDERER = "linli.core.renderers.FormRenderer"

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
                "linli.core.context_processors.shell",
            ],
            # ``{% url %}`` remembering what it reversed (core/templatetags/fasturl.py).
            "builtins": ["linli.core.templatetags.fasturl"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=envint("LINLI_CONN_MAX_AGE", "60"), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, its per-request health check made without a round trip while
        # the connection's socket is quiet (a dropped connection is readable): core/postgresql.
        DATABASES["default"]["ENGINE"] = "linli.core.postgresql"
else:
    SQLITE_PATH = Path(env("LINLI_SQLITE_PATH", str(VAR_DIR / "linli.sqlite3")))
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy
                # timeout instead of failing with "database is locked" on lock upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
            # Tests use a file too (not shared-cache memory), so concurrency behaves as in
            # production: WAL, IMMEDIATE transactions and the busy timeout all apply.
            # One file per test process, so parallel runs never share it.
            "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"linli-test-{os.getpid()}.db")},
            # Keep each worker's connection: opening one (Django registers its SQL functions,
            # then the PRAGMAs above) cost 1.1 ms per request, measured (docs/performance.md).
            "CONN_MAX_AGE": envint("LINLI_CONN_MAX_AGE", "60"),
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The few statements every request runs (user row, session, a cached page's counters) kept
# prepared on the PostgreSQL server per connection (core/prepared.py). Off (0) behind a pooler
# that cannot keep them (PgBouncer in transaction mode before 1.21).
LINLI_PG_PREPARE = envbool("LINLI_PG_PREPARE", "1")

# --- Cache and background jobs --------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        # Django's, with one Redis client per pool instead of one per call (core/redis_cache.py).
        "default": {"BACKEND": "linli.core.redis_cache.RedisCache", "LOCATION": REDIS_URL}
    }
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "linli",
        "url": REDIS_URL,
        "immediate": envbool("LINLI_HUEY_IMMEDIATE", "0"),
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "linli",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": envbool("LINLI_HUEY_IMMEDIATE", "0"),
    }
# Rendered pages (core/pagecache.py), in each server process: their keys hold the change
# counters read from the database, so a per-process copy is never stale after a write.
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "linli-pages",
    "OPTIONS": {"MAX_ENTRIES": envint("LINLI_PAGE_CACHE_ENTRIES", "2000")},  # type: ignore[dict-item]
}
LINLI_PAGE_CACHE = envbool("LINLI_PAGE_CACHE", "1")
LINLI_PAGE_CACHE_SECONDS = envint("LINLI_PAGE_CACHE_SECONDS", "60")

# --- Authentication -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "linli.accounts.backends.PhoneOrUsernameBackend",
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
# Failed log-ins lock the account, from every address, for a cool-off: counting per user name
# *and* address let one guesser use many addresses. (Anyone can thus lock a person out for the
# cool-off; staff unlock at once with `linli axes_reset_username NAME`, docs/operations.md.)
# Failures per address are counted apart with their own, higher limit (many people share one
# address behind a carrier's NAT), in accounts.views.LoginView.
AXES_FAILURE_LIMIT = envint("LINLI_LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("LINLI_LOGIN_COOLOFF_MINUTES", "15") / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for "ip_address" in the list above; axes would then lock an address at the
# account's limit (5): one mistyping neighbour behind the same carrier NAT would lock everyone.
# The per-address count with its own limit is LINLI_LOGIN_IP_FAILURE_LIMIT instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
LINLI_LOGIN_IP_FAILURE_LIMIT = envint("LINLI_LOGIN_IP_FAILURE_LIMIT", "50")
# The client's address behind the trusted proxies (LINLI_TRUSTED_PROXIES), for axes and limits.
AXES_CLIENT_IP_CALLABLE = "linli.core.security.client_ip"
# A phone number and a user name of the same account count as one for throttling.
AXES_USERNAME_CALLABLE = "linli.accounts.backends.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# --- Rate limits (core.ratelimit): N per period (s, m, h, d; "10/5m" is 10 per 5 minutes), per
# person signed in, else per client address. Counted in the cache (Redis with REDIS_URL).
LINLI_RATE_LIMITS = {
    "submit": env("LINLI_RATE_SUBMIT", "20/h"),  # requests a resident reports, web and API
    "emergency": env("LINLI_RATE_EMERGENCY", "5/h"),  # of those, marked emergency
    "open311_post": env("LINLI_RATE_OPEN311_POST", "120/h"),  # Open311 POST, per address
    "api": env("LINLI_RATE_API", "300/m"),  # every JSON API call
}
RATELIMIT_ENABLE = envbool("LINLI_RATE_LIMITING", "1")
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "linli.core.security.client_ip"
_bad_rates = [f"{g}={r!r}" for g, r in LINLI_RATE_LIMITS.items() if not _RATE.match(r)]
if _bad_rates:
    raise ImproperlyConfigured(
        "LINLI_RATE_* must look like 20/h or 10/5m (count/period, period s m h d): "
        + ", ".join(_bad_rates)
    )

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed names (cache forever) need collectstatic first, so only production uses them;
        # the local run gets WhiteNoise's compressed files with short caching.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
# Photos and imports are personal data: files 0600, directories 0700 (the SQLite file is
# tightened when it is opened, core.security.private_sqlite_files).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Uploads: registry imports are xlsx files of at most this many bytes.
LINLI_MAX_UPLOAD_BYTES = envint("LINLI_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))
# A whole request body: five 8 MB photos and the form, refused by its Content-Length before a
# byte is read (core.middleware.RequestSizeLimitMiddleware). Set the proxy's limit to match
# (nginx: client_max_body_size 45m).
LINLI_MAX_REQUEST_BYTES = envint("LINLI_MAX_REQUEST_BYTES", str(45 * 1024 * 1024))
# Form fields other than files (Django's own limit, checked as the body is read).
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("LINLI_MAX_FORM_BYTES", str(2 * 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# Reads of personal data ("My data", core.access) are kept this long, then purged nightly.
LINLI_READS_KEEP_DAYS = envint("LINLI_READS_KEEP_DAYS", str(3 * 365))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Sessions: with Redis (shared by every server process) from the cache, backed by the database,
# so a log-out ends a session in every process; without it from the database only, read with
# one prepared statement (core/sessions.py): a per-process cache would let a logged-out
# session live on in the other processes.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if REDIS_URL else "linli.core.sessions"
)
SESSION_COOKIE_AGE = envint("LINLI_SESSION_DAYS", "14") * 24 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("LINLI_SSL_REDIRECT", "1")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("LINLI_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if not SECURE_SSL_REDIRECT:
        SILENCED_SYSTEM_CHECKS.append("security.W008")

# --- Mail and SMS ---------------------------------------------------------------------------
EMAIL_BACKEND = env("LINLI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("LINLI_FROM_EMAIL", "linli@localhost")
# Dotted path of the SMS backend class (see linli.core.sms); the default only logs.
LINLI_SMS_BACKEND = env("LINLI_SMS_BACKEND", "linli.core.sms.LoggingSmsBackend")
# Public address of the site (https://linli.example.org), for links in e-mails and SMS;
# empty: messages carry no link.
LINLI_NOTIFY_SITE_URL = env("LINLI_NOTIFY_SITE_URL", "").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused or missing page (4xx) is one line in the log, not a traceback; no API key in
    # a log line, even of a request that sent one in its URL (core/logs.py).
    "filters": {
        "client_errors_one_line": {"()": "linli.core.logs.ClientErrorsOneLine"},
        "secrets": {"()": "linli.core.logs.RedactSecrets"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["client_errors_one_line", "secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LINLI_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # The development server's request lines ("GET /…?api_key=…"), through the filter.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

LINLI_SITE_NAME = _("Linli")
