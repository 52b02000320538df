"""Bytes a courier's phone downloads for /courier: right after login, and on a repeat load
(served from the service worker's caches). Counted at the server (response bodies, everything
the page and its service worker fetch); printed with `pytest -s` for the issue note."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fieldapp.extensions import db
from tests.browser.test_courier_app import _new_stop

pytestmark = pytest.mark.browser


def _settle(page) -> None:
    expect(page.locator("[data-route-cache]")).to_have_attribute("data-offline", "ready")
    page.wait_for_load_state("networkidle")


def test_bytes_on_first_and_repeat_load_of_the_route(phone, server):
    for _ in range(3):
        _new_stop("tomas")
    db.session.remove()
    tap = server.recorder
    page = phone.new_page()
    tap.bytes_out, tap.paths = 0, []
    page.goto("/login")
    page.wait_for_load_state("networkidle")
    login_page = tap.bytes_out
    tap.bytes_out, tap.paths = 0, []
    page.fill("#username", "tomas")
    page.fill("#password", "correct-horse-battery")
    page.click("button[type=submit]")
    _settle(page)
    first, first_paths = tap.bytes_out, list(tap.paths)
    tap.bytes_out, tap.paths = 0, []
    page.reload()
    _settle(page)
    repeat, repeat_paths = tap.bytes_out, list(tap.paths)
    print(
        f"\nlogin page (cold phone, includes service worker install + pre-cache): {login_page} B"
        f"\n/courier first load after login (3 stops, stop pages cached): {first} B"
        f" in {len(first_paths)} requests: {sorted(set(first_paths))}"
        f"\n/courier repeat load: {repeat} B in {len(repeat_paths)} requests: "
        f"{sorted(set(repeat_paths))}"
    )
    assert "/static/vendor/htmx.min.js" not in repeat_paths  # served from the worker's cache
    assert repeat < first < 100_000
