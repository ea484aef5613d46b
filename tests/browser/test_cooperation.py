"""Issue 9's pages in Chromium: the opportunities map and a partnership's page paint offline what the files say,
and the overview draws the declination map and timeline."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.app import reference as ref
from tests.browser.test_browser import LOAD_TIMEOUT, SHAPES, open_app, shapes
from ui.opportunities import MAP_TITLE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo() -> ref.Data:
    return ref.load(ref.DEMO)


def test_opportunities_map_paints_every_qpv_without_partnership_offline(page, base_url, demo):
    open_app(page, f"{base_url}/opportunites")
    expect(page.locator("h1").first).to_have_text("Opportunités")
    with_partnership = {code for codes in demo.partenariats["qpv_list"] for code in codes}
    without = len(set(demo.qpv["code_qp"]) - with_partnership)
    painted = page.frame_locator(f'iframe[title="{MAP_TITLE}"]').locator(SHAPES)
    expect(painted).to_have_count(without + len(demo.regies), timeout=LOAD_TIMEOUT)
    assert not page.locator('[data-testid="stException"]').count()
    hosts = {urlsplit(url).hostname for url in page.requests if url.startswith("http")}
    assert hosts <= {"127.0.0.1"}, hosts


def test_partnership_page_paints_its_qpv_and_regie(page, base_url, demo):
    part = demo.partenariats[demo.partenariats["qpv_list"].map(len) > 1].iloc[0]
    open_app(page, f"{base_url}/partenariats?id={part['id_partenariat']}")
    expect(page.locator("h2").first).to_contain_text(f"Partenariat {part['id_partenariat']}")
    expect(shapes(page)).to_have_count(len(part["qpv_list"]) + 1, timeout=LOAD_TIMEOUT)
    regie = demo.regies.set_index("id_regie").at[part["id_regie"], "nom"]
    expect(page.get_by_text(regie).first).to_be_visible()


def test_overview_draws_the_declination_map_and_timeline(page, base_url):
    open_app(page, base_url)
    heading = page.get_by_role("heading", name="Déclinaisons régionales de la convention")
    heading.scroll_into_view_if_needed()
    expect(heading).to_be_visible()
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(6, timeout=LOAD_TIMEOUT)
    # Vega paints the régions (metropolitan ones: 13) as paths of the geoshape chart.
    expect(charts.nth(4).locator("path[aria-roledescription='geoshape']")).to_have_count(13, timeout=LOAD_TIMEOUT)
