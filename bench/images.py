"""Time of the server-side exports on a data folder: the national map PNG and the territory deck (PPTX, PDF).

`.venv/bin/python -m bench.images [DOSSIER]` (default: the demo data). Each export is timed once, in a process
where the data are already loaded and joined (as in the app), the first vl-convert call included in the deck
(its engine starts then). Targets (issue 10): national map PNG ≤ 3 s, deck ≤ 10 s. Figures, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

from bench.common import REPO, log

TARGETS_S = {"map_png_national": 3.0, "deck_pptx": 10.0}


def measure(folder: Path, region: str | None = None) -> dict:
    from geo.filters import Filters, apply
    from geo.joins import build_atlas
    from geo.load import load_folder
    from ui import deck, images

    start = time.perf_counter()
    datasets = load_folder(folder)
    atlas = build_atlas(datasets)
    loaded_s = time.perf_counter() - start
    national = apply(atlas, Filters())
    region = region or national.qpv["insee_reg"].value_counts().index[0]
    territory = apply(atlas, Filters(regions=(region,)))
    today = dt.date.today()
    timings = {"load_and_join": loaded_s}

    def timed(name, call):
        begin = time.perf_counter()
        out = call()
        timings[name] = time.perf_counter() - begin
        log(f"  {name} : {timings[name]:.2f} s ({len(out) / 1e3:.0f} ko)")
        return out

    timed("map_png_national", lambda: images.map_image(national, date=today, demo=datasets.is_demo))
    timed("map_svg_national", lambda: images.map_image(national, fmt="svg", date=today, demo=datasets.is_demo))
    timed("map_png_a4_region", lambda: images.map_image(territory, size="a4", date=today, demo=datasets.is_demo))
    timed("deck_pptx", lambda: deck.territory_deck(territory, national, date=today, demo=datasets.is_demo))
    timed("deck_pdf", lambda: deck.territory_deck(territory, national, fmt="pdf", date=today,
                                                  demo=datasets.is_demo))
    return {"folder": str(folder), "qpv": len(national.qpv), "region": region,
            "seconds": {k: round(v, 2) for k, v in timings.items()},
            "targets_s": TARGETS_S, "held": {k: timings[k] <= limit for k, limit in TARGETS_S.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.images", description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=REPO / "data" / "demo")
    parser.add_argument("--region", help="code de la région du diaporama (défaut : celle qui a le plus de QPV)")
    args = parser.parse_args(argv)
    log(f"exports d'images : {args.folder}")
    print(json.dumps(measure(args.folder, args.region), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
