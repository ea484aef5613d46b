"""Changing the date: the domain computation at a date (`geo.timeline.state_at`, then the filters and the key
figures on that state), on the demo (650 partnerships, 1×) and on the demo ×10 (6 500 partnerships: every
partnership and its generated status history copied nine times under new ids, as `bench.store_import` does).
`python -m bench.timeline` prints the measure as JSON; `make bench` records it (targets: 150 ms at 1×, 1 s at 10×,
the median over the chosen days, national and one région). The quarter-by-quarter follow-up since the demo's
signature is timed too (no target: its page computes it once per filter and day).

In the app (AppTest, demo data, a throw-away store): the server time of the overview's rerun after the date changed
to a day not asked before (`app_date_change`: state, selection, map payload and charts computed anew; no target of
its own, the domain's 150 ms above is the date's share), `/suivi`'s warm rerun (target 100 ms) and the annual
report, PowerPoint and PDF, of the demo's last full year (target 15 s).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd

from bench.common import REPO
from geo import timeline
from geo.datasets import Datasets
from geo.filters import Filters, apply
from geo.indicators import kpis
from geo.joins import build_atlas
from geo.load import load_folder

DEMO = REPO / "data" / "demo"
DAYS = ("2024-03-31", "2024-07-01", "2024-12-31", "2025-04-15", "2025-09-30", "2026-01-31", "2026-06-30",
        "2026-11-27")
FILTERS = (Filters(), Filters(regions=("11",)))
SIGNATURE = "2024-07-01"


def scaled(datasets: Datasets, history: pd.DataFrame, copies: int) -> tuple[Datasets, pd.DataFrame]:
    """The partnerships (and their history) `copies` times, the copies under new ids."""
    if copies == 1:
        return datasets, history
    parts = [datasets.partenariats] + [datasets.partenariats.assign(id_partenariat=datasets.partenariats[
        "id_partenariat"] + f"-{k}") for k in range(1, copies)]
    histories = [history] + [history.assign(id_partenariat=history["id_partenariat"] + f"-{k}")
                             for k in range(1, copies)]
    return (replace(datasets, partenariats=pd.concat(parts, ignore_index=True)),
            timeline.combined_history(pd.concat(histories, ignore_index=True)))


def _timed(run) -> tuple[float, float]:
    """Wall and CPU milliseconds of one run."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def measure_scale(datasets: Datasets, history: pd.DataFrame, copies: int) -> dict:
    datasets, history = scaled(datasets, history, copies)
    atlas = build_atlas(datasets)

    def change_date(day: str, filters: Filters) -> None:
        kpis(apply(timeline.state_at(atlas, datasets.declinaisons, day, history).atlas, filters))

    change_date(DAYS[0], FILTERS[0])  # warm-up: imports and first allocations are not the date's cost
    runs = [_timed(lambda d=day, f=filters: change_date(d, f)) for day in DAYS for filters in FILTERS]
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    follow_wall, follow_cpu = _timed(lambda: timeline.follow_up(atlas, datasets.declinaisons, Filters(), SIGNATURE,
                                                                DAYS[-1], history))
    return {"partenariats": len(atlas.partenariats), "history_rows": len(history), "runs": len(runs),
            "median_ms": round(statistics.median(walls), 1), "max_ms": round(max(walls), 1),
            "cpu_median_ms": round(statistics.median(cpus), 1),
            "follow_up_ms": round(follow_wall, 1), "follow_up_cpu_ms": round(follow_cpu, 1),
            "follow_up_quarters": len(timeline.quarters(SIGNATURE, DAYS[-1]))}


REPORT_YEAR = 2025
APP_DAYS = ("2024-09-30", "2025-03-31", "2025-06-30", "2025-12-31", "2026-03-31")
WARM_RUNS = 10


def measure_report(datasets: Datasets, history: pd.DataFrame) -> dict:
    """The annual report of the demo's last full year, both files, for the whole country (no journal: a folder)."""
    from ui import bilan

    atlas = build_atlas(datasets)
    wall, cpu = _timed(lambda: bilan.bilan_files(atlas, datasets, Filters(), REPORT_YEAR, date.today(), history, []))
    return {"year": REPORT_YEAR, "report_s": round(wall / 1000, 2), "report_cpu_s": round(cpu / 1000, 2)}


def measure_app(runs: int = WARM_RUNS) -> dict:
    """Server time of AppTest reruns on the demo: the overview after each date change, /suivi warm."""
    from streamlit.testing.v1 import AppTest

    from dashboard.navigation import PAGES

    with tempfile.TemporaryDirectory() as folder:
        saved = {key: os.environ.get(key) for key in ("CARTE_DATABASE_URL", "CARTE_DATA_DIR")}
        os.environ.update({"CARTE_DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                           "CARTE_DATA_DIR": str(DEMO)})
        try:
            at = AppTest.from_file(str(REPO / "app.py"), default_timeout=600)
            at.switch_page(PAGES["overview"][0])
            at.run()
            changes = []
            for day in APP_DAYS:
                at.query_params["date"] = day
                changes.append(_timed(at.run))
            page = AppTest.from_file(str(REPO / "app.py"), default_timeout=600)
            page.switch_page(PAGES["follow_up"][0])
            page.run()
            page.run()
            warm = [_timed(page.run) for _ in range(runs)]
            errors = [str(e.value) for e in (*at.exception, *page.exception)]
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    def median(runs: list[tuple[float, float]], k: int) -> float:
        return round(statistics.median(r[k] for r in runs), 1)

    # CPU time too (AppTest runs the script in this process): other processes on the machine disturb it less.
    return {"date_change_median_ms": median(changes, 0), "date_change_cpu_median_ms": median(changes, 1),
            "date_change_max_ms": round(max(w for w, _ in changes), 1), "date_changes": len(changes),
            "suivi_warm_median_ms": median(warm, 0), "suivi_warm_cpu_median_ms": median(warm, 1),
            "suivi_warm_runs": runs, "errors": errors[:5]}


def measure() -> dict:
    datasets = load_folder(DEMO)
    history, _ = timeline.read_demo_history(datasets)
    return {"x1": measure_scale(datasets, history, 1), "x10": measure_scale(datasets, history, 10),
            "report": measure_report(datasets, history), "app": measure_app()}


if __name__ == "__main__":
    print(json.dumps(measure(), ensure_ascii=False))
