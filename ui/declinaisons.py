"""Builders for the regional declinations: the table and comparison as shown and exported (French headers), the
timeline of signatures and the map of the régions coloured by status (both Altair)."""

from __future__ import annotations

import json

import altair as alt
import folium
import geopandas as gpd
import pandas as pd
import shapely

from geo import fr
from geo.declinaisons import STATUS_COLORS
from geo.schema import DECLINAISON_STATUTS, DECLINAISONS, REGIONS
from geo.view import OVERSEAS_REGIONS
from ui.charts import COUNT_AXIS, FONT, PADDING
from ui.maps import CarteLayer, Legend

# The datasets' columns under their titles (`geo.schema`: the one spelling of a header, recognised on import).
DECLINATION_LABELS = {
    **REGIONS.titles("lib_reg"), **DECLINAISONS.titles(
        "ar_hlm", "statut", "date_signature", "organismes_signataires", "regies_signataires"),
    "partenariats_depuis": "Partenariats démarrés depuis", **DECLINAISONS.titles("lien_document", "commentaire"),
}
COMPARISON_LABELS = {
    **REGIONS.titles("lib_reg"), **DECLINAISONS.titles("statut", "date_signature"), "regies": "Régies", "qpv": "QPV",
    "qpv_couverts": "QPV couverts", "taux_couverture": "Taux de couverture", "partenariats": "Partenariats",
    "organismes": "Organismes engagés",
}


CHANGE_LABELS = {  # geo.timeline.compare_regions_between's change columns -> French headers (« depuis … » added)
    "evolution_regies": "Évolution des régies", "evolution_qpv_couverts": "Évolution des QPV couverts",
    "evolution_taux_couverture": "Évolution du taux de couverture (points)",
    "evolution_partenariats": "Évolution des partenariats", "evolution_organismes": "Évolution des organismes",
}


def for_export(table: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """French headers, dates as 27/11/2026, rates as 12,5 %: text for a slide (files take `for_file`)."""
    out = table[list(labels)].copy()
    out["date_signature"] = out["date_signature"].map(lambda d: "" if pd.isna(d) else fr.date_fr(d))
    if "taux_couverture" in out:
        out["taux_couverture"] = out["taux_couverture"].map(fr.pourcentage)
    return out.rename(columns=labels)


RATE_FILE_SUFFIX = " (%)"


def for_file(table: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """The rows of a CSV/XLSX file: French headers, numbers and dates kept as such (a spreadsheet sorts and sums
    them; `ui.exports` writes `27/11/2026` and decimal commas), the coverage rate in percent under a header that
    says so (`Taux de couverture (%)`: 21,4)."""
    out = table[list(labels)].copy()
    out["date_signature"] = pd.to_datetime(out["date_signature"])
    names = dict(labels)
    if "taux_couverture" in out:
        out["taux_couverture"] = (out["taux_couverture"].astype(float) * 100).round(1)
        names["taux_couverture"] += RATE_FILE_SUFFIX
    return out.rename(columns=names)


def signatures_timeline(table: pd.DataFrame, title: str = "Signatures des déclinaisons régionales") -> alt.Chart:
    """One point per signed declination on a time axis, labelled with its région; the running count as a step
    line, so the pace of the roll-out reads at a glance."""
    signed = table.dropna(subset=["date_signature"]).sort_values(["date_signature", "lib_reg"])
    data = pd.DataFrame({"date": signed["date_signature"].to_numpy(), "region": signed["lib_reg"].to_numpy(),
                         "cumul": range(1, len(signed) + 1)})
    data["date_fr"] = data["date"].map(fr.date_fr)
    base = alt.Chart(data, title=alt.Title(title, anchor="start", font=FONT)).encode(
        x=alt.X("date:T", title="Date de signature", axis=alt.Axis(format="%m/%Y")),
        y=alt.Y("cumul:Q", title="Régions signataires (cumul)", axis=COUNT_AXIS),
    )
    tooltip = [alt.Tooltip("region:N", title="Région"), alt.Tooltip("date_fr:N", title="Signée le"),
               alt.Tooltip("cumul:Q", title="Cumul")]
    line = base.mark_line(interpolate="step-after", color=STATUS_COLORS["signée"])
    points = base.mark_circle(size=80, color=STATUS_COLORS["signée"]).encode(tooltip=tooltip)
    labels = base.mark_text(align="left", dx=7, fontSize=11, color="#111827").encode(text="region:N")
    return (line + points + labels).properties(height=280, padding=PADDING)


def status_map(regions: gpd.GeoDataFrame, table: pd.DataFrame, title: str = "Avancement des déclinaisons",
               overseas: tuple[str, ...] = OVERSEAS_REGIONS) -> alt.Chart:
    """The metropolitan régions coloured by declination status (the overseas ones are in the table), tooltip
    with the status, the AR HLM and the date. Vega draws it in the page: no second Leaflet map."""
    status = table.set_index("insee_reg")
    shown = regions[regions["insee_reg"].isin(status.index) & ~regions["insee_reg"].isin(overseas)]
    data = gpd.GeoDataFrame({
        "region": status.loc[shown["insee_reg"], "lib_reg"].to_numpy(),
        "statut": status.loc[shown["insee_reg"], "statut"].to_numpy(),
        "ar_hlm": status.loc[shown["insee_reg"], "ar_hlm"].to_numpy(),
        "signee": [fr.date_fr(d) if pd.notna(d) else "" for d in status.loc[shown["insee_reg"], "date_signature"]],
    }, geometry=shown.geometry.to_numpy(), crs=regions.crs).to_crs(4326)
    # Vega (d3-geo) reads rings on the sphere: an exterior ring must run clockwise, or the shape is the whole
    # globe but the région (GeoJSON's counter-clockwise rings drew every région as one grey disc).
    data.geometry = shapely.orient_polygons(data.geometry.to_numpy(), exterior_cw=True)
    # GeoJSON features inline: Streamlit would otherwise try (and fail) to pass the geometry column to Arrow.
    features = alt.Data(values=data.__geo_interface__["features"])
    return alt.Chart(features, title=alt.Title(title, anchor="start", font=FONT)).mark_geoshape(
        stroke="#ffffff", strokeWidth=1).encode(
        color=alt.Color("properties.statut:N", title="Déclinaison", sort=list(DECLINAISON_STATUTS),
                        scale=alt.Scale(domain=list(DECLINAISON_STATUTS),
                                        range=[STATUS_COLORS[s] for s in DECLINAISON_STATUTS])),
        tooltip=[alt.Tooltip("properties.region:N", title="Région"),
                 alt.Tooltip("properties.statut:N", title="Déclinaison"),
                 alt.Tooltip("properties.signee:N", title="Signée le"),
                 alt.Tooltip("properties.ar_hlm:N", title="AR HLM")],
    ).project("conicConformal", rotate=[-3, 0], parallels=[44, 49]).properties(height=420)


def status_layer(regions: gpd.GeoDataFrame, table: pd.DataFrame, name: str = "Déclinaisons régionales"
                 ) -> folium.FeatureGroup:
    """The régions coloured by declination status, as a layer under the national map's QPV and régies, drawn by
    `Carte.areas` (not interactive: clicks reach the QPV and régies above). A folium GeoJson here named a
    variable that streamlit-folium's dynamic layers never declare: nothing drew on /carte."""
    status = dict(zip(table["insee_reg"], table["statut"], strict=True))
    shown = regions[regions["insee_reg"].isin(status) & regions.geometry.notna()]
    colors = [STATUS_COLORS.get(status[code], STATUS_COLORS[DECLINAISON_STATUTS[0]]) for code in shown["insee_reg"]]
    geometry = json.loads("[" + ",".join(shapely.to_geojson(shown.geometry.to_numpy())) + "]")
    group = folium.FeatureGroup(name=name, show=True)
    CarteLayer("areas", {"geometry": geometry, "color": colors, "opacity": 0.35}).add_to(group)
    return group


def status_legend() -> Legend:
    return Legend("Déclinaison régionale", [(STATUS_COLORS[s], s) for s in DECLINAISON_STATUTS])
