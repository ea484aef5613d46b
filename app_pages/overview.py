"""Vue d'ensemble: the national picture (or the filtered one) in figures, a map and four charts, then where the
régions stand in declining the convention (map, timeline of signatures, table)."""

import streamlit as st

from dashboard.components import chart, kpi_cards, table
from dashboard.data import chart_spec, declination_table
from dashboard.images import deck_buttons
from dashboard.map_view import map_view, overseas_links
from dashboard.page import start_page
from dashboard.suivi import progress_since
from geo import fr, indicators
from geo.schema import DECLINAISON_SIGNEE
from ui.declinaisons import DECLINATION_LABELS
from ui.exports import WHOLE_NATION, territory_name

ctx = start_page("Vue d'ensemble")
kpi_cards(indicators.kpis(ctx.selection), indicators.kpis(ctx.national) if ctx.filters.is_active else None,
          *progress_since(ctx))
if not ctx.presenting:
    view = "de la vue filtrée" if ctx.filters.is_active else "de la vue nationale"
    with st.popover(f"Diaporama {view}", icon=":material/slideshow:"):
        deck_buttons(ctx, territory_name(ctx.filters, ctx.atlas, WHOLE_NATION), None, ("PowerPoint", "PDF"), (st, st))

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
    declined = declination_table(ctx.filters)
    signed = int((declined["statut"] == DECLINAISON_SIGNEE).sum())
    st.markdown(f"Déclinaisons signées : **{fr.nombre(signed)} sur {fr.pluriel(len(declined), 'région')}**.")
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.vega_lite_chart(chart_spec(ctx.filters, "declination_status"), width="stretch")
    with right:
        st.vega_lite_chart(chart_spec(ctx.filters, "declination_timeline"), width="stretch")
    # French cells (`table`): the date reads 27/11/2026 and the counts French whatever the browser's language.
    table(declined[list(DECLINATION_LABELS)], column_config={
        **DECLINATION_LABELS,
        "lien_document": st.column_config.LinkColumn(DECLINATION_LABELS["lien_document"], display_text="texte")})
