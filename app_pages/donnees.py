"""Données et sources: where each dataset comes from, what was loaded, what is wrong in it, and templates."""

from functools import partial

import streamlit as st

from dashboard.components import table
from dashboard.data import data_dir
from dashboard.page import start_page
from geo import fr
from geo.schema import DATASETS
from ui.exports import template, to_csv_fr, to_xlsx
from ui.tables import findings_table, sources_table
from ui.text import escape_markdown

ctx = start_page("Données et sources")
# The folder's name only: its path on the server tells a visitor how the machine is laid out.
st.markdown(f"Dossier de données chargé : « {escape_markdown(data_dir().name)} » (variable d'environnement "
            "`CARTE_DATA_DIR`).")
table(sources_table(ctx.datasets))

st.subheader("Rapport de validation")
report = findings_table(ctx.datasets.findings + ctx.atlas.findings)
errors = int((report["Gravité"] == "erreur").sum()) if len(report) else 0
warnings = len(report) - errors
st.markdown(f"{fr.pluriel(errors, 'erreur')} (lignes exclues des chiffres), "
            f"{fr.pluriel(warnings, 'avertissement')} (lignes conservées).")
if len(report):
    table(report)
    st.download_button("Télécharger le rapport (CSV)", lambda: to_csv_fr(report), file_name="rapport_validation.csv",
                       mime="text/csv", icon=":material/download:", on_click="ignore")

st.subheader("Modèles de fichiers")
st.markdown("Fichiers vides avec les en-têtes exacts attendus ; le détail des colonnes est dans `data/README.md`. "
            "Les listes (QPV, thèmes) se séparent par « | ».")
for name, spec in DATASETS.items():
    if spec.spatial:
        continue
    label, csv_col, xlsx_col = st.columns([3, 1, 1], vertical_alignment="center")
    label.markdown(f"**{spec.label}** : `{name}.csv` ou `{name}.xlsx`")
    # Files written on click (callables), not on every run of the page.
    csv_col.download_button("CSV", partial(to_csv_fr, template(spec)), file_name=f"{name}.csv", mime="text/csv",
                            key=f"modele-csv-{name}", width="stretch", on_click="ignore")
    xlsx_col.download_button("XLSX", partial(to_xlsx, template(spec), name), file_name=f"{name}.xlsx",
                             mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                             key=f"modele-xlsx-{name}", width="stretch", on_click="ignore")
st.caption("Les QPV et les limites administratives se fournissent en GeoJSON, GeoPackage ou Shapefile "
           "(WGS84 ou Lambert-93) ; `python -m geo fetch` télécharge les fichiers officiels.")
