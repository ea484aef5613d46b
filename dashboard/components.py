"""Small Streamlit pieces several pages share: key-figure cards, markdown escaping, column configs, print CSS."""

from __future__ import annotations

import streamlit as st

from dashboard.data import chart_spec
from dashboard.page import PageContext
from geo import fr
from geo.indicators import Kpis
from ui.tables import KPI_LABELS

PARTNERSHIP_TABLE = {
    "id_partenariat": st.column_config.TextColumn("Identifiant"),
    "nom_regie": st.column_config.TextColumn("Régie"),
    "nom_organisme": st.column_config.TextColumn("Organisme HLM"),
    "famille": st.column_config.TextColumn("Famille"),
    "themes": st.column_config.ListColumn("Thèmes"),
    "statut": st.column_config.TextColumn("Statut"),
    "date_debut": st.column_config.DateColumn("Début", format="DD/MM/YYYY"),
    "date_fin": st.column_config.DateColumn("Fin", format="DD/MM/YYYY"),
    "montant_eur": st.column_config.NumberColumn("Montant (€)", format="%.0f €"),
    "heures_insertion": st.column_config.NumberColumn("Heures d'insertion", format="%d"),
    "description": st.column_config.TextColumn("Description", width="large"),
}

PRINT_CSS = """<style>
@media print {
  section[data-testid="stSidebar"], header[data-testid="stHeader"], div[data-testid="stToolbar"],
  div[data-testid="stDecoration"], div[data-testid="stStatusWidget"] { display: none !important; }
  .main .block-container, div[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 0 !important; }
  div[data-testid="stVerticalBlock"] { break-inside: avoid-page; }
}
</style>"""


def kpi_cards(figures: Kpis, national: Kpis | None = None) -> None:
    """One card per key figure, French formatted, four then three per row so that labels are never cut; the
    national value in small type under a filtered one."""
    for row in (KPI_LABELS[:4], KPI_LABELS[4:]):
        columns = st.columns(4)
        for column, (field, label, meaning) in zip(columns, row, strict=False):
            with column, st.container(border=True):
                st.metric(label, fr.nombre(getattr(figures, field)), help=meaning)
                if national is not None:
                    st.caption(f"France : {fr.nombre(getattr(national, field))}")


def escape_markdown(text: object) -> str:
    """Data text shown through st.markdown: markdown and HTML characters are neutralised."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~$" else ch for ch in str(text))


def chart(ctx: PageContext, name: str, *args) -> None:
    """The chart `name` (see `chart_specs.CHARTS`) of the page's selection, full width, from the shared cache."""
    st.vega_lite_chart(chart_spec(ctx.filters, name, *args), width="stretch")
