"""The expected figures, computed from the data files with plain pandas, independently of the app's `geo` code.

The UI tests compare what the pages show with what this module derives from the same files. Nothing here
imports `geo`, `ui` or `shell`: the rules are re-implemented from the specification, so a bug in the app's joins,
filters or indicators shows up as a mismatch instead of being copied into the expected value.

Rules (see the brief of the UI tests):
- a régie's département is the first 2 characters of its commune code (3 for 97x), its région comes from
  data/ref/departements.csv;
- the territory keeps the régies and the QPV (by their own insee_dep / insee_reg) of the chosen départements
  and régions (both given: they intersect);
- a partnership is kept when it has at least one QPV in the territory and matches the theme(s), famille(s),
  statut(s) and years (year of date_debut) asked for;
- the search `q` (accent- and case-insensitive substring) keeps the régies whose id, name or commune match
  plus those of the kept partnerships; the partnerships whose id, régie (id, name, commune), organism (name,
  SIREN) or one of whose QPV (code, name, commune) match; the QPV whose code, name or commune match, that a
  matching régie declares or that a kept partnership names.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tests.paths import REPO

DEMO = REPO / "data" / "demo"
REF = REPO / "data" / "ref"
NNBSP = "\u202f"

THEME_SLUG = {  # the convention's labels, as the CSV files spell them, and their URL slugs
    "amélioration du cadre de vie": "cadre-de-vie",
    "transition écologique et solidaire": "transition-ecologique",
    "cohésion sociale": "cohesion-sociale",
    "lutte contre la précarité énergétique": "precarite-energetique",
    "inclusion numérique": "inclusion-numerique",
    "insertion professionnelle des habitants": "insertion-professionnelle",
}
KPI_LABELS = ("QPV", "Taux de couverture", "Régies", "QPV couverts", "QPV avec partenariat", "Salariés", "Bénévoles",
              "Partenariats", "Organismes HLM")


def fr_int(value: int) -> str:
    """13000 -> "13 000" with a narrow no-break space, as a French reader expects."""
    return f"{int(value):,d}".replace(",", NNBSP)


def fr_amount(cell: str) -> str:
    """A file's amount cell ("27948,33", "66900,00", "") as a French reader expects it: "27 948,33", "66 900"."""
    if cell == "":
        return ""
    euros, _, cents = cell.partition(",")
    cents = cents.rstrip("0")
    return fr_int(int(euros)) + (f",{cents}" if cents else "")


def card(label: str, value) -> str:
    """A key figure as its card should read: the coverage rate as `22,1 %` (one decimal), counts as `fr_int`."""
    if label != "Taux de couverture":
        return fr_int(value)
    return "—" if value is None else f"{value * 100:.1f}".replace(".", ",") + NNBSP + "%"


def fold(text: object) -> str:
    decomposed = unicodedata.normalize("NFKD", "" if text is None else str(text))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def split(cell: object) -> list[str]:
    if cell is None or (isinstance(cell, float) and cell != cell):
        return []
    return [part.strip() for part in str(cell).split("|") if part.strip()]


def dep_of_commune(code: str) -> str:
    code = str(code).strip()
    return code[:3] if code.startswith("97") else code[:2]


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


@dataclass
class Data:
    qpv: pd.DataFrame  # properties of qpv.geojson
    regies: pd.DataFrame  # + dep, reg, declared (list)
    organismes: pd.DataFrame
    partenariats: pd.DataFrame  # + qpv_list, theme_slugs, annee, famille (valid rows only)
    dep_region: dict[str, str]


def load(folder: Path = DEMO) -> Data:
    folder = Path(folder)
    with open(folder / "qpv.geojson", encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    qpv = pd.DataFrame([f["properties"] for f in features])
    for column in ("code_qp", "insee_dep", "insee_reg"):
        qpv[column] = qpv[column].astype(str)
    qpv["population"] = pd.to_numeric(qpv["population"], errors="coerce")

    deps = pd.read_csv(REF / "departements.csv", dtype=str)
    dep_region = dict(zip(deps["insee_dep"], deps["insee_reg"], strict=True))

    regies = read_csv(folder / "regies.csv")
    regies["dep"] = regies["insee_com"].map(dep_of_commune)
    regies["reg"] = regies["dep"].map(dep_region)
    regies["declared"] = regies["qpv_couverts"].map(split)
    regies["salaries"] = regies["salaries"].astype(int)
    regies["benevoles"] = regies["benevoles"].astype(int)

    organismes = read_csv(folder / "organismes.csv")
    parts = read_csv(folder / "partenariats.csv")
    parts["qpv_list"] = parts["qpv"].map(split)
    parts["theme_slugs"] = parts["themes"].map(lambda cell: {THEME_SLUG[t] for t in split(cell)})
    parts["annee"] = parts["date_debut"].map(lambda d: int(d.split("/")[2]))
    famille = dict(zip(organismes["siren"], organismes["famille"], strict=True))
    parts["famille"] = parts["siren_organisme"].map(famille)
    known_qpv = set(qpv["code_qp"])
    valid = (parts["id_regie"].isin(regies["id_regie"]) & parts["siren_organisme"].isin(organismes["siren"])
             & parts["qpv_list"].map(lambda codes: bool(codes) and set(codes) <= known_qpv))
    return Data(qpv, regies, organismes, parts[valid].reset_index(drop=True), dep_region)


@dataclass(frozen=True)
class Ask:
    """A request in the files' own vocabulary (not the URL's): raw statut and famille labels, theme slugs."""

    regions: tuple[str, ...] = ()
    departements: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    familles: tuple[str, ...] = ()
    statuts: tuple[str, ...] = ()
    annee_min: int | None = None
    annee_max: int | None = None
    q: str = ""


@dataclass
class Scope:
    qpv: pd.DataFrame
    regies: pd.DataFrame
    partenariats: pd.DataFrame
    kpis: dict[str, int | float | None] = field(default_factory=dict)


def select(data: Data, ask: Ask) -> Scope:
    qpv, regies, parts = data.qpv, data.regies, data.partenariats

    q_terr = pd.Series(True, index=qpv.index)
    r_terr = pd.Series(True, index=regies.index)
    if ask.regions:
        q_terr &= qpv["insee_reg"].isin(ask.regions)
        r_terr &= regies["reg"].isin(ask.regions)
    if ask.departements:
        q_terr &= qpv["insee_dep"].isin(ask.departements)
        r_terr &= regies["dep"].isin(ask.departements)
    territory_qpv = set(qpv.loc[q_terr, "code_qp"])

    keep = parts["qpv_list"].map(lambda codes: bool(territory_qpv & set(codes)))
    if ask.themes:
        keep &= parts["theme_slugs"].map(lambda slugs: bool(slugs & set(ask.themes)))
    if ask.familles:
        keep &= parts["famille"].isin(ask.familles)
    if ask.statuts:
        keep &= parts["statut"].isin(ask.statuts)
    if ask.annee_min is not None:
        keep &= parts["annee"] >= ask.annee_min
    if ask.annee_max is not None:
        keep &= parts["annee"] <= ask.annee_max

    q_mask, r_mask = q_terr, r_terr
    if ask.q:
        needle = fold(ask.q)
        qpv_hit = {c for c, n, com in zip(qpv["code_qp"], qpv["lib_qp"], qpv["lib_com"], strict=True)
                   if needle in fold(c) or needle in fold(n) or needle in fold(com)}
        regie_hit = regies.apply(lambda r: needle in fold(r["id_regie"]) or needle in fold(r["nom"])
                                 or needle in fold(r["commune"]), axis=1)
        regie_by_id = regies.set_index("id_regie")
        org_name = dict(zip(data.organismes["siren"], data.organismes["nom"], strict=True))
        qpv_by_code = qpv.set_index("code_qp")

        def part_hit(p) -> bool:
            regie = regie_by_id.loc[p["id_regie"]]
            texts = [p["id_partenariat"], p["id_regie"], regie["nom"], regie["commune"],
                     org_name[p["siren_organisme"]], p["siren_organisme"]]
            for code in p["qpv_list"]:
                texts += [code, qpv_by_code.at[code, "lib_qp"], qpv_by_code.at[code, "lib_com"]]
            return any(needle in fold(t) for t in texts)

        keep &= parts.apply(part_hit, axis=1)
        kept_regies = set(parts.loc[keep, "id_regie"])
        r_mask = r_terr & (regie_hit | regies["id_regie"].isin(kept_regies))
        declared_by_hits = {c for codes in regies.loc[regie_hit, "declared"] for c in codes}
        linked = {c for codes in parts.loc[keep, "qpv_list"] for c in codes}
        q_mask = q_terr & qpv["code_qp"].isin(qpv_hit | declared_by_hits | linked)

    sel_qpv = qpv[q_mask]
    sel_regies = regies[r_mask]
    sel_parts = parts[keep]
    declared_anywhere = {c for codes in regies["declared"] for c in codes}
    in_kept = {c for codes in sel_parts["qpv_list"] for c in codes}
    covered = int(sel_qpv["code_qp"].isin(declared_anywhere).sum())
    kpis = {
        "QPV": len(sel_qpv),
        "Taux de couverture": covered / len(sel_qpv) if len(sel_qpv) else None,
        "Régies": len(sel_regies),
        "QPV couverts": covered,
        "QPV avec partenariat": int(sel_qpv["code_qp"].isin(in_kept).sum()),
        "Salariés": int(sel_regies["salaries"].sum()),
        "Bénévoles": int(sel_regies["benevoles"].sum()),
        "Partenariats": len(sel_parts),
        "Organismes HLM": int(sel_parts["siren_organisme"].nunique()),
    }
    return Scope(sel_qpv, sel_regies, sel_parts, kpis)


def uncovered(scope: Scope, data: Data) -> pd.DataFrame:
    """QPV of the scope that no régie declares and no kept partnership names, most populated first."""
    declared_anywhere = {c for codes in data.regies["declared"] for c in codes}
    in_kept = {c for codes in scope.partenariats["qpv_list"] for c in codes}
    rows = scope.qpv[~scope.qpv["code_qp"].isin(declared_anywhere | in_kept)]
    return rows.sort_values(["population", "code_qp"], ascending=[False, True], na_position="last")
