"""`make bench` / `python -m bench [--quick]`: generate the datasets, measure ours vs naive, print the table and
write the results (bench/results.json; `--quick`: bench/out/results-quick.json). See bench/README.md."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import BENCH, OUT, REPO, SEED, filter_sequence, log, region_counts, run_worker

RESULTS = BENCH / "results.json"
TARGETS = {
    "payload_national_ratio": 1 / 20,
    "payload_regional_ratio": 1 / 4,
    "paint_ratio": 0.3,
    "paint_ms": 1000,
    "rerun_median_ms_x1": 150,
    "rerun_median_ms_x10": 1000,
    "warm_page_ms": 100,
    "session_mb": 30,
    "store_import_preview_s": 5,
    "store_import_publish_s": 10,
    # The import's preview of 2 000 régies may take 10 s with the geocoder, 3 s without it: 7 s for geocoding.
    "geocoding_2000_s": 7,
    # issue 17: the same preview of a federation's list (headers mapped, words read, ids given, rows placed).
    "intake_preview_geocoder_s": 10,
    "intake_preview_s": 3,
    "readers_one_line_csv_s": 1,  # issue 15: a 10 MiB one-line CSV refused or read within 1 s
    # Changing the date: the state at a date, filtered, and its key figures (geo.timeline), at the demo's scale
    # and at 10× its partnerships.
    "timeline_ms_x1": 150,
    "timeline_ms_x10": 1000,
    # issue 20: `streamlit run` → first page finished on the demo (existing store, fresh store), at 10× (existing
    # store), and the server's RSS then.
    "cold_existing_s": 3,
    "cold_fresh_s": 5,
    "cold_x10_s": 10,
    "process_mb": 200,
    "suivi_warm_ms": 100,  # /suivi's warm rerun (AppTest, demo)
    "bilan_s": 15,  # the annual report, PowerPoint and PDF (demo)
}
REGION_MIN_QPV = 20  # the regional payload target is checked on the régions with at least this many QPV (× scale)


def _elapsed(start: float) -> str:
    return f"[{time.perf_counter() - start:6.1f} s]"


# --- environment ---------------------------------------------------------------------------------------------


def ensure_naive_dependencies() -> str | None:
    """explore() needs matplotlib and mapclassify, which the app does not (`make bench` installs
    bench/requirements.txt). Returns an error message when they are missing, or None."""
    if all(importlib.util.find_spec(m) for m in ("matplotlib", "mapclassify")):
        return None
    return "matplotlib/mapclassify missing (make bench installs bench/requirements.txt): naive measurements skipped"


def app_tree() -> tuple[str | None, bool, str]:
    """The app's commit, whether its files (outside bench/) differ from it, and a digest of that state: the
    figures belong to that code, and a change during the run (others working in the tree) is reported."""
    import hashlib

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout
        except OSError:
            return ""

    commit = git("rev-parse", "--short", "HEAD").strip() or None
    status = git("status", "--porcelain", "--", ".", ":!bench")
    diff = git("diff", "HEAD", "--", ".", ":!bench")
    return commit, bool(status.strip()), hashlib.sha256((commit or "").encode() + status.encode() + diff.encode()
                                                        ).hexdigest()[:16]


def machine() -> dict:
    import psutil

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for module in ("streamlit", "streamlit_folium", "folium", "geopandas", "shapely", "pandas"):
        try:
            from importlib.metadata import version

            versions[module] = version(module.replace("_", "-"))
        except Exception:  # informative only
            versions[module] = None
    chromium = None
    if Path("/usr/bin/chromium").exists():
        try:
            chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True,
                                      timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            chromium = None
    commit, dirty, _ = app_tree()
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "chromium": chromium, "versions": versions,
            "git_commit": commit, "app_tree_modified": dirty,
            "load_average_start": [round(x, 2) for x in os.getloadavg()]}


# --- datasets ------------------------------------------------------------------------------------------------


def _fingerprint(scale: int, shapes: Path | None) -> dict:
    import hashlib

    source = (BENCH / "dataset.py").read_bytes() + (REPO / "geo" / "demo.py").read_bytes()
    shapes_id = None
    if shapes and shapes.is_file():
        shapes_id = [shapes.name, shapes.stat().st_size]
    return {"scale": scale, "code": hashlib.sha256(source).hexdigest()[:16], "shapes": shapes_id}


def dataset(scale: int, shapes: Path | None, regenerate: bool) -> dict:
    """The data folder of one scale, generated unless an identical one is already there."""
    from bench.dataset import write_dataset

    folder = OUT / f"data-x{scale}"
    stamp = folder / "bench_dataset.json"
    fingerprint = _fingerprint(scale, shapes)
    if not regenerate and stamp.exists():
        info = json.loads(stamp.read_text())
        if info.get("fingerprint") == fingerprint and all((folder / f).exists() for f in (
                "qpv.geojson", "regies.csv", "organismes.csv", "partenariats.csv", "manifest.json")):
            log(f"  x{scale}: données déjà générées, réutilisées ({folder.relative_to(REPO)})")
            return {**info, "folder": str(folder), "reused": True}
    log(f"  x{scale}: génération dans {folder.relative_to(REPO)}")
    generated = write_dataset(folder, scale, shapes, log=log)
    info = json.loads(stamp.read_text())
    info.update({"fingerprint": fingerprint, "generate_s": round(generated.seconds, 1), "counts": generated.counts})
    stamp.write_text(json.dumps(info, indent=2))
    log(f"  x{scale}: {generated.counts} en {generated.seconds:.1f} s, sommets par QPV : moyenne "
        f"{generated.vertices['mean']:.0f}, p90 {generated.vertices['p90']:.0f}, max {generated.vertices['max']:.0f} "
        f"(formes : {generated.shapes_source})")
    return {**info, "folder": str(folder), "reused": False}


# --- plan ----------------------------------------------------------------------------------------------------


def plan(scale: int, quick: bool, regions: dict[str, int]) -> dict:
    codes = list(regions)
    big = [c for c in codes if regions[c] >= 5 * scale]
    if quick:
        runs, revisit, payload_regions, sessions = 8, 0, codes[:3], 2
    elif scale == 1:
        runs, revisit, payload_regions, sessions = 24, 12, codes, 5
    else:
        runs, revisit, payload_regions, sessions = 8, 0, codes[:3], 3
    warm = {"region": big[-1] if big else codes[0]}
    sequence = filter_sequence(big or codes, runs, exclude=[warm])
    # The 10× variant runs AppTest in the process that measured pure python: other filters, not cached yet.
    other = filter_sequence(big or codes, runs, seed=SEED + 1, exclude=[warm, *sequence])
    return {"warmup": warm, "sequence": sequence, "sequence_apptest": other, "payload_regions": payload_regions,
            "extra_sessions": sessions, "revisit": revisit, "timeout": 900}


# --- summary -------------------------------------------------------------------------------------------------


def _ratio(ours, naive) -> float | None:
    if not ours or not naive:
        return None
    return round(ours / naive, 4)


def summarize(scale: int, data: dict, python: dict, apptest: dict, naive: dict | None, browser: dict | None,
              regions: dict[str, int]) -> dict:
    out: dict = {"dataset": {k: data.get(k) for k in ("counts", "vertices", "shapes", "seed", "generate_s",
                                                       "reused")}}
    ours_nat = apptest.get("payload_national_bytes")
    fetched_nat = apptest.get("payload_national_fetched_bytes") or 0
    naive_nat = (naive or {}).get("payload_national_bytes")
    regional = {}
    fetched = apptest.get("payload_regional_fetched_bytes") or {}
    for region, ours in (apptest.get("payload_regional_bytes") or {}).items():
        theirs = ((naive or {}).get("payload_regional_bytes") or {}).get(region)
        extra = fetched.get(region) or 0
        regional[region] = {"qpv": regions.get(region), "ours_bytes": ours, "naive_bytes": theirs,
                            "ratio": _ratio(ours, theirs), "ours_fetched_bytes": extra,
                            "ratio_with_fetched": _ratio((ours or 0) + extra, theirs)}
    all_ratios = sorted((v["ratio"], r) for r, v in regional.items() if v["ratio"] is not None)
    big = [(v["ratio"], r) for r, v in regional.items()
           if v["ratio"] is not None and (v["qpv"] or 0) >= REGION_MIN_QPV * scale]
    out["payload"] = {
        "ours_national_bytes": ours_nat,
        "naive_national_bytes": naive_nat,
        "national_ratio": _ratio(ours_nat, naive_nat),
        "ours_national_fetched_bytes": fetched_nat,
        "national_ratio_with_fetched": _ratio((ours_nat or 0) + fetched_nat, naive_nat) if ours_nat else None,
        "naive_explore_html_bytes": (naive or {}).get("explore_html_bytes"),
        "ours_national_bytes_pure_python": (python.get("cold") or {}).get("payload_national_bytes"),
        "regional": regional,
        "regional_target_regions_min_qpv": REGION_MIN_QPV * scale,
        "regional_worst_ratio": max(big)[0] if big else None,
        "regional_worst_region": max(big)[1] if big else None,
        "regional_worst_ratio_all": all_ratios[-1][0] if all_ratios else None,
        "regional_worst_region_all": all_ratios[-1][1] if all_ratios else None,
        "regional_median_ratio": all_ratios[len(all_ratios) // 2][0] if all_ratios else None,
    }
    out["rerun"] = {
        "apptest": apptest.get("rerun"),
        "apptest_revisit": apptest.get("rerun_revisit"),
        "apptest_times_ms": apptest.get("rerun_times_ms"),
        "sequence": apptest.get("rerun_sequence"),
        "pure_python": (python.get("filter_change") or {}),
        "naive_regional_apptest": (naive or {}).get("regional_rerun"),
    }
    cold = dict(python.get("cold") or {})
    cold.pop("payload_national_bytes", None)
    cold["apptest_first_run_s"] = apptest.get("first_run_s")
    if browser and browser.get("ours_cold"):
        cold["server_launch_to_first_paint_s"] = browser["ours_cold"].get("launch_to_first_paint_s")
        cold["server_ready_s"] = browser["ours_cold"].get("server_ready_s")
        cold["naive_server_launch_to_first_paint_s"] = (browser.get("naive_cold") or {}).get(
            "launch_to_first_paint_s")
    out["cold_start"] = cold
    sessions = apptest.get("sessions_memory") or {}
    tabs = (browser or {}).get("ours_tabs_memory") or {}
    out["memory"] = {
        "python_peak_rss_mb": python.get("peak_rss_mb"),
        "apptest_peak_rss_mb": apptest.get("peak_rss_mb"),
        "server_peak_rss_mb": (browser or {}).get("ours_server_peak_rss_mb"),
        "naive_server_peak_rss_mb": (browser or {}).get("naive_server_peak_rss_mb"),
        "per_session_apptest_mb": sessions.get("per_session_mb"),
        "apptest_rss_mb": sessions.get("rss_mb"),
        "per_session_browser_tab_mb": tabs.get("per_session_mb"),
        "server_rss_mb_by_tabs": tabs.get("server_rss_mb"),
    }
    if browser and not browser.get("error"):
        ours_n, naive_n = browser.get("ours_national") or {}, browser.get("naive_national") or {}
        ours_r, naive_r = browser.get("ours_regional") or {}, browser.get("naive_regional") or {}
        out["paint"] = {
            "ours_national_ms": ours_n.get("median_ms"), "naive_national_ms": naive_n.get("median_ms"),
            "national_ratio": _ratio(ours_n.get("median_ms"), naive_n.get("median_ms")),
            "ours_regional_ms": ours_r.get("median_ms"), "naive_regional_ms": naive_r.get("median_ms"),
            "regional_ratio": _ratio(ours_r.get("median_ms"), naive_r.get("median_ms")),
            "region": (ours_r.get("url") or "").rsplit("=", 1)[-1] or None,
            "floor_ms": (browser.get("floor") or {}).get("median_ms"),
            "ours_national_websocket_bytes": ours_n.get("websocket_bytes"),
            "naive_national_websocket_bytes": naive_n.get("websocket_bytes"),
            "ours_national_http_bytes": ours_n.get("http_bytes"),
            "naive_national_http_bytes": naive_n.get("http_bytes"),
            "reps": ours_n.get("reps"),
            "details": {k: browser.get(k) for k in ("ours_cold", "ours_national", "ours_regional", "naive_cold",
                                                     "naive_national", "naive_regional", "floor")},
            "leaflet_for_naive": browser.get("leaflet_for_naive"),
        }
    elif browser:
        out["paint"] = {"error": browser.get("error")}
    out["other_processes_cores"] = {name: r.get("other_processes_cores") for name, r in
                                    (("python", python), ("apptest", apptest), ("browser", browser or {}))
                                    if r.get("other_processes_cores") is not None}
    errors = {name: r.get("error") or r.get("errors") for name, r in
              (("python", python), ("apptest", apptest), ("naive", naive or {}), ("browser", browser or {}))
              if r.get("error") or r.get("errors")}
    if errors:
        out["errors"] = errors
    return out


def _check(name: str, measured, limit, unit: str = "") -> dict:
    return {"target": name, "measured": measured, "limit": limit, "unit": unit,
            "ok": None if measured is None else bool(measured <= limit)}


def targets(results: dict) -> list[dict]:
    x1, x10 = results.get("x1") or {}, results.get("x10") or {}
    payload = x1.get("payload") or {}
    checks = [
        _check("payload_national_ratio", payload.get("national_ratio"), round(TARGETS["payload_national_ratio"], 4)),
        _check("payload_regional_ratio", payload.get("regional_worst_ratio"), TARGETS["payload_regional_ratio"]),
    ]
    paint = x1.get("paint") or {}
    if paint and not paint.get("error"):
        checks += [_check("paint_ratio", paint.get("national_ratio"), TARGETS["paint_ratio"]),
                   _check("paint_ms", paint.get("ours_national_ms"), TARGETS["paint_ms"], "ms")]
    checks.append(_check("rerun_median_ms_x1", ((x1.get("rerun") or {}).get("apptest") or {}).get("median_ms"),
                         TARGETS["rerun_median_ms_x1"], "ms"))
    if x10:
        checks.append(_check("rerun_median_ms_x10",
                             ((x10.get("rerun") or {}).get("apptest") or {}).get("median_ms"),
                             TARGETS["rerun_median_ms_x10"], "ms"))
    memory = [v for v in ((x1.get("memory") or {}).get("per_session_browser_tab_mb"),
                          (x1.get("memory") or {}).get("per_session_apptest_mb"),
                          (x10.get("memory") or {}).get("per_session_apptest_mb")) if v is not None]
    checks.append(_check("session_mb", max(memory) if memory else None, TARGETS["session_mb"], "MB"))
    warm = [p.get("median_ms") for p in ((results.get("pages") or {}).get("pages") or {}).values()]
    if warm and None not in warm:
        checks.append(_check("warm_page_ms", max(warm), TARGETS["warm_page_ms"], "ms"))
    store = results.get("store_import") or {}
    checks += [_check("store_import_preview_s", store.get("preview_s"), TARGETS["store_import_preview_s"], "s"),
               _check("store_import_publish_s", store.get("publish_s"), TARGETS["store_import_publish_s"], "s")]
    checks.append(_check("geocoding_2000_s", (results.get("geocoding") or {}).get("geocode_s"),
                         TARGETS["geocoding_2000_s"], "s"))
    lists = results.get("intake") or {}
    checks += [_check(name, lists.get(key), TARGETS[name], "s") for name, key in (
        ("intake_preview_geocoder_s", "preview_geocoder_s"), ("intake_preview_s", "preview_s"))]
    line = ((results.get("readers") or {}).get("cases") or {}).get("csv_one_line_10mib") or {}
    checks.append(_check("readers_one_line_csv_s", (line.get("after") or {}).get("s"),
                         TARGETS["readers_one_line_csv_s"], "s"))
    dated = results.get("timeline") or {}
    checks += [_check(f"timeline_ms_{scale}", (dated.get(scale) or {}).get("median_ms"),
                      TARGETS[f"timeline_ms_{scale}"], "ms") for scale in ("x1", "x10")]
    cold = results.get("cold_start") or {}
    after = {label: (cold.get(label) or {}).get("after") or {} for label in ("demo", "x10")}
    checks += [
        _check("cold_existing_s", (after["demo"].get("existing") or {}).get("first_page_s"),
               TARGETS["cold_existing_s"], "s"),
        _check("cold_fresh_s", (after["demo"].get("fresh") or {}).get("first_page_s"), TARGETS["cold_fresh_s"], "s"),
        _check("process_mb", (after["demo"].get("existing") or {}).get("rss_mb"), TARGETS["process_mb"], "MB")]
    if after["x10"]:
        checks.append(_check("cold_x10_s", (after["x10"].get("existing") or {}).get("first_page_s"),
                             TARGETS["cold_x10_s"], "s"))
    checks += [_check("suivi_warm_ms", (dated.get("app") or {}).get("suivi_warm_median_ms"), TARGETS["suivi_warm_ms"],
                      "ms"),
               _check("bilan_s", (dated.get("report") or {}).get("report_s"), TARGETS["bilan_s"], "s")]
    return checks


def _read_figure(run: dict | None) -> str:
    """One read of `bench.readers`: its time and what came of it, in a few words."""
    if not run:
        return "—"
    if run.get("s") is None:
        return run.get("outcome", "—")
    outcome = run.get("outcome", "")
    what = outcome.split(" : ")[0] if outcome.startswith("refusé") else outcome.split(",")[0]
    return f"{_fmt(run['s'], 's')} ({what}, +{_fmt(run.get('added_rss_mb'))} Mo)"


# --- table ---------------------------------------------------------------------------------------------------


def _fmt_bytes(n) -> str:
    if n is None:
        return "—"
    return f"{n / 1e6:.2f} Mo" if n >= 1e6 else f"{n / 1e3:.0f} ko"


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:.3f}" if abs(value) < 1 else f"{value:.1f}" if abs(value) < 100 else f"{value:.0f}"
    else:
        text = str(value)
    return f"{text} {unit}".strip()


def table(results: dict) -> str:
    """The measures side by side: ours, naive, ratio, target, held or not."""
    rows = [("Mesure", "Nous", "Naïf", "Ratio", "Cible", "Tenue")]
    checks = {c["target"]: c["ok"] for c in results.get("targets", [])}

    def add(label, ours="", naive="", ratio="", target="", key=None):
        ok = checks.get(key) if key else None
        rows.append((label, ours, naive, ratio, target, "" if ok is None else ("oui" if ok else "NON")))

    for scale in ("x1", "x10"):
        r = results.get(scale)
        if not r:
            continue
        real = scale == "x1"
        counts = (r.get("dataset") or {}).get("counts") or {}
        vertices = (r.get("dataset") or {}).get("vertices") or {}
        add(f"== {scale} : {counts.get('qpv')} QPV (sommets moy. {_fmt(vertices.get('mean'))}, p90 "
            f"{_fmt(vertices.get('p90'))}, max {_fmt(vertices.get('max'))}), {counts.get('regies')} régies, "
            f"{counts.get('partenariats')} partenariats ==")
        p = r.get("payload") or {}
        add("Charge utile st_folium, vue nationale", _fmt_bytes(p.get("ours_national_bytes")),
            _fmt_bytes(p.get("naive_national_bytes")), _fmt(p.get("national_ratio")), "≤ 0.050" if real else "",
            "payload_national_ratio" if real else None)
        if p.get("ours_national_fetched_bytes"):
            add("  + fichiers de données chargés par la carte (1re visite)",
                _fmt_bytes(p["ours_national_fetched_bytes"]), "", _fmt(p.get("national_ratio_with_fetched")))
        worst = p.get("regional_worst_region")
        if worst and p.get("naive_national_bytes"):
            w = p["regional"][worst]
            add(f"Charge utile, vue régionale : pire région ≥ {p.get('regional_target_regions_min_qpv')} QPV "
                f"({worst}, {w['qpv']} QPV)", _fmt_bytes(w["ours_bytes"]), _fmt_bytes(w["naive_bytes"]),
                _fmt(w["ratio"]), "≤ 0.250" if real else "", "payload_regional_ratio" if real else None)
            largest = max(p["regional"], key=lambda k: p["regional"][k]["qpv"] or 0)
            v = p["regional"][largest]
            add(f"  plus grande région ({largest}, {v['qpv']} QPV)", _fmt_bytes(v["ours_bytes"]),
                _fmt_bytes(v["naive_bytes"]), _fmt(v["ratio"]))
            add("  médiane des régions / pire de toutes "
                f"({p.get('regional_worst_region_all')})", "", "",
                f"{_fmt(p.get('regional_median_ratio'))} / {_fmt(p.get('regional_worst_ratio_all'))}")
        else:
            for region, v in (p.get("regional") or {}).items():
                add(f"Charge utile, vue régionale ({region}, {v['qpv']} QPV)", _fmt_bytes(v["ours_bytes"]),
                    _fmt_bytes(v["naive_bytes"]))
        paint = r.get("paint") or {}
        if paint.get("ours_national_ms") is not None:
            add(f"Navigation → QPV peints, vue nationale (médiane de {paint.get('reps')})",
                _fmt(paint["ours_national_ms"], "ms"), _fmt(paint.get("naive_national_ms"), "ms"),
                _fmt(paint.get("national_ratio")), "≤ 0.3", "paint_ratio")
            add("  absolu", _fmt(paint["ours_national_ms"], "ms"), "", "", "≤ 1000 ms", "paint_ms")
            add(f"Navigation → QPV peints, région {paint.get('region')}", _fmt(paint.get("ours_regional_ms"), "ms"),
                _fmt(paint.get("naive_regional_ms"), "ms"), _fmt(paint.get("regional_ratio")))
            add("Plancher : page streamlit-folium d'un seul polygone", _fmt(paint.get("floor_ms"), "ms"))
        elif paint.get("error"):
            add("Navigation → QPV peints", "erreur (voir results.json)")
        rerun = r.get("rerun") or {}
        app = rerun.get("apptest") or {}
        naive_rerun = (rerun.get("naive_regional_apptest") or {}).get("median_ms")
        add(f"Rerun après changement de filtre, AppTest (n={app.get('n')}), médiane", _fmt(app.get("median_ms"), "ms"),
            _fmt(naive_rerun, "ms"), "", "≤ 150 ms" if real else "≤ 1000 ms", f"rerun_median_ms_{scale}")
        add("  p95", _fmt(app.get("p95_ms"), "ms"))
        revisit = rerun.get("apptest_revisit") or {}
        if revisit.get("n"):
            add(f"  retour à des filtres déjà vus (n={revisit['n']}), médiane", _fmt(revisit.get("median_ms"), "ms"))
        pure = rerun.get("pure_python") or {}
        total = pure.get("total") or {}
        add("  Python pur : sélection + map_view, médiane / p95",
            f"{_fmt(total.get('median_ms'))} / {_fmt(total.get('p95_ms'))} ms")
        add("    dont apply(filters), médiane", _fmt((pure.get("apply") or {}).get("median_ms"), "ms"))
        cold = r.get("cold_start") or {}
        add("Démarrage à froid : processus neuf → 1re carte construite",
            _fmt(cold.get("total_from_process_start_s"), "s"))
        parts = [_fmt(cold.get(k)) for k in ("load_folder_s", "build_atlas_s", "first_map_s")]
        add("  dont load_folder / build_atlas / 1re carte", " / ".join(parts) + " s")
        if cold.get("server_launch_to_first_paint_s") is not None:
            add("Démarrage à froid : streamlit run → 1re carte peinte",
                _fmt(cold["server_launch_to_first_paint_s"], "s"),
                _fmt(cold.get("naive_server_launch_to_first_paint_s"), "s"))
        mem = r.get("memory") or {}
        add("RSS max : Python pur / AppTest / serveur",
            " / ".join(_fmt(mem.get(k)) for k in ("python_peak_rss_mb", "apptest_peak_rss_mb", "server_peak_rss_mb"))
            + " Mo", _fmt(mem.get("naive_server_peak_rss_mb"), "Mo"))
        add("Mémoire par session supplémentaire : onglets / AppTest",
            f"{_fmt(mem.get('per_session_browser_tab_mb'))} / {_fmt(mem.get('per_session_apptest_mb'))} Mo", "", "",
            "≤ 30 Mo", "session_mb")
    pages = results.get("pages") or {}
    if pages.get("pages"):
        add(f"== Rerun chaud de chaque page, AppTest, données de démo ({pages.get('runs')} reruns, "
            f"autres processus : {_fmt(pages.get('other_processes_cores'))} cœur) : médiane (CPU par run) ==")
        worst = max(pages["pages"], key=lambda k: pages["pages"][k].get("median_ms") or 0)
        for path, page in pages["pages"].items():
            add(f"  {path}", f"{_fmt(page.get('median_ms'), 'ms')} ({_fmt(page.get('cpu_ms_per_run'), 'ms')})", "",
                "", "≤ 100 ms" if path == worst else "", "warm_page_ms" if path == worst else None)
    store = results.get("store_import") or {}
    if store:
        add(f"Import dans la base (SQLite), {store.get('rows')} partenariats : aperçu",
            _fmt(store.get("preview_s"), "s"), "", "", "≤ 5 s", "store_import_preview_s")
        add("  publication", _fmt(store.get("publish_s"), "s"), "", "", "≤ 10 s", "store_import_publish_s")
    geocoding = results.get("geocoding") or {}
    if geocoding:
        add(f"Géocodage de {geocoding.get('rows', '?')} régies, une requête, addok local",
            _fmt(geocoding.get("geocode_s"), "s") if "geocode_s" in geocoding else geocoding.get("error", "—"), "",
            "", "≤ 7 s", "geocoding_2000_s")
    lists = results.get("intake") or {}
    if lists:
        add(f"Aperçu d'une liste de fédération, {lists.get('rows', '?')} régies, avec addok local",
            _fmt(lists.get("preview_geocoder_s"), "s") if "preview_geocoder_s" in lists else lists.get("error", "—"),
            "", "", "≤ 10 s", "intake_preview_geocoder_s")
        add("  sans géocodeur", _fmt(lists.get("preview_s"), "s"), "", "", "≤ 3 s", "intake_preview_s")
    readers = results.get("readers") or {}
    if readers.get("cases"):
        add(f"== Lecteurs face aux fichiers hostiles : avant ({readers.get('before_commit')}) → après, lecture "
            f"arrêtée après {_fmt(readers.get('budget_s'), 's')} ==")
        for case, run in readers["cases"].items():
            key = "readers_one_line_csv_s" if case == "csv_one_line_10mib" else None
            add(f"  {run['label']}", f"{_read_figure(run.get('before'))} → {_read_figure(run.get('after'))}", "", "",
                "≤ 1 s" if key else "", key)
    dated = results.get("timeline") or {}
    for scale, limit in (("x1", "≤ 150 ms"), ("x10", "≤ 1000 ms")):
        if dated.get(scale):
            r = dated[scale]
            add(f"Changement de date (état à la date, filtres, chiffres clés), {r['partenariats']} partenariats, "
                f"médiane de {r['runs']} (max)", f"{_fmt(r['median_ms'], 'ms')} ({_fmt(r['max_ms'], 'ms')})", "", "",
                limit, f"timeline_ms_{scale}")
            add(f"  suivi trimestriel depuis la signature ({r['follow_up_quarters']} trimestres)",
                _fmt(r["follow_up_ms"], "ms"))
    from bench.cold_start import table_rows

    for row in table_rows(results.get("cold_start") or {}):
        add(*row)
    if dated.get("app"):
        app = dated["app"]
        add(f"Changement de date, page d'accueil sous AppTest ({app['date_changes']} dates), médiane (max)",
            f"{_fmt(app['date_change_median_ms'], 'ms')} ({_fmt(app['date_change_max_ms'], 'ms')})")
        add(f"Rerun chaud de /suivi, AppTest (n={app['suivi_warm_runs']}), médiane",
            _fmt(app["suivi_warm_median_ms"], "ms"), "", "", "≤ 100 ms", "suivi_warm_ms")
    if dated.get("report"):
        add(f"Bilan annuel {dated['report']['year']}, PowerPoint et PDF (démo)", _fmt(dated["report"]["report_s"], "s"),
            "", "", "≤ 15 s", "bilan_s")
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for k, row in enumerate(rows):
        lines.append("| " + " | ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)) + " |")
        if k == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    from bench.dataset import DEFAULT_SHAPES

    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="échelle réelle seulement, peu de répétitions, sans navigateur (< 60 s)")
    parser.add_argument("--browser", action="store_true", help="avec --quick : mesurer aussi dans Chromium")
    parser.add_argument("--no-browser", action="store_true", help="sans les mesures dans Chromium")
    parser.add_argument("--no-x10", action="store_true", help="sans la variante 10×")
    parser.add_argument("--shapes", type=Path, default=DEFAULT_SHAPES,
                        help="GeoJSON de vrais périmètres de QPV à réutiliser (défaut : ../shared/data/…)")
    parser.add_argument("--regenerate", action="store_true", help="régénérer les données même si présentes")
    parser.add_argument("--results", type=Path, help="fichier de résultats (défaut : bench/results.json, "
                        "ou bench/out/results-quick.json avec --quick)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    results_path = args.results or (OUT / "results-quick.json" if args.quick else RESULTS)
    with_browser = (args.browser or not args.quick) and not args.no_browser
    with_x10 = not args.quick and not args.no_x10
    shapes = args.shapes if args.shapes and args.shapes.is_file() else None
    log(f"{_elapsed(start)} banc d'essai ({'rapide' if args.quick else 'complet'}) ; formes réelles : "
        f"{shapes or 'absentes, formes générées'}")
    naive_problem = ensure_naive_dependencies()
    tree_start = app_tree()[2]
    if with_browser and not Path(os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium")).exists():
        log("  Chromium introuvable : mesures navigateur sautées")
        with_browser = False

    results: dict = {"schema": 1, "mode": "quick" if args.quick else "full",
                     "date": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine(),
                     "targets_definition": TARGETS}
    log(f"{_elapsed(start)} données x1")
    data1 = dataset(1, shapes, args.regenerate)
    regions1 = region_counts(Path(data1["folder"]))
    plan1 = {**plan(1, args.quick, regions1), "data_dir": data1["folder"]}

    with ThreadPoolExecutor(max_workers=1) as pool:
        # The naive page's payloads are not timings: measured while something else that is not timed runs (the
        # 10× generation), or, in quick mode, alongside the pure-python worker (quick figures are indicative).
        naive_future = None
        if naive_problem is None:
            log(f"{_elapsed(start)} x1 : page naïve sous AppTest (charges utiles), en parallèle")
            naive_future = pool.submit(run_worker, "naive", {**plan1, "html": not args.quick})
        data10 = None
        if with_x10:
            log(f"{_elapsed(start)} données x10")
            data10 = dataset(10, shapes, args.regenerate)
        if not args.quick and naive_future is not None:
            naive_future.result()
        log(f"{_elapsed(start)} x1 : démarrage à froid et Python pur (processus neuf)")
        python1 = run_worker("python", plan1)
        if args.quick and naive_future is not None:
            # The naive worker ran on the other core meanwhile: its CPU is ours, not another process's.
            python1["other_processes_cores"] = None
            python1["note"] = "quick mode: measured alongside the naive worker"
        naive1 = naive_future.result() if naive_future is not None else {"error": naive_problem}
    log(f"{_elapsed(start)} x1 : page Carte sous AppTest (reruns, charges utiles, sessions)")
    apptest1 = run_worker("apptest", plan1)
    browser1 = None
    if with_browser:
        log(f"{_elapsed(start)} x1 : Chromium headless, serveurs streamlit run (nous, naïf, plancher)")
        largest = next(iter(regions1))
        browser1 = run_worker("browser", {"data_dir": data1["folder"], "region": largest,
                                          "n_qpv": sum(regions1.values()), "n_region": regions1[largest],
                                          "reps": 1 if args.quick else 3, "tabs": 2 if args.quick else 4})
    results["x1"] = summarize(1, data1, python1, apptest1, naive1, browser1, regions1)

    if with_x10 and data10 is not None:
        regions10 = region_counts(Path(data10["folder"]))
        plan10 = {**plan(10, False, regions10), "data_dir": data10["folder"]}
        log(f"{_elapsed(start)} x10 : démarrage à froid, Python pur puis page Carte sous AppTest (un processus)")
        both = run_worker("combined", plan10, timeout=1500)
        python10, apptest10 = both.get("python") or both, both.get("apptest") or both
        for part in (python10, apptest10):
            part.setdefault("other_processes_cores", both.get("other_processes_cores"))
        results["x10"] = summarize(10, data10, python10, apptest10, None, None, regions10)

    log(f"{_elapsed(start)} rerun chaud de chaque page sous AppTest (données de démo)")
    results["pages"] = run_worker("pages", {"runs": 5 if args.quick else 10, "database": str(OUT / "demo.sqlite3")})

    log(f"{_elapsed(start)} import dans la base : aperçu puis publication de 6 500 partenariats")
    from bench.store_import import measure as measure_store_import

    results["store_import"] = measure_store_import(OUT / "store-import")
    log(f"{_elapsed(start)} géocodage de 2 000 régies en une requête (addok local, tools/test-addok.sh)")
    from bench.geocoding import run as measure_geocoding

    results["geocoding"] = measure_geocoding()
    log(f"{_elapsed(start)} aperçu d'une liste de 2 000 régies telle qu'une fédération la tient (avec, sans addok)")
    from bench.intake import run as measure_intake

    results["intake"] = measure_intake()
    log(f"{_elapsed(start)} lecteurs face aux fichiers hostiles, avant et après (un processus par lecture)")
    from bench.readers import measure as measure_readers

    results["readers"] = measure_readers(OUT / "readers")
    log(f"{_elapsed(start)} changement de date : état à la date et chiffres clés (démo, démo ×10)")
    from bench.timeline import measure as measure_timeline

    results["timeline"] = measure_timeline()
    log(f"{_elapsed(start)} démarrage à froid : streamlit run → 1re page finie, base neuve puis existante, "
        "avant/après (démo" + (", x10)" if with_x10 and data10 is not None else ")"))
    from bench.cold_start import BEFORE
    from bench.cold_start import measure as measure_cold_start

    # --quick: the working tree alone (two server starts instead of four)
    results["cold_start"] = {"demo": measure_cold_start(REPO / "data" / "demo", "demo",
                                                        before=None if args.quick else BEFORE)}
    if with_x10 and data10 is not None:
        results["cold_start"]["x10"] = measure_cold_start(Path(data10["folder"]), "x10", timeout=1500)
    results["targets"] = targets(results)
    results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results["machine"]["git_commit_end"], _, tree_end = app_tree()
    results["app_changed_during_run"] = tree_end != tree_start
    results["total_seconds"] = round(time.perf_counter() - start, 1)
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print()
    print(table(results))
    print()
    noise = [v for scale in ("x1", "x10")
             for v in ((results.get(scale) or {}).get("other_processes_cores") or {}).values()]
    if noise:
        print(f"CPU pris par d'autres processus pendant les mesures : jusqu'à {max(noise):.2f} cœur(s) sur "
              f"{os.cpu_count()} (0 = machine au repos ; au-delà de 0,3 les temps sont à prendre avec prudence).")
    if results["app_changed_during_run"]:
        print("Attention : le code de l'application a changé pendant la mesure (commit ou fichiers modifiés) : "
              "les chiffres mêlent deux versions.")
    held = sum(1 for c in results["targets"] if c["ok"])
    print(f"Cibles tenues : {held}/{len(results['targets'])}. Résultats : {results_path.relative_to(REPO)} "
          f"({results['total_seconds']:.0f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
