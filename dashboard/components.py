"""Small Streamlit pieces several pages share: key-figure cards, tables, downloads, charts, print CSS."""

from __future__ import annotations

import hashlib
import pickle
from datetime import date

import pandas as pd
import streamlit as st

from dashboard.data import chart_spec
from dashboard.images import chart_export
from dashboard.page import PageContext
from geo.indicators import Kpis, coverage_text
from geo.timeline import Progress
from ui import printing
from ui.exports import file_name, to_csv_fr, to_xlsx
from ui.tables import KPI_CARDS, change_text, french_cells, french_grid, kpi_text

LIST_COLUMNS = {"Codes QPV": st.column_config.ListColumn("Codes QPV"),
                "Quartiers": st.column_config.ListColumn("Quartiers"),
                "Communes": st.column_config.ListColumn("Communes"),
                "Départements": st.column_config.ListColumn("Départements"),
                "Thèmes": st.column_config.ListColumn("Thèmes"),
                "Description": st.column_config.TextColumn("Description", width="large")}

PRINT_CSS = """<style>
@media print {
  section[data-testid="stSidebar"], header[data-testid="stHeader"], div[data-testid="stToolbar"],
  div[data-testid="stDecoration"], div[data-testid="stStatusWidget"] { display: none !important; }
  .main .block-container, div[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 0 !important; }
  div[data-testid="stVerticalBlock"] { break-inside: avoid-page; }
}
</style>"""


def kpi_cards(figures: Kpis, national: Kpis | None = None, progress: Progress | None = None, since: str = ""
              ) -> None:
    """One card per key figure, French formatted, five then four per row so that labels are never cut; the
    national value in small type under a filtered one; with `progress`, each figure's change `since` the
    reference day (« +48 depuis la signature »)."""
    for row in (KPI_CARDS[:5], KPI_CARDS[5:]):
        columns = st.columns(5)
        for column, (field, label, meaning) in zip(columns, row, strict=False):
            with column, st.container(border=True):
                change = progress.change(field) if progress is not None else None
                delta = f"{change_text(field, change)} {since}" if change is not None else None
                st.metric(label, kpi_text(figures, field), help=meaning, delta=delta,
                          delta_color="normal" if change else "off")
                if coverage := coverage_text(figures, field):
                    st.caption(coverage)
                if national is not None:
                    st.caption(f"France : {kpi_text(national, field)}")


def table(frame: pd.DataFrame, column_config: dict | None = None, printable: bool = False, percent: tuple = (),
          **options) -> None:
    """A table as French readers expect it (`ui.tables.french_grid`: numbers sort as numbers and read French, the
    ratios of the `percent` columns as `12,5 %`), without the grid's English toolbar: the pages offer their own
    French downloads. `printable`: every row is printed too (the page needs `ui.printing.CSS`), where the grid
    would print only the rows on screen."""
    config = {k: v for k, v in LIST_COLUMNS.items() if k in frame.columns} | (column_config or {})
    _table(content_key(frame), frame, config, printable, percent, options)


def content_key(frame: pd.DataFrame) -> str:
    """A digest of everything in `frame` (values, dtypes, labels): equal bytes mean an equal table. Streamlit's own
    hashing of a frame with list cells logs a warning and pickles it anyway, slower."""
    return hashlib.blake2b(pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL), digest_size=16).hexdigest()


# Streamlit records the elements a cached function draws and replays them on a hit: a warm rerun, or another
# session showing the same table, sends the stored grid instead of formatting and marshalling every cell again
# (the pandas Styler: ~0.3 s for the 650 × 17 partnerships). Bounded in bytes: 50 sessions share it. No
# `on_select` here: a selectable grid is a widget, which a cached function cannot replay.
@st.cache_data(show_spinner=False, max_size="64MB", ttl="1h")
def _table(key: str, _frame: pd.DataFrame, config: dict, printable: bool, percent: tuple, options: dict) -> None:
    """The grid (and its printed copy) of the table whose content digest is `key`."""
    st.dataframe(french_grid(_frame, percent), hide_index=True, width="stretch", placeholder="", column_config=config,
                 **options)
    if printable:
        cells = french_cells(_frame)
        st.html(printing.print_table(cells, {c: c for c in cells.columns}))


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def downloads(frame: pd.DataFrame, kind: str, territory: str, key: str, columns=None) -> None:
    """The app's own French download buttons (CSV for Excel, XLSX) of exactly `frame`, named after what it holds,
    its territory and today's date."""
    csv_col, xlsx_col = columns or st.columns(2)
    today = date.today()
    # The files are written when the button is clicked (a callable), not on every run of the page.
    csv_col.download_button("CSV (Excel)", lambda: to_csv_fr(frame), file_name=file_name(kind, territory, today, "csv"),
                            mime="text/csv", icon=":material/download:", width="stretch", key=f"{key}-csv",
                            on_click="ignore")
    xlsx_col.download_button("XLSX", lambda: to_xlsx(frame, kind), file_name=file_name(kind, territory, today, "xlsx"),
                             mime=XLSX_MIME, icon=":material/download:", width="stretch", key=f"{key}-xlsx",
                             on_click="ignore")


def chart(ctx: PageContext, name: str, *args) -> None:
    """The chart `name` (see `chart_specs.CHARTS`) of the page's selection, full width, from the shared cache,
    with its own French "Image" menu (PNG, SVG) in place of the chart's English one (off), except when
    presenting."""
    st.vega_lite_chart(chart_spec(ctx.filters, name, *args), width="stretch")
    if not ctx.presenting:
        chart_export(ctx, name, args)

