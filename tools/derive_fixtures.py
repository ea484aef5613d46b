"""Derive the committed test fixture of real QPV perimeters from the shared public file.

    python -m tools.derive_fixtures --shared /work/shared/data --out tests/fixtures

A fresh clone has no public files, so the tests that need real geometry read this small extract instead.
Deterministic: features kept in the source's order, properties and coordinates unchanged, one feature per line.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SOURCE = "hackaviz2021_qpv2015_occitanie.geojson"
FIXTURE = "qpv2015_occitanie_extrait.geojson"
# Eight of the 105 QPV, chosen for variety: four valid outlines, four self-intersecting ones that the loader
# repairs (two of them into several parts), six départements, a QPV over two communes, the most detailed outline
# (763 vertices), names with an apostrophe and a ligature.
CODES = (
    "QP031007",  # Grand Mirail, Toulouse: valid, 220 vertices
    "QP034011",  # Lemasson, Montpellier: valid, 26 vertices
    "QP046001",  # Terre Rouge, Cahors: valid, the only QPV of the Lot
    "QP030005",  # Chemin-Bas D'Avignon - Clos D'Orville, Nîmes: valid, apostrophes
    "QP030010",  # Escanaux - Coronelle - ..., Bagnols-sur-Cèze: self-intersecting, repaired into 4 parts
    "QP082001",  # Cœur de Ville, Montauban: self-intersecting, repaired into 2 parts
    "QP065003",  # Séméac, Tarbes: self-intersecting, two communes
    "QP030001",  # Près Saint Jean - Cévennes - ..., Alès: self-intersecting, 763 vertices
)


def extract(source: Path) -> str:
    """The GeoJSON text of the fixture: the source's header, then the chosen features."""
    collection = json.loads(source.read_text(encoding="utf-8"))
    features = [f for f in collection["features"] if f["properties"]["code_qp"] in CODES]
    found = {f["properties"]["code_qp"] for f in features}
    if found != set(CODES):
        raise SystemExit(f"{source.name}: codes absents : {', '.join(sorted(set(CODES) - found))}")
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    header = {"type": "FeatureCollection", "name": Path(FIXTURE).stem, "crs": collection["crs"]}
    opening = json.dumps(header, ensure_ascii=False, separators=(",", ":"))[:-1]
    return opening + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, required=True, help="folder of the shared public files")
    parser.add_argument("--out", type=Path, required=True, help="fixture folder (tests/fixtures)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / FIXTURE
    path.write_text(extract(args.shared / SOURCE), encoding="utf-8")
    print(f"{path}: {path.stat().st_size} octets")


if __name__ == "__main__":
    main()
