"""Configuration read from the environment (FIELDAPP_*, DATABASE_URL, SECRET_KEY, mail settings).

`FIELDAPP_ENV` picks the mode: `production` (the default: strict), `development`/`demo` (what
`make run` uses) or `testing`. Outside development, demo and testing the app refuses to start
without a real `SECRET_KEY`.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

LAX_MODES = {"development", "demo", "testing"}
# Values people paste from tutorials; a key like these is as good as none.
PLACEHOLDER_KEYS = {"dev", "devkey", "secret", "changeme", "change-me", "your-secret-key", "test"}
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """Raised when the environment does not describe a safe configuration."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_floats(name: str, default: tuple[float, ...]) -> tuple[float, ...]:
    value = os.environ.get(name)
    if not value:
        return default
    return tuple(float(part) for part in value.split(","))


def _env_list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = os.environ.get(name)
    if not value:
        return default
    return tuple(part.strip() for part in value.split(";") if part.strip())


def check_secret_key(key: str | None, mode: str) -> None:
    """Refuse a missing, short or placeholder SECRET_KEY outside the lax modes.

    :raises ConfigError: with a message that says how to fix it.
    """
    if mode in LAX_MODES:
        return
    if not key or key.strip().lower() in PLACEHOLDER_KEYS or len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            "fieldapp refuses to start: set SECRET_KEY to a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters (e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'`), or set FIELDAPP_ENV=development for a "
            "local run."
        )


def _dev_secret_key(instance_path: Path) -> str:
    """A random key kept in instance/ so dev sessions survive a restart; never a code default."""
    path = instance_path / "dev-secret-key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """Build the app's settings from the environment, then apply `overrides` (tests).

    :raises ConfigError: when SECRET_KEY is missing or weak outside the lax modes.
    """
    overrides = overrides or {}
    mode = overrides.get("FIELDAPP_ENV") or os.environ.get("FIELDAPP_ENV", "production")
    mode = mode.strip().lower()
    lax = mode in LAX_MODES
    secret_key = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    check_secret_key(secret_key, mode)
    if not secret_key:
        secret_key = _dev_secret_key(instance_path)

    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'fieldapp.db'}"
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg (v3).
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")

    secure_cookies = _env_bool("FIELDAPP_SECURE_COOKIES", not lax)
    config = {
        "FIELDAPP_ENV": mode,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Uploads: phone photos downscaled in the browser are well under this.
        "MAX_CONTENT_LENGTH": _env_int("FIELDAPP_MAX_CONTENT_LENGTH", 12 * 1024 * 1024),
        "MEDIA_ROOT": os.environ.get("FIELDAPP_MEDIA_ROOT") or str(instance_path / "media"),
        # Cookies: HttpOnly and SameSite=Lax always, Secure outside development.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_DURATION": _env_int("FIELDAPP_REMEMBER_DAYS", 14) * 86400,
        # New password hashes (werkzeug method names); the test suite uses a cheap one.
        "PASSWORD_HASH_METHOD": "scrypt",
        "WTF_CSRF_TIME_LIMIT": _env_int("FIELDAPP_CSRF_TIME_LIMIT", 3600),
        "PREFERRED_URL_SCHEME": "http" if lax else "https",
        "PROXY_FIX_COUNT": _env_int("FIELDAPP_PROXY_FIX", 0),
        # Login throttling (Flask-Limiter). Use redis:// or memcached:// with several instances.
        "RATELIMIT_STORAGE_URI": os.environ.get("FIELDAPP_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_LIMIT_PER_ADDRESS": os.environ.get(
            "FIELDAPP_LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes"
        ),
        # Geography and deadlines (DOMAIN.md decisions kept as settings).
        "ST_COUNTER_LAT": float(os.environ.get("FIELDAPP_ST_COUNTER_LAT", "-12.0977")),
        "ST_COUNTER_LON": float(os.environ.get("FIELDAPP_ST_COUNTER_LON", "-77.0365")),
        "BAND_THRESHOLDS_KM": _env_floats("FIELDAPP_BAND_THRESHOLDS_KM", (200.0, 500.0)),
        "CAMERA_CENTRES": _env_list("FIELDAPP_CAMERA_CENTRES", ("G&N DIGITAL", "FOTO DIGITAL")),
        # Route planning: the travel model, the optimiser's time budget, an optional OSRM server.
        "ROUTING_SECONDS": float(os.environ.get("FIELDAPP_ROUTING_SECONDS", "5")),
        "ROUTING_SEED": _env_int("FIELDAPP_ROUTING_SEED", 1),
        "ROUTING_CIRCUITY_LIMA": float(os.environ.get("FIELDAPP_ROUTING_CIRCUITY_LIMA", "1.3")),
        "ROUTING_CIRCUITY_PROVINCES": float(
            os.environ.get("FIELDAPP_ROUTING_CIRCUITY_PROVINCES", "1.25")
        ),
        "ROUTING_SPEED_LIMA_KMH": float(os.environ.get("FIELDAPP_ROUTING_SPEED_LIMA_KMH", "22")),
        "ROUTING_SPEED_PROVINCES_KMH": float(
            os.environ.get("FIELDAPP_ROUTING_SPEED_PROVINCES_KMH", "55")
        ),
        "OSRM_URL": os.environ.get("FIELDAPP_OSRM_URL", ""),
        # Supervisor review: when a stop's GPS or phone clock looks wrong.
        "REVIEW_FAR_KM_LIMA": float(os.environ.get("FIELDAPP_REVIEW_FAR_KM_LIMA", "30")),
        "REVIEW_FAR_KM_PROVINCES": float(os.environ.get("FIELDAPP_REVIEW_FAR_KM_PROVINCES", "80")),
        "REVIEW_SKEW_MINUTES": float(os.environ.get("FIELDAPP_REVIEW_SKEW_MINUTES", "10")),
        # The ST's identity, printed on documents.
        "ST_NAME": os.environ.get("FIELDAPP_ST_NAME", "Alternativa Tecnológica S.A.C."),
        "ST_RUC": os.environ.get("FIELDAPP_ST_RUC", "20419653471"),
        "ST_ADDRESS": os.environ.get(
            "FIELDAPP_ST_ADDRESS", "Av. José Gálvez Barrenechea 134, San Isidro, Lima"
        ),
        # Ley 29733: customers whose cases all ended longer ago than this are anonymised.
        "RETENTION_DAYS": _env_int("FIELDAPP_RETENTION_DAYS", 1825),
        # The address people reach the app at (QR codes on documents, tracking links in mail).
        "PUBLIC_URL": os.environ.get("FIELDAPP_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Mail: SMTP when MAIL_SERVER is set, else .eml files under instance/outbox/ in dev.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _env_int("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", False),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "fieldapp@localhost"),
        "MAIL_OUTBOX_DIR": os.environ.get("FIELDAPP_MAIL_OUTBOX_DIR")
        or str(instance_path / "outbox"),
        # Call Center API (flask-smorest): the OpenAPI document only, no Swagger UI (CDN).
        "API_TITLE": "fieldapp API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }
    if mode == "testing":
        config.update(TESTING=True, RATELIMIT_STORAGE_URI="memory://")
    config.update(overrides)
    return config
