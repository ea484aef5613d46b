"""Indicators: pure functions of a `Selection` (and, for comparisons, of the national selection).

Every function returns a tidy pandas DataFrame (one row per entity, ASCII column names documented below; French
labels come from `schema` and are carried in `label`/`lib_*` columns) or, for `kpis`, a `Kpis` dataclass.

Conventions:
- A partnership is counted once per theme it carries, once per territory where it has a QPV (a partnership
  spanning two régions counts in both; national totals count it once), and `montant_eur` is never split.
- A theme's share is always that of the partnerships carrying it (never of theme mentions), and a theme filter
  selects partnerships without taking their other themes away.
- Shares (`part`, `taux_*`) are floats in [0, 1], 0.0 when the denominator is 0 (None in `Kpis`).
- `taux_partenariat` = QPV with at least one (filtered) partnership / QPV in scope. It is divided by all QPV
  and not by the covered ones because a partnership may concern a QPV no régie declares ("partenariat_seul"),
  which would let a ratio over covered QPV exceed 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import fr, schema
from geo.filters import Selection
from geo.joins import UNKNOWN_TERRITORY

THEME_COLUMNS = ["theme", "label", "short", "color"]


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else 0.0


def _int_sum(series: pd.Series) -> int:
    return int(pd.to_numeric(series, errors="coerce").fillna(0).sum())


def _known_sum(series: pd.Series) -> tuple[int | None, int]:
    """The sum of the known values of an optional count and how many are known; None when none is (unknown is
    not zero)."""
    values = pd.to_numeric(series, errors="coerce").dropna()
    return (int(values.sum()) if len(values) else None), len(values)


@dataclass(frozen=True)
class Kpis:
    """Headline figures of a selection.

    regies, qpv (in scope), qpv_couverts (declared by a régie), qpv_avec_partenariat (≥ 1 filtered partnership),
    salaries, benevoles (sums over the régies that give them, None when none does), salaries_renseignes,
    benevoles_renseignes (how many régies give them: « 13 000 salariés, 112 régies sur 129 renseignées »),
    partenariats, organismes_partenaires (distinct organisms of the
    partnerships), taux_couverture = qpv_couverts / qpv, taux_partenariat = qpv_avec_partenariat / qpv (None
    without QPV), montant_eur, heures_insertion (sums over the partnerships, blanks counting 0).
    """

    regies: int
    qpv: int
    qpv_couverts: int
    qpv_avec_partenariat: int
    salaries: int | None
    benevoles: int | None
    salaries_renseignes: int
    benevoles_renseignes: int
    partenariats: int
    organismes_partenaires: int
    taux_couverture: float | None
    taux_partenariat: float | None
    montant_eur: float
    heures_insertion: int


def coverage_text(figures: Kpis, field: str) -> str | None:
    """How many régies an optional count covers when some leave it blank (« 112 régies sur 129 renseignées »);
    None for a figure every régie gives."""
    known = getattr(figures, f"{field}_renseignes", None)
    if known is None or known == figures.regies:
        return None
    plural = "s" if known > 1 else ""
    return f"{fr.nombre(known)} régie{plural} sur {fr.nombre(figures.regies)} renseignée{plural}"


def kpis(sel: Selection) -> Kpis:
    qpv = sel.qpv
    n_qpv = len(qpv)
    couverts = int(qpv["couvert"].sum())
    avec = int((qpv["n_partenariats"] > 0).sum())
    parts = sel.partenariats
    salaries, salaries_renseignes = _known_sum(sel.regies["salaries"])
    benevoles, benevoles_renseignes = _known_sum(sel.regies["benevoles"])
    return Kpis(
        regies=len(sel.regies),
        qpv=n_qpv,
        qpv_couverts=couverts,
        qpv_avec_partenariat=avec,
        salaries=salaries,
        benevoles=benevoles,
        salaries_renseignes=salaries_renseignes,
        benevoles_renseignes=benevoles_renseignes,
        partenariats=len(parts),
        organismes_partenaires=int(parts["siren_organisme"].nunique()),
        taux_couverture=couverts / n_qpv if n_qpv else None,
        taux_partenariat=avec / n_qpv if n_qpv else None,
        montant_eur=float(pd.to_numeric(parts["montant_eur"], errors="coerce").fillna(0).sum()),
        heures_insertion=_int_sum(parts["heures_insertion"]),
    )


# --- themes ----------------------------------------------------------------------------------------------------


def _themes_frame() -> pd.DataFrame:
    return pd.DataFrame([(t.slug, t.label, t.short, t.color) for t in schema.THEMES], columns=THEME_COLUMNS)


def _theme_links(sel: Selection) -> pd.DataFrame:
    """The selection's (partnership, QPV, theme) rows with every theme of its partnerships: a theme filter selects
    partnerships, their other themes are still theirs (`geo.filters` keeps only the chosen themes' rows in
    `links`, which the per-QPV counts want)."""
    if not sel.filters.themes:
        return sel.links
    kept = sel.links[["id_partenariat", "code_qp"]].drop_duplicates()
    return sel.atlas.links.merge(kept, on=["id_partenariat", "code_qp"])


def _theme_counts(links: pd.DataFrame) -> pd.Series:
    """Distinct partnerships per theme slug."""
    pairs = links[["id_partenariat", "theme"]].dropna().drop_duplicates()
    return pairs["theme"].value_counts()


def partnerships_by_theme(sel: Selection) -> pd.DataFrame:
    """One row per theme, schema order: theme (slug), label, short, color, partenariats (partnerships of the
    selection carrying the theme, all their themes counted under a theme filter; a multi-theme partnership counts
    in each), part (partenariats / partnerships of the selection; shares may add up above 1): the one definition of a
    theme's « Part des partenariats », on every page and in the decks (`ui.charts.SHARE_NOTE`)."""
    out = _themes_frame()
    out["partenariats"] = out["theme"].map(_theme_counts(_theme_links(sel))).fillna(0).astype(int)
    out["part"] = [_ratio(n, len(sel.partenariats)) for n in out["partenariats"]]
    return out


def compare_theme_mix(sel: Selection, national: Selection) -> pd.DataFrame:
    """`partnerships_by_theme` of the selection next to the national one: theme, label, short, color, partenariats,
    part, partenariats_national, part_nationale, ecart_points ((part - part_nationale) × 100, percentage points)."""
    local = partnerships_by_theme(sel)
    ref = partnerships_by_theme(national)
    local["partenariats_national"] = ref["partenariats"].to_numpy()
    local["part_nationale"] = ref["part"].to_numpy()
    local["ecart_points"] = (local["part"] - local["part_nationale"]) * 100.0
    return local


def theme_region_matrix(sel: Selection) -> pd.DataFrame:
    """Long table for a heat map, one row per (région having partnerships, theme), regions by name then schema
    order: insee_reg, lib_reg, theme, label, short, partenariats (partnerships of the région carrying the theme,
    every theme of theirs as in `partnerships_by_theme`), part (partenariats / partnerships of the région)."""
    links = _theme_links(sel)
    names = _region_names(sel)
    per_region = links.drop_duplicates(["id_partenariat", "insee_reg"])["insee_reg"].value_counts()
    counts = (links[["id_partenariat", "insee_reg", "theme"]].dropna().drop_duplicates()
              .groupby(["insee_reg", "theme"]).size())
    regions = _sorted_regions(list(per_region.index), names)
    themes = _themes_frame()
    rows = []
    for reg in regions:
        total = int(per_region.get(reg, 0))
        for slug, label, short, _ in themes.itertuples(index=False):
            n = int(counts.get((reg, slug), 0))
            rows.append((reg, names.get(reg, reg or UNKNOWN_TERRITORY), slug, label, short, n, _ratio(n, total)))
    return pd.DataFrame(rows, columns=["insee_reg", "lib_reg", "theme", "label", "short", "partenariats", "part"])


# --- territories -----------------------------------------------------------------------------------------------


def _region_names(sel: Selection) -> dict[str, str]:
    """Région names: the atlas has them all (from the régions file, completed with the names in the data)."""
    return sel.atlas.region_names


def _sorted_regions(codes: list[str], names: dict[str, str]) -> list[str]:
    return sorted(set(codes), key=lambda c: (schema.fold(names.get(c, c)), c))


def _per(frame: pd.DataFrame, key: str, distinct: str | None = None) -> pd.Series:
    if distinct is not None:
        frame = frame.drop_duplicates([distinct, key])
    return frame[key].value_counts()


def _territory_table(sel: Selection, key: str) -> pd.DataFrame:
    links = sel.links
    counts = {
        "regies": _per(sel.regies, key),
        "qpv": _per(sel.qpv, key),
        "partenariats": _per(links, key, "id_partenariat"),
        "organismes": _per(links, key, "siren_organisme"),
    }
    codes = set().union(*(set(s.index) for s in counts.values()))
    out = pd.DataFrame({key: sorted(codes)})
    for name, series in counts.items():
        out[name] = out[key].map(series).fillna(0).astype(int)
    return out


def by_region(sel: Selection) -> pd.DataFrame:
    """One row per région present in the selection (QPV, régies or partnerships), sorted by partenariats
    descending then name: insee_reg, lib_reg, regies, qpv, partenariats (partnerships with ≥ 1 QPV in the
    région), organismes (distinct organisms of those partnerships)."""
    out = _territory_table(sel, "insee_reg")
    names = _region_names(sel)
    out.insert(1, "lib_reg", [names.get(c) or c or UNKNOWN_TERRITORY for c in out["insee_reg"]])
    out["_key"] = out["lib_reg"].map(schema.fold)
    out = out.sort_values(["partenariats", "_key"], ascending=[False, True]).drop(columns="_key")
    return out.reset_index(drop=True)


def coverage_by_region(sel: Selection) -> pd.DataFrame:
    """One row per région of the selection's QPV, sorted by name: insee_reg, lib_reg, qpv, qpv_couverts (declared
    by a régie), qpv_avec_partenariat (≥ 1 filtered partnership), qpv_sans_rien (neither), taux_couverture
    (qpv_couverts / qpv), taux_partenariat (qpv_avec_partenariat / qpv)."""
    qpv = sel.qpv
    frame = pd.DataFrame({
        "insee_reg": qpv["insee_reg"].to_numpy(),
        "couvert": qpv["couvert"].to_numpy(dtype=bool),
        "avec": (qpv["n_partenariats"] > 0).to_numpy(dtype=bool),
    })
    frame["rien"] = ~frame["couvert"] & ~frame["avec"]
    grouped = frame.groupby("insee_reg").agg(qpv=("couvert", "size"), qpv_couverts=("couvert", "sum"),
                                             qpv_avec_partenariat=("avec", "sum"), qpv_sans_rien=("rien", "sum"))
    names = _region_names(sel)
    out = grouped.reset_index()
    out.insert(1, "lib_reg", [names.get(c) or c or UNKNOWN_TERRITORY for c in out["insee_reg"]])
    for col in ("qpv", "qpv_couverts", "qpv_avec_partenariat", "qpv_sans_rien"):
        out[col] = out[col].astype(int)
    out["taux_couverture"] = [_ratio(a, b) for a, b in zip(out["qpv_couverts"], out["qpv"], strict=True)]
    out["taux_partenariat"] = [_ratio(a, b) for a, b in zip(out["qpv_avec_partenariat"], out["qpv"], strict=True)]
    order = _sorted_regions(list(out["insee_reg"]), names)
    return out.set_index("insee_reg").loc[order].reset_index() if len(out) else out


# --- partnerships ----------------------------------------------------------------------------------------------


def by_statut(sel: Selection) -> pd.DataFrame:
    """One row per statut, schema order: statut, partenariats, part (of the selection's partnerships)."""
    counts = sel.partenariats["statut"].value_counts()
    out = pd.DataFrame({"statut": list(schema.STATUTS)})
    out["partenariats"] = out["statut"].map(counts).fillna(0).astype(int)
    out["part"] = [_ratio(n, len(sel.partenariats)) for n in out["partenariats"]]
    return out


def by_famille(sel: Selection) -> pd.DataFrame:
    """One row per HLM family, schema order: famille, label (as the federations write it), partenariats (of the
    selection with an organism of the family), part (of the selection's partnerships; families do not overlap)."""
    counts = sel.partenariats["famille"].value_counts()
    out = pd.DataFrame({"famille": list(schema.FAMILLES)})
    out["label"] = out["famille"].map(schema.FAMILLE_LABELS)
    out["partenariats"] = out["famille"].map(counts).fillna(0).astype(int)
    out["part"] = [_ratio(n, len(sel.partenariats)) for n in out["partenariats"]]
    return out


def by_organisme(sel: Selection, limit: int | None = None) -> pd.DataFrame:
    """One row per HLM organism of the selection's partnerships, by partnerships descending then name (the first
    `limit` only): siren_organisme, nom_organisme, famille, partenariats, regies (distinct régies it works with)."""
    parts = sel.partenariats
    grouped = parts.groupby("siren_organisme", as_index=False).agg(
        nom_organisme=("nom_organisme", "first"), famille=("famille", "first"),
        partenariats=("id_partenariat", "nunique"), regies=("id_regie", "nunique"))
    grouped["_key"] = grouped["nom_organisme"].map(schema.fold)
    out = grouped.sort_values(["partenariats", "_key"], ascending=[False, True]).drop(columns="_key")
    out = out.head(limit) if limit is not None else out
    return out.astype({"partenariats": int, "regies": int}).reset_index(drop=True)


def starts_by_year(sel: Selection) -> pd.DataFrame:
    """One row per year from the first to the last start year (years without start included, 0):
    annee, partenariats (partnerships starting that year). Empty without dated partnership."""
    years = sel.partenariats["annee_debut"].dropna().astype(int)
    if years.empty:
        return pd.DataFrame({"annee": pd.Series(dtype=int), "partenariats": pd.Series(dtype=int)})
    span = np.arange(years.min(), years.max() + 1)
    counts = years.value_counts()
    return pd.DataFrame({"annee": span, "partenariats": [int(counts.get(y, 0)) for y in span]})


@dataclass(frozen=True)
class Gap:
    """One of the two lists of QPV a board asks for, named and defined once: `title` (what every page, file and
    slide calls it), `definition` (the rule, in French), `filters` (which filters change it) and `kind` (its
    files' name)."""

    kind: str
    title: str
    definition: str
    filters: str

    def heading(self, count: int, where: str = "") -> str:
        """The list's title with its definition: « QPV sans partenariat (177) : aucun partenariat … »."""
        return f"{self.title}{where} ({fr.nombre(count)}) : {self.definition}"


GAP_NOTHING = Gap(
    "qpv-sans-regie-ni-partenariat", "QPV sans régie ni partenariat",
    "aucune régie ne les déclare et aucun partenariat retenu par les filtres ne les concerne",
    "Le territoire change cette liste ; les filtres de partenariat (thème, famille, statut, années) ne la changent "
    "que pour un QPV qu'aucune régie ne déclare et qu'un partenariat concerne.")
GAP_NO_PARTNERSHIP = Gap(
    "qpv-sans-partenariat", "QPV sans partenariat",
    "aucun partenariat retenu par les filtres ne les concerne, qu'une régie les déclare ou non",
    "Le territoire et tous les filtres de partenariat changent cette liste : sous un filtre de thème, un QPV dont "
    "les partenariats portent d'autres thèmes y entre.")
GAP_COLUMNS = ["code_qp", "lib_qp", "lib_com", "insee_dep", "lib_dep", "insee_reg", "lib_reg", "population"]


def _gap_rows(qpv: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    rows = qpv.loc[mask, [c for c in GAP_COLUMNS if c in qpv.columns]]
    out = pd.DataFrame(rows).reset_index(drop=True)
    if "population" not in out.columns:
        out["population"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["population"] = out["population"].astype("Int64")
    out = out.sort_values(["population", "code_qp"], ascending=[False, True], na_position="last", kind="stable")
    return out[GAP_COLUMNS].reset_index(drop=True)


def uncovered_qpv(sel: Selection) -> pd.DataFrame:
    """`GAP_NOTHING`: QPV of the selection with neither régie nor (filtered) partnership, by population descending
    (unknown population last), then code: code_qp, lib_qp, lib_com, insee_dep, lib_dep, insee_reg, lib_reg,
    population."""
    return _gap_rows(sel.qpv, sel.qpv["coverage"] == "aucune")


def qpv_without_partnership(sel: Selection) -> pd.DataFrame:
    """`GAP_NO_PARTNERSHIP`: QPV of the selection without a (filtered) partnership, declared by a régie or not;
    columns and order of `uncovered_qpv`."""
    return _gap_rows(sel.qpv, sel.qpv["n_partenariats"] == 0)


def dominant_theme(sel: Selection) -> pd.Series:
    """Per QPV code, the theme slug most of its (filtered) partnerships carry; ties go to the convention's order.
    QPV without partnership are absent."""
    if sel.links.empty:
        return pd.Series(dtype=object)
    order = {t.slug: i for i, t in enumerate(schema.THEMES)}
    counts = sel.links.groupby(["code_qp", "theme"], observed=True)["id_partenariat"].nunique().reset_index()
    counts["rank"] = counts["theme"].map(order)
    counts = counts.sort_values(["code_qp", "id_partenariat", "rank"], ascending=[True, False, True])
    return counts.drop_duplicates("code_qp").set_index("code_qp")["theme"]
