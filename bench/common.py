"""Shared helpers of the benchmark: paths, timing, memory, the filter sequence, worker subprocesses."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
OUT = BENCH / "out"
RESULT_PREFIX = "BENCH-RESULT "
THEMES = ("cadre-de-vie", "transition-ecologique", "cohesion-sociale", "precarite-energetique",
          "inclusion-numerique", "insertion-professionnelle")
SEED = 20241127


def map_page() -> tuple[str, str]:
    """(script relative to app.py, URL path) of the map page, as the app declares it (the app is imported on
    call: the benchmark's parent process never loads Streamlit)."""
    from dashboard.navigation import PAGES

    script, _, url_path, _ = PAGES["map"]
    return script, url_path


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rss_mb(pid: int | None = None) -> float:
    import psutil

    return psutil.Process(pid or os.getpid()).memory_info().rss / 2**20


def peak_rss_mb() -> float:
    """High-water mark of this process's resident memory since it started (VmHWM; not ru_maxrss, which Linux
    carries over from the parent across fork and exec)."""
    return peak_rss_of(os.getpid()) or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settled_rss_mb() -> float:
    """RSS after a full garbage collection and glibc's malloc_trim: what the process really keeps, without the
    free heap pages the allocator has not yet returned (they make per-session growth noisy)."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    return rss_mb()


def peak_rss_of(pid: int) -> float | None:
    """VmHWM of another process (Linux), in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def stats(values: list[float]) -> dict:
    """Median, p95, min, max and count of timings (seconds in, milliseconds out)."""
    if not values:
        return {"n": 0}
    arr = np.asarray(values, dtype=float) * 1000
    return {"n": len(values), "median_ms": round(float(np.median(arr)), 1),
            "p95_ms": round(float(np.percentile(arr, 95)), 1), "min_ms": round(float(arr.min()), 1),
            "max_ms": round(float(arr.max()), 1)}


def region_counts(data_dir: Path) -> dict[str, int]:
    """QPV per région code in the data folder, largest first (attributes only, no geometry)."""
    import pyogrio

    frame = pyogrio.read_dataframe(Path(data_dir) / "qpv.geojson", columns=["insee_reg"], read_geometry=False)
    counts = frame["insee_reg"].astype(str).value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def filter_sequence(regions: list[str], count: int, seed: int = SEED, exclude: list[dict] = ()
                    ) -> list[dict[str, str]]:
    """`count` distinct filter changes (URL parameters), mixing national and regional views, with and without a
    theme, in a fixed pseudo-random order. Never the unfiltered view (that is the warm-up)."""
    rng = np.random.default_rng(seed)
    combos = []
    for region in [None, *regions]:
        for theme in [None, *THEMES]:
            if region is None and theme is None:
                continue
            params = {}
            if region:
                params["region"] = region
            if theme:
                params["theme"] = theme
            if params not in exclude:
                combos.append(params)
    order = rng.permutation(len(combos))
    national = [combos[i] for i in order if "region" not in combos[i]]
    regional = [combos[i] for i in order if "region" in combos[i]]
    # One change in four is a national view (a theme on all of France, the heaviest map), the others regional.
    mixed = []
    for i in range(min(count, len(combos))):
        source = national if (i % 4 == 3 and national) or not regional else regional
        mixed.append(source.pop(0))
    return mixed[:count]


def data_env(data_dir) -> dict[str, str]:
    """The app's environment for a benchmark data folder: the folder, and a store of its own beside it (seeded from
    it by the first run) rather than the developer's `.cache/carte.sqlite3`."""
    folder = Path(data_dir)
    return {"CARTE_DATA_DIR": str(folder),
            "CARTE_DATABASE_URL": f"sqlite:///{folder.parent / (folder.name + '.sqlite3')}"}


def run_worker(name: str, args: dict, timeout: float = 900) -> dict:
    """Run `python -m bench.worker name` in a fresh process; its progress goes to our stderr, its result is the
    JSON line it prints with RESULT_PREFIX."""
    import psutil

    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    cpu0, children0, self0 = psutil.cpu_times(), _cpu(resource.RUSAGE_CHILDREN), _cpu(resource.RUSAGE_SELF)
    if args.get("data_dir"):
        env.update(data_env(args["data_dir"]))
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.worker", name, json.dumps(args)], cwd=REPO, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
    )
    result = None
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            line = line.rstrip("\n")
            if line.startswith(RESULT_PREFIX):
                result = json.loads(line[len(RESULT_PREFIX):])
            elif line.startswith("    ") or line.startswith("  ["):
                log(line)
            elif _noise(line):
                continue
            else:
                log("    | " + line)
            if time.perf_counter() - started > timeout:
                proc.kill()
                raise TimeoutError(f"worker {name} took more than {timeout:.0f} s")
    finally:
        proc.wait()
    wall = time.perf_counter() - started
    cpu1 = psutil.cpu_times()
    busy = sum(getattr(cpu1, f, 0.0) - getattr(cpu0, f, 0.0) for f in ("user", "nice", "system", "irq", "softirq"))
    ours = (_cpu(resource.RUSAGE_CHILDREN) - children0) + (_cpu(resource.RUSAGE_SELF) - self0)
    if result is None:
        result = {"error": f"worker {name} exited with {proc.returncode} without a result"}
    result.setdefault("worker_seconds", round(wall, 1))
    # CPU used by processes that are not the benchmark's while this worker ran, in cores (0 = idle machine):
    # other sessions' tests on a shared machine make every timing slower.
    result["other_processes_cores"] = round(max(busy - ours, 0.0) / wall, 2) if wall > 0 else None
    return result


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _noise(line: str) -> bool:
    return (not line.strip() or "missing ScriptRunContext" in line or "No runtime found" in line
            or "to view a Streamlit app on a browser" in line or "Warning: to view" in line)


def emit(result: dict) -> None:
    print(RESULT_PREFIX + json.dumps(result, default=str), flush=True)


def against_addok(measure, module: str) -> dict:
    """`measure(url)` against CARTE_TEST_ADDOK_URL, or `python -m module` again under a local addok started for it
    (tools/test-addok.sh), whose last output line is the result; a failed start is the result's error."""
    url = os.environ.get("CARTE_TEST_ADDOK_URL")
    if url:
        return measure(url)
    done = subprocess.run([str(REPO / "tools" / "test-addok.sh"), sys.executable, "-m", module],
                          cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or [f"code {done.returncode}"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])
