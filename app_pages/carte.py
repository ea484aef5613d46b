"""Carte: the layered map of the selection (régions coloured by declination status on demand), and the detail of
the QPV or régie clicked on it. Its view (measure, layers, basemap, centre, zoom) is in the URL and stays when the
user comes back from another page."""

import streamlit as st

from dashboard.data import declination_table
from dashboard.images import map_export
from dashboard.map_state import BASEMAPS
from dashboard.map_view import current_view, map_with_details, on_view_widget_change, overseas_links, view_widgets
from dashboard.page import show_notices, start_page
from dashboard.suivi import year_steps
from ui.declinaisons import status_layer, status_legend
from ui.maps import MEASURES

ctx = start_page("Carte")
if ctx.presenting:  # the years step with ↑ ↓ (the views of the map with ← →)
    year_steps(ctx)
view, notices = current_view(ctx.filters)
show_notices(notices)
default = view_widgets(view)
change = {"on_change": on_view_widget_change, "args": (view, ctx.filters)}
measures, basemaps = list(MEASURES), list(BASEMAPS)
controls = st.columns([3, 2], vertical_alignment="bottom")
controls[0].selectbox("Colorer les QPV selon", measures, key="mesure", format_func=MEASURES.get,
                      index=measures.index(default["mesure"]) if default["mesure"] else 0, **change)
controls[1].selectbox("Fond de carte", basemaps, key="fond",
                      index=basemaps.index(default["fond"]) if default["fond"] else 0,
                      format_func={"aucun": "Contours seuls", "osm": "OpenStreetMap", "ign": "Plan IGN"}.get,
                      help="Les fonds OpenStreetMap et IGN nécessitent une connexion internet ; "
                           "les contours fonctionnent toujours.", **change)
layers = st.columns(4)
layers[0].toggle("QPV", value=bool(default["couche_qpv"]), key="couche_qpv", **change)
layers[1].toggle("Régies", value=bool(default["couche_regies"]), key="couche_regies", **change)
layers[2].toggle("Sièges HLM", value=bool(default["couche_organismes"]), key="couche_organismes", **change)
layers[3].toggle("Déclinaisons", value=bool(default["couche_declinaisons"]), key="couche_declinaisons",
                 disabled=len(ctx.datasets.declinaisons) == 0,
                 help="Colore les régions selon l'avancement de leur déclinaison régionale.", **change)
under, legends = (), ()
if "declinaisons" in view.layers and len(ctx.datasets.declinaisons):
    under = (status_layer(ctx.atlas.regions, declination_table(ctx.filters)),)
    legends = (status_legend(),)
map_with_details(ctx, key="carte", view=view, height=480 if ctx.presenting else 640, under=under, legends=legends)
if not ctx.presenting:
    map_export(ctx, view)
overseas_links(ctx)
