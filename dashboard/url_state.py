"""Filters ⇄ URL ⇄ sidebar widgets. The URL is the single source of truth: a widget change rewrites it, and a
new URL (link opened, reload, page link, Back, Forward) resets the widgets to what it says."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard.data import source
from geo.filters import Filters, epci_choices
from geo.joins import Atlas

SYNCED = "_synced"  # session key: the filters the widgets show


def current_filters(atlas: Atlas) -> tuple[Filters, list[str]]:
    """The filters the URL asks for, and a French notice for each value it had to drop."""
    params = tuple((key, tuple(st.query_params.get_all(key))) for key in st.query_params)
    filters, notices = _read_filters(source(), params, atlas)
    return filters, list(notices)


@st.cache_resource(show_spinner=False, max_entries=256)
def _read_filters(data_source: tuple, params: tuple, _atlas: Atlas) -> tuple[Filters, tuple[str, ...]]:
    """Read once per (data, URL parameters): the reading folds every territory name, twice a run otherwise."""
    filters, notices = Filters.from_query_params(dict(params), _atlas)
    return filters, tuple(notices)


def set_filters(filters: Filters) -> None:
    """Make `filters` the current ones: the URL changes, widgets follow it.

    One message to the browser, hence one history entry (Streamlit pushes one per query-string change): a
    `clear()` then `update()` would push an unfiltered step between two filter states.
    """
    st.query_params.from_dict(filters.to_query_params())


def year_bounds(atlas: Atlas) -> tuple[int, int]:
    """The start-year slider's range: the partnerships' years, widened to 2024–2030 at least."""
    years = atlas.partenariats["annee_debut"].dropna() if len(atlas.partenariats) else []
    if len(years) == 0:
        return (2024, 2030)
    return (int(min(years.min(), 2024)), int(max(years.max(), 2030)))


def _widget_values(filters: Filters, bounds: tuple[int, int]) -> dict:
    """The sidebar widgets' state that shows `filters` (the URL's)."""
    return {
        "f_regions": list(filters.regions),
        "f_departements": list(filters.departements),
        "f_epci": list(filters.epci),
        "f_themes": list(filters.themes),
        "f_familles": list(filters.familles),
        "f_statuts": list(filters.statuts),
        "f_annees": (filters.annee_min or bounds[0], filters.annee_max or bounds[1]),
        "f_q": filters.q,
    }


def sync_widgets(filters: Filters, bounds: tuple[int, int]) -> None:
    """Give every widget its value from the URL's filters, unless they already show them."""
    if st.session_state.get(SYNCED) != filters:
        for key, value in _widget_values(filters, bounds).items():
            st.session_state[key] = value
        st.session_state[SYNCED] = filters


def _filters_from_widgets(year_bounds: tuple[int, int]) -> Filters:
    state = st.session_state
    low, high = state.get("f_annees") or year_bounds
    regions = tuple(state.get("f_regions") or ())
    return Filters(
        regions=regions,
        departements=tuple(state.get("f_departements") or ()),
        epci=tuple(state.get("f_epci") or ()),
        themes=tuple(state.get("f_themes") or ()),
        familles=tuple(state.get("f_familles") or ()),
        statuts=tuple(state.get("f_statuts") or ()),
        annee_min=None if low == year_bounds[0] else low,
        annee_max=None if high == year_bounds[1] else high,
        q=state.get("f_q") or "",
    )


def on_widget_change(atlas: Atlas, year_bounds: tuple[int, int]) -> None:
    """Widget callback: the widgets' filters (départements outside the chosen régions dropped) go to the URL.

    A change counts only when the widgets showed the URL's filters. After Back or Forward the browser reruns with
    the new URL but with the values its widgets still show, those of the step left when the previous rerun was
    cut short before reaching them; written back, they would show that step under the restored URL. The URL wins:
    `sync_widgets` then shows it.
    """
    if st.session_state.get(SYNCED) != current_filters(atlas)[0]:
        return
    filters = _filters_from_widgets(year_bounds)
    allowed = {c for c, r in atlas.departement_region.items() if not filters.regions or r in filters.regions}
    filters = replace(filters, departements=tuple(d for d in filters.departements if d in allowed))
    epci = set(epci_choices(atlas, filters.regions, filters.departements))
    filters = replace(filters, epci=tuple(e for e in filters.epci if e in epci))
    set_filters(filters)
    st.session_state[SYNCED] = filters


def reset() -> None:
    set_filters(Filters())
    st.session_state[SYNCED] = None
