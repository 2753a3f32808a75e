"""Settings for Kvalitetsplan.

Every difference between environments is an environment variable with a safe
local default (see `.env.example`). With nothing set, the app runs on SQLite
with a filesystem Celery broker, which is what `make run` uses.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
MUNICIPALITY_NAME = os.environ.get("MUNICIPALITY_NAME", "Demo kommune")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "simple_history",
    "qualityplan",
    "measures",
    "deviations",
    "reporting",
    "sources",
    # Newer apps come here, above reporting in the import order.
    "improvement",
    "staircase",
    "surveys",
    # Demo data sits at the top and may use every app.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "qualityplan.language_middleware.MunicipalityLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "qualityplan.urls"
WSGI_APPLICATION = "qualityplan.wsgi.application"

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
                "qualityplan.context_processors.site",
            ],
        },
    },
    # Templates drawn hundreds of times a page (an app's jinja2/ folder): see
    # qualityplan/jinja2.py. Pages are Django templates; render with using="jinja2".
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "qualityplan.jinja2.environment"},
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise. On
# PostgreSQL, connections are kept open between requests: opening one per
# request costs about two thirds of a small page's throughput.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Language and formats: Norwegian bokmål first, Swedish and English too.
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian bokmål")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Oslo")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["qualityplan.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# Email: printed to the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kvalitetsplan@localhost")
# The folder of django.core.mail.backends.filebased.EmailBackend (CI reads its mails there).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# Celery: Redis when REDIS_URL is set, otherwise a broker on the filesystem so
# that background jobs still run outside the browser request with no server.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "celery-broker"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Beat's crontab reads CELERY_TIMEZONE: 07:00 local time (Europe/Oslo by default).
CELERY_BEAT_SCHEDULE = {
    "send-status-reminders": {
        "task": "measures.tasks.send_status_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "refresh-counted-indicators": {
        "task": "deviations.tasks.refresh_counted_indicators",
        "schedule": crontab(hour=2, minute=30),
    },
}
# Called with period=… whenever a period gets new status rows: fills the values of
# indicators counted from deviations and meetings.
# Swedish installations: the handler marks a deviation as lex Sarah or lex Maria and
# sees that regime's reporting duties on the deviation's page.
DEVIATION_LEGAL_CLASSES = env_bool("DEVIATION_LEGAL_CLASSES", False)
MEASURES_PERIOD_HOOKS = [
    "deviations.indicators.counted_values_refresh",
    "surveys.indicators.survey_values_refresh",
]
# Newer apps show their parts of reporting's pages and of the menu without reporting
# (or qualityplan) importing them; see reporting/hooks.py.
# - A PDF chapter: called with plan=, year=, unit_ids=, user=; returns a HookPart
#   or None.
# - A part of a unit's yearly report page: called with request=, report=, plan=, unit=,
#   year=; returns HTML or "".
# - Menu links: called with the request; returns [{"label", "url", "current"}].
REPORT_PDF_SECTION_HOOKS = ["staircase.report.pdf_section", "improvement.report.pdf_section"]
ANNUAL_REPORT_PAGE_HOOKS = ["improvement.report.annual_page_section"]
NAV_LINK_HOOKS = ["staircase.nav.nav_links", "improvement.report.nav_links"]

# --- Annual quality report: PDF jobs (reporting) ---------------------------------
# Measured with Celery 5.7 on Redis: without acks late a worker killed mid-job loses
# the job; with acks late alone a killed pool child still loses it; with reject on
# worker lost as well it runs again within seconds. A job that outlives the broker's
# visibility timeout is delivered a second time while the first still runs, so the
# timeout is kept well above the hard time limit. Re-runs are harmless: the job
# writes one file under one name and skips itself once done.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ROUTES = {"reporting.tasks.render_report_job": {"queue": "reports"}}
REPORT_SOFT_TIME_LIMIT = int(os.environ.get("REPORT_SOFT_TIME_LIMIT", "600"))
REPORT_HARD_TIME_LIMIT = int(os.environ.get("REPORT_HARD_TIME_LIMIT", "660"))
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = max(3600, 4 * REPORT_HARD_TIME_LIMIT)
# A job whose worker died this many times (out of memory, say) is failed, not run again.
REPORT_MAX_ATTEMPTS = int(os.environ.get("REPORT_MAX_ATTEMPTS", "3"))
# "chunked" lays out a long annual report in parts on REPORT_RENDER_WORKERS worker
# processes (REPORT_CHUNK_UNITS unit reports a part) and joins them (reporting.pdf_chunks);
# "single" as one document in the job's process; "auto" in parts when the appendix has
# more than REPORT_CHUNKED_ABOVE unit reports, where parts are as fast and need a third of
# the memory a process (bench_report.py, README).
REPORT_RENDER_MODE = os.environ.get("REPORT_RENDER_MODE", "auto")
REPORT_CHUNKED_ABOVE = int(os.environ.get("REPORT_CHUNKED_ABOVE", "100"))
REPORT_CHUNK_UNITS = int(os.environ.get("REPORT_CHUNK_UNITS", "40"))
REPORT_RENDER_WORKERS = int(os.environ.get("REPORT_RENDER_WORKERS", "2"))
# Report files: the media storage by default; REPORT_STORAGE_BACKEND swaps the backend
# (e.g. an S3 storage) and REPORT_ROOT the folder of the file-system one.
REPORT_STORAGE = "reports"
STORAGES[REPORT_STORAGE] = {
    "BACKEND": os.environ.get(
        "REPORT_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
    ),
    "OPTIONS": {
        "location": str(Path(os.environ.get("REPORT_ROOT", MEDIA_ROOT))),
    },
}
# Role codes told by email when a report someone else requested is ready (the director).
REPORT_NOTIFY_ROLE_CODES = env_list("REPORT_NOTIFY_ROLE_CODES", "KD")
# A job stopped at the hard time limit is not delivered again: beat marks it failed.
CELERY_BEAT_SCHEDULE["expire-report-jobs"] = {
    "task": "reporting.tasks.expire_report_jobs",
    "schedule": 300.0,
}
# --- end of the annual quality report block -----------------------------------------

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        # A process's memory. Room for the dashboards' entries and a data stamp per
        # unit (qualityplan/dataversion.py): at the default 300 a municipality's stamps
        # alone would push each other out, and every view would be a miss.
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    )
}

# Uploads: plan tables are small; anything larger is refused with a message.
PLAN_IMPORT_MAX_BYTES = int(os.environ.get("PLAN_IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Off by default: many municipal intranets terminate TLS in front of the app.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))

DJANGO_TABLES2_TEMPLATE = "django_tables2/table.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
# Annual quality report: WeasyPrint's rendering steps and fontTools' font unpacking are
# INFO-level noise in a worker's log for every report.
LOGGING.setdefault("loggers", {}).update(
    {"weasyprint.progress": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}}
)

# --- Production safety: headers, sessions, caching (issue 9) --------------------------
# Content-Security-Policy (django-csp): scripts and styles from our own static files
# only, no inline script, no style attributes, no other site. CSP_REPORT_ONLY=1 sends
# it as Content-Security-Policy-Report-Only instead, to try a change first.
from csp.constants import NONE, SELF  # noqa: E402

INSTALLED_APPS += ["csp"]
MIDDLEWARE += ["csp.middleware.CSPMiddleware", "qualityplan.middleware.no_store_when_private"]
_csp = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp
else:
    CONTENT_SECURITY_POLICY = _csp
# HTTPS: with DEBUG off, plain HTTP is redirected and HSTS sent (a year, for this host
# and its own subdomains). Behind a reverse proxy that ends TLS, the proxy must send
# `X-Forwarded-Proto: https` (SECURE_PROXY_SSL_HEADER above) and strip the header from
# clients. /health/ stays reachable over plain HTTP for load balancers.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE_SSL_REDIRECT else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading commits the whole registrable domain in the browsers' own list: the
# municipality's decision, not a default (so its deploy warning is silenced).
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Sessions (qualityplan/sessions.py): in the database, so every web process shares them.
# They end after SESSION_IDLE_TIMEOUT seconds without a request and SESSION_MAX_LIFETIME
# seconds after the login; an edit in progress survives the end (see the module).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_MAX_LIFETIME = int(os.environ.get("SESSION_MAX_LIFETIME", str(10 * 60 * 60)))
SESSION_COOKIE_AGE = SESSION_MAX_LIFETIME
MIDDLEWARE[MIDDLEWARE.index("django.contrib.auth.middleware.LoginRequiredMiddleware")] = (
    "qualityplan.sessions.LoginRequired"
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("qualityplan.sessions.LoginRequired"), "qualityplan.sessions.session_timeouts"
)
TEMPLATES[0]["OPTIONS"]["context_processors"].append("qualityplan.sessions.session_limits")

# Files on several machines: every file the app keeps (report PDFs, uploads) goes
# through Django's storage API. STORAGE_BACKEND swaps the default storage, and the
# reports' unless REPORT_STORAGE_BACKEND names another; for S3-compatible storage
# install django-storages[s3] and set storages.backends.s3.S3Storage with the AWS_*
# variables below (see .env.example). A storage other than the file system gets no
# folder: the files' names already start with reports/ or uploads/.
_storage_backend = os.environ.get("STORAGE_BACKEND", "")
if _storage_backend:
    STORAGES["default"] = {"BACKEND": _storage_backend}
    if "REPORT_STORAGE_BACKEND" not in os.environ:
        STORAGES[REPORT_STORAGE] = {"BACKEND": _storage_backend}
if STORAGES[REPORT_STORAGE]["BACKEND"] != "django.core.files.storage.FileSystemStorage":
    STORAGES[REPORT_STORAGE].pop("OPTIONS", None)
    if os.environ.get("REPORT_ROOT"):
        STORAGES[REPORT_STORAGE]["OPTIONS"] = {"location": os.environ["REPORT_ROOT"]}
for _name in (
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_S3_ACCESS_KEY_ID",
    "AWS_S3_SECRET_ACCESS_KEY",
    "AWS_S3_ADDRESSING_STYLE",
):
    if os.environ.get(_name):
        globals()[_name] = os.environ[_name]
# --- Security log, login throttling and passwords (issue 9) -------------------------------
from datetime import timedelta  # noqa: E402

INSTALLED_APPS += ["axes"]
# The security log records refusals and exports; django-axes must come last.
MIDDLEWARE += ["qualityplan.security.SecurityLogMiddleware", "axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "qualityplan.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Reverse proxies in front of the app whose X-Forwarded-For is trusted (0: none, the
# connection's address is the client's).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# A username at one address is locked after this many failures, for this long.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A lock ends its time after it began; tries during it do not push the end further.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "qualityplan.security.client_ip"
AXES_USERNAME_CALLABLE = "qualityplan.security.axes_username"
AXES_LOCKOUT_CALLABLE = "qualityplan.account_views.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # the security log keeps logins
AXES_VERBOSE = False
# Security events are kept this long, then purged by beat at night.
SECURITY_LOG_RETENTION_DAYS = int(os.environ.get("SECURITY_LOG_RETENTION_DAYS", "365"))
CELERY_BEAT_SCHEDULE["purge-security-events"] = {
    "task": "qualityplan.tasks.purge_security_events",
    "schedule": crontab(hour=3, minute=15),
}
# Each security event is also one JSON line on the log, for the log collector.
LOGGING.setdefault("formatters", {})["json"] = {"()": "qualityplan.logformat.JsonFormatter"}
LOGGING["handlers"]["security_json"] = {"class": "logging.StreamHandler", "formatter": "json"}
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # its own lines repeat ours
LOGGING["loggers"]["kvalitetsplan.security"] = {
    "handlers": ["security_json"],
    "level": "INFO",
    "propagate": False,
}
# Password reset by email; off where logins go through single sign-on.
PASSWORD_RESET_ENABLED = env_bool("PASSWORD_RESET_ENABLED", True)
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(60 * 60 * 24)))
for _validator in AUTH_PASSWORD_VALIDATORS:
    if _validator["NAME"].endswith(".MinimumLengthValidator"):
        _validator["OPTIONS"] = {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", "12"))}
# --- end of the security block ---------------------------------------------------------------
# --- Uploads waiting for confirmation (qualityplan.uploads) ---------------------------
# A previewed plan table or status sheet waits this long for its confirmation; a
# nightly job removes what nobody confirmed.
PENDING_UPLOAD_HOURS = int(os.environ.get("PENDING_UPLOAD_HOURS", "24"))
CELERY_BEAT_SCHEDULE["purge-pending-uploads"] = {
    "task": "qualityplan.tasks.purge_pending_uploads",
    "schedule": crontab(hour=3, minute=15),
}
# --- Quality staircase (staircase) ------------------------------------------------------
# Daily at 07:15: self-assessment deadlines a week ahead, certificates three months
# before they expire. Each reminder is recorded and sent once.
CELERY_BEAT_SCHEDULE["send-staircase-reminders"] = {
    "task": "staircase.tasks.send_staircase_reminders",
    "schedule": crontab(hour=7, minute=15),
}
# --- end of the quality staircase block ------------------------------------------------
# --- Single sign-on through OpenID Connect (qualityplan.sso) -------------------------
# On when a client id and the provider's discovery document (or its issuer) are set.
# With it on, only superusers log in with a password. See README, "Single sign-on".
OIDC_OP_ISSUER = os.environ.get("OIDC_OP_ISSUER", "").rstrip("/")
OIDC_OP_DISCOVERY = os.environ.get("OIDC_OP_DISCOVERY", "") or (
    f"{OIDC_OP_ISSUER}/.well-known/openid-configuration" if OIDC_OP_ISSUER else ""
)
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
# The stable claim a person is known by: Entra ID's object id, else the subject.
OIDC_USER_CLAIM = os.environ.get("OIDC_USER_CLAIM", "oid")
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
# "group-id=ROLE@UNITCODE, …": a group in the token gives that role in that unit.
OIDC_GROUP_ROLES = env_list("OIDC_GROUP_ROLES", "")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "Microsoft Entra ID")
OIDC_TIMEOUT = int(os.environ.get("OIDC_TIMEOUT", "10"))
# Logging out ends the provider's session too: the logout form's redirect goes to the
# provider, which the Content-Security-Policy's form-action must allow.
if OIDC_OP_DISCOVERY:
    from urllib.parse import urlsplit  # noqa: E402

    _provider = urlsplit(OIDC_OP_DISCOVERY)
    _csp["DIRECTIVES"]["form-action"].append(f"{_provider.scheme}://{_provider.netloc}")
# django-axes' throttle comes first (it only checks), then passwords and SSO.
AUTHENTICATION_BACKENDS = [
    "qualityplan.security.LoginThrottleBackend",
    "qualityplan.sso.PasswordBackend",
    "qualityplan.sso.SsoBackend",
]
# --- end of the single sign-on block ---------------------------------------------------
# --- Indicator sources: statistics (SSB PxWebApi v2, Kolada v3) and imports (sources) ---
SSB_API_URL = os.environ.get("SSB_API_URL", "https://data.ssb.no/api/pxwebapi/v2").rstrip("/")
KOLADA_API_URL = os.environ.get("KOLADA_API_URL", "https://api.kolada.se/v3").rstrip("/")
# SSB's limits: about 30 queries a minute and 800 000 cells an extract.
STATISTICS_QUERIES_PER_MINUTE = int(os.environ.get("STATISTICS_QUERIES_PER_MINUTE", "25"))
STATISTICS_MAX_CELLS = int(os.environ.get("STATISTICS_MAX_CELLS", "800000"))
STATISTICS_TIMEOUT = float(os.environ.get("STATISTICS_TIMEOUT", "60"))
STATISTICS_MAX_RESPONSE_BYTES = int(
    os.environ.get("STATISTICS_MAX_RESPONSE_BYTES", str(50 * 1024 * 1024))
)
INDICATOR_IMPORT_MAX_BYTES = int(
    os.environ.get("INDICATOR_IMPORT_MAX_BYTES", str(10 * 1024 * 1024))
)
# Monthly, on the 3rd at 03:15 local time: every statistics link is fetched again.
CELERY_BEAT_SCHEDULE["refresh-statistics"] = {
    "task": "sources.tasks.refresh_statistics",
    "schedule": crontab(day_of_month=3, hour=3, minute=15),
}
# The statistics chapter of the annual PDF and the comparison panel of the indicator
# dashboard (see reporting/hooks.py).
REPORT_PDF_SECTION_HOOKS.insert(0, "sources.reporting.pdf_section")
REPORTING_INDICATOR_PANEL_HOOKS = ["sources.reporting.indicator_panel"]
# --- end of the indicator sources block ---------------------------------------------

# --- Surveys ----------------------------------------------------------------------
# Answers from one address to one survey link, and to one link from everywhere, per
# ten minutes. A shared tablet or a municipal network sends many from one address, so
# the per-address limit is generous; the office sets a daily cap per link as well.
SURVEY_RATE_PER_ADDRESS = int(os.environ.get("SURVEY_RATE_PER_ADDRESS", "40"))
SURVEY_RATE_PER_LINK = int(os.environ.get("SURVEY_RATE_PER_LINK", "200"))
# A form older than this is refused (and shown again, empty): a tablet left overnight.
SURVEY_FORM_MAX_AGE = int(os.environ.get("SURVEY_FORM_MAX_AGE", str(12 * 3600)))
# A form sent back sooner than this after it was shown came from a script: nothing is saved.
SURVEY_MIN_SECONDS = int(os.environ.get("SURVEY_MIN_SECONDS", "2"))
# The surveys' chapter in the annual PDF and their menu link (hooks the staircase made).
REPORT_PDF_SECTION_HOOKS.append("surveys.report.pdf_section")
NAV_LINK_HOOKS.append("surveys.nav.nav_links")
# Survey results as evidence on the staircase criteria their questions are linked to.
STAIRCASE_EVIDENCE_HOOKS = ["surveys.evidence.criterion_evidence"]
# --- end of the surveys block -------------------------------------------------------
