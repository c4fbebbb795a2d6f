"""Settings for the helpdesk.

Defaults run a fresh checkout on SQLite with eager Celery; production differs
only by environment values (see the configuration table in README.md).
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from .env import (
    env_bool,
    env_choice,
    env_email,
    env_int,
    env_list,
    env_str,
    env_timezone,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HELPDESK_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# A known key for development only; HELPDESK_REQUIRE_SECRET (docker compose) refuses it.
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", "") or _DEV_SECRET
if SECRET_KEY == _DEV_SECRET and not DEBUG and env_bool("HELPDESK_REQUIRE_SECRET", False):
    raise ImproperlyConfigured("SECRET_KEY must be set in production")
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https")).rstrip("/")
# The origin of SITE_URL (scheme, host, port), whatever path SITE_URL carries.
# A styled, translated page instead of Django's bare one (helpdesk/errors.py).
CSRF_FAILURE_VIEW = "helpdesk.errors.csrf_failure"
CSRF_TRUSTED_ORIGINS = [f"{urlparse(SITE_URL).scheme}://{urlparse(SITE_URL).netloc}"]

INSTALLED_APPS = [
    # Live chat (docs/live-chat.md): daphne first, so runserver (make run) serves websockets.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "anymail",
    "axes",
    "helpdesk",
    "tickets",
    "surveys",
    "metrics",
    "rules",
    "integrations",
    # Identity (docs/identity.md): SSO, two-factor, named API tokens; the audit log.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "identity",
    "audit",
    "channels",  # live chat
    "chat",
    # Demo data, `make run`'s server with its jobs, benchmarks: may import every app.
    "demo",
]

MIDDLEWARE = [
    "helpdesk.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "helpdesk.middleware.RejectNulCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Identity (docs/identity.md): two-factor state of the session, the audit log's request.
    "django_otp.middleware.OTPMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "helpdesk.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Identity: managers and admins sent to two-factor enrolment when it is required.
    "identity.middleware.RequireTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

# Database: SQLite file by default, anything dj-database-url understands otherwise.
_DEFAULT_DB = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASE_URL = env_url(
    "DATABASE_URL", _DEFAULT_DB, schemes=("sqlite", "postgres", "postgresql", "pgsql")
)
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # Covering indexes (INCLUDE) serve PostgreSQL's index-only scans (docs/performance.md);
    # SQLite builds them without the extra columns, which is all the embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The reads of helpdesk.prepared run as server-side prepared statements, planned once
    # per connection (docs/performance.md, "Planned once"); every other query is bound on
    # the client as Django does by default. Behind PgBouncer in transaction mode without
    # max_prepared_statements, set DATABASE_PREPARED_STATEMENTS=false.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        0 if env_bool("DATABASE_PREPARED_STATEMENTS", True) else None)
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "helpdesk.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# axes refuses sign-ins of a locked-out account or IP before any password is checked.
AUTHENTICATION_BACKENDS = [
    "helpdesk.auth_views.LoginThrottleBackend",
    # Django's ModelBackend reading the user with prepared SQL; sessions signed in through
    # ModelBackend before were moved to it (helpdesk/migrations/0008).
    "helpdesk.auth_views.PasswordBackend",
    # Only answers the OIDC callback (code + state); idle unless OIDC_DISCOVERY_URL is set.
    "identity.sso.HelpdeskOIDCBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Internationalization: the app ships English and Finnish.
LANGUAGE_CODE = env_choice("LANGUAGE_CODE", "en", ("en", "fi"))
LANGUAGES = [("en", _("English")), ("fi", _("Finnish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_timezone("TIME_ZONE", "Europe/Helsinki")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Celery: eager (in-process) unless a broker is configured.
REDIS_URL = env_url("REDIS_URL", "", schemes=("redis", "rediss", "unix"))
# The cache holds rate-limit counters and agents' presence on tickets; with several
# web processes it must be shared, so it lives in Redis when there is one.
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend, one client per pool (helpdesk/cache.py).
            "BACKEND": "helpdesk.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "helpdesk",
            # A Redis that does not answer must cost a page a second at most: what lives
            # here may be lost, and helpdesk/cache.py treats an error as a miss.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Broker outages: the worker waits them out, however long and however often
# (docs/email-delivery.md, "Broker outages"). Celery's default gives up after 100
# reconnection attempts (about 50 minutes) and the worker exits.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A channel error while Redis restarts (e.g. still loading its data) is one more outage.
CELERY_BROKER_CHANNEL_ERROR_RETRY = True
# Tasks already running finish; their messages come back after the visibility timeout
# and find the work done (the outbox claim and every beat task are idempotent).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    # Notice a dead or half-open connection within seconds instead of hanging on it.
    "socket_timeout": 10,
    "socket_keepalive": True,
    "health_check_interval": 10,
    "retry_on_timeout": True,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}  # filled in by helpdesk/celery.py from each app's schedule

# Email: every message goes through the outbox, then this backend.
# Django 6.1 deprecates EMAIL_BACKEND/EMAIL_FILE_PATH as settings; the environment
# variables of docs/api.md still choose the backend, expressed as MAILERS.
# The default prints each message readably, links whole (helpdesk/console_mail.py).
_EMAIL_BACKEND = env_str("EMAIL_BACKEND", "helpdesk.console_mail.EmailBackend")
_EMAIL_OPTIONS = {}
if _EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    _EMAIL_OPTIONS["file_path"] = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env_email("DEFAULT_FROM_EMAIL", "Support <support@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and key != "ANYMAIL_WEBHOOK_SECRET"
}
ANYMAIL_WEBHOOK_SECRET = env_str("ANYMAIL_WEBHOOK_SECRET", "")
if ANYMAIL_WEBHOOK_SECRET:
    if ":" not in ANYMAIL_WEBHOOK_SECRET:
        raise ImproperlyConfigured("ANYMAIL_WEBHOOK_SECRET must look like 'user:password'")
    ANYMAIL["WEBHOOK_SECRET"] = ANYMAIL_WEBHOOK_SECRET

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Named, hashed, scoped tokens; still "Authorization: Token <key>" (docs/identity.md).
        "identity.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["helpdesk.permissions.IsStaffUser"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "helpdesk.pagination.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "helpdesk.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "DESCRIPTION": "Tickets, messages, survey responses and CX metrics.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from the online validator: the docs page loads nothing from other origins.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "tickets.models.Ticket.Status",
        "WebhookDeliveryStatusEnum": "integrations.models.WebhookDelivery.Status",
        "RuleEventEnum": "rules.schema.EVENT_NAMES",
        "WebhookEventEnum": "integrations.models.Event",
        "SurveyKindEnum": "surveys.models.Kind",  # transactional | relationship
        "RuleKindEnum": "rules.models.Rule.Kind",
    },
}

# Product settings.
HELPDESK_TICKET_PREFIX = env_str("HELPDESK_TICKET_PREFIX", "HD")
# A solved ticket with no activity for this many hours is closed by the beat task.
HELPDESK_AUTO_CLOSE_HOURS = env_int("HELPDESK_AUTO_CLOSE_HOURS", 96, minimum=1)
HELPDESK_MIN_RESPONSES = env_int("HELPDESK_MIN_RESPONSES", 30, minimum=1)
HELPDESK_INTAKE_SECRET = env_str("HELPDESK_INTAKE_SECRET", "")
# Monitoring may send "Authorization: Bearer <this>" to /healthz for the per-check detail.
HELPDESK_HEALTH_TOKEN = env_str("HELPDESK_HEALTH_TOKEN", "")
# Signed intake requests: how far X-Timestamp may be from our clock (seconds), and whether
# the original body-only signature is still accepted for bodies with an external_id.
HELPDESK_INTAKE_MAX_SKEW = env_int("HELPDESK_INTAKE_MAX_SKEW", 300, minimum=1)
HELPDESK_INTAKE_LEGACY_SIGNATURES = env_bool("HELPDESK_INTAKE_LEGACY_SIGNATURES", True)
HELPDESK_MAX_ATTACHMENT_BYTES = env_int("HELPDESK_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)
# -- Agent replies (docs/replies.md): all files of one reply together, and how many.
HELPDESK_MAX_REPLY_ATTACHMENT_BYTES = env_int("HELPDESK_MAX_REPLY_ATTACHMENT_BYTES",
                                              20 * 1024 * 1024, minimum=1)
HELPDESK_MAX_REPLY_FILES = env_int("HELPDESK_MAX_REPLY_FILES", 10, minimum=1)
# The outbox's claim on a row while sending: a sender that has not finished after this
# many seconds is presumed dead and the row is settled from tracking or sent again.
HELPDESK_OUTBOX_LEASE_SECONDS = env_int("HELPDESK_OUTBOX_LEASE_SECONDS", 600, minimum=30)
HELPDESK_BRAND_NAME = env_str("HELPDESK_BRAND_NAME", "Helpdesk")
# Retention (docs/privacy.md), 0 = keep: erase what was written on tickets closed this many
# months ago, and delete quarantined raw email after this many days.
HELPDESK_RETENTION_CLOSED_MONTHS = env_int("HELPDESK_RETENTION_CLOSED_MONTHS", 0, minimum=0)
HELPDESK_RETENTION_QUARANTINE_DAYS = env_int("HELPDESK_RETENTION_QUARANTINE_DAYS", 0, minimum=0)
# Sites allowed to embed the chat widget (CORS); ["*"] allows any site.
HELPDESK_WIDGET_ORIGINS = env_list("HELPDESK_WIDGET_ORIGINS", ["*"])

# Sign-in throttling (django-axes), state in the database so it holds without Redis and
# across web processes: after HELPDESK_LOGIN_FAILURE_LIMIT failures an account, and
# separately an IP, is locked for HELPDESK_LOGIN_COOLOFF_MINUTES (docs/resilience.md).
AXES_ENABLED = env_bool("HELPDESK_LOGIN_THROTTLE", True)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("HELPDESK_LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HELPDESK_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "helpdesk.auth_views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
# The client's address is REMOTE_ADDR, rewritten by TrustedProxyMiddleware behind proxies.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# Reverse proxies in front of gunicorn that append to X-Forwarded-For (0: none trusted).
HELPDESK_TRUSTED_PROXIES = env_int("HELPDESK_TRUSTED_PROXIES", 0, minimum=0)
AXES_VERBOSE = False
# Password-reset mails per address, and reset requests per IP, per hour (database state).
HELPDESK_PASSWORD_RESETS_PER_ADDRESS = env_int("HELPDESK_PASSWORD_RESETS_PER_ADDRESS", 3,
                                               minimum=1)
HELPDESK_PASSWORD_RESETS_PER_IP = env_int("HELPDESK_PASSWORD_RESETS_PER_IP", 20, minimum=1)

# Identity (docs/identity.md). Single sign-on with OpenID Connect is on when
# OIDC_DISCOVERY_URL is set (the provider's /.well-known/openid-configuration).
OIDC_DISCOVERY_URL = env_url("OIDC_DISCOVERY_URL", "", schemes=("https", "http"))
HELPDESK_SSO_ENABLED = bool(OIDC_DISCOVERY_URL)
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "SSO")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
if HELPDESK_SSO_ENABLED and not OIDC_RP_CLIENT_ID:
    raise ImproperlyConfigured("OIDC_CLIENT_ID must be set when OIDC_DISCOVERY_URL is set")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = env_choice("OIDC_SIGN_ALGO", "RS256", ("RS256", "RS384", "RS512", "ES256",
                                                           "ES384", "ES512", "PS256"))
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
# Email domains whose users may sign in through SSO (empty: any the provider vouches for).
HELPDESK_SSO_ALLOWED_DOMAINS = [d.lower().lstrip("@") for d in
                                env_list("HELPDESK_SSO_ALLOWED_DOMAINS", [])]
# Create a staff user on first SSO sign-in, with this role ("" = never create).
HELPDESK_SSO_DEFAULT_ROLE = env_choice("HELPDESK_SSO_DEFAULT_ROLE", "",
                                       ("", "agent", "analyst", "manager", "admin"))
OIDC_CREATE_USER = bool(HELPDESK_SSO_DEFAULT_ROLE)
# Password sign-in for staff; turning it off needs SSO (else nobody could sign in).
HELPDESK_PASSWORD_LOGIN = env_bool("HELPDESK_PASSWORD_LOGIN", True)
if not HELPDESK_PASSWORD_LOGIN and not HELPDESK_SSO_ENABLED:
    raise ImproperlyConfigured("HELPDESK_PASSWORD_LOGIN=false needs OIDC_DISCOVERY_URL (SSO)")
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
OIDC_AUTHENTICATE_CLASS = "identity.sso.HelpdeskOIDCRequestView"
OIDC_CALLBACK_CLASS = "identity.sso.HelpdeskOIDCCallbackView"
# Managers and admins who sign in with a password must use two-factor (sent to enrolment).
HELPDESK_REQUIRE_2FA = env_bool("HELPDESK_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = env_str("HELPDESK_BRAND_NAME", "Helpdesk")

# HTTPS. A SITE_URL of https:// turns on secure cookies, HSTS and the redirect to HTTPS;
# each can be set explicitly (docs/resilience.md). SECURE_PROXY_SSL_HEADER is opt-in:
# trusting X-Forwarded-Proto is only safe behind a proxy that always sets it.
_HTTPS = urlparse(SITE_URL).scheme == "https"
# Read from Redis, written through to the database (helpdesk/sessions.py). Without Redis
# each process's cache is its own and a sign-out would not reach another process's copy:
# the database alone, as Django does by default.
SESSION_ENGINE = "helpdesk.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _HTTPS)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
# Load balancers probe /healthz over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy of every page (docs/security.md): our own origin only, scripts from
# files (or a per-request nonce), no inline style, nothing may frame us. Views that need
# another policy (a customer's email shown in a frame, files people sent) set their own.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {"console": {"class": "logging.StreamHandler"},
                 "mail_admins": {"level": "ERROR", "filters": ["require_debug_false"],
                                 "class": "django.utils.log.AdminEmailHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # axes logs every sign-in at INFO; lockouts and repeated failures are WARNING.
    # "django": Django's own console handler (DEBUG only) would print each of its lines a
    # second time, the root's handler being the first (every request of `make run` twice);
    # the root prints them, mail_admins stays as Django configures it.
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"},
                "django": {"handlers": ["mail_admins"], "level": "INFO"}},
}

# Extension points, so tickets never imports the apps built on it:
# callables (request, ticket) -> HTML rendered in the ticket page's side panel.
HELPDESK_TICKET_SIDE_PANELS = ["surveys.panels.customer_scores"]

# Customer and organization pages, relationship surveys, contact budget, alerts
# (docs/customers.md, docs/relationship-surveys.md). Panels: callables (request, customer)
# and (request, organization) -> HTML, so tickets never imports surveys or metrics.
HELPDESK_CUSTOMER_PANELS = ["surveys.profile_panels.customer_surveys"]
HELPDESK_ORGANIZATION_PANELS = ["metrics.health.organization_health"]
# One contact budget: a person is asked at most once per window, whatever the survey kind.
HELPDESK_CONTACT_WINDOW_DAYS = env_int("HELPDESK_CONTACT_WINDOW_DAYS", 30, minimum=1)
# Callables (customer_ids, since) -> {customer id: last time asked}: other ways of asking
# (in-chat ratings) that count against the budget; surveys' own invitations always count.
HELPDESK_CONTACT_SOURCES: list[str] = ["chat.contact.rating_asks"]  # in-chat rating asks
# Transactional surveys of tickets at these priorities go before a relationship wave.
HELPDESK_SURVEY_IMPORTANT_PRIORITIES = env_list("HELPDESK_SURVEY_IMPORTANT_PRIORITIES",
                                                ["high", "urgent"])
# At most this many survey emails (invitations, any kind) a day: the sending reputation.
HELPDESK_SURVEY_DAILY_CAP = env_int("HELPDESK_SURVEY_DAILY_CAP", 20000, minimum=1)

# Email intake (tickets.intake): the IMAP mailbox poll_mailbox reads, and the per-sender
# rate limit that stops mail storms (more than LIMIT messages within WINDOW seconds).
IMAP_HOST = env_str("IMAP_HOST", "")
IMAP_PORT = env_int("IMAP_PORT", 993, minimum=1)
IMAP_USER = env_str("IMAP_USER", "")
IMAP_PASSWORD = env_str("IMAP_PASSWORD", "")
IMAP_FOLDER = env_str("IMAP_FOLDER", "INBOX")
IMAP_SSL = env_bool("IMAP_SSL", True)
HELPDESK_INTAKE_RATE_LIMIT = env_int("HELPDESK_INTAKE_RATE_LIMIT", 20, minimum=1)
HELPDESK_INTAKE_RATE_WINDOW = env_int("HELPDESK_INTAKE_RATE_WINDOW", 600, minimum=1)
# How many mails the intake reads in one transaction (an IMAP poll's, ingest_email's):
# one query per question for all of them and one commit (docs/performance.md).
HELPDESK_INTAKE_BATCH = env_int("HELPDESK_INTAKE_BATCH", 50, minimum=1)

# Outgoing webhooks (integrations): the read timeout of one POST, how long a subscription
# may fail before it is switched off, and the private ranges it may nevertheless reach
# (comma-separated CIDRs; by default private, loopback and link-local addresses are refused).
HELPDESK_WEBHOOK_TIMEOUT = env_int("HELPDESK_WEBHOOK_TIMEOUT", 10, minimum=1)
HELPDESK_WEBHOOK_DISABLE_AFTER_HOURS = env_int("HELPDESK_WEBHOOK_DISABLE_AFTER_HOURS", 24,
                                               minimum=1)
HELPDESK_WEBHOOK_ALLOWED_NETWORKS = env_list("HELPDESK_WEBHOOK_ALLOWED_NETWORKS", [])
for _network in HELPDESK_WEBHOOK_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"HELPDESK_WEBHOOK_ALLOWED_NETWORKS must list networks such as 10.0.0.0/8, "
            f"got {_network!r}") from None


# Live chat (docs/live-chat.md): websockets through Django Channels. Several web nodes share
# the Redis channel layer; without Redis one process serves everything in memory.
ASGI_APPLICATION = "helpdesk.asgi.application"
if REDIS_URL:
    # The layer waits for messages with a 5-second blocking pop; redis-py's own default
    # read timeout is 5 seconds too, so under load the read gave up as the answer came and
    # the socket closed with 1011 (docs/live-chat.md, "Benchmark"). Reads wait longer.
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                  "CONFIG": {"hosts": [{"address": REDIS_URL,
                                                        "socket_timeout": 20}],
                                             "capacity": 1500, "expiry": 60}}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# How many chats an agent takes at once (automatic assignment and accepting), how long a
# visitor's chat token lives, the largest message, and the per-socket flood limit.
HELPDESK_CHAT_CAPACITY = env_int("HELPDESK_CHAT_CAPACITY", 3, minimum=1)
HELPDESK_CHAT_TOKEN_MAX_AGE = env_int("HELPDESK_CHAT_TOKEN_MAX_AGE", 12 * 3600, minimum=60)
HELPDESK_CHAT_MAX_MESSAGE = env_int("HELPDESK_CHAT_MAX_MESSAGE", 4000, minimum=100)
HELPDESK_CHAT_RATE = env_int("HELPDESK_CHAT_RATE", 10, minimum=1)  # frames per 10 seconds
# The chat sweep (docs/live-chat.md): a waiting chat whose visitor left this many seconds
# ago is missed; an active chat with no message for this many minutes is ended.
HELPDESK_CHAT_LEFT_AFTER = env_int("HELPDESK_CHAT_LEFT_AFTER", 120, minimum=0)
HELPDESK_CHAT_IDLE_MINUTES = env_int("HELPDESK_CHAT_IDLE_MINUTES", 30, minimum=1)
