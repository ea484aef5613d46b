"""Map builders: data in, folium object out, no side effects (in the manner of geopandas' `explore()`).

Every text that comes from a data file is HTML-escaped here before it reaches a tooltip or popup: folium's
GeoJsonTooltip/GeoJsonPopup insert field values with `innerHTML` as they are.
"""

from __future__ import annotations

import json
from html import escape

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from geo import fr
from geo.display import view_for_bounds
from geo.schema import FAMILLE_LABELS, THEME_BY_SLUG, THEMES, precision_text
from ui.assets import offline_fullscreen, offline_map

COVERAGE = {
    "regie_partenariat": ("#1a7f5a", "Régie et partenariat"),
    "regie_seule": ("#8cc5a6", "Régie seule"),
    "partenariat_seul": ("#9e7cc1", "Partenariat sans régie"),
    "aucune": ("#c9ccd1", "Ni régie ni partenariat"),
}
PARTNERSHIP_CLASSES = (  # (lowest count, colour, label)
    (0, "#e5e7eb", "Aucun partenariat"),
    (1, "#c6dbef", "1 partenariat"),
    (2, "#6baed6", "2 à 3"),
    (4, "#2171b5", "4 à 6"),
    (7, "#08306b", "7 et plus"),
)
NO_THEME = ("#c9ccd1", "Aucun partenariat")
MEASURES = {
    "coverage": "Couverture (régie / partenariat)",
    "partenariats": "Nombre de partenariats",
    "theme": "Thème dominant",
}
TILES = {
    "aucun": None,
    "osm": ("OpenStreetMap", "© contributeurs OpenStreetMap"),
    "ign": ("https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=GEOGRAPHICALGRIDSYSTEMS"
            ".PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
            "© IGN Plan IGN"),
}
TILE_NAMES = {"osm": "OpenStreetMap", "ign": "Plan IGN"}
REGIE_COLOR = "#c2410c"
# Without tiles the map background is the sea and foreign land: a pale blue-grey under white-ish outlines.
# Place names: dark text with a white halo, centred on their point, readable over any fill.
MAP_CSS = ("<style>.leaflet-container{background:#e8eef3;font-family:'Source Sans Pro',sans-serif}"
           ".carte-nom span{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;color:#111827;"
           "font-weight:600;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff}"
           ".carte-nom-region span{font-size:14px}.carte-nom-dep span{font-size:12px}"
           ".carte-nom-com span{font-size:12px;font-weight:500}"
           "path.leaflet-interactive:focus{outline:none;stroke:#111827;stroke-width:4px}"
           ".carte-encarts{display:flex;gap:6px}.carte-encart{width:100px;padding:2px;"
           "background:rgba(255,255,255,.92);border:1px solid #6b7280;border-radius:4px}"
           ".carte-encart[role=button]{cursor:pointer}"
           ".carte-encart[role=button]:focus,.carte-encart[role=button]:hover{outline:3px solid #1d4ed8}"
           ".carte-encart-carte{position:relative;overflow:hidden;width:96px;height:74px;background:#e8eef3}"
           ".carte-encart-nom{font:600 11px/1.4 sans-serif;color:#111827;text-align:center;white-space:nowrap;"
           "overflow:hidden;text-overflow:ellipsis}"
           # a map fitted to a small window (1280×720): smaller insets, clear of the metropolitan frame
           "@media (max-height:480px){.carte-encarts{gap:4px}.carte-encart{width:60px}"
           ".carte-encart-carte{width:56px;height:40px}.carte-encart-nom{font-size:9px}}</style>")
ORGANISME_COLOR = "#1d4ed8"


def _partnership_class(count: int) -> tuple[str, str]:
    chosen = PARTNERSHIP_CLASSES[0]
    for entry in PARTNERSHIP_CLASSES:
        if count >= entry[0]:
            chosen = entry
    return chosen[1], chosen[2]


def qpv_colors(qpv: pd.DataFrame, measure: str) -> tuple[pd.Series, list[tuple[str, str]]]:
    """Fill colour of each QPV for a measure, and the legend entries (colour, label) actually used."""
    if measure == "coverage":
        colors = qpv["coverage"].map(lambda c: COVERAGE[c][0])
        legend = [COVERAGE[c] for c in COVERAGE if (qpv["coverage"] == c).any()]
    elif measure == "partenariats":
        classes = qpv["n_partenariats"].astype(int).map(_partnership_class)
        colors = classes.map(lambda pair: pair[0])
        used = set(classes)
        legend = [(color, label) for _, color, label in PARTNERSHIP_CLASSES if (color, label) in used]
    elif measure == "theme":
        slugs = qpv["theme_dominant"].fillna("")
        colors = slugs.map(lambda s: THEME_BY_SLUG[s].color if s in THEME_BY_SLUG else NO_THEME[0])
        legend = [(t.color, t.short) for t in THEMES if (slugs == t.slug).any()]
        if (slugs == "").any():
            legend.append(NO_THEME)
    else:
        raise ValueError(f"unknown measure {measure!r}")
    return colors, legend


COVERAGE_ORDER = list(COVERAGE)
REGIE_WORDS = {"qpv": "QPV couverts", "orgs": "Organismes partenaires", "themes": "Thèmes"}
# The contract with static/carte.js, written only here: the keys each of its drawing functions reads. `CarteLayer`
# refuses any other payload, and tests/ui/test_maps.py checks that carte.js reads exactly these keys.
QPV_KEYS = ("qpv", "n", "c", "s", "p", "f", "palette", "labels", "counts")
CONTRACT = {
    "qpvDots": frozenset({*QPV_KEYS, "lat", "lon", "radius"}),
    "qpvOutlines": frozenset({*QPV_KEYS, "geometry", "halo"}),
    "regies": frozenset({"regie", "n", "head", "q", "o", "orgs", "t", "themes", "lat", "lon", "color", "words"}),
    "insets": frozenset({"region", "n", "bounds", "lat", "lon", "f", "palette", "radius", "title"}),
    "communeNames": frozenset({"n", "lat", "lon", "from"}),
    "areas": frozenset({"geometry", "color", "opacity"}),
}
DOT_RADIUS = 2.0  # px: about what a QPV outline with its halo covers at the national zoom


def compact_json(data) -> str:
    """JSON without spaces, safe inside a <script>: every byte here is shipped on each view."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class CarteLayer(MacroElement):
    """A call to one drawing function of static/carte.js with its data: the code is served once with Leaflet,
    each rerun ships only the compact data (no per-feature styles, no ready-made tooltips)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        Carte.{{ this.function }}({{ this._parent.get_name() }}, {{ this.payload }});
        {% endmacro %}
    """)

    def __init__(self, function: str, data):
        super().__init__()
        if function in CONTRACT and set(data) != CONTRACT[function]:
            raise ValueError(f"Carte.{function}: keys {sorted(set(data) ^ CONTRACT[function])} break the contract")
        self._name = "CarteLayer"
        self.function = function
        self.payload = compact_json(data)

    def render(self, **kwargs) -> None:
        """As MacroElement.render, whose `Element(rendered script)` would compile the script as a Jinja template:
        the whole data lexed again at every rerun (most of a map's server time), and `{{` in a name interpreted."""
        script = self._template.module.script(self, kwargs)
        self.get_root().script.add_child(_RenderedText(script), name=self.get_name())


class _RenderedText(Element):
    """Text rendered already, inserted as is."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


def _escaped(series: pd.Series) -> list[str]:
    return series.fillna("").astype(str).map(escape).tolist()


def _qpv_columns(qpv: gpd.GeoDataFrame, measure: str) -> dict:
    """What every QPV layer sends: escaped code, name and commune, coverage class, partnership count with its
    French text per distinct count, and the fill colour as an index into a palette."""
    colors, _ = qpv_colors(qpv, measure)
    palette = list(dict.fromkeys(colors))
    counts = qpv["n_partenariats"].fillna(0).astype(int)
    return {
        "qpv": _escaped(qpv["code_qp"]),
        "n": _escaped(qpv["lib_qp"]),
        "c": _escaped(qpv["lib_com"]) if "lib_com" in qpv else [""] * len(qpv),
        "s": qpv["coverage"].map(COVERAGE_ORDER.index).astype(int).tolist(),
        "p": counts.tolist(),
        "f": colors.map(palette.index).astype(int).tolist(),
        "palette": palette,
        "labels": [label for _, label in COVERAGE.values()],
        "counts": {int(n): fr.pluriel(n, "partenariat") for n in sorted(set(counts))},
    }


def qpv_dot_data(qpv: gpd.GeoDataFrame, measure: str = "coverage") -> dict:
    """The national view's QPV: a dot each, at a representative point rounded to 1e-3° (100 m, far below a
    pixel there). A QPV covers a pixel or two at that scale: its outline would carry nothing the eye sees."""
    points = qpv.geometry.representative_point()
    return {**_qpv_columns(qpv, measure), "lat": points.y.round(3).tolist(), "lon": points.x.round(3).tolist(),
            "radius": DOT_RADIUS}


def qpv_outline_data(qpv: gpd.GeoDataFrame, measure: str = "coverage", halo: bool = False) -> dict:
    """The regional and local views' QPV outlines (already simplified for the scale, see `geo.display`).

    `halo`: at the regional scale a QPV spans a few pixels, so its outline is drawn thick in its fill colour.
    """
    geometry = json.loads("[" + ",".join(shapely.to_geojson(qpv.geometry.to_numpy())) + "]")
    return {**_qpv_columns(qpv, measure), "geometry": geometry, "halo": halo}


INSET_TITLE = "Ouvrir la carte de la région"


def inset_data(qpv: gpd.GeoDataFrame, colors: pd.Series, frames: list[tuple[str, list]], names: dict[str, str],
               title: str = INSET_TITLE) -> dict:
    """The national view's overseas insets (`Composition.insets`): per région its escaped name, bounds and its
    QPV as dots (`qpv` with `insee_reg`, in `colors` as on the main map). `title`: what a click on an inset
    does (empty: nothing, the insets are not buttons)."""
    palette = list(dict.fromkeys(colors))
    points = qpv.geometry.representative_point()
    data = {"region": [], "n": [], "bounds": [], "lat": [], "lon": [], "f": [], "palette": palette,
            "radius": DOT_RADIUS + 1, "title": title}
    for code, bounds in frames:
        inside = (qpv["insee_reg"] == code).to_numpy()
        data["region"].append(escape(code))
        data["n"].append(escape(names.get(code, code)))
        data["bounds"].append(bounds)
        data["lat"].append(points[inside].y.round(3).tolist())
        data["lon"].append(points[inside].x.round(3).tolist())
        data["f"].append(pd.Series(colors[inside]).map(palette.index).astype(int).tolist())
    return data


def build_insets(data: dict, name: str = "Outre-mer") -> folium.FeatureGroup:
    """The overseas insets of the national view, from `inset_data`: a click on one opens its région."""
    group = folium.FeatureGroup(name=name, show=True)
    CarteLayer("insets", data).add_to(group)
    return group


COMMUNE_ZOOM = 9.5  # regional view: commune names from the zoom where département names give way


def commune_label_data(qpv: gpd.GeoDataFrame, from_zoom: float) -> dict:
    """Names of the communes that have QPV in the selection, each at the centre of its QPV's representative
    points, the communes with the most QPV first (they keep their place when names would overlap)."""
    if not len(qpv) or "lib_com" not in qpv:
        return {"n": [], "lat": [], "lon": [], "from": from_zoom}
    points = qpv.geometry.representative_point()
    keys = ["insee_com", "lib_com"] if "insee_com" in qpv else ["lib_com"]
    frame = pd.DataFrame({**{k: qpv[k].fillna("").astype(str).to_numpy() for k in keys},
                          "lat": points.y.to_numpy(), "lon": points.x.to_numpy()})
    frame = frame[frame["lib_com"] != ""]
    grouped = frame.groupby(keys, sort=False).agg(lat=("lat", "mean"), lon=("lon", "mean"), k=("lat", "size"))
    grouped = grouped.reset_index().sort_values(["k", "lib_com"], ascending=[False, True], kind="stable")
    return {"n": _escaped(grouped["lib_com"]), "lat": grouped["lat"].round(4).tolist(),
            "lon": grouped["lon"].round(4).tolist(), "from": from_zoom}


def build_commune_names(data: dict, name: str = "Communes") -> folium.FeatureGroup:
    """Commune names (from `commune_label_data`), shown from zoom `from` and thinned where they would overlap."""
    group = folium.FeatureGroup(name=name, show=True)
    CarteLayer("communeNames", data).add_to(group)
    return group


def build_qpv_dots(data: dict, name: str = "Quartiers prioritaires") -> folium.FeatureGroup:
    """The QPV layer of the national view, from `qpv_dot_data`."""
    group = folium.FeatureGroup(name=name, show=True)
    CarteLayer("qpvDots", data).add_to(group)
    return group


def build_qpv_layer(data: dict, name: str = "Quartiers prioritaires") -> folium.FeatureGroup:
    """The QPV layer of the regional and local views, from `qpv_outline_data`."""
    group = folium.FeatureGroup(name=name, show=True)
    CarteLayer("qpvOutlines", data).add_to(group)
    return group


def _headcount(value, noun: str) -> str:
    """« 85 salariés », or « salariés : inconnu » for a blank count (never zero)."""
    return f"{noun}s : inconnu" if pd.isna(value) else fr.pluriel(int(value), noun)


def regie_data(regies: gpd.GeoDataFrame) -> dict:
    """Régies as columns: escaped name and popup head (type, commune, headcounts), covered QPV, partner organisms
    and themes as indices into shared lists (an organism works with several régies)."""
    orgs = sorted({name for names in regies["organismes"] for name in names or []})
    org_index = {name: i for i, name in enumerate(orgs)}
    theme_index = {t.slug: i for i, t in enumerate(THEMES)}
    heads = [
        f"<b>{escape(str(r.nom))}</b><br>{escape(str(r.type))} · {escape(str(r.commune))}<br>"
        f"{_headcount(r.salaries, 'salarié')} · {_headcount(r.benevoles, 'bénévole')}"
        + f"<br>position : {escape(precision_text(getattr(r, 'precision', None)))}"
        for r in regies.itertuples()
    ]
    return {
        "regie": _escaped(regies["id_regie"]),
        "n": _escaped(regies["nom"]),
        "head": heads,
        "q": [[escape(str(c)) for c in codes or []] for codes in regies["qpv_couverts"]],
        "o": [[org_index[n] for n in names or []] for names in regies["organismes"]],
        "orgs": [escape(n) for n in orgs],
        "t": [[theme_index[s] for s in slugs or [] if s in theme_index] for slugs in regies["themes"]],
        "themes": [t.short for t in THEMES],
        "lat": regies.geometry.y.round(5).tolist(),
        "lon": regies.geometry.x.round(5).tolist(),
        "color": REGIE_COLOR,
        "words": REGIE_WORDS,
    }


def build_regies_layer(data: dict, name: str = "Régies") -> folium.FeatureGroup:
    """Régies (from `regie_data`) as rings with a popup of their figures, partners and themes."""
    group = folium.FeatureGroup(name=name, show=True)
    CarteLayer("regies", data).add_to(group)
    return group


def build_organismes_layer(organismes: pd.DataFrame, name: str = "Sièges des organismes HLM"
                           ) -> folium.FeatureGroup:
    """Head offices of HLM organisms that have coordinates (optional layer, hidden by default)."""
    located = organismes.dropna(subset=["latitude", "longitude"])
    group = folium.FeatureGroup(name=name, show=False)
    for _, row in located.iterrows():
        famille = FAMILLE_LABELS.get(row["famille"], row["famille"])
        label = f"<b>{escape(str(row['nom']))}</b><br>{escape(str(famille))} · " \
                f"{escape(str(row['commune_siege']))}"
        folium.CircleMarker(
            location=(round(float(row["latitude"]), 5), round(float(row["longitude"]), 5)),
            radius=5, weight=1, color="#ffffff", fill=True, fill_color=ORGANISME_COLOR, fill_opacity=0.9,
            tooltip=label,
        ).add_to(group)
    return group


def _feature_collection(frame: gpd.GeoDataFrame) -> dict:
    """Geometry-only GeoJSON, through GEOS' vectorised writer (`shapely.to_geojson`)."""
    geometries = json.loads("[" + ",".join(shapely.to_geojson(frame.geometry.to_numpy())) + "]")
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": g} for g in geometries]}


def _labels(frame: gpd.GeoDataFrame, name_column: str) -> dict:
    """Names (escaped) and a point inside each shape where `Carte.outlines` writes them at the scales they help,
    the largest shapes first: their names stay where names would overlap (`Carte.thin`)."""
    order = np.argsort(-shapely.area(frame.geometry.to_numpy()), kind="stable")
    frame = frame.iloc[order]
    points = frame.geometry.representative_point()
    names = frame[name_column] if name_column in frame else pd.Series([""] * len(frame))
    return {"n": _escaped(names), "lat": points.y.round(3).tolist(), "lon": points.x.round(3).tolist()}


def outline_features(regions: gpd.GeoDataFrame, departements: gpd.GeoDataFrame) -> dict:
    """The région and département outlines as the file the map fetches (`Carte.outlines`), with their names."""
    return {"regions": _feature_collection(regions), "departements": _feature_collection(departements),
            "labels": {"regions": _labels(regions, "lib_reg"), "departements": _labels(departements, "lib_dep")}}


class Legend(MacroElement):
    """A Leaflet control holding the legend, so that it shows in screenshots and in full screen."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function() {
                var div = L.DomUtil.create("div", "carte-legende");
                div.style.cssText = "background:rgba(255,255,255,.92);padding:6px 10px;border-radius:6px;"
                    + "font:12px/1.5 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3);color:#111827";
                div.innerHTML = {{ this.html|tojson }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, title: str, items: list[tuple[str, str]], extra: list[tuple[str, str]] = (),
                 position: str = "bottomright"):
        super().__init__()
        self._name = "Legend"
        self.position = position
        rows = [f"<b>{escape(title)}</b>"]
        for color, label in items:
            rows.append(f'<span style="display:inline-block;width:12px;height:12px;background:{escape(color)};'
                        f'border:1px solid #6b7280;margin-right:6px;vertical-align:-1px"></span>{escape(label)}')
        for color, label in extra:
            rows.append(f'<span style="display:inline-block;width:8px;height:8px;border-radius:50%;'
                        f'border:2.5px solid {escape(color)};margin-right:6px;vertical-align:-1px"></span>'
                        f'{escape(label)}')
        self.html = "<br>".join(rows)


def bounds_of(frames: list[gpd.GeoDataFrame]) -> list[list[float]] | None:
    """[[south, west], [north, east]] around the non-empty frames, for `fit_bounds`."""
    boxes = [f.total_bounds for f in frames if len(f)]
    if not boxes:
        return None
    west = min(b[0] for b in boxes)
    south = min(b[1] for b in boxes)
    east = max(b[2] for b in boxes)
    north = max(b[3] for b in boxes)
    return [[float(south), float(west)], [float(north), float(east)]]


class MetricScale(MacroElement):
    """Leaflet's scale bar in kilometres only (folium's `control_scale` adds miles as well)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "MetricScale"


class TileFailureNotice(MacroElement):
    """Without network a tiled basemap stays blank: on the first tile that fails to load, the map says so."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.layer.get_name() }}.once("tileerror", function () {
            var notice = L.control({position: "topright"});
            notice.onAdd = function () {
                var div = L.DomUtil.create("div", "carte-fond-indisponible");
                div.setAttribute("role", "status");
                div.style.cssText = "background:#fff7ed;border:1px solid #c2410c;padding:6px 10px;"
                    + "border-radius:6px;font:13px/1.4 sans-serif;color:#7c2d12;max-width:280px";
                div.textContent = {{ this.message|tojson }};
                return div;
            };
            notice.addTo({{ this._parent.get_name() }});
        });
        {% endmacro %}
    """)

    def __init__(self, layer: folium.TileLayer, name: str):
        super().__init__()
        self._name = "TileFailureNotice"
        self.layer = layer
        self.message = (f"Fond {name} indisponible (pas de connexion au serveur de tuiles) : "
                        "les contours et les données restent affichés.")


ZOOM_SNAP = 0.25  # dashboard.map_state.ZOOM_STEP: a frame fitted to the quarter zoom level fills the map
INITIAL_VIEW = ((46.6, 2.4), 6)  # where the map is drawn before streamlit-folium applies the requested view


def legend_corner(insets: bool) -> str:
    """Where a map's legends go: bottom right, or top right when the overseas insets take the bottom edge."""
    return "topright" if insets else "bottomright"


def fit_view(bounds, framed: bool, width_px: int, height_px: int) -> tuple[tuple[float, float], float]:
    """Centre and zoom showing `bounds` (`ui.map_payload.frame_bounds`) on a map of that size: metropolitan
    France fitted to the quarter zoom level, so that it fills the map; a territory to the whole level below,
    which leaves its edge shapes a margin (clear of a popup's pan)."""
    return view_for_bounds(bounds, width_px=width_px, height_px=height_px, step=1 if framed else ZOOM_SNAP)


FIT_MIN_HEIGHT = 300  # px: the smallest height of a map fitted to the window (`Carte.fitWindow`)


def build_base_map(outlines_url: str, tiles: str = "aucun", height: int = 620,
                   steps: list | None = None, fit_window: bool = False) -> folium.Map:
    """The map that stays mounted: outlines served by the app (`outline_features`), optional tiles, full screen.

    `steps`: bounds the keyboard arrows step through (presentation mode), see `Carte.steps`.
    `fit_window`: the map's height follows the window (down to the first screen's bottom), see `Carte.fitWindow`.
    """
    m = offline_map(location=INITIAL_VIEW[0], zoom_start=INITIAL_VIEW[1], min_zoom=3, max_zoom=18, prefer_canvas=False,
                    control_scale=False, height=height, zoom_snap=ZOOM_SNAP, zoom_delta=0.5)
    m.get_root().header.add_child(Element(MAP_CSS), name="carte_css")
    MetricScale().add_to(m)
    tile = TILES.get(tiles)
    if tile is not None:
        layer = folium.TileLayer(tile[0], attr=tile[1], name="Fond de carte", max_zoom=18).add_to(m)
        TileFailureNotice(layer, TILE_NAMES[tiles]).add_to(m)
    CarteLayer("outlines", outlines_url).add_to(m)
    CarteLayer("keyboard", None).add_to(m)
    if steps:
        CarteLayer("steps", steps).add_to(m)
    if fit_window:
        CarteLayer("fitWindow", FIT_MIN_HEIGHT).add_to(m)
    offline_fullscreen(position="topleft").add_to(m)
    return m
