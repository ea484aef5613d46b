"""Build the address fixture that the local addok of the geocoder tests is loaded with (BAN addok format, NDJSON).

    python -m tools.derive_addok_fixture --ban-sample adresses-addok-france-simplified.ndjson.gz --out tests/fixtures

Two parts, one record per line (tests/fixtures/SOURCES.md):
- real BAN records, copied unchanged (same text) from the BAN's own sample of its addok export (Nouméa and Le
  Mont-Dore: a street name found in both communes, accents);
- records constructed here for QPV communes of the mainland, which that sample lacks: real street names, positions
  made from the commune points of data/ref/qpv2024_communes.csv moved by fixed offsets. Not real positions.
Deterministic. The constructed part needs only data/ref, so `tests/tools/test_derive_addok_fixture.py` rebuilds it.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
from pathlib import Path

from pyproj import Transformer

REPO = Path(__file__).resolve().parents[1]
COMMUNES_CSV = REPO / "data" / "ref" / "qpv2024_communes.csv"
FIXTURE = "ban_addok_extrait.ndjson"
# The records kept from the BAN sample, by id, in the sample's order.
REAL_IDS = (
    "98817",  # Le Mont-Dore, municipality
    "98817_96v8no",  # Rue Cyrille Louison, Le Mont-Dore: 2 numbers
    "98818",  # Nouméa, municipality
    "98818_qa92s5",  # Allée BELLEVUE, Nouméa: 26 numbers
    "98818_toy4w4",  # Rue Cécile PERONNET, Nouméa: 10 numbers
    "98818_troh6m",  # Rue Cyrille LOUISON, Nouméa: 6 numbers (the same name as in Le Mont-Dore)
)
METRES_PER_DEGREE = 111_320.0  # of latitude; of longitude times cos(latitude)
NUMBER_SPACING_M = 10.0  # along the street, eastwards
ODD_SIDE_M = 8.0  # odd numbers face the even ones, northwards

# (citycode, name, postcodes, city, district or None, context, commune point in data/ref, population, importance)
MUNICIPALITIES = (
    ("75119", "Paris 19e Arrondissement", "75019", "Paris", "Paris 19e Arrondissement",
     "75, Paris, Île-de-France", "75056", 178_691, 0.6),
    ("59512", "Roubaix", "59100", "Roubaix", None, "59, Nord, Hauts-de-France", "59512", 98_286, 0.56),
    ("93066", "Saint-Denis", "93200", "Saint-Denis", None, "93, Seine-Saint-Denis, Île-de-France", "93066",
     149_077, 0.58),
    ("13213", "Marseille 13e Arrondissement", "13013", "Marseille", "Marseille 13e Arrondissement",
     "13, Bouches-du-Rhône, Provence-Alpes-Côte d'Azur", "13055", 95_112, 0.57),
)
# (citycode, street name, short id, offset east and north of the commune point in metres, importance, numbers).
# Rue Jean Jaurès exists in both Roubaix and Saint-Denis, Roubaix's ranking first: a citycode or postcode filter
# must bring Saint-Denis's.
STREETS = (
    ("75119", "Rue Riquet", "a001", (1800.0, 3300.0), 0.62, ("1", "2", "3", "5", "8", "12", "15", "21", "30")),
    ("59512", "Rue de Lannoy", "a002", (400.0, -600.0), 0.6, ("4", "9", "17", "25", "40")),
    ("59512", "Rue Jean Jaurès", "a003", (-500.0, 300.0), 0.7, ("2", "10", "11", "18")),
    ("93066", "Rue Jean Jaurès", "a004", (300.0, 500.0), 0.5, ("1", "10", "14")),
    ("93066", "Rue Gabriel Péri", "a005", (-200.0, -400.0), 0.6, ("3", "6", "22", "31")),
    ("13213", "Avenue de la Croix Rouge", "a006", (2500.0, 6000.0), 0.58, ("5", "12", "47", "120")),
)

_to_lambert93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)


def commune_points(path: Path = COMMUNES_CSV) -> dict[str, tuple[float, float]]:
    """insee_com -> (lon, lat) as written in data/ref."""
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["insee_com"]: (float(row["lon"]), float(row["lat"])) for row in csv.DictReader(handle)}


def _moved(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    dlat = north_m / METRES_PER_DEGREE
    dlon = east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return round(lon + dlon, 6), round(lat + dlat, 6)


def _position(lon: float, lat: float) -> dict:
    x, y = _to_lambert93.transform(lon, lat)
    return {"x": round(x, 2), "y": round(y, 2), "lon": lon, "lat": lat}


def constructed_records(points: dict[str, tuple[float, float]] | None = None) -> list[dict]:
    """The mainland records, in the BAN addok export's shape (municipality, then streets with numbers)."""
    points = points or commune_points()
    towns = {row[0]: row for row in MUNICIPALITIES}
    records = []
    for code, name, postcode, city, _district, context, ref_code, population, importance in MUNICIPALITIES:
        lon, lat = points[ref_code]
        records.append({"id": code, "banId": None, "type": "municipality", "name": name, "postcode": [postcode],
                        "citycode": code, **_position(lon, lat), "population": population, "city": city,
                        "context": context, "importance": importance})
    for code, name, short_id, (east, north), importance, numbers in STREETS:
        _, _, postcode, city, district, context, ref_code, _, _ = towns[code]
        lon, lat = _moved(*points[ref_code], east, north)
        street_id = f"{code}_{short_id}"
        housenumbers = {}
        for number in numbers:
            value = int(number)
            spot = _moved(lon, lat, value * NUMBER_SPACING_M, ODD_SIDE_M if value % 2 else 0.0)
            housenumbers[number] = {"id": f"{street_id}_{value:05d}", "banId": None, **_position(*spot)}
        record = {"id": street_id, "banId": None, "name": name, "postcode": postcode, "citycode": [code],
                  "oldcitycode": None, **_position(lon, lat), "city": [city], "oldcity": None}
        if district:
            record["district"] = district
        records.append({**record, "context": context, "type": "street", "importance": importance,
                        "housenumbers": housenumbers})
    return records


def constructed_lines() -> list[str]:
    return [json.dumps(record, ensure_ascii=False, separators=(",", ":")) for record in constructed_records()]


def real_lines(sample: Path) -> list[str]:
    """The lines of REAL_IDS in the BAN sample, text unchanged, in the sample's order."""
    opener = gzip.open if sample.suffix == ".gz" else open
    kept = []
    with opener(sample, "rt", encoding="utf-8") as handle:
        for line in handle:
            if json.loads(line)["id"] in REAL_IDS:
                kept.append(line.rstrip("\n"))
    found = {json.loads(line)["id"] for line in kept}
    if found != set(REAL_IDS):
        raise SystemExit(f"{sample.name}: identifiants absents : {', '.join(sorted(set(REAL_IDS) - found))}")
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ban-sample", type=Path, required=True,
                        help="adresses-addok-france-simplified.ndjson(.gz) of BaseAdresseNationale/build-addok-bundle")
    parser.add_argument("--out", type=Path, required=True, help="fixture folder (tests/fixtures)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / FIXTURE
    path.write_text("\n".join(real_lines(args.ban_sample) + constructed_lines()) + "\n", encoding="utf-8")
    print(f"{path}: {path.stat().st_size} octets")


if __name__ == "__main__":
    main()
