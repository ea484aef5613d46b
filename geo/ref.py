"""Reference tables committed in `data/ref/` (derived by `tools/derive_reference.py`; sources in
`data/ref/SOURCES.md`).

Codes are always strings with their leading zeros (Corsica 2A/2B, overseas 971-976). Readers are cached:
callers must not mutate the frames they receive (copy them first).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.schema import CODE_WIDTHS, LIST_JOINER, WGS84, normalize_code

REF_DIR = Path(__file__).resolve().parents[1] / "data" / "ref"


def _read_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(REF_DIR / name, dtype=str, keep_default_na=False, encoding="utf-8")


@lru_cache(maxsize=1)
def regions_table() -> pd.DataFrame:
    """The 18 régions: insee_reg, lib_reg."""
    return _read_csv("regions.csv")


@lru_cache(maxsize=1)
def departements_table() -> pd.DataFrame:
    """The 101 départements: insee_dep, lib_dep, insee_reg."""
    return _read_csv("departements.csv")


@lru_cache(maxsize=1)
def communes_table() -> pd.DataFrame:
    """Communes (COM), arrondissements municipaux (ARM) and communes déléguées/associées people still write
    (COMD/COMA), from the COG 2026.

    Columns: insee_com, lib_com, type, parent (the commune of an ARM, the current commune of a COMD/COMA, else
    ""), codes_postaux (tuple of str; a COMD/COMA gets its parent's), population (Int64, NA when unknown),
    insee_dep, insee_reg (derived: from the code, or the parent's for COMD/COMA). A code is not unique: a
    commune déléguée may share its chef-lieu's code.
    """
    frame = _read_csv("communes.csv")
    frame["population"] = pd.to_numeric(frame["population"].replace("", None)).astype("Int64")
    own = frame["codes_postaux"].map(lambda text: tuple(text.split(LIST_JOINER)) if text else ())
    current = frame["type"] == "COM"
    by_commune = dict(zip(frame.loc[current, "insee_com"], own[current], strict=True))
    former = frame["type"].isin(["COMD", "COMA"])
    frame["codes_postaux"] = own.where(~former, frame["parent"].map(by_commune))
    holder = frame["insee_com"].where(~former, frame["parent"])
    frame["insee_dep"] = holder.str[:3].where(holder.str.startswith("97"), holder.str[:2])  # as dep_of_commune
    frame["insee_reg"] = frame["insee_dep"].map(_region_by_dep())
    return frame


@lru_cache(maxsize=1)
def legal_categories_table() -> pd.DataFrame:
    """The SIRENE legal categories of the convention's organismes: categorie_juridique, libelle_insee, famille."""
    return _read_csv("categories_juridiques.csv")


@lru_cache(maxsize=1)
def qpv2024_table() -> pd.DataFrame:
    """One row per (QPV 2024, commune) pair; a code's first row is its main commune.

    Columns: code_qp, lib_qp, insee_com, lib_com, insee_dep, insee_reg, siren_epci (str), population_commune
    (int), lon, lat (float, the commune point in WGS84), codes_postaux (str, " | "-joined).
    """
    frame = _read_csv("qpv2024_communes.csv")
    frame["population_commune"] = frame["population_commune"].astype("int64")
    frame["lon"] = frame["lon"].astype(float)
    frame["lat"] = frame["lat"].astype(float)
    return frame


def _read_basemap(name: str, columns: list[str]) -> gpd.GeoDataFrame:
    frame = gpd.read_file(REF_DIR / name)
    frame = frame.set_crs(WGS84) if frame.crs is None else frame.to_crs(WGS84)
    for column in columns:
        frame[column] = frame[column].astype(str)
    return frame[[*columns, "geometry"]]


@lru_cache(maxsize=1)
def basemap_regions() -> gpd.GeoDataFrame:
    """Simplified outlines of the 18 régions (EPSG:4326): insee_reg, lib_reg, geometry."""
    return _read_basemap("regions.geojson", ["insee_reg", "lib_reg"])


@lru_cache(maxsize=1)
def basemap_departements() -> gpd.GeoDataFrame:
    """Simplified outlines of the 101 départements (EPSG:4326): insee_dep, lib_dep, insee_reg, geometry."""
    return _read_basemap("departements.geojson", ["insee_dep", "lib_dep", "insee_reg"])


def dep_of_commune(insee_com: object) -> str:
    """Département code of a commune INSEE code: 2 characters (2A/2B in Corsica), 3 for overseas (97x).

    A 4-digit code is a 5-digit one whose leading zero a spreadsheet dropped; any other length is invalid.
    """
    code = normalize_code(insee_com, CODE_WIDTHS["insee_com"]) or ""
    if len(code) != 5:
        raise ValueError(f"code commune INSEE invalide : {insee_com!r}")
    return code[:3] if code.startswith("97") else code[:2]


def dep_of_commune_or_none(insee_com: object) -> str | None:
    """`dep_of_commune`, or None for a blank or invalid code (the caller then locates the row otherwise)."""
    try:
        return dep_of_commune(insee_com)
    except ValueError:
        return None


@lru_cache(maxsize=1)
def commune_names() -> dict[str, str]:
    """Name of each commune of the QPV 2024 reference list, by INSEE code."""
    table = qpv2024_table()
    return dict(zip(table["insee_com"], table["lib_com"], strict=True))


@lru_cache(maxsize=1)
def _region_by_dep() -> dict[str, str]:
    table = departements_table()
    return dict(zip(table["insee_dep"], table["insee_reg"], strict=True))


def reg_of_dep(insee_dep: object) -> str:
    """Région code of a département code ("2A" -> "94", "971" -> "01"); KeyError when unknown."""
    return _region_by_dep()[normalize_code(insee_dep, CODE_WIDTHS["insee_dep"])]


@lru_cache(maxsize=1)
def epci_names() -> dict[str, str]:
    """Name of each EPCI holding a QPV commune (where contrats de ville are signed), by SIREN."""
    table = _read_csv("epci.csv")
    return dict(zip(table["siren_epci"], table["lib_epci"], strict=True))


@lru_cache(maxsize=1)
def _epci_by_commune() -> dict[str, str]:
    table = qpv2024_table()
    return {c: e for c, e in zip(table["insee_com"], table["siren_epci"], strict=True) if e}


def epci_of_commune(insee_com: object) -> str | None:
    """SIREN of the EPCI of a QPV commune (reference list), None for another or a blank code."""
    return _epci_by_commune().get(normalize_code(insee_com, CODE_WIDTHS["insee_com"]) or "")
