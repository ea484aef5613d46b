"""`make load` / `python -m bench.load`: N concurrent sessions against the app, over Streamlit's own websocket.

Each session does what a browser opening a shared link does, minus JavaScript and the static bundles: GET the
page (cookies kept, so a cookie-sticky proxy keeps the session on one server), GET `/_stcore/health` and
`/_stcore/host-config`, open `/_stcore/stream`, ask for the page's run (`BackMsg.rerun_script` with the page's URL
path and query string, as the frontend does on connect) and wait for `script_finished`. Then a filter change: a
rerun of the same page (its `page_script_hash`, from the run's `navigation` message) with a new query string, as
a sidebar link does. An exception element, a compile error, `page_not_found`, an HTTP error, a closed socket or
a timeout counts as an error.

Warm server time per page: one session alone on the server runs the page once, then `--warm-runs` more times with
the same URL; the median time from the rerun request to `script_finished` (loopback round trip included).

Memory: RSS of the server process(es), before the sessions, peak (sampled every 0.2 s) and after they end.
Loopback only, N ≤ MAX_SESSIONS, and the whole run stops by itself after `--timeout` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import OUT, REPO, log, stats

MAX_SESSIONS = 200
MAX_TIMEOUT_S = 1800
# URL paths of app.py's pages ("" = overview)
PAGES = ("", "carte", "partenariats", "territoires", "opportunites", "donnees")
# One filter change per session, cycled: sessions that share a filter share its cached tables, like a meeting.
FILTER_CHANGES = ("region=84", "region=11", "theme=inclusion-numerique", "region=76", "region=32&theme=cadre-de-vie",
                  "region=93", "region=44", "region=75")


def loopback_url(url: str) -> tuple[str, int]:
    """(host, port) of an http URL on this machine; anything else is refused: the tool never leaves loopback."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"Adresse refusée : {url!r} (attendu http://127.0.0.1:PORT)")
    host = "127.0.0.1" if parts.hostname == "localhost" else parts.hostname
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False  # a name would need DNS, which could point anywhere
    if not loopback:
        raise ValueError(f"Adresse refusée : {parts.hostname!r} n'est pas une adresse de bouclage (127.0.0.0/8, ::1)")
    if parts.path not in ("", "/"):
        raise ValueError(f"Adresse refusée : {url!r} (la page se choisit avec --page, pas dans l'adresse)")
    return host, parts.port or 80


def bounded(sessions: int, timeout_s: float) -> tuple[int, float]:
    """The run's size and duration, refused outside the caps (a load test must not become a denial of service)."""
    if not 1 <= sessions <= MAX_SESSIONS:
        raise ValueError(f"Nombre de sessions {sessions} hors limites (1 à {MAX_SESSIONS})")
    if not 0 < timeout_s <= MAX_TIMEOUT_S:
        raise ValueError(f"Durée maximale {timeout_s} s hors limites (0 à {MAX_TIMEOUT_S} s)")
    return sessions, timeout_s


# --- protocol ------------------------------------------------------------------------------------------------


def rerun_request(page: str, query: str, page_script_hash: str = "") -> bytes:
    """BackMsg asking for a run of `page` (URL path) with `query` (the URL's query string, without `?`)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = page
    msg.rerun_script.page_script_hash = page_script_hash
    msg.rerun_script.widget_states.SetInParent()
    return msg.SerializeToString()


@dataclass
class Run:
    """What one run sent back: its page's script hash, the errors shown, whether it finished."""

    page_script_hash: str = ""
    errors: list[str] = field(default_factory=list)
    finished: bool = False
    messages: int = 0
    bytes: int = 0


def read_message(data: bytes, run: Run) -> None:
    """Updates `run` with one ForwardMsg."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    msg.ParseFromString(data)
    run.messages += 1
    run.bytes += len(data)
    kind = msg.WhichOneof("type")
    if kind == "new_session" and not run.page_script_hash:
        run.page_script_hash = msg.new_session.page_script_hash
    elif kind == "navigation":
        run.page_script_hash = msg.navigation.page_script_hash
    elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
        if msg.delta.new_element.WhichOneof("type") == "exception":
            exc = msg.delta.new_element.exception
            run.errors.append(f"exception {exc.type}: {exc.message}")
    elif kind == "page_not_found":
        run.errors.append(f"page introuvable : {msg.page_not_found.page_name!r}")
    elif kind == "script_finished":
        status = msg.script_finished
        if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
            run.errors.append("erreur de compilation du script")
            run.finished = True
        elif status == ForwardMsg.FINISHED_SUCCESSFULLY:
            run.finished = True
        # FINISHED_EARLY_FOR_RERUN (st.rerun) and fragment runs: the page's run goes on


async def run_page(ws, page: str, query: str, page_script_hash: str = "") -> Run:
    await ws.send(rerun_request(page, query, page_script_hash))
    run = Run(page_script_hash=page_script_hash)
    while not run.finished:
        read_message(await ws.recv(), run)
    return run


async def http_get(host: str, port: int, path: str, cookies: dict[str, str]) -> int:
    """A plain HTTP/1.1 GET (Connection: close); stores the response's cookies in `cookies`, returns the status."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\nConnection: close\r\n"
        writer.write((request + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n").encode("latin-1"))
        await writer.drain()
        head, _, _ = (await reader.read()).partition(b"\r\n\r\n")
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    lines = head.decode("latin-1").split("\r\n")
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "set-cookie":
            key, _, rest = value.strip().partition("=")
            cookies[key] = rest.split(";", 1)[0]
    return int(lines[0].split()[1])


async def connect(host: str, port: int, cookies: dict[str, str]):
    import websockets

    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else None
    return await websockets.connect(f"ws://{host}:{port}/_stcore/stream", subprotocols=["streamlit"],
                                    origin=f"http://{host}:{port}", additional_headers=headers, max_size=None,
                                    open_timeout=None, ping_interval=None)


# --- sessions ------------------------------------------------------------------------------------------------


@dataclass
class SessionResult:
    index: int
    first_s: float | None = None  # session start (GET of the page) → script_finished
    change_s: float | None = None  # filter change request → script_finished
    errors: list[str] = field(default_factory=list)
    bytes: int = 0


async def session(index: int, host: str, port: int, page: str, query: str, change: str,
                  go: asyncio.Event, result: SessionResult) -> None:
    await go.wait()
    start = time.perf_counter()
    cookies: dict[str, str] = {}
    try:
        for path in (f"/{page}" + (f"?{query}" if query else ""), "/_stcore/health", "/_stcore/host-config"):
            status = await http_get(host, port, path, cookies)
            if status != 200:
                result.errors.append(f"HTTP {status} sur {path}")
                return
        ws = await connect(host, port, cookies)
        try:
            first = await run_page(ws, page, query)
            result.first_s = time.perf_counter() - start
            asked = time.perf_counter()
            second = await run_page(ws, page, change, first.page_script_hash)
            result.change_s = time.perf_counter() - asked
            result.errors += first.errors + second.errors
            result.bytes = first.bytes + second.bytes
        finally:
            await ws.close()
    except Exception as exc:  # every failure of a session is a finding of the test, reported, not raised
        result.errors.append(f"{type(exc).__name__}: {exc}")


class ServerProbe:
    """RSS of the server processes (sum, MiB), sampled in the background (`peak`), and CPU accounting: the
    servers' CPU seconds, and the cores other processes took meanwhile (a shared machine slows every timing)."""

    def __init__(self, pids: list[int]):
        import psutil

        self.processes = [psutil.Process(pid) for pid in pids]
        self.peak = 0.0
        self._task: asyncio.Task | None = None
        self._cpu0: tuple[float, float, float, float] | None = None

    def rss_mb(self) -> float | None:
        try:
            value = sum(p.memory_info().rss for p in self.processes) / 2**20
        except Exception:  # a server that exited: no figure rather than a wrong one
            return None
        self.peak = max(self.peak, value)
        return round(value, 1)

    def _cpu(self) -> tuple[float, float, float, float]:
        """(wall, all CPUs busy, servers, this process) in seconds."""
        import psutil

        busy = psutil.cpu_times()
        servers = sum(sum(p.cpu_times()[:4]) for p in self.processes)
        me = psutil.Process().cpu_times()
        return (time.perf_counter(), busy.user + busy.nice + busy.system + busy.irq + busy.softirq, servers,
                me.user + me.system)

    async def _loop(self) -> None:
        while True:
            self.rss_mb()
            await asyncio.sleep(0.2)

    def start(self) -> None:
        self.peak = 0.0
        self._cpu0 = self._cpu()
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> dict:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        wall, busy, servers, me = (b - a for a, b in zip(self._cpu0, self._cpu(), strict=True))
        return {"rss_peak_mb": round(self.peak, 1), "server_cpu_s": round(servers, 3),
                "load_tool_cpu_s": round(me, 1), "other_processes_cores": round(max(busy - servers - me, 0) / wall, 2)}


async def burst(host: str, port: int, sessions: int, page: str, query: str, deadline: float) -> list[SessionResult]:
    """`sessions` sessions released at the same instant; those still running at `deadline` count as timed out."""
    go = asyncio.Event()
    results = [SessionResult(i) for i in range(sessions)]
    tasks = [asyncio.create_task(session(i, host, port, page, query, FILTER_CHANGES[i % len(FILTER_CHANGES)], go, r))
             for i, r in enumerate(results)]
    go.set()
    _, pending = await asyncio.wait(tasks, timeout=max(deadline - time.monotonic(), 0))
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task, result in zip(tasks, results, strict=True):
        if task in pending:
            result.errors.append("délai dépassé (--timeout)")
    return results


async def warm_times(host: str, port: int, page: str, runs: int, probe: ServerProbe) -> dict:
    """Median time of `runs` reruns of a page, after one run that fills the caches, one session alone; and the
    servers' CPU time per run, which other processes on the machine disturb much less than the wall time."""
    cookies: dict[str, str] = {}
    await http_get(host, port, f"/{page}", cookies)
    ws = await connect(host, port, cookies)
    try:
        first = await run_page(ws, page, "")
        times, errors = [], list(first.errors)
        probe.start()
        for _ in range(runs):
            asked = time.perf_counter()
            run = await run_page(ws, page, "", first.page_script_hash)
            times.append(time.perf_counter() - asked)
            errors += run.errors
        cpu = await probe.stop()
    finally:
        await ws.close()
    per_run = round(cpu["server_cpu_s"] * 1000 / runs, 1) if probe.processes and runs else None
    return {"page": f"/{page}", **stats(times), "server_cpu_ms_per_run": per_run,
            "other_processes_cores": cpu["other_processes_cores"] if probe.processes else None, "errors": errors}


# --- report --------------------------------------------------------------------------------------------------


def summarize(results: list[SessionResult]) -> dict:
    """Errors and timings of a burst: `stats` of the first loads and of the filter changes."""
    failed = [r for r in results if r.errors]
    return {
        "sessions": len(results),
        "sessions_with_errors": len(failed),
        "errors": sorted({e for r in failed for e in r.errors}),
        "first_load": stats([r.first_s for r in results if r.first_s is not None and not r.errors]),
        "filter_change": stats([r.change_s for r in results if r.change_s is not None and not r.errors]),
        "mean_bytes_received": round(statistics.fmean([r.bytes for r in results])) if results else 0,
    }


def _ms(value: float | None) -> str:
    from geo import fr

    return "—" if value is None else f"{fr.nombre(value)} ms"


def _mb(value: float | None) -> str:
    from geo import fr

    return "—" if value is None else f"{fr.nombre(value)} Mo"


def format_report(report: dict) -> str:
    """The run's figures in French, one line each, for the terminal and bench/README.md."""
    from geo import fr

    lines = []
    for page in report.get("warm", []):
        cpu = page.get("server_cpu_ms_per_run")
        lines.append(f"Rerun chaud {page['page']:<14} médiane {_ms(page.get('median_ms'))}, "
                     f"p95 {_ms(page.get('p95_ms'))}" + (f", CPU serveur {_ms(cpu)} par run" if cpu is not None else "")
                     + f" (n = {page['n']}"
                     + (f", autres processus {fr.nombre(page['other_processes_cores'], 2)} cœur"
                        if page.get("other_processes_cores") is not None else "") + ")"
                     + (f", {fr.pluriel(len(page['errors']), 'erreur')}" if page["errors"] else ""))
    for number, wave in enumerate(report.get("waves", []), start=1):
        burst_ = wave["summary"]
        lines.append(f"Vague {number} : {fr.pluriel(burst_['sessions'], 'session')} sur {report['page']}, "
                     f"{fr.pluriel(burst_['sessions_with_errors'], 'session')} en erreur")
        for key, label in (("first_load", "page finie (1re visite)"), ("filter_change", "changement de filtre")):
            s = burst_[key]
            lines.append(f"  {label} : médiane {_ms(s.get('median_ms'))}, p95 {_ms(s.get('p95_ms'))}, "
                         f"max {_ms(s.get('max_ms'))}")
        lines.append(f"  mémoire du serveur : avant {_mb(wave['rss_before_mb'])}, pic {_mb(wave['rss_peak_mb'])}, "
                     f"après {_mb(wave['rss_after_mb'])}")
        if wave.get("server_cpu_s") is not None:
            lines.append(f"  CPU : serveur {fr.nombre(wave['server_cpu_s'], 1)} s "
                         f"en {fr.nombre(wave['duration_s'], 1)} s, "
                         f"autres processus {fr.nombre(wave['other_processes_cores'], 2)} cœur")
        lines += [f"  erreur : {e}" for e in burst_["errors"][:10]]
    return "\n".join(lines)


# --- command line --------------------------------------------------------------------------------------------


def server_pids(args, server) -> list[int]:
    if server is not None:
        return [server.proc.pid]
    return list(args.pid)


async def main_async(args, host: str, port: int, pids: list[int]) -> dict:
    page = args.page.strip("/")
    deadline = time.monotonic() + args.timeout
    report: dict = {"page": f"/{page}" + (f"?{args.query}" if args.query else ""), "sessions": args.sessions,
                    "warm": [], "waves": []}
    probe = ServerProbe(pids)
    for name in PAGES if args.warm_runs else ():
        log(f"rerun chaud /{name}…")
        report["warm"].append(await asyncio.wait_for(warm_times(host, port, name, args.warm_runs, probe),
                                                     max(deadline - time.monotonic(), 0.1)))
    # A shared link is opened on a running server: one visit first, so that the waves do not measure loading.
    await asyncio.wait_for(warm_times(host, port, page, 0, probe), max(deadline - time.monotonic(), 0.1))
    for number in range(1, args.waves + 1):
        log(f"vague {number} : {args.sessions} sessions…")
        wave: dict = {"rss_before_mb": probe.rss_mb() if pids else None}
        probe.start()
        started = time.perf_counter()
        results = await burst(host, port, args.sessions, page, args.query, deadline)
        wave["duration_s"] = round(time.perf_counter() - started, 2)
        wave.update(await probe.stop())
        if not pids:
            wave["rss_peak_mb"] = wave["server_cpu_s"] = wave["other_processes_cores"] = None
        await asyncio.sleep(min(args.settle, max(deadline - time.monotonic(), 0)))
        wave["rss_after_mb"] = probe.rss_mb() if pids else None
        wave["summary"] = summarize(results)
        wave["sessions_detail"] = [asdict(r) for r in results]
        report["waves"].append(wave)
    return report


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="serveur déjà lancé (http://127.0.0.1:PORT) ; sinon l'outil lance app.py")
    parser.add_argument("--pid", type=int, action="append", default=[],
                        help="processus serveur dont mesurer la mémoire (avec --url ; répétable)")
    parser.add_argument("--data", default=str(REPO / "data" / "demo"), help="CARTE_DATA_DIR du serveur lancé")
    parser.add_argument("-n", "--sessions", type=int, default=50, help=f"sessions simultanées (≤ {MAX_SESSIONS})")
    parser.add_argument("--page", default="carte", help="chemin de la page ouverte (défaut : carte)")
    parser.add_argument("--query", default="", help="paramètres d'URL de la première visite (sans « ? »)")
    parser.add_argument("--waves", type=int, default=2, choices=range(1, 6), metavar="1-5",
                        help="vagues successives de sessions (la mémoire après chacune montre si elle croît)")
    parser.add_argument("--warm-runs", type=int, default=10, help="reruns chauds mesurés par page (0 : aucun)")
    parser.add_argument("--settle", type=float, default=5.0, help="attente avant la mémoire « après » (s)")
    parser.add_argument("--timeout", type=float, default=300, help=f"durée maximale totale (s, ≤ {MAX_TIMEOUT_S})")
    parser.add_argument("--json", type=Path, default=OUT / "load.json", help="résultats détaillés (JSON)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        bounded(args.sessions, args.timeout)
        host, port = loopback_url(args.url) if args.url else ("127.0.0.1", 0)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    server = None
    if not args.url:
        from bench.browser import Server

        server = Server("app.py", args.data, "load")
        log(f"serveur prêt en {server.wait_ready():.1f} s")
        port = server.port
    started = time.time()
    try:
        report = asyncio.run(asyncio.wait_for(main_async(args, host, port, server_pids(args, server)),
                                              args.timeout + 30))
    finally:
        if server is not None:
            server.stop()
    report["total_s"] = round(time.time() - started, 1)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(format_report(report))
    log(f"détails : {args.json}")
    errors = sum(w["summary"]["sessions_with_errors"] for w in report["waves"]) + sum(
        len(p["errors"]) for p in report["warm"])
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
