"""The cross-file join of one data folder, done once: QPV, régies, organismes and partenariats tied together.

`build_atlas(ds)` takes the loaded `Datasets` (see `geo.datasets` for the contract of its frames) and returns an
`Atlas`, the frames every page, filter and indicator works on. It is pure: `ds` is never modified.

What the join adds:
- territories: every QPV and every régie gets `insee_dep`, `lib_dep`, `insee_reg`, `lib_reg`. A missing
  département comes from the commune code (`ref.dep_of_commune`), else from the outlines of `ds.departements`
  (`territory.locate_departements`, the loader's rule too); a missing région from `ds.departements`. Codes that
  cannot be found are left as "" with the label `UNKNOWN_TERRITORY`.
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

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import fr, ref, schema
from geo.datasets import Datasets, frozen_cells
from geo.io import ROW
from geo.territory import has_geometry, locate_departements
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

    def __setstate__(self, state: dict) -> None:
        """Unpickled (`store.snapshot`): numpy does not keep the read-only flag, so it is set again."""
        for name, array in state.items():
            object.__setattr__(self, name, _read_only(array))


def _positions(keys: pd.Series, values: pd.Series) -> np.ndarray:
    """Position of each value in `keys` (first occurrence), -1 when absent."""
    lookup: dict[str, int] = {}
    for pos, key in enumerate(keys.tolist()):
        lookup.setdefault(key, pos)
    return np.fromiter((lookup.get(v, -1) for v in values.tolist()), dtype=np.int64, count=len(values))


class _Copied:
    """A frame (or list) attribute of the `Atlas` read as a copy of the stored one.

    The atlas is shared by every session (`st.cache_resource`): a caller that writes to what it received
    (`atlas.qpv.loc[0, "lib_qp"] = ...`, a new column, `findings.append`) must change only its own copy. Frames
    are handed out as shallow copies, which pandas' copy-on-write turns into real copies on the first write; the
    multi-valued cells they hold are tuples (`geo.datasets.frozen_cells`), which cannot be changed in place.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.stored = "_" + name

    def __get__(self, atlas: Atlas | None, owner: type | None = None):
        if atlas is None:
            return self
        value = getattr(atlas, self.stored)
        return list(value) if isinstance(value, tuple) else value.copy(deep=False)


@dataclass(frozen=True)
class Atlas:
    """The joined frames of one data folder (all GeoDataFrames in EPSG:4326, all indexes 0..n-1). Immutable: the
    frames and `findings` are read as copies, multi-valued cells are tuples (below, "list" means a tuple), the
    name maps are read-only, the index arrays are not writable.

    - `qpv`: the QPV with territory columns filled, `regies` (list of id_regie declaring it), `couvert` (bool),
      `n_partenariats` (int, all valid partnerships naming it), `coverage` (one of `COVERAGE`) and `epci` (its
      `siren_epci`, else its commune's; missing when unknown).
    - `regies`: the régies with territory columns, `epci` (their commune's), `qpv_spatial` (list of codes, nearest
      first),
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
    - `search_*`: folded (accent- and case-free) search texts, aligned on the index of qpv / regies /
      partenariats.
    - `findings`: cross-file problems (see the module docstring).
    """

    _qpv: gpd.GeoDataFrame
    _regies: gpd.GeoDataFrame
    _partenariats: pd.DataFrame
    _links: pd.DataFrame
    _organismes: pd.DataFrame
    _regions: gpd.GeoDataFrame
    _departements: gpd.GeoDataFrame
    _pairs: pd.DataFrame
    _declared: pd.DataFrame
    _spatial: pd.DataFrame
    _search_qpv: pd.Series
    _search_regies: pd.Series
    _search_partenariats: pd.Series
    _findings: tuple[Finding, ...]
    index: AtlasIndex
    distance_m: float
    region_names: Mapping[str, str]
    departement_names: Mapping[str, str]
    departement_region: Mapping[str, str]

    qpv = _Copied()
    regies = _Copied()
    partenariats = _Copied()
    links = _Copied()
    organismes = _Copied()
    regions = _Copied()
    departements = _Copied()
    pairs = _Copied()
    declared = _Copied()
    spatial = _Copied()
    search_qpv = _Copied()
    search_regies = _Copied()
    search_partenariats = _Copied()
    findings = _Copied()

    def region_name(self, code: str) -> str:
        return self.region_names.get(code) or code or UNKNOWN_TERRITORY

    def departement_name(self, code: str) -> str:
        return self.departement_names.get(code) or code or UNKNOWN_TERRITORY


# --- small helpers ---------------------------------------------------------------------------------------------


def _codes(series: pd.Series) -> pd.Series:
    """Région and département codes as the atlas spells them ("1" -> "01", "2a" -> "2A"), None when blank."""
    width = schema.CODE_WIDTHS["insee_dep"]
    return pd.Series([schema.normalize_code(v, width) for v in series], index=series.index, dtype=object)


def _texts(series: pd.Series) -> pd.Series:
    return pd.Series([None if schema.is_blank(v) else str(v).strip() for v in series], index=series.index,
                     dtype=object)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _lists(series: pd.Series) -> list[list[str]]:
    return [schema.split_list(v) for v in series]


def _rows(frame: pd.DataFrame) -> list[int | None]:
    """Spreadsheet row number of each row of `frame` (None when the loader did not record it)."""
    if ROW not in frame.columns:
        return [None] * len(frame)
    return [None if schema.is_blank(v) else int(v) for v in frame[ROW].tolist()]


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
    """A distance in a finding (`2,8 km`); no QPV at all is "une très grande distance"."""
    if metres is None or not np.isfinite(metres):
        return "une très grande distance"
    return fr.distance(metres)


def _metric_crs(departements: pd.Series) -> pd.Series:
    return departements.map(schema.metric_crs)


# --- territories -----------------------------------------------------------------------------------------------


@dataclass
class _Territories:
    """Names of the régions and départements and the département -> région map, completed by the data."""

    reg_names: dict[str, str]
    dep_names: dict[str, str]
    dep_region: dict[str, str]

    @classmethod
    def of(cls, regions: gpd.GeoDataFrame, departements: gpd.GeoDataFrame) -> _Territories:
        dep_codes = _codes(departements["insee_dep"])
        return cls(
            reg_names={c: str(n) for c, n in zip(_codes(regions["insee_reg"]), _texts(regions["lib_reg"]),
                                                 strict=True) if c and n},
            dep_names={c: str(n) for c, n in zip(dep_codes, _texts(departements["lib_dep"]), strict=True)
                       if c and n},
            dep_region={c: r for c, r in zip(dep_codes, _codes(_column(departements, "insee_reg")), strict=True)
                        if c and r},
        )

    def learn(self, frame: pd.DataFrame) -> None:
        """Territories seen in located data complete the names and the département -> région map."""
        for d, ld, r, lr in frame[list(TERRITORY_COLUMNS)].drop_duplicates().itertuples(index=False):
            if d:
                self.dep_names.setdefault(d, ld)
                if r:
                    self.dep_region.setdefault(d, r)
            if r:
                self.reg_names.setdefault(r, lr)


def _locate(frame: gpd.GeoDataFrame, departements: gpd.GeoDataFrame, names: _Territories) -> gpd.GeoDataFrame:
    """Copy of `frame` with insee_dep / lib_dep / insee_reg / lib_reg filled (see the module docstring)."""
    dep = _codes(_column(frame, "insee_dep"))
    from_commune = pd.Series([ref.dep_of_commune_or_none(v) for v in _column(frame, "insee_com")],
                             index=frame.index, dtype=object)
    dep = dep.where(dep.notna(), from_commune)
    need = dep.isna()
    if need.any():
        found = locate_departements(frame.geometry[need.to_numpy()], departements)
        dep.loc[found.index] = found
    reg = _codes(_column(frame, "insee_reg"))
    reg = reg.where(reg.notna(), dep.map(names.dep_region))
    lib_dep = _texts(_column(frame, "lib_dep"))
    lib_dep = lib_dep.where(lib_dep.notna(), dep.map(names.dep_names))
    lib_reg = _texts(_column(frame, "lib_reg"))
    lib_reg = lib_reg.where(lib_reg.notna(), reg.map(names.reg_names))
    out = frame.copy()
    out["insee_dep"] = dep.fillna("").astype(str)
    out["lib_dep"] = lib_dep.where(lib_dep.notna(), dep).fillna(UNKNOWN_TERRITORY).astype(str)
    out["insee_reg"] = reg.fillna("").astype(str)
    out["lib_reg"] = lib_reg.where(lib_reg.notna(), reg).fillna(UNKNOWN_TERRITORY).astype(str)
    return out


# --- spatial matches -------------------------------------------------------------------------------------------


def spatial_pairs(regies: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame, distance_m: float) -> pd.DataFrame:
    """(id_regie, code_qp, distance_m) for every QPV within distance_m of a régie, in the metric CRS of the
    régie's zone (`schema.metric_crs`; a QPV of another zone is never paired), nearest first per régie."""
    empty = pd.DataFrame({"id_regie": pd.Series(dtype=object), "code_qp": pd.Series(dtype=object),
                          "distance_m": pd.Series(dtype=float)})
    ok = has_geometry(regies.geometry)
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
    ok = has_geometry(a) & has_geometry(b)
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


def _canonical_codes(qpv: gpd.GeoDataFrame) -> dict[str, str]:
    """Upper-case code -> the QPV file's spelling: how declared and partnership codes are matched."""
    return {c.upper(): c for c in qpv["code_qp"]}


def _declared_pairs(regies: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame, canon: dict[str, str], regie_file: str,
                    findings: list[Finding]) -> pd.DataFrame:
    """(id_regie, code_qp, distance_m) of each known QPV a régie declares; unknown codes become errors."""
    code_list = sorted(canon.values())
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
    return declared


def _check_regie_places(regies: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame, declared: pd.DataFrame,
                        spatial: pd.DataFrame, distance_m: float, regie_file: str, findings: list[Finding]) -> None:
    """Warnings for a régie far from every QPV it declares, or near QPV it does not declare."""
    qpv_name = dict(zip(qpv["code_qp"], qpv["lib_qp"].astype(str), strict=True))
    declared_set = set(zip(declared["id_regie"], declared["code_qp"], strict=True))
    spatial_set = set(zip(spatial["id_regie"], spatial["code_qp"], strict=True))
    has_point = dict(zip(regies["id_regie"], has_geometry(regies.geometry), strict=True))
    nearest = (declared.dropna(subset=["distance_m"]).sort_values(["id_regie", "distance_m", "code_qp"])
               .drop_duplicates("id_regie").set_index("id_regie"))
    undeclared = spatial[np.array([(r, c) not in declared_set for r, c in zip(spatial["id_regie"], spatial["code_qp"],
                                                                                strict=True)], dtype=bool)]
    undeclared_by_regie = {r: g for r, g in undeclared.groupby("id_regie", sort=False)}
    declared_by = _group_lists(declared["id_regie"], declared["code_qp"])
    regie_rows = _rows(regies)
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


def _valid_partnerships(parts: pd.DataFrame, regies: gpd.GeoDataFrame, organismes: pd.DataFrame,
                        qpv: gpd.GeoDataFrame, declared: pd.DataFrame, canon: dict[str, str], part_file: str,
                        findings: list[Finding]) -> pd.DataFrame:
    """The partnerships whose régie, SIREN and QPV all exist (the others are errors); a QPV outside the
    régie's declared ones is a warning."""
    regie_ids = set(regies["id_regie"])
    sirens = set(organismes["siren"])
    regie_list, siren_list, code_list = sorted(regie_ids), sorted(sirens), sorted(canon.values())
    excluded = np.zeros(len(parts), dtype=bool)
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
    qpv_name = dict(zip(qpv["code_qp"], qpv["lib_qp"].astype(str), strict=True))
    declared_set = set(zip(declared["id_regie"], declared["code_qp"], strict=True))
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
    return parts.iloc[kept_rows].reset_index(drop=True)


def _enrich_partnerships(parts: pd.DataFrame, regies: gpd.GeoDataFrame, organismes: pd.DataFrame,
                         qpv: gpd.GeoDataFrame, reg_names: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The partnerships with names, family, start year and territories, and their (partnership, QPV) pairs."""
    regie_name = dict(zip(regies["id_regie"], regies["nom"].astype(str), strict=True))
    org_name = dict(zip(organismes["siren"], organismes["nom"].astype(str), strict=True))
    org_family = dict(zip(organismes["siren"], organismes["famille"].astype(str), strict=True))
    parts = parts.copy()
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
    return parts, pairs[["id_partenariat", "code_qp", "insee_dep", "insee_reg"]]


def _links(parts: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """One row per (partnership, QPV, theme): `LINK_COLUMNS`."""
    themes = (parts[["id_partenariat", "themes"]].explode("themes").rename(columns={"themes": "theme"})
              .drop_duplicates().astype({"id_partenariat": "str"}))
    meta = parts[["id_partenariat", "statut", "famille", "annee_debut", "siren_organisme", "id_regie"]]
    return (pairs.merge(themes, on="id_partenariat", how="left").merge(meta, on="id_partenariat", how="left")
            [LINK_COLUMNS].reset_index(drop=True))


def _add_coverage(qpv: gpd.GeoDataFrame, declared: pd.DataFrame, pairs: pd.DataFrame) -> None:
    """Per-QPV régies, `couvert`, `n_partenariats` and `coverage` (all partnerships)."""
    by_code = declared.sort_values(["code_qp", "id_regie"])
    regies_of = _group_lists(by_code["code_qp"], by_code["id_regie"])
    qpv["regies"] = [regies_of.get(c, []) for c in qpv["code_qp"]]
    qpv["couvert"] = np.array([bool(r) for r in qpv["regies"]], dtype=bool)
    qpv["n_partenariats"] = qpv["code_qp"].map(pairs["code_qp"].value_counts()).fillna(0).astype(int)
    qpv["coverage"] = coverage_of(qpv["couvert"], qpv["n_partenariats"])


def _add_epci(qpv: gpd.GeoDataFrame, regies: gpd.GeoDataFrame) -> None:
    """The EPCI of each QPV (its `siren_epci`, else its commune's) and of each régie (its commune's), once: the
    EPCI filter and its list of choices read them on every run."""
    given = pd.Series([schema.normalize_code(v) for v in _column(qpv, "siren_epci")], index=qpv.index, dtype=object)
    qpv["epci"] = given.where(given.notna(), qpv["insee_com"].map(ref.epci_of_commune))
    regies["epci"] = regies["insee_com"].map(ref.epci_of_commune)


def _add_regie_summaries(regies: gpd.GeoDataFrame, parts: pd.DataFrame) -> None:
    """Per-régie `n_partenariats`, partner `organismes` and `themes` (schema order)."""
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


def _search_texts(qpv: gpd.GeoDataFrame, regies: gpd.GeoDataFrame, parts: pd.DataFrame, pairs: pd.DataFrame
                  ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Folded search texts of the QPV, the régies and the partnerships (see `filters` for what each matches)."""
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
    return search_qpv, search_regies, search_partenariats


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def _index(qpv: gpd.GeoDataFrame, regies: gpd.GeoDataFrame, parts: pd.DataFrame, organismes: pd.DataFrame,
           pairs: pd.DataFrame, links: pd.DataFrame, declared: pd.DataFrame) -> AtlasIndex:
    return AtlasIndex(
        pair_part=_read_only(_positions(parts["id_partenariat"], pairs["id_partenariat"])),
        pair_qpv=_read_only(_positions(qpv["code_qp"], pairs["code_qp"])),
        link_part=_read_only(_positions(parts["id_partenariat"], links["id_partenariat"])),
        link_qpv=_read_only(_positions(qpv["code_qp"], links["code_qp"])),
        part_regie=_read_only(_positions(regies["id_regie"], parts["id_regie"])),
        part_org=_read_only(_positions(organismes["siren"], parts["siren_organisme"])),
        declared_regie=_read_only(_positions(regies["id_regie"], declared["id_regie"])),
        declared_qpv=_read_only(_positions(qpv["code_qp"], declared["code_qp"])),
    )


def build_atlas(ds: Datasets, distance_m: float = 300.0) -> Atlas:
    """Join the datasets of one folder (see the module docstring); `ds` is left untouched."""
    findings: list[Finding] = []
    regie_file = _file_name(ds, "regies")
    part_file = _file_name(ds, "partenariats")

    names = _Territories.of(ds.regions, ds.departements)
    qpv = _locate(ds.qpv.reset_index(drop=True), ds.departements, names)
    regies = _locate(ds.regies.reset_index(drop=True), ds.departements, names)
    names.learn(qpv)
    names.learn(regies)

    qpv["code_qp"] = qpv["code_qp"].astype(str).str.strip()
    canon = _canonical_codes(qpv)
    regies["id_regie"] = regies["id_regie"].astype(str).str.strip()
    regies["qpv_couverts"] = [[canon.get(c.upper(), c) for c in codes] for codes in _lists(_column(regies,
                                                                                                  "qpv_couverts"))]
    declared = _declared_pairs(regies, qpv, canon, regie_file, findings)
    spatial = spatial_pairs(regies, qpv, distance_m)
    spatial_lists = _group_lists(spatial["id_regie"], spatial["code_qp"])
    regies["qpv_spatial"] = [spatial_lists.get(r, []) for r in regies["id_regie"]]
    _check_regie_places(regies, qpv, declared, spatial, distance_m, regie_file, findings)

    organismes = ds.organismes.reset_index(drop=True).copy()
    organismes["siren"] = organismes["siren"].astype(str).str.replace(r"\s", "", regex=True)
    parts = ds.partenariats.reset_index(drop=True).copy()
    parts["id_partenariat"] = parts["id_partenariat"].astype(str).str.strip()
    parts["id_regie"] = parts["id_regie"].astype(str).str.strip()
    parts["siren_organisme"] = parts["siren_organisme"].astype(str).str.replace(r"\s", "", regex=True)
    parts["qpv"] = [list(dict.fromkeys(canon.get(c.upper(), c) for c in codes)) for codes in _lists(_column(parts,
                                                                                                           "qpv"))]
    parts["themes"] = _lists(_column(parts, "themes"))
    parts = _valid_partnerships(parts, regies, organismes, qpv, declared, canon, part_file, findings)
    parts, pairs = _enrich_partnerships(parts, regies, organismes, qpv, names.reg_names)
    links = _links(parts, pairs)

    _add_coverage(qpv, declared, pairs)
    _add_epci(qpv, regies)
    _add_regie_summaries(regies, parts)
    organismes["lib_reg"] = [names.reg_names.get(r) or r or UNKNOWN_TERRITORY
                             for r in _codes(_column(organismes, "insee_reg")).fillna("")]
    organismes["n_partenariats"] = (organismes["siren"].map(parts["siren_organisme"].value_counts())
                                    .fillna(0).astype(int))
    search_qpv, search_regies, search_partenariats = _search_texts(qpv, regies, parts, pairs)

    file_order = {regie_file: 0, part_file: 1}
    findings.sort(key=lambda f: (file_order.get(f.file, 2), f.row if f.row is not None else 0))
    qpv, regies, parts, organismes = (frozen_cells(f) for f in (qpv, regies, parts, organismes))
    return Atlas(
        _qpv=qpv, _regies=regies, _partenariats=parts, _links=links, _organismes=organismes,
        _regions=ds.regions.copy(), _departements=ds.departements.copy(), _pairs=pairs, _declared=declared,
        _spatial=spatial, _search_qpv=search_qpv, _search_regies=search_regies,
        _search_partenariats=search_partenariats, _findings=tuple(findings),
        index=_index(qpv, regies, parts, organismes, pairs, links, declared), distance_m=float(distance_m),
        region_names=MappingProxyType(names.reg_names), departement_names=MappingProxyType(names.dep_names),
        departement_region=MappingProxyType(names.dep_region),
    )
