"""The data, loaded and joined once per process and shared by every session.

Records (régies, organismes, partenariats, déclinaisons, patrimoine) come from the store (`store`), the
reference geography (QPV, régions, départements) from the data folder. Each rerun asks the
store for its `data_version()` (one light query): a change published by this process or any other on the same
database changes the key (`Source`) and the next rerun shows it; only the changed dataset is read again, and the
files only when they change. The joined data of a `Source` is kept on disk too (`store.snapshot`): a new process
with unchanged data reads it instead of joining again. The `Store` (an engine, thread-safe) is the only shared
object that is not immutable data; accounts live in `st.session_state`.
"""

from __future__ import annotations

import gc
import hashlib
import json
import weakref
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard.chart_specs import ChartData, build_spec
from geo import opportunities, timeline
from geo.datasets import Datasets, frozen, handed_out
from geo.declinaisons import compare_regions, declinations
from geo.details import partnership_table as _partnership_rows
from geo.display import SCALES, display_frame, scale_for
from geo.filters import Filters, Selection, apply
from geo.joins import Atlas, build_atlas
from geo.manifest import atomic_write_bytes
from geo.ref import REF_DIR
from store import Store, data_dir, database_url
from store.reference import read_reference
from store.snapshot import file_signature, load_or_build
from ui import maps
from ui.assets import STATIC_DIR, STATIC_URL
from ui.map_payload import MapPayload, build_map_payload
from ui.opportunities import opportunities_map

GENERATED_DIR = STATIC_DIR / "generated"  # files the app derives from the data and serves (git-ignored)
__all__ = ["data_dir", "store", "is_demo", "source", "loaded", "selection", "outlines_url", "map_payload", "chart_spec",
           "declination_table", "region_comparison", "history",
           "partnership_table", "reach_pairs", "qpv_opportunities", "opportunities_map_html", "chart_data"]


@st.cache_resource(show_spinner="Ouverture de la base de données…", max_entries=4)
def _store(url: str, folder: str) -> Store:
    """The store at `url`, seeded from the data folder when it is empty (first start)."""
    opened = Store.open(url, reference_folder=Path(folder))
    opened.seed_from_folder(Path(folder))
    return opened


def store() -> Store:
    return _store(database_url(), str(data_dir()))


def is_demo() -> bool:
    """Whether the data is the demo's, from the store's manifest alone (as `Datasets.is_demo`), without loading it."""
    manifest = store().manifest()
    return bool(manifest and manifest.demo)


@dataclass(frozen=True)
class Source:
    """The cache key of the current data: database and its data version, data folder and its files' signature
    (with the bundled reference files', `data/ref`, which draw the régions and départements)."""

    url: str
    versions: tuple[tuple[str, int], ...]
    folder: str
    signature: tuple


def shared_cache(**options):
    """`st.cache_resource` keyed cheaply on the data's `Source` and the `Filters`: both frozen values of strings,
    numbers and tuples, which their `repr` spells whole. Streamlit's own hashing of a dataclass copies it to a dict
    field by field, a few milliseconds a call and a dozen calls a run."""
    return st.cache_resource(hash_funcs={Source: repr, Filters: repr}, **options)


def _current_source() -> Source:
    folder = data_dir()
    return Source(database_url(), tuple(sorted(store().data_version().items())), str(folder),
                  (file_signature(folder), file_signature(REF_DIR)))


# Run in progress -> its Source. A page asks for the source a dozen times (every cached table does): the store's
# version and the folder's signature are read once per run, keyed by the object Streamlit makes anew for each run.
_RUN_SOURCES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def source() -> Source:
    """The current data's key, read once per run (and at every call outside a run)."""
    ctx = get_script_run_ctx()
    run = ctx.parallel_coordinator if ctx is not None else None
    if run is None:
        return _current_source()
    current = _RUN_SOURCES.get(run)
    if current is None:
        current = _RUN_SOURCES[run] = _current_source()
    return current


@dataclass(frozen=True)
class Loaded:
    datasets: Datasets
    atlas: Atlas


@shared_cache(show_spinner="Chargement des périmètres…", max_entries=2)
def _reference(folder: str, signature: tuple) -> dict:
    return read_reference(Path(folder))


@shared_cache(show_spinner=False, max_entries=12)
def _frame(url: str, folder: str, kind: str, version: int) -> tuple:
    """One dataset's frame at one version of the store."""
    return _store(url, folder).read_frames([kind])[kind]


def _build(source: Source) -> Loaded:
    frames = {kind: _frame(source.url, source.folder, kind, version) for kind, version in source.versions}
    datasets = _store(source.url, source.folder).read_datasets(
        Path(source.folder), reference=_reference(source.folder, source.signature), frames=frames)
    return Loaded(frozen(datasets), build_atlas(datasets))


@shared_cache(show_spinner="Chargement des données…", max_entries=2)
def _load(source: Source) -> Loaded:
    # The cache's key holds the code of `geo` and `store` (`store.snapshot`); `Loaded` is defined here: its fields
    # are part of the key too, so that a file of another shape is never read.
    data = load_or_build("donnees", (source, tuple(f.name for f in fields(Loaded))), lambda: _build(source))
    # A full garbage collection walks every tracked object, holding the GIL for every session: the libraries' and
    # the data's (~150 000) make it 0.1 to 0.5 s on 2 cores. They live as long as the process, so they are moved
    # out of the collector's reach; what runs create is still collected.
    gc.collect()
    gc.freeze()
    return data


def loaded() -> Loaded:
    """The current data, shared by every session: the datasets as copies of their own for the caller (a write
    changes only them), the atlas guarding its frames itself (`geo.joins.Atlas`)."""
    data = _load(source())
    return Loaded(handed_out(data.datasets), data.atlas)


def current_atlas() -> Atlas:
    """The current joined data alone, for a caller that needs no dataset (no copies made)."""
    return _load(source()).atlas


@shared_cache(show_spinner=False, max_entries=8)
def _display_qpv(folder: str, signature: tuple, scale_name: str, _atlas: Atlas) -> gpd.GeoDataFrame:
    """All QPV outlines at one scale, computed once per reference geography (not per store change: `_atlas` is
    not part of the key); filters only pick rows from it."""
    frame = display_frame(_atlas.qpv, SCALES[scale_name], ["code_qp"])
    return frame.set_index("code_qp", drop=False)


@shared_cache(show_spinner=False, max_entries=2)
def _history(source: Source) -> pd.DataFrame:
    journal = timeline.journal_history(_store(source.url, source.folder).status_history("partenariats"))
    demo, _ = timeline.read_demo_history(_load(source).datasets)
    return timeline.combined_history(demo, journal)


def history() -> pd.DataFrame:
    """Every recorded status change of the partnerships (the journal's, and the demo's generated past), in event
    order (`geo.timeline.combined_history`)."""
    return _history(source())


@shared_cache(show_spinner="Calcul de l'état à la date choisie…", max_entries=16)
def _state(source: Source, day: date) -> timeline.State:
    data = _load(source)
    return timeline.state_at(data.atlas, data.datasets.declinaisons, day, _history(source))


def _atlas_at(source: Source, day: date | None) -> Atlas:
    """The atlas as it stood at `day` (`geo.timeline.state_at`), the current one without a day."""
    return _load(source).atlas if day is None else _state(source, day).atlas


def _declinaisons_at(source: Source, day: date | None) -> pd.DataFrame:
    return _load(source).datasets.declinaisons if day is None else _state(source, day).declinaisons


@shared_cache(show_spinner=False, max_entries=64)
def _selection(source: Source, filters: Filters) -> Selection:
    return apply(_atlas_at(source, filters.date), filters)


def selection(filters: Filters) -> Selection:
    """The subset of the data for these filters, shared by every session that asks for the same."""
    return _selection(source(), filters)


@shared_cache(show_spinner=False, max_entries=2)
def _outlines_url(folder: str, signature: tuple, _atlas: Atlas) -> str:
    """Writes the outlines once into static/generated/ (named by content) and returns the URL the map fetches."""
    data = json.dumps(maps.outline_features(_atlas.regions, _atlas.departements), separators=(",", ":")).encode()
    name = f"contours-{hashlib.sha256(data).hexdigest()[:16]}.json"
    if not (GENERATED_DIR / name).exists():
        atomic_write_bytes(GENERATED_DIR / name, data)
    return f"{STATIC_URL}/{GENERATED_DIR.relative_to(STATIC_DIR).as_posix()}/{name}"


def outlines_url() -> str:
    current = source()
    return _outlines_url(current.folder, current.signature, _load(current).atlas)


@shared_cache(show_spinner=False, max_entries=64)
def _map_payload(source: Source, filters: Filters, measure: str) -> MapPayload:
    """Built once per filters and measure: a click, a layer toggle or another session asking the same view
    reuses it; the outlines come from the per-scale cache (no re-simplification)."""
    scale = scale_for(filters.regions, filters.departements)
    display = _display_qpv(source.folder, source.signature, scale.name, _load(source).atlas)
    return build_map_payload(_selection(source, filters), display, scale, measure, framed=filters.has_territory)


def map_payload(filters: Filters, measure: str) -> MapPayload:
    return _map_payload(source(), filters, measure)


@shared_cache(show_spinner=False, max_entries=512)
def _chart_spec(source: Source, filters: Filters, name: str, args: tuple) -> dict:
    """Built once per filters: a warm rerun, and every other session with the same filters, reuse it."""
    return build_spec(name, _chart_data(source, filters), *args)


def chart_spec(filters: Filters, name: str, *args) -> dict:
    """The Vega-Lite spec of the chart `name` (see `chart_specs.CHARTS`) for these filters; read-only."""
    return _chart_spec(source(), filters, name, args)


def _chart_data(source: Source, filters: Filters) -> ChartData:
    return ChartData(_selection(source, filters), _selection(source, Filters(date=filters.date)),
                     _declination_table(source, filters))


def chart_data(filters: Filters) -> ChartData:
    """What the charts of these filters are drawn from, out of the shared caches; read-only."""
    return _chart_data(source(), filters)


@shared_cache(show_spinner=False, max_entries=64)
def _declination_table(source: Source, filters: Filters) -> pd.DataFrame:
    return declinations(_selection(source, filters), _declinaisons_at(source, filters.date))


def declination_table(filters: Filters) -> pd.DataFrame:
    """Where each région stands in declining the convention, for these filters (`geo.declinaisons`); read-only."""
    return _declination_table(source(), filters)


@shared_cache(show_spinner=False, max_entries=64)
def _region_comparison(source: Source, filters: Filters) -> pd.DataFrame:
    return compare_regions(_selection(source, filters), _declinaisons_at(source, filters.date))


def region_comparison(filters: Filters) -> pd.DataFrame:
    """The régions side by side for these filters (`geo.declinaisons.compare_regions`); read-only."""
    return _region_comparison(source(), filters)


@shared_cache(show_spinner=False, max_entries=64)
def _partnership_table(source: Source, filters: Filters) -> pd.DataFrame:
    return _partnership_rows(_selection(source, filters))


def partnership_table(filters: Filters) -> pd.DataFrame:
    """The partnerships table of the Partenariats page for these filters, shared by sessions; read-only."""
    return _partnership_table(source(), filters)


@shared_cache(show_spinner=False, max_entries=8)
def _reach_pairs(source: Source, reach_m: float) -> pd.DataFrame:
    return opportunities.reach_pairs(_load(source).atlas, reach_m)


def reach_pairs(reach_m: float) -> pd.DataFrame:
    """Régie × QPV pairs within `reach_m`, computed once per distance (see `geo.opportunities.reach_pairs`)."""
    return _reach_pairs(source(), reach_m)


@shared_cache(show_spinner=False, max_entries=32)
def _qpv_opportunities(source: Source, filters: Filters, reach_m: float) -> pd.DataFrame:
    return opportunities.qpv_opportunities(_selection(source, filters), _load(source).datasets.patrimoine,
                                           _reach_pairs(source, reach_m))


def qpv_opportunities(filters: Filters, reach_m: float) -> pd.DataFrame:
    """The QPV without partnership of these filters, ranked (`geo.opportunities.qpv_opportunities`); read-only."""
    return _qpv_opportunities(source(), filters, reach_m)


@shared_cache(show_spinner=False, max_entries=32)
def _opportunities_map_html(source: Source, filters: Filters, reach_m: float) -> str:
    table = _qpv_opportunities(source, filters, reach_m)
    outlines = _outlines_url(source.folder, source.signature, _load(source).atlas)
    return opportunities_map(table, _selection(source, filters), outlines).get_root().render()


def opportunities_map_html(filters: Filters, reach_m: float) -> str:
    """The Opportunités map as one HTML document, built and rendered once per (data, filters, distance): an
    immutable string every session shares, where a folium map would be built and rendered on every run."""
    return _opportunities_map_html(source(), filters, reach_m)
