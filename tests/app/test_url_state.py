"""The URL ⇄ widgets rule (dashboard/url_state.py) on the demo data: a widget change sets only its own filter on
the URL's filters, and counts only when the widgets showed them."""

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
