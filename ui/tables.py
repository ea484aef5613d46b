"""Pure table builders of the pages: data in, a French-formatted DataFrame (or Styler) out, shown by `st.dataframe`."""

from __future__ import annotations

from datetime import date

import pandas as pd
from pandas.io.formats.style import Styler

from geo import fr
from geo.datasets import Datasets
from geo.indicators import Kpis, coverage_text
from geo.schema import DATASETS, FAMILLE_LABELS, ORGANISMES, PARTENARIATS, QPV, REGIES
from geo.validate import Finding
from ui.images import DEFAULT_SOURCE

KPI_LABELS = (  # (Kpis field, card label, full meaning): the key figures, in the order every page shows them
    ("qpv", "QPV", "Quartiers prioritaires de la politique de la ville dans le périmètre"),
    ("regies", "Régies", "Régies de quartier et de territoire"),
    ("qpv_couverts", "QPV couverts", "QPV couverts par une régie (déclarés par la régie)"),
    ("qpv_avec_partenariat", "QPV avec partenariat", "QPV concernés par au moins un partenariat"),
    ("salaries", "Salariés", "Salariés des régies"),
    ("benevoles", "Bénévoles", "Bénévoles des régies"),
    ("partenariats", "Partenariats", "Partenariats organisme HLM × régie"),
    ("organismes_partenaires", "Organismes HLM", "Organismes HLM engagés dans au moins un partenariat"),
)
KPI_CARDS = (  # the overview's cards: the QPV count and its coverage rate first, the decision-maker's first question
    KPI_LABELS[0], ("taux_couverture", "Taux de couverture", "Part des QPV couverts par une régie"), *KPI_LABELS[1:])
RATE_LABELS = (  # (Kpis field, meaning): rates compared with the national one rather than summed
    ("taux_couverture", "Taux de QPV couverts par une régie"),
    ("taux_partenariat", "Taux de QPV avec un partenariat"),
)
# Columns of the model under their titles (`geo.schema`: the one spelling of a header, recognised on import).
PARTNERSHIP_HEADERS = {  # geo.details partnership columns -> French headers (screen and exports)
    **PARTENARIATS.titles("id_partenariat"), "nom_regie": REGIES.column("nom").title,
    "nom_organisme": ORGANISMES.column("nom").title, **ORGANISMES.titles("famille"),
    "lib_reg_principal": QPV.column("lib_reg").title, **PARTENARIATS.titles("qpv"), "quartiers": "Quartiers",
    "communes": "Communes", "departements": "Départements",
    **PARTENARIATS.titles("themes", "statut", "date_debut", "date_fin", "montant_eur", "heures_insertion",
                          "description"),
}
QPV_HEADERS = {**QPV.titles("code_qp", "lib_qp", "lib_com", "insee_dep", "lib_dep", "insee_reg", "lib_reg",
                            "population"), "n_partenariats": "Partenariats"}
REGIE_HEADERS = {**REGIES.titles("nom", "type", "commune"), **QPV.titles("lib_dep"),
                 **REGIES.titles("salaries", "benevoles", "qpv_couverts", "precision"),
                 "n_partenariats": "Partenariats"}
FINDING_COLUMNS = ["Gravité", "Fichier", "Ligne", "Colonne", "Message", "Suggestion"]
BUILT_IN_OUTLINES = ("regions", "departements")  # shipped in data/ref when the folder has none


def kpi_text(figures: Kpis, field: str) -> str:
    """A key figure as its card writes it: a rate as a percentage, a count as a number."""
    value = getattr(figures, field)
    return fr.pourcentage(value) if field.startswith("taux_") else fr.nombre(value)


FIGURE_COLUMNS = ("Territoire", "France", "Part de la France")  # a territory beside the whole country


def change_text(field: str, change: float | None) -> str:
    """A key figure's change as its card writes it: `+48`, `−3`, `+2,1 pts` for a rate (percentage points)."""
    if change is None:
        return "—"
    text = fr.nombre(abs(change), 1) + " pts" if field.startswith("taux_") else fr.nombre(abs(change))
    return f"+{text}" if change > 0 else f"−{text}" if change < 0 else text


def territory_figures(local: Kpis, national: Kpis | None, before: Kpis | None = None, since: str = "",
                      columns: tuple[str, str, str] = FIGURE_COLUMNS) -> pd.DataFrame:
    """Key figures of a selection beside the reference ones (`columns`: the selection's, the reference's and the
    share's headers), French formatted. Without reference (`national` None: the whole country unfiltered), one
    column of figures under `columns[1]`: a share of itself would read 100 % on every row. With `before` (the
    selection's figures at an earlier day, `since` naming it: « au 01/07/2024 »), that value and the change: the
    portrait comparing the two dates."""
    table = _territory_figures(local, national, columns)
    if before is None:
        return table
    fields = [f for f, _, _ in KPI_LABELS] + [f for f, _ in RATE_LABELS]
    then = [kpi_text(before, f) if getattr(before, f) is not None else "—" for f in fields]
    changes = [change_text(f, None if getattr(before, f) is None or getattr(local, f) is None else
                           (getattr(local, f) - getattr(before, f)) * (100 if f.startswith("taux_") else 1))
               for f in fields]
    table.insert(1, f"{columns[0]} {since}", then)
    table.insert(3, f"Évolution depuis {since.replace('au ', 'le ', 1)}", changes)
    return table


def _territory_figures(local: Kpis, national: Kpis | None, columns: tuple[str, str, str]) -> pd.DataFrame:
    rows = []
    for field, _, label in KPI_LABELS:
        value = getattr(local, field)
        coverage = coverage_text(local, field)
        shown = fr.nombre(value) + (f" ({coverage})" if coverage else "")
        if national is None:
            rows.append({"Indicateur": label, columns[1]: shown})
            continue
        reference = getattr(national, field)
        share = fr.pourcentage(value / reference) if reference and value is not None else "—"
        rows.append({"Indicateur": label, columns[0]: shown, columns[1]: fr.nombre(reference), columns[2]: share})
    for field, label in RATE_LABELS:
        value = getattr(local, field)
        if national is None:
            rows.append({"Indicateur": label, columns[1]: fr.pourcentage(value)})
            continue
        reference = getattr(national, field)
        ratio = f"{fr.nombre(value / reference, 2)} × la moyenne" if value is not None and reference else "—"
        rows.append({"Indicateur": label, columns[0]: fr.pourcentage(value), columns[1]: fr.pourcentage(reference),
                     columns[2]: ratio})
    return pd.DataFrame(rows)


STORE_FILE = "base de données"


def sources_table(datasets: Datasets) -> pd.DataFrame:
    """One row per dataset: file, source, licence, date, rows loaded, demo or not (from the manifest)."""
    counts = {name: len(getattr(datasets, name)) for name in DATASETS}
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


def source_line(datasets: Datasets) -> str:
    """The source under a picture: the app, the data's title and its files' latest date (from the manifest)."""
    manifest = datasets.manifest
    if manifest is None:
        return DEFAULT_SOURCE
    dates = sorted(record.date for record in manifest.datasets.values() if record.date)
    extra = [manifest.title] if manifest.title else []
    if dates:
        extra.append(f"fichiers du {fr.date_fr(dates[-1])}")
    return " · ".join([DEFAULT_SOURCE, *extra])


def source_lines(datasets: Datasets) -> tuple[str, ...]:
    """One line per dataset for the deck's sources slide, as the "Données et sources" page lists them."""
    rows = sources_table(datasets)
    return tuple(f"{row['Jeu de données']} : {row['Source']} ({row['Licence']}"
                 + (f", {row['Date']})" if row["Date"] else ")") for _, row in rows.iterrows())


def findings_table(findings: list[Finding]) -> pd.DataFrame:
    """The validation report: one row per finding, blanks for a missing column or suggestion."""
    rows = [{"Gravité": f.severity, "Fichier": f.file, "Ligne": "" if f.row is None else str(f.row),
             "Colonne": f.column or "", "Message": f.message, "Suggestion": f.suggestion or ""} for f in findings]
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def french_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text written by `geo.fr` (printing, where nothing is sorted): numbers and dates French, blanks
    for missing values, lists kept as lists."""
    return frame.apply(lambda column: column.map(fr.cellule)).astype(object) if len(frame) else frame.astype(object)


def sortable_columns(frame: pd.DataFrame) -> list:
    """The columns of numbers (not booleans) and of dates: kept as values on screen so that a click on their header
    sorts them as numbers and dates, not as the text `1 234` or `27/11/2026`."""
    return [c for c in frame.columns if (pd.api.types.is_numeric_dtype(frame[c])
                                         and not pd.api.types.is_bool_dtype(frame[c])) or _dates(frame[c])]


def _dates(column: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(column):
        return True
    known = column.dropna()
    return column.dtype == object and len(known) > 0 and all(isinstance(v, date) for v in known)


def french_grid(frame: pd.DataFrame, percent: tuple = ()) -> Styler:
    """What `st.dataframe` shows: numbers and dates stay values (the grid sorts them as such) displayed as `geo.fr`
    writes them (no grid format groups digits or writes dates the French way whatever the browser's language),
    ratios of the `percent` columns as `12,5 %`, every other cell as `french_cells` writes it."""
    values = sortable_columns(frame)
    cells = frame.copy()
    others = [c for c in frame.columns if c not in values]
    if others:
        cells[others] = french_cells(frame[others])
    ratios = [c for c in values if c in percent]
    styler = cells.style.format(fr.cellule, subset=[c for c in values if c not in ratios])
    return styler.format(fr.pourcentage, subset=ratios) if ratios else styler


def partnership_sheet(table: pd.DataFrame, qpv: pd.DataFrame) -> pd.DataFrame:
    """The partnerships as shown and exported: French headers, next to the QPV codes their names, communes and
    départements (lists in the codes' order), the HLM family as the federations write it, whole numbers as
    integers (`44700`, not `44700,0`). `table` from `geo.details.partnership_table`, `qpv` the atlas' QPV."""
    lookup = qpv.drop_duplicates("code_qp").set_index("code_qp")
    out = table.copy()
    for column, source in (("quartiers", "lib_qp"), ("communes", "lib_com"), ("departements", "lib_dep")):
        if "qpv" in out and source in lookup:
            names = lookup[source].to_dict()
            out[column] = out["qpv"].map(lambda codes, names=names: [str(names.get(c, "")) for c in codes])
    out["famille"] = out["famille"].map(lambda f: FAMILLE_LABELS.get(f, f))
    for column in ("montant_eur", "heures_insertion"):
        out[column] = whole_numbers(out[column])
    return out[[c for c in PARTNERSHIP_HEADERS if c in out.columns]].rename(columns=PARTNERSHIP_HEADERS)


def whole_numbers(series: pd.Series) -> pd.Series:
    """Numbers without fractional part as nullable integers: exports then write `44700`, not `44700,0`."""
    numbers = pd.to_numeric(series, errors="coerce")
    known = numbers.dropna()
    return numbers.round().astype("Int64") if (known == known.round()).all() else numbers


def qpv_sheet(qpv: pd.DataFrame) -> pd.DataFrame:
    """QPV rows (e.g. `geo.indicators.uncovered_qpv`) under French headers, population as integers."""
    out = qpv[[c for c in QPV_HEADERS if c in qpv.columns]].copy()
    if "population" in out:
        out["population"] = whole_numbers(out["population"])
    return out.rename(columns=QPV_HEADERS)


def regie_sheet(regies: pd.DataFrame) -> pd.DataFrame:
    """Régies (`geo.details.regies_table`) under French headers."""
    return regies[[c for c in REGIE_HEADERS if c in regies.columns]].rename(columns=REGIE_HEADERS)
