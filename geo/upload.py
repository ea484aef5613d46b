"""Safety checks on what users upload, before anything is parsed: size, archives (paths outside the folder,
zip bombs), file names, duplicate headers and spreadsheet formulas. Pure functions; French messages naming the
file (and the row and column for a cell)."""

from __future__ import annotations

import re
import stat
import zipfile
from pathlib import Path, PurePosixPath

import pandas as pd

from geo import fr
from geo.io import ROW
from geo.schema import DATASETS, normalize_header
from geo.validate import ERREUR, Finding

MIB = 1024 * 1024  # a "Mo" as Streamlit's server.maxUploadSize counts it
MAX_UPLOAD_BYTES = 50 * MIB
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200  # uncompressed / compressed size of one member; text compresses ~10x
MAX_ZIP_MEMBERS = 100
UPLOAD_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".zip"}
# A cell a spreadsheet would run as a formula (CSV injection): =…, @…, a leading tab or carriage return, or +/-
# followed by a call, a reference or a DDE pipe (`+cmd|' /C calc'!A0`). "- Ateliers" or "-2,37" stay text/numbers.
FORMULA = re.compile(r"^(?:[=@\t\r]|[+\-].*[(!|=])")


class UploadError(Exception):
    """The upload is refused as a whole; the message is French and names the file."""


def check_size(name: str, size: int, limit: int | None = None) -> None:
    limit = limit or MAX_UPLOAD_BYTES
    if size > limit:
        raise UploadError(f"Le fichier « {name} » fait {fr.octets(size)} : la taille maximale est "
                          f"{fr.octets(limit)}.")


def check_suffix(name: str) -> None:
    if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
        raise UploadError(f"Le format de « {name} » n'est pas accepté pour un import : CSV, XLSX ou archive .zip "
                          "d'un dossier de données.")


def safe_extract(archive: Path, dest: Path) -> Path:
    """Extract a zip of a data folder into `dest` after checking every member; the folder holding the files."""
    name = Path(archive).name
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            _check_members(name, members)
            for info in members:
                target = dest.joinpath(*PurePosixPath(info.filename).parts)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as source, open(target, "wb") as out:
                    written = 0
                    while chunk := source.read(1 << 20):
                        written += len(chunk)
                        if written > info.file_size:  # the header lied about the size
                            raise UploadError(f"L'archive « {name} » est invalide (taille déclarée inexacte).")
                        out.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError):
        raise UploadError(f"L'archive « {name} » est illisible (zip corrompu, chiffré ou non pris en charge).") \
            from None
    entries = [p for p in dest.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return dest


def _check_members(name: str, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_ZIP_MEMBERS:
        raise UploadError(f"L'archive « {name} » contient {len(members)} fichiers : un dossier de données en "
                          f"contient au plus une dizaine (limite {MAX_ZIP_MEMBERS}).")
    total = 0
    for info in members:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in info.filename:
            raise UploadError(f"L'archive « {name} » contient un chemin hors de son dossier "
                              f"(« {info.filename} ») : elle est refusée.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UploadError(f"L'archive « {name} » contient un lien symbolique (« {info.filename} ») : elle est "
                              "refusée.")
        total += info.file_size
        if info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1) and info.file_size > 1_000_000:
            raise UploadError(f"L'archive « {name} » est anormalement compressée (« {info.filename} ») : elle est "
                              "refusée.")
    if total > MAX_UNZIPPED_BYTES:
        raise UploadError(f"L'archive « {name} » décompressée ferait {fr.octets(total)} : la taille maximale est "
                          f"{fr.octets(MAX_UNZIPPED_BYTES)}.")




def formula_cells(file: str, frame: pd.DataFrame) -> list[Finding]:
    """Every cell a spreadsheet would evaluate as a formula, by row and column."""
    findings = []
    rows = frame[ROW].tolist() if ROW in frame else [None] * len(frame)
    for column in frame.columns:
        if column in (ROW, "geometry"):
            continue
        for row, value in zip(rows, frame[column].tolist(), strict=True):
            if isinstance(value, str) and FORMULA.match(value):
                findings.append(Finding(ERREUR, file, row, str(column),
                                        f"la cellule « {value[:40]} » est une formule de tableur : refusée.",
                                        "saisissez la valeur elle-même, sans « = » ni « + » ou « @ » initial."))
    return findings


def workbook_formulas(path: Path, kind: str) -> list[Finding]:
    """Formula cells of the sheet `geo.io.read_xlsx` reads (pandas sees only their cached values)."""
    from openpyxl import load_workbook

    name = Path(path).name
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception:  # unreadable workbooks are reported by the reader itself
        return []
    try:
        sheet = workbook.worksheets[0]
        for candidate in workbook.worksheets:
            if normalize_header(candidate.title) == kind:
                sheet = candidate
        findings, headers = [], []
        for number, row in enumerate(sheet.iter_rows(), start=1):
            if number == 1:
                headers = [str(cell.value or "").strip() for cell in row]
                continue
            for position, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    column = headers[position] if position < len(headers) else str(position + 1)
                    findings.append(Finding(ERREUR, name, number, column,
                                            f"la cellule « {str(cell.value)[:40]} » est une formule de tableur : "
                                            "refusée.", "collez la valeur elle-même (collage spécial, valeurs)."))
        return findings
    finally:
        workbook.close()


def wrong_dataset(file: str, kind: str, columns: list[str]) -> Finding | None:
    """A file named after one dataset whose columns are those of another (e.g. régies in partenariats.csv)."""
    headers = {normalize_header(c) for c in columns}

    def score(name: str) -> float:
        spec = DATASETS[name]
        found = {spec.header_map()[h] for h in headers if h in spec.header_map()}
        return len(found & set(spec.required)) / max(len(spec.required), 1)

    own = score(kind)
    best = max(DATASETS, key=score)
    if best != kind and score(best) >= 0.6 and own < 1:
        return Finding(ERREUR, file, None, None,
                       f"le fichier est nommé comme « {DATASETS[kind].label} » mais ses colonnes sont celles de "
                       f"« {DATASETS[best].label} ».",
                       f"renommez-le {DATASETS[best].file_stem}{Path(file).suffix} ou vérifiez son contenu.")
    return None
