"""What the map draws at each scale looks the same as the full-detail outlines at that scale.

The national view draws dots, the regional and local views simplified outlines (`geo.display`). Each is drawn by
Leaflet in Chromium beside the full-detail outlines in the app's style for the scale, at that scale's zoom: the
screenshots must differ on almost no pixel. The same drawing moved by three screen pixels, a change an eye just
catches, must differ clearly, so that the comparison can fail.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import shapely
from PIL import Image, ImageFilter

from geo.display import SCALES, display_frame, view_for_bounds
from geo.joins import build_atlas
from geo.load import load_folder
from tests.paths import REPO
from ui import maps
from ui.assets import offline_map

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1000, 700
LEAFLET = (REPO / "static" / "node_modules" / "leaflet" / "dist").as_uri()
VIEWS = {  # scale -> territory shown (None: the whole metropole)
    "national": None,
    "regional": ("insee_reg", "11"),
    "local": ("insee_dep", "93"),
}
OUT = REPO / "bench" / "out" / "fidelity"


@pytest.fixture(scope="module")
def atlas():
    return build_atlas(load_folder(REPO / "data" / "demo"))


def _html(qpv, scale_name: str, bounds, as_shown: bool) -> str:
    """A standalone page with the QPV layer only, Leaflet from the local files: outlines in the app's style for
    the scale, or (`as_shown`) exactly what the app draws at that scale (dots in the national view)."""
    center, zoom = view_for_bounds(bounds, WIDTH, HEIGHT)
    m = offline_map(location=center, zoom_start=zoom, zoom_control=False, width=WIDTH, height=HEIGHT)
    m.default_js = [("leaflet", f"{LEAFLET}/leaflet.js"), ("carte", (REPO / "static" / "carte.js").as_uri())]
    m.default_css = [("leaflet_css", f"{LEAFLET}/leaflet.css")]
    if as_shown and scale_name == "national":
        maps.build_qpv_dots(maps.qpv_dot_data(qpv, "coverage")).add_to(m)
    else:
        maps.build_qpv_layer(maps.qpv_outline_data(qpv, "coverage", halo=scale_name != "local")).add_to(m)
    return m.get_root().render()


def _screenshot(browser, html: str, path: Path) -> Image.Image:
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    page.goto(path.as_uri())
    page.wait_for_selector("path.leaflet-interactive", state="attached", timeout=20_000)
    # The paths are attached before the frame that paints them: two frames later they are on screen.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    page.close()
    image.save(path.with_suffix(".png"))
    return image


def _differing_share(a: Image.Image, b: Image.Image) -> float:
    """Share of the drawn pixels (non-background in either image) whose colour differs visibly.

    Both images are blurred by one pixel first: anti-aliasing moves edges by a fraction of a pixel, which no eye
    sees, while a shape that changed moves whole pixels.
    """
    a = np.asarray(a.filter(ImageFilter.GaussianBlur(1)), dtype=np.int16)
    b = np.asarray(b.filter(ImageFilter.GaussianBlur(1)), dtype=np.int16)
    background = np.array([221, 221, 221])  # Leaflet's container grey, no tiles
    drawn = (np.abs(a - background).max(axis=2) > 8) | (np.abs(b - background).max(axis=2) > 8)
    differs = np.abs(a - b).max(axis=2) > 40
    return float((differs & drawn).sum()) / max(int(drawn.sum()), 1)


def _views(atlas, scale_name: str):
    territory = VIEWS[scale_name]
    qpv = atlas.qpv if territory is None else atlas.qpv[atlas.qpv[territory[0]] == territory[1]]
    bounds = None if territory is None else maps.bounds_of([qpv])
    return qpv, bounds


@pytest.mark.parametrize("scale_name", list(VIEWS))
def test_display_geometry_looks_like_full_detail(atlas, browser, scale_name):
    qpv, bounds = _views(atlas, scale_name)
    scale = SCALES[scale_name]
    simplified = qpv.assign(geometry=display_frame(qpv, scale, ["code_qp"]).geometry.to_numpy())
    _, zoom = view_for_bounds(bounds, WIDTH, HEIGHT)
    shift_deg = 3 * 360 / (256 * 2**zoom)  # three screen pixels at the view's zoom
    shifted = shapely.transform(simplified.geometry.to_numpy(), lambda xy: xy + [shift_deg, 0])
    moved_qpv = qpv.assign(geometry=shifted)
    OUT.mkdir(parents=True, exist_ok=True)
    full_px = _screenshot(browser, _html(qpv, scale_name, bounds, False), OUT / f"{scale_name}_full.html")
    ours_px = _screenshot(browser, _html(simplified, scale_name, bounds, True), OUT / f"{scale_name}_affichage.html")
    shifted_px = _screenshot(browser, _html(moved_qpv, scale_name, bounds, True), OUT / f"{scale_name}_decale.html")
    ours, moved = _differing_share(full_px, ours_px), _differing_share(full_px, shifted_px)
    assert ours < 0.03, f"{scale_name}: {ours:.1%} of drawn pixels differ from the full-detail rendering"
    assert moved > 2 * ours and moved > 0.03, f"{scale_name}: a 3-pixel shift is not seen ({moved:.1%})"
