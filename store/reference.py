"""The reference geography, read from files as before: the QPV perimeters of the data folder (`CARTE_DATA_DIR`),
its régions and départements outlines or the bundled ones (`data/ref`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import settings
from geo import ref
from geo.load import empty_frame, find_dataset_files, load_file
from geo.validate import ERREUR, Finding
from store.records import REFERENCE_DATASETS


def data_dir() -> Path:
    """The folder an empty store is seeded from and whose QPV perimeters the dashboards draw (`settings`)."""
    return settings.current().data_dir


def read_reference(folder: Path | None) -> dict[str, tuple[pd.DataFrame, list[Finding], Path | None]]:
    """kind -> (frame, findings, file) for the QPV, régions and départements of a data folder (every other dataset
    is in the store)."""
    folder = Path(folder) if folder else None
    files = find_dataset_files(folder) if folder and folder.is_dir() else {}
    out: dict[str, tuple[pd.DataFrame, list[Finding], Path | None]] = {}
    for kind in REFERENCE_DATASETS:
        path = files.get(kind)
        frame, findings = None, []
        if path is not None:
            _, frame, findings = load_file(path, kind)
        elif kind == "qpv":
            findings = [Finding(ERREUR, "qpv.*", None, None, f"fichier « qpv » absent du dossier {folder}.",
                                "ajoutez qpv.geojson (voir data/README.md).")]
        if frame is None:
            frame = {"regions": ref.basemap_regions, "departements": ref.basemap_departements}.get(
                kind, lambda: empty_frame("qpv"))().copy()
        out[kind] = (frame, findings, path)
    return out
