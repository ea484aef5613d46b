"""A real-scale synthetic national dataset, written as a data folder the app reads (`CARTE_DATA_DIR`).

Scale 1: about 1 600 QPV, 130 régies, 250 organismes HLM, 10 000 partenariats; scale 10: every count × 10.

- QPV codes, names and places: the 1 493 real QPV 2024 of `data/ref/qpv2024_communes.csv` (code, name, commune
  point), then extra QPV with generated codes placed around real QPV communes, until the count is reached.
- Perimeters: when the file of real 2015 Occitanie perimeters is there (`--shapes`, default
  `../shared/data/hackaviz2021_qpv2015_occitanie.geojson`), each QPV takes one of those 105 real outlines,
  rotated, scaled (× 0.7–1.1) and moved to its place, so vertex counts follow the real ones (mean ~128,
  p90 ~218, max 763). Without the file, star-shaped outlines with a log-normal vertex count calibrated on the same
  figures (median 110, p90 ~220, clipped to 800).
- Everything else (régies, organismes, partenariats) is invented, with the app's formats (`;` CSV, decimal comma,
  French dates) and `manifest.json` marking it as demo data.

Deterministic: one `numpy.random.Generator` with a fixed seed; the same seed and inputs give the same files.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon

from geo import ref
from geo.manifest import DatasetRecord, Manifest, sha256_file, write_manifest
from geo.schema import FAMILLES, LAMBERT93, REGIE_TYPES, THEMES, WGS84, metric_crs

REPO = Path(__file__).resolve().parents[1]
SHAPES_NAME = "hackaviz2021_qpv2015_occitanie.geojson"
DEFAULT_SHAPES = Path(os.environ.get("CARTE_SHARED_DATA") or REPO.parent / "shared" / "data") / SHAPES_NAME
SEED = 20241127
TODAY = date(2026, 11, 27)
BASE = {"qpv": 1600, "regies": 130, "organismes": 250, "partenariats": 10_000}
TITLE = "Jeu de données synthétique du banc d'essai (fictif)"


@dataclass
class Generated:
    folder: Path
    scale: int
    counts: dict[str, int]
    shapes_source: str  # "real-occitanie-2015" or "generated"
    vertices: dict[str, float]  # mean, p50, p90, max of the written perimeters
    seconds: float = 0.0


# --- perimeters ------------------------------------------------------------------------------------------------


def real_templates(path: Path) -> list[np.ndarray] | None:
    """Exterior rings (metres, centred on their centroid) of the real perimeters, or None without the file."""
    if not path or not Path(path).is_file():
        return None
    frame = gpd.read_file(path).to_crs(LAMBERT93)
    templates = []
    for geom in frame.geometry:
        for part in shapely.get_parts(geom):
            if part.geom_type != "Polygon" or part.is_empty:
                continue
            ring = np.asarray(part.exterior.coords)[:-1]
            centre = np.asarray(part.centroid.coords[0])
            templates.append(ring - centre)
    return templates or None


def generated_ring(rng: np.random.Generator) -> np.ndarray:
    """A star-shaped (hence simple) ring in metres, with a realistic vertex count and size."""
    n = int(np.clip(round(rng.lognormal(math.log(110), 0.54)), 8, 800))
    radius = float(np.clip(rng.lognormal(math.log(260), 0.45), 120, 1300))
    angles = np.sort(rng.uniform(0, 2 * math.pi, n))
    angles = np.unique(np.round(angles, 5))
    radii = np.ones(len(angles))
    for k in range(2, 6):
        radii += rng.uniform(0, 0.25) / k**0.5 * np.cos(k * angles + rng.uniform(0, 2 * math.pi))
    radii *= 1 + rng.normal(0, 0.02, len(angles))
    radii = np.clip(radii, 0.4, None) * radius
    return np.column_stack([radii * np.cos(angles), radii * np.sin(angles)])


def place_perimeters(rng: np.random.Generator, places: pd.DataFrame, templates: list[np.ndarray] | None
                     ) -> gpd.GeoSeries:
    """One polygon per row of `places` (insee_dep, lon, lat, slot: rank of the QPV in its commune), in WGS84.

    The n-th QPV of a commune sits on a Vogel spiral around the commune point (about 1.4 km apart), so that
    neighbours rarely overlap.
    """
    n = len(places)
    rings: list[np.ndarray] = []
    for _ in range(n):
        if templates is not None:
            ring = templates[int(rng.integers(len(templates)))] * rng.uniform(0.7, 1.1)
        else:
            ring = generated_ring(rng)
        angle = rng.uniform(0, 2 * math.pi)
        c, s = math.cos(angle), math.sin(angle)
        rings.append(ring @ np.array([[c, s], [-s, c]]))
    slot = places["slot"].to_numpy(dtype=float)
    golden = math.pi * (3 - math.sqrt(5))
    distance = np.where(slot == 0, rng.uniform(300, 900, n), 1400 * np.sqrt(slot + 0.5))
    theta = slot * golden + rng.uniform(0, 2 * math.pi)
    result = np.empty(n, dtype=object)
    crs_of_row = places["insee_dep"].map(metric_crs).to_numpy()
    for crs in sorted(set(crs_of_row)):
        rows = np.flatnonzero(crs_of_row == crs)
        points = gpd.GeoSeries(gpd.points_from_xy(places["lon"].to_numpy()[rows], places["lat"].to_numpy()[rows]),
                               crs=WGS84).to_crs(crs)
        xs = points.x.to_numpy() + distance[rows] * np.cos(theta[rows])
        ys = points.y.to_numpy() + distance[rows] * np.sin(theta[rows])
        polys = [Polygon(rings[row] + np.array([x, y])) for row, x, y in zip(rows, xs, ys, strict=True)]
        back = gpd.GeoSeries(polys, crs=crs).to_crs(WGS84).to_numpy()
        back = shapely.transform(back, lambda xy: np.round(xy, 6))
        bad = ~shapely.is_valid(back)
        if bad.any():
            back[bad] = shapely.make_valid(back[bad], method="structure", keep_collapsed=False)
        result[rows] = back
    return gpd.GeoSeries(result, crs=WGS84)


# --- tables ----------------------------------------------------------------------------------------------------


def _dep3(insee_dep: str) -> str:
    return insee_dep.zfill(3)


def qpv_table(rng: np.random.Generator, total: int) -> pd.DataFrame:
    """The real QPV 2024 (first `total` of them if fewer), then generated ones around real QPV communes."""
    pairs = ref.qpv2024_table()
    main = pairs.drop_duplicates("code_qp", keep="first").reset_index(drop=True)
    deps = ref.departements_table().set_index("insee_dep")["lib_dep"]
    regs = ref.regions_table().set_index("insee_reg")["lib_reg"]
    real = main.iloc[:total].copy() if total <= len(main) else main.copy()
    extra = total - len(real)
    used = set(real["code_qp"])
    rows = [real]
    if extra > 0:
        anchors = main.iloc[rng.integers(len(main), size=extra)].reset_index(drop=True).copy()
        counters: dict[str, int] = {}
        codes = []
        for dep in anchors["insee_dep"]:
            while True:
                i = counters.get(dep, 0)
                counters[dep] = i + 1
                code = f"QP{_dep3(dep)}{i // 36 % 100:02d}{'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'[i % 36]}"
                if code not in used:
                    break
            used.add(code)
            codes.append(code)
        anchors["code_qp"] = codes
        anchors["lib_qp"] = [f"{name} {k}" for k, name in enumerate(anchors["lib_qp"], start=2)]
        rows.append(anchors)
    table = pd.concat(rows, ignore_index=True)
    table["slot"] = table.groupby("insee_com").cumcount()
    table["lib_dep"] = table["insee_dep"].map(deps)
    table["lib_reg"] = table["insee_reg"].map(regs)
    table["population"] = np.clip(np.round(rng.lognormal(math.log(4000), 0.6, len(table)), -1), 1000, 30000)
    table["population"] = table["population"].astype(int)
    return table


def _luhn(prefix: str) -> str:
    for digit in "0123456789":
        number = prefix + digit
        total = 0
        for i, char in enumerate(reversed(number)):
            d = int(char) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return number
    raise AssertionError("unreachable")


def _dec(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def _csv(path: Path, columns: list[str], rows: list[list]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


REGIE_COLUMNS = ["id_regie", "nom", "type", "adresse", "code_postal", "commune", "insee_com", "latitude",
                 "longitude", "salaries", "benevoles", "qpv_couverts", "date_creation", "site_web"]
ORGANISME_COLUMNS = ["siren", "nom", "famille", "commune_siege", "insee_reg", "nb_logements", "insee_com",
                     "latitude", "longitude"]
PARTENARIAT_COLUMNS = ["id_partenariat", "id_regie", "siren_organisme", "qpv", "themes", "statut", "date_debut",
                       "date_fin", "description", "montant_eur", "heures_insertion"]
DESCRIPTIONS = ("Entretien des espaces extérieurs", "Ateliers numériques en pied d'immeuble",
                "Médiation de proximité", "Gestion des encombrants", "Diagnostics de précarité énergétique",
                "Chantier d'insertion de second œuvre", "Jardins partagés", "Embellissement des halls")


def write_dataset(folder: Path, scale: int = 1, shapes: Path | None = DEFAULT_SHAPES, seed: int = SEED,
                  log=print) -> Generated:
    """Generate and write the data folder (qpv.geojson, regies.csv, organismes.csv, partenariats.csv,
    manifest.json with demo=true). Returns what was written."""
    import time

    start = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed + scale)
    counts = {k: v * scale for k, v in BASE.items()}

    templates = real_templates(shapes) if shapes else None
    table = qpv_table(rng, counts["qpv"])
    geoms = place_perimeters(rng, table, templates)
    n_vertices = shapely.get_num_coordinates(geoms.to_numpy())
    qpv = gpd.GeoDataFrame({
        "code_qp": table["code_qp"], "lib_qp": table["lib_qp"], "insee_com": table["insee_com"],
        "lib_com": table["lib_com"], "insee_dep": table["insee_dep"], "lib_dep": table["lib_dep"],
        "insee_reg": table["insee_reg"], "lib_reg": table["lib_reg"], "siren_epci": table["siren_epci"],
        "population": table["population"], "source": "banc d'essai : périmètre synthétique",
    }, geometry=geoms.to_numpy(), crs=WGS84)
    qpv_path = folder / "qpv.geojson"
    qpv_path.unlink(missing_ok=True)
    qpv.to_file(qpv_path, driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=6, WRITE_BBOX="NO")
    log(f"  qpv.geojson: {len(qpv)} QPV, {int(n_vertices.sum())} sommets, "
        f"{qpv_path.stat().st_size / 1e6:.1f} Mo")

    # Régies: each covers a run of 1-5 neighbouring QPV of one département (rows sorted by dep, commune, slot).
    order = table.sort_values(["insee_dep", "insee_com", "slot"]).index.to_numpy()
    dep_of = table["insee_dep"].to_numpy()
    reps = shapely.point_on_surface(geoms.to_numpy())
    regies_rows, covered_by = [], []
    starts = rng.choice(len(order), size=counts["regies"], replace=False)
    per_dep: dict[str, int] = {}
    for k, start_pos in enumerate(sorted(starts)):
        first = order[start_pos]
        dep = dep_of[first]
        run = [first]
        for pos in range(start_pos + 1, min(start_pos + int(rng.integers(1, 6)), len(order))):
            if dep_of[order[pos]] == dep:
                run.append(order[pos])
        per_dep[dep] = per_dep.get(dep, 0) + 1
        kind = REGIE_TYPES[1] if rng.random() < 0.15 else REGIE_TYPES[0]
        prefix = "RT" if kind == REGIE_TYPES[1] else "RQ"
        ident = f"{prefix}-{_dep3(dep)}-{per_dep[dep]:02d}"
        row = table.loc[first]
        point = reps[first]
        created = date(1985, 1, 1) + timedelta(days=int(rng.integers(0, 14000)))
        regies_rows.append([
            ident, f"Régie {row['lib_qp']} {k + 1} (banc)", kind, f"{int(rng.integers(1, 120))} rue des Ateliers",
            str(row["codes_postaux"]).split(" | ")[0], row["lib_com"], row["insee_com"], _dec(point.y, 6),
            _dec(point.x, 6), int(rng.integers(5, 250)), int(rng.integers(0, 60)),
            " | ".join(table.loc[run, "code_qp"]), created.strftime("%d/%m/%Y"), "",
        ])
        covered_by.append(run)
    _csv(folder / "regies.csv", REGIE_COLUMNS, regies_rows)

    # Organismes: spread over the régions in proportion to their QPV.
    reg_counts = table["insee_reg"].value_counts()
    org_regions = rng.choice(reg_counts.index.to_numpy(), size=counts["organismes"],
                             p=(reg_counts / reg_counts.sum()).to_numpy())
    sirens, org_rows = set(), []
    by_region = {r: table.index[table["insee_reg"].to_numpy() == r].to_numpy() for r in reg_counts.index}
    for k, region in enumerate(org_regions):
        while True:
            siren = _luhn(f"{int(rng.integers(10_000_000, 99_999_999)):08d}")
            if siren not in sirens:
                break
        sirens.add(siren)
        host = table.loc[int(rng.choice(by_region[region]))]
        org_rows.append([siren, f"Habitat {host['lib_com']} {k + 1} (banc)", FAMILLES[int(rng.integers(5))],
                         host["lib_com"], region, int(rng.integers(500, 60000)), host["insee_com"],
                         _dec(host["lat"], 5), _dec(host["lon"], 5)])
    _csv(folder / "organismes.csv", ORGANISME_COLUMNS, org_rows)
    orgs_of_region: dict[str, list[str]] = {}
    for row in org_rows:
        orgs_of_region.setdefault(row[4], []).append(row[0])
    all_orgs = [row[0] for row in org_rows]

    # Partenariats: a régie (weighted), 1-3 QPV (mostly those it covers), an organism of the région, 1-3 themes.
    weights = rng.lognormal(0, 0.8, len(regies_rows))
    weights /= weights.sum()
    chosen = rng.choice(len(regies_rows), size=counts["partenariats"], p=weights)
    dep_members = {d: table.index[dep_of == d].to_numpy() for d in np.unique(dep_of)}
    codes = table["code_qp"].to_numpy()
    regs = table["insee_reg"].to_numpy()
    labels = [t.label for t in THEMES]
    part_rows = []
    for k, r in enumerate(chosen):
        run = covered_by[r]
        n_qpv = 1 + int(rng.random() < 0.25) + int(rng.random() < 0.08)
        picks = []
        for _ in range(n_qpv):
            if rng.random() < 0.8:
                picks.append(run[int(rng.integers(len(run)))])
            else:
                members = dep_members[dep_of[run[0]]]
                picks.append(members[int(rng.integers(len(members)))])
        picks = list(dict.fromkeys(picks))
        pool = orgs_of_region.get(regs[run[0]]) or all_orgs
        siren = pool[int(rng.integers(len(pool)))] if rng.random() < 0.9 else all_orgs[int(rng.integers(len(all_orgs)))]
        themes = list(rng.choice(labels, size=1 + int(rng.integers(3)), replace=False))
        start_day = date(2016, 1, 1) + timedelta(days=int(rng.integers(0, 4200)))
        end_day = start_day + timedelta(days=int(rng.integers(180, 1800))) if rng.random() < 0.75 else None
        if start_day > TODAY:
            statut = "en projet"
        elif end_day is not None and end_day < TODAY:
            statut = "terminé"
        else:
            statut = "en cours"
        part_rows.append([
            f"P-B{k + 1:06d}", regies_rows[r][0], siren, " | ".join(codes[picks]), " | ".join(themes), statut,
            start_day.strftime("%d/%m/%Y"), end_day.strftime("%d/%m/%Y") if end_day else "",
            DESCRIPTIONS[int(rng.integers(len(DESCRIPTIONS)))], _dec(float(rng.integers(10, 2000)) * 50, 2),
            int(rng.integers(0, 3000)),
        ])
    _csv(folder / "partenariats.csv", PARTENARIAT_COLUMNS, part_rows)

    shapes_source = "real-occitanie-2015" if templates is not None else "generated"
    note = ("Périmètres : les 105 contours réels des QPV 2015 d'Occitanie (hackaviz 2021), tournés, mis à "
            "l'échelle et déplacés" if templates is not None else "Périmètres générés (étoilés)")
    records = {}
    for kind, name, rows in (("qpv", "qpv.geojson", len(qpv)), ("regies", "regies.csv", len(regies_rows)),
                             ("organismes", "organismes.csv", len(org_rows)),
                             ("partenariats", "partenariats.csv", len(part_rows))):
        records[kind] = DatasetRecord(file=name, source=f"banc d'essai, échelle {scale} (synthétique)",
                                      licence="domaine public (données générées)", date=TODAY.isoformat(),
                                      rows=rows, sha256=sha256_file(folder / name), demo=True,
                                      note=note if kind == "qpv" else "")
    write_manifest(folder, Manifest(demo=True, title=TITLE, datasets=records))
    stats = {"mean": float(n_vertices.mean()), "p50": float(np.percentile(n_vertices, 50)),
             "p90": float(np.percentile(n_vertices, 90)), "max": float(n_vertices.max())}
    (folder / "bench_dataset.json").write_text(json.dumps(
        {"scale": scale, "seed": seed, "counts": counts, "shapes": shapes_source, "vertices": stats}, indent=2))
    return Generated(folder, scale, {"qpv": len(qpv), "regies": len(regies_rows), "organismes": len(org_rows),
                                     "partenariats": len(part_rows)}, shapes_source, stats,
                     time.perf_counter() - start)
