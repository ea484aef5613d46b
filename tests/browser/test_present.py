"""Presenting the dashboard, in Chromium at 1280×720 and 1920×1080: the exact view in the link and across pages,
presentation mode (no chrome, arrows), Tab through the map, the printed portrait holding every row."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from geo.declinaisons import STATUS_COLORS
from tests.app import reference as ref
from tests.browser.test_browser import LOAD_TIMEOUT, MAP, assert_no_exception, open_app, wait_until_still
from tests.paths import REPO
from ui import maps

pytestmark = pytest.mark.browser
SIZES = {"1280x720": {"width": 1280, "height": 720}, "1920x1080": {"width": 1920, "height": 1080}}
VIEW = "region=84&theme=inclusion-numerique&mesure=theme&couches=qpv,regies,organismes&fond=aucun"
CHROME = ['section[data-testid="stSidebar"]', 'header[data-testid="stHeader"]', 'div[data-testid="stToolbar"]',
          'div[data-testid="stMainMenu"]']
MAP_STATE = "() => { const c = window.map.getCenter(); return [c.lat, c.lng, window.map.getZoom()]; }"


@pytest.fixture(params=list(SIZES))
def sized_page(request, browser):
    context = browser.new_context(viewport=SIZES[request.param], locale="fr-FR")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.requests = []
    page.on("request", lambda r: page.requests.append(r.url))
    yield page
    context.close()


def map_state(page) -> list[float]:
    """Centre and zoom of the map once it is drawn and still (after a page change, of the new map)."""
    expect(page.frame_locator(MAP).locator("path.leaflet-interactive").first).to_be_attached(timeout=LOAD_TIMEOUT)
    wait_until_still(page)
    return page.frame_locator(MAP).locator(".leaflet-container").evaluate(MAP_STATE.replace("() =>", "(_) =>"))


def params(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def local_only(page, base_url) -> None:
    host = urlsplit(base_url).netloc
    outside = [u for u in page.requests if urlsplit(u).scheme in ("http", "https", "ws", "wss")
               and urlsplit(u).netloc != host]
    assert outside == []


def test_presentation_mode_hides_the_chrome_and_the_arrows_step_through_views(sized_page, base_url):
    page = sized_page
    open_app(page, f"{base_url}/carte?presentation=1&region=84,76")
    frame = page.frame_locator(MAP)
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=LOAD_TIMEOUT)
    for selector in CHROME:  # hidden by the mode's styles, which may apply just after the heading shows
        expect(page.locator(selector).first).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.locator(".carte-demo-coin")).to_be_visible()
    expect(page.locator(".carte-demo-coin")).to_be_in_viewport()
    box = page.locator(MAP).bounding_box()
    width = page.evaluate("window.innerWidth")
    assert box["width"] > 0.9 * width, "the map spans the window"

    start = map_state(page)
    page.locator("h1").first.click()  # focus on the page, not in a form field
    page.keyboard.press("ArrowRight")  # the first selected région by code: Occitanie (76)
    page.wait_for_url(re.compile(r"centre="))
    first = map_state(page)
    assert first != start and 42.5 < first[0] < 44.5 and 0.5 < first[1] < 3.5
    url = page.url
    page.keyboard.press("ArrowRight")  # then Auvergne-Rhône-Alpes (84)
    expect(page).not_to_have_url(url)
    second = map_state(page)
    assert 44.0 < second[0] < 46.5 and 3.0 < second[1] < 6.0
    page.keyboard.press("ArrowLeft")
    assert map_state(page) == pytest.approx(first, abs=1e-3)
    assert_no_exception(page)
    local_only(page, base_url)


def test_presentation_mode_is_left_with_its_toggle(page, base_url):
    open_app(page, f"{base_url}/?presentation=1")
    expect(page.locator(CHROME[0])).to_be_hidden()
    page.get_by_text("Présentation", exact=True).click()
    page.wait_for_url(lambda url: "presentation" not in url)
    expect(page.locator(CHROME[0])).to_be_visible()


def test_a_link_reopens_the_view_after_zooms_and_after_another_page(sized_page, base_url):
    page = sized_page
    open_app(page, f"{base_url}/carte?{VIEW}")
    frame = page.frame_locator(MAP)
    expect(page.get_by_role("combobox", name="Colorer les QPV selon")).to_have_value("Thème dominant")
    expect(page.get_by_role("switch", name="Sièges HLM")).to_be_checked()
    expect(frame.locator(".leaflet-marker-pane, .leaflet-overlay-pane").first).to_be_attached()

    frame.locator(".leaflet-control-zoom-in").click()
    wait_until_still(page)
    frame.locator(".leaflet-control-zoom-in").click()
    page.wait_for_url(re.compile(r"zoom="))
    wait_until_still(page)
    zoomed = map_state(page)
    expect(page).to_have_url(re.compile(rf"zoom={zoomed[2]:g}(&|$)"))
    url = page.url
    assert {"mesure": "theme", "couches": "qpv,regies,organismes", "region": "84"}.items() <= params(page).items()

    page.goto(url)  # the link, opened again
    page.locator("h1").first.wait_for(timeout=LOAD_TIMEOUT)
    reopened = map_state(page)
    assert reopened == pytest.approx(zoomed, abs=1e-3)
    expect(page.get_by_role("switch", name="Sièges HLM")).to_be_checked()

    if page.viewport_size["width"] >= 1280:  # another page and back through the sidebar
        page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Partenariats").click()
        expect(page.locator("h1").first).to_have_text("Partenariats")
        page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Carte").click()
        expect(page.locator("h1").first).to_have_text("Carte")
        expect(page.get_by_role("combobox", name="Colorer les QPV selon")).to_have_value("Thème dominant")
        assert map_state(page) == pytest.approx(zoomed, abs=1e-3)
        page.wait_for_url(re.compile(r"centre="))
        assert params(page)["mesure"] == "theme"
    assert_no_exception(page)
    local_only(page, base_url)


def test_the_map_fills_the_first_screen_and_frames_france(sized_page, base_url):
    page = sized_page
    open_app(page, f"{base_url}/carte")
    map_state(page)
    # What is above the map may be drawn after it: the map follows, its new size frames it again on the server.
    page.wait_for_function(f"""() => {{ const b = document.querySelector('{MAP}').getBoundingClientRect();
        return b.bottom <= innerHeight && b.bottom >= innerHeight - 40; }}""", timeout=LOAD_TIMEOUT)
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=LOAD_TIMEOUT)
    frame = page.frame_locator(MAP)
    france = "window.map.getBounds().contains([[41.3, -5.2], [51.1, 9.6]])"
    page.locator(MAP).element_handle().content_frame().wait_for_function(f"() => {france}", timeout=LOAD_TIMEOUT)
    map_state(page)
    box = page.locator(MAP).bounding_box()
    height = page.viewport_size["height"]
    assert box["y"] + box["height"] <= height, "the map's bottom edge is in the first screen"
    assert box["y"] + box["height"] >= height - 40, "the map reaches down to the first screen's bottom"
    if height >= 1080:
        assert box["height"] > 640, "a larger window gives a taller map than the former fixed 640 px"
    assert frame.locator(".leaflet-container").evaluate(f"(_) => {france}"), "metropolitan France is whole"
    assert "centre" not in params(page), "fitting the window does not turn the framing into a position"


def test_national_map_has_an_inset_per_overseas_region_that_opens_it(sized_page, base_url):
    page = sized_page
    data = ref.load(ref.DEMO)
    open_app(page, f"{base_url}/carte")
    map_state(page)
    frame = page.frame_locator(MAP)
    insets = frame.locator(".carte-encart")
    expect(insets).to_have_count(5)
    names = {"01": "Guadeloupe", "02": "Martinique", "03": "Guyane", "04": "La Réunion", "06": "Mayotte"}
    national = ref.select(data, ref.Ask())
    declared = {c for codes in data.regies["declared"] for c in codes}
    linked = {c for codes in national.partenariats["qpv_list"] for c in codes}

    def coverage_color(code_qp: str) -> str:
        key = {(True, True): "regie_partenariat", (True, False): "regie_seule", (False, True): "partenariat_seul",
               (False, False): "aucune"}[code_qp in declared, code_qp in linked]
        return maps.COVERAGE[key][0]

    for code, name in names.items():
        inset = frame.locator(f'.carte-encart[data-region="{code}"]')
        expect(inset).to_be_visible()
        expect(inset).to_have_text(name)
        dots = inset.locator(".leaflet-points-pane path")
        expected = Counter(data.qpv.loc[data.qpv["insee_reg"] == code, "code_qp"].map(coverage_color))
        expect(dots).to_have_count(expected.total())
        assert dots.count() > 0
        assert Counter(dots.evaluate_all("(ps) => ps.map(p => p.getAttribute('fill'))")) == expected
    bottoms = insets.evaluate_all("(boxes) => boxes.map(b => b.getBoundingClientRect().bottom)")
    assert max(bottoms) <= page.locator(MAP).bounding_box()["height"], "the insets are inside the map's frame"
    frame.get_by_role("button", name="Ouvrir la carte de la région : La Réunion").click()
    page.wait_for_url(re.compile(r"[?&]region=04(&|$)"))
    expect(page.locator('[data-testid="stCaptionContainer"]').filter(has_text="La Réunion").first).to_be_visible()
    expect(frame.locator(".carte-encart")).to_have_count(0)
    assert_no_exception(page)
    local_only(page, base_url)


def test_commune_names_show_on_a_departement_not_on_the_national_view(page, base_url):
    data = ref.load(ref.DEMO)
    frame = page.frame_locator(MAP)
    open_app(page, f"{base_url}/carte")
    map_state(page)
    expect(frame.locator(".carte-nom-region").first).to_be_attached()
    expect(frame.locator(".carte-nom-com")).to_have_count(0)

    open_app(page, f"{base_url}/carte?departement=93")
    map_state(page)
    names = frame.locator(".carte-nom-com span")
    expect(names.first).to_be_visible()
    expected = set(data.qpv.loc[data.qpv["insee_dep"] == "93", "lib_com"])
    assert set(names.all_text_contents()) == expected  # one name per commune with QPV, the dense ones thinned
    shown = names.evaluate_all("(spans) => spans.filter(s => getComputedStyle(s).visibility !== 'hidden')"
                               ".map(s => s.getBoundingClientRect())"
                               ".map(r => [r.left, r.top, r.right, r.bottom])")
    assert len(shown) >= 3
    for i, a in enumerate(shown):  # the names shown do not overlap
        for b in shown[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def tab_out_of_the_map(page, frame) -> int:
    """Tab from the map's container until the focus leaves the map; how many Tabs it took (at most 10)."""
    frame.locator(".leaflet-container").focus()
    stops = 0
    while page.evaluate("document.activeElement.tagName") == "IFRAME":
        page.keyboard.press("Tab")
        stops += 1
        assert stops <= 10, "Tab stays in the map"
    return stops


def test_tab_reaches_a_shape_enter_opens_its_detail_and_tab_leaves(page, base_url):
    data = ref.load(ref.DEMO)
    qpv = data.qpv[data.qpv["insee_dep"] == "93"].set_index("code_qp")
    open_app(page, f"{base_url}/carte?departement=93")
    map_state(page)
    frame = page.frame_locator(MAP)
    frame.locator(".leaflet-container").focus()
    focused = frame.locator("path:focus")
    for _ in range(8):
        page.keyboard.press("Tab")
        if focused.count():
            break
    expect(focused).to_have_count(1)
    first = focused.get_attribute("aria-label")
    page.keyboard.press("ArrowRight")  # the next shape
    second = focused.get_attribute("aria-label")
    assert second and second != first
    page.keyboard.press("Enter")
    heading = page.locator('[data-testid="stHeading"]').filter(has_text=re.compile(r"\(QN\w+\)"))
    expect(heading).to_have_count(1, timeout=30_000)
    code = re.search(r"\((QN\w+)\)", heading.inner_text()).group(1)
    assert qpv.at[code, "lib_qp"] == second
    tab_out_of_the_map(page, frame)
    assert_no_exception(page)


def test_tab_goes_through_the_map_and_out_of_it(page, base_url):
    open_app(page, f"{base_url}/carte?region=84")
    frame = page.frame_locator(MAP)
    expect(frame.locator("path.leaflet-interactive").first).to_be_attached(timeout=LOAD_TIMEOUT)
    wait_until_still(page)
    assert tab_out_of_the_map(page, frame) >= 2, "the zoom buttons are reached with Tab"


def test_printed_portrait_holds_every_uncovered_qpv(page, base_url):
    import pypdf

    data = ref.load(ref.DEMO)
    expected = set(ref.uncovered(ref.select(data, ref.Ask(regions=("32",))), data)["code_qp"])
    assert len(expected) == 159
    open_app(page, f"{base_url}/territoires?region=32")
    expect(page.frame_locator(MAP).locator(".carte-legende")).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(page.locator(".vega-embed").first).to_be_visible()
    pdf = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    printed = set(re.findall(r"QN\d{5}[A-Z]", text))
    assert expected <= printed
    assert "Couverture (régie / partenariat)" in text  # the map's legend is printed with it
    local_only(page, base_url)


AXE = "/app/static/node_modules/axe-core/axe.min.js"  # npm (static/package.json), served by the app, never a CDN
AXE_RUN = """async () => {
    const result = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']});
    return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(' | '));
}"""


@pytest.mark.parametrize("path", ["", "carte?region=84", "partenariats", "territoires?region=32", "donnees",
                                  "carte?presentation=1"])
def test_no_serious_accessibility_violation(page, base_url, path):
    open_app(page, f"{base_url}/{path}")
    if "donnees" not in path and "partenariats" not in path:  # pages with a map: once it is drawn and still
        map_state(page)
    # Streamlit fades the elements of a page while it reruns: check the page at rest.
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=LOAD_TIMEOUT)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")
    # ... and once the fade back in is over: half-faded grey text fails the contrast rule (seen on CI).
    page.wait_for_function("() => document.getAnimations().every(a => !(a instanceof CSSTransition))",
                           timeout=LOAD_TIMEOUT)
    for frame in page.frames:  # axe checks a frame's content only when it runs inside it too (the map)
        frame.add_script_tag(url=AXE)
    assert page.evaluate(AXE_RUN) == []
    local_only(page, base_url)


LATE_CODE = re.compile(r"/static/js/(Multiselect|Checkbox)\.[^/]+\.js$")  # the lists and the switches


def test_controls_whose_code_arrives_late_keep_the_link(page, base_url):
    """Streamlit fetches a widget's code when such a widget first shows. Here the code of the sidebar's lists and
    of the map's switches is held back until the user has changed the map's colours: once it arrives, they must
    show the link's région and layers and keep them, not start empty and send that back as the user's choice."""
    held = []
    page.route(LATE_CODE, lambda route: held.append(route))
    open_app(page, f"{base_url}/carte?region=32")
    page.get_by_role("combobox", name="Colorer les QPV selon").click()
    page.get_by_role("option", name="Thème dominant").click()
    page.wait_for_url(re.compile(r"[?&]mesure=theme(&|$)"))
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=LOAD_TIMEOUT)
    assert held, "the widgets' code was not fetched on demand: this test no longer holds it back"
    for route in held:
        route.continue_()
    page.unroute(LATE_CODE)

    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.locator('[data-tag][aria-label="Hauts-de-France"]')).to_have_count(1, timeout=LOAD_TIMEOUT)
    expect(page.get_by_role("switch", name="QPV")).to_be_checked()
    expect(page.get_by_role("switch", name="Régies")).to_be_checked()
    page.get_by_text("Sièges HLM", exact=True).click()  # a rerun sending every widget's value
    page.wait_for_url(re.compile(r"organismes"))
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=LOAD_TIMEOUT)
    assert params(page) == {"region": "32", "mesure": "theme", "couches": "qpv,regies,organismes"}
    expect(sidebar.locator('[data-tag][aria-label="Hauts-de-France"]')).to_have_count(1)
    assert_no_exception(page)


def _boxes(locator) -> list[list[float]]:
    return locator.evaluate_all("(els) => els.filter(e => getComputedStyle(e).visibility !== 'hidden')"
                                ".map(e => e.getBoundingClientRect()).map(r => [r.left, r.top, r.right, r.bottom])")


def _apart(a, b) -> bool:
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


@pytest.mark.parametrize("path", ["", "carte"])
def test_legends_stay_clear_of_the_overseas_insets(sized_page, base_url, path):
    """The home map's and /carte's legends do not cover La Réunion's and Mayotte's
    insets (fails on the old code: the legend sat in the bottom right corner over the end of the strip)."""
    page = sized_page
    open_app(page, f"{base_url}/{path}")
    map_state(page)
    frame = page.frame_locator(MAP)
    expect(frame.locator(".carte-encart")).to_have_count(5)
    expect(frame.locator(".carte-legende").first).to_be_visible()
    legends, insets = _boxes(frame.locator(".carte-legende")), _boxes(frame.locator(".carte-encart"))
    assert len(legends) == 1
    container = _boxes(frame.locator(".leaflet-container"))[0]
    for legend in legends:
        assert all(_apart(legend, inset) for inset in insets), (legend, insets)
        assert container[0] <= legend[0] and legend[2] <= container[2] and legend[3] <= container[3]


def test_ile_de_france_departement_names_do_not_overlap(page, base_url):
    """Paris and the petite couronne are a few pixels apart at the région's zoom: their names are thinned,
    the larger départements' kept (fails on the old code, which wrote them over each other)."""
    open_app(page, f"{base_url}/carte?region=11")
    map_state(page)
    names = page.frame_locator(MAP).locator(".carte-nom-dep span")
    expect(names.first).to_be_visible()
    # measured once the view has stopped moving (a zoom animation scales the names' pane) and the web font is in
    wait_until_still(page)
    page.locator(MAP).element_handle().content_frame().wait_for_function("document.fonts.status === 'loaded'")
    shown = _boxes(names)
    assert len(shown) >= 5  # the grande couronne's four and at least one of the inner ones
    for i, a in enumerate(shown):
        for b in shown[i + 1:]:
            assert _apart(a, b), (a, b)
    visible = names.evaluate_all("(spans) => spans.filter(s => getComputedStyle(s).visibility !== 'hidden')"
                                 ".map(s => s.textContent)")
    assert "Seine-et-Marne" in visible


def test_declinations_layer_paints_each_region_in_its_status_colour(page, base_url):
    """/carte's « Déclinaisons » layer: one filled area per région of the declinations file, in its status
    colour, under the QPV; the insets and both legends still there (fails on the old code: a folium GeoJson in
    streamlit-folium's dynamic layers stopped the drawing, no QPV, no région, no inset)."""
    open_app(page, f"{base_url}/carte?couches=qpv,regies,declinaisons")
    map_state(page)
    frame = page.frame_locator(MAP)
    with open(REPO / "data" / "demo" / "declinaisons.csv", encoding="utf-8-sig") as source:
        statuses = [row["statut"] for row in csv.DictReader(source, delimiter=";")]
    expected = Counter(STATUS_COLORS[s] for s in statuses)
    # the main map's own overlays (not the insets' small maps), at the areas' opacity (outlines 0.85, dots 0.9)
    areas = frame.locator('.leaflet-container > .leaflet-map-pane > .leaflet-overlay-pane path[fill-opacity="0.35"]')
    expect(areas).to_have_count(len(statuses))
    assert Counter(areas.evaluate_all("(ps) => ps.map(p => p.getAttribute('fill'))")) == expected
    expect(frame.locator(".carte-encart")).to_have_count(5)
    expect(frame.locator(".carte-legende")).to_have_count(2)
    legends, insets = _boxes(frame.locator(".carte-legende")), _boxes(frame.locator(".carte-encart"))
    assert all(_apart(legend, inset) for legend in legends for inset in insets)
    assert_no_exception(page)
