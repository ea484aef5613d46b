"""The app in Chromium: pages without exception, the Leaflet map painted offline, filters in the URL, the detail
panel of a clicked QPV, escaping of data text, the CSV download and README screenshots."""

from __future__ import annotations

import io
import os
import re
from datetime import date
from urllib.parse import quote, urlsplit

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.app import reference as ref
from tests.app.fixture_data import REGIES, XSS_NAME
from tests.paths import REPO
from ui.text import WORD_JOINER

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)  # a first page of a fresh server can take several seconds to settle

MAP = 'iframe[title="streamlit_folium.st_folium"]'
SHAPES = "path.leaflet-interactive"  # QPV polygons and régie circles (the outlines are not interactive)
REGIE_FILL = "#c2410c"
# The README pictures are rewritten only on request (CARTE_UPDATE_SCREENSHOTS=1), so a test run leaves the tree clean.
SCREENSHOTS = REPO / "docs" / "screenshots"
UPDATE_SCREENSHOTS = os.environ.get("CARTE_UPDATE_SCREENSHOTS") == "1"
PAGES = {"": "Vue d'ensemble", "carte": "Carte", "partenariats": "Partenariats", "territoires": "Territoires",
         "donnees": "Données et sources"}
LOAD_TIMEOUT = 60_000  # ms: a page with its data and map (a fresh server's first page: conftest.warm_up)

# For each visible shape of the wanted kind, a point inside it where it is the topmost element (so that a real
# mouse click hits it), relative to the map container.
FIND_TARGETS = """([kind, regieFill]) => {
    const container = document.querySelector('.leaflet-container').getBoundingClientRect();
    const targets = [];
    for (const shape of document.querySelectorAll('path.leaflet-interactive')) {
        const isRegie = (shape.getAttribute('fill') || '').toLowerCase() === regieFill;
        if ((kind === 'regie') !== isRegie) continue;
        const box = shape.getBoundingClientRect();
        if (box.width < 3 || box.height < 3) continue;
        search: for (const fy of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8])
        for (const fx of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
            const x = box.left + box.width * fx, y = box.top + box.height * fy;
            if (x < container.left + 60 || y < container.top + 10 || x > container.right - 10
                || y > container.bottom - 10) continue;
            if (document.elementFromPoint(x, y) === shape) {
                targets.push({x: x - container.left, y: y - container.top});
                break search;
            }
        }
    }
    return targets;
}"""


@pytest.fixture(scope="module")
def demo() -> ref.Data:
    return ref.load(ref.DEMO)


def expected_shapes(data: ref.Data, ask: ref.Ask) -> int:
    scope = ref.select(data, ask)
    return len(scope.qpv) + len(scope.regies)


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    page.locator("h1").first.wait_for(timeout=LOAD_TIMEOUT)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=LOAD_TIMEOUT)


def shapes(page: Page):
    return page.frame_locator(MAP).locator(SHAPES)


def wait_for_map(page: Page, count: int) -> None:
    """Until the map has painted exactly `count` QPV and régie shapes."""
    expect(shapes(page)).to_have_count(count, timeout=LOAD_TIMEOUT)


STILL = """() => {
    const container = document.querySelector('.leaflet-container');
    if (!container || container.classList.contains('leaflet-zoom-anim')) return false;
    const pane = document.querySelector('.leaflet-map-pane');
    const shapes = [...document.querySelectorAll('path.leaflet-interactive')];
    const state = getComputedStyle(pane).transform + shapes.length
        + shapes.filter((_, i) => i % 25 === 0).map(p => p.getAttribute('d')).join('|');
    const now = performance.now();
    if (window.__mapState !== state) { window.__mapState = state; window.__mapSince = now; return false; }
    return now - window.__mapSince > 600;
}"""


def wait_until_still(page: Page) -> None:
    """Until the map has stopped moving (the view is set after the first paint, with a zoom animation)."""
    frame = page.locator(MAP).element_handle().content_frame()
    frame.wait_for_function(STILL, timeout=LOAD_TIMEOUT)


def assert_no_exception(page: Page) -> None:
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def shape_targets(page: Page, kind: str) -> list[dict]:
    """Points (in the map container) where a click hits a QPV polygon (`kind` "qpv") or a régie circle."""
    container = page.frame_locator(MAP).locator(".leaflet-container")
    container.scroll_into_view_if_needed()
    wait_until_still(page)
    return container.evaluate(f"(_, args) => ({FIND_TARGETS})(args)", [kind, REGIE_FILL])


def click_at(page: Page, target: dict) -> None:
    page.frame_locator(MAP).locator(".leaflet-container").click(position=target)


# --- pages ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", list(PAGES), ids=[p or "accueil" for p in PAGES])
def test_page_opens_without_exception(page, base_url, path):
    open_app(page, f"{base_url}/{path}")
    expect(page.locator("h1").first).to_have_text(PAGES[path])
    expect(page.get_by_text("Données de démonstration").first).to_be_visible()
    assert_no_exception(page)


# --- map ------------------------------------------------------------------------------------------------------


def test_map_paints_and_region_filter_goes_to_the_url(page, base_url, demo):
    national = expected_shapes(demo, ref.Ask())
    regional = expected_shapes(demo, ref.Ask(regions=("84",)))
    assert national > 1000 and regional < national
    open_app(page, f"{base_url}/carte")
    wait_for_map(page, national)

    box = page.get_by_role("combobox", name="Région(s)")
    box.click()
    box.fill("Auvergne-Rh")
    page.get_by_role("option", name="Auvergne-Rhône-Alpes").click()
    page.wait_for_url(re.compile(r"[?&]region=84(&|$)"))
    wait_for_map(page, regional)
    assert_no_exception(page)

    url = page.url
    page.reload()
    page.locator("h1").first.wait_for()
    wait_for_map(page, regional)
    assert page.url == url
    expect(page.get_by_role("combobox", name="Région(s)").locator("xpath=..")).to_contain_text(
        "Auvergne-Rhône-Alpes")


def test_click_on_a_qpv_shows_its_detail(page, base_url, demo):
    qpv = ref.select(demo, ref.Ask(departements=("93",))).qpv.set_index("code_qp")
    open_app(page, f"{base_url}/carte?departement=93")
    wait_for_map(page, expected_shapes(demo, ref.Ask(departements=("93",))))
    targets = shape_targets(page, "qpv")
    assert targets, "no clickable QPV on the map"
    click_at(page, targets[0])

    tooltip = page.frame_locator(MAP).locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text(re.compile(r"\(QN\w+\)"))
    hovered = re.search(r"\((QN\w+)\)", tooltip.inner_text()).group(1)
    heading = page.locator('[data-testid="stHeading"]').filter(has_text=re.compile(r"\(QN\w+\)"))
    expect(heading).to_have_count(1, timeout=30_000)
    code = re.search(r"\((QN\w+)\)", heading.inner_text()).group(1)
    assert code == hovered
    assert code in qpv.index, f"{code} is not a QPV of Seine-Saint-Denis"
    expect(heading).to_have_text(f"{qpv.at[code, 'lib_qp']} ({code})")
    button = page.get_by_role("button", name=re.compile("Filtrer sur ce territoire"))
    expect(button).to_be_visible()
    assert_no_exception(page)
    button.click()  # the QPV's département (and région) become the filters, in the URL
    page.wait_for_url(re.compile(r"region=11"))
    assert re.search(r"[?&]departement=93(&|$)", page.url)
    expect(page.locator('[data-testid="stCaptionContainer"]').filter(has_text="Seine-Saint-Denis").first).to_be_visible()


def test_xss_name_stays_text(page, xss_url):
    open_app(page, f"{xss_url}/carte?departement=93")
    wait_for_map(page, 3 + 2)  # the fixture's 3 QPV and 2 régies of Seine-Saint-Denis
    frame = page.frame_locator(MAP)
    targets = shape_targets(page, "regie")
    assert len(targets) == 2
    for target in targets:  # hovered before any click: a popup's auto-pan would move the circles
        frame.locator(".leaflet-container").hover(position=target)
    expect(frame.locator(".leaflet-tooltip").filter(has_text=XSS_NAME)).to_have_text(XSS_NAME)
    popup = frame.locator(".leaflet-popup-content")
    for target in targets:  # the régie circles, until the popup of the one named like an XSS payload opens
        click_at(page, target)
        expect(popup).to_be_visible()
        if XSS_NAME in popup.inner_text():
            break
        frame.locator(".leaflet-popup-close-button").click()  # the popup could cover the next circle
    expect(popup).to_contain_text(XSS_NAME)
    expect(page.locator('[data-testid="stHeading"]').filter(has_text=XSS_NAME)).to_be_visible(timeout=30_000)
    assert frame.locator('img[src="x"]').count() == 0
    assert page.locator('img[src="x"]').count() == 0
    assert page.dialogs == []
    assert_no_exception(page)


def test_qpv_detail_shows_regie_names_as_text(page, xss_url):
    declared_by = {code: name for _, name, *_, codes in REGIES for code in codes}
    # Zoomed on the fixture's three QPV: the département's whole frame draws them a few pixels wide, under the régie
    # rings (the frame shows the whole territory since the one map composition).
    open_app(page, f"{xss_url}/carte?departement=93&centre=48.9155,2.3805&zoom=13")
    wait_for_map(page, 3 + 2)
    targets = shape_targets(page, "qpv")
    assert len(targets) == 3
    seen = set()
    for target in targets:
        click_at(page, target)
        heading = page.locator('[data-testid="stHeading"]').filter(has_text=re.compile(r"\(QN\w+\)"))
        expect(heading).to_have_count(1, timeout=30_000)
        expect(heading).not_to_have_text(re.compile("|".join(seen) or "^$"))  # this click's panel, not the last
        code = re.search(r"\((QN\w+)\)", heading.inner_text()).group(1)
        seen.add(code)
        line = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="Régie(s)")
        expect(line).to_have_text(re.compile(rf"Régie\(s\).*: .*{re.escape(declared_by[code])}\s*$"))
        expect(line.locator("a, img")).to_have_count(0)
    assert seen == {"QN09391X", "QN09392X", "QN09393X"}
    assert page.locator('a[href^="javascript"]').count() == 0
    assert page.locator('img[src="x"]').count() == 0
    assert page.dialogs == []
    assert_no_exception(page)


def test_regie_detail_heading_is_the_literal_name(page, xss_url):
    names = {name for _, name, commune, *_ in REGIES if commune in ("Saint-Denis", "Pantin")}
    open_app(page, f"{xss_url}/carte?departement=93")
    wait_for_map(page, 3 + 2)
    frame = page.frame_locator(MAP)
    shown = {}
    for index in range(2):
        click_at(page, shape_targets(page, "regie")[index])
        popup = frame.locator(".leaflet-popup-content b").first
        expect(popup).not_to_have_text(re.compile("|".join(map(re.escape, shown)) or "^$"))
        name = popup.inner_text()
        heading = page.locator('[data-testid="stHeading"]').filter(has_text=name[:5])
        expect(heading).to_have_count(1, timeout=30_000)
        shown[name] = heading.inner_text().strip()
        links = heading.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert not [h for h in links if h and "javascript" in h.lower()], links
        frame.locator(".leaflet-popup-close-button").click()
    assert set(shown) == names  # the popups show the names as written in the file
    assert shown == {name: name for name in names}, "the detail heading renders the régie name as markdown"


def test_detail_panel_labels_are_bold_not_asterisks(page, xss_url):
    open_app(page, f"{xss_url}/carte?departement=93")
    wait_for_map(page, 3 + 2)
    click_at(page, shape_targets(page, "qpv")[0])
    line = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="Régie(s)")
    expect(line).to_be_visible(timeout=30_000)
    assert "**" not in line.inner_text(), f"markdown shown as text: {line.inner_text()!r}"
    expect(line.locator("strong")).to_have_text(re.compile(r"^Régie\(s\) :\s*$"))


PHISHING = "[Session expirée : reconnectez-vous ici](https://evil.example/connexion)"


def test_url_values_in_notices_and_caption_stay_text(page, base_url):
    search = "voir www.evil.example ou https://evil.example"
    open_app(page, f"{base_url}/?region={quote(PHISHING)}&q={quote(search)}")
    notice = page.locator('[data-testid="stAlertContentInfo"] [data-testid="stMarkdownContainer"]').filter(
        has_text="Session expirée")
    expect(notice).to_be_visible()
    assert notice.inner_text().replace(WORD_JOINER, "") == f"Région « {PHISHING} » inconnue : ignorée."
    caption = page.locator('[data-testid="stCaptionContainer"]').filter(has_text="recherche « voir")
    expect(caption).to_have_count(1)
    assert caption.inner_text().replace(WORD_JOINER, "") == f"recherche « {search} »"
    links = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    assert [h for h in links if (urlsplit(h).hostname or "").endswith("evil.example") or h.startswith("mailto:")] == []
    assert_no_exception(page)


def test_a_failing_page_shows_a_reference_and_no_traceback(page, failing_server):
    url, log = failing_server
    open_app(page, url)
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text="erreur inattendue")
    expect(error).to_be_visible()
    reference = re.search(r"la référence ([0-9a-f]{8}) ", error.inner_text()).group(1)
    dom = page.content()
    for leak in ("Traceback", "RuntimeError", "détail interne", "secret.py", 'File "'):
        assert leak not in dom, leak
    assert_no_exception(page)
    expect(page.locator('[data-testid="stSidebar"]').get_by_text("Données et sources")).to_be_visible()
    text = log.read_text(encoding="utf-8")  # written before the page shows the message
    assert f"Page error, reference {reference}, in /" in text
    assert "Traceback (most recent call last)" in text and "RuntimeError: détail interne /srv/carte/secret.py" in text


# --- downloads ------------------------------------------------------------------------------------------------


def test_csv_download_matches_the_table(page, base_url, demo):
    expected = ref.select(demo, ref.Ask(regions=("84",), statuts=("en cours",))).partenariats
    open_app(page, f"{base_url}/partenariats?region=84&statut=en-cours")
    count = page.get_by_text(re.compile(r"partenariats? dans le périmètre filtré"))
    expect(count).to_be_visible()
    shown = int(re.match(r"([\d\u202f ]+) partenariat", count.inner_text()).group(1).replace("\u202f", ""))
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("CSV \\(Excel\\)")).click()
    download = info.value
    # named by every filter, the status included (issue 18)
    assert download.suggested_filename == f"partenariats_auvergne-rhone-alpes-en-cours_{date.today().isoformat()}.csv"
    raw = download.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(io.BytesIO(raw), sep=";", encoding="utf-8-sig", dtype=str)
    assert shown == len(table) == len(expected)
    assert sorted(table["Identifiant"]) == sorted(expected["id_partenariat"])


# --- privacy --------------------------------------------------------------------------------------------------


def test_no_request_leaves_the_machine(page, base_url, demo):
    open_app(page, f"{base_url}/carte")
    wait_for_map(page, expected_shapes(demo, ref.Ask()))
    local = {"127.0.0.1", "localhost"}
    outside = [u for u in page.requests
               if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).hostname not in local]
    assert any(urlsplit(u).path == "/app/static/node_modules/leaflet/dist/leaflet.js" for u in page.requests)
    assert outside == []


# --- screenshots ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,path,ask,top", [
    ("overview", "", ref.Ask(), None),
    ("carte", "carte?region=84", ref.Ask(regions=("84",)), None),
    ("territoires", "territoires?region=32", ref.Ask(regions=("32",)), "Portrait : Hauts-de-France"),
], ids=["overview", "carte", "territoires"])
def test_readme_screenshots(page, base_url, demo, name, path, ask, top, tmp_path):
    open_app(page, f"{base_url}/{path}")
    wait_for_map(page, expected_shapes(demo, ask))
    if top:  # the portrait's heading at the top of the window, the map under its figures
        heading = page.locator('[data-testid="stHeading"]').filter(has_text=top)
        heading.evaluate("element => element.scrollIntoView({block: 'start'})")
    wait_until_still(page)
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    for index in range(charts.count()):
        charts.nth(index).locator("canvas, svg").first.wait_for(state="attached")
    assert_no_exception(page)
    target = (SCREENSHOTS if UPDATE_SCREENSHOTS else tmp_path) / f"{name}.png"
    page.screenshot(path=str(target))
    assert target.stat().st_size > 20_000


def test_territory_portrait_prints_without_the_app_chrome(page, base_url):
    open_app(page, f"{base_url}/territoires?region=32")
    heading = page.locator('[data-testid="stHeading"]').filter(has_text="Portrait : Hauts-de-France")
    expect(heading).to_be_visible(timeout=30_000)
    sidebar = page.locator('section[data-testid="stSidebar"]')
    expect(sidebar).to_be_visible()
    page.emulate_media(media="print")
    expect(sidebar).to_be_hidden()
    expect(heading).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    assert_no_exception(page)
