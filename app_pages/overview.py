"""Vue d'ensemble: the national picture (or the filtered one) in figures, a map and four charts, then where the
régions stand in declining the convention (map, timeline of signatures, table)."""

import streamlit as st

from dashboard.components import chart, kpi_cards
from dashboard.map_view import map_view, overseas_links
from dashboard.page import start_page
from geo import fr, indicators
from geo.declinaisons import declinations
from geo.schema import DECLINAISON_SIGNEE
from ui.declinaisons import DECLINATION_LABELS, signatures_timeline, status_map

ctx = start_page("Vue d'ensemble")
kpi_cards(indicators.kpis(ctx.selection), indicators.kpis(ctx.national) if ctx.filters.is_active else None)

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Couverture des quartiers prioritaires")
    map_view(ctx, key="carte-accueil", height=520)
    overseas_links(ctx)
with right:
    chart(ctx, "themes")
    chart(ctx, "starts")

left, right = st.columns(2, gap="large")
with left:
    chart(ctx, "regions")
with right:
    chart(ctx, "coverage")

st.subheader("Déclinaisons régionales de la convention")
if len(ctx.datasets.declinaisons) == 0:
    st.info("Aucun fichier « declinaisons » dans les données : l'avancement des déclinaisons régionales n'est pas "
            "connu (modèle sur la page « Données et sources »).", icon=":material/info:")
else:
    declined = declinations(ctx.selection, ctx.datasets.declinaisons)
    signed = int((declined["statut"] == DECLINAISON_SIGNEE).sum())
    st.markdown(f"Déclinaisons signées : **{fr.nombre(signed)} sur {fr.pluriel(len(declined), 'région')}**.")
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.altair_chart(status_map(ctx.atlas.regions, declined), width="stretch")
    with right:
        st.altair_chart(signatures_timeline(declined), width="stretch")
    st.dataframe(declined[list(DECLINATION_LABELS)], hide_index=True, width="stretch", column_config={
        **DECLINATION_LABELS,
        "date_signature": st.column_config.DateColumn(DECLINATION_LABELS["date_signature"], format="DD/MM/YYYY"),
        "lien_document": st.column_config.LinkColumn(DECLINATION_LABELS["lien_document"], display_text="texte"),
        "partenariats_depuis": st.column_config.NumberColumn(DECLINATION_LABELS["partenariats_depuis"],
                                                             format="localized")})
