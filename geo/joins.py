"""The cross-file join of one data folder, done once: QPV, régies, organismes and partenariats tied together.

`build_atlas(ds)` takes the loaded `Datasets` (see `geo.datasets` for the contract of its frames) and returns an
`Atlas`, the frames every page, filter and indicator works on. It is pure: `ds` is never modified.

What the join adds:
- territories: every QPV and every régie gets `insee_dep`, `lib_dep`, `insee_reg`, `lib_reg`. A missing
  département comes from the commune code (first 2 characters, 3 for codes starting with 97; 2A/2B kept), a
  missing région from `ds.departements`; when the commune code is missing too, a representative point is located
  in `ds.departements`. Codes that cannot be found are left as "" with the label `UNKNOWN_TERRITORY`.
- coverage of each QPV: the régies that declare it (`regies`), `couvert`, `n_partenariats` and `coverage`, one of
  `COVERAGE` ("regie_partenariat", "regie_seule", "partenariat_seul", "aucune").
- spatial check of each régie: `qpv_spatial`, the QPV whose perimeter contains its point or lies within
  `distance_m` metres (in Lambert-93, or in the local metric CRS overseas: `schema.OVERSEAS_METRIC_CRS`), nearest
  first.
- `links`, one row per (partnership, QPV, theme): the base of every per-territory and per-theme count.
- `findings`: the cross-file problems, in French, with the spreadsheet row when the loader recorded it (`_ligne`).
  Partnerships referencing an unknown régie, SIREN or QPV are errors and are left out of `partenariats`/`links`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import ref, schema
from geo.datasets import Datasets
from geo.validate import AVERTISSEMENT, ERREUR, Finding

# Coverage categories of a QPV, in display order, with their French labels.
COVERAGE: tuple[str, ...] = ("regie_partenariat", "regie_seule", "partenariat_seul", "aucune")
COVERAGE_LABELS: dict[str, str] = {
    "regie_partenariat": "Régie et partenariat",
    "regie_seule": "Régie sans partenariat",
    "partenariat_seul": "Partenariat sans régie",
    "aucune": "Ni régie ni partenariat",
}
TERRITORY_COLUMNS = ("insee_dep", "lib_dep", "insee_reg", "lib_reg")
UNKNOWN_TERRITORY = "Territoire inconnu"
ROW_COLUMN = "_ligne"  # spreadsheet row number added by the loader to each table frame
THEME_ORDER = {t.slug: i for i, t in enumerate(schema.THEMES)}

LINK_COLUMNS = ["id_partenariat", "code_qp", "theme", "insee_dep", "insee_reg", "statut", "famille",
                "annee_debut", "siren_organisme", "id_regie"]


@dataclass(frozen=True)
class AtlasIndex:
    """Integer positions tying the atlas frames together, so that `filters.apply` works with numpy masks.

    pair_part/pair_qpv: for each row of `Atlas.pairs`, the positions of its partnership in `partenariats` and of
    its QPV in `qpv`; link_part/link_qpv: the same for `links`; part_regie/part_org: for each partnership, the
    positions of its régie in `regies` and of its organism in `organismes`; declared_regie/declared_qpv: for each
    row of `Atlas.declared`.
    """

    pair_part: np.ndarray
    pair_qpv: np.ndarray
    link_part: np.ndarray
    link_qpv: np.ndarray
    part_regie: np.ndarray
    part_org: np.ndarray
    declared_regie: np.ndarray
    declared_qpv: np.ndarray


def _positions(keys: pd.Series, values: pd.Series) -> np.ndarray:
    """Position of each value in `keys` (first occurrence), -1 when absent."""
    lookup: dict[str, int] = {}
    for pos, key in enumerate(keys.tolist()):
        lookup.setdefault(key, pos)
    return np.fromiter((lookup.get(v, -1) for v in values.tolist()), dtype=np.int64, count=len(values))


@dataclass
class Atlas:
    """The joined frames of one data folder (all GeoDataFrames in EPSG:4326, all indexes 0..n-1).

    - `qpv`: the QPV with territory columns filled, `regies` (list of id_regie declaring it), `couvert` (bool),
      `n_partenariats` (int, all valid partnerships naming it) and `coverage` (one of `COVERAGE`).
    - `regies`: the régies with territory columns, `qpv_spatial` (list of codes, nearest first),
      `n_partenariats` (int), `organismes` (sorted unique partner names), `themes` (slugs, schema order).
      `qpv_couverts` keeps what the file declares (codes matched case-insensitively to the QPV file).
    - `partenariats`: the valid partnerships + `nom_regie`, `nom_organisme`, `famille`, `annee_debut` (Int64),
      `n_qpv`, `insee_dep`/`insee_reg` (sorted lists of the territories of its QPV), `insee_reg_principal`/
      `lib_reg_principal` (the région holding most of its QPV; ties: lowest code).
    - `links`: one row per (partnership, QPV, theme): `LINK_COLUMNS`; `theme` is NA for a partnership without
      theme.
    - `organismes`: the organisms + `lib_reg` (région of the siège) and `n_partenariats`.
    - `pairs`: one row per (partnership, QPV): id_partenariat, code_qp, insee_dep, insee_reg.
    - `declared`: one row per (régie, declared known QPV): id_regie, code_qp, distance_m (metres, NaN if unknown).
    - `spatial`: one row per (régie, QPV within `distance_m`): id_regie, code_qp, distance_m.
    - `findings`: cross-file problems (see the module docstring).
    """

    qpv: gpd.GeoDataFrame
    regies: gpd.GeoDataFrame
    partenariats: pd.DataFrame
    links: pd.DataFrame
    organismes: pd.DataFrame
    regions: gpd.GeoDataFrame
    departements: gpd.GeoDataFrame
    findings: list[Finding] = field(default_factory=list)
    distance_m: float = 300.0
    region_names: dict[str, str] = field(default_factory=dict)
    departement_names: dict[str, str] = field(default_factory=dict)
    departement_region: dict[str, str] = field(default_factory=dict)
    pairs: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    declared: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    spatial: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    # Folded (accent- and case-free) search texts, aligned on the index of qpv / regies / partenariats.
    search_qpv: pd.Series = field(default_factory=pd.Series, repr=False)
    search_regies: pd.Series = field(default_factory=pd.Series, repr=False)
    search_partenariats: pd.Series = field(default_factory=pd.Series, repr=False)
    index: AtlasIndex | None = field(default=None, repr=False)

    def region_name(self, code: str) -> str:
        return self.region_names.get(code) or code or UNKNOWN_TERRITORY

    def departement_name(self, code: str) -> str:
        return self.departement_names.get(code) or code or UNKNOWN_TERRITORY


# --- small helpers ---------------------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def clean_code(value: object) -> str | None:
    """A territory or commune code as text ("75", "2A", "974", "01"), None when blank."""
    if _missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().upper()
    if text.isdigit() and len(text) == 1:
        text = text.zfill(2)
    return text


def _codes(series: pd.Series) -> pd.Series:
    return pd.Series([clean_code(v) for v in series], index=series.index, dtype=object)


def _texts(series: pd.Series) -> pd.Series:
    return pd.Series([None if _missing(v) else str(v).strip() for v in series], index=series.index, dtype=object)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _lists(series: pd.Series) -> list[list[str]]:
    return [schema.split_list(v) for v in series]


def _rows(frame: pd.DataFrame) -> list[int | None]:
    """Spreadsheet row number of each row of `frame` (None when the loader did not record it)."""
    if ROW_COLUMN not in frame.columns:
        return [None] * len(frame)
    return [None if _missing(v) else int(v) for v in frame[ROW_COLUMN].tolist()]


def _group_lists(keys: pd.Series, values: pd.Series) -> dict[str, list]:
    """key -> list of its values, in row order (a plain-Python group-by, much faster than groupby(...).agg(list))."""
    out: dict[str, list] = {}
    for key, value in zip(keys.tolist(), values.tolist(), strict=True):
        out.setdefault(key, []).append(value)
    return out


def _file_name(ds: Datasets, name: str) -> str:
    path = (ds.files or {}).get(name)
    if path is not None:
        return getattr(path, "name", str(path))
    return f"{schema.DATASETS[name].file_stem}.csv"


def format_distance(metres: float) -> str:
    """"2 800 m" (regular space as thousands separator)."""
    if metres is None or not np.isfinite(metres):
        return "une très grande distance"
    return f"{round(metres):,} m".replace(",", " ")


def _metric_crs(departements: pd.Series) -> pd.Series:
    return departements.map(schema.metric_crs)


def _has_point(geometry: gpd.GeoSeries) -> np.ndarray:
    return (geometry.notna() & ~geometry.is_empty).to_numpy()


# --- territories -----------------------------------------------------------------------------------------------


def _spatial_departements(geometry: gpd.GeoSeries, departements: gpd.GeoDataFrame) -> pd.DataFrame:
    """insee_dep/insee_reg of the département containing (else nearest within 50 km) each representative point."""
    out = pd.DataFrame({"insee_dep": None, "insee_reg": None}, index=geometry.index, dtype=object)
    deps = departements[departements.geometry.notna() & ~departements.geometry.is_empty]
    ok = _has_point(geometry)
    if deps.empty or not ok.any():
        return out
    right = gpd.GeoDataFrame(
        {"sp_dep": _codes(deps["insee_dep"]).to_numpy(), "sp_reg": _codes(_column(deps, "insee_reg")).to_numpy()},
        geometry=deps.geometry.to_numpy(), crs=deps.crs,
    )
    points = gpd.GeoDataFrame(geometry=geometry[ok].representative_point(), crs=geometry.crs)
    if right.crs is not None and points.crs is not None and right.crs != points.crs:
        right = right.to_crs(points.crs)
    hit = gpd.sjoin(points, right, predicate="within", how="inner")
    hit = hit[~hit.index.duplicated()]
    rest = points.drop(index=hit.index)
    if not rest.empty:
        near = gpd.sjoin_nearest(rest.to_crs(3857), right.to_crs(3857), how="inner", max_distance=50_000)
        hit = pd.concat([hit, near[~near.index.duplicated()]])
    out.loc[hit.index, "insee_dep"] = hit["sp_dep"].astype(object)
    out.loc[hit.index, "insee_reg"] = hit["sp_reg"].astype(object)
    return out


def _locate(frame: gpd.GeoDataFrame, departements: gpd.GeoDataFrame, dep_region: dict[str, str],
            dep_names: dict[str, str], reg_names: dict[str, str]) -> gpd.GeoDataFrame:
    """Copy of `frame` with insee_dep / lib_dep / insee_reg / lib_reg filled (see the module docstring)."""
    dep = _codes(_column(frame, "insee_dep"))
    from_commune = pd.Series([ref.dep_of_commune_or_none(v) for v in _column(frame, "insee_com")],
                             index=frame.index, dtype=object)
    dep = dep.where(dep.notna(), from_commune)
    reg = _codes(_column(frame, "insee_reg"))
    reg = reg.where(reg.notna(), dep.map(dep_region))
    need = (dep.isna() | reg.isna()).to_numpy()
    if need.any():
        found = _spatial_departements(frame.geometry[need], departements)
        dep.loc[found.index] = dep.loc[found.index].where(dep.loc[found.index].notna(), found["insee_dep"])
        reg.loc[found.index] = reg.loc[found.index].where(reg.loc[found.index].notna(),
                                                          dep.loc[found.index].map(dep_region))
        reg.loc[found.index] = reg.loc[found.index].where(reg.loc[found.index].notna(), found["insee_reg"])
    lib_dep = _texts(_column(frame, "lib_dep"))
    lib_dep = lib_dep.where(lib_dep.notna(), dep.map(dep_names))
    lib_reg = _texts(_column(frame, "lib_reg"))
    lib_reg = lib_reg.where(lib_reg.notna(), reg.map(reg_names))
    out = frame.copy()
    out["insee_dep"] = dep.fillna("").astype(str)
    out["lib_dep"] = lib_dep.where(lib_dep.notna(), dep).fillna(UNKNOWN_TERRITORY).astype(str)
    out["insee_reg"] = reg.fillna("").astype(str)
    out["lib_reg"] = lib_reg.where(lib_reg.notna(), reg).fillna(UNKNOWN_TERRITORY).astype(str)
    return out


# --- spatial matches -------------------------------------------------------------------------------------------


def _spatial_pairs(regies: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame, distance_m: float) -> pd.DataFrame:
    """(id_regie, code_qp, distance_m) for every QPV within distance_m of a régie, per metric CRS."""
    empty = pd.DataFrame({"id_regie": pd.Series(dtype=object), "code_qp": pd.Series(dtype=object),
                          "distance_m": pd.Series(dtype=float)})
    ok = _has_point(regies.geometry)
    if not ok.any() or qpv.empty:
        return empty
    r_all = regies[ok]
    r_crs = _metric_crs(r_all["insee_dep"])
    q_crs = _metric_crs(qpv["insee_dep"])
    parts = []
    for crs in sorted(set(r_crs)):
        q_sel = qpv[(q_crs == crs).to_numpy()]
        if q_sel.empty:
            continue
        r_sel = r_all[(r_crs == crs).to_numpy()]
        left = gpd.GeoDataFrame({"id_regie": r_sel["id_regie"].to_numpy()},
                                geometry=r_sel.geometry.to_crs(crs).to_numpy(), crs=crs)
        right = gpd.GeoDataFrame({"code_qp": q_sel["code_qp"].to_numpy()},
                                 geometry=q_sel.geometry.to_crs(crs).to_numpy(), crs=crs)
        joined = gpd.sjoin(left, right, how="inner", predicate="dwithin", distance=distance_m)
        if joined.empty:
            continue
        a = left.geometry.loc[joined.index].reset_index(drop=True)
        b = right.geometry.loc[joined["index_right"].to_numpy()].reset_index(drop=True)
        parts.append(pd.DataFrame({"id_regie": joined["id_regie"].to_numpy(),
                                   "code_qp": joined["code_qp"].to_numpy(),
                                   "distance_m": a.distance(b).to_numpy()}))
    if not parts:
        return empty
    return pd.concat(parts, ignore_index=True).sort_values(["id_regie", "distance_m", "code_qp"],
                                                           ignore_index=True)


def _pair_distances(pairs: pd.DataFrame, regies: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame) -> np.ndarray:
    """Distance in metres of each (id_regie, code_qp) pair, in the régie's metric CRS (NaN without a point)."""
    result = np.full(len(pairs), np.nan)
    if pairs.empty:
        return result
    r_geom = regies.set_index("id_regie").geometry
    q_geom = qpv.set_index("code_qp").geometry
    a = gpd.GeoSeries(r_geom.reindex(pairs["id_regie"]).to_numpy(), crs=regies.crs)
    b = gpd.GeoSeries(q_geom.reindex(pairs["code_qp"]).to_numpy(), crs=qpv.crs)
    crs_of = _metric_crs(regies.set_index("id_regie")["insee_dep"].reindex(pairs["id_regie"]).reset_index(drop=True))
    ok = _has_point(a) & _has_point(b)
    for crs in sorted(set(crs_of[ok])):
        sel = ok & (crs_of == crs).to_numpy()
        with np.errstate(all="ignore"):
            result[sel] = a[sel].to_crs(crs).distance(b[sel].to_crs(crs)).to_numpy()
    return result


# --- the join --------------------------------------------------------------------------------------------------


def coverage_of(couvert: pd.Series, n_partenariats: pd.Series) -> pd.Series:
    """Coverage category of each QPV from its régie coverage and its partnership count."""
    has_p = (n_partenariats > 0).to_numpy()
    cov = couvert.to_numpy(dtype=bool)
    values = np.select([cov & has_p, cov, has_p], ["regie_partenariat", "regie_seule", "partenariat_seul"],
                       default="aucune")
    return pd.Series(values, index=couvert.index, dtype="str")


def _folded(*columns: pd.Series) -> pd.Series:
    joined = columns[0].fillna("").astype(str)
    for col in columns[1:]:
        joined = joined + " | " + col.fillna("").astype(str)
    return joined.map(schema.fold)


def _suggestion(value: str, choices: list[str]) -> str | None:
    guess = schema.suggest(value, choices) if choices else None
    return f"Vouliez-vous dire « {guess} » ?" if guess else None


def build_atlas(ds: Datasets, distance_m: float = 300.0) -> Atlas:
    """Join the datasets of one folder (see the module docstring); `ds` is left untouched."""
    findings: list[Finding] = []
    regie_file = _file_name(ds, "regies")
    part_file = _file_name(ds, "partenariats")

    regions = ds.regions
    departements = ds.departements
    reg_names = {c: str(n) for c, n in zip(_codes(regions["insee_reg"]), _texts(regions["lib_reg"]), strict=True)
                 if c and n}
    dep_codes = _codes(departements["insee_dep"])
    dep_names = {c: str(n) for c, n in zip(dep_codes, _texts(departements["lib_dep"]), strict=True) if c and n}
    dep_region = {c: r for c, r in zip(dep_codes, _codes(_column(departements, "insee_reg")), strict=True)
                  if c and r}

    qpv = _locate(ds.qpv.reset_index(drop=True), departements, dep_region, dep_names, reg_names)
    regies = _locate(ds.regies.reset_index(drop=True), departements, dep_region, dep_names, reg_names)
    # Territories seen in the data complete the names and the département -> région map.
    for frame in (qpv, regies):
        for d, ld, r, lr in frame[list(TERRITORY_COLUMNS)].drop_duplicates().itertuples(index=False):
            if d:
                dep_names.setdefault(d, ld)
                if r:
                    dep_region.setdefault(d, r)
            if r:
                reg_names.setdefault(r, lr)

    qpv_codes = qpv["code_qp"].astype(str).str.strip()
    qpv["code_qp"] = qpv_codes
    canon = {c.upper(): c for c in qpv_codes}
    code_list = sorted(canon.values())

    # Régies: declared QPV.
    regies["id_regie"] = regies["id_regie"].astype(str).str.strip()
    declared_raw = _lists(_column(regies, "qpv_couverts"))
    regies["qpv_couverts"] = [[canon.get(c.upper(), c) for c in codes] for codes in declared_raw]
    regie_rows = _rows(regies)
    rows = []
    for pos, (rid, codes) in enumerate(zip(regies["id_regie"].tolist(), regies["qpv_couverts"], strict=True)):
        for code in dict.fromkeys(codes):
            if code.upper() in canon:
                rows.append((rid, code))
            else:
                findings.append(Finding(
                    ERREUR, regie_file, regie_rows[pos], "qpv_couverts",
                    f"Le QPV « {code} » déclaré par la régie « {rid} » est absent du fichier des QPV.",
                    _suggestion(code, code_list)))
    declared = pd.DataFrame(rows, columns=["id_regie", "code_qp"], dtype=object)
    declared["distance_m"] = _pair_distances(declared, regies, qpv)

    # Régies: spatial matches and mismatches.
    spatial = _spatial_pairs(regies, qpv, distance_m)
    spatial_lists = _group_lists(spatial["id_regie"], spatial["code_qp"])
    regies["qpv_spatial"] = [spatial_lists.get(r, []) for r in regies["id_regie"]]
    qpv_name = dict(zip(qpv["code_qp"], qpv["lib_qp"].astype(str), strict=True))
    declared_set = set(zip(declared["id_regie"], declared["code_qp"], strict=True))
    spatial_set = set(zip(spatial["id_regie"], spatial["code_qp"], strict=True))
    has_point = dict(zip(regies["id_regie"], _has_point(regies.geometry), strict=True))
    nearest = (declared.dropna(subset=["distance_m"]).sort_values(["id_regie", "distance_m", "code_qp"])
               .drop_duplicates("id_regie").set_index("id_regie"))
    undeclared = spatial[np.array([(r, c) not in declared_set for r, c in zip(spatial["id_regie"], spatial["code_qp"],
                                                                                strict=True)], dtype=bool)]
    undeclared_by_regie = {r: g for r, g in undeclared.groupby("id_regie", sort=False)}
    declared_by = _group_lists(declared["id_regie"], declared["code_qp"])
    regie_ids = set(regies["id_regie"])
    for pos, rid in enumerate(regies["id_regie"].tolist()):
        if not has_point.get(rid):
            continue
        own = declared_by.get(rid, []) if rid in nearest.index else []
        if own and not any((rid, c) in spatial_set for c in own):
            code = nearest.at[rid, "code_qp"]
            findings.append(Finding(
                AVERTISSEMENT, regie_file, regie_rows[pos], None,
                f"La régie « {rid} » n'est située dans aucun des QPV qu'elle déclare ni à moins de "
                f"{format_distance(distance_m)} : le plus proche, « {qpv_name.get(code, code)} » ({code}), "
                f"est à {format_distance(nearest.at[rid, 'distance_m'])}.",
                "Vérifier la latitude et la longitude de la régie, ou ses « qpv_couverts »."))
        if rid in undeclared_by_regie:
            group = undeclared_by_regie[rid]
            items = ", ".join(
                f"« {qpv_name.get(c, c)} » ({c}, {'dedans' if d <= 0 else 'à ' + format_distance(d)})"
                for c, d in zip(group["code_qp"], group["distance_m"], strict=True))
            findings.append(Finding(
                AVERTISSEMENT, regie_file, regie_rows[pos], "qpv_couverts",
                f"La régie « {rid} » est située dans ou à moins de {format_distance(distance_m)} de QPV qu'elle "
                f"ne déclare pas : {items}.",
                "Ajouter ces codes à « qpv_couverts » si la régie y intervient."))

    # Partnerships: references to régies, organisms and QPV.
    parts = ds.partenariats.reset_index(drop=True).copy()
    parts["id_partenariat"] = parts["id_partenariat"].astype(str).str.strip()
    parts["id_regie"] = parts["id_regie"].astype(str).str.strip()
    parts["siren_organisme"] = parts["siren_organisme"].astype(str).str.replace(r"\s", "", regex=True)
    organismes = ds.organismes.reset_index(drop=True).copy()
    organismes["siren"] = organismes["siren"].astype(str).str.replace(r"\s", "", regex=True)
    sirens = set(organismes["siren"])
    raw_qpv = _lists(_column(parts, "qpv"))
    parts["qpv"] = [list(dict.fromkeys(canon.get(c.upper(), c) for c in codes)) for codes in raw_qpv]
    parts["themes"] = _lists(_column(parts, "themes"))
    excluded = np.zeros(len(parts), dtype=bool)
    regie_list = sorted(regie_ids)
    siren_list = sorted(sirens)
    part_rows = _rows(parts)
    part_values = list(zip(parts["id_partenariat"].tolist(), parts["id_regie"].tolist(),
                           parts["siren_organisme"].tolist(), parts["qpv"].tolist(), strict=True))
    for pos, (pid, rid, siren, codes) in enumerate(part_values):
        row = part_rows[pos]
        if rid not in regie_ids:
            excluded[pos] = True
            findings.append(Finding(
                ERREUR, part_file, row, "id_regie",
                f"Le partenariat « {pid} » cite la régie « {rid} », absente du fichier des régies : "
                "partenariat ignoré.", _suggestion(rid, regie_list)))
        if siren not in sirens:
            excluded[pos] = True
            findings.append(Finding(
                ERREUR, part_file, row, "siren_organisme",
                f"Le partenariat « {pid} » cite le SIREN « {siren} », absent du fichier des organismes : "
                "partenariat ignoré.", _suggestion(siren, siren_list)))
        unknown = [c for c in codes if c.upper() not in canon]
        if unknown:
            excluded[pos] = True
            listed = ", ".join(f"« {c} »" for c in unknown)
            findings.append(Finding(
                ERREUR, part_file, row, "qpv",
                f"Le partenariat « {pid} » cite {'le QPV' if len(unknown) == 1 else 'les QPV'} {listed}, "
                f"{'absent' if len(unknown) == 1 else 'absents'} du fichier des QPV : partenariat ignoré.",
                _suggestion(unknown[0], code_list)))
    kept_rows = np.flatnonzero(~excluded)
    for pos in kept_rows:
        pid, rid, _, codes = part_values[pos]
        outside = [c for c in codes if (rid, c) not in declared_set]
        if outside:
            listed = ", ".join(f"{c} ({qpv_name.get(c, c)})" for c in outside)
            findings.append(Finding(
                AVERTISSEMENT, part_file, part_rows[pos], "qpv",
                f"Le partenariat « {pid} » porte sur {'le QPV' if len(outside) == 1 else 'les QPV'} {listed}, "
                f"{'non déclaré' if len(outside) == 1 else 'non déclarés'} dans les « qpv_couverts » de la régie "
                f"« {rid} ».",
                "Compléter les « qpv_couverts » de la régie dans le fichier des régies."))
    parts = parts.iloc[kept_rows].reset_index(drop=True)

    # Partnerships: enrichment.
    regie_name = dict(zip(regies["id_regie"], regies["nom"].astype(str), strict=True))
    org_name = dict(zip(organismes["siren"], organismes["nom"].astype(str), strict=True))
    org_family = dict(zip(organismes["siren"], organismes["famille"].astype(str), strict=True))
    parts["nom_regie"] = parts["id_regie"].map(regie_name)
    parts["nom_organisme"] = parts["siren_organisme"].map(org_name)
    parts["famille"] = parts["siren_organisme"].map(org_family)
    parts["annee_debut"] = pd.to_datetime(parts["date_debut"], errors="coerce").dt.year.astype("Int64")

    territory = qpv.set_index("code_qp")[["insee_dep", "insee_reg"]]
    pairs = (parts[["id_partenariat", "qpv"]].explode("qpv").dropna(subset=["qpv"])
             .rename(columns={"qpv": "code_qp"}).reset_index(drop=True))
    pairs = pairs.join(territory, on="code_qp")
    pairs = pairs.astype({"id_partenariat": "str", "code_qp": "str"})
    parts["n_qpv"] = np.array([len(c) for c in parts["qpv"]], dtype=int)
    for col in ("insee_dep", "insee_reg"):
        distinct = pairs[["id_partenariat", col]].drop_duplicates().sort_values(["id_partenariat", col])
        per = _group_lists(distinct["id_partenariat"], distinct[col])
        parts[col] = [per.get(p, []) for p in parts["id_partenariat"]]
    principal = (pairs.groupby(["id_partenariat", "insee_reg"]).size().rename("n").reset_index()
                 .sort_values(["id_partenariat", "n", "insee_reg"], ascending=[True, False, True])
                 .drop_duplicates("id_partenariat").set_index("id_partenariat")["insee_reg"])
    parts["insee_reg_principal"] = parts["id_partenariat"].map(principal).fillna("").astype(str)
    parts["lib_reg_principal"] = [reg_names.get(r) or r or UNKNOWN_TERRITORY for r in parts["insee_reg_principal"]]

    themes = (parts[["id_partenariat", "themes"]].explode("themes").rename(columns={"themes": "theme"})
              .drop_duplicates().astype({"id_partenariat": "str"}))
    meta = parts[["id_partenariat", "statut", "famille", "annee_debut", "siren_organisme", "id_regie"]]
    links = (pairs.merge(themes, on="id_partenariat", how="left").merge(meta, on="id_partenariat", how="left")
             [LINK_COLUMNS].reset_index(drop=True))

    # Per-QPV coverage (all partnerships).
    by_code = declared.sort_values(["code_qp", "id_regie"])
    regies_of = _group_lists(by_code["code_qp"], by_code["id_regie"])
    qpv["regies"] = [regies_of.get(c, []) for c in qpv["code_qp"]]
    qpv["couvert"] = np.array([bool(r) for r in qpv["regies"]], dtype=bool)
    n_by_qpv = pairs["code_qp"].value_counts()
    qpv["n_partenariats"] = qpv["code_qp"].map(n_by_qpv).fillna(0).astype(int)
    qpv["coverage"] = coverage_of(qpv["couvert"], qpv["n_partenariats"])

    # Per-régie summaries.
    regies["n_partenariats"] = regies["id_regie"].map(parts["id_regie"].value_counts()).fillna(0).astype(int)
    regie_orgs = (parts[["id_regie", "nom_organisme"]].dropna().drop_duplicates()
                  .sort_values(["id_regie", "nom_organisme"]))
    orgs_of = _group_lists(regie_orgs["id_regie"], regie_orgs["nom_organisme"])
    regies["organismes"] = [orgs_of.get(r, []) for r in regies["id_regie"]]
    regie_themes = (parts[["id_regie", "themes"]].explode("themes").dropna().drop_duplicates()
                    .rename(columns={"themes": "theme"}))
    regie_themes["rank"] = regie_themes["theme"].map(THEME_ORDER).fillna(len(THEME_ORDER))
    regie_themes = regie_themes.sort_values(["id_regie", "rank", "theme"])
    themes_of = _group_lists(regie_themes["id_regie"], regie_themes["theme"])
    regies["themes"] = [themes_of.get(r, []) for r in regies["id_regie"]]

    organismes["lib_reg"] = [reg_names.get(r) or r or UNKNOWN_TERRITORY
                             for r in _codes(_column(organismes, "insee_reg")).fillna("")]
    organismes["n_partenariats"] = (organismes["siren"].map(parts["siren_organisme"].value_counts())
                                    .fillna(0).astype(int))

    # Search texts.
    search_qpv = _folded(qpv["code_qp"], qpv["lib_qp"], _column(qpv, "lib_com"))
    search_regies = _folded(regies["id_regie"], regies["nom"], _column(regies, "commune"))
    qpv_text = dict(zip(qpv["code_qp"].tolist(), search_qpv.tolist(), strict=True))
    per_part_qpv = {p: " | ".join(texts) for p, texts in
                    _group_lists(pairs["id_partenariat"], pairs["code_qp"].map(qpv_text).fillna("")).items()}
    regie_commune = dict(zip(regies["id_regie"], _column(regies, "commune").fillna("").astype(str), strict=True))
    search_partenariats = (
        _folded(parts["id_partenariat"], parts["id_regie"], parts["nom_regie"], parts["id_regie"].map(regie_commune),
                parts["nom_organisme"], parts["siren_organisme"])
        + " | " + parts["id_partenariat"].map(per_part_qpv).fillna("")
    )

    pairs = pairs[["id_partenariat", "code_qp", "insee_dep", "insee_reg"]]
    index = AtlasIndex(
        pair_part=_positions(parts["id_partenariat"], pairs["id_partenariat"]),
        pair_qpv=_positions(qpv["code_qp"], pairs["code_qp"]),
        link_part=_positions(parts["id_partenariat"], links["id_partenariat"]),
        link_qpv=_positions(qpv["code_qp"], links["code_qp"]),
        part_regie=_positions(regies["id_regie"], parts["id_regie"]),
        part_org=_positions(organismes["siren"], parts["siren_organisme"]),
        declared_regie=_positions(regies["id_regie"], declared["id_regie"]),
        declared_qpv=_positions(qpv["code_qp"], declared["code_qp"]),
    )
    file_order = {regie_file: 0, part_file: 1}
    findings.sort(key=lambda f: (file_order.get(f.file, 2), f.row if f.row is not None else 0))
    return Atlas(
        qpv=qpv, regies=regies, partenariats=parts, links=links, organismes=organismes,
        regions=regions, departements=departements, findings=findings, distance_m=float(distance_m),
        region_names=reg_names, departement_names=dep_names, departement_region=dep_region,
        pairs=pairs, declared=declared, spatial=spatial, search_qpv=search_qpv, search_regies=search_regies,
        search_partenariats=search_partenariats, index=index,
    )
