"""Configuration from the environment, and the refusal to start without a real SECRET_KEY."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fieldapp import create_app
from fieldapp.config import ConfigError, load_config

ROOT = Path(__file__).parents[1]


@pytest.mark.parametrize("key", [None, "", "dev", "changeme", "short-key-123"])
def test_production_refuses_to_start_without_a_real_secret_key(key, monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    overrides = {"FIELDAPP_ENV": "production"}
    if key is not None:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError, match="set SECRET_KEY to a random value"):
        create_app(overrides)


def test_production_starts_with_a_real_key(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("FIELDAPP_PUBLIC_URL", "https://servicio.example.pe/")
    app = create_app({"FIELDAPP_ENV": "production"})
    assert app.config["SECRET_KEY"] == "k" * 48
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["PUBLIC_URL"] == "https://servicio.example.pe"


@pytest.mark.parametrize("mode", ["production", "demo"])
def test_public_url_is_required_outside_development(mode, monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.delenv("FIELDAPP_PUBLIC_URL", raising=False)
    with pytest.raises(ConfigError, match="set FIELDAPP_PUBLIC_URL"):
        create_app({"FIELDAPP_ENV": mode})
    monkeypatch.setenv("FIELDAPP_PUBLIC_URL", "servicio.example.pe")
    with pytest.raises(ConfigError, match="must start with http"):
        create_app({"FIELDAPP_ENV": mode})


def test_public_url_follows_port_in_development(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.delenv("FIELDAPP_PUBLIC_URL", raising=False)
    monkeypatch.setenv("PORT", "8123")
    app = create_app({"FIELDAPP_ENV": "development", "SECRET_KEY": "k" * 48})
    assert app.config["PUBLIC_URL"] == "http://127.0.0.1:8123"


def test_wsgi_refuses_with_a_clear_message():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "FIELDAPP_ENV"}}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "fieldapp refuses to start: set SECRET_KEY" in result.stderr


def test_development_makes_and_keeps_its_own_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(tmp_path, {"FIELDAPP_ENV": "development"})["SECRET_KEY"]
    second = load_config(tmp_path, {"FIELDAPP_ENV": "development"})["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "dev-secret-key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_under_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = load_config(tmp_path, {"FIELDAPP_ENV": "testing"})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'fieldapp.db'}"


@pytest.mark.parametrize("url", ["postgres://u:p@db/fieldapp", "postgresql://u:p@db/fieldapp"])
def test_postgres_urls_use_psycopg3(url, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", url)
    config = load_config(tmp_path, {"FIELDAPP_ENV": "testing"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/fieldapp"


def test_settings_come_from_fieldapp_env_vars(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDAPP_BAND_THRESHOLDS_KM", "150,450")
    monkeypatch.setenv("FIELDAPP_CAMERA_CENTRES", "Centro A; Centro B")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example")
    config = load_config(tmp_path, {"FIELDAPP_ENV": "testing"})
    assert config["BAND_THRESHOLDS_KM"] == (150.0, 450.0)
    assert config["CAMERA_CENTRES"] == ("Centro A", "Centro B")
    assert config["MAIL_SERVER"] == "smtp.example"
