"""Filters ⇄ URL ⇄ sidebar widgets. The URL is the single source of truth: a widget change rewrites it, and a
new URL (link opened, reload, page link, Back, Forward) resets the widgets to what it says."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st

from dashboard import filters_url
from dashboard.data import shared_cache, source
from geo.filters import Filters, Territory, single_territory
from geo.joins import Atlas

SYNCED = "_synced"  # session key: the filters the widgets show
CHANGED = "_changed"  # session key: the URL's filters, then those each widget change made of them, until a new URL


def current_filters(atlas: Atlas) -> tuple[Filters, list[str]]:
    """The filters the URL asks for, and a French notice for each value it had to drop."""
    params = tuple((key, tuple(st.query_params.get_all(key))) for key in st.query_params)
    filters, notices = _read_filters(source(), params, atlas)
    return filters, list(notices)


@shared_cache(show_spinner=False, max_entries=256)
def _read_filters(data_source: tuple, params: tuple, _atlas: Atlas) -> tuple[Filters, tuple[str, ...]]:
    """Read once per (data, URL parameters): the reading folds every territory name, twice a run otherwise."""
    filters, notices = filters_url.from_query_params(dict(params), _atlas)
    return filters, tuple(notices)


def set_filters(filters: Filters) -> None:
    """Make `filters` the current ones: the URL changes, widgets follow it.

    One message to the browser, hence one history entry (Streamlit pushes one per query-string change): a
    `clear()` then `update()` would push an unfiltered step between two filter states.
    """
    st.query_params.from_dict(filters_url.to_query_params(filters))


def year_bounds(atlas: Atlas) -> tuple[int, int]:
    """The start-year slider's range: the partnerships' years, widened to 2024–2030 at least."""
    years = atlas.partenariats["annee_debut"].dropna() if len(atlas.partenariats) else []
    if len(years) == 0:
        return (2024, 2030)
    return (int(min(years.min(), 2024)), int(max(years.max(), 2030)))


def _widget_values(filters: Filters, atlas: Atlas, bounds: tuple[int, int]) -> dict:
    """The sidebar widgets' values that show `filters` (the URL's): départements and EPCI outside the chosen
    territory left out, as they are out of the widgets' options."""
    filters = filters.within_territory(atlas)
    return {
        "f_regions": list(filters.regions),
        "f_departements": list(filters.departements),
        "f_epci": list(filters.epci),
        "f_themes": list(filters.themes),
        "f_familles": list(filters.familles),
        "f_statuts": list(filters.statuts),
        "f_precisions": list(filters.precisions),
        "f_annees": (filters.annee_min or bounds[0], filters.annee_max or bounds[1]),
        "f_q": filters.q,
        "f_date": filters.date or date.today(),
    }


def show_in_widgets(values: dict[str, object]) -> dict[str, object]:
    """Make each widget (by key) show its value in `values`; return the default to create each widget with.

    A widget showing another value is given this one (a new URL: a link, Back, Forward; a value the filters
    normalised). Every other widget gets it as its default: Streamlit loads a widget's code lazily, and a widget
    whose code arrives after a later run's element (the user quick on another control) starts from that element's
    default, then sends it back as the user's choice (a région dropped from the URL). A widget given its value in
    this run gets no default (None): Streamlit takes the given value, and warns when there are both.
    """
    defaults: dict[str, object] = {}
    for key, value in values.items():
        if key in st.session_state and st.session_state[key] == value:
            defaults[key] = value
        else:
            st.session_state[key] = value
            defaults[key] = None
    return defaults


def sync_widgets(filters: Filters, atlas: Atlas, bounds: tuple[int, int]) -> dict[str, object]:
    """The sidebar widgets show the URL's filters; returns their defaults (`show_in_widgets`)."""
    if st.session_state.get(SYNCED) != filters:
        st.session_state[SYNCED] = filters
        st.session_state[CHANGED] = (filters,)
    return show_in_widgets(_widget_values(filters, atlas, bounds))


TERRITORY_PICKERS = {"t_region": "region", "t_departement": "departement", "t_epci": "epci"}  # /territoires


def territory_widgets(territory: Territory) -> dict[str, object]:
    """The territory pickers (`TERRITORY_PICKERS`) show `territory`; returns their defaults (`show_in_widgets`)."""
    return show_in_widgets({key: getattr(territory, field) for key, field in TERRITORY_PICKERS.items()})


WIDGET_FIELDS = {"f_regions": "regions", "f_departements": "departements", "f_epci": "epci", "f_themes": "themes",
                 "f_familles": "familles", "f_statuts": "statuts", "f_precisions": "precisions"}


def _changed(filters: Filters, key: str, atlas: Atlas, year_bounds: tuple[int, int]) -> Filters:
    """`filters` with the value of the widget `key`. A territory picker names one région, département or EPCI:
    the filters' territory becomes the one the pickers show (`single_territory`) with that one changed."""
    value = st.session_state.get(key)
    if key in TERRITORY_PICKERS:
        territory = single_territory(filters, atlas)._replace(**{TERRITORY_PICKERS[key]: value})
        return filters.with_territory(*territory)
    if key == "f_annees":
        low, high = value or year_bounds
        return replace(filters, annee_min=None if low == year_bounds[0] else low,
                       annee_max=None if high == year_bounds[1] else high)
    if key == "f_q":
        return replace(filters, q=value or "")
    if key == "f_date":  # today is the default: no date in the URL
        return replace(filters, date=None if value in (None, date.today()) else value)
    return replace(filters, **{WIDGET_FIELDS[key]: tuple(value or ())})


def on_widget_change(key: str, atlas: Atlas, year_bounds: tuple[int, int]) -> None:
    """Widget callback of every filter widget (the sidebar's and /territoires' pickers): the URL's filters with the
    changed widget's value (départements and EPCI outside the chosen territory dropped) become the URL.

    Only the changed widget counts, never the others' values: when choices follow each other faster than the
    reruns, the browser sends with the new choice the values its other widgets still show, which may be those of
    an earlier step (the rerun that would have updated them cut short by the new choice); rebuilt from all of
    them, the URL lost an earlier choice (a région, when a thème followed a statut). Likewise a change counts only
    when the widgets showed the URL's filters: after Back or Forward the browser reruns with the new URL but with
    the values of the step left; written back, they would show that step under the restored URL. The URL wins:
    `sync_widgets` then shows it. Except when the URL is one that this session's own changes have since replaced:
    a choice made before the browser received the new address (choices within a round trip) is made on the filters
    the widgets show.
    """
    shown, synced = current_filters(atlas)[0], st.session_state.get(SYNCED)
    changed = st.session_state.get(CHANGED) or ()
    if synced != shown and changed and changed[-1] == synced and shown in changed:
        shown = synced
    if synced != shown:
        return
    filters = _changed(shown, key, atlas, year_bounds).within_territory(atlas)
    set_filters(filters)
    st.session_state[SYNCED] = filters
    st.session_state[CHANGED] = (*changed, filters)[-8:]  # a round trip never spans more choices than that


def reset() -> None:
    set_filters(Filters())
    st.session_state[SYNCED] = None
