"""The import scenario of the store's app tests, built from the demo files with plain pandas (not the app's code):
a Hauts-de-France contributor's spreadsheet with 3 changed statuses, 2 new partnerships, 1 row in error and 1
row of another région, and the data folder the dashboards should show once it is published."""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tests.app import reference as ref

HDF, IDF = "32", "11"
PASSWORD = "motdepasse-hdf-2026"  # the test contributor's; never expected on a page
NEW_IDS = ("P-2099-0001", "P-2099-0002")
ERROR_ID = "P-2099-0003"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Scenario:
    rows: pd.DataFrame  # the spreadsheet's rows, in order
    changed: dict[str, tuple[str, str]]  # id -> (old statut, new statut)
    added: tuple[str, ...]
    error_row: int  # spreadsheet row of the row in error
    other_region: str  # id of the row outside Hauts-de-France
    missing: int  # Hauts-de-France partnerships of the store the file does not hold
    after: Path  # the demo folder with the change applied

    def xlsx(self) -> bytes:
        buffer = io.BytesIO()
        self.rows.to_excel(buffer, sheet_name="partenariats", index=False)
        return buffer.getvalue()


def build(tmp: Path) -> Scenario:
    data = ref.load(ref.DEMO)
    region_of_qpv = dict(zip(data.qpv["code_qp"], data.qpv["insee_reg"], strict=True))
    parts = ref.read_csv(ref.DEMO / "partenariats.csv")
    regions = parts["qpv"].map(lambda cell: {region_of_qpv.get(c) for c in ref.split(cell)})
    only_hdf = parts[regions.map(lambda r: r == {HDF})]
    changed_rows = only_hdf[only_hdf["statut"] != "terminé"].head(3).copy()
    changed = {row.id_partenariat: (row.statut, "terminé") for row in changed_rows.itertuples()}
    changed_rows["statut"] = "terminé"
    other = parts[regions.map(lambda r: r == {IDF})].head(1).copy()
    other["statut"] = "terminé" if other["statut"].iloc[0] != "terminé" else "en cours"

    regie = data.regies[(data.regies["reg"] == HDF) & data.regies["declared"].map(
        lambda codes: bool(codes) and all(region_of_qpv.get(c) == HDF for c in codes))].iloc[0]
    with_partnership = {c for codes in parts["qpv"].map(ref.split) for c in codes}
    qpv = sorted(regie["declared"], key=lambda c: (c in with_partnership, c))[0]
    organismes = data.organismes[data.organismes["insee_reg"] == HDF]
    organisme = sorted(organismes["siren"], key=lambda s: (s in set(parts["siren_organisme"]), s))[0]
    template = {column: "" for column in parts.columns}
    new = pd.DataFrame([{**template, "id_partenariat": pid, "id_regie": regie["id_regie"], "siren_organisme":
                         organisme, "qpv": qpv, "themes": "cohésion sociale", "statut": "en cours",
                         "date_debut": "01/03/2026", "description": "Nouveau partenariat (test)"}
                        for pid in NEW_IDS])
    error = pd.DataFrame([{**template, "id_partenariat": ERROR_ID, "id_regie": regie["id_regie"],
                           "siren_organisme": organisme, "qpv": qpv, "themes": "cohésion sociale",
                           "statut": "en cours", "date_debut": "31/02/2026"}])
    rows = pd.concat([changed_rows, new, error, other], ignore_index=True)[list(parts.columns)]

    hdf_scope = regions.map(lambda r: HDF in r)
    missing = int(hdf_scope.sum()) - len(changed)

    after = tmp / "apres-import"
    shutil.copytree(ref.DEMO, after)
    updated = parts.set_index("id_partenariat")
    updated.loc[changed_rows["id_partenariat"], "statut"] = "terminé"
    updated = pd.concat([updated.reset_index(), new], ignore_index=True)
    updated.to_csv(after / "partenariats.csv", sep=";", index=False, encoding="utf-8-sig")
    return Scenario(rows, changed, NEW_IDS, 2 + len(changed_rows) + len(new), other["id_partenariat"].iloc[0],
                    missing, after)
