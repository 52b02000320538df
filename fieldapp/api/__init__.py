"""The Call Center API (/api/v1): bearer keys instead of sessions, JSON in and out, and an
OpenAPI document generated from the schemas that validate the requests."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api, Blueprint

from fieldapp.api.schemas import ErrorOut
from fieldapp.extensions import csrf
from fieldapp.web.guard import public_blueprint

BEARER = "bearerAuth"

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Casos del Call Center de Kodak.")
public_blueprint(bp)  # no session login: auth.py checks the bearer key
csrf.exempt(bp)  # no cookies are used, so there is nothing for CSRF to protect


class FieldappApi(Api):
    """flask-smorest's Api without its app-wide HTTP error handler (pages keep theirs, and the
    API's own are on its blueprint), with the OpenAPI document public."""

    ERROR_SCHEMA = ErrorOut

    def _register_error_handlers(self) -> None:
        """Leave the app's error pages alone; see fieldapp/api/errors.py."""

    def _register_doc_blueprint(self) -> None:
        """Serve openapi.json without a login."""
        super()._register_doc_blueprint()
        docs = self._app.blueprints.get(self._make_doc_blueprint_name())
        if docs is not None:
            public_blueprint(docs)


def _blank_query_is_absent(_converter, field, ret: dict, **_kwargs) -> dict:
    """Document what fields.py does: an optional query parameter left empty means "not given"."""
    if ret.get("in") == "query" and not field.required:
        return {"allowEmptyValue": True}
    return {}


def init_api(app: Flask) -> Api:
    """Serve /api/v1 and /api/v1/openapi.json on `app` (settings API_* and OPENAPI_*)."""
    from fieldapp.api import views  # noqa: F401  (routes and hooks on bp)

    api = FieldappApi(app, spec_kwargs={"security": [{BEARER: []}]})
    api.spec.components.security_scheme(BEARER, {"type": "http", "scheme": "bearer"})
    api.ma_plugin.converter.add_parameter_attribute_function(_blank_query_is_absent)
    api.register_blueprint(bp)
    return api
