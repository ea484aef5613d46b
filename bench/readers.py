"""The readers against the hostile files of issue 15, before and after their hardening, in one run
(`python -m bench.readers [--budget S] [--before REV]` prints the JSON; `make bench` records it in results.json).

Cases: a 10 MiB CSV of one line (and the same line at 32 KiB, where the old reader still finishes), a workbook
declaring the whole grid with a value at row 1 048 576, a workbook whose shared strings unpack to 116 MB, a data
folder whose manifest names files outside it, and an honest 2 000-row CSV and XLSX for reference. Each is read as
an import reads it (values, and a workbook's formulas), the manifest case as `load_folder` reads a folder.

"Before" is the `geo` package of the commit before the hardening (`BEFORE`, extracted by `git archive`), "after"
the working tree's; each case runs in a fresh process whose read is stopped after the budget (an alarm; the
imports do not count). Per case: wall time of the read, what came of it (rows read or the message), and the
resident memory it added (VmHWM at the end minus RSS before the read).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from io import BytesIO
from pathlib import Path

from bench.common import OUT, REPO, RESULT_PREFIX, emit, peak_rss_mb, rss_mb

BEFORE = "0f82182"  # main just before issue 15's hardening of the readers
BUDGET_S = 10.0
STARTUP_S = 60.0  # imports of a fresh process on a loaded machine, beyond which the process itself is killed
KIB, MIB = 1024, 1024 * 1024
CASES = {  # name: (file or folder under the work folder, dataset, label of the table)
    "csv_one_line_10mib": ("ligne-10mio/partenariats.csv", "partenariats", "CSV d'une seule ligne de 10 Mio"),
    "csv_one_line_32kib": ("ligne-32kio/partenariats.csv", "partenariats", "  la même ligne à 32 Kio"),
    "xlsx_declared_grid": ("grille/partenariats.xlsx", "partenariats",
                           "XLSX déclarant A1:XFD1048576, une valeur en ligne 1 048 576"),
    "xlsx_shared_strings_bomb": ("bombe/partenariats.xlsx", "partenariats",
                                 "XLSX dont les chaînes partagées font 116 Mo une fois décompressées"),
    "manifest_escape": ("manifeste/donnees", None, "manifest.json nommant deux fichiers hors du dossier"),
    "csv_2000_rows": ("normal/partenariats.csv", "partenariats", "référence : CSV de 2 000 partenariats"),
    "xlsx_2000_rows": ("normal/partenariats.xlsx", "partenariats", "référence : XLSX de 2 000 partenariats"),
}


def write_cases(work: Path) -> None:
    """The hostile and reference files, under `work` (tests.geo.hostile writes the hostile ones)."""
    import pandas as pd

    from tests.geo import hostile

    shutil.rmtree(work, ignore_errors=True)
    for relative, _, _ in CASES.values():
        (work / relative).parent.mkdir(parents=True, exist_ok=True)
    hostile.one_line_csv(work / CASES["csv_one_line_10mib"][0], 10 * MIB)
    hostile.one_line_csv(work / CASES["csv_one_line_32kib"][0], 32 * KIB)
    hostile.declared_huge_workbook(work / CASES["xlsx_declared_grid"][0])
    hostile.shared_strings_bomb(work / CASES["xlsx_shared_strings_bomb"][0])
    folder = hostile.escaping_manifest_folder(work / CASES["manifest_escape"][0], work / "manifeste" / "ailleurs")
    shutil.copy(REPO / "data" / "demo" / "partenariats.csv", folder / "partenariats.csv")
    demo = pd.read_csv(REPO / "data" / "demo" / "partenariats.csv", sep=";", dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")
    copies = [demo.assign(id_partenariat=demo["id_partenariat"] + f"-{k}") for k in range(4)]
    normal = pd.concat(copies, ignore_index=True).head(2000)
    normal.to_csv(work / CASES["csv_2000_rows"][0], sep=";", index=False, encoding="utf-8-sig")
    normal.to_excel(work / CASES["xlsx_2000_rows"][0], index=False, sheet_name="partenariats")


def extract_before(rev: str, dest: Path) -> str | None:
    """The `geo` package of `rev` and the reference files it reads (data/ref) under `dest`; None, or why not (no
    git, unknown commit)."""
    try:
        archive = subprocess.run(["git", "archive", rev, "geo", "data/ref"], cwd=REPO, capture_output=True,
                                 check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"git archive {rev}: {getattr(exc, 'stderr', b'') or exc}"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return None


def read_case(case: str, path: Path, kind: str | None) -> str:
    """What an import or `geo check` makes of the file, with whichever `geo` this process imported."""
    import inspect

    from geo.io import ReadError, read_any, read_xlsx
    from geo.load import load_folder

    if case == "manifest_escape":
        datasets = load_folder(path)
        outside = sum(datasets.regies["nom"].str.contains("hors du dossier")) + sum(
            datasets.organismes["nom"].str.contains("hors du dossier"))
        refused = [f for f in datasets.findings if f.file == "manifest.json"]
        return f"{outside} ligne(s) lue(s) hors du dossier, {len(refused)} erreur(s) sur manifest.json"
    try:
        if path.suffix == ".csv":
            frame = read_any(path, kind).frame
        elif "formulas" in inspect.signature(read_xlsx).parameters:  # one pass gives values and formulas
            frame = read_xlsx(path, kind, [])
        else:  # the old import read the values with pandas, then walked the sheet again for formulas
            from geo.upload import workbook_formulas

            frame = read_xlsx(path, kind)
            workbook_formulas(path, kind)
    except ReadError as exc:
        return f"refusé : {exc}"
    return f"lu : {len(frame)} lignes"


class _Stopped(BaseException):  # not an Exception: the readers turn those into a French message
    pass


def _stop(signum, frame):
    raise _Stopped


def _worker(case: str, path: str, kind: str | None, budget: float) -> None:
    import openpyxl  # noqa: F401  (imported before the clock starts, as a server has them)

    import geo
    import geo.load
    import geo.upload  # noqa: F401

    before = rss_mb()
    signal.signal(signal.SIGALRM, _stop)
    signal.setitimer(signal.ITIMER_REAL, budget)
    start = time.perf_counter()
    try:
        outcome = read_case(case, Path(path), kind)
    except _Stopped:
        emit({"s": None, "stopped_after_s": budget, "outcome": f"arrêté après {budget:.0f} s",
              "geo": str(Path(geo.__file__).parent)})
        return
    seconds = time.perf_counter() - start
    signal.setitimer(signal.ITIMER_REAL, 0)
    emit({"s": round(seconds, 3), "outcome": outcome, "added_rss_mb": round(peak_rss_mb() - before, 1),
          "geo": str(Path(geo.__file__).parent)})


def run_case(case: str, path: Path, kind: str | None, geo_parent: Path, budget: float) -> dict:
    """One read in a fresh process whose `geo` comes from `geo_parent` (it is the working directory, first on
    sys.path); the read is stopped after `budget` seconds."""
    command = [sys.executable, "-m", "bench.readers", "--worker", case, str(path), kind or "", str(budget)]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=geo_parent, capture_output=True, text=True, timeout=budget + STARTUP_S,
                              env={**os.environ, "PYTHONHASHSEED": "0"})
    except subprocess.TimeoutExpired:  # the read held on past the alarm, in code that does not see signals
        return {"s": None, "stopped_after_s": budget + STARTUP_S, "outcome": "processus tué"}
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if not lines:
        return {"s": None, "outcome": f"erreur (code {done.returncode}) : {done.stderr.strip()[-300:]}",
                "process_s": round(time.perf_counter() - started, 1)}
    return json.loads(lines[-1][len(RESULT_PREFIX):])


def measure(work: Path | None = None, before: str = BEFORE, budget: float = BUDGET_S) -> dict:
    work = work or OUT / "readers"
    write_cases(work / "cases")
    problem = extract_before(before, work / "before")
    results: dict = {"date": dt.datetime.now().isoformat(timespec="seconds"), "before_commit": before,
                     "budget_s": budget, "load_average_start": [round(x, 2) for x in os.getloadavg()], "cases": {}}
    if problem:
        results["before_error"] = problem
    for case, (relative, kind, label) in CASES.items():
        path = work / "cases" / relative
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size
        results["cases"][case] = {
            "label": label, "bytes": size,
            "before": None if problem else run_case(case, path, kind, work / "before", budget),
            "after": run_case(case, path, kind, REPO, budget),
        }
    results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readers", description=__doc__)
    parser.add_argument("--budget", type=float, default=BUDGET_S, help="secondes au plus par lecture")
    parser.add_argument("--before", default=BEFORE, help="commit dont les lecteurs font l'« avant »")
    parser.add_argument("--worker", nargs=4, metavar=("CAS", "CHEMIN", "JEU", "BUDGET"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        case, path, kind, budget = args.worker
        _worker(case, path, kind or None, float(budget))
        return 0
    print(json.dumps(measure(before=args.before, budget=args.budget), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
