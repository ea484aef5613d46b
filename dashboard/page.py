"""The common top of every page: data, filters from the URL (with notices), banners and title."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from dashboard import presentation
from dashboard.auth import require_viewer
from dashboard.data import is_demo, loaded, selection
from dashboard.url_state import current_filters
from geo import fr, timeline
from geo.datasets import Datasets
from geo.filters import Filters, Selection
from geo.joins import Atlas
from ui.filters_text import describe
from ui.text import escape_markdown


@dataclass(frozen=True)
class PageContext:
    datasets: Datasets
    atlas: Atlas
    filters: Filters
    selection: Selection
    national: Selection
    presenting: bool = False  # presentation mode (dashboard.presentation)


def demo_banner(demo: bool) -> None:
    if demo:
        st.warning(
            "**Données de démonstration** : régies, organismes, partenariats et périmètres de QPV sont fictifs "
            "(générés). Seuls les codes, noms et communes des QPV 2024 sont réels. Aucun chiffre affiché ici ne "
            "décrit la réalité.",
            icon=":material/science:",
        )


def show_notices(notices: list[str]) -> None:
    """One French notice per value of the URL that was dropped: escaped, as they quote the value."""
    for notice in notices:
        st.info(escape_markdown(notice), icon=":material/info:")


def start_page(title: str, *, shows_data: bool = True) -> PageContext | None:
    """Common top of every page: its tab title, data, filters from the URL (with notices), banner and title (the
    login form instead when viewing needs an account). A page that `shows_data=False` (Connexion) gets the banner
    and title only, and None: it does not wait for the data to be loaded or joined."""
    st.set_page_config(page_title=f"{title} · Carte des coopérations")
    require_viewer()
    data = loaded() if shows_data else None
    presenting = presentation.is_on()
    demo = data.datasets.is_demo if data else is_demo()
    presentation.apply(presenting, demo)
    if not presenting:  # presentation mode keeps the notice in a corner
        demo_banner(demo)
    if data is None:
        st.title(title)
        return None
    filters, notices = current_filters(data.atlas)
    show_notices(notices)
    if data.datasets.errors:
        st.error(
            f"Les données chargées comportent {fr.pluriel(len(data.datasets.errors), 'erreur')} : les lignes "
            "concernées sont exclues des chiffres. Détail sur la page « Données et sources ».",
            icon=":material/error:",
        )
    heading, switch = st.columns([5, 2], vertical_alignment="center")
    heading.title(title)
    with switch:
        presentation.presentation_toggle(presenting)
    st.caption(escape_markdown(describe(filters, data.atlas)))  # the search `q` and territory names
    if filters.date is not None:
        today = date.today()
        notice = timeline.day_notice(filters.date, today, data.atlas)
        if notice:
            st.warning(notice, icon=":material/event_busy:")
        st.caption(f"Données au {fr.date_fr(filters.date)}. {timeline.STATE_RULE}")
    return PageContext(data.datasets, data.atlas, filters, selection(filters),
                       selection(Filters(date=filters.date)), presenting)
