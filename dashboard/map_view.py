"""The map of the current selection, with or without the detail panel, and the links to the overseas maps."""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.details import detail_panel
from dashboard.navigation import PAGES
from dashboard.page import PageContext
from geo.display import view_for_bounds
from ui import maps

OVERSEAS_REGIONS = ("01", "02", "03", "04", "06")  # Guadeloupe, Martinique, Guyane, La Réunion, Mayotte


def map_view(ctx: PageContext, *, key: str, measure: str = "coverage", show_qpv: bool = True,
             show_regies: bool = True, show_organismes: bool = False, tiles: str = "aucun",
             height: int = 600, under: tuple = (), legends: tuple = ()) -> dict | None:
    """The map of the current selection; returns the properties of the feature the user clicked, if any.

    `under`: extra folium layers drawn beneath the QPV and régies, with their `legends`.
    The base map (outlines) keeps the same script across reruns, so streamlit-folium keeps it mounted and only
    swaps the overlays (`feature_group_to_add`); only a click reruns the script (`returned_objects`).
    """
    from streamlit_folium import st_folium

    payload = data.map_payload(ctx.filters, measure)
    layers = list(under)
    if show_qpv and payload.qpv["qpv"]:
        layers.append(maps.build_qpv_dots(payload.qpv) if payload.dots else maps.build_qpv_layer(payload.qpv))
    if show_regies and payload.regies["regie"]:
        layers.append(maps.build_regies_layer(payload.regies))
    if show_organismes and len(ctx.selection.organismes):
        layers.append(maps.build_organismes_layer(ctx.selection.organismes))
    base = maps.build_base_map(data.outlines_url(), tiles=tiles, height=height)
    if show_qpv and payload.qpv["qpv"]:
        extra = [(maps.REGIE_COLOR, "Régie")] if show_regies else []
        maps.Legend(maps.MEASURES[measure], list(payload.legend_items), extra).add_to(base)
    for legend in legends:
        legend.add_to(base)
    center, zoom = view_for_bounds(payload.bounds, height_px=height)
    result = st_folium(
        base, key=key, height=height, use_container_width=True, feature_group_to_add=layers,
        center=center, zoom=zoom, returned_objects=["last_active_drawing"],
    )
    clicked = (result or {}).get("last_active_drawing") or {}
    return clicked.get("properties") or None


@st.fragment
def map_with_details(ctx: PageContext, **options) -> None:
    """Map and detail panel rerun alone when a feature is clicked: the rest of the page stays as it is."""
    detail_panel(ctx, map_view(ctx, **options))


def overseas_links(ctx: PageContext) -> None:
    """The national view frames metropolitan France: one link per overseas région opens its map, filters kept."""
    if ctx.filters.has_territory:
        return
    st.caption("Outre-mer :")
    columns = st.columns(len(OVERSEAS_REGIONS))
    for column, code in zip(columns, OVERSEAS_REGIONS, strict=True):
        params = ctx.filters.with_territory(region=code).to_query_params()
        column.page_link(PAGES["map"][0], label=ctx.atlas.region_name(code), query_params=params)
