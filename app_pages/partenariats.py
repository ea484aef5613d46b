"""Partenariats: the filtered table, its charts and its downloads (exactly the rows shown)."""

import streamlit as st

from dashboard.components import PARTNERSHIP_TABLE, chart
from dashboard.data import partnership_table
from dashboard.page import start_page
from geo import fr
from ui.exports import to_csv_fr, to_xlsx

ctx = start_page("Partenariats")
table = partnership_table(ctx.filters)

head, csv_col, xlsx_col = st.columns([4, 1, 1], vertical_alignment="bottom")
head.markdown(f"**{fr.pluriel(len(table), 'partenariat')}** dans le périmètre filtré.")
# The files are written when the button is clicked (a callable), not on every run of the page.
csv_col.download_button("CSV (Excel)", lambda: to_csv_fr(table), file_name="partenariats.csv", mime="text/csv",
                        icon=":material/download:", width="stretch", key="csv", on_click="ignore")
xlsx_col.download_button("XLSX", lambda: to_xlsx(table, "partenariats"), file_name="partenariats.xlsx",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         icon=":material/download:", width="stretch", key="xlsx", on_click="ignore")
st.dataframe(
    table, hide_index=True, width="stretch", height=420,
    column_config={**PARTNERSHIP_TABLE, "qpv": st.column_config.ListColumn("QPV"),
                   "lib_reg_principal": st.column_config.TextColumn("Région")},
)

left, right = st.columns([3, 2], gap="large")
with left:
    chart(ctx, "theme_region")
with right:
    chart(ctx, "statuts")
    chart(ctx, "themes")
chart(ctx, "timeline")
