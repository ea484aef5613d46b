"""French presentation of figures: `13 000`, `12,5 %`, `27/11/2026`, `45 000 €`. The only place that formats."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd

from geo.schema import is_blank

DATE_FORMAT = "%d/%m/%Y"  # a day as every file, form and page writes it: JJ/MM/AAAA
DATE_WIDGET_FORMAT = "DD/MM/YYYY"  # the same for Streamlit's date widgets and columns, and Excel's number format
DATE_HINT = "JJ/MM/AAAA"  # the same, as the French messages name it
NBSP = "\u202f"  # narrow no-break space: the French thousands separator, never split across lines
DECIMAL = ","


def nombre(value, decimals: int = 0) -> str:
    """`13 000`, `1 234,5`; an em dash for a missing value."""
    if is_blank(value):
        return "—"
    text = f"{float(value):,.{decimals}f}" if decimals else f"{round(float(value)):,d}"
    return text.replace(",", NBSP).replace(".", DECIMAL)


def pourcentage(ratio, decimals: int = 1) -> str:
    """A ratio (0.125) as `12,5 %`."""
    if is_blank(ratio):
        return "—"
    return f"{nombre(float(ratio) * 100, decimals)}{NBSP}%"


def distance(metres) -> str:
    """`350 m`, `1,2 km`; an em dash for a missing or infinite distance."""
    if is_blank(metres) or not math.isfinite(float(metres)):
        return "—"
    if float(metres) < 1_000:
        return f"{nombre(metres)} m"
    return f"{nombre(float(metres) / 1_000, 1)} km"


def octets(count: int) -> str:
    """A file size: `850 octets`, `1,5 Ko`, `12,3 Mo`."""
    if count < 1024:
        return f"{nombre(count)} octets"
    size, unit = (count / 1024, "Ko") if count < 1024 * 1024 else (count / (1024 * 1024), "Mo")
    return f"{nombre(size, 1)} {unit}"


def euros(value) -> str:
    """`45 000 €`; a missing amount is a dash."""
    return "—" if is_blank(value) else f"{nombre(value)}{NBSP}€"


def date_fr(value) -> str:
    """`27/11/2026`."""
    if is_blank(value):
        return "—"
    if isinstance(value, str):
        try:  # the manifests' and the store's ISO dates: a hundred times faster than pandas' guessing
            value = datetime.fromisoformat(value)
        except ValueError:
            value = pd.to_datetime(value)
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.strftime(DATE_FORMAT)
    return str(value)


def date_heure(value) -> str:
    """`27/11/2026 17:05`, in French local time (a naive moment is taken as UTC, as the store writes it)."""
    if is_blank(value):
        return "—"
    moment = pd.Timestamp(value)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment
    return moment.tz_convert("Europe/Paris").strftime(f"{DATE_FORMAT} %H:%M")


def cellule(value) -> str:
    """A table cell on screen: a number as `nombre` (up to 2 decimals), a date as `date_fr`, a list as is, text
    as is; blank when missing, so that an empty cell reads empty rather than `None` or a dash."""
    if isinstance(value, (list, tuple)):
        return value
    if is_blank(value):
        return ""
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return date_fr(value)
    if pd.api.types.is_bool(value):
        return "oui" if value else "non"
    if not pd.api.types.is_number(value):
        return str(value)
    number = float(value)
    return nombre(number) if number.is_integer() else nombre(number, 2).rstrip("0")


def pluriel(count: int, singular: str, plural: str | None = None) -> str:
    """`1 régie`, `129 régies`: the count formatted and the noun agreed (French: 0 and 1 are singular)."""
    word = singular if abs(int(count)) < 2 else (plural or singular + "s")
    return f"{nombre(count)} {word}"


def vega_nombre(expr: str, decimals: int = 0) -> str:
    """A Vega expression writing `expr` as `nombre` does, for what the browser formats (axis ticks, legends)."""
    grouped = f"replace(format({expr}, ',.{decimals}f'), regexp(',', 'g'), '{NBSP}')"
    return f"replace({grouped}, '.', '{DECIMAL}')"


def vega_pourcentage(expr: str, decimals: int = 0) -> str:
    """A Vega expression writing the ratio `expr` as `pourcentage` does."""
    return f"{vega_nombre(f'{expr} * 100', decimals)} + '{NBSP}%'"


DATE_FORMATS = (DATE_FORMAT, "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%d/%m/%y")


def parse_date(text: str) -> datetime | None:
    """A date as the users' files write it (French first), None when it is not one."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None
