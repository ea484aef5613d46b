"""Import into the store at 10× the demo's partnerships (≈ 6 500): preview (`plan_import`) and publish, on the
default engine (SQLite). `python -m bench.store_import` prints the measure; `make bench` records it.

The file: the demo's 650 partnerships with their status moved on (650 changes) and nine copies of each under new
ids (5 850 additions), written as a user's `;` CSV.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import pandas as pd

from store import Store, add_user
from store.records import STORE_DATASETS

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
COPIES = 10
NEXT_STATUS = {"en projet": "en cours", "en cours": "terminé", "terminé": "en cours"}


def write_import_file(folder: Path) -> tuple[Path, int]:
    demo = pd.read_csv(DEMO / "partenariats.csv", sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    changed = demo.assign(statut=demo["statut"].map(NEXT_STATUS))
    copies = [demo.assign(id_partenariat=demo["id_partenariat"] + f"-{k}") for k in range(1, COPIES)]
    frame = pd.concat([changed, *copies], ignore_index=True)
    path = folder / "partenariats.csv"
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path, len(frame)


def measure(workdir: Path) -> dict:
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    store = Store.open(f"sqlite:///{workdir / 'carte.sqlite3'}", reference_folder=DEMO)
    store.seed_from_folder(DEMO)
    add_user(store, "banc", "admin", password="banc d'essai, compte jetable")
    path, rows = write_import_file(workdir)
    start = time.perf_counter()
    plan = store.plan_import("banc", path)
    preview_s = time.perf_counter() - start
    start = time.perf_counter()
    store.publish(plan, "banc", "banc d'essai")
    publish_s = time.perf_counter() - start
    start = time.perf_counter()
    store.read_frames(STORE_DATASETS)
    read_s = time.perf_counter() - start
    store.close()
    return {"engine": "sqlite", "rows": rows, "added": len(plan.added), "changed": len(plan.changed),
            "preview_s": round(preview_s, 2), "publish_s": round(publish_s, 2), "read_after_s": round(read_s, 2)}


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "bench" / "out" / "store-import"),
                     ensure_ascii=False))
