"""Error pages that leak nothing, and the health check."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from fieldapp.extensions import db


def test_404_page_in_spanish(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "La página que busca no existe." in html
    assert 'lang="es-PE"' in html


def test_500_page_leaks_nothing(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret-internal-detail /etc/passwd")

    boom.is_public = True
    response = client.get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Ocurrió un error inesperado" in html
    assert "secret-internal-detail" not in html
    assert "Traceback" not in html and "RuntimeError" not in html


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "queue": {
            "documents_waiting": 0,
            "mail_waiting": 0,
            "optimisations_waiting": 0,
            "failed_jobs": 0,
            "oldest_waiting_seconds": 0,
        },
    }


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    def broken(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("database is down"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable"}
