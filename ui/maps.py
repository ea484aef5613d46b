"""Map builders: data in, folium object out, no side effects (in the manner of geopandas' `explore()`).

Every text that comes from a data file is HTML-escaped here before it reaches a tooltip or popup: folium's
GeoJsonTooltip/GeoJsonPopup insert field values with `innerHTML` as they are.
"""

from __future__ import annotations

import json
from html import escape

import folium
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.utilities import JsCode
from jinja2 import Template

from geo import fr
from geo.schema import THEME_BY_SLUG, THEMES
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
REGIE_COLOR = "#c2410c"
# Without tiles the map background is the sea and foreign land: a pale blue-grey under white-ish outlines.
MAP_CSS = "<style>.leaflet-container{background:#e8eef3;font-family:'Source Sans Pro',sans-serif}</style>"
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

# Styles and tooltips are made in the browser from a few short properties per feature: folium's Python
# `style_function` would loop over every feature and ship a style table, and a ready-made tooltip per feature
# would double the payload, on every filter change. Texts arrive already HTML-escaped (see `qpv_features`).
QPV_STYLE = JsCode("""function(feature) {
    return {fillColor: feature.properties.f, color: "#374151", weight: 0.8, fillOpacity: 0.8};
}""")
QPV_HALO_STYLE = JsCode("""function(feature) {
    var c = feature.properties.f;
    return {fillColor: c, color: c, weight: 4, opacity: 0.9, fillOpacity: 0.9};
}""")
QPV_EACH_FEATURE = JsCode("""function(feature, layer) {
    var p = feature.properties, labels = LABELS;
    var count = p.p.toLocaleString("fr-FR") + (p.p > 1 ? " partenariats" : " partenariat");
    layer.bindTooltip("<b>" + p.n + "</b> <small>(" + p.qpv + ")</small><br>" + p.c + "<br>" + labels[p.s]
                      + " · " + count, {sticky: true});
    layer.options.baseStyle = {weight: layer.options.weight, color: layer.options.color};
    layer.on("mouseover", function(e) { e.target.setStyle({weight: 5, color: "#111827"}); });
    layer.on("mouseout", function(e) { e.target.setStyle(e.target.options.baseStyle); });
}""".replace("LABELS", json.dumps([label for _, label in COVERAGE.values()], ensure_ascii=False)))


def _feature_collection(frame: gpd.GeoDataFrame, properties: list[str]) -> dict:
    """GeoJSON of only the listed properties: every extra byte is shipped to the browser on each view.

    Geometries go through GEOS' vectorised GeoJSON writer (`shapely.to_geojson`), many times faster than
    geopandas' per-feature `__geo_interface__`, since this runs on every filter change.
    """
    geometries = json.loads("[" + ",".join(shapely.to_geojson(frame.geometry.to_numpy())) + "]")
    records = frame[properties].astype(object).where(frame[properties].notna(), None).to_dict("records")
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geometry}
        for props, geometry in zip(records, geometries, strict=True)
    ]}


def qpv_features(qpv: gpd.GeoDataFrame, measure: str = "coverage") -> dict:
    """The QPV layer's GeoJSON, with short properties: `qpv` code (resolves a click), `f` fill colour for
    `measure`, escaped `n` name and `c` commune, `s` coverage class, `p` partnership count.

    A plain dict, so that a caller may cache it per (data, filters, measure, scale) and build layers from it.
    """
    colors, _ = qpv_colors(qpv, measure)
    frame = gpd.GeoDataFrame(
        {"qpv": qpv["code_qp"].astype(str).map(escape).to_numpy(), "f": colors.to_numpy(),
         "n": qpv["lib_qp"].astype(str).map(escape).to_numpy(),
         "c": qpv["lib_com"].fillna("").astype(str).map(escape).to_numpy(),
         "s": qpv["coverage"].map(COVERAGE_ORDER.index).to_numpy(),
         "p": qpv["n_partenariats"].fillna(0).astype(int).to_numpy()},
        geometry=qpv.geometry.to_numpy(), crs=qpv.crs,
    )
    return _feature_collection(frame, ["qpv", "f", "n", "c", "s", "p"])


def build_qpv_layer(features: dict, halo: bool = False, name: str = "Quartiers prioritaires"
                    ) -> folium.FeatureGroup:
    """QPV outlines from `qpv_features`.

    `halo`: for national and regional views, where a QPV spans one or two pixels, the outline is drawn thick in
    the fill colour so that every QPV stays visible as a dot of its colour.
    """
    group = folium.FeatureGroup(name=name, show=True)
    folium.GeoJson(
        features,
        name=name,
        style=QPV_HALO_STYLE if halo else QPV_STYLE,
        on_each_feature=QPV_EACH_FEATURE,
        zoom_on_click=False,
    ).add_to(group)
    return group


class QpvDots(MacroElement):
    """The national view's QPV: one dot each, from columns rather than GeoJSON features.

    At the national scale a QPV covers a pixel or two, so its outline carries nothing the eye can see; a dot of
    a few pixels in its colour shows the same, and the columns weigh a quarter of the equivalent GeoJSON. Each
    dot keeps a `feature` with the QPV code, so streamlit-folium reports a click on it as on a polygon.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(group) {
            var d = {{ this.data|tojson }}, labels = {{ this.labels|tojson }};
            for (var i = 0; i < d.qpv.length; i++) {
                var color = d.palette[d.f[i]];
                var dot = L.circleMarker([d.lat[i], d.lon[i]], {radius: {{ this.radius }}, weight: 1, color: color,
                    opacity: 0.9, fillColor: color, fillOpacity: 0.9});
                dot.feature = {type: "Feature", properties: {qpv: d.qpv[i]}};
                var count = d.p[i].toLocaleString("fr-FR") + (d.p[i] > 1 ? " partenariats" : " partenariat");
                dot.bindTooltip("<b>" + d.n[i] + "</b> <small>(" + d.qpv[i] + ")</small><br>" + d.c[i] + "<br>"
                                + labels[d.s[i]] + " · " + count, {sticky: true});
                dot.addTo(group);
            }
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, data: dict, radius: float = 2.0):
        super().__init__()
        self._name = "QpvDots"
        self.data = data
        self.radius = radius
        self.labels = [label for _, label in COVERAGE.values()]


def qpv_dot_data(qpv: gpd.GeoDataFrame, measure: str = "coverage") -> dict:
    """Columns of the national dots: escaped code, name and commune, coverage class, partnership count, colour
    index into a palette, and a representative point rounded to 1e-3° (about 100 m, far below a pixel)."""
    colors, _ = qpv_colors(qpv, measure)
    palette = list(dict.fromkeys(colors))
    points = qpv.geometry.representative_point()
    return {
        "qpv": qpv["code_qp"].astype(str).map(escape).tolist(),
        "n": qpv["lib_qp"].astype(str).map(escape).tolist(),
        "c": qpv["lib_com"].fillna("").astype(str).map(escape).tolist(),
        "s": qpv["coverage"].map(COVERAGE_ORDER.index).astype(int).tolist(),
        "p": qpv["n_partenariats"].fillna(0).astype(int).tolist(),
        "f": colors.map(palette.index).astype(int).tolist(),
        "palette": palette,
        "lat": points.y.round(3).tolist(),
        "lon": points.x.round(3).tolist(),
    }


def build_qpv_dots(data: dict, name: str = "Quartiers prioritaires") -> folium.FeatureGroup:
    """The QPV layer of the national view, from `qpv_dot_data`."""
    group = folium.FeatureGroup(name=name, show=True)
    QpvDots(data).add_to(group)
    return group


def regie_popup(row: pd.Series) -> str:
    """Escaped popup of one régie: who, where, how many, with whom, on what."""
    themes = ", ".join(THEME_BY_SLUG[s].short for s in row.get("themes") or [] if s in THEME_BY_SLUG)
    organismes = ", ".join(row.get("organismes") or [])
    covered = ", ".join(row.get("qpv_couverts") or [])
    lines = [
        f"<b>{escape(str(row['nom']))}</b>",
        f"{escape(str(row['type']))} · {escape(str(row['commune']))}",
        f"{fr.pluriel(int(row['salaries']), 'salarié')} · {fr.pluriel(int(row['benevoles']), 'bénévole')}",
        f"QPV couverts : {escape(covered) or '—'}",
        f"Organismes partenaires : {escape(organismes) or '—'}",
        f"Thèmes : {escape(themes) or '—'}",
    ]
    return "<br>".join(lines)


def _points(frame: pd.DataFrame) -> list[tuple[float, float]]:
    return list(zip(frame.geometry.y.round(5), frame.geometry.x.round(5), strict=True))


def regie_features(regies: gpd.GeoDataFrame) -> dict:
    """The régies layer's GeoJSON: id (to resolve a click), escaped name and popup."""
    frame = gpd.GeoDataFrame(
        {"regie": regies["id_regie"].to_numpy(),
         "tip": [escape(str(n)) for n in regies["nom"]],
         "popup": [regie_popup(row) for _, row in regies.iterrows()]},
        geometry=gpd.points_from_xy(regies.geometry.x.round(5), regies.geometry.y.round(5)), crs=regies.crs,
    )
    return _feature_collection(frame, ["regie", "tip", "popup"])


def build_regies_layer(features: dict, name: str = "Régies") -> folium.FeatureGroup:
    """Régies (from `regie_features`) as circles with a popup of their figures and partners."""
    group = folium.FeatureGroup(name=name, show=True)
    folium.GeoJson(
        features,
        name=name,
        # A ring: the colour of the QPV the régie stands in stays visible through it.
        marker=folium.CircleMarker(radius=6, weight=2.5, color=REGIE_COLOR, fill=True, fill_color=REGIE_COLOR,
                                   fill_opacity=0.12),
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
        popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=360),
        zoom_on_click=False,
    ).add_to(group)
    return group


def build_organismes_layer(organismes: pd.DataFrame, name: str = "Sièges des organismes HLM"
                           ) -> folium.FeatureGroup:
    """Head offices of HLM organisms that have coordinates (optional layer, hidden by default)."""
    located = organismes.dropna(subset=["latitude", "longitude"])
    group = folium.FeatureGroup(name=name, show=False)
    for _, row in located.iterrows():
        label = f"<b>{escape(str(row['nom']))}</b><br>{escape(str(row['famille']))} · " \
                f"{escape(str(row['commune_siege']))}"
        folium.CircleMarker(
            location=(round(float(row["latitude"]), 5), round(float(row["longitude"]), 5)),
            radius=5, weight=1, color="#ffffff", fill=True, fill_color=ORGANISME_COLOR, fill_opacity=0.9,
            tooltip=label,
        ).add_to(group)
    return group


def outline_features(regions: gpd.GeoDataFrame, departements: gpd.GeoDataFrame) -> dict:
    """GeoJSON of the région and département outlines, geometry only (they are not interactive), as the
    file `FetchedOutlines` loads."""
    return {"regions": _feature_collection(regions, []), "departements": _feature_collection(departements, [])}


class FetchedOutlines(MacroElement):
    """Région and département outlines loaded by the browser from a file the app serves.

    They are the heaviest part of the map and never change with the filters: fetched once and kept by the
    browser's cache, they are not resent with every rerun. Their pane sits under the overlays, whatever the order
    in which the fetch and the layers complete; département land is filled white over the pale sea.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function(map) {
            var pane = map.createPane("contours");
            pane.style.zIndex = 350;
            pane.style.pointerEvents = "none";
            fetch({{ this.url|tojson }}).then(function(r) { return r.json(); }).then(function(data) {
                L.geoJson(data.departements, {pane: "contours", interactive: false, style: {color: "#6b7280",
                    weight: 0.5, fillColor: "#ffffff", fillOpacity: 0.85}}).addTo(map);
                L.geoJson(data.regions, {pane: "contours", interactive: false, style: {color: "#6b7280",
                    weight: 1.4, fill: false}}).addTo(map);
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, url: str):
        super().__init__()
        self._name = "FetchedOutlines"
        self.url = url


class Legend(MacroElement):
    """A Leaflet control holding the legend, so that it shows in screenshots and in full screen."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: "bottomright"});
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

    def __init__(self, title: str, items: list[tuple[str, str]], extra: list[tuple[str, str]] = ()):
        super().__init__()
        self._name = "Legend"
        rows = [f"<b>{escape(title)}</b>"]
        for color, label in items:
            rows.append(f'<span style="display:inline-block;width:12px;height:12px;background:{escape(color)};'
                        f'border:1px solid #6b7280;margin-right:6px;vertical-align:-1px"></span>{escape(label)}')
        for color, label in extra:
            rows.append(f'<span style="display:inline-block;width:8px;height:8px;border-radius:50%;'
                        f'border:2.5px solid {escape(color)};margin-right:6px;vertical-align:-1px"></span>'
                        f'{escape(label)}')
        self.html = "<br>".join(rows)


def build_legend(qpv: pd.DataFrame, measure: str, with_regies: bool = True) -> Legend:
    _, items = qpv_colors(qpv, measure)
    extra = [(REGIE_COLOR, "Régie")] if with_regies else []
    return Legend(MEASURES[measure], items, extra)


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


def build_base_map(outlines_url: str, tiles: str = "aucun", height: int = 620) -> folium.Map:
    """The map that stays mounted: outlines served by the app (`outline_features`), optional tiles, full screen."""
    m = offline_map(location=(46.6, 2.4), zoom_start=6, min_zoom=3, max_zoom=18, prefer_canvas=False,
                    control_scale=True, height=height)
    m.get_root().header.add_child(Element(MAP_CSS), name="carte_css")
    tile = TILES.get(tiles)
    if tile is not None:
        folium.TileLayer(tile[0], attr=tile[1], name="Fond de carte", max_zoom=18).add_to(m)
    FetchedOutlines(outlines_url).add_to(m)
    offline_fullscreen(position="topleft").add_to(m)
    return m
