"""Measurements that each need a fresh process: `python -m bench.worker NAME 'JSON args'`.

- `python`: cold start (imports, load_folder, build_atlas, first national map built the way the page builds it) and
  the pure-python time of a filter change (selection + map_view with the component call captured).
- `apptest`: the real page under `streamlit.testing.v1.AppTest`: rerun times after filter changes, payloads,
  extra memory per additional session.
- `naive`: the naive page (bench/naive_app.py) under AppTest: payloads and rerun times.
- `pages`: a warm rerun of each page of the app under AppTest (demo data): wall time and CPU time per run.
- `browser`: `streamlit run` servers and headless Chromium: time to the QPV layer painted, ours vs naive, cold
  start to first paint, server memory per additional tab.

Each prints one line `BENCH-RESULT {json}` (see bench/common.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import time
import traceback
from pathlib import Path

from bench.common import REPO, emit, log, map_page, peak_rss_mb, rss_mb, settled_rss_mb, stats

PROCESS_START = time.time()


# --- helpers ---------------------------------------------------------------------------------------------------


def _component_payload(element) -> int:
    return len(element.proto.json_args)


def _map_payloads(at) -> list[int]:
    """Bytes of the arguments each st_folium component receives (what streamlit-folium sends to the browser)."""
    return [_component_payload(e) for e in at.get("component_instance")
            if "st_folium" in getattr(e.proto, "component_name", "")]


def _layer_bytes(payload) -> dict:
    """Bytes of each layer of a map payload as `ui.maps.CarteLayer` ships it (compact JSON), with its columns: what
    the payload is made of (QPV, régies, insets, names) before choosing what to send later or not at all."""
    from ui.maps import compact_json

    def size(value) -> int:
        return len(compact_json(value).encode())

    return {name: {"bytes": size(layer), "columns": {k: size(v) for k, v in layer.items()}}
            for name in ("qpv", "regies", "insets", "communes") if (layer := getattr(payload, name))}


STATIC_REF = re.compile(r"/app/static/([A-Za-z0-9_./-]+)")


def _fetched_bytes(at) -> int:
    """Bytes of the data files the map script fetches from the app's static folder on a first view (e.g. the
    outlines served as a file), libraries (node_modules: Leaflet, which the naive page loads too) left out."""
    total = 0
    for element in at.get("component_instance"):
        for rel in set(STATIC_REF.findall(element.proto.json_args)):
            path = REPO / "static" / rel
            if not rel.startswith("node_modules/") and path.is_file():
                total += path.stat().st_size
    return total


def _set_params(at, params: dict) -> None:
    at.query_params.clear()
    at.query_params.update(params)


def _errors(at) -> list[str]:
    return [str(getattr(e, "value", e))[:300] for e in at.exception]


# --- pure python ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def captured_component():
    """streamlit-folium's component call replaced by a capture of its arguments (what it would send), then
    restored (AppTest may run next in the same process)."""
    import streamlit_folium

    captured: dict = {}

    def component(**kwargs):
        captured.clear()
        captured.update(kwargs)
        return kwargs.get("default")

    original = streamlit_folium._component_func
    streamlit_folium._component_func = component
    try:
        yield captured
    finally:
        streamlit_folium._component_func = original


def work_python(args: dict) -> dict:
    """Cold start and pure-python filter changes, through the app's own `dashboard` functions (Streamlit bare
    mode: `st.cache_resource` still caches in memory), the st_folium component call captured instead of sent."""
    t_start = time.perf_counter()
    from dashboard import data, map_view, page

    t_import = time.perf_counter() - t_start
    with captured_component() as captured:
        return _python_measures(args, data, page.PageContext, map_view.map_view, captured, t_start, t_import)


def _python_measures(args: dict, data_module, page_context, map_view, captured: dict, t_start: float,
                     t_import: float) -> dict:
    import dataclasses

    from dashboard.filters_url import from_query_params
    from geo.filters import Filters

    timings: dict[str, float] = {}

    def timed(name, func):
        def wrapper(*a, **k):
            t = time.perf_counter()
            try:
                return func(*a, **k)
            finally:
                timings[name] = timings.get(name, 0.0) + time.perf_counter() - t
        return wrapper

    # "load_folder": reading the data, now the folder's geography files and the store's records.
    data_module.read_reference = timed("load_folder", data_module.read_reference)
    data_module.Store.read_frames = timed("load_folder", data_module.Store.read_frames)
    data_module.build_atlas = timed("build_atlas", data_module.build_atlas)

    def payload() -> int:
        sent = {k: v for k, v in captured.items() if k != "on_change"}
        return len(json.dumps(sent))

    fields = {f.name for f in dataclasses.fields(page_context)}

    def context(filters):
        data = data_module.loaded()
        candidates = {"datasets": data.datasets, "atlas": data.atlas, "filters": filters,
                      "selection": data_module.selection(filters), "national": data_module.selection(Filters())}
        return page_context(**{k: v for k, v in candidates.items() if k in fields})

    def build(filters):
        ctx = context(filters)
        map_view(ctx, key="carte", height=640)
        return ctx

    t = time.perf_counter()
    data = data_module.loaded()
    t_load_total = time.perf_counter() - t
    t = time.perf_counter()
    build(Filters())
    t_first_map = time.perf_counter() - t
    cold = {
        "import_s": round(t_import, 2),
        "load_folder_s": round(timings.get("load_folder", 0.0), 2),
        "build_atlas_s": round(timings.get("build_atlas", 0.0), 2),
        "load_and_atlas_s": round(t_load_total, 2),
        "first_map_s": round(t_first_map, 2),
        "total_in_process_s": round(time.perf_counter() - t_start, 2),
        "total_from_process_start_s": round(time.time() - PROCESS_START, 2),
        "payload_national_bytes": payload(),
        "payload_national_layers": _layer_bytes(data_module.map_payload(Filters(), "coverage")),
        "rss_after_first_map_mb": round(rss_mb(), 1),
    }
    log(f"    cold start: load_folder {cold['load_folder_s']} s, build_atlas {cold['build_atlas_s']} s, "
        f"first map {cold['first_map_s']} s, total {cold['total_from_process_start_s']} s")

    atlas = data.atlas
    warm = args["warmup"]
    build(from_query_params(warm, atlas)[0])  # computes the regional outlines once, as the server does
    apply_times, map_times, total_times, payloads = [], [], [], []
    for params in args["sequence"]:
        filters, _ = from_query_params(params, atlas)
        t0 = time.perf_counter()
        data_module.selection(filters)  # geo.filters.apply, cached per filters like in the app (first call: computed)
        t1 = time.perf_counter()
        map_view(context(filters), key="carte", height=640)
        t2 = time.perf_counter()
        apply_times.append(t1 - t0)
        map_times.append(t2 - t1)
        total_times.append(t2 - t0)
        payloads.append(payload())
    result = {
        "cold": cold,
        "filter_change": {"apply": stats(apply_times), "map_view": stats(map_times), "total": stats(total_times)},
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    log(f"    pure python, {len(total_times)} filter changes: apply median "
        f"{result['filter_change']['apply'].get('median_ms')} ms, map_view median "
        f"{result['filter_change']['map_view'].get('median_ms')} ms, total p95 "
        f"{result['filter_change']['total'].get('p95_ms')} ms")
    return result


# --- AppTest: ours -----------------------------------------------------------------------------------------------


def _new_session(app: Path, page: str | None, timeout: float):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(app), default_timeout=timeout)
    if page:
        at.switch_page(page)
    return at


def work_apptest(args: dict) -> dict:
    page, _ = map_page()
    timeout = float(args.get("timeout", 600))
    app = REPO / "app.py"
    errors: list[str] = []

    at = _new_session(app, page, timeout)
    t = time.perf_counter()
    at.run()
    first_run = time.perf_counter() - t
    errors += _errors(at)
    national = _map_payloads(at)
    national_fetched = _fetched_bytes(at)
    log(f"    first run: {first_run:.2f} s, national payload {national} + {national_fetched} bytes of data files "
        "fetched by the map")

    _set_params(at, args["warmup"])
    at.run()
    errors += _errors(at)

    def timed_runs(sequence) -> list[float]:
        times = []
        for params in sequence:
            _set_params(at, params)
            t = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t)
            errors.extend(_errors(at))
        return times

    sequence = args["sequence"]
    rerun = timed_runs(sequence)
    log(f"    {len(rerun)} filter changes (new filters each time): median {stats(rerun)['median_ms']} ms, "
        f"p95 {stats(rerun)['p95_ms']} ms")
    revisit = timed_runs(sequence[: args.get("revisit", 0)])
    if revisit:
        log(f"    {len(revisit)} filter changes back to filters already seen: median {stats(revisit)['median_ms']} ms")

    regional, regional_fetched = {}, {}
    for region in args["payload_regions"]:
        _set_params(at, {"region": region})
        at.run()
        errors.extend(_errors(at))
        sizes = _map_payloads(at)
        regional[region] = sizes[0] if sizes else None
        regional_fetched[region] = _fetched_bytes(at)
    _set_params(at, {})
    at.run()

    # Extra memory per additional session: more sessions on the same process (shared caches), each kept alive.
    sessions_memory = None
    extra = int(args.get("extra_sessions", 0))
    if extra:
        points = [round(settled_rss_mb(), 1)]
        kept = []
        for k in range(extra):
            other = _new_session(app, page, timeout)
            other.run()
            _set_params(other, sequence[k % len(sequence)])
            other.run()
            errors.extend(_errors(other))
            kept.append(other)
            points.append(round(settled_rss_mb(), 1))
        sessions_memory = {"sessions_added": extra, "rss_mb": points,
                           "per_session_mb": round((points[-1] - points[0]) / extra, 1)}
        log(f"    AppTest sessions: RSS {points} MB -> {sessions_memory['per_session_mb']} MB per extra session")

    return {
        "first_run_s": round(first_run, 2),
        "payload_national_bytes": national[0] if national else None,
        "payload_regional_bytes": regional,
        "payload_national_fetched_bytes": national_fetched,
        "payload_regional_fetched_bytes": regional_fetched,
        "rerun": stats(rerun),
        "rerun_revisit": stats(revisit),
        "rerun_sequence": sequence,
        "rerun_times_ms": [round(x * 1000, 1) for x in rerun],
        "sessions_memory": sessions_memory,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "errors": sorted(set(errors))[:10],
    }


# --- AppTest: naive ------------------------------------------------------------------------------------------


def work_naive(args: dict) -> dict:
    timeout = float(args.get("timeout", 600))
    at = _new_session(REPO / "bench" / "naive_app.py", None, timeout)
    t = time.perf_counter()
    at.run()
    first_run = time.perf_counter() - t
    errors = _errors(at)
    national = _map_payloads(at)
    log(f"    naive first run: {first_run:.2f} s, national payload {national}")
    regional, times = {}, []
    for region in args["payload_regions"]:
        _set_params(at, {"region": region})
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
        errors += _errors(at)
        sizes = _map_payloads(at)
        regional[region] = sizes[0] if sizes else None
    t = time.perf_counter()
    _set_params(at, {})
    at.run()
    national_rerun = time.perf_counter() - t
    html = None
    if args.get("html"):
        import geopandas as gpd

        gdf = gpd.read_file(Path(os.environ["CARTE_DATA_DIR"]) / "qpv.geojson")
        html = len(gdf.explore().get_root().render())
    return {
        "first_run_s": round(first_run, 2),
        "national_rerun_s": round(national_rerun, 2),
        "payload_national_bytes": national[0] if national else None,
        "explore_html_bytes": html,
        "payload_regional_bytes": regional,
        "regional_rerun": stats(times),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "errors": sorted(set(errors))[:10],
    }


# --- AppTest: warm rerun of every page -----------------------------------------------------------------------


# Pages measured (keys of dashboard.navigation.PAGES): those every visitor sees; editing pages need an account.
WARM_PAGES = ("overview", "map", "partnerships", "territory", "opportunities", "data")


def work_pages(args: dict) -> dict:
    """Each page in its own AppTest session: a first run and one more fill the caches (shared by the process, as
    on a server), then `runs` timed reruns of the same URL, nothing changed. Wall time per run, and the process's
    CPU time per run (AppTest runs the script in this process), which other processes on the machine disturb
    less."""
    from dashboard.navigation import PAGES
    from store.reference import DEFAULT_DATA_DIR

    # The demo folder, and a store of its own seeded from it by the first run (never the developer's).
    database = Path(args["database"])
    database.unlink(missing_ok=True)
    os.environ.update({"CARTE_DATA_DIR": str(DEFAULT_DATA_DIR), "CARTE_DATABASE_URL": f"sqlite:///{database}"})
    timeout = float(args.get("timeout", 600))
    runs = int(args.get("runs", 10))
    pages, errors = {}, []
    for key in WARM_PAGES:
        script, _, url_path, _ = PAGES[key]
        at = _new_session(REPO / "app.py", script, timeout)
        at.run()
        at.run()
        errors += _errors(at)
        walls, cpu0 = [], time.process_time()
        for _ in range(runs):
            t = time.perf_counter()
            at.run()
            walls.append(time.perf_counter() - t)
        cpu_ms = (time.process_time() - cpu0) / runs * 1000
        errors += _errors(at)
        pages["/" + url_path] = {**stats(walls), "cpu_ms_per_run": round(cpu_ms, 1)}
        log(f"    /{url_path}: warm rerun median {pages['/' + url_path]['median_ms']} ms, CPU {cpu_ms:.0f} ms/run")
    return {"pages": pages, "runs": runs, "errors": sorted(set(errors))[:10]}


def work_combined(args: dict) -> dict:
    """Both in one process (the 10× variant, to load the data once): cold start and pure python first, then
    AppTest sessions on the caches that filled (shared, as in a server), with other filter changes."""
    python = work_python(args)
    apptest = work_apptest({**args, "sequence": args["sequence_apptest"]})
    return {"python": python, "apptest": apptest}


def main() -> int:
    name, raw = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "{}"
    args = json.loads(raw)
    works = {"python": work_python, "apptest": work_apptest, "naive": work_naive, "combined": work_combined,
             "pages": work_pages}
    if name == "browser":
        from bench.browser import work_browser

        works["browser"] = work_browser
    try:
        result = works[name](args)
    except Exception as exc:  # reported in the results, the other measurements go on
        traceback.print_exc()
        result = {"error": f"{type(exc).__name__}: {exc}"}
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
