"""Configuration read from the environment (FIELDAPP_*, DATABASE_URL, SECRET_KEY, mail settings).

`FIELDAPP_ENV` picks the mode: `production` (the default: strict), `development`/`demo` (what
`make run` uses) or `testing`. Outside development, demo and testing the app refuses to start
without a real `SECRET_KEY`.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

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


def _env_days(name: str, default: dict[str, int]) -> dict[str, int]:
    """A `name=days` list separated by `;` (e.g. "Shalom=3;Olva Courier=2").

    :raises ConfigError: for an entry that is not a name and a whole number of days.
    """
    value = os.environ.get(name)
    if not value:
        return dict(default)
    found: dict[str, int] = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        key, _, days = part.rpartition("=")
        if not key.strip() or not days.strip().isdigit():
            raise ConfigError(
                f"{name}: write each entry as name=days (e.g. Shalom=3), not {part!r}"
            )
        found[key.strip()] = int(days)
    return found


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


@dataclass(frozen=True)
class MediaLocation:
    """Where media files live: a folder (`file`) or an S3-compatible bucket (`s3`)."""

    scheme: str
    path: str = ""  # file: the absolute folder
    bucket: str = ""  # s3: bucket, key prefix (no slashes at either end), client options
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    addressing_style: str | None = None


# S3's own rules for bucket names (3-63 lower-case letters, digits, dots and hyphens).
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_S3_OPTIONS = {"endpoint_url", "region", "addressing_style"}
_ADDRESSING_STYLES = {"path", "virtual", "auto"}


def _media_error(url: str, why: str) -> ConfigError:
    return ConfigError(
        f"fieldapp refuses to start: FIELDAPP_MEDIA_URL={url!r} {why} Use file:///absolute/folder "
        "or s3://bucket/optional/prefix?endpoint_url=https://host:port&region=name (credentials "
        "in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)."
    )


def parse_media_url(url: str) -> MediaLocation:
    """Read FIELDAPP_MEDIA_URL: `file:///folder` or `s3://bucket/prefix?endpoint_url=…&region=…`.

    :raises ConfigError: naming what is wrong with the URL.
    """
    parts = urlsplit(url.strip())
    if parts.scheme == "file":
        path = unquote(parts.path)
        if parts.netloc not in {"", "localhost"} or not path.startswith("/"):
            raise _media_error(url, "is not an absolute folder (file:/// and then the path).")
        if parts.query or parts.fragment:
            raise _media_error(url, "has options, and a folder takes none.")
        return MediaLocation("file", path=str(Path(path)))
    if parts.scheme != "s3":
        raise _media_error(url, "has an unknown scheme (file or s3).")
    if "@" in parts.netloc:
        raise _media_error(url, "carries credentials, which must not be written in a URL.")
    if not _BUCKET.match(parts.netloc) or ".." in parts.netloc:
        raise _media_error(url, "does not name a valid bucket (3-63 a-z, 0-9, '.', '-').")
    if parts.fragment:
        raise _media_error(url, "has a #fragment.")
    try:
        options = dict(parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        raise _media_error(url, "has a malformed query (name=value&name=value).") from None
    unknown = sorted(set(options) - _S3_OPTIONS)
    if unknown:
        raise _media_error(url, f"has unknown options {unknown} (known: {sorted(_S3_OPTIONS)}).")
    endpoint = options.get("endpoint_url")
    if endpoint is not None:
        endpoint_parts = urlsplit(endpoint)
        if endpoint_parts.scheme not in {"http", "https"} or not endpoint_parts.hostname:
            raise _media_error(url, "has an endpoint_url that is not an http(s) address.")
    style = options.get("addressing_style")
    if style is not None and style not in _ADDRESSING_STYLES:
        raise _media_error(url, f"has addressing_style={style!r} (path, virtual or auto).")
    prefix = unquote(parts.path).strip("/")
    if any(part in {"", ".", ".."} for part in prefix.split("/")) and prefix:
        raise _media_error(url, "has an empty, '.' or '..' part in its prefix.")
    return MediaLocation(
        "s3",
        bucket=parts.netloc,
        prefix=prefix,
        endpoint_url=endpoint,
        region=options.get("region") or None,
        # S3-compatible servers (MinIO, Ceph, Garage…) answer path-style requests.
        addressing_style=style or ("path" if endpoint else None),
    )


def _media_settings(config: dict) -> None:
    """Settle MEDIA_URL (default: MEDIA_ROOT as a file:// URL) and refuse a bad one; a
    file:// URL also sets MEDIA_ROOT, so both names always agree."""
    url = config.get("MEDIA_URL") or Path(config["MEDIA_ROOT"]).absolute().as_uri()
    location = parse_media_url(url)
    config["MEDIA_URL"] = url
    if location.scheme == "file":
        config["MEDIA_ROOT"] = location.path


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


def public_url(mode: str) -> str:
    """FIELDAPP_PUBLIC_URL; in development the local server on PORT when it is not set.

    :raises ConfigError: when it is not set outside development and testing (QR codes and
        tracking links would point at this machine).
    """
    value = os.environ.get("FIELDAPP_PUBLIC_URL", "").strip().rstrip("/")
    if value:
        if not value.startswith(("http://", "https://")):
            raise ConfigError(
                f"FIELDAPP_PUBLIC_URL must start with http:// or https:// (got {value!r})."
            )
        return value
    if mode in ("development", "testing"):
        return f"http://127.0.0.1:{_env_int('PORT', 5000)}"
    raise ConfigError(
        "fieldapp refuses to start: set FIELDAPP_PUBLIC_URL to the address people reach the "
        "app at (e.g. https://servicio.example.pe): documents' QR codes and customers' "
        "tracking links are made from it."
    )


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """Build the app's settings from the environment, then apply `overrides` (tests).

    :raises ConfigError: when SECRET_KEY is missing or weak outside the lax modes, or
        FIELDAPP_MEDIA_URL is not a usable file:// or s3:// URL.
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
        # Where media live: file:///folder (default: MEDIA_ROOT) or s3://bucket/prefix?…
        "MEDIA_URL": os.environ.get("FIELDAPP_MEDIA_URL", ""),
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
        # Multi-day trips of hub couriers: the longest trip, and departments with no road.
        "TRIP_MAX_DAYS": _env_int("FIELDAPP_TRIP_MAX_DAYS", 3),
        "NO_ROAD_DEPARTMENTS": _env_list("FIELDAPP_NO_ROAD_DEPARTMENTS", ("16",)),
        # Cargo/courier agencies dispatch may send far jobs with (FIELDAPP_CARRIERS, a ; list).
        "CARRIERS": _env_list(
            "FIELDAPP_CARRIERS", ("Shalom", "Olva Courier", "Marvisur", "Cruz del Sur Cargo")
        ),
        # Business days each agency takes from hand-over to arrival (FIELDAPP_CARRIER_TRANSIT_DAYS,
        # "name=days;..."), and for an agency not listed; a place with no road adds a day.
        "CARRIER_TRANSIT_DAYS": _env_days(
            "FIELDAPP_CARRIER_TRANSIT_DAYS",
            {"Shalom": 3, "Olva Courier": 3, "Marvisur": 3, "Cruz del Sur Cargo": 3},
        ),
        "CARRIER_TRANSIT_DEFAULT_DAYS": _env_int("FIELDAPP_CARRIER_TRANSIT_DEFAULT_DAYS", 3),
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
        # The dispatch board's map: OpenStreetMap-compatible tiles ({z}/{x}/{y}); without a URL
        # (or when tiles fail) the board draws the offline SVG map, as PDFs always do.
        "MAP_TILE_URL": os.environ.get("FIELDAPP_MAP_TILE_URL", ""),
        "MAP_TILE_ATTRIBUTION": os.environ.get(
            "FIELDAPP_MAP_TILE_ATTRIBUTION", "© colaboradores de OpenStreetMap"
        ),
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
        # How customers reach the ST to reschedule a visit (tracking page): a phone to call and
        # a WhatsApp number (digits with the country code, 51 for Peru).
        "ST_PHONE": os.environ.get("FIELDAPP_ST_PHONE", "(01) 422-1234"),
        "ST_WHATSAPP": os.environ.get("FIELDAPP_ST_WHATSAPP", "51999888777"),
        # Ley 29733: customers whose cases all ended longer ago than this are anonymised.
        "RETENTION_DAYS": _env_int("FIELDAPP_RETENTION_DAYS", 1825),
        # The address people reach the app at (QR codes on documents, tracking links in mail).
        "PUBLIC_URL": overrides.get("PUBLIC_URL") or public_url(mode),
        # The job queue: Redis shared by every web process and worker; empty = in memory, for
        # one process running web and worker together (`flask serve`, what `make run` does).
        "QUEUE_URL": os.environ.get("FIELDAPP_QUEUE_URL", ""),
        "WORKER_THREADS": _env_int("FIELDAPP_WORKER_THREADS", 2),
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
    _media_settings(config)
    return config
