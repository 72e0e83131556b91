"""Settings, read from the environment. SQLite by default; DATABASE_URL selects PostgreSQL."""

import json
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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "axes",
    "django_guid",  # the request id (X-Request-ID) every log line of a request carries
    "django_tasks",
    "django_tasks_db",  # the queue of background tasks in the database: the embedded default
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
    "keyworker.enrolment",
    "keyworker.meetings",
    "keyworker.care",
    "keyworker.targets",
    "keyworker.transitions",
    "keyworker.dashboard",
    "keyworker.portal",
    "keyworker.api",
    "keyworker.demo",
]

MIDDLEWARE = [
    "django_guid.middleware.guid_middleware",  # first: everything below logs with the request's id
    "keyworker.core.logs.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # /health/ answers here: before sessions, sign-in and the first-run page, so a load balancer needs no account.
    "keyworker.core.health.HealthCheckMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "keyworker.accounts.middleware.SessionIdleMiddleware",
    "keyworker.portal.middleware.CarersStayInPortalMiddleware",  # a carer's session reaches only /family/ pages
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "keyworker.core.middleware.NoStoreMiddleware",
    "keyworker.core.middleware.DatabaseBusyMiddleware",
    "keyworker.accounts.middleware.ActorMiddleware",
    "keyworker.accounts.middleware.FirstRunMiddleware",  # a new installation: every page goes to /start/
    "keyworker.accounts.middleware.SecondFactorMiddleware",
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
                "keyworker.portal.nav.portal_nav",
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
# A read replica (PostgreSQL streaming replication) for downloads and reports: keyworker/core/replica.py.
if os.environ.get("KEYWORKER_REPLICA_DATABASE_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["KEYWORKER_REPLICA_DATABASE_URL"],
        conn_max_age=int(os.environ.get("KEYWORKER_CONN_MAX_AGE", "0")),
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read the primary through the alias
DATABASE_ROUTERS = ["keyworker.core.replica.ReplicaRouter"]

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account before any password is checked
    "django.contrib.auth.backends.ModelBackend",
    "sesame.backends.ModelBackend",  # carers' e-mailed sign-in links (keyworker.portal)
]
# Carers' sign-in links: single use, 15 minutes, void once the carer's address changes.
SESAME_MAX_AGE = int(os.environ.get("KEYWORKER_PORTAL_LINK_MINUTES", "15")) * 60
SESAME_ONE_TIME = True
SESAME_INVALIDATE_ON_EMAIL_CHANGE = True
# An invitation's sign-in link lasts longer; requests for a link are throttled per address.
KEYWORKER_PORTAL_INVITATION_DAYS = int(os.environ.get("KEYWORKER_PORTAL_INVITATION_DAYS", "7"))
KEYWORKER_PORTAL_LINKS_PER_HOUR = int(os.environ.get("KEYWORKER_PORTAL_LINKS_PER_HOUR", "5"))
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

# Second factors: authenticator apps (TOTP), recovery codes and passkeys (WebAuthn). The relying party id is the
# host name people sign in at (never an IP address); the allowed origins are the full addresses, with the port.
OTP_TOTP_ISSUER = os.environ.get("KEYWORKER_WEBAUTHN_RP_NAME", "Keyworker")
OTP_WEBAUTHN_RP_ID = os.environ.get("KEYWORKER_WEBAUTHN_RP_ID", "localhost")
OTP_WEBAUTHN_RP_NAME = os.environ.get("KEYWORKER_WEBAUTHN_RP_NAME", "Keyworker")
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    o for o in os.environ.get("KEYWORKER_WEBAUTHN_ORIGINS", "http://localhost:8000").split(",") if o
]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False  # a passkey is the second factor, after the password

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]
# The glossary's dates ("Tue 3 March 2026"; "3/3/2026" in tables), also in config/formats/en_GB, which wins for en-GB.
DATE_FORMAT = "D j F Y"
SHORT_DATE_FORMAT = "j/n/Y"
DATETIME_FORMAT = "D j F Y, H:i"
SHORT_DATETIME_FORMAT = "j/n/Y H:i"

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("KEYWORKER_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("KEYWORKER_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
# Uploaded files go through Django's storage API; another back end (object storage) is one setting, with its options
# as JSON. Static files: in production collectstatic writes compressed copies with hashed names, which whitenoise
# serves with a far-future expiry; elsewhere (the demo, the tests) they are served as they are, no collectstatic needed.
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("KEYWORKER_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ.get("KEYWORKER_MEDIA_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
if PRODUCTION:
    # Static files from the web process itself (gunicorn), right after the security headers; a proxy may serve them too.
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                      "whitenoise.middleware.WhiteNoiseMiddleware")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Uploaded files (imports, transfer files): every limit is checked before the file is read whole.
KEYWORKER_UPLOAD_MAX_MB = int(os.environ.get("KEYWORKER_UPLOAD_MAX_MB", "40"))
KEYWORKER_UPLOAD_MAX_ROWS = int(os.environ.get("KEYWORKER_UPLOAD_MAX_ROWS", "100000"))
KEYWORKER_UPLOAD_MAX_MARK_ROWS = int(os.environ.get("KEYWORKER_UPLOAD_MAX_MARK_ROWS", "1000000"))
KEYWORKER_UPLOAD_MAX_COLUMNS = int(os.environ.get("KEYWORKER_UPLOAD_MAX_COLUMNS", "500"))
KEYWORKER_UPLOAD_MAX_CELL_CHARS = int(os.environ.get("KEYWORKER_UPLOAD_MAX_CELL_CHARS", "10000"))
KEYWORKER_UPLOAD_MAX_CELLS = int(os.environ.get("KEYWORKER_UPLOAD_MAX_CELLS", "5000000"))
KEYWORKER_UPLOAD_MAX_UNZIPPED_MB = int(os.environ.get("KEYWORKER_UPLOAD_MAX_UNZIPPED_MB", "250"))
KEYWORKER_UPLOAD_MAX_SHARED_STRINGS_MB = int(os.environ.get("KEYWORKER_UPLOAD_MAX_SHARED_STRINGS_MB", "50"))
KEYWORKER_UPLOAD_RETENTION_HOURS = int(os.environ.get("KEYWORKER_UPLOAD_RETENTION_HOURS", "0"))
# The size limit is enforced while the request is read, before anything reaches a view.
FILE_UPLOAD_HANDLERS = [
    "keyworker.core.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("KEYWORKER_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Idle expiry: requests push the end of the session on (keyworker.accounts.middleware.SessionIdleMiddleware);
# a tablet left alone signs itself out.
# The background worker runs at this niceness (lower priority than the web), see keyworker/core/processes.py.
WORKER_NICENESS = int(os.environ.get("KEYWORKER_WORKER_NICENESS", "10"))
# Parallel query workers one read of the running worker may take on PostgreSQL (negative: the server's setting).
WORKER_PARALLEL_WORKERS = int(os.environ.get("KEYWORKER_WORKER_PARALLEL_WORKERS", "0"))
# Background work goes through Django's Tasks API (the django-tasks backport on 5.2): the queue lives in the
# database (the embedded default), in Redis through RQ (the scale option), or runs at once (tests, scripts).
KEYWORKER_TASKS_BACKEND = os.environ.get("KEYWORKER_TASKS_BACKEND", "database")
KEYWORKER_REDIS_URL = os.environ.get("KEYWORKER_REDIS_URL", "redis://127.0.0.1:6379/0")
# A task claimed longer ago than this whose worker has gone quiet (killed, partitioned) is queued again.
KEYWORKER_TASKS_CLAIM_SECONDS = float(os.environ.get("KEYWORKER_TASKS_CLAIM_SECONDS", "900"))
# A task whose worker went quiet this many times (killed by it, or a database error every time) is marked failed.
KEYWORKER_TASKS_MAX_ATTEMPTS = int(os.environ.get("KEYWORKER_TASKS_MAX_ATTEMPTS", "3"))
# A prepared download (an organisation's archive, a subject access pack, an evidence pack) is removed after this.
KEYWORKER_EXPORT_KEEP_HOURS = float(os.environ.get("KEYWORKER_EXPORT_KEEP_HOURS", "24"))
TASK_QUEUES = ["default"]
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": TASK_QUEUES},
}
if KEYWORKER_TASKS_BACKEND not in _TASK_BACKENDS:
    raise RuntimeError(f"KEYWORKER_TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}")
TASKS = {"default": _TASK_BACKENDS[KEYWORKER_TASKS_BACKEND]}
if KEYWORKER_TASKS_BACKEND == "rq":
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_tasks_db"), "django_rq")
    RQ_QUEUES = {name: {"URL": KEYWORKER_REDIS_URL, "DEFAULT_TIMEOUT": int(KEYWORKER_TASKS_CLAIM_SECONDS)}
                 for name in TASK_QUEUES}
SESSION_IDLE_MINUTES = int(os.environ.get("KEYWORKER_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# Carers (often on a shared family phone or tablet) are signed out sooner when idle.
CARER_SESSION_IDLE_MINUTES = int(os.environ.get("KEYWORKER_CARER_SESSION_IDLE_MINUTES", "15"))

# HTTPS: on by default in production (behind a proxy that ends TLS, set KEYWORKER_PROXY_COUNT).
SECURE_SSL_REDIRECT = env_bool("KEYWORKER_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("KEYWORKER_HSTS_SECONDS", str(365 * 24 * 3600 if PRODUCTION else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # a load balancer's plain-HTTP health check gets its answer, not a redirect
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
EMAIL_HOST = os.environ.get("KEYWORKER_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KEYWORKER_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("KEYWORKER_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KEYWORKER_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KEYWORKER_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("KEYWORKER_EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise RuntimeError("Set KEYWORKER_EMAIL_USE_TLS or KEYWORKER_EMAIL_USE_SSL, not both")
# Seconds any one step with the mail server may take; a hung server then costs a worker this long, not forever.
# The worker's claim on an e-mail outlasts a whole send at this timeout (see notifications.services).
EMAIL_TIMEOUT = float(os.environ.get("KEYWORKER_EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("KEYWORKER_DEFAULT_FROM_EMAIL", "Keyworker <keyworker@localhost>")
SERVER_EMAIL = os.environ.get("KEYWORKER_SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Where the file back end (django.core.mail.backends.filebased.EmailBackend) writes e-mails (the demo does).
EMAIL_FILE_PATH = os.environ.get("KEYWORKER_EMAIL_FILE_PATH", str(BASE_DIR / "demo-emails"))

# API tokens expire this many hours after they are issued.
KEYWORKER_API_TOKEN_HOURS = int(os.environ.get("KEYWORKER_API_TOKEN_HOURS", "8"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "keyworker.accounts.tokens.ApiTokenAuthentication",  # ours: expiring, several per person, revoked on a new password
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["keyworker.core.api.permissions.IsStaffMember"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "keyworker.core.api.errors.exception_handler",
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
        "**Authentication**: `Authorization: Token <token>` (get one with POST /api/v1/auth/token/ and your "
        "e-mail address, password and, if you have one, a second-factor code `otp`; it expires after "
        "KEYWORKER_API_TOKEN_HOURS hours, 8 by default, and when your password changes) or the signed-in session.\n\n"
        "**Restricted records** (safeguarding concerns, flagged contacts): a token reads them only if it was issued "
        "with a second-factor code, and only for 15 minutes after; a session only within 15 minutes of confirming "
        "the password (and second factor) at /accounts/confirm/. Otherwise the answer is 403 "
        '`{"detail": "…", "code": "confirmation_required"}` and never the record.\n\n'
        "**Organisation**: requests act in your first organisation; send "
        "`X-Organisation: <id>` to act in another of yours (see /api/v1/me/).\n\n"
        "**Scope**: you see only what your roles allow; a record outside your scope answers 404, exactly as a "
        "missing one. Ids you send (family, setting, class, staff) are looked up only among the records of "
        "your organisation that you may see; any other id is the field error \"Not found.\".\n\n"
        "**Errors**: invalid input is 400 with one list of messages per field, and a code for each message: "
        '`{"errors": {"field": ["message"]}, "codes": {"field": ["code"]}}`; "non_field_errors" holds messages '
        'about the request as a whole; a field of an object in a list is named by its path ("marks.0.code"), and a '
        "field holding a list or a mapping of values keeps their messages under its own name (\"item 2: …\"). "
        "When a business rule refuses an action, the body also names the rule: "
        '`{"errors": {"staff": ["…"]}, "codes": {"staff": ["class_team"]}, "rule": "class_team"}`. '
        'Other errors are `{"detail": "message"}`: 401 not signed in, 403 not allowed, 404 `{"detail": "Not found."}`.'
        "\n\n**Edits** (PUT, PATCH) send back the record's `version` as read (required): if someone saved it since, "
        'the answer is 409 `{"detail": "…", "code": "conflict", "current": {…}}` with the saved record, and nothing is saved.'
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
        "SettingKindEnum": "keyworker.organisations.models.SettingKind",
        "AppointmentKindEnum": "keyworker.meetings.models.AppointmentKind",
        "InviteeKindEnum": "keyworker.meetings.models.InviteeKind",
        "ContactChannelEnum": "keyworker.contacts.models.Channel",
        "RecordableChannelEnum": "keyworker.contacts.models.RECORDABLE_CHANNELS",
        "TargetStatusEnum": "keyworker.targets.models.TargetStatus",
        "TargetShareMethodEnum": "keyworker.targets.models.ShareMethod",
    },
}

# Logs: JSON lines (one object per line, for a log collector) or text for a person at a terminal. Every line carries
# the request id (X-Request-ID when a well-formed one comes in, else a new one; sent back in the response) or, in the
# background worker, the id of the task or cycle it belongs to.
KEYWORKER_LOG_FORMAT = os.environ.get("KEYWORKER_LOG_FORMAT", "json" if PRODUCTION else "text")
if KEYWORKER_LOG_FORMAT not in {"json", "text"}:
    raise RuntimeError("KEYWORKER_LOG_FORMAT must be json or text")
# One line per request (method, path, status, time taken) on the logger keyworker.access.
KEYWORKER_ACCESS_LOG = env_bool("KEYWORKER_ACCESS_LOG", PRODUCTION)
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,  # only a UUID is taken from outside; anything else is replaced by a new id
    "UUID_LENGTH": 32,
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"ids": {"()": "keyworker.core.logs.IdsFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(task_id)s %(cycle_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
        "text": {"()": "keyworker.core.logs.TextFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["ids"], "formatter": KEYWORKER_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("KEYWORKER_LOG_LEVEL", "WARNING")},
    "loggers": {
        "keyworker.access": {"level": "INFO" if KEYWORKER_ACCESS_LOG else "WARNING"},
        "django_guid": {"level": "ERROR"},  # its per-request lines (and a client's malformed id) are noise
    },
}
