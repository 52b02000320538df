"""The JavaScript takes its URLs from the page (data attributes rendered with url_for) and the
service worker from its script, rendered by the server: none is written into a static file."""

from __future__ import annotations

import re
from pathlib import Path

from fieldapp.pwa import courier_pages_pattern

STATIC_JS = Path(__file__).resolve().parents[2] / "fieldapp" / "static" / "js"
# A string literal that starts like a path of this site ("/courier/sync", '/sw.js', `/x`).
PATH_LITERAL = re.compile(r"""["'`]/[A-Za-z_]""")


def test_no_static_script_writes_a_path_of_the_site():
    found = {
        f"{path.name}:{number}": line.strip()
        for path in sorted(STATIC_JS.glob("*.js"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if PATH_LITERAL.search(line)
    }
    assert found == {}


def test_pages_carry_the_worker_and_sync_urls(client, login, courier):
    html = client.get("/login").get_data(as_text=True)
    assert 'data-worker="/sw.js" data-scope="/"' in html
    login("carlos")
    html = client.get("/courier/").get_data(as_text=True)
    assert 'js/outbox.js" data-sync-url="/courier/sync"' in html


def test_the_worker_is_told_its_urls_when_served(app, client):
    text = client.get("/sw.js").get_data(as_text=True)
    assert 'self.FIELDAPP_SYNC_URL = "/courier/sync";' in text
    assert 'const STATIC_PREFIX = "/static/";' in text
    with app.test_request_context():
        pattern = re.compile(courier_pages_pattern())
    assert [bool(pattern.match(p)) for p in ("/courier/", "/courier", "/courier/stops/12")] == [
        True,
        True,
        True,
    ]
    assert not any(pattern.match(p) for p in ("/courier/sync", "/courier/stops/x", "/dispatch/"))


def test_urls_follow_the_mount_point(client):
    mounted = "http://localhost/app"  # the app served under /app (SCRIPT_NAME)
    text = client.get("/sw.js", base_url=mounted).get_data(as_text=True)
    assert 'self.FIELDAPP_SYNC_URL = "/app/courier/sync";' in text
    assert '"/app/static/js/outbox.js"' in text
    html = client.get("/login", base_url=mounted).get_data(as_text=True)
    assert 'data-worker="/app/sw.js" data-scope="/app/"' in html
