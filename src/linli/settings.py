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

VAR_DIR = Path(env("LINLI_VAR_DIR", str(REPO_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file and the huey queue live here

_DEFAULT_SECRET = "linli-insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env("LINLI_SECRET_KEY", _DEFAULT_SECRET)
DEBUG = envbool("LINLI_DEBUG", "0")
ALLOWED_HOSTS = [h.strip() for h in env("LINLI_ALLOWED_HOSTS", "").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env("LINLI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Key for personal-data fields (ID numbers, health notes). Comma-separated Fernet keys, newest
# first, so keys can be rotated. Development derives one from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = [k.strip() for k in env("LINLI_FIELD_KEYS", "").split(",") if k.strip()]

if PRODUCTION:
    if SECRET_KEY == _DEFAULT_SECRET or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("LINLI_SECRET_KEY must be set to a random 50+ character value")
    if DEBUG:
        raise ImproperlyConfigured("LINLI_DEBUG must be off in production")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("LINLI_ALLOWED_HOSTS must name the site's host(s)")
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
    "ninja",  # its Swagger UI from our own static files: the CSP refuses a CDN
    "linli.core",
    "linli.accounts",
    "linli.registry",
    "linli.volunteers",
    "linli.tickets",
    "linli.deliberation",
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
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "linli.core.middleware.ElderModeMiddleware",
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

# --- Cache and background jobs --------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
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
AXES_FAILURE_LIMIT = envint("LINLI_LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("LINLI_LOGIN_COOLOFF_MINUTES", "15") / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A phone number and a user name of the same account count as one for throttling.
AXES_USERNAME_CALLABLE = "linli.accounts.backends.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

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
# Uploads: registry imports are xlsx files of at most this many bytes.
LINLI_MAX_UPLOAD_BYTES = envint("LINLI_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))
# Reads of personal data ("My data", core.access) are kept this long, then purged nightly.
LINLI_READS_KEEP_DAYS = envint("LINLI_READS_KEEP_DAYS", str(3 * 365))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
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
    SILENCED_SYSTEM_CHECKS = [] if SECURE_SSL_REDIRECT else ["security.W008"]

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
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LINLI_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

LINLI_SITE_NAME = _("Linli")
