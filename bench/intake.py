"""The import's preview of a 2 000-row list of régies laid out as a federation keeps it (« Nom de la régie;Adresse;
CP;Ville;Quartiers d'intervention;Nb salariés;Nb bénévoles »): headers mapped, communes and QPV read from words,
identifiers given, rows placed, on a fresh SQLite store; with the local addok (tools/test-addok.sh, one request for
the file) and without a geocoder. `python -m bench.intake` prints the measure (starting the local addok itself when
CARTE_TEST_ADDOK_URL is not set); `make bench` records it.

The rows: the addresses of `bench.geocoding.rows` (real streets of the addok fixture, written as users do), each with
a QPV of its commune named in words, one in six without employees.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
from pathlib import Path

import pandas as pd

from bench.common import against_addok

REPO = Path(__file__).resolve().parents[1]
ROWS = 2000
HEADER = ["Nom de la régie", "Adresse", "CP", "Ville", "Quartiers d'intervention", "Nb salariés", "Nb bénévoles"]


def write_list(path: Path) -> int:
    from bench.geocoding import rows

    pairs = pd.read_csv(REPO / "data" / "ref" / "qpv2024_communes.csv", dtype=str, keep_default_na=False)
    quartier = pairs.sort_values("code_qp").drop_duplicates("insee_com").set_index("insee_com")["lib_qp"]
    addresses = [row for row in rows(3 * ROWS) if row.insee_com in quartier.index][:ROWS]
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADER)
        for number, row in enumerate(addresses, start=1):
            writer.writerow([f"Régie de quartier n° {number}", row.adresse, row.code_postal, row.commune,
                             quartier[row.insee_com].lower(), "" if number % 6 == 0 else str(number % 90),
                             str(number % 20)])
    return len(addresses)


def _preview(workdir: Path, path: Path, geocoder: str) -> tuple[float, object]:
    from store import Store, add_user

    os.environ["CARTE_GEOCODER_URL"] = geocoder
    database = workdir / f"carte-{'sans' if geocoder == 'non' else 'avec'}.sqlite3"
    store = Store.open(f"sqlite:///{database}", reference_folder=REPO / "data" / "demo")
    add_user(store, "banc", "admin", password="banc d'essai, compte jetable")
    store.plan_import("banc", workdir / "echauffement.csv")  # reference tables read once, as a running app has
    start = time.perf_counter()
    plan = store.plan_import("banc", path)
    elapsed = time.perf_counter() - start
    store.close()
    return elapsed, plan


def measure(url: str, workdir: Path) -> dict:
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    path = workdir / "liste_federation.csv"
    count = write_list(path)
    with open(path, encoding="utf-8") as lines:
        (workdir / "echauffement.csv").write_text("".join(lines.readlines()[:3]), encoding="utf-8")
    with_s, with_plan = _preview(workdir, path, url)
    without_s, without_plan = _preview(workdir, path, "non")
    precisions = pd.Series([c.after.get("precision") for c in with_plan.added]).value_counts().to_dict()
    return {"rows": count, "added": len(with_plan.added), "guesses": len(with_plan.guesses),
            "questions": len(with_plan.questions), "precisions": precisions,
            "preview_geocoder_s": round(with_s, 2), "preview_s": round(without_s, 2),
            "added_without_geocoder": len(without_plan.added), "load_average_1min": round(os.getloadavg()[0], 2)}


def run() -> dict:
    """The measure against CARTE_TEST_ADDOK_URL, or against a local addok started for it."""
    return against_addok(lambda url: measure(url, REPO / "bench" / "out" / "intake"), "bench.intake")


if __name__ == "__main__":
    print(json.dumps(run(), ensure_ascii=False))
