"""What the detail panel shows for one clicked QPV or régie, within the current selection."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo import schema
from geo.filters import Selection
from geo.joins import Atlas
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


def _qpv_counts(sel: Selection, codes) -> list[int]:
    """Number of the selection's partnerships concerning each QPV code."""
    counts = sel.partenariats["qpv"].explode().value_counts()
    return [int(counts.get(code, 0)) for code in codes]


def qpv_detail(sel: Selection, code_qp: str) -> QpvDetail | None:
    """None when the QPV is not in the selection (e.g. filters changed since the click). Counts are those of the
    selection, like the map's."""
    rows = sel.qpv[sel.qpv["code_qp"] == code_qp]
    if rows.empty:
        return None
    qpv = rows.iloc[0]
    atlas_regies = sel.atlas.regies
    regies = atlas_regies[atlas_regies["id_regie"].isin(qpv["regies"] or [])].drop(columns="geometry")
    regies["n_partenariats"] = regies["id_regie"].map(sel.partenariats["id_regie"].value_counts()).fillna(0)
    regies["n_partenariats"] = regies["n_partenariats"].astype(int)
    ids = sel.links.loc[sel.links["code_qp"] == code_qp, "id_partenariat"].unique()
    partenariats = sel.partenariats[sel.partenariats["id_partenariat"].isin(ids)]
    return QpvDetail(qpv, regies.reset_index(drop=True), _readable(partenariats))


def regie_detail(sel: Selection, id_regie: str) -> RegieDetail | None:
    """None when the régie is not in the selection. The QPV it declares are listed whatever the filters, each
    with the number of the selection's partnerships concerning it, so that every count of the card is the
    selection's."""
    rows = sel.regies[sel.regies["id_regie"] == id_regie]
    if rows.empty:
        return None
    regie = rows.iloc[0]
    atlas_qpv = sel.atlas.qpv
    qpv = atlas_qpv[atlas_qpv["code_qp"].isin(regie["qpv_couverts"] or [])]
    qpv = qpv[["code_qp", "lib_qp", "lib_com", "population"]].reset_index(drop=True)
    qpv["n_partenariats"] = _qpv_counts(sel, qpv["code_qp"])
    partenariats = sel.partenariats[sel.partenariats["id_regie"] == id_regie]
    return RegieDetail(regie, qpv, _readable(partenariats))


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
    columns = ["nom", "type", "commune", "lib_dep", "salaries", "benevoles", "qpv_couverts", "precision",
               "n_partenariats"]
    out = sel.regies[columns].copy()
    out["qpv_couverts"] = out["qpv_couverts"].map(len)
    out["precision"] = out["precision"].map(schema.precision_text)
    return out.sort_values(["salaries", "nom"], ascending=[False, True]).reset_index(drop=True)


@dataclass(frozen=True)
class PartnershipDetail:
    partenariat: pd.Series  # the partnership as the atlas holds it (names, family, territories)
    regie: pd.Series
    organisme: pd.Series
    qpv: pd.DataFrame  # its QPV, with their outlines (GeoDataFrame, EPSG:4326)
    history: pd.DataFrame  # `HISTORY_COLUMNS`, oldest first


HISTORY_COLUMNS = ["date", "statut", "source"]


def status_history(partenariat: pd.Series, journal: pd.DataFrame | None = None) -> pd.DataFrame:
    """The partnership's status changes, oldest first: `journal` holds them from the store's journal
    (`ui.journal.status_timeline`); without it, all that is known is the current status, dated from the
    partnership's start."""
    if journal is not None and len(journal):
        return journal[HISTORY_COLUMNS].sort_values("date", kind="stable").reset_index(drop=True)
    return pd.DataFrame([{"date": partenariat["date_debut"], "statut": partenariat["statut"],
                          "source": "fichier des partenariats (statut actuel)"}], columns=HISTORY_COLUMNS)


def partnership_detail(atlas: Atlas, id_partenariat: str, journal: pd.DataFrame | None = None
                       ) -> PartnershipDetail | None:
    """Everything the page of one partnership shows, whatever the filters (a shared link opens it); None when
    the identifier is unknown or the partnership was left out for errors."""
    rows = atlas.partenariats[atlas.partenariats["id_partenariat"] == str(id_partenariat).strip()]
    if rows.empty:
        return None
    part = rows.iloc[0]
    regie = atlas.regies[atlas.regies["id_regie"] == part["id_regie"]].iloc[0]
    organisme = atlas.organismes[atlas.organismes["siren"] == part["siren_organisme"]].iloc[0]
    qpv = atlas.qpv[atlas.qpv["code_qp"].isin(part["qpv"])]
    columns = ["code_qp", "lib_qp", "lib_com", "lib_dep", "lib_reg", "population", "geometry"]
    return PartnershipDetail(part, regie, organisme, qpv[columns].reset_index(drop=True),
                             status_history(part, journal))
