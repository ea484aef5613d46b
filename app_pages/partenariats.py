"""Partenariats: the filtered table, its charts and its downloads (exactly the rows shown)."""

import streamlit as st

from dashboard.components import downloads, table
from dashboard.page import start_page
from geo import fr, indicators
from geo.details import partnership_table
from ui import charts
from ui.exports import territory_name
from ui.tables import partnership_sheet

ctx = start_page("Partenariats")
sheet = partnership_sheet(partnership_table(ctx.selection), ctx.atlas.qpv)

head, csv_col, xlsx_col = st.columns([4, 1, 1], vertical_alignment="bottom")
head.markdown(f"**{fr.pluriel(len(sheet), 'partenariat')}** dans le périmètre filtré.")
downloads(sheet, "partenariats", territory_name(ctx.filters, ctx.atlas), key="partenariats",
          columns=(csv_col, xlsx_col))
table(sheet, height=420)

left, right = st.columns([3, 2], gap="large")
with left:
    st.altair_chart(charts.theme_region_heatmap(indicators.theme_region_matrix(ctx.selection)), width="stretch")
with right:
    st.altair_chart(charts.statut_bar(indicators.by_statut(ctx.selection)), width="stretch")
    st.altair_chart(charts.theme_bar(indicators.partnerships_by_theme(ctx.selection)), width="stretch")
left, right = st.columns(2, gap="large")
with left:
    st.altair_chart(charts.famille_bar(indicators.by_famille(ctx.selection)), width="stretch")
with right:
    st.altair_chart(charts.organisme_bar(indicators.by_organisme(ctx.selection)), width="stretch")
st.altair_chart(charts.starts_timeline(ctx.selection.partenariats), width="stretch")
