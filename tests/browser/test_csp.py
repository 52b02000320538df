"""htmx swaps break no Content Security Policy rule (no inline indicator styles, no eval)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import csp_errors, log_in

pytestmark = pytest.mark.browser


def test_htmx_swaps_raise_no_csp_errors(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=server.url)
    page = context.new_page()
    errors = csp_errors(page)
    log_in(page, "sofia")
    page.goto("/cases/")
    results = page.locator("#case-results")
    expect(results).to_be_visible()
    for query in ("KCC", "zzzz-no-match", "T1"):
        with page.expect_response(lambda response: "/cases/?" in response.url):
            page.fill("#q", query)
        expect(page.locator("#case-results")).to_be_visible()
    assert not errors, errors
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    context.close()
