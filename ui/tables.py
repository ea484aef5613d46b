"""Pure table builders of the pages: data in, a French-formatted DataFrame out (shown as is by `st.dataframe`)."""

from __future__ import annotations

import pandas as pd

from geo import fr
from geo.datasets import Datasets
from geo.indicators import Kpis
from geo.schema import DATASETS
from geo.validate import Finding

KPI_LABELS = (  # (Kpis field, card label, full meaning): the key figures, in the order every page shows them
    ("regies", "Régies", "Régies de quartier et de territoire"),
    ("qpv_couverts", "QPV couverts", "QPV couverts par une régie (déclarés par la régie)"),
    ("qpv_avec_partenariat", "QPV avec partenariat", "QPV concernés par au moins un partenariat"),
    ("salaries", "Salariés", "Salariés des régies"),
    ("benevoles", "Bénévoles", "Bénévoles des régies"),
    ("partenariats", "Partenariats", "Partenariats organisme HLM × régie"),
    ("organismes_partenaires", "Organismes HLM", "Organismes HLM engagés dans au moins un partenariat"),
)
RATE_LABELS = (  # (Kpis field, meaning): rates compared with the national one rather than summed
    ("taux_couverture", "Taux de QPV couverts par une régie"),
    ("taux_partenariat", "Taux de QPV avec un partenariat"),
)
FINDING_COLUMNS = ["Gravité", "Fichier", "Ligne", "Colonne", "Message", "Suggestion"]
BUILT_IN_OUTLINES = ("regions", "departements")  # shipped in data/ref when the folder has none


def territory_figures(local: Kpis, national: Kpis) -> pd.DataFrame:
    """Key figures of a territory beside the national ones, with the territory's share, French formatted."""
    rows = []
    for field, _, label in KPI_LABELS:
        value, reference = getattr(local, field), getattr(national, field)
        share = fr.pourcentage(value / reference) if reference else "—"
        rows.append({"Indicateur": label, "Territoire": fr.nombre(value), "France": fr.nombre(reference),
                     "Part de la France": share})
    for field, label in RATE_LABELS:
        value, reference = getattr(local, field), getattr(national, field)
        ratio = f"{fr.nombre(value / reference, 2)} × la moyenne" if value is not None and reference else "—"
        rows.append({"Indicateur": label, "Territoire": fr.pourcentage(value), "France": fr.pourcentage(reference),
                     "Part de la France": ratio})
    return pd.DataFrame(rows)


STORE_FILE = "base de données"


def sources_table(datasets: Datasets) -> pd.DataFrame:
    """One row per dataset: file, source, licence, date, rows loaded, demo or not (from the manifest)."""
    counts = {"qpv": len(datasets.qpv), "regies": len(datasets.regies), "organismes": len(datasets.organismes),
              "partenariats": len(datasets.partenariats), "regions": len(datasets.regions),
              "departements": len(datasets.departements)}
    records = datasets.manifest.datasets if datasets.manifest else {}
    rows = []
    for name, spec in DATASETS.items():
        record = records.get(name)
        path = datasets.files.get(name)
        if record is None and path is None and name in BUILT_IN_OUTLINES:
            source = "Contours simplifiés intégrés (IGN ADMIN EXPRESS via france-geojson)"
            licence, date, demo, file = "Licence Ouverte", "", "non", "data/ref"
        else:
            source = record.source if record else "non renseignée (pas de manifest.json)"
            licence = record.licence if record else "—"
            date = fr.date_fr(record.date) if record else "—"
            demo = "oui" if (record.demo if record else datasets.is_demo) else "non"
            file = path.name if path else STORE_FILE if name in datasets.stored else "absent"
        rows.append({"Jeu de données": spec.label, "Fichier": file, "Source": source, "Licence": licence,
                     "Date": date, "Lignes chargées": counts[name], "Démonstration": demo})
    return pd.DataFrame(rows)


def findings_table(findings: list[Finding]) -> pd.DataFrame:
    """The validation report: one row per finding, blanks for a missing column or suggestion."""
    rows = [{"Gravité": f.severity, "Fichier": f.file, "Ligne": f.row, "Colonne": f.column or "",
             "Message": f.message, "Suggestion": f.suggestion or ""} for f in findings]
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)
