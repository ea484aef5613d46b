"""Import: a CSV, XLSX or zipped data folder → the validation report → the preview of the change → publish."""

import streamlit as st

from dashboard import auth
from dashboard.data import store
from dashboard.navigation import PAGES
from dashboard.page import start_page
from geo import fr
from geo.upload import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES
from store import Account, StoreError
from ui import journal
from ui.tables import findings_table
from ui.text import escape_markdown

PLAN = "import_plan"  # session_state: (file id, plan) of the file being previewed
ROUND = "import_round"  # session_state: bumped after a publication to empty the uploader
PUBLISHED = "import_publie"  # session_state: the change set just published, shown once


def _import_page(account: Account) -> None:
    st.markdown(auth.account_line(account))
    if PUBLISHED in st.session_state:
        st.success(f"Publié : lot n° {st.session_state.pop(PUBLISHED)}. Les pages montrent déjà la modification.",
                   icon=":material/check:")
        st.page_link(PAGES["history"][0], label="Voir l'historique", icon=PAGES["history"][3])
    st.markdown("Déposez un fichier de **régies**, d'**organismes**, de **partenariats**, de **déclinaisons** ou de "
                "**patrimoine** (CSV en UTF-8 ou "
                "Windows-1252, séparé par « ; » ou « , », ou XLSX), nommé comme le jeu de données (`partenariats.csv`, "
                "`regies.xlsx`…), ou un zip d'un dossier de données. Rien n'est écrit avant « Publier ».")
    st.caption(f"Taille maximale : {fr.octets(MAX_UPLOAD_BYTES)}.")
    uploaded = st.file_uploader("Fichier à importer", type=[suffix.lstrip(".") for suffix in UPLOAD_SUFFIXES],
                                key=f"fichier-import-{st.session_state.get(ROUND, 0)}")
    if uploaded is None:
        st.session_state.pop(PLAN, None)
        return

    held = st.session_state.get(PLAN)
    if held is None or held[0] != uploaded.file_id:
        with st.spinner("Lecture et comparaison avec la base…"):
            held = (uploaded.file_id, store().plan_upload(account, uploaded.name, uploaded.getvalue()))
        st.session_state[PLAN] = held
    plan = held[1]

    st.subheader("Rapport de validation")
    report = findings_table(plan.blocking + plan.findings)
    if len(report):
        st.dataframe(report, hide_index=True, width="stretch")
    else:
        st.markdown("Aucun problème relevé.")
    if plan.blocking:
        st.error("Import refusé : rien ne sera écrit. Corrigez le fichier d'après le rapport ci-dessus et déposez-le "
                 "de nouveau.", icon=":material/block:")
        return

    st.subheader("Aperçu de la modification")
    st.table(journal.plan_summary(plan).set_index("Lignes"))
    sections = [
        ("Lignes ajoutées", journal.records(plan.added)),
        ("Lignes modifiées (ancienne → nouvelle valeur)", journal.changed_cells(plan.changed)),
        ("Hors de votre périmètre : refusées", journal.refused(plan.out_of_scope, ctx.atlas.region_name)),
        ("Dans la base mais absentes du fichier : conservées sauf demande", journal.records(plan.missing, after=False)),
    ]
    for title, table in sections:
        if len(table):
            st.markdown(f"**{title}**")
            st.dataframe(table, hide_index=True, width="stretch")
    if plan.errors:
        st.warning(f"{fr.pluriel(len(plan.errors), 'erreur')} dans le fichier : les lignes en erreur ne seront pas "
                   "publiées.", icon=":material/warning:")

    remove = False
    if plan.missing:
        remove = st.checkbox(f"Supprimer de la base les {fr.pluriel(len(plan.missing), 'enregistrement')} absents du "
                             "fichier", key="import-supprimer")
    if not (plan.added or plan.changed or remove):
        st.info("Rien à publier : le fichier ne change aucun enregistrement de votre périmètre.",
                icon=":material/info:")
        return
    comment = st.text_input("Commentaire (facultatif)", max_chars=500, key="import-commentaire",
                            placeholder="par ex. bilan du 3e trimestre")
    if st.button("Publier", type="primary", icon=":material/publish:", key="publier"):
        try:
            change_set = store().publish(plan, account, comment, remove_missing=remove)
        except StoreError as exc:
            st.error(escape_markdown(exc), icon=":material/error:")
        else:
            st.session_state.pop(PLAN, None)
            st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
            st.session_state[PUBLISHED] = change_set
            st.rerun()


ctx = start_page("Import")
if (user := auth.require_account("L'import")) is not None:
    _import_page(user)
