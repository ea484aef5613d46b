"""Carte: the layered map of the selection (régions coloured by declination status on demand), and the detail
of the QPV or régie clicked on it."""

import streamlit as st

from dashboard.map_view import map_with_details, overseas_links
from dashboard.page import start_page
from geo.declinaisons import declinations
from ui.declinaisons import status_layer, status_legend
from ui.maps import MEASURES

ctx = start_page("Carte")
controls = st.columns([2.2, 0.8, 0.8, 1, 1, 1.6], vertical_alignment="bottom")
measure = controls[0].selectbox("Colorer les QPV selon", list(MEASURES), format_func=MEASURES.get, key="mesure")
show_qpv = controls[1].toggle("QPV", value=True, key="couche_qpv")
show_regies = controls[2].toggle("Régies", value=True, key="couche_regies")
show_organismes = controls[3].toggle("Sièges HLM", value=False, key="couche_organismes")
show_declinaisons = controls[4].toggle("Déclinaisons", value=False, key="couche_declinaisons",
                                      disabled=len(ctx.datasets.declinaisons) == 0,
                                      help="Colore les régions selon l'avancement de leur déclinaison régionale.")
tiles = controls[5].selectbox("Fond de carte", ["aucun", "osm", "ign"], key="fond",
                              format_func={"aucun": "Contours seuls", "osm": "OpenStreetMap", "ign": "Plan IGN"}.get,
                              help="Les fonds OpenStreetMap et IGN nécessitent une connexion internet ; "
                                   "les contours fonctionnent toujours.")
under, legends = (), ()
if show_declinaisons:
    under = (status_layer(ctx.atlas.regions, declinations(ctx.selection, ctx.datasets.declinaisons)),)
    legends = (status_legend(),)
map_with_details(ctx, key="carte", measure=measure, show_qpv=show_qpv, show_regies=show_regies,
                 show_organismes=show_organismes, tiles=tiles, height=640, under=under, legends=legends)
overseas_links(ctx)
