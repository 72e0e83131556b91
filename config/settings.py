"""Settings, read from the environment. SQLite by default; DATABASE_URL selects PostgreSQL."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("KEYWORKER_DEBUG", False)
PRODUCTION = os.environ.get("KEYWORKER_ENV", "demo") == "production"
SECRET_KEY = os.environ.get("KEYWORKER_SECRET_KEY", "")
if not SECRET_KEY:
    # Debug mode never skips this: a production installation without its own key refuses to start.
    if PRODUCTION:
        raise RuntimeError("KEYWORKER_SECRET_KEY must be set in production")
    SECRET_KEY = "insecure-demo-key-set-KEYWORKER_SECRET_KEY-in-production"  # noqa: S105

ALLOWED_HOSTS = [h for h in os.environ.get("KEYWORKER_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KEYWORKER_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "keyworker.core",
    "keyworker.notifications",
    "keyworker.accounts",
    "keyworker.organisations",
    "keyworker.people",
    "keyworker.caseload",
    "keyworker.standards",
    "keyworker.contacts",
    "keyworker.celebrations",
    "keyworker.briefings",
    "keyworker.datachecks",
    "keyworker.attendance",
    "keyworker.safeguarding",
    "keyworker.wellbeing",
    "keyworker.imports",
    "keyworker.dashboard",
    "keyworker.api",
    "keyworker.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "keyworker.accounts.middleware.SessionIdleMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "keyworker.core.middleware.NoStoreMiddleware",
    "keyworker.core.middleware.DatabaseBusyMiddleware",
    "keyworker.accounts.middleware.ActorMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a sign-in refused by the lockout into its 429 page
]

ROOT_URLCONF = "config.urls"

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
                "keyworker.accounts.context_processors.actor",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'keyworker.sqlite3'}"),
        conn_max_age=int(os.environ.get("KEYWORKER_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while an import writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    # A write transaction takes the write lock at BEGIN (IMMEDIATE) and waits up to `timeout` seconds for it,
    # instead of failing with "database is locked" when a read turns into a write beside the worker.
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account before any password is checked
    "django.contrib.auth.backends.ModelBackend",
]
# NCSC guidance: length and a blocklist, no composition rules, no short maximum (Django has none).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "keyworker.accounts.passwords.BlocklistValidator"},
    {"NAME": "keyworker.accounts.passwords.NotYourNameValidator"},
]
# Sign-in lockout (keyworker/accounts/lockout.py): failures are rows in the database, seen by every process.
KEYWORKER_LOCKOUT_FAILURES = int(os.environ.get("KEYWORKER_LOCKOUT_FAILURES", "10"))
KEYWORKER_LOCKOUT_MINUTES = int(os.environ.get("KEYWORKER_LOCKOUT_MINUTES", "15"))
AXES_HANDLER = "keyworker.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = KEYWORKER_LOCKOUT_FAILURES
AXES_LOCKOUT_PARAMETERS = "keyworker.accounts.lockout.lockout_parameters"
AXES_USERNAME_CALLABLE = "keyworker.accounts.lockout.username_of"
AXES_LOCKOUT_CALLABLE = "keyworker.accounts.lockout.lockout_response"
AXES_COOLOFF_TIME = 24  # hours: failures are forgotten after a day without any; the lock itself grows from 15 minutes
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True  # a wrong password while locked out lengthens the lock
AXES_SENSITIVE_PARAMETERS = ["username", "email", "password"]
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ["KEYWORKER_PROXY_COUNT"]) if os.environ.get("KEYWORKER_PROXY_COUNT") else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)
LOGIN_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # the e-mail says "three days"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(os.environ.get("KEYWORKER_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("KEYWORKER_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Idle expiry: requests push the end of the session on (keyworker.accounts.middleware.SessionIdleMiddleware);
# a tablet left alone signs itself out.
SESSION_IDLE_MINUTES = int(os.environ.get("KEYWORKER_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# HTTPS: on by default in production (behind a proxy that ends TLS, set KEYWORKER_PROXY_COUNT).
SECURE_SSL_REDIRECT = env_bool("KEYWORKER_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("KEYWORKER_HSTS_SECONDS", str(365 * 24 * 3600 if PRODUCTION else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("KEYWORKER_HSTS_PRELOAD", False)
if os.environ.get("KEYWORKER_PROXY_COUNT"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Joining the browsers' preload list is the operator's decision (KEYWORKER_HSTS_PRELOAD), not a default.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content Security Policy: scripts and styles only from our own static files, never inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

EMAIL_BACKEND = os.environ.get("KEYWORKER_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["keyworker.api.permissions.IsStaffMember"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "keyworker.api.errors.exception_handler",
    "DATE_FORMAT": "iso-8601",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Keyworker API",
    "DESCRIPTION": (
        "Settings, classes, staff, children, families, carers and key worker allocations; policies, standards, "
        "obligations (with their history and waiving) and compliance figures; contact logs, celebrations and "
        "positivity, key aspects briefings, half-termly data checks, attendance marks and rates, safeguarding "
        "concerns (read by the safeguarding team only, every read logged), family wellbeing and agencies.\n\n"
        "**Authentication**: `Authorization: Token <token>` (get one with POST /api/v1/auth/token/) or the "
        "signed-in session. **Organisation**: requests act in your first organisation; send "
        "`X-Organisation: <id>` to act in another of yours (see /api/v1/me/).\n\n"
        "**Scope**: you see only what your roles allow; a record outside your scope answers 404, exactly as a "
        "missing one. Ids you send (family, setting, class, staff) are looked up only among the records of "
        "your organisation that you may see; any other id is the field error \"Not found.\".\n\n"
        "**Errors**: invalid input is 400 with one list of messages per field, and a code for each message: "
        '`{"errors": {"field": ["message"]}, "codes": {"field": ["code"]}}`; "non_field_errors" holds messages '
        "about the request as a whole. When a business rule refuses an action, the body also names the rule: "
        '`{"errors": {"staff": ["…"]}, "codes": {"staff": ["class_team"]}, "rule": "class_team"}`. '
        'Other errors are `{"detail": "message"}`: 401 not signed in, 403 not allowed, 404 `{"detail": "Not found."}`.'
        "\n\n**Dates** are ISO 8601. **Lists** are paged with `limit` (at most 200) and `offset`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name across apps get a name of their own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "SafeguardingCategoryEnum": "keyworker.contacts.models.SafeguardingCategory",
        "ConcernStateEnum": "keyworker.safeguarding.models.ConcernState",
        "AttendanceCategoryEnum": "keyworker.attendance.models.Category",
        "DataCheckStateEnum": "keyworker.datachecks.models.CheckState",
        "CorrectionStateEnum": "keyworker.datachecks.models.CorrectionState",
        "ObligationStateEnum": "keyworker.standards.models.ObligationState",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KEYWORKER_LOG_LEVEL", "WARNING")},
}
