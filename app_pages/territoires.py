"""Territoires: the portrait of one région or département for its regional lead, printable from the browser."""

import streamlit as st

from dashboard.components import PRINT_CSS, downloads, table
from dashboard.map_view import map_view
from dashboard.page import start_page
from dashboard.url_state import set_filters
from geo import fr, indicators
from geo.details import regies_table
from ui import charts
from ui.exports import territory_name
from ui.tables import qpv_sheet, regie_sheet, territory_figures

ctx = start_page("Territoires")
st.markdown(PRINT_CSS, unsafe_allow_html=True)
atlas = ctx.atlas
regions = sorted(atlas.region_names, key=atlas.region_name)
current_region = ctx.filters.regions[0] if len(ctx.filters.regions) == 1 else None
current_dep = ctx.filters.departements[0] if len(ctx.filters.departements) == 1 else None
if current_dep and not current_region:
    current_region = atlas.departement_region.get(current_dep)

pick_region, pick_dep = st.columns(2)
region = pick_region.selectbox("Région", regions, index=regions.index(current_region) if current_region else None,
                               format_func=atlas.region_name, placeholder="Choisir une région")
departements = sorted((c for c, r in atlas.departement_region.items() if r == region), key=atlas.departement_name)
departement = pick_dep.selectbox(
    "Département (facultatif)", departements, format_func=lambda c: f"{atlas.departement_name(c)} ({c})",
    index=departements.index(current_dep) if current_dep in departements else None,
    placeholder="Toute la région", disabled=region is None)
if (region, departement) != (current_region, current_dep):
    set_filters(ctx.filters.with_territory(region=region, departement=departement))
    st.rerun()

if region is None:
    st.info("Choisissez une région (et, si vous le souhaitez, un département) pour afficher son portrait.",
            icon=":material/location_city:")
else:
    name = atlas.departement_name(departement) if departement else atlas.region_name(region)
    st.header(f"Portrait : {name}")
    table(territory_figures(indicators.kpis(ctx.selection), indicators.kpis(ctx.national)))

    map_col, mix_col = st.columns([3, 2], gap="large")
    with map_col:
        map_view(ctx, key="carte-territoire", height=480)
    with mix_col:
        comparison = indicators.compare_theme_mix(ctx.selection, ctx.national)
        st.altair_chart(charts.theme_mix_chart(comparison, name, "Thèmes : territoire et France"), width="stretch")

    st.subheader("Régies du territoire")
    table(regie_sheet(regies_table(ctx.selection)))

# Without a chosen territory, the national list: where neither a régie nor a partnership is present yet.
uncovered = qpv_sheet(indicators.uncovered_qpv(ctx.selection))
where = territory_name(ctx.filters, atlas)
st.subheader(f"QPV sans régie ni partenariat{'' if region else ' en France'} ({fr.nombre(len(uncovered))})")
downloads(uncovered, "qpv-sans-regie-ni-partenariat", where, key="qpv", columns=st.columns([1, 1, 4])[:2])
table(uncovered)
