"""Settings from the environment.

Embedded default (no env vars): SQLite file, Celery tasks in-process, local files.
Services: DATABASE_URL (PostgreSQL) and REDIS_URL (Celery broker and cache).
DJANGO_ENV=production refuses to start without DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from seller_desk.csp import policy as csp_policy

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = os.environ.get("DJANGO_ENV") == "production"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


if PRODUCTION:
    for required in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"):
        if not os.environ.get(required):
            raise ImproperlyConfigured(f"{required} must be set when DJANGO_ENV=production")
    SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
    # The same rule as Django's security.W009: at least 50 characters, at least 5 different ones, not
    # Django's generated "django-insecure-" placeholder. A weak key signs sessions, CSRF tokens and media URLs.
    if (
        len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
        or SECRET_KEY.startswith("django-insecure-")
        or SECRET_KEY.startswith("dev-only-")
    ):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is too weak: use at least 50 random characters, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if not os.environ.get("REDIS_URL"):
        # Login throttling and ingress rate limits count in the shared cache; a per-process cache would
        # give every gunicorn worker its own counters.
        raise ImproperlyConfigured("REDIS_URL must be set when DJANGO_ENV=production")
    DEBUG = False
else:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
    DEBUG = _flag("DJANGO_DEBUG", True)

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h.strip()
]
if not PRODUCTION:
    ALLOWED_HOSTS += ["testserver"]

INSTALLED_APPS = [
    "modeltranslation",
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
    "django_htmx",
    "seller_desk",
    "conversations",
    "templates_i18n",
    "coupons",
    "campaigns",
    "autoreply",
    "marketplace",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "seller_desk.middleware.ProxyHeadersMiddleware",
    "seller_desk.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "seller_desk.middleware.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "seller_desk.middleware.UserPreferencesMiddleware",
    "seller_desk.middleware.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "seller_desk.urls"

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
                "seller_desk.context_processors.desk",
            ],
            "builtins": ["django.templatetags.i18n", "seller_desk.templatetags.desk"],
        },
    },
]

WSGI_APPLICATION = "seller_desk.wsgi.application"

# Connections are kept for DB_CONN_MAX_AGE seconds (default 60; 0 opens one per request, as Django's default does)
# and checked before reuse (CONN_HEALTH_CHECKS), so a restarted database or a PgBouncer that closed the link costs
# one reconnect, not a failed request. Behind PgBouncer in transaction mode set DB_SERVER_PREPARED=0 (and
# DB_CONN_MAX_AGE=0 or keep it): then the desk holds no session state (no advisory locks, no SET outside a
# transaction). DB_SERVER_PREPARED (default on) makes the hot reads of seller_desk/prepared.py server-side prepared
# statements on a generic plan, which live on the connection.
DB_CONN_MAX_AGE = int(os.environ.get("DB_CONN_MAX_AGE", "60"))
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=DB_CONN_MAX_AGE,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that polls the socket instead of asking SELECT 1 (see its docstring).
    DATABASES["default"]["ENGINE"] = "seller_desk.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DB_SERVER_PREPARED = os.environ.get("DB_SERVER_PREPARED", "1") != "0"
if DB_SERVER_PREPARED and "postgresql" in DATABASES["default"]["ENGINE"]:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c plan_cache_mode=force_generic_plan"
# The seller API keeps each token's row while PostgreSQL reports no change to the tables it comes from
# (seller_desk.auth._TokenRows, LISTEN/NOTIFY); off with DB_SERVER_PREPARED=0 or DB_AUTH_CACHE=0 (PgBouncer in
# transaction mode keeps no LISTEN).
DB_AUTH_CACHE = DB_SERVER_PREPARED and os.environ.get("DB_AUTH_CACHE", "1") != "0"
# The seller API's queue pages keep each row as built while PostgreSQL's row versions of it (and of its buyer,
# order, assignee and tags) stay the same (seller_desk.row_versions): at most this many rows per process; 0 turns
# it off.
QUEUE_ROW_CACHE = int(os.environ.get("QUEUE_ROW_CACHE", "5000"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# "embeddings" holds scenario vectors for suggestion, keyed by the exact texts: shared by every process
# (Redis) or kept on disk (embedded), so a new process doesn't spend seconds embedding them again.
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "embeddings": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "embeddings": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("EMBEDDINGS_CACHE_DIR", str(BASE_DIR / ".cache" / "embeddings")),
        },
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

LANGUAGE_CODE = "en"
# The desk's interface languages (docs/i18n.md). The nine buyer languages are content languages only: they
# name the translated fields (modeltranslation) and never the seller side's words or formats.
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
]
MODELTRANSLATION_LANGUAGES = ("en", "ar", "es", "fr", "he", "ko", "pl", "pt-br", "ru")
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our date formats per interface language ("Nov 15, 2026" / "2026年11月15日"): seller_desk/formats/.
FORMAT_MODULE_PATH = ["seller_desk.formats"]
MODELTRANSLATION_FALLBACK_LANGUAGES = ()
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
HASHED_STATIC = PRODUCTION or _flag("STATIC_MANIFEST", False)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Uploaded pictures are served only under a signed URL (seller_desk/storage.py); a guessed /media/ path is a 404.
STORAGES = {
    "default": {"BACKEND": "seller_desk.storage.SignedMediaStorage"},
    # Production and the services mode serve collected files with hashed, compressed names (WhiteNoise);
    # development and tests read the source folders as they are.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if HASHED_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # seller_desk.views.home sends each role where it works
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# How many reverse proxies (load balancer, nginx) stand in front of the desk. X-Forwarded-For and
# X-Forwarded-Proto are believed only as far as these proxies wrote them (seller_desk/middleware.py
# ProxyHeadersMiddleware): with 0 both headers are dropped and the client is the socket's peer.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT:
    # The middleware leaves only the value the outermost trusted proxy wrote.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT", True)
    # The load balancer's health probe speaks plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _flag("SECURE_HSTS_PRELOAD", True)
    SECURE_REFERRER_POLICY = "same-origin"
    SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy on every response (django-csp): scripts only from our static files plus the
# listed inline handlers by hash; see seller_desk/csp.py.
CONTENT_SECURITY_POLICY = csp_policy()

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token first: a refused token answers 401 with WWW-Authenticate (the first class decides).
        "seller_desk.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "seller_desk.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "seller_desk.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # DRF's throttles read X-Forwarded-For themselves; ProxyHeadersMiddleware already put the client in
    # REMOTE_ADDR and removed the header, so 0 here means "REMOTE_ADDR".
    "NUM_PROXIES": 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Seller Desk API",
    "DESCRIPTION": "Seller-side customer service desk: ingress from the marketplace and the seller API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "seller_desk.schema.add_error_responses",
    ],
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "seller_desk.models.OrderStatus",
        "CouponStatusEnum": "coupons.models.CouponStatus",
        "DisputeStatusEnum": "seller_desk.models.DisputeStatus",
        "ConversationStatusEnum": "conversations.models.ConversationStatus",
        "InboxStateEnum": "conversations.models.InboxState",
        "CampaignStatusEnum": "campaigns.models.CampaignStatus",
        "ChannelEnum": "conversations.models.Channel",
        "IngressChannelEnum": ["message", "chat", "comment"],
    },
}

# Celery: with no REDIS_URL every task runs in-process (embedded default).
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = "UTC"
# Embedding a buyer message for the reply box's suggestions (issue 13) runs on a queue of its own, so a burst of
# ingress never delays deliveries behind ~40 ms of model time per message: every worker command consumes
# ``-Q celery,suggest`` (Procfile, docker-compose.yml); a host can also run a worker for ``suggest`` alone.
CELERY_TASK_ROUTES = {"conversations.prepare_suggestions": {"queue": "suggest"}}
CELERY_BEAT_SCHEDULE = {
    "escalate-disputes": {"task": "seller_desk.escalate_disputes", "schedule": 15 * 60},
    "campaigns-run-daily": {"task": "campaigns.run_daily", "schedule": 15 * 60},
    "worker-heartbeat": {"task": "seller_desk.worker_heartbeat", "schedule": 30},
    # The outbox (docs/operations.md): pending messages and campaign batches cut by a killed worker.
    "outbox-sweep": {
        "task": "conversations.sweep_outbox",
        "schedule": int(os.environ.get("OUTBOX_SWEEP_SECONDS", "60")),
    },
    # Every 30 s with a 30 s quiet time (CAMPAIGN_RESUME_AFTER_SECONDS): a cut batch resumes within a minute.
    "campaigns-resume-cut": {
        "task": "campaigns.resume_cut_batches",
        "schedule": min(30, int(os.environ.get("OUTBOX_SWEEP_SECONDS", "60"))),
    },
}
# acks_late + Redis: a task a dead worker held comes back after the visibility timeout. It is kept above the
# longest task (CELERY_TASK_TIME_LIMIT) so a running task is never handed to a second worker; the sweepers
# above bring a cut batch or a lost delivery back within a minute instead.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "360")),
    "socket_timeout": 5,
    "socket_connect_timeout": 5,
    "retry_on_timeout": True,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for Redis to come back, however long
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a task whose pool process was killed goes back to the queue
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5}
# The worker logs through LOGGING below (JSON lines with the task id), not Celery's own handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# The buyer simulator (marketplace/views.py) is a demo tool: its pages exist only with DEMO_MODE on (default on
# outside production, off in production unless DEMO_MODE=1), and it posts only into stores with is_demo set.
DEMO_MODE = _flag("DEMO_MODE", not PRODUCTION)

# Product settings.
DELIVERY_BACKEND = os.environ.get("DELIVERY_BACKEND", "local")  # local | http | a dotted path
SELLER_DESK = {
    "REPLY_DUE_HOURS": 24,
    "DEFAULT_STORE_TIMEZONE": "America/Los_Angeles",
    # DELIVERY_BACKEND=http POSTs every outbound message to its store's marketplace endpoint (signed).
    "DELIVERY_BACKEND": {
        "local": "conversations.delivery.RecordInBuyerChat",
        "http": "conversations.backends.MarketplaceHttp",
    }.get(DELIVERY_BACKEND, DELIVERY_BACKEND),
    "DELIVERY": {
        "MAX_ATTEMPTS": int(os.environ.get("DELIVERY_MAX_ATTEMPTS", "8")),
        "RETRY_BASE_SECONDS": float(os.environ.get("DELIVERY_RETRY_BASE_SECONDS", "5")),
        # Kept below the visibility timeout: a retry waiting in a worker is never handed to a second one.
        "RETRY_MAX_SECONDS": float(os.environ.get("DELIVERY_RETRY_MAX_SECONDS", "300")),
        "TIMEOUT_SECONDS": float(os.environ.get("DELIVERY_TIMEOUT_SECONDS", "10")),
        "SWEEP_GRACE_SECONDS": int(os.environ.get("DELIVERY_SWEEP_GRACE_SECONDS", "30")),
        # How a picture's URL is made absolute in the payload (the desk's public address).
        "PUBLIC_URL": os.environ.get("DESK_PUBLIC_URL", "").rstrip("/"),
    },
    "MAX_PICTURE_BYTES": 5 * 1024 * 1024,
    "MAX_PICTURE_PIXELS": int(os.environ.get("MAX_PICTURE_PIXELS", str(40_000_000))),
    "COUPON_MAX_ACTIVITY_DAYS": int(os.environ.get("COUPON_MAX_ACTIVITY_DAYS", "90")),
    "COUPON_QUANTITY_FACTOR": 1.2,
    "BATCH_SEND_TIERS": ("advanced", "high_potential", "waist"),
    "BATCH_DAILY_CAP": 500,
    "INBOX_POLL_SECONDS": 3,
    # seller_desk/throttle.py: failed logins per username / per client address before a lock of WINDOW.
    "LOGIN_THROTTLE": {
        "USERNAME_FAILURES": int(os.environ.get("LOGIN_USERNAME_FAILURES", "10")),
        "IP_FAILURES": int(os.environ.get("LOGIN_IP_FAILURES", "50")),
        "WINDOW_SECONDS": int(os.environ.get("LOGIN_LOCK_SECONDS", "900")),
    },
    # Seller API tokens (POST /api/v1/auth/token) stop working this many hours after they were issued.
    "API_TOKEN_TTL_HOURS": int(os.environ.get("API_TOKEN_TTL_HOURS", str(24 * 30))),
    # Ingress requests per integration token per minute (429 with Retry-After above it).
    "INGRESS_RATE_PER_MINUTE": int(os.environ.get("INGRESS_RATE_PER_MINUTE", "1200")),
    # seller_desk/middleware.py: ingress bodies (413 above these), JSON nesting (400 deeper than this).
    "REQUEST_LIMITS": {
        "INGRESS_JSON_BYTES": int(os.environ.get("INGRESS_JSON_BYTES", str(2 * 1024 * 1024))),
        # A dispute may carry the buyer's video (MAX_VIDEO_BYTES) and photos: room for both.
        "INGRESS_MULTIPART_BYTES": int(os.environ.get("INGRESS_MULTIPART_BYTES", str(96 * 1024 * 1024))),
        "MAX_JSON_DEPTH": 32,
    },
    # R23: days one extension of buyer protection may add, and all extensions of an order together.
    "PROTECTION_EXTENSION_MAX_DAYS": int(os.environ.get("PROTECTION_EXTENSION_MAX_DAYS", "30")),
    "PROTECTION_EXTENSION_TOTAL_MAX_DAYS": int(os.environ.get("PROTECTION_EXTENSION_TOTAL_MAX_DAYS", "60")),
    # Dispute evidence: a video (MP4/WebM, checked by its container) of at most this many bytes.
    "MAX_VIDEO_BYTES": int(os.environ.get("MAX_VIDEO_BYTES", str(50 * 1024 * 1024))),
    "DISPUTE_EVIDENCE_MAX_PHOTOS": 6,
}

# One JSON object per line with request_id / task_id / store / user (seller_desk/logging.py);
# LOG_FORMAT=text for plain lines while developing.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "seller_desk.logging.ContextFilter"}},
    "formatters": {
        "json": {"()": "seller_desk.logging.JsonFormatter"},
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [request=%(request_id)s task=%(task_id)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "text" if os.environ.get("LOG_FORMAT") == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.server": {"level": "WARNING"},  # runserver's own access line: ours has the request id
    },
}
WHITENOISE_USE_FINDERS = not HASHED_STATIC
WHITENOISE_MAX_AGE = 365 * 24 * 3600 if HASHED_STATIC else 0  # hashed names never change
