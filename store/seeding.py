"""Seeding: an empty store filled from a data folder (the demo), through `Store.write`."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from geo.load import OPTIONAL_KINDS, load_folder
from store.changes import (
    CHANGES,
    SYSTEM,
    ConflictError,
    Edit,
)
from store.records import (
    STORE_DATASETS,
    frame_to_records,
)


class Seeding:
    def seed_from_folder(self, folder: Path) -> int | None:
        """Fill an empty store from a data folder (e.g. the demo), keeping its manifest and demo flag; the change
        set id, or None when there was nothing to seed. A store seeded before declinaisons and patrimoine were
        stored gets them from the folder, once: a dataset with no history at all (never written, not even
        deleted); everything else is left as it is."""
        folder = Path(folder)
        empty = self.is_empty()
        kinds = STORE_DATASETS if empty else tuple(k for k in OPTIONAL_KINDS if not self._has_history(k))
        if not kinds:
            return None
        datasets = load_folder(folder)
        edits = []
        for kind in kinds:
            for record_id, (data, _) in frame_to_records(kind, getattr(datasets, kind)).items():
                edits.append(Edit(kind, record_id, data, 0))
        if self.reference_folder is None:
            self.reference_folder = folder
        if not empty and not edits:
            return None
        manifest = datasets.manifest
        facts = {"seed_folder": str(folder), "demo": datasets.is_demo,
                 "manifest": json.loads(manifest.to_json()) if manifest else None} if empty else None
        try:
            what = "Chargement initial" if empty else f"Chargement de {', '.join(kinds)}"
            change_set_id = self.write(SYSTEM, f"{what} depuis {folder.name}"
                                       f"{' (données de démonstration)' if datasets.is_demo else ''}",
                                       edits, kind="seed", meta=facts)
        except ConflictError:  # another process seeded the same database at the same moment
            return None
        return change_set_id

    def _has_history(self, dataset: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(CHANGES.c.id).where(CHANGES.c.dataset == dataset).limit(1)).first() \
                is not None
