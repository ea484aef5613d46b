"""Vue d'ensemble: the national picture (or the filtered one) in figures, a map and four charts."""

import streamlit as st

from dashboard.components import kpi_cards
from dashboard.map_view import map_view, overseas_links
from dashboard.page import start_page
from geo import indicators
from ui import charts

ctx = start_page("Vue d'ensemble")
kpi_cards(indicators.kpis(ctx.selection), indicators.kpis(ctx.national) if ctx.filters.is_active else None)

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Couverture des quartiers prioritaires")
    map_view(ctx, key="carte-accueil", height=520)
    overseas_links(ctx)
with right:
    st.altair_chart(charts.theme_bar(indicators.partnerships_by_theme(ctx.selection)), width="stretch")
    st.altair_chart(charts.starts_bar(indicators.starts_by_year(ctx.selection)), width="stretch")

left, right = st.columns(2, gap="large")
with left:
    st.altair_chart(charts.territory_bar(indicators.by_region(ctx.selection), "lib_reg",
                                         "Partenariats par région"), width="stretch")
with right:
    st.altair_chart(charts.coverage_rate_bar(indicators.coverage_by_region(ctx.selection)), width="stretch")
