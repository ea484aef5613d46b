"""Opportunités: where to cooperate next — QPV without partnership, per régie the QPV within reach it does not
cover, per organism its QPV without partnership; each criterion shown, exportable."""

import streamlit as st

from dashboard.components import downloads
from dashboard.components import table as table_view
from dashboard.data import opportunities_map_html, qpv_opportunities, reach_pairs
from dashboard.page import start_page
from geo import fr, indicators
from geo.opportunities import (
    DEFAULT_REACH_M,
    REACH_CHOICES_M,
    explain_ranking,
    organisme_gaps,
    regie_reach,
)
from ui.exports import scope_name
from ui.opportunities import MAP_HEIGHT, MAP_TITLE, ORGANISME_LABELS, QPV_LABELS, REGIE_LABELS, for_export


def listing(table, labels: dict[str, str], kind: str) -> None:
    """The listing under its French headers, numbers French and sortable (`dashboard.components.table`), above it
    the app's own CSV/XLSX of exactly these rows, named after the filters and the date."""
    downloads(for_export(table, labels), kind, scope_name(ctx.filters, ctx.atlas), key=kind,
              columns=st.columns([1, 1, 4])[:2])
    table_view(table[list(labels)], column_config=labels)


ctx = start_page("Opportunités")
patrimoine = ctx.datasets.patrimoine
if len(patrimoine) == 0:
    st.info("Aucun fichier « patrimoine » (logements HLM par QPV) dans les données : les logements et les "
            "organismes propriétaires ne sont pas connus, seules la population et les régies proches comptent.",
            icon=":material/info:")
reach = st.select_slider("Distance maximale entre une régie et un QPV", REACH_CHOICES_M, value=DEFAULT_REACH_M,
                         format_func=fr.distance, key="portee",
                         help="Distance du siège de la régie au périmètre du QPV, mesurée dans la projection "
                              "métrique de la zone (Lambert-93 en métropole, projection locale outre-mer).")
st.caption(explain_ranking(reach))
pairs = reach_pairs(reach)
by_qpv, by_regie, by_organisme = st.tabs(["Par QPV", "Par régie", "Par organisme HLM"])

with by_qpv:
    table = qpv_opportunities(ctx.filters, reach)
    within = int((table["n_regies_proches"] > 0).sum())
    gap, other = indicators.GAP_NO_PARTNERSHIP, indicators.GAP_NOTHING
    st.markdown(f"**{fr.pluriel(len(table), gap.title, gap.title)}** dans le périmètre filtré ({gap.definition}), "
                f"dont {fr.nombre(within)} à moins de {fr.distance(reach)} d'une régie.")
    st.caption(f"{gap.filters} À ne pas confondre avec les {other.title} "
               f"({fr.nombre(len(indicators.uncovered_qpv(ctx.selection)))}, page « Territoires », la liste à "
               f"présenter) : {other.definition}. {other.filters}")
    listing(table, QPV_LABELS, f"opportunites-{gap.kind}")
    # Nothing to report back from this map (no click, no position): a plain frame of the shared HTML.
    st.iframe(opportunities_map_html(ctx.filters, reach), height=MAP_HEIGHT + 10, alt=MAP_TITLE)

with by_regie:
    regies = ctx.selection.regies.sort_values("nom")
    names = dict(zip(regies["id_regie"], regies["nom"], strict=True))
    regie = st.selectbox("Régie", list(names), format_func=names.get, index=None, placeholder="Choisir une régie",
                         key="opp_regie")
    if regie:
        table = regie_reach(ctx.selection, regie, patrimoine, pairs)
        st.markdown(f"**{fr.pluriel(len(table), 'QPV')}** à moins de {fr.distance(reach)} que la régie ne couvre "
                    "pas encore (plus proches d'abord).")
        listing(table, REGIE_LABELS, "opportunites-regie")

with by_organisme:
    owners = set(patrimoine["siren_organisme"])
    organismes = ctx.atlas.organismes
    organismes = organismes[organismes["siren"].isin(owners)].sort_values("nom")
    names = dict(zip(organismes["siren"], organismes["nom"], strict=True))
    siren = st.selectbox("Organisme HLM", list(names), format_func=names.get, index=None,
                         placeholder="Choisir un organisme propriétaire", key="opp_organisme")
    if siren:
        table = organisme_gaps(ctx.selection, siren, patrimoine, pairs)
        st.markdown(f"**{fr.pluriel(len(table), 'QPV')}** où l'organisme possède des logements sans aucun "
                    "partenariat (plus de logements d'abord).")
        listing(table, ORGANISME_LABELS, "opportunites-organisme")
