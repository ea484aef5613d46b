"""`python -m bench.cold_start`: from `streamlit run` to the first page finished, and the server's memory then.

For one data folder, in a state folder of its own (`CARTE_STATE_DIR`, with the SQLite store and the data cache):
1. **fresh**: an empty state folder, so the first run seeds the store and builds everything (a new clone's first
   `make run`);
2. **existing**: the same folder again, server restarted (a restart, or one more process behind the proxy).
Each time the server is launched, `/_stcore/health` polled, then one session opens the page over Streamlit's
websocket (`bench.load`: the page's GETs, then the run asked for as the frontend asks it) and waits for its
`script_finished`: "first page finished" is that moment, counted from the launch. Then the server's RSS (and its
high-water mark) and the CPU time it has used (user + system: on a shared machine, less distorted by the other
processes than the elapsed time). The page is `/` (Vue d'ensemble, what `make run` opens) unless `--page`.

"Before" runs the same on the app of the commit `BEFORE` (extracted by `git archive` into bench/out/cold/, put
first on the servers' `PYTHONPATH`), "after" on the working tree; before and after alternate per scenario, on the
same data. The servers write bytecode (`PYTHONDONTWRITEBYTECODE` removed), as a developer's machine does: the
fresh run pays the compilation of the app's modules, the next ones do not. Last, in a fresh process on the
seeded store, the CPU time of the join (`dashboard.data._build`) against reading the same data back from the cache.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from io import BytesIO
from pathlib import Path

from bench.common import OUT, REPO, log, peak_rss_of, rss_mb

BEFORE = "285ded7"  # main before the data cache (issue 20)
COLD = OUT / "cold"
SCENARIOS = ("fresh", "existing")


def extract(rev: str, dest: Path) -> Path:
    """The app's tree at `rev` under `dest` (static/node_modules linked to ours: npm's files are not in git)."""
    archive = subprocess.run(["git", "archive", rev], cwd=REPO, capture_output=True, check=True).stdout
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    if (REPO / "static" / "node_modules").is_dir():
        (dest / "static" / "node_modules").symlink_to(REPO / "static" / "node_modules")
    return dest


class ColdServer:
    """`streamlit run app.py` of `tree` on a free port, with its own state folder and data folder."""

    def __init__(self, tree: Path, data_dir: Path, state_dir: Path, log_path: Path):
        from bench.browser import _free_port

        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update({"CARTE_DATA_DIR": str(data_dir), "CARTE_STATE_DIR": str(state_dir),
                    "CARTE_DATABASE_URL": f"sqlite:///{state_dir / 'carte.sqlite3'}",
                    "PYTHONPATH": str(tree)})
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
            cwd=tree, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    async def first_page(self, page: str, timeout: float) -> dict:
        from bench.load import connect, http_get, run_page

        deadline = time.perf_counter() + timeout
        ready = None
        while ready is None:
            if self.proc.poll() is not None:
                raise RuntimeError(f"le serveur s'est arrêté ({self.proc.returncode}), voir {self.log.name}")
            if time.perf_counter() > deadline:
                raise TimeoutError("serveur pas prêt")
            try:
                if await http_get("127.0.0.1", self.port, "/_stcore/health", {}) == 200:
                    ready = time.perf_counter() - self.started
            except OSError:
                await asyncio.sleep(0.05)
        cookies: dict[str, str] = {}
        for path in (f"/{page}", "/_stcore/host-config"):
            await http_get("127.0.0.1", self.port, path, cookies)
        ws = await connect("127.0.0.1", self.port, cookies)
        try:
            run = await asyncio.wait_for(run_page(ws, page, ""), max(deadline - time.perf_counter(), 1))
        finally:
            await ws.close()
        return {"server_ready_s": round(ready, 2), "first_page_s": round(time.perf_counter() - self.started, 2),
                "errors": run.errors}

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def launch(tree: Path, data_dir: Path, state_dir: Path, name: str, page: str, timeout: float) -> dict:
    import psutil

    server = ColdServer(tree, data_dir, state_dir, COLD / f"server-{name}.log")
    try:
        result = asyncio.run(server.first_page(page, timeout))
        time.sleep(0.5)  # the run's last messages handled: the memory of a server that has shown its page
        result["rss_mb"] = round(rss_mb(server.proc.pid), 1)
        cpu = psutil.Process(server.proc.pid).cpu_times()
        result["server_cpu_s"] = round(cpu.user + cpu.system, 2)
        result["peak_rss_mb"] = round(peak_rss_of(server.proc.pid) or 0, 1)
    finally:
        server.stop()
    log(f"    {name}: prêt {result['server_ready_s']} s, 1re page finie {result['first_page_s']} s, "
        f"CPU du serveur {result['server_cpu_s']} s, RSS {result['rss_mb']} Mo (pic {result['peak_rss_mb']} Mo)"
        f"{' ERREURS' if result['errors'] else ''}")
    return result


# In a fresh process, on a seeded store: the join as `dashboard.data` builds it, then the same data read back from
# the cache file it wrote (CPU time of this process: single-threaded work, the figure a busy machine distorts least).
DATA_PHASE = """
import json, sys, time
from dashboard import data
from store import snapshot
data.store()
source = data.source()
t = time.process_time(); built = data._build(source); build = time.process_time() - t
folder = snapshot.cache_dir() / "bench"
snapshot.load_or_build("donnees", source, lambda: built, folder)
t = time.process_time(); snapshot.load_or_build("donnees", source, sys.exit, folder); read = time.process_time() - t
size = sum(f.stat().st_size for f in folder.glob("donnees-*.pickle"))
print(json.dumps({"build_cpu_s": round(build, 3), "read_cpu_s": round(read, 3), "file_mb": round(size / 2**20, 1)}))
"""


def data_phase(data_dir: Path, state_dir: Path) -> dict:
    env = dict(os.environ, CARTE_DATA_DIR=str(data_dir), CARTE_STATE_DIR=str(state_dir),
               CARTE_DATABASE_URL=f"sqlite:///{state_dir / 'carte.sqlite3'}")
    done = subprocess.run([sys.executable, "-c", DATA_PHASE], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=1800)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    log(f"    données : jointure {result['build_cpu_s']} s CPU, relecture du cache {result['read_cpu_s']} s CPU "
        f"({result['file_mb']} Mo)")
    return result


def measure(data_dir: Path, label: str, page: str = "", before: str | None = BEFORE, timeout: float = 600) -> dict:
    """Fresh then existing store, before (commit `before`) and after (working tree), alternating."""
    trees = {"after": REPO}
    if before:
        trees = {"before": extract(before, COLD / f"app-{before}"), **trees}
    out: dict = {"data_dir": str(data_dir), "page": f"/{page}", "before_commit": before}
    for version in trees:
        shutil.rmtree(COLD / f"state-{label}-{version}", ignore_errors=True)
    for scenario in SCENARIOS:
        for version, tree in trees.items():
            name = f"{label}-{version}-{scenario}"
            out.setdefault(version, {})[scenario] = launch(tree, data_dir, COLD / f"state-{label}-{version}", name,
                                                           page, timeout)
    out["data_phase"] = data_phase(data_dir, COLD / f"state-{label}-after")
    return out


def _figure(run: dict | None, key: str, unit: str) -> str:
    if not run or run.get(key) is None:
        return "—"
    return f"{run[key]:.1f} {unit}" + (" (erreurs)" if run.get("errors") else "")


def table_rows(cold: dict) -> list[tuple]:
    """The rows of `bench.__main__.table` (label, ours, naive, ratio, target, target key): before → after."""
    rows: list[tuple] = []
    for label, title in (("demo", "démo"), ("x10", "x10")):
        result = cold.get(label)
        if not result:
            continue
        before, after = result.get("before") or {}, result.get("after") or {}
        rows.append((f"== Démarrage à froid, {title} : streamlit run → 1re page finie ({result['page']}), avant "
                     f"({result.get('before_commit') or '—'}) → après ==",))
        for scenario, text in (("fresh", "base neuve (1er make run, base remplie comprise)"),
                               ("existing", "base existante (redémarrage, processus de plus)")):
            key = {"demo": {"fresh": "cold_fresh_s", "existing": "cold_existing_s"},
                   "x10": {"existing": "cold_x10_s"}}[label].get(scenario)
            limit = {"cold_fresh_s": "≤ 5 s", "cold_existing_s": "≤ 3 s", "cold_x10_s": "≤ 10 s"}.get(key, "")
            rows.append((f"  {text}", f"{_figure(before.get(scenario), 'first_page_s', 's')} → "
                         f"{_figure(after.get(scenario), 'first_page_s', 's')}", "", "", limit, key))
            rows.append(("    CPU du serveur jusque-là", f"{_figure(before.get(scenario), 'server_cpu_s', 's')} → "
                         f"{_figure(after.get(scenario), 'server_cpu_s', 's')}"))
        phase = result.get("data_phase") or {}
        if "build_cpu_s" in phase:
            rows.append(("  données, processus seul : jointure → relecture du cache (CPU)",
                         f"{phase['build_cpu_s']:.2f} s → {phase['read_cpu_s']:.2f} s ({phase['file_mb']} Mo)"))
        rows.append(("  RSS du serveur après la 1re page (base existante)",
                     f"{_figure(before.get('existing'), 'rss_mb', 'Mo')} → "
                     f"{_figure(after.get('existing'), 'rss_mb', 'Mo')}", "", "",
                     "≤ 200 Mo" if label == "demo" else "", "process_mb" if label == "demo" else None))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO / "data" / "demo", help="CARTE_DATA_DIR (défaut : démo)")
    parser.add_argument("--label", default="demo", help="nom des dossiers d'état et des journaux")
    parser.add_argument("--page", default="", help="chemin de la page ouverte (défaut : vue d'ensemble)")
    parser.add_argument("--before", default=BEFORE, help="commit « avant » ; vide : seulement l'arbre de travail")
    parser.add_argument("--json", type=Path, default=COLD / "cold_start.json")
    args = parser.parse_args(argv)
    COLD.mkdir(parents=True, exist_ok=True)
    result = measure(args.data, args.label, args.page.strip("/"), args.before or None)
    args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
