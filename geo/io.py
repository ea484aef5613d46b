"""Reading the users' files as they are: GeoJSON, GeoPackage, Shapefile (folder or .zip), CSV, XLSX.

Every reader returns the raw table with its columns renamed to the model (`schema`) and a `_ligne` column holding
the row number the user sees (spreadsheet row, header = 1; feature number for geographic files). What cannot be
read at all raises `ReadError` with a French message naming the file; nothing else is raised at the caller.
Every reader is bounded whatever the file declares (`geo.limits`): bytes, unpacked bytes of a zip, line length,
rows, columns and cells; a file over a bound is refused with a message naming it.
"""

from __future__ import annotations

import csv
import io
import re
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import fr, limits
from geo.schema import (
    CSV_SUFFIXES,
    DATASETS,
    ROW,
    SPREADSHEET_SUFFIXES,
    WGS84,
    DatasetSpec,
    fold,
    is_blank,
    normalize_header,
)
from geo.validate import AVERTISSEMENT, Finding

GEO_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb"}

# Where French data can lie, in lon/lat: metropole and Corsica, then the five overseas départements.
FRANCE_BOXES = (
    (-5.6, 41.2, 9.9, 51.3),
    (-61.9, 15.8, -60.9, 16.6),  # Guadeloupe
    (-61.3, 14.3, -60.7, 14.95),  # Martinique
    (-54.7, 2.0, -51.5, 5.9),  # Guyane
    (55.1, -21.5, 56.0, -20.8),  # La Réunion
    (44.9, -13.1, 45.4, -12.5),  # Mayotte
)


class ReadError(Exception):
    """The file cannot be read at all; the message is French and names the file, and `row`/`column` say where
    when the fault is in one place (e.g. a header)."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.row = row
        self.column = column


def in_france(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Vectorised: is each lon/lat inside one of the French boxes?"""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    inside = np.zeros(lon.shape, dtype=bool)
    for xmin, ymin, xmax, ymax in FRANCE_BOXES:
        inside |= (lon >= xmin) & (lon <= xmax) & (lat >= ymin) & (lat <= ymax)
    return inside


def guess_kind(path: Path, columns: list[str] | None = None) -> str | None:
    """The dataset a file holds, from its name, else from its columns."""
    stem = fold(Path(path).stem).replace("-", "_")
    by_name = (  # first match wins: "patrimoine_qpv" is a patrimoine file, "declinaisons_regions" a declinaisons one
        ("patrimoine", "patrimoine"),
        ("rpls", "patrimoine"),
        ("declinaison", "declinaisons"),
        ("partenariat", "partenariats"),
        ("organisme", "organismes"),
        ("bailleur", "organismes"),
        ("regie", "regies"),
        ("departement", "departements"),
        ("region", "regions"),
        ("qpv", "qpv"),
        ("quartier", "qpv"),
        ("qp20", "qpv"),
    )
    for needle, kind in by_name:
        if needle in stem:
            return kind
    if columns:
        from geo.intake import recognise  # the one rule that tells a dataset from its columns (it reads files)

        return recognise(columns, kinds=tuple(DATASETS)).kind
    return None


def rename_to_model(frame: pd.DataFrame, spec: DatasetSpec) -> pd.DataFrame:
    """Model names for the users' headers; an exact name wins over an alias, the first alias over later ones."""
    mapping = spec.header_map()
    exact = {normalize_header(c.name) for c in spec.columns}
    candidates: dict[str, tuple[int, str]] = {}
    for position, original in enumerate(frame.columns):
        if original in ("geometry", ROW):
            continue
        key = normalize_header(original)
        target = mapping.get(key)
        if target is None:
            continue
        rank = 0 if key in exact else 1
        current = candidates.get(target)
        if current is None or (rank, position) < current:
            candidates[target] = (rank, position)
    renames = {frame.columns[pos]: target for target, (_, pos) in candidates.items()}
    kept = list(renames) + [c for c in (ROW, "geometry", "source") if c in frame.columns and c not in renames]
    return frame[kept].rename(columns=renames)


def _decode(raw: bytes, name: str) -> str:
    if not raw.strip():
        raise ReadError(f"Le fichier « {name} » est vide.")
    if b"\x00" in raw[:4096]:
        raise ReadError(f"Le fichier « {name} » n'est pas un fichier texte (CSV) lisible : contenu binaire.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\r\n\t")
        if controls > 0.01 * min(len(text), 4096):
            break
        return text
    raise ReadError(
        f"Le fichier « {name} » n'est pas un fichier texte lisible (encodage inconnu ou contenu binaire). "
        "Enregistrez-le en CSV UTF-8 depuis votre tableur."
    )


def _column_label(position: int) -> str:
    """Spreadsheet name of a 0-based column position: "B (colonne 2)"."""
    from openpyxl.utils import get_column_letter  # openpyxl is imported by the spreadsheets' readers, not every page

    return f"{get_column_letter(position + 1)} (colonne {position + 1})"


def check_header(headers: list[object], name: str) -> None:
    """Refuse a header naming a column twice (pandas would rename or drop one of them silently); blank headers
    of empty trailing columns do not count."""
    seen: dict[str, int] = {}
    for position, header in enumerate(headers):
        if is_blank(header):
            continue
        key = normalize_header(header)
        if key in seen:
            first = seen[key]
            raise ReadError(
                f"Le fichier « {name} » a deux colonnes « {str(header).strip()} » : {_column_label(first)} et "
                f"{_column_label(position)}. Supprimez ou renommez l'une des deux.", row=1, column=str(header).strip())
        seen[key] = position


def check_size(name: str, size: int, limit: int, error: type[Exception] = ReadError) -> None:
    """Refuse a file of more than `limit` bytes before reading any of it."""
    if size > limit:
        raise error(f"Le fichier « {name} » fait {fr.octets(size)} : la taille maximale est {fr.octets(limit)}.")


def check_archive(name: str, members: list[zipfile.ZipInfo], holds: str = "dossier",
                  error: type[Exception] = ReadError) -> None:
    """Refuse a zip before anything unpacks it: too many members, a path outside its folder or a link, a member
    packed far tighter than any real file (a zip bomb), more bytes unpacked than the limit. `holds` is "dossier"
    (a data folder), "classeur" (an XLSX is a zip) or "formes" (a shapefile). The sizes are those the zip
    declares: Python's zipfile stops at them and checks the CRC, so a lying header fails to read."""
    workbook = holds == "classeur"
    subject = f"L'archive du classeur « {name} »" if workbook else f"L'archive « {name} »"
    most = limits.MAX_WORKBOOK_PARTS if workbook else limits.MAX_ZIP_MEMBERS
    if len(members) > most:
        usual = {"classeur": "un classeur en a quelques dizaines", "formes": "un shapefile en a moins de dix"}.get(
            holds, "un dossier de données en contient au plus une dizaine")
        raise error(f"{subject} contient {fr.nombre(len(members))} fichiers : {usual} (limite {fr.nombre(most)}).")
    total = 0
    for info in members:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in info.filename:
            raise error(f"{subject} contient un chemin hors de son dossier (« {info.filename} ») : elle est refusée.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise error(f"{subject} contient un lien symbolique (« {info.filename} ») : elle est refusée.")
        total += info.file_size
        if info.file_size > limits.MAX_ZIP_RATIO * max(info.compress_size, 1) and info.file_size > 1_000_000:
            raise error(f"{subject} est anormalement compressée (« {info.filename} », {fr.octets(info.file_size)} "
                        f"une fois décompressé, plus de {limits.MAX_ZIP_RATIO} fois sa taille) : elle est refusée.")
    limit = limits.MAX_GEO_BYTES if holds == "formes" else limits.MAX_UNZIPPED_BYTES
    if total > limit:
        raise error(f"{subject} décompressée ferait {fr.octets(total)} : la taille maximale est {fr.octets(limit)}.")


def _check_line_lengths(text: str, name: str) -> None:
    """Refuse a line longer than the limit, in one linear pass: each window of limit + 1 characters must hold a
    line break (the last one found starts the next window)."""
    limit = limits.MAX_LINE_CHARS
    start = 0
    while len(text) - start > limit:
        end = start + limit + 1
        cut = max(text.rfind("\n", start, end), text.rfind("\r", start, end))
        if cut < 0:
            line = text.count("\n", 0, start) + 1
            raise ReadError(f"Le fichier « {name} » a une ligne de plus de {fr.nombre(limit)} caractères (ligne "
                            f"{fr.nombre(line)}) : ce n'est pas un tableau lisible (une ligne de données en fait au "
                            "plus quelques milliers).", row=line)
        start = cut + 1


_QUOTED = re.compile(r'"[^"]*"')
SEPARATORS = ";,\t"  # in this order of preference: French exports use « ; »


def _separator(text: str) -> str:
    """The separator most found outside quotes in the header line, ties broken by how many of the next lines
    have the same count. Counting, not `csv.Sniffer`, whose expressions backtrack for minutes on one long line;
    the sample is at most 20 lines, each under the line limit."""
    sample = text[: 20 * (limits.MAX_LINE_CHARS + 2)].splitlines()[:20]
    lines = [_QUOTED.sub("", line) for line in sample if line.strip()]
    if not lines:
        return ";"
    header, rest = lines[0], lines[1:]
    return max(SEPARATORS, key=lambda sep: (header.count(sep), sum(line.count(sep) == header.count(sep)
                                                                    for line in rest)))


def _row_limit(columns: int) -> int:
    """Data rows a table of `columns` columns may have: the row limit, fewer when the cells would exceed theirs."""
    return min(limits.MAX_ROWS, limits.MAX_CELLS // max(columns, 1))


def _too_many_rows(name: str, columns: int, row: int | None = None) -> ReadError:
    most = _row_limit(columns)
    where = "" if row is None else f" (une valeur à la ligne {fr.nombre(row)})"
    why = "" if most == limits.MAX_ROWS else (f" pour {fr.nombre(columns)} colonnes (au plus "
                                              f"{fr.nombre(limits.MAX_CELLS)} cellules)")
    return ReadError(f"Le fichier « {name} » a plus de {fr.nombre(most)} lignes de données{where} : la limite est "
                     f"{fr.nombre(most)} lignes{why}. Découpez-le en plusieurs fichiers.", row=row)


def _check_width(name: str, columns: int) -> None:
    if columns > limits.MAX_COLUMNS:
        raise ReadError(f"Le fichier « {name} » a {fr.nombre(columns)} colonnes : la limite est "
                        f"{fr.nombre(limits.MAX_COLUMNS)}.", row=1)


def read_csv(path: Path) -> pd.DataFrame:
    """CSV as users export it: UTF-8 (BOM or not) or cp1252, `,` `;` or tab separated, all cells as text."""
    path = Path(path)
    name = path.name
    check_size(name, path.stat().st_size, limits.MAX_UPLOAD_BYTES)
    text = _decode(path.read_bytes(), name)
    _check_line_lengths(text, name)
    delimiter = _separator(text)
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error as exc:
        raise ReadError(f"Le fichier « {name} » n'est pas un CSV valide : {exc}", row=1) from None
    check_header(header, name)
    _check_width(name, len(header))
    most = _row_limit(len(header))
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                            skip_blank_lines=True, nrows=most + 1)
    except (pd.errors.ParserError, ValueError) as exc:
        raise ReadError(f"Le fichier « {name} » n'est pas un CSV valide : {exc}") from None
    if len(frame) > most:
        raise _too_many_rows(name, len(header))
    if frame.columns.size < 2:
        raise ReadError(
            f"Le fichier « {name} » n'a qu'une colonne : le séparateur (« ; » ou « , ») n'a pas été reconnu."
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    frame[ROW] = np.arange(len(frame)) + 2
    return frame


@contextmanager
def _open_sheet(path: Path, kind: str | None, cached_values: bool):
    """The sheet `read_xlsx` reads, opened read-only after the zip checks, its declared dimensions dropped (a
    file can declare the whole grid, A1:XFD1048576, and openpyxl would walk it)."""
    from openpyxl import load_workbook

    name = path.name
    check_size(name, path.stat().st_size, limits.MAX_UPLOAD_BYTES)
    try:
        with zipfile.ZipFile(path) as archive:
            check_archive(name, archive.infolist(), holds="classeur")
        workbook = load_workbook(path, read_only=True, data_only=cached_values, keep_links=False)
    except ReadError:
        raise
    except Exception as exc:  # zipfile and openpyxl raise many types for a corrupt workbook
        raise ReadError(f"Le classeur « {name} » ne peut pas être ouvert : {exc}") from None
    try:  # closed at once: an upload's temporary folder is removed right after
        if not workbook.worksheets:
            raise ReadError(f"Le classeur « {name} » ne contient aucune feuille de calcul.")
        sheet = workbook.worksheets[0]
        for candidate in workbook.worksheets:
            if kind and normalize_header(candidate.title) == kind:
                sheet = candidate
        sheet.reset_dimensions()
        yield sheet
    finally:
        workbook.close()


def _empty(cell) -> bool:
    return cell.value is None or cell.value == ""


def _sheet_rows(sheet, name: str) -> Iterator[tuple[int, tuple]]:
    """Row number and cells of the header then of every row up to the last that holds a value, each as wide as
    the header (row 1, up to its last named column); blank rows after the last value are not kept. Refuses a
    header wider than the column limit and a value below the row limit."""
    header = next(sheet.iter_rows(min_row=1, max_row=1), ())
    width = max((position + 1 for position, cell in enumerate(header) if not _empty(cell)), default=0)
    _check_width(name, width)
    yield 1, header[:width]
    if width == 0:
        return
    last = _row_limit(width) + 1
    blank, filler = 0, None
    for number, cells in enumerate(sheet.iter_rows(min_row=2, max_col=width), start=2):
        if cells is filler or all(_empty(cell) for cell in cells):
            blank += 1
            filler = cells  # openpyxl yields one tuple for every row missing from the file: a million, at worst
            continue
        if number > last:
            raise _too_many_rows(name, width, number)
        yield from ((number - blank + k, ()) for k in range(blank))
        blank = 0
        yield number, cells


def _cell_text(cell) -> object:
    """A cell as `pandas.read_excel(dtype=str)` gave it: text, a whole number without `.0`, NaN for an error."""
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "e":
        return np.nan
    if cell.data_type == "n" and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: Path, kind: str | None, formulas: list | None = None) -> pd.DataFrame:
    """The sheet named after the dataset when there is one, else the first sheet; header on row 1, only the header's
    columns, in one bounded pass. The values are those the spreadsheet saved for its formulas; given a list
    `formulas`, the formulas themselves are looked for instead: each is appended as (row, column header, formula)
    and its cell left blank."""
    path = Path(path)
    name = path.name
    data, numbers = [], []
    try:
        with _open_sheet(path, kind, cached_values=formulas is None) as sheet:
            title = sheet.title
            rows = _sheet_rows(sheet, name)
            _, header = next(rows)
            headers = [_cell_text(cell) for cell in header]
            check_header(headers, name)
            columns = [str(h).strip() if h != "" else f"Unnamed: {k}" for k, h in enumerate(headers)]
            for number, cells in rows:
                values = [_cell_text(cell) for cell in cells] + [""] * (len(columns) - len(cells))
                for position, cell in enumerate(cells):
                    if formulas is not None and cell.data_type == "f":
                        formulas.append((number, columns[position], str(getattr(cell.value, "text", cell.value))))
                        values[position] = ""
                numbers.append(number)
                data.append(values)
    except ReadError:
        raise
    except Exception as exc:  # a part that opens but does not parse (truncated XML, a missing shared string…)
        raise ReadError(f"Le classeur « {name} » est illisible : {exc}") from None
    frame = pd.DataFrame(data, columns=columns, dtype=str)
    frame[ROW] = np.array(numbers, dtype="int64")
    frame.attrs["sheet"] = title  # a sheet's name may tell the dataset (geo.intake.recognise)
    return frame


def _shapefile_target(path: Path) -> str:
    """A path pyogrio opens: a .shp, a folder holding one, or a .zip holding one; the folder's files (links
    leading out of it refused) or the zip's members within the size limits."""
    name = path.name
    if path.is_dir():
        shapes = sorted(path.glob("*.shp"))
        if not shapes:
            raise ReadError(f"Le dossier « {name} » ne contient aucun fichier .shp.")
        files = [entry for entry in path.iterdir() if entry.is_file()]
        for entry in files:
            if not entry.resolve().is_relative_to(path.resolve()):
                raise ReadError(f"Le dossier « {name} » contient un lien vers un fichier hors de lui "
                                f"(« {entry.name} ») : il est refusé.")
        check_size(name, sum(entry.stat().st_size for entry in files), limits.MAX_GEO_BYTES)
        return str(shapes[0])
    check_size(name, path.stat().st_size, limits.MAX_GEO_BYTES)
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, OSError):
            raise ReadError(f"L'archive « {name} » est illisible (zip corrompu).") from None
        check_archive(name, members, holds="formes")
        inner = sorted(m.filename for m in members if m.filename.lower().endswith(".shp"))
        if not inner:
            raise ReadError(f"L'archive « {name} » ne contient aucun fichier .shp.")
        return f"/vsizip/{path.resolve()}/{inner[0]}"
    return str(path)


def read_geo(path: Path) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """A geographic file in WGS84, with the CRS checks that keep coordinates from being misplaced; at most the row
    limit of features and the column limit of fields."""
    path = Path(path)
    name = path.name
    if path.is_file() and path.stat().st_size == 0:
        raise ReadError(f"Le fichier « {name} » est vide.")
    target = _shapefile_target(path)
    import pyogrio  # ~30 MB, imported by the first geographic file read, not by every page (issue 20)

    try:
        frame = pyogrio.read_dataframe(target, max_features=limits.MAX_ROWS + 1)
    except Exception as exc:  # pyogrio/GDAL error types vary with the driver
        raise ReadError(f"Le fichier « {name} » n'est pas un fichier géographique lisible : {exc}") from None
    findings: list[Finding] = []
    if not isinstance(frame, gpd.GeoDataFrame) or "geometry" not in frame:
        raise ReadError(f"Le fichier « {name} » ne contient pas de géométries.")
    if len(frame) > limits.MAX_ROWS:
        raise ReadError(f"Le fichier « {name} » a plus de {fr.nombre(limits.MAX_ROWS)} entités : la limite est "
                        f"{fr.nombre(limits.MAX_ROWS)}.")
    _check_width(name, len(frame.columns) - 1)
    frame[ROW] = np.arange(len(frame)) + 1
    if frame.crs is None:
        xmin, ymin, xmax, ymax = frame.total_bounds if len(frame) else (0, 0, 0, 0)
        if -180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90:
            frame = frame.set_crs(WGS84)
            findings.append(
                Finding(AVERTISSEMENT, name, None, None,
                        "Aucun système de coordonnées déclaré (fichier .prj absent ?) : les coordonnées ont "
                        "l'allure de longitudes/latitudes et sont lues en WGS84.",
                        "Joignez le fichier .prj ou exportez en GeoJSON WGS84.")
            )
        else:
            raise ReadError(
                f"Le fichier « {name} » ne déclare aucun système de coordonnées (fichier .prj absent ?) et ses "
                f"coordonnées (x de {xmin:.0f} à {xmax:.0f}, y de {ymin:.0f} à {ymax:.0f}) ne sont pas des "
                "longitudes/latitudes : impossible de les placer sans deviner. Joignez le fichier .prj "
                "(Lambert-93 : EPSG:2154) ou exportez en GeoJSON WGS84."
            )
    elif not frame.crs.equals(WGS84):
        frame = frame.to_crs(WGS84)
    return frame, findings


@dataclass
class RawFile:
    kind: str
    frame: pd.DataFrame
    findings: list[Finding]


def read_any(path: Path, kind: str | None = None) -> RawFile:
    """Raw table of any supported file, columns renamed to the model of `kind` (guessed when not given)."""
    path = Path(path)
    if not path.exists():
        raise ReadError(f"Le fichier « {path} » n'existe pas.")
    suffix = path.suffix.lower()
    findings: list[Finding] = []
    if path.is_dir() or suffix in GEO_SUFFIXES:
        frame, findings = read_geo(path)
    elif suffix in CSV_SUFFIXES:
        frame = read_csv(path)
    elif suffix in SPREADSHEET_SUFFIXES:
        frame = read_xlsx(path, kind)
    else:
        raise ReadError(
            f"Le format de « {path.name} » n'est pas pris en charge (attendu : GeoJSON, GeoPackage, "
            "Shapefile, CSV ou XLSX)."
        )
    kind = kind or guess_kind(path, list(frame.columns))
    if kind is None:
        raise ReadError(
            f"Impossible de reconnaître le jeu de données de « {path.name} » (ni par son nom, ni par ses "
            "colonnes). Précisez-le avec --kind."
        )
    return RawFile(kind, rename_to_model(frame, DATASETS[kind]), findings)
