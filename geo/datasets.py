"""The loaded, validated datasets of one data folder, as every other module of `geo` receives them.

Contract of the frames (produced by `geo.load.load_folder`, relied on by joins, indicators and builders):
- `qpv`: GeoDataFrame in EPSG:4326, one row per `code_qp` (unique), columns of `schema.QPV` (codes as str,
  `population` nullable Int64), plus `source` (str); Polygon/MultiPolygon geometries, valid.
- `regies`: GeoDataFrame of points in EPSG:4326 (from latitude/longitude), columns of `schema.REGIES`;
  `qpv_couverts` is a list[str] of QPV codes; `salaries`, `benevoles` Int64; `date_creation` datetime64.
- `organismes`: DataFrame, columns of `schema.ORGANISMES`; `famille` one of `schema.FAMILLES`.
- `partenariats`: DataFrame, columns of `schema.PARTENARIATS`; `qpv` list[str]; `themes` list[str] of theme
  slugs (`schema.THEMES`); `statut` one of `schema.STATUTS`; `date_debut`/`date_fin` datetime64 (NaT allowed for
  `date_fin`); `montant_eur` float; `heures_insertion` Int64.
- `regions`: GeoDataFrame EPSG:4326, `insee_reg`, `lib_reg`, geometry.
- `departements`: GeoDataFrame EPSG:4326, `insee_dep`, `lib_dep`, `insee_reg`, geometry.
- `declinaisons` (optional file, empty frame when absent): DataFrame, columns of `schema.DECLINAISONS`, one row per
  `insee_reg`; `statut` one of `schema.DECLINAISON_STATUTS`; `date_signature` datetime64 (NaT allowed);
  `organismes_signataires` / `regies_signataires` list[str].
- `patrimoine` (optional file, empty frame when absent): DataFrame, columns of `schema.PATRIMOINE`, one row per
  (`siren_organisme`, `code_qp`) naming a known organism and QPV; `nb_logements` Int64.
Rows that failed validation with an `erreur` are kept out of the frames and listed in `findings`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.manifest import Manifest
from geo.schema import DATASETS
from geo.validate import Finding


def empty_table(kind: str) -> pd.DataFrame:
    """A table dataset with its model columns and no row: what an absent optional file loads as."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in DATASETS[kind].column_names})


@dataclass
class Datasets:
    folder: Path
    qpv: gpd.GeoDataFrame
    regies: gpd.GeoDataFrame
    organismes: pd.DataFrame
    partenariats: pd.DataFrame
    regions: gpd.GeoDataFrame
    departements: gpd.GeoDataFrame
    declinaisons: pd.DataFrame = field(default_factory=lambda: empty_table("declinaisons"))
    patrimoine: pd.DataFrame = field(default_factory=lambda: empty_table("patrimoine"))
    manifest: Manifest | None = None
    findings: list[Finding] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    stored: tuple[str, ...] = ()  # datasets read from the records store (store) rather than from files

    @property
    def is_demo(self) -> bool:
        return bool(self.manifest and self.manifest.demo)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "erreur"]


def frozen_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its list cells (régies of a QPV, themes, QPV codes…) turned into tuples: a frame shared by
    every session could otherwise be changed in place (`cell.append(…)`) behind copy-on-write's back."""
    for column in [c for c in frame.columns if pd.api.types.is_object_dtype(frame[c])]:
        values = frame[column].tolist()
        if any(isinstance(v, list) for v in values):
            frame[column] = pd.Series([tuple(v) if isinstance(v, list) else v for v in values], index=frame.index,
                                      dtype=object)
    return frame


def _frames(datasets: Datasets) -> list[str]:
    return [f.name for f in fields(datasets) if isinstance(getattr(datasets, f.name), pd.DataFrame)]


def frozen(datasets: Datasets) -> Datasets:
    """The datasets to share between sessions: each frame a copy whose list cells are tuples."""
    return replace(datasets, **{name: frozen_cells(getattr(datasets, name).copy(deep=False))
                                for name in _frames(datasets)})


def handed_out(datasets: Datasets) -> Datasets:
    """What one caller receives of shared datasets: shallow copies of the frames and of the findings list, so that
    a write (a cell, a new column, an appended finding) changes only the caller's copy (copy-on-write)."""
    return replace(datasets, findings=list(datasets.findings),
                   **{name: getattr(datasets, name).copy(deep=False) for name in _frames(datasets)})
