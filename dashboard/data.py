"""The data, loaded and joined once per process and shared by every session: each cache is keyed by the data
folder and its files' signature, so a new or edited file reloads it."""

from __future__ import annotations

import gc
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard.chart_specs import build_spec
from geo import opportunities
from geo.datasets import Datasets
from geo.details import partnership_table as _partnership_rows
from geo.display import SCALES, display_frame, scale_for
from geo.filters import Filters, Selection, apply
from geo.joins import Atlas, build_atlas
from geo.load import load_folder
from geo.manifest import atomic_write_bytes
from ui import maps
from ui.assets import STATIC_DIR, STATIC_URL
from ui.map_payload import MapPayload, build_map_payload

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = ROOT / "data" / "demo"
GENERATED_DIR = STATIC_DIR / "generated"  # files the app derives from the data and serves (git-ignored)


def data_dir() -> Path:
    return Path(os.environ.get("CARTE_DATA_DIR") or DEFAULT_DATA_DIR)


def data_signature(folder: Path) -> tuple:
    """Names, sizes and modification times of the folder's files: a new file or an edit reloads the data."""
    if not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()))


def source() -> tuple[str, tuple]:
    """The cache key of the current data: folder and signature."""
    folder = data_dir()
    return str(folder), data_signature(folder)


@dataclass(frozen=True)
class Loaded:
    datasets: Datasets
    atlas: Atlas


@st.cache_resource(show_spinner="Chargement des données…", max_entries=2)
def _load(folder: str, signature: tuple) -> Loaded:
    datasets = load_folder(Path(folder))
    data = Loaded(datasets, build_atlas(datasets))
    # A full garbage collection walks every tracked object, holding the GIL for every session: the libraries' and
    # the data's (~150 000) make it 0.1 to 0.5 s on 2 cores. They live as long as the process, so they are moved
    # out of the collector's reach; what runs create is still collected.
    gc.collect()
    gc.freeze()
    return data


def loaded() -> Loaded:
    return _load(*source())


@st.cache_resource(show_spinner=False, max_entries=8)
def _display_qpv(folder: str, signature: tuple, scale_name: str) -> gpd.GeoDataFrame:
    """All QPV outlines at one scale, computed once per process; filters only pick rows from it."""
    atlas = _load(folder, signature).atlas
    frame = display_frame(atlas.qpv, SCALES[scale_name], ["code_qp"])
    return frame.set_index("code_qp", drop=False)


@st.cache_resource(show_spinner=False, max_entries=64)
def _selection(folder: str, signature: tuple, filters: Filters) -> Selection:
    return apply(_load(folder, signature).atlas, filters)


def selection(filters: Filters) -> Selection:
    """The subset of the data for these filters, shared by every session that asks for the same."""
    return _selection(*source(), filters)


@st.cache_resource(show_spinner=False, max_entries=2)
def _outlines_url(folder: str, signature: tuple) -> str:
    """Writes the outlines once into static/generated/ (named by content) and returns the URL the map fetches."""
    atlas = _load(folder, signature).atlas
    data = json.dumps(maps.outline_features(atlas.regions, atlas.departements), separators=(",", ":")).encode()
    name = f"contours-{hashlib.sha256(data).hexdigest()[:16]}.json"
    if not (GENERATED_DIR / name).exists():
        atomic_write_bytes(GENERATED_DIR / name, data)
    return f"{STATIC_URL}/{GENERATED_DIR.relative_to(STATIC_DIR).as_posix()}/{name}"


def outlines_url() -> str:
    return _outlines_url(*source())


@st.cache_resource(show_spinner=False, max_entries=64)
def _map_payload(folder: str, signature: tuple, filters: Filters, measure: str) -> MapPayload:
    """Built once per filters and measure: a click, a layer toggle or another session asking the same view
    reuses it; the outlines come from the per-scale cache (no re-simplification)."""
    scale = scale_for(filters.regions, filters.departements)
    return build_map_payload(_selection(folder, signature, filters), _display_qpv(folder, signature, scale.name),
                             scale, measure, framed=filters.has_territory)


def map_payload(filters: Filters, measure: str) -> MapPayload:
    return _map_payload(*source(), filters, measure)


@st.cache_resource(show_spinner=False, max_entries=512)
def _chart_spec(folder: str, signature: tuple, filters: Filters, name: str, args: tuple) -> dict:
    """Built once per filters: a warm rerun, and every other session with the same filters, reuse it."""
    return build_spec(name, _selection(folder, signature, filters), _selection(folder, signature, Filters()), *args)


def chart_spec(filters: Filters, name: str, *args) -> dict:
    """The Vega-Lite spec of the chart `name` (see `chart_specs.CHARTS`) for these filters; read-only."""
    return _chart_spec(*source(), filters, name, args)


@st.cache_resource(show_spinner=False, max_entries=64)
def _partnership_table(folder: str, signature: tuple, filters: Filters) -> pd.DataFrame:
    return _partnership_rows(_selection(folder, signature, filters))


def partnership_table(filters: Filters) -> pd.DataFrame:
    """The partnerships table of the Partenariats page for these filters, shared by sessions; read-only."""
    return _partnership_table(*source(), filters)


@st.cache_resource(show_spinner=False, max_entries=8)
def _reach_pairs(folder: str, signature: tuple, reach_m: float) -> pd.DataFrame:
    return opportunities.reach_pairs(_load(folder, signature).atlas, reach_m)


def reach_pairs(reach_m: float) -> pd.DataFrame:
    """Régie × QPV pairs within `reach_m`, computed once per distance (see `geo.opportunities.reach_pairs`)."""
    return _reach_pairs(*source(), reach_m)
