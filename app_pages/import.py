"""Import: a CSV, XLSX or zipped data folder → the validation report → the preview of the change → publish."""

import pandas as pd
import streamlit as st

from dashboard import auth
from dashboard.data import store
from dashboard.navigation import PAGES
from dashboard.page import start_page
from geo import fr, intake
from geo.limits import MIB
from geo.schema import DATASETS
from geo.upload import MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES
from store import Account, StoreError, ValidationError
from ui import journal
from ui.tables import findings_table
from ui.text import escape_markdown

PLAN = "import_plan"  # session_state: (file id, plan) of the file being previewed
ROUND = "import_round"  # session_state: bumped after a publication to empty the uploader
PUBLISHED = "import_publie"  # session_state: the change set just published, shown once
REMOVE = "import-supprimer"  # widget: remove the missing rows
ANSWERS = "import_reponses"  # session_state: (file id, dataset chosen, answers to the preview's questions)
MAPPING = "import_colonnes"  # session_state: (file id, the mapping of its columns chosen by hand)


def _import_page(account: Account) -> None:
    st.markdown(auth.account_line(account))
    if PUBLISHED in st.session_state:
        st.success(f"Publié : lot n° {st.session_state.pop(PUBLISHED)}. Les pages montrent déjà la modification.",
                   icon=":material/check:")
        st.page_link(PAGES["history"][0], label="Voir l'historique", icon=PAGES["history"][3])
    st.markdown("Déposez un fichier de **régies**, d'**organismes**, de **partenariats**, de **déclinaisons** ou de "
                "**patrimoine** (CSV en UTF-8 ou "
                "Windows-1252, séparé par « ; » ou « , », ou XLSX) sous n'importe quel nom : le jeu de données se "
                "reconnaît à ses colonnes, et communes, quartiers, thèmes, régies et organismes peuvent y être écrits "
                "en toutes lettres. Ou un zip d'un dossier de données. Rien n'est écrit avant « Publier ».")
    st.caption(f"Taille maximale : {fr.octets(MAX_UPLOAD_BYTES)}.")
    uploaded = st.file_uploader("Fichier à importer", type=[suffix.lstrip(".") for suffix in UPLOAD_SUFFIXES],
                                max_upload_size=MAX_UPLOAD_BYTES // MIB,
                                key=f"fichier-import-{st.session_state.get(ROUND, 0)}")
    if uploaded is None:
        st.session_state.pop(PLAN, None)
        return

    kind, answers, plan = _preview(account, uploaded)
    if plan.candidates:
        labels = {k: DATASETS[k].label for k in plan.candidates}
        chosen = st.selectbox("Jeu de données du fichier", list(labels), format_func=labels.get, index=None,
                              placeholder="Choisissez le jeu de données", key="import-jeu")
        if chosen:
            st.session_state[ANSWERS] = (uploaded.file_id, chosen, {})
            st.rerun()
    _intake_notes(plan, uploaded.file_id, kind, answers)

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
    remove = bool(plan.missing) and not plan.removal_refusals and st.session_state.get(REMOVE, False)
    st.table(journal.plan_summary(plan, remove=remove).set_index("Lignes"))
    sections = [
        ("Lignes ajoutées", journal.records(plan.added)),
        ("Lignes modifiées (ancienne → nouvelle valeur)", journal.changed_cells(plan.changed)),
        ("Hors de votre périmètre : refusées", journal.refused(plan.out_of_scope, ctx.atlas.region_name)),
    ]
    for title, table in sections:
        if len(table):
            st.markdown(f"**{title}**")
            st.dataframe(table, hide_index=True, width="stretch")
    if plan.errors:
        st.warning(f"{fr.pluriel(len(plan.errors), 'erreur')} dans le fichier : les lignes en erreur ne seront pas "
                   "publiées.", icon=":material/warning:")
    confirmed = _missing_rows(plan)

    if not (plan.added or plan.changed or remove):
        st.info("Rien à publier : le fichier ne change aucun enregistrement de votre périmètre.",
                icon=":material/info:")
        return
    comment = st.text_input("Commentaire (facultatif)", max_chars=500, key="import-commentaire",
                            placeholder="par ex. bilan du 3e trimestre")
    if st.button("Publier", type="primary", icon=":material/publish:", key="publier"):
        try:
            change_set = store().publish(plan, account, comment, remove_missing=remove, confirm_removal=confirmed)
        except ValidationError as exc:
            st.error(escape_markdown(exc), icon=":material/error:")
            st.dataframe(findings_table(exc.findings), hide_index=True, width="stretch")
        except StoreError as exc:
            st.error(escape_markdown(exc), icon=":material/error:")
        else:
            st.session_state.pop(PLAN, None)
            st.session_state.pop(REMOVE, None)
            st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
            st.session_state[PUBLISHED] = change_set
            st.rerun()


def _preview(account: Account, uploaded) -> tuple:
    """(dataset chosen, answers given, plan) of the uploaded file, the plan recomputed only when the file, the
    dataset, the answers or the mapping chosen by hand change."""
    asked = st.session_state.get(ANSWERS)
    kind, answers = (asked[1], asked[2]) if asked and asked[0] == uploaded.file_id else (None, {})
    mapped = st.session_state.get(MAPPING)
    mapping = mapped[1] if mapped and mapped[0] == uploaded.file_id else None
    wanted = (uploaded.file_id, kind, tuple(sorted(answers.items())), tuple(sorted((mapping or {}).items())))
    held = st.session_state.get(PLAN)
    if held is None or held[0] != wanted:
        with st.spinner("Lecture et comparaison avec la base…"):
            plan = store().plan_upload(account, uploaded.name, uploaded.getvalue(), kind=kind, answers=answers,
                                       mapping=mapping)
        held = (wanted, plan)
        st.session_state[PLAN] = held
    return kind, answers, held[1]


def _mapping_step(plan, file_id: str) -> None:
    """Each column of the file → a field or « ignorer », as proposed (or remembered for these headers), editable
    and previewed on the first rows."""
    for dataset, mapping in plan.mappings.items():
        st.markdown(f"**Colonnes du fichier ({escape_markdown(DATASETS[dataset].label)})**")
        st.dataframe(journal.mapping_table(dataset, mapping), hide_index=True, width="stretch")
        with st.expander("Modifier la correspondance des colonnes"):
            targets = intake.mapping_targets(dataset)
            chosen = {column: st.selectbox(f"« {column} »", targets, index=targets.index(target),
                                           format_func=lambda t, d=dataset: journal.field_label(d, t),
                                           key=f"import-col-{file_id}-{number}")
                      for number, (column, target) in enumerate(mapping.items())}
            st.caption("Premières lignes du fichier, lues avec cette correspondance :")
            st.dataframe(journal.mapping_preview(dataset, chosen, plan.samples.get(dataset, pd.DataFrame())),
                         hide_index=True, width="stretch")
            if st.button("Appliquer la correspondance", key="import-colonnes", disabled=chosen == mapping):
                st.session_state[MAPPING] = (file_id, chosen)
                st.rerun()


def _missing_rows(plan) -> int | None:
    """The store's records the file does not hold: kept, unless the user asks to remove them, sees how many of
    which kind and types that number (the store checks it again, and refuses a file that holds no valid row
    where they lie). The number typed, None when none was."""
    if not plan.missing:
        return None
    count = len(plan.missing)
    what = plan.removal_text
    if plan.removal_refusals:
        st.markdown("**Dans la base mais absentes du fichier : conservées**")
        st.dataframe(journal.records(plan.missing, after=False), hide_index=True, width="stretch")
        for finding in plan.removal_refusals:
            st.caption(escape_markdown(f"{finding.message[:1].upper()}{finding.message[1:]}"))
        return None
    remove = st.checkbox(f"Supprimer de la base les {what} absents du fichier", key=REMOVE)
    st.markdown("**Dans la base mais absentes du fichier : "
                + (f"{fr.pluriel(count, 'enregistrement')} supprimés à la publication**" if remove
                   else "conservées**"))
    st.dataframe(journal.records(plan.missing, after=False), hide_index=True, width="stretch")
    if not remove:
        return None
    st.warning(f"La publication supprimera de la base {what}, listés ci-dessus. Pour confirmer, tapez le nombre "
               f"d'enregistrements supprimés ({fr.nombre(count)}).", icon=":material/delete:")
    typed = st.text_input("Nombre d'enregistrements à supprimer", max_chars=12, key="import-confirmer-suppression")
    digits = "".join(typed.split())
    return int(digits) if digits.isdigit() else None


def _intake_notes(plan, file_id: str, kind: str | None, answers: dict) -> None:
    """How the file's columns and words were read, and the questions it raises, answered here."""
    _mapping_step(plan, file_id)
    if plan.guesses:
        st.markdown("**Lu dans le fichier** (vérifiez)")
        st.dataframe(journal.guesses_table(plan.guesses), hide_index=True, width="stretch")
    if not plan.questions:
        return
    st.markdown(f"**{fr.pluriel(len(plan.questions), 'question')}** : ces lignes attendent votre choix.")
    chosen = dict(answers)
    for number, question in enumerate(plan.questions):
        labels = dict(question.choices)
        pick = st.selectbox(f"Ligne {question.row}, « {question.column} » : {question.written}", list(labels),
                            format_func=labels.get, index=None, placeholder="Choisissez", key=f"import-q-{number}")
        if pick:
            chosen[question.key] = pick
    if st.button("Appliquer les réponses", key="import-repondre", disabled=chosen == answers):
        st.session_state[ANSWERS] = (file_id, kind, chosen)
        st.rerun()


ctx = start_page("Import")
if (user := auth.require_account("L'import")) is not None:
    _import_page(user)
