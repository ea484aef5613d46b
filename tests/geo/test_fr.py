"""French formatting, and the Vega expressions that must write numbers the same way in the browser."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pandas as pd
import pytest

from geo import fr


@pytest.mark.parametrize(("value", "decimals", "expected"), [
    (13000, 0, "13\u202f000"), (1234.5, 1, "1\u202f234,5"), (7, 0, "7"), (1_234_567, 0, "1\u202f234\u202f567"),
    (None, 0, "—"), (math.nan, 0, "—"), (pd.NA, 0, "—"),
])
def test_nombre(value, decimals, expected):
    assert fr.nombre(value, decimals) == expected


def test_pourcentage_and_date():
    assert fr.pourcentage(0.125) == "12,5\u202f%"
    assert fr.pourcentage(None) == "—"
    assert fr.distance(350) == "350 m" and fr.distance(1234) == "1,2 km" and fr.distance(None) == "—"
    assert fr.distance(float("inf")) == "—"
    assert fr.octets(850) == "850 octets" and fr.octets(1536) == "1,5 Ko"
    assert fr.octets(25 * 1024 * 1024) == "25,0 Mo"
    assert fr.euros(231950) == "231\u202f950\u202f€" and fr.euros(None) == "—"
    assert fr.date_fr(date(2026, 11, 27)) == "27/11/2026"
    assert fr.date_fr("2026-11-27") == fr.date_fr("2026-11-27T17:05:00") == "27/11/2026"  # ISO, from files
    assert fr.date_fr("Nov 27, 2026") == "27/11/2026"  # anything else pandas reads
    assert fr.pluriel(1, "régie") == "1 régie" and fr.pluriel(1300, "régie") == "1\u202f300 régies"


def _vega_eval(expression: str, value: float) -> str:
    """Evaluate the few Vega expression functions the builders use, with their JavaScript meaning: d3's
    `format` (its ',.Nf' spec means what Python's does), `replace` with a string pattern replaces the first match,
    with a global `regexp` every match."""
    def vega_format(number, spec):
        return format(number, spec)

    def regexp(pattern, flags):
        return ("g" in flags, pattern)

    def replace(text, pattern, by):
        if isinstance(pattern, tuple):
            return text.replace(pattern[1], by)
        return text.replace(pattern, by, 1)

    names = {"format": vega_format, "regexp": regexp, "replace": replace, "datum": SimpleNamespace(value=value)}
    return eval(expression, {"__builtins__": {}}, names)  # the expression under test, nothing else


@pytest.mark.parametrize("value", [0, 5, 999, 1000, 13000, 1_234_567])
def test_vega_nombre_writes_like_nombre(value):
    assert _vega_eval(fr.vega_nombre("datum.value"), value) == fr.nombre(value)


def test_vega_nombre_with_decimals():
    assert _vega_eval(fr.vega_nombre("datum.value", 1), 1234.5) == "1\u202f234,5"


@pytest.mark.parametrize("ratio", [0, 0.05, 0.125, 0.5, 1])
def test_vega_pourcentage_writes_like_pourcentage(ratio):
    assert _vega_eval(fr.vega_pourcentage("datum.value", 1), ratio) == fr.pourcentage(ratio, 1)


def test_date_heure_in_paris_time():
    assert fr.date_heure(datetime(2026, 11, 27, 16, 5, tzinfo=UTC)) == "27/11/2026 17:05"  # UTC+1
    assert fr.date_heure(datetime(2026, 7, 1, 22, 30)) == "02/07/2026 00:30"  # naive = UTC; summer UTC+2
    assert fr.date_heure(None) == "—"


def test_cellule_writes_table_cells_the_french_way():
    import numpy as np
    import pandas as pd

    assert fr.cellule(231950.0) == "231\u202f950" and fr.cellule(np.int64(1181)) == "1\u202f181"
    assert fr.cellule(27948.33) == "27\u202f948,33" and fr.cellule(12.5) == "12,5"
    assert [fr.cellule(v) for v in (None, pd.NaT, pd.NA, float("nan"))] == ["", "", "", ""]
    assert fr.cellule(pd.Timestamp("2024-01-02")) == "02/01/2024" and fr.cellule("Lille") == "Lille"
    assert fr.cellule(True) == "oui" and fr.cellule(["a"]) == ["a"]
