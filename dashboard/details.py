"""The detail panel under the map: the QPV or régie clicked, its figures and partnerships."""

from __future__ import annotations

import html

import streamlit as st

from dashboard.components import table
from dashboard.page import PageContext
from dashboard.url_state import set_filters
from geo import fr
from geo.details import qpv_detail, regie_detail
from geo.schema import precision_text
from ui.tables import partnership_sheet, qpv_sheet
from ui.text import escape_markdown


def _filter_button(ctx: PageContext, region: str | None, departement: str | None, key: str) -> None:
    label = ctx.atlas.departement_name(departement) if departement else ctx.atlas.region_name(region)
    if st.button(f"Filtrer sur ce territoire ({escape_markdown(label)})", key=key, icon=":material/filter_alt:"):
        set_filters(ctx.filters.with_territory(region=region, departement=departement))
        st.rerun()


def detail_panel(ctx: PageContext, clicked: dict | None) -> None:
    """Under the map: the partnerships, régies/organismes and figures of what was clicked."""
    if not clicked:
        st.caption("Cliquez sur un quartier ou une régie pour afficher sa fiche.")
        return
    if "qpv" in clicked:
        _qpv_panel(ctx, html.unescape(str(clicked["qpv"])))
    elif "regie" in clicked:
        _regie_panel(ctx, str(clicked["regie"]))


def _qpv_panel(ctx: PageContext, code: str) -> None:
    detail = qpv_detail(ctx.selection, code)
    if detail is None:
        st.caption("Le quartier sélectionné n'est plus dans le périmètre filtré.")
        return
    qpv = detail.qpv
    with st.container(border=True):
        st.subheader(escape_markdown(f"{qpv['lib_qp']} ({qpv['code_qp']})"), anchor=False)
        st.caption(escape_markdown(f"{qpv['lib_com']} · {qpv['lib_dep']} · {qpv['lib_reg']}"))
        cols = st.columns(4)
        cols[0].metric("Population", fr.nombre(qpv.get("population")))
        cols[1].metric("Régies", fr.nombre(len(detail.regies)))
        cols[2].metric("Partenariats", fr.nombre(len(detail.partenariats)))
        cols[3].metric("Organismes HLM", fr.nombre(detail.partenariats["nom_organisme"].nunique()))
        if len(detail.regies):
            st.markdown("**Régie(s) :** " + ", ".join(detail.regies["nom"].map(escape_markdown)))
        else:
            st.markdown("**Aucune régie** ne déclare couvrir ce quartier.")
        table(partnership_sheet(detail.partenariats, ctx.atlas.qpv))
        _filter_button(ctx, qpv["insee_reg"], qpv["insee_dep"], key="filtre-qpv")


def _regie_panel(ctx: PageContext, id_regie: str) -> None:
    detail = regie_detail(ctx.selection, id_regie)
    if detail is None:
        return
    regie = detail.regie
    with st.container(border=True):
        st.subheader(escape_markdown(regie["nom"]), anchor=False)
        where = (f"{regie['type']} · {regie['commune']} · {regie['lib_dep']} · {regie['lib_reg']}"
                 f" · position : {precision_text(regie['precision'])}")  # how it was obtained (adresse, rue…)
        st.caption(escape_markdown(where))
        cols = st.columns(4)
        cols[0].metric("Salariés", fr.nombre(regie["salaries"]))
        cols[1].metric("Bénévoles", fr.nombre(regie["benevoles"]))
        cols[2].metric("QPV couverts", fr.nombre(len(detail.qpv)))
        cols[3].metric("Partenariats", fr.nombre(len(detail.partenariats)))
        table(qpv_sheet(detail.qpv))
        table(partnership_sheet(detail.partenariats, ctx.atlas.qpv))
        _filter_button(ctx, regie["insee_reg"], regie["insee_dep"], key="filtre-regie")
