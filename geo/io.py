"""Reading the users' files as they are: GeoJSON, GeoPackage, Shapefile (folder or .zip), CSV, XLSX.

Every reader returns the raw table with its columns renamed to the model (`schema`) and a `_ligne` column holding
the row number the user sees (spreadsheet row, header = 1; feature number for geographic files). What cannot be
read at all raises `ReadError` with a French message naming the file; nothing else is raised at the caller.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from openpyxl.utils import get_column_letter

from geo.schema import DATASETS, WGS84, DatasetSpec, fold, is_blank, normalize_header
from geo.validate import AVERTISSEMENT, Finding

GEO_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb"}
TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm"}
ROW = "_ligne"

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
        headers = {normalize_header(c) for c in columns}
        scores = {}
        for name, spec in DATASETS.items():
            mapping = spec.header_map()
            found = {mapping[h] for h in headers if h in mapping}
            scores[name] = len(found & set(spec.required)) / max(len(spec.required), 1)
        best = max(scores, key=scores.get)
        if scores[best] >= 0.6:
            return best
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


def read_csv(path: Path) -> pd.DataFrame:
    """CSV as users export it: UTF-8 (BOM or not) or cp1252, `,` `;` or tab separated, all cells as text."""
    name = Path(path).name
    text = _decode(Path(path).read_bytes(), name)
    sample = "\n".join(text.splitlines()[:20])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        first = text.splitlines()[0]
        delimiter = max(";,\t", key=first.count)
    check_header(next(csv.reader(io.StringIO(text), delimiter=delimiter), []), name)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, skip_blank_lines=True
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise ReadError(f"Le fichier « {name} » n'est pas un CSV valide : {exc}") from None
    if frame.columns.size < 2:
        raise ReadError(
            f"Le fichier « {name} » n'a qu'une colonne : le séparateur (« ; » ou « , ») n'a pas été reconnu."
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    frame[ROW] = np.arange(len(frame)) + 2
    return frame


def read_xlsx(path: Path, kind: str | None) -> pd.DataFrame:
    """The sheet named after the dataset when there is one, else the first sheet; header on row 1."""
    name = Path(path).name
    try:
        sheets = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a corrupt workbook
        raise ReadError(f"Le classeur « {name} » ne peut pas être ouvert : {exc}") from None
    with sheets:  # closed at once: an upload's temporary folder is removed right after
        sheet = sheets.sheet_names[0]
        if kind:
            for candidate in sheets.sheet_names:
                if normalize_header(candidate) == kind:
                    sheet = candidate
        header = pd.read_excel(sheets, sheet_name=sheet, header=None, nrows=1, dtype=str)
        check_header(header.iloc[0].tolist() if len(header) else [], name)
        frame = pd.read_excel(sheets, sheet_name=sheet, dtype=str, keep_default_na=False)
    frame.columns = [str(c).strip() for c in frame.columns]
    frame[ROW] = np.arange(len(frame)) + 2
    return frame


def _shapefile_target(path: Path) -> str:
    """A path pyogrio opens: a .shp, a folder holding one, or a .zip holding one."""
    if path.is_dir():
        shapes = sorted(path.glob("*.shp"))
        if not shapes:
            raise ReadError(f"Le dossier « {path.name} » ne contient aucun fichier .shp.")
        return str(shapes[0])
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                inner = sorted(n for n in archive.namelist() if n.lower().endswith(".shp"))
        except zipfile.BadZipFile:
            raise ReadError(f"L'archive « {path.name} » est illisible (zip corrompu).") from None
        if not inner:
            raise ReadError(f"L'archive « {path.name} » ne contient aucun fichier .shp.")
        return f"/vsizip/{path.resolve()}/{inner[0]}"
    return str(path)


def read_geo(path: Path) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """A geographic file in WGS84, with the CRS checks that keep coordinates from being misplaced."""
    path = Path(path)
    name = path.name
    if path.is_file() and path.stat().st_size == 0:
        raise ReadError(f"Le fichier « {name} » est vide.")
    target = _shapefile_target(path)
    try:
        frame = pyogrio.read_dataframe(target)
    except Exception as exc:  # pyogrio/GDAL error types vary with the driver
        raise ReadError(f"Le fichier « {name} » n'est pas un fichier géographique lisible : {exc}") from None
    findings: list[Finding] = []
    if not isinstance(frame, gpd.GeoDataFrame) or "geometry" not in frame:
        raise ReadError(f"Le fichier « {name} » ne contient pas de géométries.")
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
    elif suffix in (".csv", ".txt"):
        frame = read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
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
