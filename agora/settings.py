"""Django settings for Agora.

Everything an operator may change is read from the environment, so one build
serves a laptop demo (no variables: SQLite in ./var, DEBUG on) and production
(``DATABASE_URL``, ``AGORA_SECRET_KEY``, ``AGORA_DEBUG=0`` ...).
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("AGORA_VAR_DIR", Path.cwd() / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("AGORA_DEBUG", True)
SECRET_KEY = os.environ.get(
    "AGORA_SECRET_KEY", "agora-insecure-development-key-change-me-in-production"
)
if not DEBUG and "AGORA_SECRET_KEY" not in os.environ:
    # Signing sessions and CSRF tokens with a key printed in the source would
    # let anyone forge a moderator's session.
    raise ImproperlyConfigured("AGORA_SECRET_KEY must be set when AGORA_DEBUG is off.")
ALLOWED_HOSTS = env_list("AGORA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "agora.articles",
    "agora.comments",
    "agora.moderation",
    "agora.api",
    "agora.protection",
    "agora.privacy",
    "agora.embed",
    "agora.perspective",
    "agora.coral",
    "agora.imports",
    "agora.pages",
    "agora.newsroom",
    "agora.desks",
    "agora.wordlists",
    "agora.reports",
    "agora.commenters",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Whatever does not say it is public (agora.comments.edge) is private.
    "agora.comments.edge.PrivateByDefault",
    # Answers the embed's CORS preflights before anything else looks at them.
    "agora.embed.middleware.CorsMiddleware",
    # Static files straight from each app server, compressed and cached for good.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "agora.protection.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "agora.protection.middleware.LoginThrottleMiddleware",
    # Last, so it is the first to see a view's exception.
    "agora.protection.middleware.DatabaseCannotWriteMiddleware",
]

ROOT_URLCONF = "agora.urls"
WSGI_APPLICATION = "agora.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'agora.sqlite3'}"),
        # Each server thread keeps its connection, SQLite too: opening one and setting
        # its pragmas on every request cost 2-4 ms more CPU per post under load.
        conn_max_age=int(os.environ.get("AGORA_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while a comment is written; IMMEDIATE transactions
    # take the write lock up front so concurrent posters queue instead of failing.
    # secure_delete zeroes what a delete or an update frees, so erased data does not
    # linger in free pages (agora/privacy/records.py checkpoints the log after erasing).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA secure_delete=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("ckb", "کوردی (سۆرانی)"),
    ("kmr", "Kurdî (Kurmancî)"),
    ("ar", "العربية"),
    ("tr", "Türkçe"),
    ("fa", "فارسی"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Kurmanji formats, and Arabic date-and-time, from agora/languages/formats/<lang>/formats.py.
FORMAT_MODULE_PATH = ["agora.languages.formats"]
TIME_ZONE = os.environ.get("AGORA_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]

LOGIN_URL = "/moderation/login/"
LOGIN_REDIRECT_URL = "/moderation/"


def cache_from_url(url: str) -> dict:
    """One Django cache from ``AGORA_CACHE_URL``.

    Empty: this process's memory (fine for one process; cached threads are
    not shared). ``redis://host:6379/0`` or ``rediss://``: Redis,
    shared by every worker and server. ``db://table``: a table in the main
    database (run ``agora createcachetable`` once), shared without Redis.
    """
    scheme, _, rest = url.partition("://")
    # Django's default of 300 entries is small for a site with thousands of articles: each
    # read article keeps its thread's version, rows and rendered list. Redis evicts by its
    # own maxmemory policy instead.
    bounded = {"OPTIONS": {"MAX_ENTRIES": int(os.environ.get("AGORA_CACHE_MAX_ENTRIES", 20_000))}}
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "agora",
            **bounded,
        }
    if scheme in {"redis", "rediss"}:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if scheme == "db" and rest:
        return {
            "BACKEND": "agora.protection.dbcache.DatabaseCache",
            "LOCATION": rest,
            **bounded,
        }
    raise ImproperlyConfigured(
        f"AGORA_CACHE_URL must be empty, redis://..., rediss://... or db://<table>; got {scheme}://"
    )


CACHES = {
    "default": {
        **cache_from_url(os.environ.get("AGORA_CACHE_URL", "")),
        "KEY_PREFIX": os.environ.get("AGORA_CACHE_PREFIX", "agora"),
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Logs are kept and shipped elsewhere; an email address never goes with them.
    "filters": {"redact_emails": {"()": "agora.privacy.logfilter.RedactEmails"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_emails"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("AGORA_LOG_LEVEL", "WARNING")},
}

# --- Agora's own settings -------------------------------------------------

# Where `agora train` and `agora evaluate` read the labelled data sets.
AGORA_DATA_DIR = Path(os.environ.get("AGORA_DATA_DIR", BASE_DIR.parent.parent / "shared" / "data"))


# The publisher's moderation policy for the guideline engine: a JSON object, or
# a path to a JSON file, in AGORA_POLICY (see docs/guidelines.md). Empty: the
# trained defaults, and every comment waits for a human moderator.
def _policy_from_env() -> dict:
    raw = os.environ.get("AGORA_POLICY", "").strip()
    if not raw:
        return {}
    return json.loads(raw if raw.startswith("{") else Path(raw).read_text(encoding="utf-8"))


AGORA_POLICY = _policy_from_env()
# Relevance to the article (the off_topic guideline) with the bundled MiniLM model.
AGORA_RELEVANCE = env_bool("AGORA_RELEVANCE", True)

# Where a new comment is judged: "background" (the default) stores it at once as being
# checked and a task worker (`agora db_worker`) stores the verdict and any automatic
# decision; "request" judges it inside the posting request, so no worker is needed.
AGORA_SCORING = os.environ.get("AGORA_SCORING", "background")
if AGORA_SCORING not in ("background", "request"):
    raise ImproperlyConfigured('AGORA_SCORING must be "background" or "request".')
# Background work (checking comments) goes through Django's tasks framework. The database
# backend needs no other service; a site with several machines may name another backend
# (a Redis- or Celery-backed one) in AGORA_TASKS_BACKEND: see docs/production.md.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("AGORA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Largest request body the JSON API reads; bigger ones get 413 (agora/api/gate.py).
AGORA_API_MAX_BODY_BYTES = int(os.environ.get("AGORA_API_MAX_BODY_BYTES", str(64 * 1024)))

# Caches in front of Agora (docs/caching.md). Public reads may be kept this many seconds
# by a shared cache (s-maxage), served stale while it fetches them again, and served stale
# while Agora cannot answer. Every change readers could see purges the article's key at
# each URL of AGORA_PURGE_URLS (e.g. http://127.0.0.1:6081/), from a background task.
AGORA_EDGE_MAX_AGE = int(os.environ.get("AGORA_EDGE_MAX_AGE", "3600"))
AGORA_EDGE_STALE_WHILE_REVALIDATE = int(os.environ.get("AGORA_EDGE_STALE_WHILE_REVALIDATE", "30"))
AGORA_EDGE_STALE_IF_ERROR = int(os.environ.get("AGORA_EDGE_STALE_IF_ERROR", "86400"))
AGORA_PURGE_URLS = env_list("AGORA_PURGE_URLS")
# Anonymous reads of unchanged threads answered before Django's request cycle
# (agora/comments/replay.py); 0 sends every read the full way.
AGORA_REPLAY_READS = env_bool("AGORA_REPLAY_READS", True)

# --- Production hardening (all off on a laptop, on with AGORA_HTTPS=1) -------

# Reverse proxies in front of Agora that append to X-Forwarded-For and set
# X-Forwarded-Proto. 0 = clients connect directly; never trust the header then.
AGORA_TRUSTED_PROXIES = int(os.environ.get("AGORA_TRUSTED_PROXIES", "0"))
if AGORA_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

AGORA_HTTPS = env_bool("AGORA_HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("AGORA_SSL_REDIRECT", AGORA_HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("AGORA_HSTS_SECONDS", 31_536_000 if AGORA_HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("AGORA_HSTS_INCLUDE_SUBDOMAINS", AGORA_HTTPS)
# Agora lives on its own host name (comments.example.org); preloading it binds
# nobody else, and browsers then never try it over plain HTTP.
SECURE_HSTS_PRELOAD = env_bool("AGORA_HSTS_PRELOAD", AGORA_HTTPS)
SESSION_COOKIE_SECURE = AGORA_HTTPS
CSRF_COOKIE_SECURE = AGORA_HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("AGORA_CSRF_TRUSTED_ORIGINS")

# Sent on every page; no inline script or style anywhere, so an injected
# <script> in a comment could not run even if escaping ever failed.
AGORA_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Sites allowed to embed the comment widget (the embed issue fills this in),
# e.g. AGORA_ALLOWED_ORIGINS=https://news.example.org,https://www.example.org
AGORA_ALLOWED_ORIGINS = env_list("AGORA_ALLOWED_ORIGINS")

if not DEBUG:
    # Hashed file names let browsers and CDNs keep static files forever;
    # needs `agora collectstatic` before the first start.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }


# --- Abuse protection (agora/protection) ----------------------------------


def env_rates(name: str, default: str) -> list[tuple[int, int]]:
    """``"10/60,60/3600"`` -> [(10, 60), (60, 3600)]: at most N events per S seconds."""
    try:
        return [
            (int(count), int(seconds))
            for count, seconds in (item.split("/") for item in env_list(name, default))
        ]
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must look like 10/60,60/3600") from error


# Off only for load tests: AGORA_RATELIMIT=0.
AGORA_RATELIMIT_ENABLED = env_bool("AGORA_RATELIMIT", True)
AGORA_RATELIMITS = {
    # Generous per address: a newsroom's readers may share one office or
    # mobile-carrier address.
    "post-ip": env_rates("AGORA_RATELIMIT_POST_IP", "10/60,100/3600"),
    "post-email": env_rates("AGORA_RATELIMIT_POST_EMAIL", "5/60,30/3600"),
    # Failed staff logins: per address and user name, and per address overall.
    "login-user": env_rates("AGORA_RATELIMIT_LOGIN", "5/900"),
    "login-ip": env_rates("AGORA_RATELIMIT_LOGIN_IP", "30/900"),
    # Readers reporting published comments (agora/reports).
    "report-ip": env_rates("AGORA_RATELIMIT_REPORT_IP", "10/600,50/86400"),
    "report-email": env_rates("AGORA_RATELIMIT_REPORT_EMAIL", "5/600,20/86400"),
}

# The same words again and again: from one sender, or across the whole site.
AGORA_FLOOD = {
    "enabled": env_bool("AGORA_FLOOD", True),
    # The same text twice from one email within this window is a duplicate.
    "sender_window": int(os.environ.get("AGORA_FLOOD_SENDER_WINDOW", "3600")),
    "per_ip": 3,  # people behind one address may agree word for word, rarely more
    "site_window": int(os.environ.get("AGORA_FLOOD_SITE_WINDOW", "600")),
    "site_max": int(os.environ.get("AGORA_FLOOD_SITE_MAX", "5")),
    # "Thank you" is said by many; only longer texts count site-wide.
    "site_min_length": 20,
}

# --- Reports, commenters, closing (agora/reports, agora/commenters, agora/articles) ---
# These five are the defaults of the newsroom's settings: chief moderators change them
# at run time on the moderator pages (agora/newsroom; code reads them through
# agora.newsroom.knobs.current, never from here).

# A published comment reported by this many different readers leaves the public
# thread until a moderator decides; 0 never withdraws one.
AGORA_REPORTS_WITHDRAW_AFTER = int(os.environ.get("AGORA_REPORTS_WITHDRAW_AFTER", "3"))
# Trusted commenters' comments are approved automatically when the engine finds nothing.
AGORA_TRUSTED_AUTO_APPROVE = env_bool("AGORA_TRUSTED_AUTO_APPROVE", False)
# Repeat offenders: this many rejected comments within DAYS suspends the commenter for
# SUSPEND_DAYS; 0 rejections turns the policy off.
AGORA_REPEAT_OFFENDERS = {
    "rejections": int(os.environ.get("AGORA_REPEAT_OFFENDER_REJECTIONS", "0")),
    "days": int(os.environ.get("AGORA_REPEAT_OFFENDER_DAYS", "30")),
    "suspend_days": int(os.environ.get("AGORA_REPEAT_OFFENDER_SUSPEND_DAYS", "7")),
}
# Comments close on their own this many days after an article is published; 0: never.
AGORA_CLOSE_COMMENTS_AFTER_DAYS = int(os.environ.get("AGORA_CLOSE_COMMENTS_AFTER_DAYS", "0"))
# Readers who report a comment are answered by email, through this SMTP server; without
# one no answer is sent (the moderators' decision still stands).
EMAIL_HOST = os.environ.get("AGORA_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.dummy.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("AGORA_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("AGORA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("AGORA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("AGORA_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("AGORA_EMAIL_FROM", "webmaster@localhost")

# A form field hidden from people by CSS; naive bots fill every field.
AGORA_HONEYPOT_FIELD = "homepage"

# WhiteNoise warns at every start when the collected-files folder is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)


# --- Languages and the embed (agora/languages, agora/locale, agora/embed) ---

# Django knows no Kurmanji; get_language_info() and {% get_language_info %} need it.
LANG_INFO["kmr"] = {
    "bidi": False,
    "code": "kmr",
    "name": "Northern Kurdish (Kurmanji)",
    "name_local": "Kurdî (Kurmancî)",
}

# `agora embeddemo` serves the demo publisher on port 8001; a laptop demo (DEBUG,
# nothing configured) lets it in so the cross-origin demo works out of the box.
if DEBUG and "AGORA_ALLOWED_ORIGINS" not in os.environ:
    AGORA_ALLOWED_ORIGINS = ["http://127.0.0.1:8001", "http://localhost:8001"]

# An article Agora does not know is created the first time its embed loads, from
# the snippet's data attributes, if the page is on one of AGORA_ALLOWED_ORIGINS.
AGORA_EMBED_AUTOCREATE = env_bool("AGORA_EMBED_AUTOCREATE", True)
# Each site's secret for signing what it embeds (agora/embed/signing.py): an article
# created from a signed embed is published at once, an unsigned one waits for a
# moderator. "https://news.example.org=SECRET,https://www.example.org=OTHER".
AGORA_EMBED_SECRETS = dict(
    item.partition("=")[::2] for item in env_list("AGORA_EMBED_SECRETS") if "=" in item
)
AGORA_RATELIMITS["embed-article"] = env_rates("AGORA_RATELIMIT_EMBED_ARTICLE", "30/3600")


# --- Perspective API and Coral (agora/perspective, agora/coral) -------------

# Keep comments:suggestscore's labelled comments for retraining (docs/perspective.md).
AGORA_PERSPECTIVE_FEEDBACK = env_bool("AGORA_PERSPECTIVE_FEEDBACK", False)
# Coral's signing secrets for its external moderation phase, comma-separated: two while a
# secret is rolled over. Empty: the phase's endpoint answers 404 (docs/coral.md).
AGORA_CORAL_SIGNING_SECRETS = env_list("AGORA_CORAL_SIGNING_SECRETS")
