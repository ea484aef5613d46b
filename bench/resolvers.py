"""Resolving a list written in words: 2 000 communes (name + postal code) and 2 000 QPV cells, cold (reference
tables and indexes built, as on the first import of a process) and warm (indexes built, answers not cached).
`python -m bench.resolvers` prints the measure as JSON.

The rows: real communes and QPV of `data/ref`, drawn with a fixed seed and written as people do (upper case, no
accents, « St » for « Saint », lost leading zeros, arrondissements, a few misspellings and 2015 codes).
"""

from __future__ import annotations

import json
import time
import unicodedata

import numpy as np

from bench.common import SEED
from geo import communes, quartiers, ref

ROWS = 2_000


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def commune_rows(rng: np.random.Generator) -> tuple[list[str], list[str]]:
    table = ref.communes_table()
    current = table[table["type"] == "COM"].reset_index(drop=True)
    picks = current.iloc[rng.integers(0, len(current), ROWS)]
    names, postal = [], []
    for i, (name, codes) in enumerate(zip(picks["lib_com"], picks["codes_postaux"], strict=True)):
        style = i % 5
        written = {0: name, 1: _plain(name).upper(), 2: name.replace("Saint-", "St-"), 3: name.lower(),
                   4: name[:-1] if len(name) > 6 else name}[style]  # style 4: a misspelling
        names.append(written)
        code = codes[0] if codes else ""
        postal.append(code.lstrip("0") if i % 7 == 0 else code)
    names[:20] = [f"Paris {n}e" for n in range(1, 21)]
    return names, postal


def qpv_rows(rng: np.random.Generator) -> tuple[list[str], list[list[str]]]:
    pairs = ref.qpv2024_table()
    picks = pairs.iloc[rng.integers(0, len(pairs), ROWS)]
    cells, around = [], []
    for i, (name, code, commune) in enumerate(zip(picks["lib_qp"], picks["code_qp"], picks["insee_com"],
                                                  strict=True)):
        cells.append({0: name, 1: _plain(name).lower(), 2: f"{name} / {code}", 3: code.replace("QN", "QP")}[i % 4])
        around.append([commune])
    return cells, around


def _timed(run) -> tuple[dict, list]:
    """Wall and CPU seconds of a run (CPU time is less moved by the other processes of a shared machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = run()
    return {"wall_s": round(time.perf_counter() - wall, 3), "cpu_s": round(time.process_time() - cpu, 3)}, out


def measure() -> dict:
    import geo.load  # noqa: F401 -- loaded in every app process: its import is not the resolvers' cost

    rng = np.random.default_rng(SEED)
    names, postal = commune_rows(rng)
    cells, around = qpv_rows(rng)
    for cache in (ref.communes_table, ref.qpv2024_table, communes._index, quartiers._index):
        cache.cache_clear()
    cold_communes, matched = _timed(lambda: communes.resolve_communes(names, postal))
    cold_qpv, cells_matched = _timed(lambda: quartiers.resolve_qpv_cells(cells, around))
    communes._resolve.cache_clear()
    quartiers._resolve_cell.cache_clear()
    warm_communes, _ = _timed(lambda: communes.resolve_communes(names, postal))
    warm_qpv, _ = _timed(lambda: quartiers.resolve_qpv_cells(cells, around))
    statuses = [m.status for m in matched]
    return {"rows": ROWS, "communes_cold": cold_communes, "communes_warm": warm_communes,
            "qpv_cold": cold_qpv, "qpv_warm": warm_qpv,
            "communes_found": statuses.count(communes.FOUND), "communes_questions": statuses.count(communes.QUESTION),
            "communes_unknown": statuses.count(communes.UNKNOWN),
            "qpv_codes_found": sum(len(c.codes) for c in cells_matched),
            "qpv_pending": sum(len(c.pending) for c in cells_matched)}


if __name__ == "__main__":
    print(json.dumps(measure(), ensure_ascii=False))
