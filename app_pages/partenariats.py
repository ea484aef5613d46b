"""Partenariats: the filtered table, its charts and its downloads (exactly the rows shown)."""

import streamlit as st

from dashboard.components import PARTNERSHIP_TABLE
from dashboard.page import start_page
from geo import fr, indicators
from geo.details import partnership_table
from ui import charts
from ui.exports import to_csv_fr, to_xlsx

ctx = start_page("Partenariats")
table = partnership_table(ctx.selection)

head, csv_col, xlsx_col = st.columns([4, 1, 1], vertical_alignment="bottom")
head.markdown(f"**{fr.pluriel(len(table), 'partenariat')}** dans le périmètre filtré.")
csv_col.download_button("CSV (Excel)", to_csv_fr(table), file_name="partenariats.csv", mime="text/csv",
                        icon=":material/download:", width="stretch", key="csv")
xlsx_col.download_button("XLSX", to_xlsx(table, "partenariats"), file_name="partenariats.xlsx",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         icon=":material/download:", width="stretch", key="xlsx")
st.dataframe(
    table, hide_index=True, width="stretch", height=420,
    column_config={**PARTNERSHIP_TABLE, "qpv": st.column_config.ListColumn("QPV"),
                   "lib_reg_principal": st.column_config.TextColumn("Région")},
)

left, right = st.columns([3, 2], gap="large")
with left:
    st.altair_chart(charts.theme_region_heatmap(indicators.theme_region_matrix(ctx.selection)), width="stretch")
with right:
    st.altair_chart(charts.statut_bar(indicators.by_statut(ctx.selection)), width="stretch")
    st.altair_chart(charts.theme_bar(indicators.partnerships_by_theme(ctx.selection)), width="stretch")
st.altair_chart(charts.starts_timeline(ctx.selection.partenariats), width="stretch")
