"""Builders of one partnership's page: its QPV and its régie on a small map."""

from __future__ import annotations

from html import escape

import folium
import geopandas as gpd
import pandas as pd

from ui.assets import offline_map
from ui.maps import MAP_CSS, REGIE_COLOR, bounds_of

QPV_COLOR = "#1f4e79"


def project_map(qpv: gpd.GeoDataFrame, regie: pd.Series, height: int = 360) -> folium.Map:
    """The partnership's QPV outlines and its régie's point, framed on them; tooltips escaped."""
    m = offline_map(location=(46.6, 2.4), zoom_start=6, min_zoom=3, max_zoom=18, control_scale=True, height=height)
    m.get_root().header.add_child(folium.Element(MAP_CSS), name="carte_css")
    for row in qpv.itertuples(index=False):
        folium.GeoJson(row.geometry.__geo_interface__, tooltip=f"{escape(str(row.lib_qp))} ({escape(row.code_qp)})",
                       style_function=lambda _: {"fillColor": QPV_COLOR, "color": QPV_COLOR, "weight": 2,
                                                 "fillOpacity": 0.35}).add_to(m)
    point = regie.geometry
    if point is not None and not point.is_empty:
        folium.CircleMarker(location=(round(point.y, 5), round(point.x, 5)), radius=6, weight=3, color=REGIE_COLOR,
                            fill=True, fill_color="#ffffff", fill_opacity=1, tooltip=escape(str(regie["nom"]))
                            ).add_to(m)
    frames = [qpv] + ([gpd.GeoDataFrame(geometry=[point], crs=qpv.crs)] if point is not None else [])
    bounds = bounds_of(frames)
    if bounds:
        m.fit_bounds(bounds, max_zoom=16)
    return m
