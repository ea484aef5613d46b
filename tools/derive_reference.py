"""Derive the committed reference tables of `data/ref/` from the shared public files.

    python tools/derive_reference.py --shared /work/shared/data --out data/ref

Deterministic: the same inputs give byte-identical outputs. Inputs (read-only, passed by folder):
- `decoupage-administratif-6.0.0_{regions,departements,communes,epci}.json`
  (npm @etalab/decoupage-administratif, INSEE COG 2026 / DGCL EPCI 2026);
- `anct_qpv2024_par_commune_centroides.geojson` (ANCT, QPV 2024 list aggregated by commune, commune points);
- `france-geojson_{regions,departements}-avec-outre-mer.geojson` (france-geojson, IGN ADMIN EXPRESS 2018).

Outputs: regions.csv, departements.csv, communes.csv, qpv2024_communes.csv, epci.csv, regions.geojson,
departements.geojson, SOURCES.md. `data/ref/` also holds tables transcribed by hand from a published nomenclature
(`TRANSCRIBED`, with their source in SOURCES.md): this tool does not write them.
The CSV files are plain machine CSV (UTF-8 without BOM, `,` separator, `.` decimal point); codes are text.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geo.manifest import csv_bytes
from geo.schema import LAMBERT93, LIST_JOINER, OVERSEAS_METRIC_CRS, WGS84

DA = "decoupage-administratif-6.0.0_{}.json"
QPV_FILE = "anct_qpv2024_par_commune_centroides.geojson"
REGIONS_FILE = "france-geojson_regions-avec-outre-mer.geojson"
DEPARTEMENTS_FILE = "france-geojson_departements-avec-outre-mer.geojson"

# Simplification of the basemap (coverage-aware Visvalingam-Whyatt; tolerance ~ sqrt of the removed triangles'
# area, metres): coarser for the metropolitan map, finer for the small overseas départements seen zoomed in.
TOLERANCE_METRO_M = 1500.0
TOLERANCE_OVERSEAS_M = 400.0
MIN_PART_AREA_M2 = 1_000_000.0  # islets under 1 km² are dropped (unless a unit would be left empty)
BASEMAP_DECIMALS = 4  # ~11 m
POINT_DECIMALS = 5  # ~1 m
REGION_OF_OVERSEAS_DEP = {"971": "01", "972": "02", "973": "03", "974": "04", "976": "06"}

# Current communes, the Paris/Lyon/Marseille arrondissements and the communes déléguées/associées people still
# write, with the COG's own type codes (TYPECOM). Département and région are not stored: they follow from the code
# (from the parent for COMD/COMA), which `communes_rows` checks against the source.
COMMUNE_COLUMNS = ["insee_com", "lib_com", "type", "parent", "codes_postaux", "population"]
COMMUNE_TYPES = {"commune-actuelle": "COM", "arrondissement-municipal": "ARM", "commune-deleguee": "COMD",
                 "commune-associee": "COMA"}
TRANSCRIBED = ("categories_juridiques.csv",)

QPV_COLUMNS = ["code_qp", "lib_qp", "insee_com", "lib_com", "insee_dep", "insee_reg", "siren_epci",
               "population_commune", "lon", "lat", "codes_postaux"]


def _load_json(shared: Path, name: str) -> list[dict]:
    return json.loads((shared / DA.format(name)).read_text(encoding="utf-8"))


def regions_rows(shared: Path) -> list[list[str]]:
    regions = [r for r in _load_json(shared, "regions") if r["zone"] in ("metro", "drom")]
    return sorted([[r["code"], r["nom"]] for r in regions])


def departements_rows(shared: Path) -> list[list[str]]:
    deps = [d for d in _load_json(shared, "departements") if d["zone"] in ("metro", "drom")]
    return sorted([[d["code"], d["nom"], d["region"]] for d in deps])


def _dep_of_code(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


def communes_rows(shared: Path) -> list[list[object]]:
    """One row per commune (COM), arrondissement municipal (ARM, parent = its commune) and commune déléguée or
    associée (COMD/COMA, parent = the current commune it belongs to) of metropolitan France and the DROM.

    A commune déléguée named like its parent (the chef-lieu of a commune nouvelle) is left out: the parent's row
    already answers that name.
    """
    entries = [c for c in _load_json(shared, "communes") if c["zone"] in ("metro", "drom")]
    current = {c["code"]: c for c in entries if c["type"] == "commune-actuelle"}
    rows: list[list[object]] = []
    for entry in entries:
        kind = COMMUNE_TYPES[entry["type"]]
        parent = entry.get("commune") or entry.get("chefLieu") or ""
        former = kind in ("COMD", "COMA")
        expected_dep = current[parent]["departement"] if former else _dep_of_code(entry["code"])
        if entry["departement"] != expected_dep:
            raise ValueError(f"département of {entry['code']} not derivable from its code or parent")
        if former and entry["nom"] == current[parent]["nom"]:
            continue
        rows.append([entry["code"], entry["nom"], kind, parent, LIST_JOINER.join(entry.get("codesPostaux") or []),
                     entry.get("population", "")])
    order = list(COMMUNE_TYPES.values())
    return sorted(rows, key=lambda r: (r[0], order.index(r[2]), r[1]))


def epci_rows(shared: Path, pairs: list[list[object]]) -> list[list[str]]:
    """(siren_epci, lib_epci, type) of the EPCI holding a QPV commune: what the `epci` filter names."""
    wanted = {p[QPV_COLUMNS.index("siren_epci")] for p in pairs} - {""}
    return sorted([e["code"], e["nom"], e["type"]] for e in _load_json(shared, "epci") if e["code"] in wanted)


def split_qpv_feature(codes: str, names: str) -> list[tuple[str, str]]:
    """(code, name) pairs of one commune feature, whose `code_qp`/`lib_qp` are ", "-joined lists.

    A name may itself contain ", ": when the counts disagree, the name parts are regrouped so that each code
    gets one name, extra parts being glued back to the previous name (codes never contain commas).
    """
    code_list = [c.strip() for c in codes.split(",") if c.strip()]
    name_parts = names.split(", ")
    if len(name_parts) == len(code_list):
        return list(zip(code_list, [n.strip() for n in name_parts], strict=True))
    if len(name_parts) < len(code_list):
        raise ValueError(f"fewer QPV names than codes: {codes!r} / {names!r}")
    # Too many parts: a name contains ", ". Glue the parts that do not start with a capital letter (a
    # continuation such as "Centre, nord") to the previous part, until the counts agree.
    merges = len(name_parts) - len(code_list)
    grouped: list[str] = []
    for part in name_parts:
        if grouped and merges and not part[:1].isupper():
            grouped[-1] = f"{grouped[-1]}, {part}"
            merges -= 1
        else:
            grouped.append(part)
    if len(grouped) != len(code_list):
        raise ValueError(f"cannot pair QPV names with codes: {codes!r} / {names!r}")
    return list(zip(code_list, [g.strip() for g in grouped], strict=True))


def qpv_rows(shared: Path) -> list[list[object]]:
    communes = {c["code"]: c for c in _load_json(shared, "communes") if c["type"] == "commune-actuelle"}
    epci_of = {m["code"]: e["code"] for e in _load_json(shared, "epci") for m in e["membres"]}
    points = gpd.read_file(shared / QPV_FILE)
    rows: list[list[object]] = []
    for feature in points.itertuples(index=False):
        commune = communes[feature.insee_com]
        lon = round(float(feature.geometry.x), POINT_DECIMALS)
        lat = round(float(feature.geometry.y), POINT_DECIMALS)
        for code, name in split_qpv_feature(feature.code_qp, feature.lib_qp):
            rows.append([code, name, commune["code"], commune["nom"], commune["departement"],
                         commune["region"], epci_of.get(commune["code"], ""),
                         int(commune.get("population") or 0),
                         f"{lon:.{POINT_DECIMALS}f}", f"{lat:.{POINT_DECIMALS}f}",
                         LIST_JOINER.join(commune.get("codesPostaux") or [])])
    # Source order (communes by code, QPV in list order) is kept: a code's first row is its main commune.
    seen: set[tuple[str, str]] = set()
    for row in rows:
        key = (row[0], row[2])
        if key in seen:
            raise ValueError(f"duplicate (QPV, commune) pair {key}")
        seen.add(key)
    return rows


def _round_coords(geom: shapely.Geometry, decimals: int) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.round(xy, decimals))


def _drop_islets(geom: shapely.Geometry) -> shapely.Geometry:
    parts = list(shapely.get_parts(geom))
    kept = [p for p in parts if p.area >= MIN_PART_AREA_M2] or [max(parts, key=lambda p: p.area)]
    return kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)


def simplify_coverage(frame: gpd.GeoDataFrame, zone_of: dict[str, str]) -> list[shapely.Geometry]:
    """Simplify each zone (metropole, each overseas département) as one coverage in its metric CRS."""
    codes = frame["code"].tolist()
    result: list[shapely.Geometry | None] = [None] * len(frame)
    for zone in sorted(set(zone_of[c] for c in codes)):
        idx = [i for i, c in enumerate(codes) if zone_of[c] == zone]
        crs = OVERSEAS_METRIC_CRS.get(zone, LAMBERT93)
        tolerance = TOLERANCE_OVERSEAS_M if zone in OVERSEAS_METRIC_CRS else TOLERANCE_METRO_M
        metric = frame.iloc[idx].to_crs(crs).geometry.values
        simplified = [_drop_islets(g) for g in shapely.coverage_simplify(metric, tolerance)]
        back = gpd.GeoSeries(simplified, crs=crs).to_crs(WGS84).values
        for i, geom in zip(idx, back, strict=True):
            rounded = _round_coords(geom, BASEMAP_DECIMALS)
            if not rounded.is_valid:
                rounded = shapely.set_precision(geom, 10.0 ** -BASEMAP_DECIMALS)
            result[i] = rounded
    return result  # type: ignore[return-value]


def _fmt(value: float) -> str:
    text = f"{value:.{BASEMAP_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _coords_json(geom: shapely.Geometry) -> tuple[str, str]:
    def ring(r: shapely.LinearRing) -> str:
        return "[" + ",".join(f"[{_fmt(x)},{_fmt(y)}]" for x, y in r.coords) + "]"

    def poly(p: shapely.Polygon) -> str:
        return "[" + ",".join(ring(r) for r in [p.exterior, *p.interiors]) + "]"

    if geom.geom_type == "Polygon":
        return "Polygon", poly(geom)
    return "MultiPolygon", "[" + ",".join(poly(p) for p in geom.geoms) + "]"


def geojson_bytes(records: list[dict], geoms: list[shapely.Geometry]) -> bytes:
    lines = []
    for props, geom in zip(records, geoms, strict=True):
        kind, coords = _coords_json(geom)
        lines.append(json.dumps({"type": "Feature", "properties": props}, ensure_ascii=False)[:-1]
                     + f', "geometry": {{"type": "{kind}", "coordinates": {coords}}}}}')
    return ('{"type": "FeatureCollection", "features": [\n' + ",\n".join(lines) + "\n]}\n").encode("utf-8")


def basemaps(shared: Path, regions: list[list[str]], deps: list[list[str]]) -> tuple[bytes, bytes]:
    reg_name = {code: name for code, name in regions}
    dep_info = {code: (name, reg) for code, name, reg in deps}

    reg_frame = gpd.read_file(shared / REGIONS_FILE).sort_values("code").reset_index(drop=True)
    dep_of_overseas_reg = {reg: dep for dep, reg in REGION_OF_OVERSEAS_DEP.items()}
    reg_zone = {c: dep_of_overseas_reg.get(c, "metro") for c in reg_frame["code"]}
    if set(reg_frame["code"]) != set(reg_name):
        raise ValueError("regions of the basemap and of the COG differ")
    reg_geoms = simplify_coverage(reg_frame, reg_zone)
    reg_props = [{"insee_reg": c, "lib_reg": reg_name[c]} for c in reg_frame["code"]]

    dep_frame = gpd.read_file(shared / DEPARTEMENTS_FILE).sort_values("code").reset_index(drop=True)
    dep_zone = {c: c if c in OVERSEAS_METRIC_CRS else "metro" for c in dep_frame["code"]}
    if set(dep_frame["code"]) != set(dep_info):
        raise ValueError("départements of the basemap and of the COG differ")
    dep_geoms = simplify_coverage(dep_frame, dep_zone)
    dep_props = [{"insee_dep": c, "lib_dep": dep_info[c][0], "insee_reg": dep_info[c][1]}
                 for c in dep_frame["code"]]
    for geom in [*reg_geoms, *dep_geoms]:
        if not geom.is_valid or geom.is_empty:
            raise ValueError("invalid simplified outline")
    return geojson_bytes(reg_props, reg_geoms), geojson_bytes(dep_props, dep_geoms)


SOURCES_MD = """# Tables de référence (`data/ref/`)

Faits dérivés de fichiers publics par `tools/derive_reference.py` (déterministe :
`python tools/derive_reference.py --shared <dossier des fichiers publics> --out data/ref`).
Les fichiers sources ne sont pas copiés dans le dépôt ; seuls les faits dérivés ci-dessous le sont.
Les codes sont du texte (zéros de tête conservés ; Corse 2A/2B ; outre-mer 971 à 976).
CSV : UTF-8 sans BOM, séparateur `,`, point décimal, listes jointes par « | ».

## regions.csv (insee_reg, lib_reg) — {n_reg} lignes
- Source : `decoupage-administratif-6.0.0_regions.json`, paquet npm `@etalab/decoupage-administratif` 6.0.0
  (github.com/etalab/decoupage-administratif, data.gouv.fr / Etalab), d'après le Code officiel géographique
  (COG) 2026 de l'INSEE.
- Licence : paquet MIT ; données INSEE sous Licence Ouverte.
- Dérivé : les régions des zones `metro` et `drom` (collectivités d'outre-mer exclues), triées par code.

## departements.csv (insee_dep, lib_dep, insee_reg) — {n_dep} lignes
- Source : `decoupage-administratif-6.0.0_departements.json` (même paquet, COG 2026). Licence : idem.
- Dérivé : départements des zones `metro` et `drom`, avec leur région, triés par code.

## communes.csv (insee_com, lib_com, type, parent, codes_postaux, population) — {n_communes} lignes
- Source : `decoupage-administratif-6.0.0_communes.json` (même paquet, COG 2026). Licence : MIT (paquet) ;
  INSEE Licence Ouverte. Les codes postaux sont ceux du paquet (déjà repris dans `qpv2024_communes.csv`) ; leur
  origine n'est pas écrite dans les fichiers présents ici (le paquet 5.2.0 avait un script
  `download-cp-la-poste` : vraisemblablement la base officielle des codes postaux de La Poste, data.gouv.fr).
- Dérivé : métropole et DROM (collectivités d'outre-mer exclues, comme dans `departements.csv`), types du COG :
  {n_com} communes (`COM`), {n_arm} arrondissements municipaux de Paris, Lyon et Marseille (`ARM`, `parent` = la
  commune : 75056, 69123, 13055), {n_former} communes déléguées ou associées (`COMD`/`COMA`, `parent` = la commune
  actuelle dont elles font partie), sauf celles qui portent le nom de leur commune (le chef-lieu d'une commune
  nouvelle : la ligne de la commune y répond déjà). `codes_postaux` joints par « | » (vides pour les communes
  déléguées et associées : ceux de la commune valent) ; `population` municipale (vide pour les déléguées et
  associées). Triées par code, puis type.
- Le département et la région ne sont pas écrits : ils se déduisent du code (de celui du `parent` pour
  `COMD`/`COMA` ; vérifié à la dérivation) et de `departements.csv` (`geo.ref.communes_table`).

## categories_juridiques.csv (categorie_juridique, libelle_insee, famille) — {n_cj} lignes, transcrites à la main
- Source : nomenclature des catégories juridiques de l'INSEE (niveau III, codes à 4 chiffres utilisés par le
  répertoire SIRENE, champ `categorieJuridiqueUniteLegale`), Licence Ouverte. Le site de l'INSEE n'est pas
  joignable depuis cette machine : les libellés sont ceux de la table de l'Annuaire des entreprises
  (data.gouv.fr / DINUM, github.com/annuaire-entreprises-data-gouv-fr/site,
  `utils/helpers/formatting/metadata/categories-juridiques.ts`, commit 02ee24e850863083757454b51a94a836460fa910),
  qui reprend la nomenclature de l'INSEE ; les mêmes libellés figurent dans d'autres dépôts publics. Le libellé de
  7371 y reste « Office public d'habitation à loyer modéré (OPHLM) » : c'est sous ce code que sont classés les
  offices publics de l'habitat (OPH), qui ont remplacé OPHLM et OPAC en 2007.
- Contenu : les seules catégories reconnues comme organismes de la convention, avec leur famille (vocabulaire
  de `famille` : OPH, ESH, Coop HLM, SEM) ; toute autre catégorie est refusée en nommant son code
  (`geo.sirene.famille_of_category`). Ce fichier n'est pas produit par `tools/derive_reference.py` (pas de
  fichier public source sur cette machine) : il se modifie à la main, avec cette section.

## qpv2024_communes.csv — {n_pairs} couples (QPV, commune), {n_codes} codes QPV distincts
Colonnes : code_qp, lib_qp, insee_com, lib_com, insee_dep, insee_reg, siren_epci, population_commune,
lon, lat, codes_postaux.
- Source QPV : `anct_qpv2024_par_commune_centroides.geojson` — ANCT (SIG Ville, liste des QPV 2024), dépôt
  github.com/anct-carto/superposeur-V2, fichier `data/admin/centroide-4326_qpv.geojson`
  (commit 3f2b0c0b87604a13831a9f214988878b6a4cb67e), construit depuis le CSV data.gouv.fr de la liste 2024
  (jeu « quartiers-prioritaires-de-la-politique-de-la-ville-qpv », Licence Ouverte ; licence non écrite dans
  le dépôt de l'ANCT). Un point par commune (centroïde de la commune, pas du quartier), listes
  `code_qp`/`lib_qp` jointes par « , ».
- Dérivé : une ligne par couple (code QPV, commune) — les listes sont découpées sur « , » et les nombres de
  codes et de noms sont vérifiés égaux pour chaque commune (ils le sont tous ; un nom contenant « , » serait
  regroupé). Ordre de la source conservé : la première ligne d'un code désigne sa commune principale.
  `lon`/`lat` : le point de la commune arrondi à 5 décimales (WGS84).
- Jointures : `lib_com`, `insee_dep`, `insee_reg`, `population_commune` (population municipale) et
  `codes_postaux` viennent de `decoupage-administratif-6.0.0_communes.json` (COG 2026 ; le champ `lib_com` du
  fichier ANCT, qui liste parfois toutes les communes d'un quartier, n'est pas repris) ; `siren_epci` de
  `decoupage-administratif-6.0.0_epci.json` (liste DGCL des EPCI 2026, membres). Licence : MIT (paquet) ;
  INSEE/DGCL Licence Ouverte.
- Limite : Saint-Martin (978) et la Polynésie ne figurent pas dans le fichier ANCT.

## epci.csv (siren_epci, lib_epci, type) — {n_epci} lignes
- Source : `decoupage-administratif-6.0.0_epci.json` (même paquet ; liste DGCL des EPCI 2026). Licence : MIT
  (paquet) ; DGCL Licence Ouverte.
- Dérivé : les EPCI qui comptent au moins une commune de `qpv2024_communes.csv` (ceux qui signent les contrats
  de ville), avec leur nom et leur type (CA, CC, CU, METRO, MET69), triés par SIREN.

## regions.geojson (insee_reg, lib_reg) et departements.geojson (insee_dep, lib_dep, insee_reg)
- Sources : `france-geojson_regions-avec-outre-mer.geojson` et
  `france-geojson_departements-avec-outre-mer.geojson` — github.com/gregoiredavid/france-geojson
  (Grégoire David, commit 45daa2d069a8da3ec4efb6672388fc3dc02e36e2),
  d'après IGN ADMIN EXPRESS COG 2018 ; Licence Ouverte. Limites inchangées depuis (codes 67/68 conservés).
- Dérivé : contours simplifiés comme une couverture (`shapely.coverage_simplify`, Visvalingam-Whyatt, les
  frontières partagées restent alignées), dans un système métrique : Lambert-93 (EPSG:2154) pour la métropole,
  tolérance {tol_metro:.0f} m ; système local de chaque DROM (`geo.schema.OVERSEAS_METRIC_CRS`), tolérance
  {tol_om:.0f} m ; îlots de moins de 1 km² retirés ; reprojetés en WGS84, coordonnées arrondies à
  {decimals} décimales ; géométries valides. Libellés et rattachements pris dans le COG 2026 (ci-dessus).
  Les DROM sont à leur position réelle (pas de médaillons).
"""


def _commune_counts(rows: list[list[object]]) -> dict[str, int]:
    kinds = [row[COMMUNE_COLUMNS.index("type")] for row in rows]
    return {"n_com": kinds.count("COM"), "n_arm": kinds.count("ARM"),
            "n_former": kinds.count("COMD") + kinds.count("COMA")}


def _transcribed_rows(name: str) -> int:
    """Data rows of a hand-transcribed table, read from the committed copy (data/ref) for SOURCES.md."""
    committed = Path(__file__).resolve().parents[1] / "data" / "ref" / name
    return len(committed.read_text(encoding="utf-8").splitlines()) - 1


def _reference_csv(header: list[str], rows: list[list[object]]) -> bytes:
    """The reference files are comma-separated UTF-8 without BOM (as the sources they come from)."""
    return csv_bytes(header, rows, delimiter=",", bom=False)


def derive(shared: Path, out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    regions = regions_rows(shared)
    deps = departements_rows(shared)
    communes = communes_rows(shared)
    pairs = qpv_rows(shared)
    epci = epci_rows(shared, pairs)
    reg_geojson, dep_geojson = basemaps(shared, regions, deps)
    outputs = {
        "regions.csv": _reference_csv(["insee_reg", "lib_reg"], regions),
        "departements.csv": _reference_csv(["insee_dep", "lib_dep", "insee_reg"], deps),
        "communes.csv": _reference_csv(COMMUNE_COLUMNS, communes),
        "qpv2024_communes.csv": _reference_csv(QPV_COLUMNS, pairs),
        "epci.csv": _reference_csv(["siren_epci", "lib_epci", "type"], epci),
        "regions.geojson": reg_geojson,
        "departements.geojson": dep_geojson,
        "SOURCES.md": SOURCES_MD.format(
            n_reg=len(regions), n_dep=len(deps), n_pairs=len(pairs), n_codes=len({p[0] for p in pairs}),
            n_epci=len(epci), n_communes=len(communes), **_commune_counts(communes),
            n_cj=_transcribed_rows("categories_juridiques.csv"),
            tol_metro=TOLERANCE_METRO_M, tol_om=TOLERANCE_OVERSEAS_M, decimals=BASEMAP_DECIMALS,
        ).encode("utf-8"),
    }
    sizes = {}
    for name, data in outputs.items():
        (out / name).write_bytes(data)
        sizes[name] = len(data)
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, required=True, help="folder of the shared public files")
    parser.add_argument("--out", type=Path, default=Path("data/ref"), help="output folder (data/ref)")
    args = parser.parse_args(argv)
    for name, size in derive(args.shared, args.out).items():
        print(f"{name}: {size:,} B")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
