"""Vue d'ensemble: the national picture (or the filtered one) in figures, a map and four charts."""

import streamlit as st

from dashboard.components import chart, kpi_cards
from dashboard.map_view import map_view, overseas_links
from dashboard.page import start_page
from geo import indicators

ctx = start_page("Vue d'ensemble")
kpi_cards(indicators.kpis(ctx.selection), indicators.kpis(ctx.national) if ctx.filters.is_active else None)

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Couverture des quartiers prioritaires")
    map_view(ctx, key="carte-accueil", height=520)
    overseas_links(ctx)
with right:
    chart(ctx, "themes")
    chart(ctx, "starts")

left, right = st.columns(2, gap="large")
with left:
    chart(ctx, "regions")
with right:
    chart(ctx, "coverage")
