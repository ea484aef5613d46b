"""The map of the current selection, with or without the detail panel, its view (`MapView`) kept in the URL and
across pages, and the way to the overseas maps (insets on the national view, links under it)."""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.details import detail_panel
from dashboard.errors import page_errors
from dashboard.filters_url import to_query_params
from dashboard.map_state import KEYS, MapView
from dashboard.navigation import PAGES
from dashboard.page import PageContext
from dashboard.url_state import show_in_widgets
from geo.display import view_for_bounds
from geo.filters import Filters
from geo.view import OVERSEAS_REGIONS, presentation_steps, size_of_view
from ui import maps
from ui.text import escape_markdown

MEMORY = "_vue_carte"  # session key: (territory, MapView) last shown by the main map
WIDGETS = {"mesure": "measure", "fond": "basemap"}
LAYER_WIDGETS = {"couche_qpv": "qpv", "couche_regies": "regies", "couche_organismes": "organismes",
                 "couche_declinaisons": "declinaisons"}
FIRST_FRAME = MapView().with_position(*maps.INITIAL_VIEW)  # where the map is before streamlit-folium moves it


def _territory(filters: Filters) -> tuple:
    return filters.regions, filters.departements


def _write(view: MapView, filters: Filters) -> None:
    """`view` becomes the URL's (its parameters only: the filters' stay) and the session's."""
    wanted = view.to_query_params()
    for key in KEYS:
        if key not in wanted and key in st.query_params:
            del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    st.session_state[MEMORY] = (_territory(filters), view)


def current_view(filters: Filters) -> tuple[MapView, list[str]]:
    """The view the URL names; without one (a page link, a filter change), the one this session last showed,
    its position dropped if the territory changed since (the map then frames the new one)."""
    params = {key: st.query_params.get_all(key) for key in KEYS if key in st.query_params}
    if params:
        view, notices = MapView.from_query_params(params)
    else:
        territory, view = st.session_state.get(MEMORY, (None, MapView()))
        if territory != _territory(filters):
            view = view.without_position()
        notices = []
    _write(view, filters)
    return view, notices


def view_widgets(view: MapView) -> dict[str, object]:
    """The map page's widgets show the view; returns their defaults (`show_in_widgets`)."""
    values = {key: getattr(view, field) for key, field in WIDGETS.items()}
    return show_in_widgets(values | {key: layer in view.layers for key, layer in LAYER_WIDGETS.items()})


def on_view_widget_change(view: MapView, filters: Filters) -> None:
    """Widget callback: the widgets' measure, layers and basemap, at the map's current position, go to the URL."""
    state = st.session_state
    _, current = state.get(MEMORY, (None, view))
    changed = MapView(measure=state["mesure"], basemap=state["fond"],
                      layers={layer for key, layer in LAYER_WIDGETS.items() if state[key]},
                      center=current.center, zoom=current.zoom)
    _write(changed, filters)


def _frames_put(key: str, requested: tuple) -> list[MapView]:
    """Record `requested`; return the frames this session's map was put at: its first view, then the last few
    asked for (each selection, each window size)."""
    recent = st.session_state.setdefault(f"_cadres_{key}", [])
    frame = MapView().with_position(*requested)
    if frame in recent:
        recent.remove(frame)
    recent.append(frame)
    del recent[:-8]
    return [FIRST_FRAME, *recent]


def _keep_position(key: str, filters: Filters, view: MapView, requested: tuple, result: dict | None) -> None:
    """A position reported by the map goes to the URL and the session when the user moved it there. A report
    seen before (the widget's value kept across reruns) is ignored, and so is one of a frame the map was put at
    (where it is asked to be, its first view, a selection or window size left since): that is the map telling
    where it was put, maybe late (its report overtaken by a filter change), not the user moving it."""
    frames = _frames_put(key, requested)
    report = (result or {}).get("center"), (result or {}).get("zoom")
    seen = f"_position_{key}"
    if report == st.session_state.get(seen) or not report[0] or report[1] is None:
        return
    st.session_state[seen] = report
    moved = view.with_position((report[0].get("lat"), report[0].get("lng")), report[1])
    if moved != view and not any(moved.same_frame(frame) for frame in frames):
        _write(moved, filters)


def _learn_size(size_key: str, result: dict | None) -> bool:
    """Keep the map's size in pixels from the bounds and zoom it reports; True when it changed."""
    bounds, zoom = (result or {}).get("bounds") or {}, (result or {}).get("zoom")
    south_west, north_east = bounds.get("_southWest") or {}, bounds.get("_northEast") or {}
    if zoom is None or None in (south_west.get("lat"), south_west.get("lng"), north_east.get("lat"),
                                north_east.get("lng")):
        return False
    size = size_of_view(south_west["lat"], south_west["lng"], north_east["lat"], north_east["lng"], zoom)
    old = st.session_state.get(size_key)
    if size[0] < 50 or size[1] < 50 or (old and abs(old[0] - size[0]) <= 4 and abs(old[1] - size[1]) <= 4):
        return False
    st.session_state[size_key] = size
    return True


def map_view(ctx: PageContext, *, key: str, view: MapView | None = None, height: int = 600, under: tuple = (),
             legends: tuple = ()) -> dict | None:
    """The map of the current selection; returns the properties of the feature the user clicked, if any.

    `under`: extra folium layers drawn beneath the QPV and régies, with their `legends`.
    The base map (outlines) keeps the same script across reruns, so streamlit-folium keeps it mounted and only
    swaps the overlays (`feature_group_to_add`). With a `view` (the main map), the map reports its position
    after each move (a rerun of its fragment only), so that the URL and the session hold it; without one, only
    a click reruns the script.
    """
    from streamlit_folium import st_folium

    # The latest view, not the one a rerun of the map's fragment was given with its arguments: a control changed
    # since (its callback wrote the session's view) keeps its value.
    shown = st.session_state.get(MEMORY, (None, view))[1] if view else MapView()
    payload = data.map_payload(ctx.filters, shown.measure)
    show_qpv = "qpv" in shown.layers and bool(payload.qpv["qpv"])
    qpv_layer = []
    if show_qpv:
        qpv_layer = [maps.build_qpv_dots(payload.qpv) if payload.dots else maps.build_qpv_layer(payload.qpv)]
    if payload.insets:
        # Overseas insets: coloured QPV only with the QPV layer, the way to each région always.
        empty = {key: [[] for _ in payload.insets["region"]] for key in ("lat", "lon", "f")}
        qpv_layer.append(maps.build_insets(payload.insets if show_qpv else {**payload.insets, **empty}))
    if payload.communes and payload.communes["n"]:
        qpv_layer.append(maps.build_commune_names(payload.communes))
    regies_layer = []
    if "regies" in shown.layers and payload.regies["regie"]:
        regies_layer = [maps.build_regies_layer(payload.regies)]
    # Small shapes (national dots, regional halos) are drawn over the régie rings, which stay visible around
    # them; the local view's large outlines go under the rings, which would otherwise vanish inside them.
    small = payload.dots or payload.qpv.get("halo", False)
    layers = [*under, *(regies_layer + qpv_layer if small else qpv_layer + regies_layer)]
    if "organismes" in shown.layers and len(ctx.selection.organismes):
        layers.append(maps.build_organismes_layer(ctx.selection.organismes))
    steps = presentation_steps(ctx.atlas.regions, ctx.filters.regions) if ctx.presenting and view else None
    base = maps.build_base_map(data.outlines_url(), tiles=shown.basemap, height=height, steps=steps,
                               fit_window=view is not None)
    if show_qpv:
        extra = [(maps.REGIE_COLOR, "Régie")] if regies_layer else []
        maps.Legend(maps.MEASURES[shown.measure], list(payload.legend_items), extra).add_to(base)
    for legend in legends:
        legend.add_to(base)
    # The metropolitan frame (no bounds) is fitted to the quarter zoom level, so that France fills the map; a
    # selection to the whole level below, which leaves its edge shapes a margin (clear of a popup's pan).
    # The main map (with a `view`) fits the window: framed for the size its browser reported last.
    size_key = f"_taille_{key}"
    width_px, height_px = st.session_state.get(size_key, (900, height)) if view else (900, height)
    requested = (shown.center, shown.zoom) if shown.framed else view_for_bounds(
        payload.bounds, width_px=width_px, height_px=height_px, step=1 if payload.bounds else maps.ZOOM_SNAP)
    returned = ["last_active_drawing", "center", "zoom", "bounds"] if view else ["last_active_drawing"]
    result = st_folium(
        base, key=key, height=height, use_container_width=True, feature_group_to_add=layers,
        center=requested[0], zoom=requested[1], returned_objects=returned,
    )
    if view is not None:
        _keep_position(key, ctx.filters, shown, requested, result)
        if _learn_size(size_key, result) and not shown.framed:
            st.rerun(scope="fragment")  # frame the selection again, for the map's new size
    clicked = ((result or {}).get("last_active_drawing") or {}).get("properties") or None
    if clicked and "region" in clicked:
        _open_inset(ctx, clicked)
        return None
    return clicked


def _open_inset(ctx: PageContext, clicked: dict) -> None:
    """A click on an overseas inset opens that région's map, as its link does; the click stays the map's value
    across reruns, so each one (told apart by its time `t`) opens it once."""
    code, seen = str(clicked.get("region")), "_encart_ouvert"
    if code not in OVERSEAS_REGIONS or st.session_state.get(seen) == (code, clicked.get("t")):
        return
    st.session_state[seen] = (code, clicked.get("t"))
    st.switch_page(PAGES["map"][0], query_params=to_query_params(ctx.filters.with_territory(region=code)))


@st.fragment
def map_with_details(ctx: PageContext, **options) -> None:
    """Map and detail panel rerun alone when a feature is clicked or the map moved: the rest of the page stays.
    Guarded on its own, as its reruns run outside the page's guard (app.py)."""
    with page_errors(f"map fragment {options.get('key', '')}"):
        detail_panel(ctx, map_view(ctx, **options))


def overseas_links(ctx: PageContext) -> None:
    """The national view frames metropolitan France: one link per overseas région opens its map, filters kept."""
    if ctx.filters.has_territory:
        return
    st.caption("Outre-mer :")
    columns = st.columns(len(OVERSEAS_REGIONS))
    for column, code in zip(columns, OVERSEAS_REGIONS, strict=True):
        params = to_query_params(ctx.filters.with_territory(region=code))
        column.page_link(PAGES["map"][0], label=escape_markdown(ctx.atlas.region_name(code)), query_params=params)
