"""Every screen right for French users, in Chromium on the demo data: no English left from Streamlit, Leaflet or
Vega, `lang="fr"`, one tab title per page, French numbers in tables and exports, one history step per filter
change, and the national list of uncovered QPV exported through the app's own button."""

from __future__ import annotations

import contextlib
import io
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import streamlit
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard.locale import french_script
from tests.app import reference as ref
from tests.browser.test_browser import LOAD_TIMEOUT, MAP, open_app

pytestmark = pytest.mark.browser

# English seen on these pages before they were translated (issue 11), and the other built-in controls' words.
ENGLISH = {
    "Select all", "Clear all", "Clear value", "Download as CSV", "Download as PNG", "Download as SVG", "Show data",
    "Copy Vega-Lite spec", "Fullscreen", "Close fullscreen", "Exit fullscreen", "Skip to main content", "None",
    "Search", "Show/hide columns", "Open", "Close", "Collapse sidebar", "Expand sidebar", "Main menu",
    "Link to heading", "No results", "Choose an option", "Save as SVG", "Save as PNG", "View Source",
    "Open in Vega Editor",
    # the uploader, text inputs and date fields of the import and entry pages (issue 18)
    "Upload", "Drag and drop a file here", "Drag and drop files here", "Remove file", "file upload", "dd", "yyyy",
    "Selected values", "Choose date", "Clear date", "Clear entry", "App pages", "Sidebar", "Navigate to home page",
}
ENGLISH_PATTERNS = (re.compile(r"^Help for "), re.compile(r"^\d+ (mi|ft)$"), re.compile(r"^Select \d+ matches$"),
                    re.compile(r"^\d+(\.\d+)?[KMG]?B per file$"), re.compile(r"^Press .*Enter to "),
                    re.compile(r"^(day|month|year), "))
PAGES = ("", "carte?region=32", "partenariats?region=32", "territoires", "territoires?region=84", "donnees")
TEXTS = """(root) => {
    const out = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {acceptNode: node =>
        node.parentElement && node.parentElement.closest('script, style, noscript, template')
            ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
    let node;
    while ((node = walker.nextNode())) { const text = node.nodeValue.trim(); if (text) out.push(text); }
    for (const element of root.querySelectorAll('[aria-label], [title], [placeholder]'))
        for (const name of ['aria-label', 'title', 'placeholder']) {
            const value = element.getAttribute(name);
            if (value) out.push(value.trim());
        }
    return out;
}"""
# A number a French reader would not write: four digits or more without a separator, a decimal point, ",0".
NOT_FRENCH_NUMBER = re.compile(r"^-?\d{4,}([.,]\d+)?$|^-?\d+\.\d+$|^-?[\d\u202f]+,0+$")


@pytest.fixture(scope="module")
def demo() -> ref.Data:
    return ref.load(ref.DEMO)


def english_in(texts: list[str]) -> list[str]:
    return sorted({t for t in texts if t in ENGLISH or any(p.search(t) for p in ENGLISH_PATTERNS)})


def settle(page: Page) -> None:
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=LOAD_TIMEOUT)
    page.wait_for_timeout(800)  # the translation runs on the next animation frame after a change


def texts_of(page: Page) -> list[str]:
    texts = page.evaluate(TEXTS, page.locator("body").element_handle())
    for frame in page.frames[1:]:
        body = frame.locator("body")
        if body.count():
            texts += frame.evaluate(TEXTS, body.element_handle())
    return texts


@pytest.mark.parametrize("path", PAGES)
def test_page_is_french_with_its_own_tab_title(page, base_url, path):
    open_app(page, f"{base_url}/{path}")
    if path.startswith("carte"):
        page.frame_locator(MAP).locator(".leaflet-control-scale").wait_for()
    settle(page)
    # Open the sidebar's région list: its built-in "Select all" and "Clear all" must be French as well.
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
    settle(page)
    assert english_in(texts_of(page)) == []
    assert page.evaluate("document.documentElement.lang") == "fr"
    title = {"": "Vue d'ensemble", "carte": "Carte", "partenariats": "Partenariats", "territoires": "Territoires",
             "donnees": "Données et sources"}[path.split("?")[0]]
    assert page.title() == f"{title} · Carte des coopérations"


def test_map_scale_is_metric(page, base_url):
    open_app(page, f"{base_url}/carte?region=32")
    scale = page.frame_locator(MAP).locator(".leaflet-control-scale-line")
    expect(scale).to_have_count(1)
    assert re.fullmatch(r"\d+ k?m", scale.inner_text().strip())


# The grid draws its cells on a canvas, and its accessible table beside it writes numbers raw (`15530`): what a
# reader sees is recorded from the grid canvases' own drawing calls.
RECORD_GRID_TEXT = """(() => {
    const drawn = window.__gridText = [];
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
        // the grid's canvases, and the detached ones it draws into before copying them on screen
        if (!this.canvas.isConnected || this.canvas.closest('[data-testid="stDataFrame"]'))
            drawn.push({text: String(text).trim(), x: rest[0], y: rest[1]});
        return fillText.call(this, text, ...rest);
    };
})()"""


def grid_text(page: Page) -> list[str]:
    return page.evaluate("window.__gridText.map(d => d.text)")


def test_table_numbers_are_french(page, base_url, demo):
    page.add_init_script(RECORD_GRID_TEXT)
    open_app(page, f"{base_url}/territoires?region=32")
    page.get_by_role("heading", name="Régies du territoire").scroll_into_view_if_needed()
    # The régies' headcounts: the largest one of the région, as the key figures write it.
    scope = ref.select(demo, ref.Ask(regions=("32",)))
    largest = ref.fr_int(scope.regies["salaries"].max())
    # The figures table (« 1 493 » with its separator) sits above the régies' one: each grid draws when it lays
    # itself out, in no fixed order, so each is awaited rather than read once the other has drawn.
    for text in (largest, ref.fr_int(scope.kpis["QPV"])):
        page.wait_for_function("text => window.__gridText.some(d => d.text === text)", arg=text,
                               timeout=LOAD_TIMEOUT)
    settle(page)
    cells = grid_text(page)
    assert [c for c in cells if NOT_FRENCH_NUMBER.match(c) or c == "None"] == []


def test_numeric_column_sorts_as_numbers_and_reads_french(page, base_url, demo):
    """A click on the header « Population » sorts the QPV by number (a text sort would put « 9 360 » above
    « 15 530 »), the cells still drawn the French way."""
    without = {code for codes in demo.partenariats["qpv_list"] for code in codes}
    qpv = demo.qpv[(demo.qpv["insee_reg"] == "32") & ~demo.qpv["code_qp"].isin(without)]
    population = sorted(qpv["population"].dropna().astype(int), reverse=True)
    assert sorted(map(ref.fr_int, population), reverse=True)[0] != ref.fr_int(population[0])  # text sort differs
    page.add_init_script(RECORD_GRID_TEXT)
    open_app(page, f"{base_url}/opportunites?region=32")
    # Once more, as a new session: this grid is the one the first visit stored in the server's table cache.
    open_app(page, f"{base_url}/opportunites?region=32")
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=LOAD_TIMEOUT)
    settle(page)
    grid = page.locator('[data-testid="stDataFrame"]').first
    # The headers and cells are drawn on a canvas: click where the grid drew « Population », once (ascending), then
    # once more (descending), and read what it then draws in that column, top to bottom.
    headers = page.evaluate("window.__gridText.filter(d => d.y < 30)")
    left = next(h["x"] for h in headers if h["text"] == "Population")
    right = min(h["x"] for h in headers if h["x"] > left)
    box = grid.locator("canvas").first.bounding_box()
    column = """([left, right]) => {
        const rows = new Map();
        for (const d of window.__gridText) if (d.y > 30 && d.x > left && d.x <= right) rows.set(d.y, d.text);
        return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(e => e[1]).slice(0, 10);
    }"""
    page.evaluate("window.__gridText.length = 0")
    page.mouse.click(box["x"] + left + 5, box["y"] + 18)
    # The ascending order drawn before the second click, so that the rows read next are the descending ones.
    page.wait_for_function(f"args => ({column})(args).length >= 10", arg=[left, right], timeout=10_000)
    page.evaluate("window.__gridText.length = 0")
    page.mouse.click(box["x"] + left + 5, box["y"] + 18)
    expected = [ref.fr_int(p) for p in population[:10]]
    page.wait_for_function(f"args => ({column})(args).length >= 10", arg=[left, right], timeout=10_000)
    assert page.evaluate(column, [left, right]) == expected
    assert ref.NNBSP in expected[0]  # « 15 530 » with its French separator


def test_upload_refusal_is_french(page):
    """A file over `server.maxUploadSize` is refused by Streamlit's frontend in English: the message, exactly as the
    installed frontend writes it, reads French once the page's script has run (here on a bare page: no server)."""
    bundle = Path(streamlit.__file__).parent / "static" / "static" / "js"
    assert any("`File must be ${" in f.read_text(encoding="utf-8") for f in bundle.glob("*.js"))
    page.set_content(f"<html><body><p id='a'>File must be 100.0MB or smaller.</p>{french_script()}</body></html>")
    expect(page.locator("#a")).to_have_text("Fichier trop volumineux : 100\u00a0Mo au maximum.")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p id=b>File must be 104.9MB or smaller.</p>')")
    expect(page.locator("#b")).to_have_text("Fichier trop volumineux : 104,9\u00a0Mo au maximum.")


# --- charts ---------------------------------------------------------------------------------------------------

# Every text of each chart's SVG outside the chart's own box (its element on the page): a cut label.
CUT_LABELS = """chart => {
    const box = chart.getBoundingClientRect(), cut = [];
    for (const text of chart.querySelectorAll('svg text')) {
        const r = text.getBoundingClientRect();
        if (!text.textContent.trim() || r.width === 0) continue;
        if (r.left < box.left - 1 || r.right > box.right + 1)
            cut.push(`${text.textContent} (${Math.round(r.left - box.left)} to ${Math.round(r.right - box.left)}`
                     + ` in ${Math.round(box.width)} px)`);
    }
    return cut;
}"""
SELECTIONS = {"region": "region=32", "theme": "theme=inclusion-numerique", "famille": "famille=coop-hlm",
              "vide": "q=aucun-resultat-zzz"}


@pytest.mark.parametrize("page_path", ["", "territoires"])
@pytest.mark.parametrize("selection", list(SELECTIONS))
def test_no_chart_label_is_cut(page, base_url, page_path, selection):
    """Overview and portrait (a région's, hence région 32 with the other selections): each chart's texts lie
    within the chart's width."""
    query = SELECTIONS[selection] if page_path == "" or selection == "region" else f"region=32&{SELECTIONS[selection]}"
    open_app(page, f"{base_url}/{page_path}?{query}")
    settle(page)
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    if selection != "vide":
        expect(charts.first).to_be_attached(timeout=LOAD_TIMEOUT)
    cut = {}
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        chart.locator("svg text").first.wait_for(state="attached", timeout=LOAD_TIMEOUT)
        try:  # a chart still being resized to its column is drawn again within the moment
            page.wait_for_function(f"chart => ({CUT_LABELS})(chart).length === 0", arg=chart.element_handle(),
                                   timeout=5_000)
        except PlaywrightTimeout:
            cut[index] = chart.evaluate(CUT_LABELS)
    assert cut == {}


@pytest.mark.parametrize("viewport", [(1280, 720), (1440, 1000)])
def test_portrait_theme_comparison_keeps_its_bars_room(page, base_url, viewport):
    """« Thèmes : territoire et France » on the portrait of the région with the longest name: the plot (from the
    first to the last vertical grid line, as drawn) takes most of the chart's width; beside the map, with the
    legend on the right, it was about 50 px."""
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    open_app(page, f"{base_url}/territoires?region=93")
    settle(page)
    chart = page.locator('[data-testid="stVegaLiteChart"]').filter(has_text="Thèmes : territoire et France")
    expect(chart).to_have_count(1, timeout=LOAD_TIMEOUT)
    chart.scroll_into_view_if_needed()
    chart.locator('path[aria-roledescription="bar"]').first.wait_for(state="attached", timeout=LOAD_TIMEOUT)
    measure = """chart => {
        const box = chart.getBoundingClientRect();
        const ticks = [...chart.querySelectorAll('.role-axis-grid line')].map(l => l.getBoundingClientRect())
            .filter(r => r.height > r.width);  // the x axis's grid: vertical lines from its first tick to its last
        return [ticks.length ? Math.max(...ticks.map(r => r.right)) - Math.min(...ticks.map(r => r.left)) : 0,
                box.width];
    }"""
    with contextlib.suppress(PlaywrightTimeout):  # a chart being resized to its column is drawn again at once
        page.wait_for_function(f"chart => {{ const [plot, width] = ({measure})(chart); return plot >= 0.45 * width; }}",
                               arg=chart.element_handle(), timeout=10_000)
    plot, width = chart.evaluate(measure)
    assert plot >= 0.45 * width, (plot, width)


# --- history --------------------------------------------------------------------------------------------------


def idle(page: Page) -> None:
    """Until no rerun runs: Streamlit's status widget is gone."""
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=LOAD_TIMEOUT)


def choose(page: Page, label: str, option: str) -> None:
    """Pick `option` in the sidebar multiselect labelled `label`, as a user does: at once, even while a rerun still
    redraws the sidebar. A click can miss: the list still lays itself out just after opening (it scrolls to its
    focused first item), so the option under the pointer at the press is gone at the release and nothing is chosen.
    The choice counts once its tag is in the widget; otherwise the list is opened again."""
    widget = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text=label)
    tag = widget.locator(f'[data-tag][aria-label="{option}"]')
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):  # a missed click, or a rerun redrawing the sidebar closed the list: open it again
        widget.click()
        try:
            choice.click(timeout=5_000)
            expect(tag).to_be_visible(timeout=5_000)
            break
        except (PlaywrightTimeout, AssertionError):
            page.keyboard.press("Escape")
            idle(page)
    else:
        raise AssertionError(f"option « {option} » of « {label} » never chosen")
    page.keyboard.press("Escape")


def card(page: Page, label: str):
    metric = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True)).first
    return metric.locator('[data-testid="stMetricValue"]')


def expect_step(page: Page, url: str, scope: ref.Scope) -> None:
    """The address and the key figures of one filter step. Polled: after Back the address changes at once, the
    figures once the page has rerun."""
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))
    for label in ("Partenariats", "Régies", "QPV"):
        expect(card(page, label)).to_have_text(ref.fr_int(scope.kpis[label]), timeout=LOAD_TIMEOUT)


def test_back_restores_each_earlier_filter_step(page, base_url, demo):
    """Three filter choices, each made as soon as the figures of the previous one are shown (the sidebar may still be
    redrawn, as when a presenter picks quickly): each keeps the earlier ones. Then three Backs, pressed as quickly:
    each shows the earlier step, and nothing but the filter steps is in the history."""
    choices = [("Région(s)", "Hauts-de-France", "region=32", ref.Ask(regions=("32",))),
               ("Statut", "en cours", "region=32&statut=en-cours", ref.Ask(regions=("32",), statuts=("en cours",))),
               ("Thème(s)", "Inclusion numérique", "region=32&theme=inclusion-numerique&statut=en-cours",
                ref.Ask(regions=("32",), themes=("inclusion-numerique",), statuts=("en cours",)))]
    urls = [f"{base_url}/"] + [f"{base_url}/?{query}" for _, _, query, _ in choices]
    scopes = [ref.select(demo, ask) for ask in [ref.Ask()] + [ask for *_, ask in choices]]
    assert len({s.kpis["Partenariats"] for s in scopes}) == len(scopes)  # each step shows other figures
    open_app(page, urls[0])
    expect_step(page, urls[0], scopes[0])
    for (label, option, _, _), url, scope in zip(choices, urls[1:], scopes[1:], strict=True):
        choose(page, label, option)
        expect_step(page, url, scope)
    for url, scope in zip(reversed(urls[:-1]), reversed(scopes[:-1]), strict=True):
        page.go_back()
        expect_step(page, url, scope)
    idle(page)  # every rerun over: no stale widget value took the page elsewhere
    expect_step(page, urls[0], scopes[0])
    expect(page.locator('[data-testid="stSidebar"] [data-tag]')).to_have_count(0)
    assert page.evaluate("history.length") == len(urls) + 1  # the blank tab, then exactly one entry per step


# --- exports --------------------------------------------------------------------------------------------------


def test_national_uncovered_qpv_list_downloads_through_the_app(page, base_url, demo):
    expected = ref.uncovered(ref.select(demo, ref.Ask()), demo)
    open_app(page, f"{base_url}/territoires")
    heading = page.get_by_text(re.compile("QPV sans régie ni partenariat en France"))
    expect(heading).to_have_text(re.compile(re.escape(f"({ref.fr_int(len(expected))})")))
    with page.expect_download() as info:
        page.locator(".st-key-qpv-csv").get_by_role("button", name=re.compile(r"CSV \(Excel\)")).click()
    download = info.value
    assert download.suggested_filename == f"qpv-sans-regie-ni-partenariat_france_{date.today().isoformat()}.csv"
    table = pd.read_csv(io.BytesIO(download.path().read_bytes()), sep=";", encoding="utf-8-sig", dtype=str,
                        keep_default_na=False)
    assert list(table.columns) == ["Code QPV", "Quartier", "Commune", "Code département", "Département",
                                   "Code région", "Région", "Population"]
    assert table["Code QPV"].tolist() == expected["code_qp"].tolist()
    assert table["Quartier"].tolist() == expected["lib_qp"].tolist()
    population = ["" if pd.isna(v) else str(int(v)) for v in expected["population"]]
    assert table["Population"].tolist() == population


def test_basemap_without_network_says_so(page, base_url):
    """Tile requests are stopped in the browser itself (nothing leaves the machine): the map must say so."""
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort())
    open_app(page, f"{base_url}/carte?region=32")
    page.get_by_role("combobox", name="Fond de carte").click()
    page.get_by_role("option", name="OpenStreetMap").click()
    page.wait_for_url(re.compile(r"[?&]fond=osm(&|$)"))
    settle(page)
    expect(page.locator(MAP)).to_have_count(1, timeout=LOAD_TIMEOUT)  # the map with tiles replaces the other
    notice = page.frame_locator(MAP).locator(".carte-fond-indisponible")
    expect(notice).to_have_text(re.compile("Fond OpenStreetMap indisponible"))
    # The choice stays, and the new map telling where it was put is not taken for a move of the user's.
    assert page.url.endswith("/carte?region=32&fond=osm")
