"""Tables for the printed page: `st.dataframe` is a canvas grid that prints only the rows on screen, so each table
also exists as a plain HTML table, hidden on screen and shown (every row, no column cut) when printing."""

from __future__ import annotations

from html import escape

import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from geo import fr
from geo.schema import is_blank

CSS = """<style>
.carte-impression { display: none; }
@media print {
  .carte-impression { display: block; }
  .carte-impression table { width: 100%; border-collapse: collapse; font-size: 9pt; table-layout: auto; }
  .carte-impression th, .carte-impression td { border: 1px solid #9ca3af; padding: 2px 4px; text-align: left;
    overflow-wrap: break-word; }
  .carte-impression td.nombre { text-align: right; white-space: nowrap; }
  .carte-impression thead { display: table-header-group; }
  .carte-impression tr { break-inside: avoid; }
  div[data-testid="stDataFrame"] { display: none !important; }
  iframe[title="streamlit_folium.st_folium"] { max-width: 100% !important; }
}
</style>"""


def _cell(value, numeric: bool) -> str:
    if numeric:
        return f'<td class="nombre">{escape(fr.nombre(value))}</td>'
    return f"<td>{escape('' if is_blank(value) else str(value))}</td>"


def print_table(frame: pd.DataFrame, labels: dict[str, str]) -> str:
    """Every row of `frame`'s `labels` columns (in that order, headed by their labels) as an HTML table: text
    escaped, numbers French-formatted, shown only in print (`CSS`)."""
    columns = list(labels)
    numeric = {c: is_numeric_dtype(frame[c]) and not is_bool_dtype(frame[c]) for c in columns}
    head = "".join(f"<th>{escape(labels[c])}</th>" for c in columns)
    rows = "".join("<tr>" + "".join(_cell(value, numeric[c]) for c, value in zip(columns, row, strict=True))
                   + "</tr>" for row in frame[columns].itertuples(index=False, name=None))
    return f'<div class="carte-impression"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
