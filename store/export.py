"""Export: the store as a data folder (CSV per dataset, reference files, manifest), a backup the import reads."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from geo.formulas import neutralize
from geo.load import OPTIONAL_KINDS, find_dataset_files, load_file
from geo.manifest import MANIFEST_NAME, DatasetRecord, Manifest, atomic_write_bytes, csv_bytes, sha256_file
from geo.schema import DATASETS
from store.records import (
    REFERENCE_DATASETS,
    STORE_DATASETS,
)


class Exporting:
    def export(self, folder: Path) -> list[Path]:
        """A backup in the data-folder format (`data/README.md`): one CSV per dataset, the reference geography's
        files when known, and `manifest.json`. Importing it into an empty store gives the same records. An optional
        dataset without records has no file (a header-only file would not load: « aucune ligne de données »)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        demo = bool(self.meta("demo", False))
        last = max(self.data_version().values(), default=0)
        seeded = self.manifest()
        records: dict[str, DatasetRecord] = {}
        written = []
        for kind in STORE_DATASETS:
            path = folder / f"{DATASETS[kind].file_stem}.csv"
            rows = [data for data, _ in self.read_records(kind).values()]
            if not rows and kind in OPTIONAL_KINDS:
                continue
            # formulas neutralised: a record stored before the store refused them must not run in the spreadsheet
            # that opens the backup
            columns = DATASETS[kind].column_names
            atomic_write_bytes(path, csv_bytes(columns, [{c: neutralize(row.get(c)) for c in columns} for row in rows]))
            records[kind] = DatasetRecord(file=path.name, source=f"Export de la base (lot n° {last})",
                                          licence=seeded.datasets[kind].licence if seeded and kind in
                                          seeded.datasets else "", date=date.today().isoformat(), rows=len(rows),
                                          sha256=sha256_file(path), demo=demo)
            written.append(path)
        reference = self.reference_folder or (Path(self.meta("seed_folder")) if self.meta("seed_folder") else None)
        if reference and reference.is_dir():
            for kind, path in find_dataset_files(reference).items():
                if kind not in REFERENCE_DATASETS or path.is_dir():
                    continue
                target = folder / path.name
                if path.resolve() != target.resolve():
                    shutil.copyfile(path, target)
                original = seeded.datasets.get(kind) if seeded else None
                described = original.__dict__ if original else {
                    "source": f"Copie de {path}", "licence": "", "date": date.today().isoformat(), "demo": demo}
                records[kind] = DatasetRecord(**{**described, "file": target.name, "sha256": sha256_file(target),
                                                 "rows": _feature_count(target)})
                written.append(target)
        manifest = Manifest(demo=demo, title=(seeded.title if seeded else "") or "Export de la base", datasets=records)
        atomic_write_bytes(folder / MANIFEST_NAME, manifest.to_json().encode("utf-8"))
        return written + [folder / MANIFEST_NAME]


def _feature_count(path: Path) -> int:
    """Features of a reference file, for its manifest entry (the loader when GDAL cannot count alone)."""
    import pyogrio

    try:
        return int(pyogrio.read_info(path)["features"])
    except Exception:  # GDAL's error types vary with the driver
        _, frame, _ = load_file(path)
        return 0 if frame is None else len(frame)
