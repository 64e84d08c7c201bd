"""Tryghed settings: one module, configured from the environment.

SQLite under ``data/`` unless ``DATABASE_URL`` is set, so a fresh checkout just works.
``TRYGHED_ENV=production`` turns on the hardening (and refuses to start without a
``SECRET_KEY``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

# Lets generic Django classes be subscripted at run time (ModelChoiceField[Unit]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


SQLITE_SECURE_DELETE = "PRAGMA secure_delete=ON; "


def sqlite_database(
    name: str | Path, options: Mapping[str, str] | None = None
) -> dict[str, object]:
    """The SQLite database as the product runs it, at ``name``: WAL, so the web server and
    the worker share the file; secure_delete, so deleted answers are overwritten instead of
    left in free pages; transactions that take the write lock at BEGIN (tryghed.sqlite waits
    for it); a 20 s busy timeout. ``options`` (a DATABASE_URL's query) add to the
    init_command and replace the others (``timeout`` in seconds)."""
    given = dict(options or {})
    init_command = (
        SQLITE_SECURE_DELETE
        + "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        + given.pop("init_command", "")
    )
    settled: dict[str, object] = {
        "init_command": init_command,
        "transaction_mode": given.pop("transaction_mode", "IMMEDIATE"),
        "timeout": float(given.pop("timeout", "20")),
    }
    return {
        "ENGINE": "tryghed.sqlite",
        "NAME": name,
        "OPTIONS": {**given, **settled},
        # Kept open between requests, as on PostgreSQL: opening a SQLite connection runs
        # the PRAGMAs above, and closing the last one checkpoints the WAL, about 2 ms of
        # every request (issue 14, docs/benchmarks.md). The WAL is still emptied after
        # each release of answers (surveys/services._checkpoint_sqlite).
        "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
    }


def database_from_url(url: str) -> dict[str, object]:
    """Translate ``postgres://user:pw@host:port/name`` or ``sqlite:///path`` into Django's form."""
    parts = urlsplit(url)
    options = dict(parse_qsl(parts.query))
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "postgres",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:///relative.db -> "/relative.db"; sqlite:////abs.db -> "//abs.db"
        name = path[1:] if path.startswith("//") else path.lstrip("/") or ":memory:"
        return sqlite_database(name, options)
    raise ImproperlyConfigured(
        f"DATABASE_URL has an unsupported scheme {parts.scheme!r}; use postgres:// or sqlite://"
    )


TRYGHED_ENV = env_str("TRYGHED_ENV", "development")
if TRYGHED_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("TRYGHED_ENV must be 'development' or 'production'")
PRODUCTION = TRYGHED_ENV == "production"

DATA_DIR = Path(env_str("TRYGHED_DATA_DIR", str(PROJECT_DIR / "data")))

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when TRYGHED_ENV=production")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105
# Earlier keys, comma-separated, still accepted when reading signed data and the sealed
# two-step secrets (docs/security.md): rotate by moving the old key here.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])


def answer_keys(data_dir: Path, *, create: bool) -> list[str]:
    """The answer keyring (docs/anonymity.md, "Key handling"): ``TRYGHED_ANSWER_KEYS``
    (comma-separated ``<key id>:<base64 of 32 bytes>``, current first), else the lines of
    ``DATA_DIR/answer.key``. Outside production a missing key file is created (mode 0600);
    in production a missing key is a system check error, never a silent new key."""
    from_env = env_list("TRYGHED_ANSWER_KEYS", [])
    if from_env:
        return from_env
    key_file = data_dir / "answer.key"
    if not key_file.exists() and create:
        import base64
        import datetime
        import secrets

        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_id = datetime.date.today().strftime("k%Y%m%d")
        line = f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}\n"
        # Written aside and linked into place, so two processes starting at once cannot
        # each create (and use) a different key: the second link fails, and it reads the first.
        aside = key_file.with_name(f".answer.key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
        try:
            os.link(aside, key_file)
        except FileExistsError:
            pass
        finally:
            os.unlink(aside)
    if not key_file.exists():
        return []
    lines = key_file.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


# Seals pending answers and keys the submission marks; never stored in the database.
TRYGHED_ANSWER_KEYS = answer_keys(DATA_DIR, create=not PRODUCTION)

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "tryghed.web",
    "tryghed.accounts",
    "tryghed.audit",
    "tryghed.orgs",
    "tryghed.surveys",
    "tryghed.results",
    "tryghed.actions",
    "tryghed.apv",
    "tryghed.voice",
    "tryghed.learning",
    "tryghed.dialogue",
    "tryghed.kits",
    "tryghed.api",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Every staff session on record, so one can sign out everywhere (accounts.staff_session).
    "allauth.usersessions",
    # Single sign-on per organisation (accounts.sso); providers are set up in the product.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages that choose no caching are not kept by the browser (a shared computer).
    "tryghed.web.middleware.PrivateByDefaultMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Danish unless the user chose English with the language switch (not Accept-Language).
    "tryghed.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A session opened with an employee's sign-in link ends once they hold a staff role.
    "tryghed.accounts.link_session.LinkSessionScopeMiddleware",
    # Staff sessions end after TRYGHED_STAFF_SESSION_IDLE of quiet or TRYGHED_STAFF_SESSION_MAX.
    "tryghed.accounts.staff_session.StaffSessionTimeoutMiddleware",
    # Staff who must use two-step verification set it up before anything else opens.
    "tryghed.accounts.middleware.RequireMfaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tryghed.urls"
WSGI_APPLICATION = "tryghed.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tryghed.web.context_processors.navigation",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": database_from_url(_database_url)}
else:
    DATABASES = {"default": sqlite_database(DATA_DIR / "tryghed.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# One backend (allauth's ModelBackend subclass): e-mail look-up without regard to case.
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]

# Staff sign-in through django-allauth (docs/security.md): e-mail and password, then a
# code from an authenticator app where two-step verification is on. No one signs up:
# accounts are made by an organisation's administrators or by imports.
ACCOUNT_ADAPTER = "tryghed.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = True  # Django's session length, as before; no "remember me" box
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_RATE_LIMITS = {
    # Failed passwords are counted per account and per address by tryghed.accounts.throttle
    # (with the wait in words; the adapter replaces allauth's own count of them).
    # Wrong MFA codes: allauth counts them under this name, per account and per address.
    "login_failed": "10/m/ip,5/15m/key",
    # Every sign-in request from one address, right or wrong (a flood guard).
    "login": "120/m/ip",
    "reauthenticate": "10/m/user",
}
# Single sign-on (accounts.sso): signs in existing members only, never makes an account.
SOCIALACCOUNT_ADAPTER = "tryghed.accounts.sso.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
MFA_ADAPTER = "tryghed.accounts.adapter.MfaAdapter"
MFA_FORMS = {
    "authenticate": "tryghed.accounts.forms.MfaAuthenticateForm",
    "reauthenticate": "tryghed.accounts.forms.MfaReauthenticateForm",
    "activate_totp": "tryghed.accounts.forms.ActivateTotpForm",
    # Passkey forms that write a failed attempt to the audit log, as a wrong code is.
    "authenticate_webauthn": "tryghed.accounts.forms.MfaAuthenticateWebAuthnForm",
    "reauthenticate_webauthn": "tryghed.accounts.forms.MfaReauthenticateWebAuthnForm",
    "login_webauthn": "tryghed.accounts.forms.PasskeyLoginForm",
    "add_webauthn": "tryghed.accounts.forms.AddPasskeyForm",
    "edit_webauthn": "tryghed.accounts.forms.EditPasskeyForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Tryghed"
# Signing in with a passkey alone: allauth asks the authenticator for user verification
# (PIN or biometrics) and refuses an answer without it, so the key (something one has)
# and the PIN or finger (something one knows or is) are two factors: it counts as
# two-step verification for the roles that must have it (docs/security.md).
MFA_PASSKEY_LOGIN_ENABLED = True
# As a second factor after the password a security key without a PIN is enough.
MFA_WEBAUTHN_USER_VERIFICATION = "preferred"
# Never True: it would switch off fido2's origin check altogether. fido2 already accepts
# http://localhost, where the browser tests' live server runs, as browsers do.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
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

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Dansk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = "tryghed.formats"  # British dates in English
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# A strict policy: nothing inline, nothing from elsewhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Staff sessions (accounts.staff_session; ASVS 7.3.1, 7.3.2): signed out after this long
# without a request, and after this long in all, however busy. Sessions opened with an
# employee's sign-in link keep Django's lifetime (accounts.link_session).
TRYGHED_STAFF_SESSION_IDLE = env_int("TRYGHED_STAFF_SESSION_IDLE", 30 * 60)
TRYGHED_STAFF_SESSION_MAX = env_int("TRYGHED_STAFF_SESSION_MAX", 12 * 60 * 60)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading binds the operator's whole domain to HTTPS for good: their choice,
        # made with SECURE_HSTS_PRELOAD=true, not a default we take for them.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Django 6.1 mailers. Production sends through SMTP; development prints to the console.
_mail_backend = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
_mail_options: dict[str, object] = {}
if _mail_backend.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
MAILERS = {"default": {"BACKEND": _mail_backend, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Tryghed <noreply@localhost>")

# Background work (e-mail, report files) goes through Django's tasks API, stored in the
# database so no broker is needed; `tryghed worker` runs it.
# Sign-in throttling and allauth's rate limits count in the cache: in production a file
# cache under DATA_DIR, so every process of one server counts together.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
        if PRODUCTION
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# The address in links sent by e-mail.
TRYGHED_SITE_URL = env_str("TRYGHED_SITE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_tokens": {"()": "tryghed.web.log.RedactSurveyTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # The development server's request log carries client addresses; the
        # survey endpoints promise to log none, so it is kept quiet.
        "django.server": {
            "handlers": ["console"],
            "level": "WARNING",
            "propagate": False,
            "filters": ["redact_tokens"],
        },
        "django.request": {"filters": ["redact_tokens"]},
        # A filter on a logger applies only to what is logged on it, not to its children's
        # records: each of Django's security loggers that can record a request to a token's
        # address (a forged form, a request too large or with too many fields) has its own.
        **{
            f"django.security.{name}": {"filters": ["redact_tokens"]}
            for name in (
                "csrf",
                "DisallowedHost",
                "RequestDataTooBig",
                "SuspiciousMultipartForm",
                "TooManyFieldsSent",
                "TooManyFilesSent",
            )
        },
    },
}
