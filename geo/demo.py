"""Demonstration dataset: the real QPV 2024 list with generated perimeters, and fictional régies, HLM
organisms and partnerships.

    python -m geo demo --out data/demo [--seed 2024]

What is real: QPV 2024 codes and names (ANCT), communes, départements, régions, EPCI (INSEE COG / DGCL), the
commune points, postal codes. What is invented: QPV perimeters and populations, every régie, organism and
partnership (names end with " (démo)"), their figures, addresses and SIREN numbers.

Deterministic: one `numpy.random.Generator` seeded once, inputs read from the committed `data/ref/` tables, a
fixed generation date; the same seed gives byte-identical files.

The benchmark (`bench/dataset.py`) writes its larger datasets with this same generator: other `Sizes` (beyond the
real list, extra QPV with generated codes around real QPV communes) and, optionally, real outlines as shapes.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely import affinity
from shapely.geometry import MultiPolygon, Point, Polygon

from geo import fr, ref
from geo.identifiers import luhn_ok
from geo.manifest import DatasetRecord, Manifest, atomic_write_bytes, csv_bytes, sha256_file, write_manifest
from geo.schema import (
    DECLINAISON_SIGNEE,
    DECLINAISON_STATUTS,
    DECLINAISONS,
    FAMILLES,
    LIST_JOINER,
    ORGANISMES,
    OVERSEAS_METRIC_CRS,
    PARTENARIATS,
    PATRIMOINE,
    QPV,
    REGIE_TYPES,
    REGIES,
    THEMES,
    WGS84,
    fold,
    metric_crs,
)
from geo.timeline import STATUS_HISTORY_FILE

DEFAULT_SEED = 2024
TODAY = date(2026, 11, 27)  # the reference "today" of the demo (statuts, dates): fixed, not the clock
GENERATED_ON = "2026-11-27"
TITLE = "Données de démonstration (fictives)"
QPV_SOURCE = "démo : périmètre généré"
LICENCE = "Licence Ouverte 2.0 (codes et noms) ; données générées : domaine public"
DEMO_SUFFIX = " (démo)"

PART_QPV_ACTIFS = 0.68  # share of the covered QPV with at least one partnership


@dataclass(frozen=True)
class Sizes:
    """How much is generated. The defaults are the demo's published figures."""

    qpv: int | None = None  # None: exactly the real QPV 2024 list; more adds generated QPV, fewer keeps the first
    regies: int = 129
    regies_territoire: int = 19
    qpv_couverts: int = 320
    salaries: int = 13_000
    benevoles: int = 2_540
    regies_hors_perimetre: int = 4  # régie points deliberately 100-250 m outside their QPV
    organismes: int = 70
    nationaux: int = 3
    partenariats: int = 650
    regies_sans_partenariat: int = 4


DEMO = Sizes()

QPV_FILE = "qpv.geojson"
REGIES_FILE = "regies.csv"
ORGANISMES_FILE = "organismes.csv"
PARTENARIATS_FILE = "partenariats.csv"
DECLINAISONS_FILE = "declinaisons.csv"
PATRIMOINE_FILE = "patrimoine.csv"
README_FILE = "README.md"
QPV_COLUMNS = [*QPV.column_names, "source"]


# --------------------------------------------------------------------------------------------------------------
# Helpers: CRS, formats
# --------------------------------------------------------------------------------------------------------------

@lru_cache(maxsize=16)
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _to_metric(crs: str, lon: float, lat: float) -> tuple[float, float]:
    x, y = _transformer(WGS84, crs).transform(lon, lat)
    return float(x), float(y)


def _to_wgs84(crs: str, geom: shapely.Geometry) -> shapely.Geometry:
    transformer = _transformer(crs, WGS84)

    def project(coords: np.ndarray) -> np.ndarray:
        lon, lat = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, project)


def _dec(value: float, decimals: int) -> str:
    """A float with a decimal comma (French CSV)."""
    return f"{value:.{decimals}f}".replace(".", ",")


def _fr_date(day: date | None) -> str:
    return day.strftime(fr.DATE_FORMAT) if day else ""


def _luhn_complete(prefix: str) -> str:
    return next(prefix + str(d) for d in range(10) if luhn_ok(prefix + str(d)))


def _largest_remainder(weights: np.ndarray, total: int, minimum: int = 0) -> np.ndarray:
    """Integers >= minimum, proportional to weights, summing exactly to total."""
    weights = np.asarray(weights, dtype=float)
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError("total too small for the minimum")
    raw = weights / weights.sum() * spare
    counts = np.floor(raw).astype(int)
    rest = spare - counts.sum()
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[:rest]] += 1
    return counts + minimum


def _weighted_choice(rng: np.random.Generator, weights: np.ndarray) -> int:
    weights = np.asarray(weights, dtype=float)
    return int(rng.choice(len(weights), p=weights / weights.sum()))


# --------------------------------------------------------------------------------------------------------------
# QPV perimeters
# --------------------------------------------------------------------------------------------------------------

def _outline(rng: np.random.Generator, radius: float, n_vertices: int) -> np.ndarray:
    """An irregular star-shaped ring (so always simple) of n_vertices around (0, 0), equivalent radius `radius`.

    A coarse outline (a handful of "blocks", smooth harmonics) is densified along its edges with a little
    noise, as real perimeters follow streets; then stretched and rotated (affine maps keep it star-shaped).
    """
    n_coarse = int(rng.integers(6, 17))
    step = 2 * math.pi / n_coarse
    angles = np.arange(n_coarse) * step + rng.uniform(-0.3, 0.3, n_coarse) * step + rng.uniform(0, 2 * math.pi)
    radii = np.ones(n_coarse)
    for k in range(2, 6):
        radii += rng.uniform(0, 0.22) / k**0.5 * np.cos(k * angles + rng.uniform(0, 2 * math.pi))
    radii *= rng.uniform(0.85, 1.15, n_coarse)
    radii = np.clip(radii, 0.45, None)
    corners = np.column_stack([radii * np.cos(angles), radii * np.sin(angles)])

    # Densify: the extra vertices go to edges in proportion to their length, at increasing angles.
    nxt = np.roll(corners, -1, axis=0)
    lengths = np.hypot(*(nxt - corners).T)
    extra = _largest_remainder(lengths, max(n_vertices - n_coarse, 0))
    noise = rng.uniform(0.004, 0.03)
    points = []
    for i in range(n_coarse):
        a, b = corners[i], nxt[i]
        points.append(a)
        for t in np.sort(rng.uniform(0.05, 0.95, extra[i])):
            p = a + t * (b - a)
            points.append(p * (1 + rng.normal(0, noise)))
    ring = np.array(points)
    # Keep the angular order strictly increasing (the ring stays simple).
    theta = np.unwrap(np.arctan2(ring[:, 1], ring[:, 0]))
    keep = np.concatenate([[True], np.diff(theta) > 1e-4])
    ring = ring[keep]

    stretch = rng.uniform(1.0, 1.6)
    rot = rng.uniform(0, math.pi)
    ring = ring * np.array([stretch, 1 / stretch])
    c, s = math.cos(rot), math.sin(rot)
    ring = ring @ np.array([[c, s], [-s, c]])
    area = abs(shapely.area(Polygon(ring)))
    return ring * (radius * math.sqrt(math.pi / area))


def _perimeter(rng: np.random.Generator, radius: float, n_vertices: int) -> shapely.Geometry:
    """A generated QPV perimeter around (0, 0): mostly one polygon, sometimes two parts."""
    if rng.random() < 0.06 and n_vertices >= 40:
        share = rng.uniform(0.25, 0.4)
        main = Polygon(_outline(rng, radius * math.sqrt(1 - share), int(n_vertices * 0.7)))
        small_r = radius * math.sqrt(share)
        small = Polygon(_outline(rng, small_r, max(int(n_vertices * 0.3), 10)))
        angle = rng.uniform(0, 2 * math.pi)
        for gap in (1.0, 1.3, 1.7, 2.2):
            distance = gap * (radius + small_r) + rng.uniform(40, 150)
            moved = affinity.translate(small, distance * math.cos(angle), distance * math.sin(angle))
            if main.distance(moved) > 40:
                return MultiPolygon([main, moved])
        return main
    return Polygon(_outline(rng, radius, n_vertices))


@dataclass
class _Zone:
    """Placed perimeters of one metric CRS (metropole or one overseas département)."""

    crs: str
    land: shapely.Geometry
    geoms: list[shapely.Geometry] = field(default_factory=list)
    centers: list[tuple[float, float]] = field(default_factory=list)
    reach: list[float] = field(default_factory=list)

    def free(self, geom: shapely.Geometry, gap: float = 60.0) -> bool:
        if not self.geoms:
            return True
        cx, cy = shapely.centroid(geom).coords[0]
        r = _reach(geom)
        centers = np.array(self.centers)
        near = np.hypot(centers[:, 0] - cx, centers[:, 1] - cy) < np.array(self.reach) + r + gap
        return not any(self.geoms[i].distance(geom) < gap for i in np.flatnonzero(near))

    def add(self, geom: shapely.Geometry) -> None:
        self.geoms.append(geom)
        self.centers.append(shapely.centroid(geom).coords[0])
        self.reach.append(_reach(geom))


def _reach(geom: shapely.Geometry) -> float:
    cx, cy = shapely.centroid(geom).coords[0]
    coords = shapely.get_coordinates(geom)
    return float(np.hypot(coords[:, 0] - cx, coords[:, 1] - cy).max())


def _zone_key(insee_dep: str) -> str:
    return insee_dep if insee_dep in OVERSEAS_METRIC_CRS else "metro"


def _zones() -> dict[str, _Zone]:
    deps = ref.basemap_departements()
    zones = {}
    for key in ["metro", *sorted(OVERSEAS_METRIC_CRS)]:
        crs = metric_crs(key)
        part = deps[[_zone_key(d) == key for d in deps["insee_dep"]]].to_crs(crs)
        land = shapely.union_all(part.geometry.values).buffer(300)
        shapely.prepare(land)
        zones[key] = _Zone(crs=crs, land=land)
    return zones


def _round_geom(geom: shapely.Geometry, decimals: int = 6) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.round(xy, decimals))


def real_templates(path: Path) -> list[np.ndarray]:
    """Exterior rings (metres, centred on their centroid) of the polygons of a file of real perimeters; a
    self-intersecting one is repaired (`make_valid`, as the loader would) and keeps its largest part."""
    frame = gpd.read_file(path).to_crs(metric_crs("75"))
    rings = []
    for part in shapely.get_parts(frame.geometry.to_numpy()):
        if part.geom_type != "Polygon" or part.is_empty:
            continue
        if not part.is_valid:
            repaired = shapely.get_parts(shapely.make_valid(part, method="structure", keep_collapsed=False))
            part = max((p for p in repaired if p.geom_type == "Polygon"), key=lambda p: p.area)
        rings.append(np.asarray(part.exterior.coords)[:-1] - np.asarray(part.centroid.coords[0]))
    return rings


def _template_perimeter(rng: np.random.Generator, templates: list[np.ndarray]) -> shapely.Geometry:
    """A real outline, scaled (× 0.7-1.1) and rotated: realistic vertex counts for the benchmark."""
    ring = templates[int(rng.integers(len(templates)))] * rng.uniform(0.7, 1.1)
    angle = rng.uniform(0, 2 * math.pi)
    c, s = math.cos(angle), math.sin(angle)
    return Polygon(ring @ np.array([[c, s], [-s, c]]))


def _extra_qpv(rng: np.random.Generator, main: pd.DataFrame, extra: int) -> pd.DataFrame:
    """`extra` generated QPV, each a copy of a random real one's commune with a new code and a numbered name."""
    anchors = main.iloc[rng.integers(len(main), size=extra)].reset_index(drop=True).copy()
    used = set(main["code_qp"])
    counters: dict[str, int] = {}
    codes = []
    for dep in anchors["insee_dep"]:
        while True:
            i = counters.get(dep, 0)
            counters[dep] = i + 1
            code = f"QP{dep.zfill(3)}{i // 36 % 100:02d}{'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'[i % 36]}"
            if code not in used:
                break
        used.add(code)
        codes.append(code)
    anchors["code_qp"] = codes
    anchors["lib_qp"] = [f"{name} {k}" for k, name in enumerate(anchors["lib_qp"], start=2)]
    return anchors


def generate_qpv(rng: np.random.Generator, total: int | None = None, templates: list[np.ndarray] | None = None
                 ) -> tuple[pd.DataFrame, dict[str, shapely.Geometry], dict[str, _Zone]]:
    """All QPV 2024 (one row per code, main commune = first pair) with generated perimeters; `total` other than
    None keeps the first ones or adds generated ones (`_extra_qpv`); `templates` shapes them after real outlines.

    Returns the attribute table (sorted by code), the metric perimeters by code and the zones.
    """
    pairs = ref.qpv2024_table()
    main = pairs.drop_duplicates("code_qp", keep="first").reset_index(drop=True)
    if total is not None and total <= len(main):
        main = main.iloc[:total]
    elif total is not None:
        main = pd.concat([main, _extra_qpv(rng, main, total - len(main))], ignore_index=True)
    deps = ref.departements_table().set_index("insee_dep")["lib_dep"]
    regs = ref.regions_table().set_index("insee_reg")["lib_reg"]
    zones = _zones()

    metric: dict[str, shapely.Geometry] = {}
    populations: dict[str, int] = {}
    for insee_com, group in main.sort_values(["insee_com", "code_qp"]).groupby("insee_com", sort=True):
        first = group.iloc[0]
        zone = zones[_zone_key(first["insee_dep"])]
        x0, y0 = _to_metric(zone.crs, first["lon"], first["lat"])
        n = len(group)
        spread = 1200.0 if n == 1 else 1200.0 + 900.0 * math.sqrt(n)
        for code in group["code_qp"]:
            radius = float(np.clip(rng.lognormal(math.log(300), 0.33), 150, 470))
            n_vertices = int(np.clip(round(rng.lognormal(math.log(46), 0.9)), 14, 380))
            shape = _perimeter(rng, radius, n_vertices) if templates is None else _template_perimeter(rng, templates)
            placed = None
            for attempt in range(400):
                if attempt and attempt % 80 == 0:
                    shape = affinity.scale(shape, 0.85, 0.85, origin=(0, 0))
                distance = spread * math.sqrt(rng.uniform(0.02, 1.0)) * (1 + attempt / 60)
                angle = rng.uniform(0, 2 * math.pi)
                cx, cy = x0 + distance * math.cos(angle), y0 + distance * math.sin(angle)
                on_land = attempt >= 300 or zone.land.contains(Point(cx, cy))
                candidate = affinity.translate(shape, cx, cy)
                if not on_land or not zone.free(candidate):
                    continue
                wgs = _round_geom(_to_wgs84(zone.crs, candidate))
                if not wgs.is_valid:
                    continue
                placed = candidate
                break
            if placed is None:
                raise RuntimeError(f"no room for QPV {code} around {insee_com}")
            zone.add(placed)
            metric[code] = placed
            # A QPV has at least 1 000 inhabitants; the rest grows with the (generated) area.
            density = rng.lognormal(math.log(8000), 0.5)  # inhabitants per km²
            population = 1000 + placed.area / 1e6 * density
            populations[code] = int(np.clip(round(population, -1), 1000, 20000))

    table = main.sort_values("code_qp").reset_index(drop=True)
    frame = pd.DataFrame({
        "code_qp": table["code_qp"],
        "lib_qp": table["lib_qp"],
        "insee_com": table["insee_com"],
        "lib_com": table["lib_com"],
        "insee_dep": table["insee_dep"],
        "lib_dep": table["insee_dep"].map(deps),
        "insee_reg": table["insee_reg"],
        "lib_reg": table["insee_reg"].map(regs),
        "siren_epci": table["siren_epci"],
        "population": table["code_qp"].map(populations).astype(int),
        "source": QPV_SOURCE,
    })
    frame["lon"] = table["lon"]
    frame["lat"] = table["lat"]
    frame["codes_postaux"] = table["codes_postaux"]
    return frame, metric, zones


def _geojson_coords(geom: shapely.Geometry) -> tuple[str, str]:
    def ring(r: shapely.LinearRing) -> str:
        return "[" + ",".join(f"[{x:.6f},{y:.6f}]" for x, y in r.coords) + "]"

    def poly(p: Polygon) -> str:
        return "[" + ",".join(ring(r) for r in [p.exterior, *p.interiors]) + "]"

    if geom.geom_type == "Polygon":
        return "Polygon", poly(geom)
    return "MultiPolygon", "[" + ",".join(poly(p) for p in geom.geoms) + "]"


def qpv_geojson(frame: pd.DataFrame, metric: dict[str, shapely.Geometry], zones: dict[str, _Zone]) -> bytes:
    lines = []
    for row in frame.itertuples(index=False):
        props = {c: getattr(row, c) for c in QPV_COLUMNS}
        props["population"] = int(props["population"])
        geom = _round_geom(_to_wgs84(zones[_zone_key(row.insee_dep)].crs, metric[row.code_qp]))
        if not geom.is_valid:  # placement already checked this; kept as a guard
            geom = shapely.make_valid(geom)
        kind, coords = _geojson_coords(geom)
        head = json.dumps({"type": "Feature", "properties": props}, ensure_ascii=False)[:-1]
        lines.append(f'{head}, "geometry": {{"type": "{kind}", "coordinates": {coords}}}}}')
    text = '{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n"
    return text.encode("utf-8")


# --------------------------------------------------------------------------------------------------------------
# Régies
# --------------------------------------------------------------------------------------------------------------

TOPONYMES = (
    "des Tilleuls", "des Érables", "du Val Fleuri", "des Coteaux", "de la Source", "du Moulin", "des Peupliers",
    "des Glycines", "du Grand Pré", "des Hirondelles", "de la Roseraie", "du Bois Joli", "des Acacias",
    "des Cerisiers", "du Clos Vert", "des Lavandes", "de la Fontaine", "des Quatre Vents", "du Belvédère",
    "des Marronniers", "du Pont Neuf", "des Amandiers", "de la Colline", "des Mimosas", "du Champ de Foire",
    "des Châtaigniers", "des Capucines", "du Petit Bois", "des Sablons", "de l'Étang", "des Bleuets",
    "du Plateau", "des Vergers", "de la Prairie", "des Tournesols", "du Parc", "des Charmes", "des Hortensias",
    "de la Garenne", "des Myosotis", "du Soleil Levant", "des Platanes", "des Iris", "de la Croix Blanche",
    "des Oliviers", "du Canal", "des Pins", "des Magnolias", "du Vieux Port", "des Jonquilles", "de la Butte",
    "des Lilas", "du Grand Chêne", "des Saules", "des Violettes", "de la Pépinière", "des Bouleaux",
    "du Haut Pavé", "des Genêts", "de la Passerelle", "des Primevères", "du Mail", "des Cèdres",
    "de l'Horizon", "des Pâquerettes", "du Jardin Haut", "des Ormes", "de la Clairière", "des Noisetiers",
    "du Val d'Or", "des Camélias", "des Frênes", "de la Brèche", "du Chemin Vert", "des Aubépines",
    "des Trois Fontaines", "du Carré Neuf", "des Mûriers", "de la Côte Fleurie", "des Coquelicots",
    "des Alouettes", "du Lavoir", "des Pervenches", "de la Rive", "des Balcons", "du Grand Large",
    "des Tamaris", "des Fougères", "des Vignes", "du Moulin Rouge", "des Rossignols", "de la Comète",
    "des Étoiles", "de la Boussole", "du Phare", "des Ateliers", "de la Filature", "des Forges", "du Carreau",
    "des Terrils", "des Corons", "des Mésanges", "des Pinsons", "de la Presqu'île", "du Bocage", "des Écluses",
    "des Embruns", "du Cap Vert", "des Lucioles", "des Grillons", "de l'Arc-en-ciel", "des Cyprès",
    "du Clos Fleuri", "des Roches", "de la Vallée", "des Bruyères", "des Chardonnerets", "du Verger Neuf",
    "des Glaïeuls", "de la Tour Carrée", "des Sources Vives", "du Pré Vert", "des Tanneurs", "des Mariniers",
    "de la Gare Basse", "des Rosiers", "du Haut Jardin", "des Lauriers",
)
# For the overseas régies.
TOPONYMES_OUTRE_MER = (
    "des Flamboyants", "des Bougainvilliers", "du Lagon", "des Cocotiers", "des Manguiers", "des Hibiscus",
    "des Goyaviers", "de la Ravine", "de la Savane", "des Palmiers", "du Morne Vert", "des Alizés",
    "des Filaos", "des Tamariniers", "des Frangipaniers", "du Piton", "des Letchis", "des Caféiers",
    "de l'Anse Bleue", "des Badamiers", "du Bassin", "des Vétivers",
)
VOIES = (
    "rue des Artisans", "allée des Jardins", "place de la Fontaine", "avenue des Sports", "rue du Marché",
    "chemin des Écoliers", "rue de la Solidarité", "impasse des Ateliers", "boulevard de l'Égalité",
    "rue des Fleurs", "place du Quartier", "allée des Tisserands", "rue de l'Entraide", "square des Arts",
    "rue des Bâtisseurs", "allée du Lavoir", "rue de la Paix", "passage des Couleurs", "rue des Compagnons",
    "esplanade des Jeunes", "rue du Four", "mail des Platanes", "rue des Potiers", "cours de la Liberté",
)


@dataclass
class _Regie:
    insee_com: str
    commune: str
    insee_dep: str
    insee_reg: str
    population_commune: int
    codes_postaux: list[str]
    origin: tuple[float, float]  # commune point, metric
    type: str = REGIE_TYPES[0]
    qpv: list[str] = field(default_factory=list)
    target: int = 1
    point: tuple[float, float] = (0.0, 0.0)  # WGS84 lon, lat
    salaries: int = 0
    benevoles: int = 0
    id_regie: str = ""
    nom: str = ""


def _allocate_regions(qpv: pd.DataFrame, total: int) -> dict[str, int]:
    counts = qpv.groupby("insee_reg")["code_qp"].size().sort_index()
    # Régies are more frequent where QPV concentrate; every région gets at least one.
    allocation = _largest_remainder(counts.to_numpy() ** 0.9, total, minimum=1)
    return dict(zip(counts.index, allocation.tolist(), strict=True))


def _host_communes(rng: np.random.Generator, qpv: pd.DataFrame, per_region: dict[str, int]) -> list[str]:
    main_count = qpv.groupby("insee_com")["code_qp"].size()
    hosts: list[str] = []
    for reg, wanted in per_region.items():
        communes = sorted(qpv.loc[qpv["insee_reg"] == reg, "insee_com"].unique())
        capacity = {c: max(1, int(main_count[c]) // 3) for c in communes}
        used = dict.fromkeys(communes, 0)
        for _ in range(wanted):
            free = [c for c in communes if used[c] < capacity[c]]
            weights = np.array([main_count[c] ** 0.9 for c in free])
            pick = free[_weighted_choice(rng, weights)]
            used[pick] += 1
            hosts.append(pick)
    return hosts


def _assign_coverage(rng: np.random.Generator, regies: list[_Regie], qpv: pd.DataFrame,
                     centers: dict[str, tuple[float, float]], covered: int) -> None:
    """Give each régie 1-6 QPV of its commune or of nearby communes; exactly `covered` in total."""
    pairs = ref.qpv2024_table()
    codes_of_commune: dict[str, list[str]] = {}
    known = set(qpv["code_qp"])
    for code, com in zip(pairs["code_qp"], pairs["insee_com"], strict=True):
        if code in known:
            codes_of_commune.setdefault(com, []).append(code)
    generated = known - set(pairs["code_qp"])  # the benchmark's extra QPV, in their main commune only
    for code, com in zip(qpv["code_qp"], qpv["insee_com"], strict=True):
        if code in generated:
            codes_of_commune.setdefault(com, []).append(code)
    reg_of = dict(zip(qpv["code_qp"], qpv["insee_reg"], strict=True))
    by_region: dict[str, list[str]] = {}
    for code in qpv["code_qp"]:
        by_region.setdefault(reg_of[code], []).append(code)

    candidates: list[list[str]] = []
    for regie in regies:
        own = list(codes_of_commune[regie.insee_com])
        own = [own[i] for i in rng.permutation(len(own))]
        reach = 25_000.0 if regie.type == REGIE_TYPES[1] else 12_000.0
        ox, oy = regie.origin
        near = sorted(
            (math.hypot(centers[c][0] - ox, centers[c][1] - oy), c)
            for c in by_region[regie.insee_reg] if c not in own
        )
        candidates.append(own + [c for d, c in near if d <= reach])

    taken: set[str] = set()

    def take(i: int) -> bool:
        for code in candidates[i]:
            if code not in taken:
                taken.add(code)
                regies[i].qpv.append(code)
                return True
        return False

    order = rng.permutation(len(regies))
    for i in order:  # first pass: one QPV of its own commune each
        if not take(int(i)):
            raise RuntimeError(f"no QPV left for the régie of {regies[i].commune}")
    for i in order:
        while len(regies[i].qpv) < regies[i].target and take(int(i)):
            pass
    total = sum(len(r.qpv) for r in regies)
    while total != covered:
        if total < covered:
            growable = [i for i, r in enumerate(regies) if len(r.qpv) < 6
                        and any(c not in taken for c in candidates[i])]
            i = growable[int(rng.integers(len(growable)))]
            take(i)
            total += 1
        else:
            shrinkable = [i for i, r in enumerate(regies) if len(r.qpv) > 1]
            i = shrinkable[int(rng.integers(len(shrinkable)))]
            taken.discard(regies[i].qpv.pop())
            total -= 1


def _point_inside(rng: np.random.Generator, polygon: shapely.Geometry) -> tuple[float, float]:
    inner = polygon.buffer(-30)
    if inner.is_empty:
        inner = polygon
    minx, miny, maxx, maxy = inner.bounds
    for _ in range(2000):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if inner.contains(Point(x, y)):
            return x, y
    point = inner.representative_point()
    return point.x, point.y


def _point_outside(rng: np.random.Generator, polygon: shapely.Geometry, zone: _Zone) -> tuple[float, float]:
    """A point 100-250 m outside the perimeter (and outside every other QPV)."""
    boundary = polygon.boundary
    center = polygon.centroid
    for _ in range(5000):
        anchor = boundary.interpolate(rng.uniform(0, boundary.length))
        dx, dy = anchor.x - center.x, anchor.y - center.y
        norm = math.hypot(dx, dy) or 1.0
        step = rng.uniform(120, 230)
        candidate = Point(anchor.x + dx / norm * step, anchor.y + dy / norm * step)
        distance = polygon.distance(candidate)
        if 100 <= distance <= 250 and zone.free(candidate, gap=1.0):
            return candidate.x, candidate.y
    raise RuntimeError("no room for a point outside the perimeter")


def _draw_date(rng: np.random.Generator, start: date, end: date) -> date:
    return start + timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def generate_regies(rng: np.random.Generator, qpv: pd.DataFrame, metric: dict[str, shapely.Geometry],
                    zones: dict[str, _Zone], sizes: Sizes = DEMO) -> list[_Regie]:
    pairs = ref.qpv2024_table().drop_duplicates("insee_com").set_index("insee_com")
    per_region = _allocate_regions(qpv, sizes.regies)
    hosts = _host_communes(rng, qpv, per_region)

    regies = []
    for com in hosts:
        row = pairs.loc[com]
        crs = zones[_zone_key(row["insee_dep"])].crs
        regies.append(_Regie(
            insee_com=com, commune=row["lib_com"], insee_dep=row["insee_dep"], insee_reg=row["insee_reg"],
            population_commune=int(row["population_commune"]),
            codes_postaux=[c for c in str(row["codes_postaux"]).split(LIST_JOINER) if c],
            origin=_to_metric(crs, float(row["lon"]), float(row["lat"])),
        ))

    # Régies de territoire: rather in the smaller communes.
    score = np.array([math.log(r.population_commune + 1) for r in regies]) + rng.normal(0, 0.8, len(regies))
    for i in np.argsort(score, kind="stable")[:sizes.regies_territoire]:
        regies[int(i)].type = REGIE_TYPES[1]
    targets = rng.choice(np.arange(1, 7), size=len(regies), p=[0.27, 0.27, 0.2, 0.12, 0.08, 0.06])
    for regie, target in zip(regies, targets, strict=True):
        regie.target = int(target) + (1 if regie.type == REGIE_TYPES[1] and target < 6 else 0)

    centers = {code: (geom.centroid.x, geom.centroid.y) for code, geom in metric.items()}
    _assign_coverage(rng, regies, qpv, centers, sizes.qpv_couverts)

    # Staff: larger régies cover more QPV; exact totals by largest remainder.
    size = np.array([len(r.qpv) for r in regies], dtype=float)
    staff = rng.lognormal(math.log(70), 0.55, len(regies)) * (0.6 + 0.2 * size)
    volunteers = rng.gamma(1.3, 1.0, len(regies)) * (rng.random(len(regies)) > 0.08)
    for regie, s, b in zip(regies, _largest_remainder(staff, sizes.salaries, minimum=8),
                           _largest_remainder(volunteers + 0.01, sizes.benevoles), strict=True):
        regie.salaries, regie.benevoles = int(s), int(b)

    # Points: inside the first covered QPV; a few deliberately just outside.
    outside = set(rng.choice(len(regies), size=sizes.regies_hors_perimetre, replace=False).tolist())
    for i, regie in enumerate(regies):
        zone = zones[_zone_key(regie.insee_dep)]
        polygon = metric[regie.qpv[0]]
        x, y = _point_outside(rng, polygon, zone) if i in outside else _point_inside(rng, polygon)
        lon, lat = _transformer(zone.crs, WGS84).transform(x, y)
        regie.point = (round(float(lon), 6), round(float(lat), 6))

    # Identifiers and names, in a stable order.
    regies.sort(key=lambda r: (r.insee_dep, r.insee_com, r.qpv[0]))
    per_dep: dict[str, int] = {}
    overseas = [r.insee_dep in OVERSEAS_METRIC_CRS for r in regies]
    names = _names(rng, overseas, TOPONYMES_OUTRE_MER, TOPONYMES)
    for regie, toponyme in zip(regies, names, strict=True):
        per_dep[regie.insee_dep] = per_dep.get(regie.insee_dep, 0) + 1
        prefix = "RQ" if regie.type == REGIE_TYPES[0] else "RT"
        regie.id_regie = f"{prefix}-{regie.insee_dep.zfill(3)}-{per_dep[regie.insee_dep]:02d}"
        label = "Régie de quartier" if regie.type == REGIE_TYPES[0] else "Régie de territoire"
        regie.nom = f"{label} {toponyme}{DEMO_SUFFIX}"
    return regies


def _names(rng: np.random.Generator, overseas: list[bool], pool_overseas: tuple[str, ...],
           pool: tuple[str, ...]) -> list[str]:
    """Distinct fictional names, overseas-flavoured ones for the overseas entries (while they last); past the
    pool (larger datasets than the demo), the names again, numbered."""
    tropical = [pool_overseas[i] for i in rng.permutation(len(pool_overseas))]
    generic = [pool[i] for i in rng.permutation(len(pool))]
    names = []
    lap = 1
    for is_overseas in overseas:
        if not generic and not (is_overseas and tropical):
            lap += 1
            generic = [f"{pool[i]} {lap}" for i in rng.permutation(len(pool))]
        source = tropical if is_overseas and tropical else generic
        names.append(source.pop(0))
    return names


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in fold(text)).split())


def regies_rows(rng: np.random.Generator, regies: list[_Regie]) -> list[dict]:
    rows = []
    for regie in regies:
        postal = regie.codes_postaux[int(rng.integers(len(regie.codes_postaux)))] if regie.codes_postaux else ""
        created = _draw_date(rng, date(1985, 1, 1), date(2020, 12, 31))
        site = ""
        if rng.random() < 0.6:
            site = f"https://exemple.org/{_slug(regie.nom.removesuffix(DEMO_SUFFIX))}"
        rows.append({
            "id_regie": regie.id_regie,
            "nom": regie.nom,
            "type": regie.type,
            "adresse": f"{int(rng.integers(1, 120))} {VOIES[int(rng.integers(len(VOIES)))]}",
            "code_postal": postal,
            "commune": regie.commune,
            "insee_com": regie.insee_com,
            "latitude": _dec(regie.point[1], 6),
            "longitude": _dec(regie.point[0], 6),
            "salaries": regie.salaries,
            "benevoles": regie.benevoles,
            "qpv_couverts": LIST_JOINER.join(regie.qpv),
            "date_creation": _fr_date(created),
            "site_web": site,
            "precision": "quartier",  # a point drawn inside the first covered QPV (or just outside it)
        })
    return rows


# --------------------------------------------------------------------------------------------------------------
# HLM organisms
# --------------------------------------------------------------------------------------------------------------

RACINES = (
    "Val d'Argent", "Horizon Commun", "Toits Solidaires", "Terres Neuves", "Les Trois Ponts", "Cité Claire",
    "Bel Abri", "Haut Vallon", "Grand Delta", "Lumière d'Est", "Rivages", "Plein Ciel", "Ciel Ouvert",
    "Pierre d'Angle", "Les Hautes Terres", "Nouvel Élan", "Vents d'Ouest", "Terre d'Accueil", "Portes du Sud",
    "Arc Boisé", "Cœur de Ville", "Clair Logis", "Val de Lune", "Rive Haute", "Les Cinq Collines", "Foyer Vert",
    "Maison Commune", "Pays des Lacs", "Les Quatre Saisons", "Mont Bleu", "Aube Nouvelle", "Rose des Vents",
    "Bastide Neuve", "Grand Large", "Val Fleuri", "Plaine Ouverte", "Lisière", "Les Jardins Suspendus",
    "Étoile du Nord", "Horizon Sud", "Deux Rives", "Ardoise", "Terre Rouge", "Bocage", "Canopée",
    "Coteaux Clairs", "Sillon", "Équinoxe", "Méridienne", "Boréale", "Colombe", "Sémaphore",
    "Les Ateliers Réunis", "Fil d'Eau", "Carrefour", "Belles Ondes", "Pont-Levis", "Faubourg", "Les Arcades",
    "Beffroi", "Garrigue", "Estuaire", "Les Tanneries", "Clos Solidaire", "Vallée Douce", "Bois Dormant",
    "Haute Lande", "Pays Vert", "Trois Clochers", "Rempart", "Grand Mail", "Terrasses",
)
# For the overseas organisms.
RACINES_OUTRE_MER = (
    "Caraïbe Habitée", "Lagon Bleu", "Mornes Verts", "Alizés", "Îles du Vent", "Case Créole", "Anse Claire",
    "Flamboyant", "Piton Vert", "Ylang", "Mangrove", "Alizé du Sud",
)
NOM_FAMILLE = {
    "OPH": ("{r} Habitat OPH", "Office public de l'habitat {r}"),
    "ESH": ("{r} Logement", "SA d'HLM {r}", "{r} Résidences"),
    "Coop HLM": ("Coopérative HLM {r}", "Coop'Habitat {r}"),
    "SEM": ("SEM Immobilière {r}", "Société d'économie mixte {r}"),
    "autre": ("Foncière solidaire {r}", "Association {r} Logement d'insertion"),
}
LOGEMENTS = {  # (median, sigma, min, max) of the rental stock per family
    "OPH": (11_000, 0.7, 2_000, 60_000),
    "ESH": (14_000, 0.8, 1_500, 90_000),
    "Coop HLM": (1_200, 0.6, 200, 6_000),
    "SEM": (4_500, 0.8, 500, 30_000),
    "autre": (600, 0.8, 50, 4_000),
}
FAMILY_WEIGHTS = {"OPH": 0.3, "ESH": 0.38, "Coop HLM": 0.1, "SEM": 0.13, "autre": 0.09}


@dataclass
class _Organisme:
    siren: str
    nom: str
    famille: str
    insee_com: str
    commune: str
    insee_reg: str
    lon: float
    lat: float
    nb_logements: int
    national: bool = False


def generate_organismes(rng: np.random.Generator, qpv: pd.DataFrame, sizes: Sizes = DEMO) -> list[_Organisme]:
    communes = ref.qpv2024_table().drop_duplicates("insee_com")
    regions = sorted(qpv["insee_reg"].unique())
    counts = qpv.groupby("insee_reg")["code_qp"].size().reindex(regions).to_numpy()
    overseas = [r for r in regions if r < "10"]
    metro = [r for r in regions if r >= "10"]
    per_region = dict.fromkeys(overseas, 2)
    metro_counts = _largest_remainder(counts[[regions.index(r) for r in metro]] ** 0.8,
                                      sizes.organismes - 2 * len(overseas), minimum=2)
    per_region.update(zip(metro, metro_counts.tolist(), strict=True))

    families: list[tuple[str, str, bool]] = []  # (région, famille, national)
    drawn: list[int] = []  # positions whose family was drawn at random
    family_p = np.array([FAMILY_WEIGHTS[f] for f in FAMILLES])
    for reg in regions:
        first = ("SEM", "ESH") if reg in overseas else ("OPH", "ESH")
        for k in range(per_region[reg]):
            if k < 2:
                families.append((reg, first[k], False))
            elif reg == "11" and k < 2 + sizes.nationaux:
                families.append((reg, "ESH", True))
            else:
                drawn.append(len(families))
                families.append((reg, FAMILLES[_weighted_choice(rng, family_p)], False))
    for fam in FAMILLES:  # every family present at least three times
        while sum(f == fam for _, f, _ in families) < 3:
            tally = {f: sum(g == f for _, g, _ in families) for f in FAMILLES}
            spare = [i for i in drawn if tally[families[i][1]] > 6]
            i = spare[int(rng.integers(len(spare)))]
            families[i] = (families[i][0], fam, False)

    roots = _names(rng, [reg in overseas for reg, _, _ in families], RACINES_OUTRE_MER, RACINES)
    sirens: set[str] = set()
    organismes = []
    for (reg, fam, national), root in zip(families, roots, strict=True):
        pool = communes[communes["insee_reg"] == reg]
        if national:
            host = communes[communes["insee_com"] == "75056"].iloc[0]
        else:
            weights = pool["population_commune"].to_numpy(dtype=float) ** 1.2
            host = pool.iloc[_weighted_choice(rng, weights)]
        templates = NOM_FAMILLE[fam]
        nom = templates[int(rng.integers(len(templates)))].format(r=root)
        if national:
            nom = f"{root} Habitat France"
        median, sigma, low, high = LOGEMENTS[fam]
        stock = rng.lognormal(math.log(median), sigma)
        if national:
            stock = rng.uniform(60_000, 140_000)
        while True:
            prefix = str(int(rng.integers(2, 9))) + "".join(str(d) for d in rng.integers(0, 10, 7))
            siren = _luhn_complete(prefix)
            if siren not in sirens:
                sirens.add(siren)
                break
        organismes.append(_Organisme(
            siren=siren, nom=nom + DEMO_SUFFIX, famille=fam, insee_com=host["insee_com"], commune=host["lib_com"],
            insee_reg=reg, lon=float(host["lon"]), lat=float(host["lat"]),
            nb_logements=int(round(float(np.clip(stock, low, 150_000 if national else high)), -1)),
            national=national,
        ))
    organismes.sort(key=lambda o: (o.insee_reg, o.famille, o.nom))
    return organismes


def organismes_rows(organismes: list[_Organisme]) -> list[dict]:
    return [{
        "siren": o.siren,
        "nom": o.nom,
        "famille": o.famille,
        "commune_siege": o.commune,
        "insee_reg": o.insee_reg,
        "nb_logements": o.nb_logements,
        "insee_com": o.insee_com,
        "latitude": _dec(o.lat, 5),
        "longitude": _dec(o.lon, 5),
    } for o in organismes]


# --------------------------------------------------------------------------------------------------------------
# Partnerships
# --------------------------------------------------------------------------------------------------------------

THEME_WEIGHTS = {
    "cadre-de-vie": 0.30, "insertion-professionnelle": 0.22, "cohesion-sociale": 0.18,
    "transition-ecologique": 0.12, "precarite-energetique": 0.10, "inclusion-numerique": 0.08,
}
DESCRIPTIONS = {
    "cadre-de-vie": (
        "Entretien des espaces extérieurs et des halls", "Gestion des encombrants en pied d'immeuble",
        "Petits travaux de remise en état des logements vacants", "Embellissement des parties communes",
        "Propreté et veille technique des résidences",
    ),
    "transition-ecologique": (
        "Jardins partagés en pied d'immeuble", "Compostage collectif et tri des déchets",
        "Atelier de réparation de vélos", "Végétalisation des cours de résidences",
    ),
    "cohesion-sociale": (
        "Médiation de proximité et veille sociale", "Animations d'été avec les habitants",
        "Accueil des nouveaux locataires", "Ateliers intergénérationnels dans les résidences",
    ),
    "precarite-energetique": (
        "Visites conseil éco-gestes chez les locataires", "Pose de kits d'économie d'eau et d'énergie",
        "Accompagnement des ménages face aux factures d'énergie",
    ),
    "inclusion-numerique": (
        "Ateliers numériques en pied d'immeuble", "Permanences d'aide aux démarches en ligne",
        "Reconditionnement et prêt d'ordinateurs",
    ),
    "insertion-professionnelle": (
        "Chantier d'insertion en second œuvre", "Parcours d'insertion dans l'entretien du patrimoine",
        "Heures d'insertion des marchés de réhabilitation", "Formation aux métiers du bâtiment",
    ),
}
STATUT_WEIGHTS = {"en cours": 0.56, "terminé": 0.26, "en projet": 0.18}
PROGRAMME_START = date(2024, 1, 1)  # the first partnerships of the contrats de ville 2024-2030
LAST_TERMINATED_START = date(2025, 12, 31)  # a finished partnership started by then


def _dates(rng: np.random.Generator, statut: str) -> tuple[date, date | None]:
    if statut == "terminé":
        debut = _draw_date(rng, PROGRAMME_START, LAST_TERMINATED_START)
        longest = (TODAY - debut).days - 1
        fin = debut + timedelta(days=int(rng.integers(min(90, longest), min(900, longest) + 1)))
        return debut, fin
    if statut == "en cours":
        debut = _draw_date(rng, PROGRAMME_START, TODAY)
        if rng.random() < 0.3:
            return debut, None
        fin = debut + timedelta(days=int(rng.integers(365, 1100)))
        if fin <= TODAY:
            fin = _draw_date(rng, TODAY + timedelta(days=30), TODAY + timedelta(days=900))
        return debut, fin
    # en projet: starting soon (a few just started, most in 2027, some up to 2030)
    if rng.random() < 0.75:
        debut = _draw_date(rng, TODAY - timedelta(days=20), date(2027, 12, 31))
    else:
        debut = _draw_date(rng, date(2028, 1, 1), date(2030, 12, 31))
    if rng.random() < 0.4:
        return debut, None
    return debut, debut + timedelta(days=int(rng.integers(180, 1100)))


def _retimed(statut: str, debut: date, fin: date | None, entry: date) -> tuple[date, date | None]:
    """Dates drawn from the programme's start moved onto a régie's entry: a start drawn in [PROGRAMME_START, last]
    is put at the same place in [entry, last] (`last`: today for the running ones; for the finished ones
    `LAST_TERMINATED_START`, or a year after a late entry, and four months before today at the latest, their duration
    shrinking alike so that they still end before today); planned ones are unchanged."""
    if statut == "en projet":
        return debut, fin
    last = TODAY if statut == "en cours" else min(max(LAST_TERMINATED_START, entry + timedelta(days=365)),
                                                  TODAY - timedelta(days=120))
    share = (debut - PROGRAMME_START).days / (last - PROGRAMME_START).days
    moved = entry + timedelta(days=int(share * (last - entry).days))
    if statut == "terminé" and fin is not None:
        fin = moved + timedelta(days=int((fin - debut).days * (TODAY - moved).days / (TODAY - debut).days))
    return moved, fin


def _active_qpv(rng: np.random.Generator, regies: list[_Regie], sizes: Sizes) -> list[list[str]]:
    """Per régie, the covered QPV that get at least one partnership (none for the régies left without any)."""
    silent = set(rng.choice(len(regies), size=sizes.regies_sans_partenariat, replace=False).tolist())
    active: list[list[str]] = [[] if i in silent else [r.qpv[0]] for i, r in enumerate(regies)]
    remaining = [(i, c) for i, r in enumerate(regies) if i not in silent for c in r.qpv[1:]]
    wanted = round(PART_QPV_ACTIFS * sum(len(r.qpv) for r in regies)) - sum(len(a) for a in active)
    for k in sorted(rng.choice(len(remaining), size=wanted, replace=False).tolist()):
        i, code = remaining[k]
        active[i].append(code)
    return active


def generate_partenariats(rng: np.random.Generator, regies: list[_Regie], organismes: list[_Organisme],
                          sizes: Sizes = DEMO, entries: dict[str, date] | None = None) -> list[dict]:
    """The partnerships, each drawn with its status and dates as if the programme had started for every régie at
    once, then moved onto its régie's own entry into the convention (`entries`, see `_retimed`)."""
    by_region: dict[str, list[int]] = {}
    for i, o in enumerate(organismes):
        by_region.setdefault(o.insee_reg, []).append(i)
    nationals = [i for i, o in enumerate(organismes) if o.national]

    active = _active_qpv(rng, regies, sizes)

    # How many partnerships per régie: enough to cover its active QPV, the rest by size.
    need = np.array([math.ceil(len(a) / 2) for a in active])
    weights = np.array([math.sqrt(r.salaries) if active[i] else 0.0 for i, r in enumerate(regies)])
    counts = need + _largest_remainder(weights, sizes.partenariats - int(need.sum()))

    theme_slugs = [t.slug for t in THEMES]
    theme_p = np.array([THEME_WEIGHTS[s] for s in theme_slugs])
    label_of = {t.slug: t.label for t in THEMES}
    statuts = list(STATUT_WEIGHTS)
    statut_p = np.array(list(STATUT_WEIGHTS.values()))

    drafts = []
    for i, regie in enumerate(regies):
        if not counts[i]:
            continue
        local = by_region[regie.insee_reg]
        partners = [local[_weighted_choice(rng, np.array([organismes[j].nb_logements ** 0.5 for j in local]))]]
        for _ in range(int(rng.integers(0, 3))):
            partners.append(local[int(rng.integers(len(local)))])
        if nationals and regie.insee_reg >= "10" and regie.insee_reg != "11" and rng.random() < 0.2:
            partners.append(nationals[int(rng.integers(len(nationals)))])
        partners = list(dict.fromkeys(partners))
        partner_p = np.array([3.0] + [1.0] * (len(partners) - 1))

        # The first partnerships cover the active QPV in small groups; the next ones pick among them.
        shuffled = [active[i][k] for k in rng.permutation(len(active[i]))]
        groups = [shuffled[k:k + 2] for k in range(0, len(shuffled), 2)]
        for n in range(int(counts[i])):
            if n < len(groups):
                qpv = groups[n]
            else:
                size = min(len(active[i]), int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1])))
                qpv = [active[i][k] for k in sorted(rng.choice(len(active[i]), size=size, replace=False))]
            n_themes = int(rng.choice([1, 2, 3], p=[0.5, 0.35, 0.15]))
            picked = rng.choice(len(theme_slugs), size=n_themes, replace=False, p=theme_p)
            primary = theme_slugs[int(picked[0])]
            themes = [theme_slugs[k] for k in sorted(picked.tolist())]
            statut = statuts[_weighted_choice(rng, statut_p)]
            debut, fin = _dates(rng, statut)
            if entries:
                debut, fin = _retimed(statut, debut, fin, entries[regie.id_regie])
            amount = float(np.clip(rng.lognormal(math.log(28_000), 0.8), 2_000, 400_000))
            amount = round(amount, 2) if rng.random() < 0.25 else round(amount / 50) * 50.0
            hours: int | None = None
            if statut != "en projet":
                rate = rng.uniform(25, 45) if "insertion-professionnelle" in themes else rng.uniform(60, 120)
                share = 1.0 if statut == "terminé" else rng.uniform(0.2, 0.9)
                hours = int(round(amount / rate * share * rng.uniform(0.4, 0.9)))
            texts = DESCRIPTIONS[primary]
            drafts.append({
                "id_regie": regie.id_regie,
                "siren_organisme": organismes[partners[_weighted_choice(rng, partner_p)]].siren,
                "qpv": LIST_JOINER.join(qpv),
                "themes": LIST_JOINER.join(label_of[s] for s in themes),
                "statut": statut,
                "_debut": debut,
                "date_debut": _fr_date(debut),
                "date_fin": _fr_date(fin),
                "description": texts[int(rng.integers(len(texts)))],
                "montant_eur": _dec(amount, 2),
                "heures_insertion": hours,
            })
    drafts.sort(key=lambda d: (d["_debut"], d["id_regie"], d["siren_organisme"], d["qpv"]))
    for n, draft in enumerate(drafts, start=1):
        draft["id_partenariat"] = f"P-{draft.pop('_debut').year}-{n:04d}"
    return drafts


# --------------------------------------------------------------------------------------------------------------
# History: when each régie joined the convention, the régies created lately, the statuses that changed
# --------------------------------------------------------------------------------------------------------------

DEMO_SIGNATURE = date(2024, 7, 1)  # the demo's own, fictional signature day of the convention (labelled demo)
LAST_ENTRY = date(2025, 9, 30)  # every régie has joined by then
ENTRY_RAMP = 1.5  # entries' density over the period ∝ ENTRY_RAMP + t (t from 0 to 1): 5/3 as many at the end
RECENT_REGIES = 8  # régies created since PROGRAMME_START, SILENT_RECENT of them without partnership yet
SILENT_RECENT = 2
HISTORY_COLUMNS = ["id_partenariat", "date", "statut", "commentaire"]
DELAYED_SHARE, UNDONE_SHARE, SUSPENDED_SHARE = 0.12, 0.04, 0.04  # of the started partnerships


def regie_entries(rng: np.random.Generator, regies: list[_Regie]) -> dict[str, date]:
    """The day each régie joins the convention, spread from PROGRAMME_START to LAST_ENTRY, more and more often."""
    span = (LAST_ENTRY - PROGRAMME_START).days
    u = rng.random(len(regies))
    ramp = -ENTRY_RAMP + np.sqrt(ENTRY_RAMP ** 2 + 2 * u * (ENTRY_RAMP + 0.5))  # inverse of the ramp's distribution
    return {r.id_regie: PROGRAMME_START + timedelta(days=int(t * span)) for r, t in zip(regies, ramp, strict=True)}


def recent_creations(rng: np.random.Generator, regies: list[_Regie], partenariats: list[dict],
                     entries: dict[str, date]) -> dict[str, date]:
    """Creation days of the régies created lately: some without partnership yet, the others among the late
    entrants, created a few months before they joined (so before any of their partnerships starts)."""
    working = {p["id_regie"] for p in partenariats}
    silent = [r.id_regie for r in regies if r.id_regie not in working]
    late = [r.id_regie for r in regies if r.id_regie in working and entries[r.id_regie] >= date(2024, 10, 1)]
    chosen_silent = [silent[i] for i in rng.permutation(len(silent))[:SILENT_RECENT]]
    chosen_late = [late[i] for i in rng.permutation(len(late))[:RECENT_REGIES - len(chosen_silent)]]
    created = {rid: _draw_date(rng, date(2025, 3, 1), TODAY - timedelta(days=60)) for rid in chosen_silent}
    for rid in chosen_late:
        created[rid] = max(PROGRAMME_START, entries[rid] - timedelta(days=int(rng.integers(45, 301))))
    return created


def generate_status_history(rng: np.random.Generator, partenariats: list[dict]) -> list[dict]:
    """Dated status changes that the dates alone do not tell: starts put off (every planned partnership whose start
    day has passed, and some others), closings undone a few days later, suspensions then resumptions. Each ends on
    the status the partnership has today, the rule of `geo.timeline.status_at` giving it back."""
    rows = []

    def add(part: dict, day: date, statut: str, why: str) -> None:
        rows.append({"id_partenariat": part["id_partenariat"], "date": day, "statut": statut,
                     "commentaire": f"{why} (démo)"})

    for part in partenariats:
        debut = datetime.strptime(part["date_debut"], fr.DATE_FORMAT).date()
        fin = datetime.strptime(part["date_fin"], fr.DATE_FORMAT).date() if part["date_fin"] else None
        if part["statut"] == "en projet":
            if debut <= TODAY:
                add(part, debut, "en projet", "Démarrage reporté")
            continue
        running = ((min(fin, TODAY) if fin else TODAY) - debut).days  # days it has been running (until today)
        draw = rng.random()
        if draw < DELAYED_SHARE and running > 150:
            add(part, debut, "en projet", "Démarrage reporté")
            add(part, debut + timedelta(days=int(rng.integers(20, 101))), "en cours", "Démarrage effectif")
        elif draw < DELAYED_SHARE + UNDONE_SHARE and running > 120:
            closed = _draw_date(rng, debut + timedelta(days=60), debut + timedelta(days=running - 30))
            add(part, closed, "terminé", "Clôturé par erreur")
            add(part, closed + timedelta(days=int(rng.integers(1, 8))), "en cours", "Clôture annulée")
        elif draw < DELAYED_SHARE + UNDONE_SHARE + SUSPENDED_SHARE and running > 240:
            paused = _draw_date(rng, debut + timedelta(days=90), debut + timedelta(days=running - 120))
            add(part, paused, "en projet", "Suspendu")
            add(part, paused + timedelta(days=int(rng.integers(30, 91))), "en cours", "Repris")
    rows.sort(key=lambda r: (r["date"], r["id_partenariat"]))
    return [{**r, "date": _fr_date(r["date"])} for r in rows]


# --------------------------------------------------------------------------------------------------------------
# Convention follow-up: regional declinations and HLM housing in the QPV
# --------------------------------------------------------------------------------------------------------------

# How many régions are at each stage of the declination (the rest: "à engager").
DECLINAISONS_SIGNEES = 7
DECLINAISONS_EN_PREPARATION = 5
PART_QPV_AVEC_PATRIMOINE = 0.8  # share of the QPV where at least one demo organism owns housing
PERSONNES_PAR_LOGEMENT = 2.3


def generate_declinaisons(rng: np.random.Generator, regies: list[_Regie], organismes: list[_Organisme],
                          partenariats: list[dict]) -> list[dict]:
    """One row per région of the regions list: the régions with the most partnerships are the likeliest to have
    signed; signatories are taken among the région's own organisms and régies."""
    regions = ref.regions_table()
    regie_region = {r.id_regie: r.insee_reg for r in regies}
    activity = {code: 0 for code in regions["insee_reg"]}
    for part in partenariats:
        activity[regie_region[part["id_regie"]]] = activity.get(regie_region[part["id_regie"]], 0) + 1
    weights = np.array([activity[c] + 1.0 for c in regions["insee_reg"]])
    order = [int(k) for k in rng.choice(len(regions), size=len(regions), replace=False, p=weights / weights.sum())]
    stage = {}
    for rank, k in enumerate(order):
        signed, preparing = rank < DECLINAISONS_SIGNEES, rank < DECLINAISONS_SIGNEES + DECLINAISONS_EN_PREPARATION
        stage[k] = DECLINAISON_STATUTS[2] if signed else DECLINAISON_STATUTS[1] if preparing else DECLINAISON_STATUTS[0]
    rows = []
    for k, (code, name) in enumerate(regions[["insee_reg", "lib_reg"]].itertuples(index=False)):
        statut = stage[k]
        row = {"insee_reg": code, "ar_hlm": f"Association régionale HLM {name}{DEMO_SUFFIX}", "statut": statut,
               "date_signature": "", "organismes_signataires": "", "regies_signataires": "",
               "lien_document": "", "commentaire": "Déclinaison fictive (démo)."}
        if statut == DECLINAISON_SIGNEE:
            local_orgs = [o.siren for o in organismes if o.insee_reg == code]
            local_regies = [r.id_regie for r in regies if r.insee_reg == code]
            n_orgs, n_regies = min(len(local_orgs), int(rng.integers(2, 6))), min(len(local_regies),
                                                                                 int(rng.integers(2, 5)))
            row["date_signature"] = _fr_date(_draw_date(rng, date(2025, 1, 15), TODAY - timedelta(days=30)))
            row["organismes_signataires"] = LIST_JOINER.join(
                sorted(local_orgs[i] for i in rng.choice(len(local_orgs), size=n_orgs, replace=False)))
            row["regies_signataires"] = LIST_JOINER.join(
                sorted(local_regies[i] for i in rng.choice(len(local_regies), size=n_regies, replace=False)))
            row["lien_document"] = f"https://exemple.org/declinaison-{_slug(name)}.pdf"
        elif statut == DECLINAISON_STATUTS[1]:
            row["commentaire"] = "Déclinaison fictive (démo) : texte en cours de rédaction."
        rows.append(row)
    return rows


def generate_patrimoine(rng: np.random.Generator, qpv: pd.DataFrame, organismes: list[_Organisme],
                        partenariats: list[dict]) -> list[dict]:
    """Social housing of the organisms in the QPV (what RPLS gives): the partners of a QPV's partnerships own
    housing there, other QPV get one to three organisms of their région; about a quarter of the population."""
    by_region: dict[str, list[int]] = {}
    for i, o in enumerate(organismes):
        by_region.setdefault(o.insee_reg, []).append(i)
    index_of = {o.siren: i for i, o in enumerate(organismes)}
    partners: dict[str, list[int]] = {}
    for part in partenariats:
        for code in part["qpv"].split(LIST_JOINER):
            partners.setdefault(code, []).append(index_of[part["siren_organisme"]])
    rows = []
    for code, region, population in qpv[["code_qp", "insee_reg", "population"]].itertuples(index=False):
        owners = list(dict.fromkeys(partners.get(code, [])))
        local = by_region.get(region, [])
        if local and (owners or rng.random() < PART_QPV_AVEC_PATRIMOINE):
            size = np.array([organismes[j].nb_logements ** 0.5 for j in local])
            for _ in range(max(0, int(rng.integers(1, 4)) - len(owners))):
                owners.append(local[_weighted_choice(rng, size)])
        owners = list(dict.fromkeys(owners))
        if not owners:
            continue
        units = int(population * rng.uniform(0.2, 0.55) / PERSONNES_PAR_LOGEMENT)
        shares = _largest_remainder(rng.dirichlet(np.full(len(owners), 2.0)), max(units, 10 * len(owners)),
                                    minimum=10)
        rows.extend({"siren_organisme": organismes[j].siren, "code_qp": code, "nb_logements": int(n)}
                    for j, n in zip(owners, shares, strict=True))
    return rows


# --------------------------------------------------------------------------------------------------------------
# Folder
# --------------------------------------------------------------------------------------------------------------

README = """# Données de démonstration (fictives)

Ce dossier contient un **jeu de démonstration** de la Carte des coopérations, produit par
`python -m geo demo --out data/demo` (graine {seed}, déterministe). **Ces données ne décrivent aucune
coopération réelle.**

## Ce qui est réel
- La liste des {n_qpv} quartiers prioritaires 2024 (codes et noms, ANCT, liste 2024) et leurs communes ;
  départements, régions et EPCI (INSEE, Code officiel géographique ; DGCL). Voir `data/ref/SOURCES.md`.
- Les communes, codes INSEE et codes postaux des régies et des sièges d'organismes.

## Ce qui est inventé
- Les **périmètres des QPV** (`qpv.geojson`) : formes générées autour du point de la commune, de taille
  réaliste mais sans rapport avec les vrais périmètres ; la **population** des quartiers aussi.
  Colonne `source` = « {qpv_source} ».
- Les **{n_regies} régies** (`regies.csv`), les **{n_org} organismes HLM** (`organismes.csv`) et les
  **{n_part} partenariats** (`partenariats.csv`) : noms (tous terminés par « (démo) »), adresses, SIREN
  (valides au sens de Luhn mais fictifs), effectifs, montants, heures d'insertion, dates et descriptions.
  Les sites web pointent vers exemple.org.
- Chiffres d'ensemble reproduits : {n_regies} régies, {n_couverts} QPV couverts, {salaries} salariés et
  {benevoles} bénévoles. Date de référence des statuts : {today}.
- L'**historique** : chaque régie entre dans la convention à une date étalée de 2024 à 2025 (de plus en plus
  souvent), ses partenariats commencent ensuite ; {n_recent} régies sont créées depuis 2024 ;
  `{history_file}` donne {n_history} changements de statut datés (démarrages reportés, clôtures annulées,
  suspensions), chacun marqué « (démo) ». Aucun n'est écrit dans le journal de la base, qui ne contient que de
  vraies modifications. Date de signature de la convention pour la démo : {signature} (fictive ; un déploiement
  règle la sienne par `CARTE_DATE_SIGNATURE`).

Licence : {licence}.
"""


def _record(folder: Path, name: str, source: str, rows: int, note: str = "") -> DatasetRecord:
    return DatasetRecord(file=name, source=source, licence=LICENCE, date=GENERATED_ON, rows=rows,
                         sha256=sha256_file(folder / name), demo=True, note=note)


def generate_demo(out_dir: Path, seed: int = DEFAULT_SEED, sizes: Sizes = DEMO, shapes: Path | None = None
                  ) -> Manifest:
    """Write the demo folder (qpv.geojson, regies.csv, organismes.csv, partenariats.csv, declinaisons.csv,
    patrimoine.csv, historique_statuts.csv, manifest.json, README.md) and return its manifest. `sizes` and
    `shapes` (a file of real perimeters whose outlines the QPV take, see `real_templates`) are for the benchmark's
    datasets."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)

    templates = real_templates(shapes) if shapes else None
    qpv, metric, zones = generate_qpv(rng, sizes.qpv, templates)
    regies = generate_regies(rng, qpv, metric, zones, sizes)
    organismes = generate_organismes(rng, qpv, sizes)
    # The history has a generator of its own, so that adding it left the other draws (names, amounts…) as they were.
    history = np.random.default_rng([seed, 2])
    entries = regie_entries(history, regies)
    partenariats = generate_partenariats(rng, regies, organismes, sizes, entries)
    regie_rows = regies_rows(rng, regies)
    created = recent_creations(history, regies, partenariats, entries)
    for row in regie_rows:
        if row["id_regie"] in created:
            row["date_creation"] = _fr_date(created[row["id_regie"]])
    statuses = generate_status_history(history, partenariats)

    atomic_write_bytes(out_dir / QPV_FILE, qpv_geojson(qpv, metric, zones))
    atomic_write_bytes(out_dir / REGIES_FILE, csv_bytes(REGIES.column_names, regie_rows))
    atomic_write_bytes(out_dir / ORGANISMES_FILE,
                       csv_bytes(ORGANISMES.column_names, organismes_rows(organismes)))
    atomic_write_bytes(out_dir / PARTENARIATS_FILE, csv_bytes(PARTENARIATS.column_names, partenariats))
    # A generator of their own, so that adding these files left the others byte-identical.
    follow_up = np.random.default_rng([seed, 1])
    declinaisons = generate_declinaisons(follow_up, regies, organismes, partenariats)
    patrimoine = generate_patrimoine(follow_up, qpv, organismes, partenariats)
    atomic_write_bytes(out_dir / DECLINAISONS_FILE, csv_bytes(DECLINAISONS.column_names, declinaisons))
    atomic_write_bytes(out_dir / PATRIMOINE_FILE, csv_bytes(PATRIMOINE.column_names, patrimoine))
    atomic_write_bytes(out_dir / STATUS_HISTORY_FILE, csv_bytes(HISTORY_COLUMNS, statuses))

    real = "Codes et noms des QPV 2024 : liste ANCT 2024 ; communes, départements, régions, EPCI : INSEE COG, DGCL"
    manifest = Manifest(demo=True, title=TITLE, datasets={
        "qpv": _record(out_dir, QPV_FILE, f"{real}. Périmètres et populations : générés (démo).", len(qpv),
                       note=f"Colonne source = « {QPV_SOURCE} »."),
        "regies": _record(out_dir, REGIES_FILE, "Régies fictives générées (démo) ; communes réelles (INSEE COG).",
                          len(regies)),
        "organismes": _record(out_dir, ORGANISMES_FILE,
                              "Organismes HLM fictifs générés (démo) ; communes réelles (INSEE COG).",
                              len(organismes), note="SIREN fictifs (clé de Luhn valide)."),
        "partenariats": _record(out_dir, PARTENARIATS_FILE,
                                f"Partenariats fictifs générés (démo) entre régies et organismes fictifs ; "
                                f"codes QPV réels (liste ANCT 2024). Statuts au {fr.date_fr(TODAY)}.",
                                len(partenariats)),
        "declinaisons": _record(out_dir, DECLINAISONS_FILE,
                                "Déclinaisons régionales fictives générées (démo) ; régions réelles (INSEE COG).",
                                len(declinaisons), note="Associations régionales, dates et signataires fictifs."),
        "patrimoine": _record(out_dir, PATRIMOINE_FILE,
                              "Logements sociaux fictifs par organisme et QPV, générés (démo) à la manière du RPLS.",
                              len(patrimoine), note="Nombres de logements inventés (environ un quart de la "
                                                    "population du quartier)."),
        "historique_statuts": _record(out_dir, STATUS_HISTORY_FILE,
                                      "Changements de statut fictifs générés (démo) : démarrages reportés, clôtures "
                                      "annulées, suspensions.", len(statuses),
                                      note="Lu seulement dans un dossier de démonstration ; une base réelle a son "
                                           "propre historique (le journal des modifications)."),
    }, signature_date=DEMO_SIGNATURE.isoformat())
    write_manifest(out_dir, manifest)
    generated = int((~qpv["code_qp"].isin(ref.qpv2024_table()["code_qp"])).sum())  # the benchmark's extra QPV
    atomic_write_bytes(out_dir / README_FILE, README.format(
        seed=seed, n_qpv=len(qpv) - generated, qpv_source=QPV_SOURCE, n_regies=len(regies), n_org=len(organismes),
        n_part=len(partenariats), n_couverts=sum(len(r.qpv) for r in regies),
        salaries=fr.nombre(sum(r.salaries for r in regies)), benevoles=fr.nombre(sum(r.benevoles for r in regies)),
        today=fr.date_fr(TODAY), licence=LICENCE, n_recent=len(created), n_history=len(statuses),
        history_file=STATUS_HISTORY_FILE, signature=fr.date_fr(DEMO_SIGNATURE),
    ).encode("utf-8") + _bench_note(generated, templates is not None))
    return manifest


def _bench_note(generated: int, real_shapes: bool) -> bytes:
    """What the benchmark's options change, said in its README (nothing for the demo)."""
    lines = []
    if generated:
        lines.append(f"- {fr.pluriel(generated, 'QPV inventé', 'QPV inventés')} en plus de la liste réelle "
                     "(codes « QP… », noms numérotés).")
    if real_shapes:
        lines.append("- Périmètres : contours réels de QPV 2015 d'Occitanie, tournés, mis à l'échelle et déplacés.")
    return ("\n## Banc d'essai\n" + "\n".join(lines) + "\n").encode("utf-8") if lines else b""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("data/demo"), help="dossier de sortie (data/demo)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"graine (défaut {DEFAULT_SEED})")


def run(args: argparse.Namespace) -> int:
    manifest = generate_demo(args.out, seed=args.seed)
    for name, record in manifest.datasets.items():
        size = (Path(args.out) / record.file).stat().st_size
        print(f"{name}: {record.file}, {record.rows} lignes, {size / 1024:.0f} Ko")
    print(f"Données de démonstration écrites dans {args.out}")
    return 0
