"""Downloads: CSV for a French Excel (UTF-8 with BOM, `;`, decimal comma) and XLSX, safe to open.

A text cell a spreadsheet would run as a formula (CSV injection, the rule of `geo.formulas`, the same that refuses
them on input) is prefixed with an apostrophe, which spreadsheets show as plain text.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pandas as pd

from geo import fr, schema
from geo.filters import epci_name
from geo.formulas import neutralize
from ui.filters_text import describe


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where lists are joined with " | " and every text cell is formula-safe."""
    out = frame.copy()
    for column in out.columns:
        if out[column].map(lambda v: isinstance(v, (list, tuple))).any():
            out[column] = out[column].map(lambda v: " | ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    for column in _text_columns(out):
        out[column] = out[column].map(neutralize)
    return out


def to_csv_fr(frame: pd.DataFrame) -> bytes:
    """CSV that a French Excel opens as columns with accents and decimal commas intact. Numbers carry no
    thousands separator: Excel would read `44 700` as text; whole amounts come as integers (see
    `ui.tables.whole_numbers`)."""
    data = safe_frame(frame)
    for column in data.columns:
        if pd.api.types.is_float_dtype(data[column]):
            data[column] = data[column].map(_csv_number)
    text = data.to_csv(sep=";", index=False, date_format=fr.DATE_FORMAT)
    return text.encode("utf-8-sig")


def _csv_number(value: float) -> str:
    """`66900` and `27948,33`: a decimal comma, no `,0` on a whole number, blank when missing."""
    if pd.isna(value):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return format(float(value), ".12g").replace(".", ",")


def to_xlsx(frame: pd.DataFrame, sheet_name: str = "données") -> bytes:
    buffer = io.BytesIO()
    data = safe_frame(frame)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        data.to_excel(writer, sheet_name=sheet_name[:31], index=False)
        sheet = writer.sheets[sheet_name[:31]]
        for index, column in enumerate(data.columns, start=1):
            number_format = _number_format(data[column])
            if number_format:
                for cell in sheet.iter_cols(min_col=index, max_col=index, min_row=2):
                    for item in cell:
                        item.number_format = number_format
            width = max([len(str(column))] + [len(str(v)) for v in data[column].head(200)]) + 2
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(width, 60)
        sheet.freeze_panes = "A2"
    return buffer.getvalue()


def _number_format(column: pd.Series) -> str | None:
    """Dates as `27/11/2026`; numbers with thousands grouping, which a French Excel shows as `44 700`."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return fr.DATE_WIDGET_FORMAT
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        return None
    return "#,##0" if pd.api.types.is_integer_dtype(column) else "#,##0.##"


NATION, WHOLE_NATION = "France", "France entière"  # the whole country: in a file's name, in a title


def territory_name(filters, atlas, nation: str = NATION) -> str:
    """The territory the filters ask for (`Filters`, `Atlas`) by its names: its EPCI, else its départements, else
    its régions, else `nation`."""
    if filters.epci:
        return ", ".join(epci_name(c) for c in filters.epci)
    if filters.departements:
        return ", ".join(atlas.departement_name(c) for c in filters.departements)
    if filters.regions:
        return ", ".join(atlas.region_name(c) for c in filters.regions)
    return nation


def scope_name(filters, atlas) -> str:
    """What a file covers, for its name: the territory (`territory_name`) then every other filter as the subtitle
    says it (`ui.filters_text.describe`: themes, families, statuses, years, search), so that the Hauts-de-France ×
    insertion file is not named like the whole Hauts-de-France one."""
    territory = territory_name(filters, atlas)
    if not filters.is_active:
        return territory
    described = describe(filters, atlas)
    return described if filters.has_territory else f"{territory} · {described}"


def file_name(kind: str, territory: str, day: date, extension: str) -> str:
    """`partenariats_auvergne-rhone-alpes_2026-11-27.csv`: what, where and when, readable in a folder listing
    (ISO date so that files sort by day)."""
    where = re.sub(r"[^a-z0-9]+", "-", schema.fold(territory)).strip("-") or "france"
    return f"{kind}_{where[:80]}_{day.isoformat()}.{extension}"


def template(spec) -> pd.DataFrame:
    """An empty table with the dataset's exact headers (a `geo.schema.DatasetSpec`)."""
    return pd.DataFrame(columns=spec.column_names)
