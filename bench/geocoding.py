"""Geocoding a 2 000-row list of régies in one request against the local addok (tools/test-addok.sh), as the import's
preview will. `python -m bench.geocoding` prints the measure (starting the local addok itself when
CARTE_TEST_ADDOK_URL is not set); `make bench` records it.

The rows: every address of tests/fixtures/ban_addok_extrait.ndjson (real and constructed), written as users do
(lower case, no accents, some numbers the street lacks, some streets of another commune), repeated up to 2 000.
"""

from __future__ import annotations

import json
import os
import time
import unicodedata
from collections import Counter
from itertools import cycle, islice
from pathlib import Path

from bench.common import against_addok

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "ban_addok_extrait.ndjson"
ROWS = 2000
TIMEOUT_S = 60.0


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def rows(count: int = ROWS) -> list:
    from geo.geocode import AddressRow

    streets = [record for record in map(json.loads, FIXTURE.read_text(encoding="utf-8").splitlines())
               if record["type"] == "street"]
    kinds = []
    for street in streets:
        code, postcode = street["citycode"][0], street["postcode"] or ""
        insee = code if not code.startswith(("751", "132")) else ("75056" if code.startswith("751") else "13055")
        city = street["city"][0]
        for number in street["housenumbers"]:
            kinds.append(AddressRow(f"{number} {street['name']}", postcode, insee, city))
            kinds.append(AddressRow(_plain(f"{number} {street['name']}"), postcode, insee, _plain(city)))
        kinds.append(AddressRow(f"999 {street['name']}", postcode, insee, city))  # the street, not the number
        kinds.append(AddressRow("12 rue Riquet", "", "59512", "Roubaix"))  # another commune's street
    return list(islice(cycle(kinds), count))


def measure(url: str) -> dict:
    from geo.geocode import commune_points, place_rows

    batch = rows()
    communes = commune_points()
    start = time.perf_counter()
    placements = place_rows(batch, communes, {}, url, TIMEOUT_S)
    elapsed = time.perf_counter() - start
    errors = {p.message for p in placements if p.message.startswith(("géocodeur", "réponse", "le géocodeur"))}
    return {"rows": len(batch), "requests": 1, "geocode_s": round(elapsed, 2),
            "precisions": dict(Counter(p.precision or "non placée" for p in placements)),
            "load_average_1min": round(os.getloadavg()[0], 2),
            **({"error": sorted(errors)[0]} if errors else {})}


def run() -> dict:
    """The measure against CARTE_TEST_ADDOK_URL, or against a local addok started for it."""
    return against_addok(measure, "bench.geocoding")


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False))
