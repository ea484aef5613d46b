"""What the map shows for one selection and measure, as plain data the map builders and `static/carte.js` take.

Pure: the selection and the QPV outlines of the view's scale in, a `MapPayload` out. The Streamlit layer caches it
per (data, filters, measure) and shares it read-only between sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd

from geo.display import Scale
from geo.filters import Selection
from geo.indicators import dominant_theme
from geo.view import overseas_frames
from ui import maps


@dataclass(frozen=True)
class MapPayload:
    qpv: dict  # columns of the national dots (`dots`) or of the regional/local outlines
    regies: dict
    legend_items: tuple
    dots: bool
    bounds: list | None
    insets: dict | None = None  # the national view's overseas insets (`maps.inset_data`)
    communes: dict | None = None  # commune names of the regional and local views (`maps.commune_label_data`)


def qpv_map_frame(sel: Selection, outlines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The selection's QPV with their dominant theme, drawn with their display outline (`outlines` indexed by
    `code_qp`, already simplified for the scale): filters only pick rows, nothing is simplified again."""
    qpv = qpv_with_theme(sel).drop(columns="geometry")
    return gpd.GeoDataFrame(qpv, geometry=outlines.geometry.reindex(qpv["code_qp"]).to_numpy(), crs=outlines.crs)


def qpv_with_theme(sel: Selection) -> gpd.GeoDataFrame:
    """The selection's QPV with `theme_dominant`: the columns `ui.maps.qpv_colors` reads for every measure, on
    screen and in the images."""
    return sel.qpv.assign(theme_dominant=dominant_theme(sel).reindex(sel.qpv["code_qp"]).to_numpy())


def build_map_payload(sel: Selection, outlines: gpd.GeoDataFrame, scale: Scale, measure: str, *,
                      framed: bool) -> MapPayload:
    """Dots at the national scale, outlines below (with a halo at the regional one); `framed`: the view fits
    the selection (a territory is chosen) instead of the default national frame. The national view (not framed)
    adds the overseas insets; the regional and local ones the names of the communes with QPV (a département's
    at once, a région's from `maps.COMMUNE_ZOOM`)."""
    frame = qpv_map_frame(sel, outlines)
    _, legend_items = maps.qpv_colors(frame, measure)
    bounds = maps.bounds_of([frame, sel.regies]) if framed else None
    dots = scale.name == "national"
    qpv_layer = (maps.qpv_dot_data(frame, measure) if dots
                 else maps.qpv_outline_data(frame, measure, halo=scale.name != "local"))
    insets = communes = None
    if dots and not framed:
        frames = overseas_frames(sel.atlas.departements)
        insets = maps.inset_data(frame, frames, {code: sel.atlas.region_name(code) for code, _ in frames}, measure)
    elif not dots:
        communes = maps.commune_label_data(frame, 0 if scale.name == "local" else maps.COMMUNE_ZOOM)
    return MapPayload(qpv_layer, maps.regie_data(sel.regies), tuple(legend_items), dots=dots, bounds=bounds,
                      insets=insets, communes=communes)
