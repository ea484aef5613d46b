"""The URL ⇄ widgets rule (dashboard/url_state.py) on the demo data: a widget change sets only its own filter on
the URL's filters, and counts only when the widgets showed them or when the URL is one the session's own changes
replaced (the browser had not yet received the new address)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.helpers import TIMEOUT


def change(synced_with_url: bool) -> None:
    """The thème widget changes while the région widget still holds the value of an earlier step (a rerun cut short
    by the new choice); `synced_with_url`: whether the widgets showed the URL's filters."""
    import streamlit as st

    from dashboard.data import loaded
    from dashboard.url_state import SYNCED, current_filters, on_widget_change, year_bounds

    atlas = loaded().atlas
    shown = current_filters(atlas)[0]
    st.session_state[SYNCED] = shown if synced_with_url else None
    st.session_state["f_regions"] = []
    st.session_state["f_statuts"] = ["en cours"]
    st.session_state["f_themes"] = ["inclusion-numerique"]
    on_widget_change("f_themes", atlas, year_bounds(atlas))


def run(synced_with_url: bool) -> AppTest:
    at = AppTest.from_function(change, args=(synced_with_url,), default_timeout=TIMEOUT)
    at.query_params["region"] = "32"
    at.query_params["statut"] = "en-cours"
    at.run(timeout=TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_change_keeps_the_earlier_filters_whatever_the_other_widgets_hold():
    at = run(synced_with_url=True)
    assert dict(at.query_params) == {"region": "32", "theme": "inclusion-numerique", "statut": "en-cours"}


def test_a_change_from_widgets_not_showing_the_url_is_ignored():
    at = run(synced_with_url=False)
    assert dict(at.query_params) == {"region": "32", "statut": "en-cours"}


def choose_twice(back_between: bool) -> None:
    """A région then a statut chosen, the statut's request still carrying the address before the région (the
    browser had not yet received the new one). `back_between`: instead, Back to a step before the région, whose
    widgets were reset, then the browser sends the statut widget's stale value with that older address."""
    import streamlit as st

    from dashboard.data import loaded
    from dashboard.url_state import current_filters, on_widget_change, sync_widgets, year_bounds

    atlas = loaded().atlas
    bounds = year_bounds(atlas)
    sync_widgets(current_filters(atlas)[0], atlas, bounds)
    st.session_state["f_regions"] = ["32"]
    on_widget_change("f_regions", atlas, bounds)
    if back_between:
        st.query_params.from_dict({"theme": "cadre-de-vie"})
        sync_widgets(current_filters(atlas)[0], atlas, bounds)
        st.query_params.from_dict({})
    else:
        st.query_params.from_dict({})
    st.session_state["f_statuts"] = ["en cours"]
    on_widget_change("f_statuts", atlas, bounds)


def run_twice(back_between: bool) -> AppTest:
    at = AppTest.from_function(choose_twice, args=(back_between,), default_timeout=TIMEOUT)
    at.run(timeout=TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_choice_sent_before_the_address_of_the_previous_one_keeps_it():
    at = run_twice(back_between=False)
    assert dict(at.query_params) == {"region": "32", "statut": "en-cours"}


def test_a_stale_change_with_an_address_from_elsewhere_is_still_ignored():
    at = run_twice(back_between=True)
    assert dict(at.query_params) == {}
