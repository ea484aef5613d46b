"""The map's JavaScript and CSS, served by the app itself (Streamlit static serving of `static/`).

folium and streamlit-folium point at CDNs by default; with no internet (or behind a proxy) the map then draws
nothing. Every folium element used here gets its `default_js`/`default_css` replaced, per instance, by the files
npm installed from `static/package.json` (pinned by its lock file).
"""

from __future__ import annotations

from pathlib import Path

import folium
from branca.element import Element
from folium import plugins

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
STATIC_URL = "/app/static"  # where Streamlit serves static/ when server.enableStaticServing is true
MODULES = "node_modules"

LEAFLET_JS = [("leaflet", f"{STATIC_URL}/{MODULES}/leaflet/dist/leaflet.js"),
              ("carte", f"{STATIC_URL}/carte.js")]  # the app's drawing functions (ui.maps.CarteLayer)
LEAFLET_CSS = [("leaflet_css", f"{STATIC_URL}/{MODULES}/leaflet/dist/leaflet.css")]
FULLSCREEN_JS = [("Control.Fullscreen.js", f"{STATIC_URL}/{MODULES}/leaflet.fullscreen/Control.FullScreen.js")]
FULLSCREEN_CSS = [("Control.FullScreen.css", f"{STATIC_URL}/{MODULES}/leaflet.fullscreen/Control.FullScreen.css")]


def offline_map(**kwargs) -> folium.Map:
    """A folium Map that loads Leaflet and static/carte.js from the app only (no jQuery, Bootstrap or icon fonts:
    none are used)."""
    m = folium.Map(tiles=None, **kwargs)
    m.default_js = list(LEAFLET_JS)
    m.default_css = list(LEAFLET_CSS)
    return m


def offline_fullscreen(**kwargs) -> plugins.Fullscreen:
    control = plugins.Fullscreen(
        title="Plein écran", title_cancel="Quitter le plein écran", force_separate_button=True, **kwargs
    )
    control.default_js = list(FULLSCREEN_JS)
    control.default_css = list(FULLSCREEN_CSS)
    return control


def walk(element: Element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from walk(child)


def external_links(element: Element) -> list[str]:
    """Every JS/CSS URL an element tree would load from outside the app: must stay empty."""
    links = []
    for node in walk(element):
        for _, url in list(getattr(node, "default_js", [])) + list(getattr(node, "default_css", [])):
            if not url.startswith(STATIC_URL + "/"):
                links.append(url)
    return links
