"""Presentation mode (URL parameter `presentation=1`, shareable): no sidebar nor Streamlit chrome, large type,
full-width content, the demo notice kept in a corner. The mode lasts for the session until it is turned off,
even when a filter change rewrites the URL."""

from __future__ import annotations

import streamlit as st

from dashboard.url_state import show_in_widgets

PARAM = "presentation"
MEMORY = "_presentation"  # session key: the mode last asked for (the URL may lose its parameter)
TOGGLE = "mode_presentation"

# Captions: Streamlit's (text at 60 % opacity) have a contrast of 3.9:1 on white, below the 4.5:1 small text needs.
CAPTION_CSS = """<style>div[data-testid="stCaptionContainer"] { color: #5f5e5c; opacity: 1; }</style>"""
COMPACT_CSS = """<style>
div[data-testid="stMainBlockContainer"] { padding-top: 3rem; }
h1 { padding-top: 0.25rem !important; padding-bottom: 0.25rem !important; }
</style>"""
CSS = """<style>
section[data-testid="stSidebar"], div[data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
div[data-testid="stToolbar"], div[data-testid="stDecoration"], div[data-testid="stStatusWidget"],
div[data-testid="stMainMenu"], button[data-testid="stExpandSidebarButton"], .stAppDeployButton
  { display: none !important; }
div[data-testid="stMainBlockContainer"], .main .block-container
  { max-width: 100% !important; padding: 0.75rem 1.5rem 1rem !important; }
html { font-size: 19px; }
div[data-testid="stMetricValue"] { font-size: 2.6rem !important; }
h1 { font-size: 2.2rem !important; padding-top: 0 !important; }
.carte-demo-coin { position: fixed; right: 0.75rem; bottom: 0.75rem; z-index: 1000000; background: #fef3c7;
  color: #713f12; border: 1px solid #b45309; border-radius: 6px; padding: 0.3rem 0.7rem; font-size: 0.8rem;
  font-weight: 600; }
</style>"""
DEMO_CORNER = '<div class="carte-demo-coin" role="note">Données de démonstration (fictives)</div>'


def is_on() -> bool:
    """The mode the URL asks for (`presentation=1` or `0`), else the one the session last used."""
    value = st.query_params.get(PARAM)
    if value in ("1", "0"):
        st.session_state[MEMORY] = value == "1"
    on = bool(st.session_state.get(MEMORY, False))
    if on and value != "1":
        st.query_params[PARAM] = "1"  # a filter change cleared it: the shared link must still say it
    return on


def _toggled() -> None:
    on = bool(st.session_state.get(TOGGLE))
    st.session_state[MEMORY] = on
    if on:
        st.query_params[PARAM] = "1"
    elif PARAM in st.query_params:
        del st.query_params[PARAM]


def presentation_toggle(on: bool) -> None:
    """The switch, at the top of every page (the sidebar is hidden in presentation mode)."""
    default = show_in_widgets({TOGGLE: on})[TOGGLE]
    st.toggle("Présentation", value=bool(default), key=TOGGLE, on_change=_toggled,
              help="Plein écran sans barre latérale, grands caractères ; les flèches ← → passent d'une vue de la "
                   "carte à la suivante (la France, puis chaque région), ↑ ↓ d'une année à l'autre. Partageable : "
                   "l'adresse le retient.")


def apply(on: bool, demo: bool) -> None:
    """Captions dark enough to read; less space above the title (the map of /carte then starts in the first
    screen of a 1280×720 display); in presentation mode, its styles and the demo notice in a corner, in place of
    the banner."""
    st.html(CAPTION_CSS + (CSS + (DEMO_CORNER if demo else "") if on else COMPACT_CSS))
