"""Builders of the « Opportunités » page: French column labels and export frames of `geo.opportunities` tables,
and the map of the QPV without partnership."""

from __future__ import annotations

from html import escape

import folium
import geopandas as gpd
import pandas as pd

from geo import fr
from geo.schema import QPV
from ui.assets import offline_map
from ui.maps import MAP_CSS, REGIE_COLOR, Legend, bounds_of

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


def opportunities_map(table: pd.DataFrame, qpv: gpd.GeoDataFrame, regies: gpd.GeoDataFrame,
                      height: int = MAP_HEIGHT) -> folium.Map:
    """The QPV of `table` (a `qpv_opportunities` frame) as dots, orange when a régie is within reach, with the
    régies as rings; tooltips say the figures of the table (escaped data text)."""
    m = offline_map(location=(46.6, 2.4), zoom_start=6, min_zoom=3, max_zoom=18, control_scale=True, height=height)
    m.get_root().header.add_child(folium.Element(MAP_CSS), name="carte_css")
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
    if len(regies):
        _points_layer(regies.geometry, [escape(str(n)) for n in regies["nom"]],
                      folium.CircleMarker(radius=4, weight=2.5, color=REGIE_COLOR, fill=False)).add_to(rings)
    rings.add_to(m)
    Legend("QPV sans partenariat", [WITHIN_REACH, OUT_OF_REACH], [(REGIE_COLOR, "Régie")]).add_to(m)
    bounds = bounds_of([qpv[qpv["code_qp"].isin(shown["code_qp"])]])
    if bounds:
        m.fit_bounds(bounds)
    return m
