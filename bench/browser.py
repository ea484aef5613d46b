"""Headless Chromium against real `streamlit run` servers: time from navigation to the QPV layer painted.

"Painted": the streamlit-folium iframe holds at least N `path.leaflet-interactive` elements (N = the number of
QPV in the view), then two animation frames have passed (so the browser has drawn them). An init script, run in
every frame, counts them every 10 ms and stamps `Date.now()` on the top window; the time is taken
from the top document's `performance.timeOrigin` (navigation start).

Leaflet of the naive page: explore() points at CDNs, unreachable here. Every request leaving 127.0.0.1 is
intercepted by Playwright (`context.route`) for both pages: `leaflet.js` / `leaflet.css` are fulfilled from the
same local npm files our page serves from /app/static; the other CDN files of explore() (jQuery, Bootstrap,
Font Awesome, awesome-markers) are fulfilled with an empty 200 (the naive page then parses less JavaScript than it
really would: the comparison favours it); map tiles are aborted (our page shows none by default).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.common import OUT, REPO, data_env, log, map_page, peak_rss_of, rss_mb

CHROMIUM = os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
LEAFLET_DIR = REPO / "static" / "node_modules" / "leaflet" / "dist"

PAINTED_SCRIPT = """
(() => {
  if (window === window.top) return;
  const N = __N__;
  const timer = setInterval(() => {
    const n = document.querySelectorAll('path.leaflet-interactive').length;
    if (n < N) return;
    clearInterval(timer);
    requestAnimationFrame(() => requestAnimationFrame(() => {
      try { if (!window.top.__painted) window.top.__painted = {t: Date.now(), n: n}; } catch (e) {}
    }));
  }, 10);
})();
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run SCRIPT` on a free local port, its output in bench/out/."""

    def __init__(self, script: str, data_dir: str, name: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        OUT.mkdir(parents=True, exist_ok=True)
        self.log = open(OUT / f"server-{name}.log", "w")  # noqa: SIM115 - closed in stop()
        env = dict(os.environ, **data_env(data_dir))
        self.started = time.time()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 120) -> float:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}, see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return time.time() - self.started
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("server not ready")

    def rss_mb(self) -> float:
        return rss_mb(self.proc.pid)

    def peak_mb(self) -> float | None:
        return peak_rss_of(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def _route(route) -> None:
    url = route.request.url
    name = url.split("?")[0].rsplit("/", 1)[-1]
    if name in ("leaflet.js", "leaflet.css"):
        kind = "application/javascript" if name.endswith(".js") else "text/css"
        route.fulfill(status=200, body=(LEAFLET_DIR / name).read_bytes(), content_type=kind)
    elif route.request.resource_type in ("script", "stylesheet"):
        kind = "application/javascript" if route.request.resource_type == "script" else "text/css"
        route.fulfill(status=200, body=b"", content_type=kind)
    else:
        route.abort()


# A pattern, not a Python predicate: Playwright then intercepts only the matching requests in the browser, and the
# local ones are not held until Python answers them.
OUTSIDE = re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/])")


def _kind(url: str) -> str:
    """What a response is, for the byte count: data files the app serves, libraries, frontends."""
    path = "/" + url.split("://", 1)[-1].split("/", 1)[-1].split("?")[0]
    if path.startswith("/app/static/node_modules/") or path.endswith(("leaflet.js", "leaflet.css")):
        return "leaflet_and_plugins"
    if path.startswith("/app/static/"):
        return "app_static_data"
    if path.startswith("/component/"):
        return "streamlit_folium_frontend"
    if not url.startswith(("http://127.0.0.1", "http://localhost")):
        return "cdn_stubbed"
    return "streamlit_frontend"


class Browser:
    def __init__(self):
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        self.last_http: dict[str, int] = {}

    def open(self, url: str, n_paths: int, timeout_s: float = 120):
        """A new context (a new visitor, empty cache) and page; navigate and wait for the QPV layer painted.

        Returns (context, page, milliseconds from navigation start to painted, websocket bytes received)."""
        context = self.browser.new_context(viewport={"width": 1400, "height": 900})
        context.route(OUTSIDE, _route)
        context.add_init_script(PAINTED_SCRIPT.replace("__N__", str(int(n_paths))))
        page = context.new_page()
        received = [0]

        def on_websocket(ws):
            ws.on("framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload)))

        page.on("websocket", on_websocket)
        finished = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.goto(url, wait_until="commit")
        page.wait_for_function("() => window.__painted", timeout=timeout_s * 1000, polling=50)
        painted = page.evaluate("() => [window.__painted.t - performance.timeOrigin, window.__painted.n]")
        http: dict[str, int] = {}
        for request in finished:
            try:
                size = request.sizes()["responseBodySize"]
            except Exception:  # a request without sizes counts for nothing
                continue
            kind = _kind(request.url)
            http[kind] = http.get(kind, 0) + max(int(size), 0)
        self.last_http = http
        return context, page, float(painted[0]), received[0], int(painted[1])

    def measure(self, url: str, n_paths: int, reps: int, warmup: bool = True) -> dict:
        """`reps` fresh visits (after a warm-up visit unless the server just served this view), each in its own
        context (a new visitor: new session, empty cache), closed afterwards."""
        times, wire, counts = [], [], []
        for k in range(reps + int(warmup)):
            context, _, ms, bytes_in, n = self.open(url, n_paths)
            context.close()
            if k or not warmup:
                times.append(ms)
                wire.append(bytes_in)
                counts.append(n)
        times.sort()
        return {"url": url.split("/", 3)[-1], "n_paths_waited": n_paths, "paths_seen": counts[-1] if counts else None,
                "reps": reps, "median_ms": round(times[len(times) // 2], 0), "min_ms": round(times[0], 0),
                "max_ms": round(times[-1], 0), "times_ms": [round(t) for t in times],
                "websocket_bytes": int(sorted(wire)[len(wire) // 2]) if wire else None,
                "http_bytes": dict(self.last_http)}

    def close(self) -> None:
        self.browser.close()
        self._pw.stop()


def work_browser(args: dict) -> dict:
    data_dir = args["data_dir"]
    reps = int(args.get("reps", 5))
    tabs = int(args.get("tabs", 4))
    region = args["region"]
    n_national, n_region = int(args["n_qpv"]), int(args["n_region"])
    _, url_path = map_page()
    result: dict = {"leaflet_for_naive": "CDN requests intercepted by Playwright page.route: leaflet.js/.css from "
                                          "static/node_modules (same files as ours), other CDN files empty"}
    browser = Browser()
    ours = Server("app.py", data_dir, "ours")
    naive = floor = None
    try:
        # Cold start to first paint: server launched, then the first visitor opens the map page.
        ready = ours.wait_ready()
        context, _, ms, _, _ = browser.open(f"{ours.url}/{url_path}", n_national, timeout_s=300)
        cold_first_paint = time.time() - ours.started
        context.close()
        result["ours_cold"] = {"server_ready_s": round(ready, 2), "first_paint_ms_after_navigation": round(ms),
                               "launch_to_first_paint_s": round(cold_first_paint, 2)}
        log(f"    ours, cold: server ready {ready:.1f} s, first paint {cold_first_paint:.1f} s after launch")
        result["ours_national"] = browser.measure(f"{ours.url}/{url_path}", n_national, reps, warmup=False)
        log(f"    ours /{url_path}: painted in {result['ours_national']['times_ms']} ms")
        result["ours_regional"] = browser.measure(f"{ours.url}/{url_path}?region={region}", n_region, reps)
        log(f"    ours /{url_path}?region={region}: painted in {result['ours_regional']['times_ms']} ms")

        # Extra server memory per additional session: tabs kept open on the same server.
        opened, points = [], []
        for _ in range(tabs + 1):
            context, _, _, _, _ = browser.open(f"{ours.url}/{url_path}", n_national)
            opened.append(context)
            time.sleep(1.5)
            points.append(round(ours.rss_mb(), 1))
        per_tab = (points[-1] - points[0]) / tabs if tabs else None
        result["ours_tabs_memory"] = {"tabs_added": tabs, "server_rss_mb": points,
                                      "per_session_mb": round(per_tab, 1) if per_tab is not None else None}
        log(f"    server RSS with 1..{tabs + 1} tabs: {points} MB -> {result['ours_tabs_memory']['per_session_mb']} "
            "MB per extra tab")
        for context in opened:
            context.close()
        result["ours_server_peak_rss_mb"] = ours.peak_mb()
        ours.stop()

        naive = Server("bench/naive_app.py", data_dir, "naive")
        ready = naive.wait_ready()
        context, _, ms, _, _ = browser.open(naive.url + "/", n_national, timeout_s=300)
        result["naive_cold"] = {"server_ready_s": round(ready, 2), "first_paint_ms_after_navigation": round(ms),
                                "launch_to_first_paint_s": round(time.time() - naive.started, 2)}
        context.close()
        result["naive_national"] = browser.measure(naive.url + "/", n_national, reps, warmup=False)
        log(f"    naive /: painted in {result['naive_national']['times_ms']} ms")
        result["naive_regional"] = browser.measure(f"{naive.url}/?region={region}", n_region, reps)
        log(f"    naive /?region={region}: painted in {result['naive_regional']['times_ms']} ms")
        result["naive_server_peak_rss_mb"] = naive.peak_mb()
        naive.stop()

        floor = Server("bench/floor_app.py", data_dir, "floor")
        floor.wait_ready()
        result["floor"] = browser.measure(floor.url + "/", 1, reps)
        log(f"    floor (one polygon): painted in {result['floor']['times_ms']} ms")
        floor.stop()
    finally:
        if ours.proc.poll() is None:
            ours.stop()
        for server in (naive, floor):
            if server is not None and server.proc.poll() is None:
                server.stop()
        browser.close()
    return result


if __name__ == "__main__":  # manual check: python -m bench.browser DATA_DIR
    print(work_browser({"data_dir": str(Path(sys.argv[1]).resolve()), "region": "11", "n_qpv": 1600,
                        "n_region": 314, "reps": 2, "tabs": 1}))
