"""Loading and validating one file or a whole data folder into the typed frames of `geo.datasets`.

Each value is converted to its model type; whatever is wrong becomes a `Finding` naming the file, the row as the
user sees it and the column. A row with an `erreur` is kept out of the frames (and reported), never dropped
silently; an `avertissement` keeps the row. Nothing here raises at the caller except for programming errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import fr, ref
from geo.communes import region_of_commune
from geo.datasets import Datasets, empty_table
from geo.io import GEO_SUFFIXES, ROW, ReadError, in_france, read_any
from geo.manifest import MANIFEST_NAME, load_manifest, read_manifest
from geo.schema import (
    CODE_QP,
    CODE_WIDTHS,
    DATASETS,
    DECLINAISON_SIGNEE,
    TABLE_SUFFIXES,
    WGS84,
    Column,
    DatasetSpec,
    fold,
    is_blank,
    match_choice,
    normalize_code,
    parse_theme,
    split_list,
    suggest,
    suggest_theme,
)
from geo.territory import has_geometry, locate_departements
from geo.validate import AVERTISSEMENT, ERREUR, Finding

REQUIRED_KINDS = ("qpv", "regies", "organismes", "partenariats")
BOUNDARY_KINDS = ("regions", "departements")
WEB_LINK = re.compile(r"https?://[^\s/]+", re.IGNORECASE)  # a document link: http(s) and a host, nothing else
MAX_TEXT_LENGTH = 2000  # characters of one text cell (a description, a name): longer is an input mistake
OPTIONAL_KINDS = ("declinaisons", "patrimoine")


class _Collector:
    """Findings of one file, and the rows an error excludes."""

    def __init__(self, file: str, rows: pd.Series):
        self.file = file
        self.rows = rows
        self.findings: list[Finding] = []
        self.bad: set = set()

    def add(self, severity: str, index, column: str | None, message: str, suggestion: str | None = None):
        row = None if index is None else int(self.rows.loc[index])
        self.findings.append(Finding(severity, self.file, row, column, message, suggestion))
        if severity == ERREUR and index is not None:
            self.bad.add(index)

    def whole_file(self, severity: str, message: str, suggestion: str | None = None):
        self.findings.append(Finding(severity, self.file, None, None, message, suggestion))


_NUMBER_SPACES = re.compile(r"[\s\u00a0\u202f']")


def _parse_number(text: str) -> float | None:
    """French or English notation: `1 234,5`, `1234.5`, `1 234`; None when not a number."""
    cleaned = _NUMBER_SPACES.sub("", text)
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    elif cleaned.count(",") >= 1 and "." in cleaned:
        cleaned = cleaned.replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _convert_cell(column: Column, text: str) -> tuple[object, list[tuple[str, str, str | None]]]:
    """One non-blank cell: its typed value and the problems found (severity, message, suggestion)."""
    name = column.name
    issues: list[tuple[str, str, str | None]] = []
    if column.kind == "text":
        if len(text) > MAX_TEXT_LENGTH:
            issues.append((ERREUR, f"texte trop long ({fr.nombre(len(text))} caractères) : au plus "
                           f"{fr.nombre(MAX_TEXT_LENGTH)}.", "raccourcissez le texte."))
        return text, issues
    if column.kind == "code":
        code = normalize_code(text, CODE_WIDTHS.get(name, 0))
        if code != normalize_code(text):
            issues.append((AVERTISSEMENT, f"zéro initial restauré : « {text} » lu « {code} ».", None))
        if name == "code_qp" and not CODE_QP.match(code):
            issues.append((ERREUR, f"code QPV « {text} » invalide (attendu par ex. QN07519M).", None))
        if name in ("siren", "siren_organisme") and not (code.isdigit() and len(code) == 9):
            issues.append((ERREUR, f"SIREN « {text} » invalide : 9 chiffres attendus.", None))
        return code, issues
    if column.kind in ("int", "float"):
        number = _parse_number(text)
        if number is None:
            issues.append((ERREUR, f"« {text} » n'est pas un nombre.", None))
        elif number < 0 and name not in ("latitude", "longitude"):
            issues.append((ERREUR, f"valeur négative ({text}) : un nombre positif est attendu.", None))
        elif column.kind == "int" and number != int(number):
            issues.append((ERREUR, f"« {text} » n'est pas un nombre entier.", None))
        return number, issues
    if column.kind == "date":
        date = fr.parse_date(text)
        if date is None:
            issues.append((ERREUR, f"date « {text} » illisible.", f"format attendu : {fr.DATE_HINT}."))
        return date, issues
    if column.kind == "enum":
        choice = match_choice(text, column.choices)
        if choice is None:
            hint = suggest(text, column.choices)
            issues.append((ERREUR, f"valeur « {text} » inconnue (attendu : {', '.join(column.choices)}).",
                           f"« {hint} »" if hint else None))
        return choice, issues
    if column.kind == "list":
        return split_list(text), issues
    raise ValueError(f"unknown column kind {column.kind}")  # pragma: no cover - the schema uses the kinds above


def _convert_column(frame: pd.DataFrame, column: Column, out: _Collector, dataset: str) -> pd.Series:
    """Typed column; each distinct text is parsed once (dates, statuses, amounts repeat across thousands of
    rows), its problems reported on every row that holds it."""
    name = column.name
    cells = frame[name].to_numpy() if name in frame else [None] * len(frame)  # an absent column: all blank
    parsed: dict[str, tuple[object, list]] = {}
    values = []
    for index, raw in zip(frame.index, cells, strict=True):
        if is_blank(raw):
            if column.required:
                out.add(ERREUR, index, name, "valeur manquante (colonne obligatoire).")
            values.append([] if column.kind == "list" else None)
            continue
        text = str(raw).strip()
        if text not in parsed:
            parsed[text] = _convert_cell(column, text)
        value, issues = parsed[text]
        for severity, message, suggestion in issues:
            out.add(severity, index, name, message, suggestion)
        values.append(list(value) if column.kind == "list" else value)
    series = pd.Series(values, index=frame.index, dtype="object")
    if column.kind == "int":
        return pd.array([None if v is None else int(v) for v in series], dtype="Int64")
    if column.kind == "float":
        return pd.to_numeric(series, errors="coerce").astype(float)
    if column.kind == "date":
        return pd.to_datetime(series)
    return series


def _check_duplicates(frame: pd.DataFrame, key: str, out: _Collector) -> None:
    if key not in frame:
        return
    first_row: dict = {}
    for index, value in frame[key].items():
        if is_blank(value):
            continue
        if value in first_row:
            out.add(ERREUR, index, key, f"identifiant « {value} » en double (déjà ligne {first_row[value]}).")
        else:
            first_row[value] = int(out.rows.loc[index])


def _check_qpv_codes(frame: pd.DataFrame, column: str, out: _Collector) -> None:
    for index, codes in frame[column].items():
        for code in codes or []:
            if not CODE_QP.match(code.upper()):
                out.add(ERREUR, index, column, f"code QPV « {code} » invalide (attendu par ex. QN07519M).")
    frame[column] = [[c.upper() for c in codes or []] for codes in frame[column]]


def _check_themes(frame: pd.DataFrame, out: _Collector) -> None:
    slugs = []
    for index, labels in frame["themes"].items():
        row_slugs = []
        for label in labels or []:
            theme = parse_theme(label)
            if theme is None:
                hint = suggest_theme(label)
                out.add(ERREUR, index, "themes", f"thème « {label} » inconnu.", f"« {hint} »" if hint else
                        "un des six thèmes de la convention (voir data/README.md).")
            elif theme.slug not in row_slugs:
                row_slugs.append(theme.slug)
        slugs.append(row_slugs)
    frame["themes"] = pd.Series(slugs, index=frame.index, dtype="object")


def _check_coordinates(frame: pd.DataFrame, out: _Collector, required: bool) -> None:
    lat = pd.to_numeric(frame["latitude"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    lon = pd.to_numeric(frame["longitude"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(lat) & ~np.isnan(lon)
    ok = in_france(lon, lat)
    swapped = in_france(lat, lon)
    for position in np.flatnonzero(known & ~ok):
        index = frame.index[position]
        if swapped[position]:
            out.add(ERREUR if required else AVERTISSEMENT, index, "latitude",
                    f"coordonnées ({lat[position]}, {lon[position]}) hors de France : latitude et longitude "
                    "semblent inversées.", "échangez les colonnes latitude et longitude.")
        else:
            out.add(ERREUR if required else AVERTISSEMENT, index, "latitude",
                    f"coordonnées ({lat[position]}, {lon[position]}) hors de France.",
                    "vérifiez la latitude et la longitude (degrés décimaux WGS84).")


def _check_geometries(frame: gpd.GeoDataFrame, out: _Collector, polygonal: bool) -> gpd.GeoDataFrame:
    geoms = frame.geometry.array
    for index, geom in zip(frame.index, geoms, strict=True):
        if geom is None or geom.is_empty:
            out.add(ERREUR, index, "geometry", "géométrie vide.")
        elif polygonal and geom.geom_type not in ("Polygon", "MultiPolygon"):
            out.add(ERREUR, index, "geometry", f"géométrie de type {geom.geom_type} : un polygone est attendu.")
    present = has_geometry(frame.geometry)
    invalid = ~frame.geometry.is_valid.to_numpy() & present
    if invalid.any():
        repaired = shapely.make_valid(frame.geometry[invalid].to_numpy(), method="structure",
                                      keep_collapsed=False)
        frame.loc[invalid, "geometry"] = repaired
        for index in frame.index[invalid]:
            out.add(AVERTISSEMENT, index, "geometry", "géométrie invalide (auto-intersection…) réparée "
                    "automatiquement (make_valid).")
    if len(frame):
        points = frame.geometry[has_geometry(frame.geometry)].representative_point()
        outside = points[~in_france(points.x.to_numpy(), points.y.to_numpy())]
        for index in outside.index:
            out.add(AVERTISSEMENT, index, "geometry", "géométrie située hors de France : vérifiez le système "
                    "de coordonnées du fichier.")
    return frame


def empty_frame(kind: str) -> pd.DataFrame:
    spec = DATASETS[kind]
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in spec.column_names})
    frame[ROW] = pd.Series(dtype="int64")
    if spec.spatial or kind == "regies":
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WGS84))
    return frame


def clean(kind: str, raw: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Finding]]:
    """Typed, validated rows of one dataset, and the findings; rows with an error are left out."""
    spec: DatasetSpec = DATASETS[kind]
    out = _Collector(file, raw[ROW])
    if kind == "qpv" and "lib_com" not in raw.columns and "insee_com" in raw.columns:
        raw = _communes_from_codes(raw, out)
    missing = [c for c in spec.required if c not in raw.columns]
    if missing:
        out.whole_file(ERREUR, "colonne(s) obligatoire(s) absente(s) : " + ", ".join(missing) + ".",
                       "colonnes attendues : " + ", ".join(spec.column_names) + " (voir data/README.md).")
        return empty_frame(kind), out.findings
    if spec.spatial and "geometry" not in raw.columns:
        out.whole_file(ERREUR, "le fichier ne contient pas de géométries : un fichier géographique (GeoJSON, "
                       "GeoPackage, Shapefile) est attendu.")
        return empty_frame(kind), out.findings
    frame = raw.copy()
    for column in spec.columns:
        frame[column.name] = _convert_column(raw, column, out, kind)
    if spec.key:
        _check_duplicates(frame, spec.key, out)
    if kind == "regies":
        _check_qpv_codes(frame, "qpv_couverts", out)
        _check_coordinates(frame, out, required=True)
    elif kind == "partenariats":
        _check_qpv_codes(frame, "qpv", out)
        _check_themes(frame, out)
        ends_early = frame["date_fin"].notna() & frame["date_debut"].notna() & (
            frame["date_fin"] < frame["date_debut"])
        for index in frame.index[ends_early]:
            out.add(ERREUR, index, "date_fin", "la date de fin précède la date de début.")
    elif kind == "organismes":
        _check_coordinates(frame, out, required=False)
        _check_seat_region(frame, out)
    elif kind == "declinaisons":
        _check_declinaisons(frame, out)
    elif kind == "patrimoine":
        frame["code_qp"] = frame["code_qp"].str.upper()
        _check_duplicate_pairs(frame, ("siren_organisme", "code_qp"), out)
    if kind == "qpv" or kind in BOUNDARY_KINDS:
        frame = _check_geometries(gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84), out, polygonal=True)
        if kind == "qpv":
            _fill_territories(frame)
    if kind == "departements":
        known = ref.departements_table().set_index("insee_dep")["insee_reg"]
        frame["insee_reg"] = frame["insee_reg"].fillna(frame["insee_dep"].map(known))
    kept = frame.drop(index=list(out.bad))
    if kind == "regies":
        kept = gpd.GeoDataFrame(
            kept, geometry=gpd.points_from_xy(kept["longitude"], kept["latitude"]), crs=WGS84
        )
    columns = spec.column_names + [ROW] + [c for c in ("source", "geometry") if c in kept.columns]
    return kept[columns].reset_index(drop=True), out.findings


def _check_seat_region(frame: pd.DataFrame, out: _Collector) -> None:
    """An organisme lies in the région of its seat commune when the commune is known (`insee_com`): an `insee_reg`
    that says otherwise is an error (a Paris seat given région 32 would let Hauts-de-France write it)."""
    names = dict(zip(ref.regions_table()["insee_reg"], ref.regions_table()["lib_reg"], strict=True))
    for index, code, declared in zip(frame.index, frame["insee_com"], frame["insee_reg"], strict=True):
        seat = region_of_commune(code)
        if seat and not is_blank(declared) and seat != declared:
            out.add(ERREUR, index, "insee_reg",
                    f"région « {declared} » ({names.get(declared, 'inconnue')}) contraire à la commune du siège "
                    f"« {code} », qui est en région {seat} ({names.get(seat, seat)}).",
                    f"indiquez {seat}, ou corrigez le code commune du siège (insee_com).")


def _check_declinaisons(frame: pd.DataFrame, out: _Collector) -> None:
    """A signed declination has a date; a date on an unsigned one is kept but questioned; a région is known; the
    document link is a web address (pages make it a clickable link: never `javascript:` or `data:`)."""
    known = set(ref.regions_table()["insee_reg"])
    for index, link in frame["lien_document"].items():
        if not is_blank(link) and not WEB_LINK.match(str(link)):
            out.add(ERREUR, index, "lien_document", f"lien « {link[:80]} » refusé : une adresse web est attendue.",
                    "commencez le lien par https:// (ou http://).")
    for index, code, statut, signed in frame[["insee_reg", "statut", "date_signature"]].itertuples():
        if code is not None and code not in known:
            out.add(ERREUR, index, "insee_reg", f"région « {code} » inconnue (code INSEE attendu, par ex. 84).")
        if statut == DECLINAISON_SIGNEE and pd.isna(signed):
            out.add(ERREUR, index, "date_signature", "déclinaison signée sans date de signature.",
                    f"indiquez la date ({fr.DATE_HINT}) ou un autre statut.")
        elif statut is not None and statut != DECLINAISON_SIGNEE and pd.notna(signed):
            out.add(AVERTISSEMENT, index, "date_signature",
                    f"date de signature renseignée alors que le statut est « {statut} ».",
                    f"statut « {DECLINAISON_SIGNEE} » ?")


def _check_duplicate_pairs(frame: pd.DataFrame, key: tuple[str, str], out: _Collector) -> None:
    first_row: dict = {}
    for index, a, b in frame[list(key)].itertuples():
        if a is None or b is None:
            continue
        if (a, b) in first_row:
            out.add(ERREUR, index, key[1], f"couple « {a} » × « {b} » en double (déjà ligne {first_row[a, b]}).")
        else:
            first_row[a, b] = int(out.rows.loc[index])


def check_references(kind: str, frame: pd.DataFrame, file: str, frames: dict[str, pd.DataFrame]
                      ) -> tuple[pd.DataFrame, list[Finding]]:
    """Cross-file check of an optional dataset: a patrimoine row naming an unknown organism or QPV is an error
    (left out); an unknown signatory of a declination is a warning (the declination is kept)."""
    findings: list[Finding] = []
    sirens, regies, codes = (set(frames["organismes"]["siren"]), set(frames["regies"]["id_regie"]),
                             set(frames["qpv"]["code_qp"].str.upper()))
    bad = []
    for index, row in frame.iterrows():
        line = int(row[ROW]) if ROW in frame.columns and not is_blank(row[ROW]) else None
        if kind == "patrimoine":
            if row["siren_organisme"] not in sirens:
                findings.append(Finding(ERREUR, file, line, "siren_organisme", f"SIREN « {row['siren_organisme']} » "
                                        "absent du fichier des organismes : ligne ignorée."))
                bad.append(index)
            if row["code_qp"] not in codes:
                findings.append(Finding(ERREUR, file, line, "code_qp", f"QPV « {row['code_qp']} » absent du "
                                        "fichier des QPV : ligne ignorée."))
                bad.append(index)
            continue
        for column, known, what in (("organismes_signataires", sirens, "organismes"),
                                    ("regies_signataires", regies, "régies")):
            unknown = [v for v in row[column] or [] if v not in known]
            if unknown:
                findings.append(Finding(AVERTISSEMENT, file, line, column, f"signataire(s) absent(s) du fichier "
                                        f"des {what} : {', '.join(unknown)}."))
    return frame.drop(index=list(dict.fromkeys(bad))).reset_index(drop=True), findings


def _communes_from_codes(raw: pd.DataFrame, out: _Collector) -> pd.DataFrame:
    """A copy of a QPV file without commune names, named from the commune codes (reference list of the QPV 2024
    communes); a code the list does not hold leaves the name blank, which the required-column check reports."""
    names = ref.commune_names()
    codes = [normalize_code(c, CODE_WIDTHS["insee_com"]) for c in raw["insee_com"]]
    filled = raw.copy()
    filled["lib_com"] = [names.get(code) for code in codes]
    out.whole_file(AVERTISSEMENT, "colonne « lib_com » absente : nom de la commune déduit du code « insee_com » "
                   "(liste de référence des communes des QPV 2024).", "ajoutez la colonne lib_com pour le fixer.")
    return filled


def _fill_territories(frame: gpd.GeoDataFrame) -> None:
    """Département and région when the file (e.g. a 2015 one) does not give them: from the commune code, else
    from the département outline that holds the QPV."""
    derived_dep = frame["insee_com"].map(ref.dep_of_commune_or_none)
    frame["insee_dep"] = frame["insee_dep"].where(frame["insee_dep"].notna(), derived_dep)
    unknown = frame["insee_dep"].isna().to_numpy()
    if unknown.any():
        located = locate_departements(frame.geometry[unknown], ref.basemap_departements())
        frame.loc[located.index, "insee_dep"] = located
    regions = ref.departements_table().set_index("insee_dep")
    frame["insee_reg"] = frame["insee_reg"].where(frame["insee_reg"].notna(),
                                                  frame["insee_dep"].map(regions["insee_reg"]))
    frame["lib_dep"] = frame["lib_dep"].where(frame["lib_dep"].notna(), frame["insee_dep"].map(regions["lib_dep"]))
    names = ref.regions_table().set_index("insee_reg")["lib_reg"]
    frame["lib_reg"] = frame["lib_reg"].where(frame["lib_reg"].notna(), frame["insee_reg"].map(names))


def load_file(path: Path, kind: str | None = None) -> tuple[str | None, pd.DataFrame | None, list[Finding]]:
    """One file: its dataset kind, its clean frame and its findings; (None, None, [erreur]) if unreadable."""
    path = Path(path)
    try:
        raw = read_any(path, kind)
    except ReadError as exc:
        return kind, None, [Finding(ERREUR, path.name, exc.row, exc.column, str(exc))]
    frame, findings = clean(raw.kind, raw.frame, path.name)
    if len(frame) == 0 and not any(f.severity == ERREUR for f in findings):
        findings.append(Finding(ERREUR, path.name, None, None, "le fichier ne contient aucune ligne de données."))
    return raw.kind, frame, raw.findings + findings


def find_dataset_files(folder: Path, findings: list[Finding] | None = None) -> dict[str, Path]:
    """The file of each dataset in a data folder: as its manifest names it (e.g. a fetched official file),
    else by name (`qpv.geojson`, `regies.csv`, `qpv/` shapefile…). Only what lies inside the folder once links
    are followed: a manifest naming `/elsewhere` or `../…`, or a link leading out, is ignored; so is a manifest
    that is not one. Each of these is an error appended to `findings` when given."""
    folder = Path(folder)
    problems: list[Finding] = []
    found: dict[str, Path] = {}
    manifest, unusable = load_manifest(folder)
    if unusable:
        problems.append(Finding(ERREUR, MANIFEST_NAME, None, None, unusable))
    for kind, record in (manifest.datasets.items() if manifest else []):
        path = folder / record.file
        if kind not in DATASETS or not _exists(path):
            continue
        if _outside(folder, path):
            shown = record.file if len(record.file) <= 120 else record.file[:119] + "…"
            problems.append(Finding(ERREUR, MANIFEST_NAME, None, None,
                                    f"le fichier « {shown} » du jeu « {kind} » est hors du dossier de données : "
                                    "il est ignoré.", "nommez un fichier du dossier lui-même."))
        else:
            found[kind] = path
    suffix_rank = [".gpkg", ".geojson", ".json", ".zip", ".shp", ".xlsx", ".csv", ".fgb", ".xlsm", ".txt"]
    entries = sorted(folder.iterdir(), key=lambda p: (
        suffix_rank.index(p.suffix.lower()) if p.suffix.lower() in suffix_rank else len(suffix_rank), p.name))
    for entry in entries:
        if entry.name.startswith(".") or entry.name == MANIFEST_NAME:
            continue
        usable = entry.is_dir() and any(entry.glob("*.shp")) or entry.suffix.lower() in (
            GEO_SUFFIXES | set(TABLE_SUFFIXES))
        if not usable:
            continue
        stem = fold(entry.stem if entry.is_file() else entry.name)
        if stem in DATASETS and stem not in found:
            if _outside(folder, entry):
                problems.append(Finding(ERREUR, entry.name, None, None, "lien symbolique qui mène hors du dossier "
                                        "de données : il est ignoré.", "copiez le fichier dans le dossier."))
            else:
                found[stem] = entry
    if findings is not None:
        findings.extend(problems)
    return found


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):  # a name too long for the system, a NUL byte
        return False


def _outside(folder: Path, path: Path) -> bool:
    """Whether `path`, links followed, is the folder itself or lies out of it."""
    try:
        resolved, root = path.resolve(), folder.resolve()
    except (OSError, RuntimeError):  # a link made a loop since it was seen (RuntimeError in Python 3.11)
        return True
    return resolved == root or not resolved.is_relative_to(root)


def load_folder(folder: Path | str) -> Datasets:
    """Every dataset of a data folder; missing boundaries fall back to the bundled offline outlines."""
    folder = Path(folder)
    findings: list[Finding] = []
    frames: dict[str, pd.DataFrame] = {}
    if not folder.is_dir():
        findings.append(Finding(ERREUR, str(folder), None, None, "dossier de données introuvable."))
        files: dict[str, Path] = {}
    else:
        files = find_dataset_files(folder, findings)
    for kind in REQUIRED_KINDS + BOUNDARY_KINDS + OPTIONAL_KINDS:
        path = files.get(kind)
        frame = None
        if path is not None:
            _, frame, file_findings = load_file(path, kind)
            findings.extend(file_findings)
        elif kind in REQUIRED_KINDS and folder.is_dir():
            findings.append(Finding(ERREUR, f"{kind}.*", None, None,
                                    f"fichier « {kind} » absent du dossier {folder}.",
                                    f"ajoutez {kind}.csv, {kind}.xlsx ou {kind}.geojson (voir data/README.md)."))
        if frame is None:
            frame = _fallback(kind)
        elif kind in OPTIONAL_KINDS:
            frame, cross = check_references(kind, frame, path.name, frames)
            findings.extend(cross)
        frames[kind] = frame
    return Datasets(
        folder=folder,
        qpv=frames["qpv"],
        regies=frames["regies"],
        organismes=frames["organismes"],
        partenariats=frames["partenariats"],
        regions=frames["regions"],
        departements=frames["departements"],
        declinaisons=frames["declinaisons"],
        patrimoine=frames["patrimoine"],
        manifest=read_manifest(folder) if folder.is_dir() else None,
        findings=findings,
        files=files,
    )


def _fallback(kind: str) -> pd.DataFrame:
    if kind == "regions":
        return ref.basemap_regions().copy()
    if kind == "departements":
        return ref.basemap_departements().copy()
    if kind in OPTIONAL_KINDS:
        return empty_table(kind)
    return empty_frame(kind)


def summarize(findings: Iterable[Finding]) -> tuple[int, int]:
    findings = list(findings)
    return (sum(f.severity == ERREUR for f in findings), sum(f.severity == AVERTISSEMENT for f in findings))
