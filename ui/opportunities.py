"""Builders of the « Opportunités » page: French column labels and export frames of `geo.opportunities` tables,
and the map of the QPV without partnership."""

from __future__ import annotations

from html import escape

import folium
import geopandas as gpd
import pandas as pd

from geo import fr
from geo.filters import Selection
from geo.schema import QPV
from geo.view import overseas_frames
from ui.assets import offline_map
from ui.map_payload import frame_bounds
from ui.maps import INITIAL_VIEW, MAP_CSS, REGIE_COLOR, ZOOM_SNAP, CarteLayer, Legend, inset_data, legend_corner

# The QPV's own columns under their titles (`geo.schema`: the one spelling of a header, recognised on import).
QPV_LABELS = {
    **QPV.titles("code_qp", "lib_qp", "lib_com", "lib_dep", "lib_reg", "population"), "logements_hlm": "Logements HLM",
    "n_organismes": "Organismes propriétaires", "organismes": "Organismes (logements)",
    "n_regies_proches": "Régies à portée", "regie_proche": "Régie la plus proche", "distance_m": "Distance (m)",
    "regies_proches": "Régies les plus proches", "n_duos": "Duos déjà partenaires ailleurs",
    "duos": "Organisme × régie déjà partenaires",
}
REGIE_LABELS = {
    **QPV.titles("code_qp", "lib_qp", "lib_com"), "distance_m": "Distance (m)", **QPV.titles("population"),
    "logements_hlm": "Logements HLM", "organismes": "Organismes (logements)",
    "n_partenariats": "Partenariats", "autres_regies": "Régies qui le couvrent",
    "deja_partenaires": "Propriétaires déjà partenaires de la régie",
}
ORGANISME_LABELS = {
    **QPV.titles("code_qp", "lib_qp", "lib_com", "lib_dep"), "logements": "Logements de l'organisme",
    **QPV.titles("population"), "regie_proche": "Régie la plus proche",
    "distance_m": "Distance (m)", "deja_partenaire": "Déjà partenaire de cette régie",
}
MAP_TITLE = "Carte des QPV sans partenariat et des régies"
MAP_HEIGHT = 520
WITHIN_REACH = ("#c2410c", "Une régie à portée")
OUT_OF_REACH = ("#6b7280", "Aucune régie à portée")


def for_export(table: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """The rows as shown, French headers, distances in whole metres, yes/no in words."""
    out = table[list(labels)].copy()
    if "distance_m" in out:
        out["distance_m"] = pd.array([None if pd.isna(d) else round(d) for d in out["distance_m"]], dtype="Int64")
    for column in out.columns:
        if out[column].dtype == bool:
            out[column] = out[column].map({True: "oui", False: "non"})
    return out.rename(columns=labels)


def _points_layer(points: gpd.GeoSeries, tips: list[str], marker: folium.CircleMarker) -> folium.GeoJson:
    """One GeoJSON layer of points drawn as `marker`, each with its tooltip (HTML, data text already escaped): a
    single map element, where a marker and a tooltip per point made thousands of elements for folium to render."""
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(x, 5), round(y, 5)]},
                 "properties": {"tip": tip}} for x, y, tip in zip(points.x, points.y, tips, strict=True)]
    return folium.GeoJson({"type": "FeatureCollection", "features": features}, marker=marker,
                          tooltip=folium.GeoJsonTooltip(["tip"], labels=False))


def opportunities_map(table: pd.DataFrame, sel: Selection, outlines_url: str, height: int = MAP_HEIGHT
                      ) -> folium.Map:
    """The QPV of `table` (a `qpv_opportunities` frame of `sel`) as dots, orange when a régie is within reach,
    with the selection's régies as rings; tooltips say the figures of the table (escaped data text). Framed as
    the main map (`ui.map_payload.frame_bounds`): nationally metropolitan France with the région outlines and
    the overseas régions as insets (not buttons: this map reports no click)."""
    framed = sel.filters.has_territory
    m = offline_map(location=INITIAL_VIEW[0], zoom_start=INITIAL_VIEW[1], min_zoom=3, max_zoom=18,
                    control_scale=True, height=height, zoom_snap=1 if framed else ZOOM_SNAP, zoom_delta=0.5)
    m.get_root().header.add_child(folium.Element(MAP_CSS), name="carte_css")
    CarteLayer("outlines", outlines_url).add_to(m)
    qpv = sel.qpv
    places = qpv.set_index("code_qp").geometry.representative_point()
    shown = table[table["code_qp"].isin(places.index)]
    group = folium.FeatureGroup(name="QPV sans partenariat")
    for color, within in ((WITHIN_REACH[0], True), (OUT_OF_REACH[0], False)):
        rows = shown[(shown["n_regies_proches"] > 0) == within]
        tips = [f"<b>{escape(str(row.lib_qp))}</b> ({escape(str(row.code_qp))})<br>{escape(str(row.lib_com))}<br>"
                f"Population : {fr.nombre(row.population)} · logements HLM : {fr.nombre(row.logements_hlm)}<br>"
                + (f"Régie la plus proche : {escape(str(row.regie_proche))}, {fr.distance(row.distance_m)}"
                   if within else "Aucune régie à portée") for row in rows.itertuples(index=False)]
        if tips:  # a tooltip needs at least one point to name its field
            _points_layer(places.loc[rows["code_qp"].tolist()], tips, folium.CircleMarker(
                radius=5, weight=1, color="#ffffff", fill=True, fill_color=color, fill_opacity=0.9)).add_to(group)
    group.add_to(m)
    rings = folium.FeatureGroup(name="Régies")
    if len(sel.regies):
        _points_layer(sel.regies.geometry, [escape(str(n)) for n in sel.regies["nom"]],
                      folium.CircleMarker(radius=4, weight=2.5, color=REGIE_COLOR, fill=False)).add_to(rings)
    rings.add_to(m)
    gaps = qpv[qpv["code_qp"].isin(shown["code_qp"])]
    if not framed:
        frames = overseas_frames(sel.atlas.departements)
        within = gaps["code_qp"].map(dict(zip(shown["code_qp"], shown["n_regies_proches"] > 0, strict=True)))
        colors = within.map({True: WITHIN_REACH[0], False: OUT_OF_REACH[0]})
        names = {code: sel.atlas.region_name(code) for code, _ in frames}
        CarteLayer("insets", inset_data(gaps, colors, frames, names, title="")).add_to(m)
    Legend("QPV sans partenariat", [WITHIN_REACH, OUT_OF_REACH], [(REGIE_COLOR, "Régie")],
           position=legend_corner(not framed)).add_to(m)
    m.fit_bounds(frame_bounds(sel, gaps, framed))
    return m
