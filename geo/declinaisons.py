"""The regional declinations of the national convention: where each région stands, who signed, what followed,
and the régions side by side.

A région without a row in `declinaisons` is « à engager ». "Partnerships signed since" are the partnerships of
the selection with at least one QPV in the région whose `date_debut` is on or after the signature date.
"""

from __future__ import annotations

import pandas as pd

from geo import indicators, schema
from geo.filters import Selection
from geo.joins import Atlas

NOT_STARTED = schema.DECLINAISON_STATUTS[0]
STATUS_COLORS = {"à engager": "#d1d5db", "en préparation": "#f59e0b", "signée": "#1a7f5a"}

DECLINATION_COLUMNS = ["insee_reg", "lib_reg", "ar_hlm", "statut", "date_signature", "organismes_signataires",
                       "regies_signataires", "lien_document", "commentaire", "partenariats_depuis"]


def _since(sel: Selection, code: str, signed: pd.Timestamp) -> pd.DataFrame:
    """The selection's partnerships with a QPV in région `code` that started on or after `signed`."""
    parts = sel.partenariats
    in_region = parts["insee_reg"].map(lambda regions: code in regions).to_numpy(dtype=bool)
    return parts[in_region & (parts["date_debut"] >= signed).to_numpy(dtype=bool)]


def declinations(sel: Selection, declinaisons: pd.DataFrame) -> pd.DataFrame:
    """One row per région of the atlas (sorted by name): its declination (« à engager » when the file has no row),
    the signatories' names (unknown codes kept as they are, « ; »-joined), and `partenariats_depuis`."""
    atlas: Atlas = sel.atlas
    rows = declinaisons.set_index("insee_reg") if len(declinaisons) else None
    org_names = dict(zip(atlas.organismes["siren"], atlas.organismes["nom"].astype(str), strict=True))
    regie_names = dict(zip(atlas.regies["id_regie"], atlas.regies["nom"].astype(str), strict=True))
    out = []
    for code in sorted(atlas.region_names, key=lambda c: (schema.fold(atlas.region_name(c)), c)):
        row = rows.loc[code] if rows is not None and code in rows.index else None
        signed = row["date_signature"] if row is not None else pd.NaT
        out.append({
            "insee_reg": code, "lib_reg": atlas.region_name(code),
            "ar_hlm": "" if row is None else str(row["ar_hlm"]),
            "statut": NOT_STARTED if row is None else row["statut"],
            "date_signature": signed,
            "organismes_signataires": "" if row is None else " ; ".join(
                org_names.get(s, s) for s in row["organismes_signataires"] or []),
            "regies_signataires": "" if row is None else " ; ".join(
                regie_names.get(r, r) for r in row["regies_signataires"] or []),
            "lien_document": "" if row is None or schema.is_blank(row["lien_document"]) else row["lien_document"],
            "commentaire": "" if row is None or schema.is_blank(row["commentaire"]) else row["commentaire"],
            "partenariats_depuis": 0 if pd.isna(signed) else len(_since(sel, code, signed)),
        })
    table = pd.DataFrame(out, columns=DECLINATION_COLUMNS)
    table["date_signature"] = pd.to_datetime(table["date_signature"])
    return table


def signed_since(sel: Selection, declinaisons: pd.DataFrame, code: str) -> pd.DataFrame:
    """The partnerships of région `code` that started since its declination was signed (empty if unsigned)."""
    row = declinaisons[declinaisons["insee_reg"] == code]
    if row.empty or pd.isna(row["date_signature"].iloc[0]):
        return sel.partenariats.iloc[0:0]
    return _since(sel, code, row["date_signature"].iloc[0])


COMPARISON_COLUMNS = ["insee_reg", "lib_reg", "statut", "date_signature", "regies", "qpv", "qpv_couverts",
                      "taux_couverture", "partenariats", "organismes"]


def compare_regions(sel: Selection, declinaisons: pd.DataFrame) -> pd.DataFrame:
    """The régions of the selection side by side: declination status and date, régies, QPV, QPV covered by a
    régie and the coverage rate, partnerships (with ≥ 1 QPV there) and distinct organisms engaged in them."""
    counts = indicators.by_region(sel).set_index("insee_reg")
    coverage = indicators.coverage_by_region(sel).set_index("insee_reg")
    status = declinations(sel, declinaisons).set_index("insee_reg")
    codes = [c for c in status.index if c in counts.index or c in coverage.index]
    table = pd.DataFrame({"insee_reg": codes})
    table["lib_reg"] = status.loc[codes, "lib_reg"].to_numpy()
    table["statut"] = status.loc[codes, "statut"].to_numpy()
    table["date_signature"] = status.loc[codes, "date_signature"].to_numpy()
    for column, source in (("regies", counts), ("qpv", coverage), ("qpv_couverts", coverage),
                           ("partenariats", counts), ("organismes", counts)):
        table[column] = table["insee_reg"].map(source[column]).fillna(0).astype(int)
    table["taux_couverture"] = [c / q if q else 0.0 for c, q in zip(table["qpv_couverts"], table["qpv"],
                                                                     strict=True)]
    return table[COMPARISON_COLUMNS]
