"""fieldapp: warranty field service for Kodak inkjet all-in-ones in Peru."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

# Nothing is imported at module level: `import fieldapp.domain…` (plain rules, used by tests
# and benches without an app) must not load Flask or SQLAlchemy through this package.


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints and CLI. Never touches the schema."""
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from fieldapp import logging_setup, transaction
    from fieldapp.config import load_config
    from fieldapp.extensions import csrf, db, htmx, limiter, login_manager, migrate

    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(Path(app.instance_path), config))
    logging_setup.init_app(app)  # first: no personal data in any log line from here on
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["PROXY_FIX_COUNT"]:
        count = app.config["PROXY_FIX_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)

    from fieldapp import models  # noqa: F401  (register every table with the metadata)
    from fieldapp.admin import bp as admin_bp
    from fieldapp.api import init_api
    from fieldapp.auth import bp as auth_bp
    from fieldapp.cases import bp as cases_bp
    from fieldapp.cli import register_cli
    from fieldapp.courier import bp as courier_bp
    from fieldapp.dispatch import bp as dispatch_bp
    from fieldapp.documents import bp as documents_bp
    from fieldapp.media_views import bp as media_bp
    from fieldapp.pwa import bp as pwa_bp
    from fieldapp.stock import bp as stock_bp
    from fieldapp.supervisor import bp as supervisor_bp
    from fieldapp.tracking import bp as tracking_bp
    from fieldapp.web import init_web
    from fieldapp.web.views import bp as core_bp
    from fieldapp.worker import init_app as init_worker
    from fieldapp.workshop import bp as workshop_bp

    init_web(app)
    init_worker(app)  # the job queue (Redis, or in memory for `flask serve`)
    for blueprint in (
        core_bp,
        auth_bp,
        cases_bp,
        dispatch_bp,
        courier_bp,
        workshop_bp,
        supervisor_bp,
        stock_bp,
        admin_bp,
        media_bp,
        pwa_bp,
        documents_bp,
        tracking_bp,
    ):
        app.register_blueprint(blueprint)
    init_api(app)  # flask-smorest Api: /api/v1 and its OpenAPI document
    register_cli(app)
    transaction.init_app(app)  # last: its after_request hook runs first
    return app
