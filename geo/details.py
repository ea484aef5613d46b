"""What the detail panel shows for one clicked QPV or régie, within the current selection."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.filters import Selection
from geo.schema import THEME_BY_SLUG

PARTNERSHIP_COLUMNS = ["id_partenariat", "nom_regie", "nom_organisme", "famille", "themes", "statut", "date_debut",
                       "date_fin", "montant_eur", "heures_insertion", "description"]


@dataclass(frozen=True)
class QpvDetail:
    qpv: pd.Series
    regies: pd.DataFrame  # régies declaring the QPV
    partenariats: pd.DataFrame  # partnerships of the selection concerning it


@dataclass(frozen=True)
class RegieDetail:
    regie: pd.Series
    qpv: pd.DataFrame  # QPV the régie declares
    partenariats: pd.DataFrame  # its partnerships in the selection


def theme_labels(slugs) -> list[str]:
    return [THEME_BY_SLUG[s].label for s in slugs or [] if s in THEME_BY_SLUG]


def _readable(partenariats: pd.DataFrame) -> pd.DataFrame:
    out = partenariats[[c for c in PARTNERSHIP_COLUMNS if c in partenariats.columns]].copy()
    out["themes"] = out["themes"].map(theme_labels)
    return out.sort_values(["date_debut", "id_partenariat"]).reset_index(drop=True)


def qpv_detail(sel: Selection, code_qp: str) -> QpvDetail | None:
    """None when the QPV is not in the selection (e.g. filters changed since the click)."""
    rows = sel.qpv[sel.qpv["code_qp"] == code_qp]
    if rows.empty:
        return None
    qpv = rows.iloc[0]
    regies = sel.atlas.regies[sel.atlas.regies["id_regie"].isin(qpv["regies"] or [])]
    ids = sel.links.loc[sel.links["code_qp"] == code_qp, "id_partenariat"].unique()
    partenariats = sel.partenariats[sel.partenariats["id_partenariat"].isin(ids)]
    return QpvDetail(qpv, regies.drop(columns="geometry").reset_index(drop=True), _readable(partenariats))


def regie_detail(sel: Selection, id_regie: str) -> RegieDetail | None:
    rows = sel.atlas.regies[sel.atlas.regies["id_regie"] == id_regie]
    if rows.empty:
        return None
    regie = rows.iloc[0]
    qpv = sel.atlas.qpv[sel.atlas.qpv["code_qp"].isin(regie["qpv_couverts"] or [])]
    partenariats = sel.partenariats[sel.partenariats["id_regie"] == id_regie]
    columns = ["code_qp", "lib_qp", "lib_com", "population", "n_partenariats"]
    return RegieDetail(regie, qpv[columns].reset_index(drop=True), _readable(partenariats))


TABLE_COLUMNS = ["id_partenariat", "nom_regie", "nom_organisme", "famille", "qpv", "lib_reg_principal", "themes",
                 "statut", "date_debut", "date_fin", "montant_eur", "heures_insertion", "description"]


def partnership_table(sel: Selection) -> pd.DataFrame:
    """The selection's partnerships as the table (and its exports) show them: names, theme labels, dates."""
    out = sel.partenariats[TABLE_COLUMNS].copy()
    out["themes"] = out["themes"].map(theme_labels)
    out["qpv"] = out["qpv"].map(list)
    return out.sort_values(["date_debut", "id_partenariat"]).reset_index(drop=True)


def regies_table(sel: Selection) -> pd.DataFrame:
    """The selection's régies, largest first, for a territory portrait."""
    columns = ["nom", "type", "commune", "lib_dep", "salaries", "benevoles", "qpv_couverts", "n_partenariats"]
    out = sel.regies[columns].copy()
    out["qpv_couverts"] = out["qpv_couverts"].map(len)
    return out.sort_values(["salaries", "nom"], ascending=[False, True]).reset_index(drop=True)
