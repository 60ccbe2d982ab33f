"""Project settings. Every value comes from the environment with a safe default.

Values missing from the environment are read from ``$ZHILI_VAR/zhili.env`` (``KEY=value`` lines)
when that file exists: ``make demo`` writes it (DEBUG=1 and a generated SECRET_KEY), so that every
``zhili`` command of the README works as written in a new shell. The environment always wins, and
the file is ignored under tests.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("ZHILI_HOME", Path.cwd()))
VAR_DIR = Path(os.environ.get("ZHILI_VAR", PROJECT_DIR / "var"))
ENV_FILE = VAR_DIR / "zhili.env"


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines; blank lines and ``#`` comments are skipped."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


if ENV_FILE.is_file() and os.environ.get("ZHILI_TESTING", "").lower() not in {"1", "true", "yes"}:
    for _key, _value in read_env_file(ENV_FILE).items():
        os.environ.setdefault(_key, _value)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
# Under tests a code without a label (core.labels) raises instead of reading "其他操作".
ZHILI_TESTING = env_bool("ZHILI_TESTING", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not ZHILI_TESTING:
        # Refuse to run a production server with a guessable key.
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "zhili-insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
PORT = int(os.environ.get("PORT", "8000"))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves its Swagger UI from local static files (no CDN)
    "django_htmx",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "zhili.core",
    "zhili.org",
    "zhili.areas",
    "zhili.matters",
    "zhili.open311",
    "zhili.risks",
    "zhili.disputes",
    "zhili.targets",
    "zhili.visits",
    "zhili.compounds",
    "zhili.legal",
    "zhili.deliberation",
    "zhili.indicators",
    "zhili.cockpit",
    "zhili.screens",
    "zhili.points",
    "zhili.wages",
    "zhili.portal",
    "zhili.demo",
    "zhili.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zhili.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhili.core.middleware.SessionRenewalMiddleware",
    "zhili.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "zhili.org.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zhili.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "zhili.urls"
WSGI_APPLICATION = "zhili.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhili.core.context_processors.navigation",
            ],
        },
    }
]

# Django's form renderer, with the choice widgets (select, radio buttons, checkboxes) drawn in
# Python instead of one template include per option (core/form_renderer.py).
FORM_RENDERER = "zhili.core.form_renderer.Renderer"

# Database: DATABASE_URL, default an embedded SQLite file in WAL mode. Connections are kept
# between requests on SQLite too: reopening one (pragmas, schema, statement cache) cost about as
# much as the rest of an API intake (the intake benchmark, issue 6).
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'zhili.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
# DATABASE_REPLICA_URL: a streaming replica of the primary (PostgreSQL); statistics, the cockpit
# and exports read from it (core.db_router), everything else from the primary. Tests mirror it.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# PostgreSQL binds parameters on the server, and psycopg prepares a statement once a connection
# has run it DATABASE_PREPARE_THRESHOLD times (default 2: the third run prepares it): the list and
# intake statements were parsed and planned anew for every request, and planning cost more than
# running (docs/performance.md, "Prepared statements"). "off" binds on the client, as Django does
# by default: needed behind a pooler in transaction mode that does not track prepared statements
# (PgBouncer before 1.21). Set but empty: the default.
DATABASE_PREPARE_THRESHOLD = os.environ.get("DATABASE_PREPARE_THRESHOLD", "").strip().lower() or "2"
if DATABASE_PREPARE_THRESHOLD != "off" and not (
    DATABASE_PREPARE_THRESHOLD.isascii() and DATABASE_PREPARE_THRESHOLD.isdigit()
):
    raise ImproperlyConfigured("DATABASE_PREPARE_THRESHOLD: a whole number, or off")
for _db in DATABASES.values():
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        # Django's SQLite, with a JSON probe that does not wait for writers (its docstring).
        _db["ENGINE"] = "zhili.core.backends.sqlite3"
        # Tests: an in-memory database per process, as Django does for its own SQLite engine
        # (pytest-django recognises that engine by name only).
        _db.setdefault("TEST", {}).setdefault("NAME", ":memory:")
        _db["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    elif _db["ENGINE"] == "django.db.backends.postgresql" and DATABASE_PREPARE_THRESHOLD != "off":
        _db.setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=int(DATABASE_PREPARE_THRESHOLD)
        )
DATABASE_ROUTERS = ["zhili.core.db_router.ReportReplicaRouter"]
# An index's included (non-key) columns are PostgreSQL's: SQLite builds the same index on its key
# columns alone (matters' matter_open_due_idx), which is all it can use. Said once, here.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: idle timeout (seconds), renewed by a request at most once a minute
# (core.middleware.SessionRenewalMiddleware; not SESSION_SAVE_EVERY_REQUEST, a write per page).
SESSION_COOKIE_AGE = int(os.environ.get("ZHILI_SESSION_TIMEOUT", str(30 * 60)))
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# HTTPS (`check --deploy` is clean with ZHILI_HTTPS=1): secure cookies, redirect to https, HSTS.
# Each piece is configurable on its own; behind a TLS-terminating proxy set
# ZHILI_PROXY_SSL_HEADER=1 so that X-Forwarded-Proto: https counts as https.
ZHILI_HTTPS = env_bool("ZHILI_HTTPS", False)
SESSION_COOKIE_SECURE = env_bool("ZHILI_SECURE_COOKIES", ZHILI_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("ZHILI_SSL_REDIRECT", ZHILI_HTTPS)
SECURE_HSTS_SECONDS = int(
    os.environ.get("ZHILI_HSTS_SECONDS", str(365 * 24 * 3600 if ZHILI_HTTPS else 0))
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ZHILI_HSTS_INCLUDE_SUBDOMAINS", ZHILI_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("ZHILI_HSTS_PRELOAD", ZHILI_HTTPS)
if env_bool("ZHILI_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz answers plain HTTP too (a load balancer's probe).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Login throttling: this many failures for one username or one address within the window
# lock further attempts for the window.
ZHILI_LOGIN_MAX_FAILURES = int(os.environ.get("ZHILI_LOGIN_MAX_FAILURES", "5"))
ZHILI_LOGIN_LOCK_SECONDS = int(os.environ.get("ZHILI_LOGIN_LOCK_SECONDS", str(15 * 60)))
# Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed:
# per-address limits then count the client's address, not the proxy's. Empty: none.
ZHILI_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("ZHILI_TRUSTED_PROXIES", "").split(",") if p.strip()
]
# The cache the per-address limits of the public pages count in: a folder under var/ that
# every worker process shares (ZHILI_CACHE_DIR); tests use a per-process memory cache.
# REDIS_URL (e.g. redis://10.0.0.5:6379/0) moves this cache to Redis, shared by every process on
# every machine (the login lock and the public throttles then count across machines).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        if ZHILI_TESTING
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("ZHILI_CACHE_DIR", str(VAR_DIR / "cache")),
        }
    )
}

# The second factor (TOTP) for roles that can reveal personal data or administer roles
# (org.second_factor): on unless DEBUG (the demo) or the tests; ZHILI_OTP_REQUIRED=0/1 decides.
ZHILI_OTP_REQUIRED = env_bool("ZHILI_OTP_REQUIRED", not (DEBUG or ZHILI_TESTING))
OTP_TOTP_ISSUER = os.environ.get("ZHILI_OTP_ISSUER", "Zhili 治理")

# Personal identifiers encrypted at rest (core.privacy_crypto): the key (any string; without it
# one is derived from SECRET_KEY), and earlier keys still read until `zhili rotate_field_key`.
ZHILI_FIELD_KEY = os.environ.get("ZHILI_FIELD_KEY", "")
ZHILI_FIELD_KEYS_OLD = os.environ.get("ZHILI_FIELD_KEYS_OLD", "")

# Retention: `zhili anonymise_closed` blanks the reporter's name and phone of matters closed
# (or rejected, merged) more than this many years ago (matters.retention); 0 turns it off.
ZHILI_RETENTION_YEARS = int(os.environ.get("ZHILI_RETENTION_YEARS", "5"))

# API tokens expire this many days after they are made (0: never); a password change revokes them.
ZHILI_TOKEN_DAYS = int(os.environ.get("ZHILI_TOKEN_DAYS", "90"))

# Audit retention in days; 0 keeps everything (the default).
ZHILI_AUDIT_RETENTION_DAYS = int(os.environ.get("ZHILI_AUDIT_RETENTION_DAYS", "0"))

# Uploaded files (boundaries, imports, later photos), stored under var/.
MEDIA_ROOT = Path(os.environ.get("ZHILI_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
ZHILI_MAX_IMPORT_BYTES = int(os.environ.get("ZHILI_MAX_IMPORT_BYTES", str(10 * 1024 * 1024)))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates read 2026-12-07 and times 2026-12-07 09:30 in both languages (zhili/core/formats).
FORMAT_MODULE_PATH = ["zhili.core.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("ZHILI_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
NODE_MODULES = Path(os.environ.get("ZHILI_NODE_MODULES", PROJECT_DIR / "node_modules"))
# Front-end packages come from npm (package.json, `npm ci`), never from a CDN.
STATICFILES_DIRS = [
    ("vendor/tabler/css", NODE_MODULES / "@tabler/core/dist/css"),
    ("vendor/tabler/js", NODE_MODULES / "@tabler/core/dist/js"),
    ("vendor/echarts", NODE_MODULES / "echarts/dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"

# Background tasks: queued in the database (one machine, the default), or with REDIS_URL in Redis
# through RQ (django-tasks-rq), so workers on several machines share one queue.
# Among several `zhili worker` processes, the holder of a lease of this many seconds enqueues the
# periodic tasks (core.leader); if it dies another takes over within this time.
ZHILI_SCHEDULER_LEASE_SECONDS = float(os.environ.get("ZHILI_SCHEDULER_LEASE_SECONDS", "30"))
if REDIS_URL:
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    INSTALLED_APPS += ["django_rq"]
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# The root of the area tree this installation governs (Chongqing by default).
ZHILI_ROOT_CODE = os.environ.get("ZHILI_ROOT_CODE", "500000")

# Time limits and supervision (督办), run by `zhili worker` (docs/matters.md).
# Warn the responsible people this many hours before a stage's deadline (0 turns warnings off);
# escalate to the level above this many hours after the supervision notice of an overdue matter;
# enqueue the deadline sweep every this many seconds.
ZHILI_WARN_BEFORE_HOURS = float(os.environ.get("ZHILI_WARN_BEFORE_HOURS", "24"))
ZHILI_ESCALATE_AFTER_HOURS = float(os.environ.get("ZHILI_ESCALATE_AFTER_HOURS", "24"))
ZHILI_SWEEP_INTERVAL_SECONDS = int(os.environ.get("ZHILI_SWEEP_INTERVAL_SECONDS", "300"))

# Residents' matters: duplicate suggestions at intake (docs/matters.md) and the attachment limit.
ZHILI_DUPLICATE_RADIUS_M = float(os.environ.get("ZHILI_DUPLICATE_RADIUS_M", "200"))
ZHILI_DUPLICATE_WINDOW_DAYS = float(os.environ.get("ZHILI_DUPLICATE_WINDOW_DAYS", "7"))
ZHILI_DUPLICATE_MIN_SIMILARITY = float(os.environ.get("ZHILI_DUPLICATE_MIN_SIMILARITY", "0.3"))
ZHILI_MAX_ATTACHMENT_BYTES = int(
    os.environ.get("ZHILI_MAX_ATTACHMENT_BYTES", str(10 * 1024 * 1024))
)

# Categories whose matters the public Open311 feed never lists or shows (codes, comma-separated;
# their sub-categories too): complaints about cadres and petition follow-ups by default.
ZHILI_OPEN311_PRIVATE_CATEGORIES = [
    c.strip()
    for c in os.environ.get(
        "ZHILI_OPEN311_PRIVATE_CATEGORIES", "cadre-conduct,petition-follow"
    ).split(",")
    if c.strip()
]

# Intake endpoints that honour an Idempotency-Key header (path regexes, POST only), and how many
# days a key is remembered (core.idempotency).
ZHILI_IDEMPOTENT_PATHS = [
    r"^/api/v1/matters$",
    r"^/api/v1/matters/batch$",
    r"^/open311/v2/requests\.(json|xml)$",
]
ZHILI_IDEMPOTENCY_DAYS = int(os.environ.get("ZHILI_IDEMPOTENCY_DAYS", "7"))

# Metrics of matters: rankings list only areas or units with at least this many cases (docs/matters.md).
ZHILI_RANKING_MIN_SAMPLE = int(os.environ.get("ZHILI_RANKING_MIN_SAMPLE", "30"))

# 公示屏 (docs/screens.md): the address residents' phones reach the site at ("https://zhili.example.cn"),
# for the rating page's QR code on the screens; empty: the address the screen itself was opened at.
ZHILI_PUBLIC_URL = os.environ.get("ZHILI_PUBLIC_URL", "").rstrip("/")

# 楼栋工作日 (docs/visits.md): done visits a cadre makes each week to count as weekly contact
# (奉节's practice; assumed 1), and the fewest/most streets a 包片 leader follows ("1,2").
ZHILI_VISITS_WEEKLY_MIN = int(os.environ.get("ZHILI_VISITS_WEEKLY_MIN", "1"))
ZHILI_LIAISON_STREETS = tuple(
    int(n) for n in os.environ.get("ZHILI_LIAISON_STREETS", "1,2").split(",")[:2]
)
