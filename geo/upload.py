"""Safety checks on what users upload, before anything is parsed: size, archives (paths outside the folder,
zip bombs), file names, duplicate headers and spreadsheet formulas. Pure functions; French messages naming the
file (and the row and column for a cell). The bounds are in `geo.limits`; the zip checks are `geo.io`'s, which
every reader applies too."""

from __future__ import annotations

import shutil
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import pandas as pd

from geo import io as readers
from geo.formulas import is_formula
from geo.io import ROW
from geo.limits import MAX_UPLOAD_BYTES
from geo.schema import DATASETS, TABLE_SUFFIXES
from geo.validate import ERREUR, Finding

UPLOAD_SUFFIXES = (*TABLE_SUFFIXES, ".zip")  # a data file, or a zip of a data folder


class UploadError(Exception):
    """The upload is refused as a whole; the message is French and names the file."""


def check_size(name: str, size: int, limit: int | None = None) -> None:
    readers.check_size(name, size, limit or MAX_UPLOAD_BYTES, UploadError)


def check_suffix(name: str) -> None:
    if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
        raise UploadError(f"Le format de « {name} » n'est pas accepté pour un import : CSV, XLSX ou archive .zip "
                          "d'un dossier de données.")


def safe_extract(archive: Path, dest: Path) -> Path:
    """Extract a zip of a data folder into `dest` after checking every member (`geo.io.check_archive`: no member
    unpacks to more than its header declares); the folder holding the files."""
    name = Path(archive).name
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            readers.check_archive(name, members, holds="dossier", error=UploadError)
            for info in members:
                target = dest.joinpath(*PurePosixPath(info.filename).parts)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, zlib.error, EOFError):
        raise UploadError(f"L'archive « {name} » est illisible (zip corrompu, chiffré ou non pris en charge).") \
            from None
    except OSError as exc:  # a member's name the system refuses (too long…)
        raise UploadError(f"L'archive « {name} » ne peut pas être extraite : {exc.strerror or exc}.") from None
    entries = [p for p in dest.iterdir() if not p.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return dest


def formula_cells(file: str, frame: pd.DataFrame) -> list[Finding]:
    """Every cell a spreadsheet would evaluate as a formula, by row and column."""
    findings = []
    rows = frame[ROW].tolist() if ROW in frame else [None] * len(frame)
    for column in frame.columns:
        if column in (ROW, "geometry"):
            continue
        for row, value in zip(rows, frame[column].tolist(), strict=True):
            if is_formula(value):
                findings.append(Finding(ERREUR, file, row, str(column),
                                        f"la cellule « {value[:40]} » est une formule de tableur : refusée.",
                                        "saisissez la valeur elle-même, sans « = » ni « + » ou « @ » initial."))
    return findings


def workbook_formulas(file: str, cells: list[tuple[int, str, str]]) -> list[Finding]:
    """The formula cells `geo.io.read_xlsx` listed (row, column header, formula): a spreadsheet would evaluate
    them, and the value they show is not what the import would store."""
    return [Finding(ERREUR, file, row, column, f"la cellule « {formula[:40]} » est une formule de tableur : refusée.",
                    "collez la valeur elle-même (collage spécial, valeurs).") for row, column, formula in cells]


def wrong_dataset(file: str, kind: str, columns: list[str]) -> Finding | None:
    """A file named after one dataset whose columns are those of another (e.g. régies in partenariats.csv)."""
    from geo.intake import recognise  # the one rule that tells a dataset from its columns

    best = recognise(columns, kinds=tuple(DATASETS)).kind
    if best is not None and best != kind:
        return Finding(ERREUR, file, None, None,
                       f"le fichier est nommé comme « {DATASETS[kind].label} » mais ses colonnes sont celles de "
                       f"« {DATASETS[best].label} ».",
                       f"renommez-le {DATASETS[best].file_stem}{Path(file).suffix} ou vérifiez son contenu.")
    return None
