"""A login survives a reload and a new tab (the server-side session's HttpOnly cookie), and a logout ends it
(issue 15)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard.session_routes import PATH
from tests.browser.conftest import VIEWPORT
from tests.browser.test_store_flow import LOAD_TIMEOUT, log_in_hdf, settle

pytestmark = pytest.mark.browser
LOGGED_IN = "hdf — contributeur régional"
ASKED = "L'import demande un compte"


def open_import(page, url: str) -> None:
    page.goto(f"{url}/import")
    expect(page.locator("h1").first).to_have_text("Import", timeout=LOAD_TIMEOUT)
    settle(page)


def test_a_login_survives_a_reload_and_a_new_tab_until_logout(page, contributor_url):
    with page.expect_response(lambda r: r.url.endswith(PATH), timeout=LOAD_TIMEOUT) as handed:
        log_in_hdf(page, contributor_url)
    assert handed.value.status == 204
    (session,) = [c for c in page.context.cookies() if c["name"] == "carte_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert session["value"] not in page.content()
    open_import(page, contributor_url)  # a reload: a new Streamlit session, the same browser
    expect(page.get_by_text(LOGGED_IN).first).to_be_visible(timeout=LOAD_TIMEOUT)
    other = page.context.new_page()
    open_import(other, contributor_url)  # a new tab
    expect(other.get_by_text(LOGGED_IN).first).to_be_visible(timeout=LOAD_TIMEOUT)
    other.close()

    with page.expect_response(lambda r: r.url.endswith(PATH), timeout=LOAD_TIMEOUT) as cleared:
        page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Se déconnecter").click()
    assert cleared.value.request.method == "DELETE" and cleared.value.status == 204
    assert not [c for c in page.context.cookies() if c["name"] == "carte_session"]
    expect(page.get_by_text(ASKED).first).to_be_visible(timeout=LOAD_TIMEOUT)
    open_import(page, contributor_url)
    expect(page.get_by_text(ASKED).first).to_be_visible(timeout=LOAD_TIMEOUT)
    assert not page.get_by_text(LOGGED_IN).count()


def test_without_the_cookie_a_new_browser_is_asked_to_log_in(browser, contributor_url):
    context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
    page = context.new_page()
    try:
        open_import(page, contributor_url)
        expect(page.get_by_text(ASKED).first).to_be_visible(timeout=LOAD_TIMEOUT)
    finally:
        context.close()
