"""Historique: the change sets (who, when, what), the detail of one with its undo button, the history of a record."""

import streamlit as st

from dashboard import auth
from dashboard.data import store
from dashboard.page import start_page
from geo import fr
from geo.schema import DATASETS
from store import StoreError
from store.records import KEY_COLUMNS, KEY_JOINER, STORE_DATASETS, canonical_id
from ui import journal
from ui.text import escape_markdown

PAGE_SIZE = 200
UNDONE = "historique_annule"  # session_state: the change set an undo just wrote, shown once

start_page("Historique")
if UNDONE in st.session_state:
    st.success(f"Annulation publiée : lot n° {st.session_state.pop(UNDONE)}.", icon=":material/check:")

sets = store().change_sets(limit=PAGE_SIZE)
account = auth.current_account()
authors = auth.show_authors(account)
st.subheader("Lots de modifications")
st.caption(f"Les {fr.nombre(PAGE_SIZE)} plus récents au plus, du plus récent au plus ancien."
           f"{'' if authors else ' Les auteurs ne sont montrés qu’aux personnes connectées.'}")
st.dataframe(journal.change_sets(sets, authors=authors), hide_index=True, width="stretch")

if sets:
    st.subheader("Détail d'un lot")
    labels = {s.id: journal.change_set_label(s, authors=authors) for s in sets}
    chosen = st.selectbox("Lot", list(labels), format_func=labels.get, key="historique-lot")
    info, changes = store().change_set(chosen)
    if info.comment:
        st.caption(f"Commentaire : {escape_markdown(info.comment)}")
    st.markdown(f"{fr.pluriel(len(changes), 'enregistrement')} dans ce lot.")
    st.dataframe(journal.change_cells(changes), hide_index=True, width="stretch")
    undone = store().undone_by([info.id]).get(info.id)
    if undone is not None:
        st.caption(f"Ce lot a été annulé par le lot n° {undone}.")
    elif account is None:
        st.caption("Connectez-vous pour annuler un lot.")
    elif info.kind in journal.UNDOABLE and st.button(f"Annuler le lot n° {info.id}", icon=":material/undo:",
                                           key="annuler-lot"):
        try:
            undo = store().undo(info.id, account)
        except StoreError as exc:
            st.error(escape_markdown(exc), icon=":material/error:")
        else:
            st.session_state[UNDONE] = undo
            st.rerun()

st.subheader("Historique d'un enregistrement")
left, right = st.columns([1, 2])
kind = left.selectbox("Jeu de données", STORE_DATASETS, index=STORE_DATASETS.index("partenariats"),
                      format_func=lambda k: DATASETS[k].label, key="historique-jeu")
typed = right.text_input(f"Identifiant ({KEY_JOINER.join(KEY_COLUMNS[kind])})", key="historique-id",
                         placeholder="par ex. P-2024-0001").strip()
record_id = canonical_id(kind, typed) or typed if typed else ""  # `p-2024-0001` is P-2024-0001
if record_id:
    history = store().record_history(kind, record_id)
    if not history:
        st.info("Aucune modification enregistrée pour cet identifiant.", icon=":material/info:")
    else:
        if kind == "partenariats":
            st.markdown("**Statut au fil du temps**")
            st.dataframe(journal.record_history(history, "statut", authors=authors), hide_index=True, width="stretch")
        st.markdown("**Toutes les modifications**")
        st.dataframe(journal.record_history(history, authors=authors), hide_index=True, width="stretch")
