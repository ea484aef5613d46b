"""A real-scale synthetic national dataset, written by the demo generator (`geo.demo`) as a data folder the app
reads (`CARTE_DATA_DIR`).

Scale 1: about 1 600 QPV, 130 régies, 250 organismes HLM, 10 000 partenariats; scale 10: every count × 10.

- QPV: the 1 493 real QPV 2024, then generated ones around real QPV communes until the count is reached.
- Perimeters: when the file of real 2015 Occitanie perimeters is there (`--shapes`, default
  `../shared/data/hackaviz2021_qpv2015_occitanie.geojson`), each QPV takes one of those 105 real outlines,
  rotated, scaled (× 0.7–1.1) and moved to its place, so vertex counts follow the real ones (the file: mean ~128,
  p90 ~218, max 763; the largest outlines place less often). Without the file, the demo's generated outlines.
- Everything else as in the demo, scaled: invented, in the app's formats, `manifest.json` marking it as demo data.

Deterministic: the same scale, seed and shapes give the same files.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyogrio
import shapely

from bench.common import SEED
from geo import demo

REPO = Path(__file__).resolve().parents[1]
SHAPES_NAME = "hackaviz2021_qpv2015_occitanie.geojson"
DEFAULT_SHAPES = Path(os.environ.get("CARTE_SHARED_DATA") or REPO.parent / "shared" / "data") / SHAPES_NAME


def sizes(scale: int) -> demo.Sizes:
    """The counts of one scale: the demo's régies and partnerships figures grown to a national real scale."""
    return demo.Sizes(qpv=1600 * scale, regies=130 * scale, regies_territoire=19 * scale, qpv_couverts=400 * scale,
                      salaries=13_000 * scale, benevoles=2_540 * scale, regies_hors_perimetre=4 * scale,
                      organismes=250 * scale, nationaux=3, partenariats=10_000 * scale,
                      regies_sans_partenariat=4 * scale)


@dataclass
class Generated:
    folder: Path
    scale: int
    counts: dict[str, int]
    shapes_source: str  # "real-occitanie-2015" or "generated"
    vertices: dict[str, float]  # mean, p50, p90, max of the written perimeters
    seconds: float = 0.0


def write_dataset(folder: Path, scale: int = 1, shapes: Path | None = DEFAULT_SHAPES, seed: int = SEED,
                  log=print) -> Generated:
    """Generate and write the data folder (the demo generator's files, with demo=true in the manifest), and
    `bench_dataset.json` describing it. Returns what was written."""
    start = time.perf_counter()
    folder = Path(folder)
    real_shapes = bool(shapes) and Path(shapes).is_file()
    manifest = demo.generate_demo(folder, seed=seed + scale, sizes=sizes(scale),
                                  shapes=Path(shapes) if real_shapes else None)
    counts = {kind: record.rows for kind, record in manifest.datasets.items()}
    n_vertices = shapely.get_num_coordinates(pyogrio.read_dataframe(folder / demo.QPV_FILE).geometry.to_numpy())
    stats = {"mean": float(n_vertices.mean()), "p50": float(np.percentile(n_vertices, 50)),
             "p90": float(np.percentile(n_vertices, 90)), "max": float(n_vertices.max())}
    shapes_source = "real-occitanie-2015" if real_shapes else "generated"
    log(f"  {demo.QPV_FILE}: {counts['qpv']} QPV, {int(n_vertices.sum())} sommets, "
        f"{(folder / demo.QPV_FILE).stat().st_size / 1e6:.1f} Mo")
    (folder / "bench_dataset.json").write_text(json.dumps(
        {"scale": scale, "seed": seed, "sizes": asdict(sizes(scale)), "counts": counts, "shapes": shapes_source,
         "vertices": stats}, indent=2))
    return Generated(folder, scale, counts, shapes_source, stats, time.perf_counter() - start)
