"""Partenariats: the filtered table, its charts and its downloads (exactly the rows shown); with `?id=…`, the
printable, shareable page of one partnership."""

import streamlit as st
from streamlit_folium import st_folium

from dashboard.components import PRINT_CSS, chart, downloads, table
from dashboard.data import partnership_table, store
from dashboard.filters_url import to_query_params
from dashboard.navigation import PAGES
from dashboard.page import start_page
from geo import fr
from geo.details import partnership_detail, theme_labels
from ui import journal
from ui.exports import territory_name
from ui.project import project_map
from ui.tables import partnership_sheet
from ui.text import escape_markdown

ctx = start_page("Partenariats")
project_id = st.query_params.get("id")

if project_id:
    st.markdown(PRINT_CSS, unsafe_allow_html=True)
    st.page_link(PAGES["partnerships"][0], label="Tous les partenariats", icon=":material/arrow_back:",
                 query_params=to_query_params(ctx.filters))
    history = journal.status_timeline(store().record_history("partenariats", project_id))
    detail = partnership_detail(ctx.atlas, project_id, history)
    if detail is None:
        st.error(f"Partenariat « {escape_markdown(project_id)} » introuvable (identifiant inconnu, ou ligne exclue "
                 "pour erreur : voir « Données et sources »).", icon=":material/error:")
        st.stop()
    part, regie, org = detail.partenariat, detail.regie, detail.organisme
    st.header(f"Partenariat {escape_markdown(part['id_partenariat'])}")
    st.caption(f"Lien à partager : adresse de cette page (…/partenariats?id={escape_markdown(part['id_partenariat'])})"
               " · imprimable depuis le navigateur.")
    if isinstance(part["description"], str) and part["description"].strip():
        st.markdown(f"**{escape_markdown(part['description'])}**")
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.markdown(
            f"**Régie** : {escape_markdown(regie['nom'])} ({escape_markdown(regie['type'])}, "
            f"{escape_markdown(regie['commune'])})  \n"
            f"**Organisme HLM** : {escape_markdown(org['nom'])} ({escape_markdown(org['famille'])})  \n"
            f"**Thèmes** : {escape_markdown(', '.join(theme_labels(part['themes'])) or '—')}  \n"
            f"**Statut** : {escape_markdown(part['statut'])}  \n"
            f"**Début** : {fr.date_fr(part['date_debut'])} · **Fin** : {fr.date_fr(part['date_fin'])}  \n"
            f"**Montant engagé** : {fr.nombre(part['montant_eur'])} €  \n"
            f"**Heures d'insertion** : {fr.nombre(part['heures_insertion'])}")
        st.markdown("**Historique du statut**")
        st.dataframe(detail.history, hide_index=True, width="stretch", column_config={
            "date": st.column_config.DateColumn("Date", format="DD/MM/YYYY"), "statut": "Statut",
            "source": "Source"})
    with right:
        st.markdown(f"**{fr.pluriel(len(detail.qpv), 'QPV concerné', 'QPV concernés')}**")
        table(detail.qpv.drop(columns="geometry"), column_config={
            "code_qp": "Code", "lib_qp": "Quartier", "lib_com": "Commune", "lib_dep": "Département",
            "lib_reg": "Région", "population": "Population"})
        st_folium(project_map(detail.qpv, regie), key="carte-projet", height=360, use_container_width=True,
                  returned_objects=[])
    st.stop()

sheet = partnership_sheet(partnership_table(ctx.filters), ctx.atlas.qpv)

head, csv_col, xlsx_col = st.columns([4, 1, 1], vertical_alignment="bottom")
head.markdown(f"**{fr.pluriel(len(sheet), 'partenariat')}** dans le périmètre filtré.")
downloads(sheet, "partenariats", territory_name(ctx.filters, ctx.atlas), key="partenariats",
          columns=(csv_col, xlsx_col))
table(sheet.assign(Fiche="partenariats?id=" + sheet["Identifiant"]), height=420,
      column_config={"Fiche": st.column_config.LinkColumn("Fiche", display_text="ouvrir")})

left, right = st.columns([3, 2], gap="large")
with left:
    chart(ctx, "theme_region")
with right:
    chart(ctx, "statuts")
    chart(ctx, "themes")
left, right = st.columns(2, gap="large")
with left:
    chart(ctx, "familles")
with right:
    chart(ctx, "organismes")
chart(ctx, "timeline")
