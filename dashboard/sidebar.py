"""The sidebar: links to every page (carrying the filters) and the filter widgets."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard.auth import sidebar_account
from dashboard.data import current_atlas
from dashboard.filters_url import to_query_params
from dashboard.navigation import PAGES
from dashboard.url_state import current_filters, on_widget_change, reset, sync_widgets, year_bounds
from geo.filters import PRECISION_CHOICES, Filters, departement_choices, epci_choices, epci_name
from geo.joins import Atlas
from geo.schema import FAMILLE_LABELS, FAMILLES, STATUTS, THEMES


def page_links(query_params: dict) -> None:
    st.markdown("### Carte des coopérations")
    for script, title, _, icon in PAGES.values():
        st.page_link(script, label=title, icon=icon, query_params=query_params)


def sidebar(atlas: Atlas, filters: Filters) -> None:
    bounds = year_bounds(atlas)
    default = sync_widgets(filters, atlas, bounds)
    with st.sidebar:
        page_links(to_query_params(filters))
        st.divider()
        st.markdown("**Filtres**")

        def change(key: str) -> dict:
            return {"key": key, "on_change": on_widget_change, "args": (key, atlas, bounds)}

        st.date_input("Date des données", value=default["f_date"], format="DD/MM/YYYY",
                      min_value=date(2000, 1, 1), max_value=date(2100, 12, 31),
                      help="Les chiffres, la carte et les tableaux de toutes les pages tels qu'ils étaient à cette "
                           "date (par défaut : aujourd'hui).", **change("f_date"))

        regions = sorted(atlas.region_names, key=lambda c: atlas.region_names[c])
        st.multiselect("Région(s)", regions, default=default["f_regions"], format_func=atlas.region_name,
                       select_all=False, placeholder="Toutes les régions", **change("f_regions"))
        departements = sorted(departement_choices(atlas, filters.regions),
                              key=lambda c: (atlas.departement_name(c), c))
        st.multiselect("Département(s)", departements, default=default["f_departements"],
                       format_func=lambda c: f"{atlas.departement_name(c)} ({c})",
                       select_all=False, placeholder="Tous les départements", **change("f_departements"))
        epci = epci_choices(atlas, filters.regions, st.session_state["f_departements"])
        st.multiselect("EPCI (contrat de ville)", epci, default=default["f_epci"], format_func=epci_name,
                       select_all=False, placeholder="Tous les EPCI", **change("f_epci"))
        labels = {t.slug: t.label for t in THEMES}
        st.multiselect("Thème(s)", list(labels), default=default["f_themes"],
                       format_func=lambda s: labels[s].capitalize(), select_all=False, placeholder="Tous les thèmes",
                       **change("f_themes"))
        st.multiselect("Famille d'organisme", list(FAMILLES), default=default["f_familles"], select_all=False,
                       placeholder="Toutes",
                       format_func=FAMILLE_LABELS.get, **change("f_familles"))
        st.multiselect("Statut", list(STATUTS), default=default["f_statuts"], select_all=False, placeholder="Tous",
                       **change("f_statuts"))
        st.multiselect("Précision de la position des régies", list(PRECISION_CHOICES),
                       default=default["f_precisions"], select_all=False, placeholder="Toutes",
                       help="Comment la position d'une régie a été obtenue : à l'adresse, à la rue, à la commune, "
                            "dans un quartier, ou saisie à la main ; « inconnue » pour les régies enregistrées "
                            "sans précision.", **change("f_precisions"))
        st.slider("Année de début", min_value=bounds[0], max_value=bounds[1], value=default["f_annees"],
                  **change("f_annees"))
        st.text_input("Recherche", value=default["f_q"] or "", placeholder="Régie, organisme, QPV, commune…",
                      **change("f_q"))
        st.button("Réinitialiser", on_click=reset, icon=":material/restart_alt:", width="stretch",
                  disabled=not filters.is_active and filters.date is None)


def navigation_sidebar(shows_data: bool = True) -> None:
    """Drawn by app.py after the page, so that the page's own content (the map above all) reaches the browser
    first: the sidebar's widgets would otherwise be rendered before it. On a page that shows no data (Connexion),
    the links alone, carrying the URL's parameters as they are (the next page reads them), and no filter: the page
    does not wait for the data."""
    if shows_data:
        atlas = current_atlas()
        sidebar(atlas, current_filters(atlas)[0])
    else:
        with st.sidebar:
            page_links(st.query_params.to_dict())
    sidebar_account()
