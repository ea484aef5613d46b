"""Territoires: the portrait of one région or département for its regional lead, printable from the browser."""

import streamlit as st

from dashboard.components import PRINT_CSS
from dashboard.map_view import map_view
from dashboard.page import start_page
from dashboard.url_state import set_filters
from geo import fr, indicators
from geo.details import regies_table
from ui import charts, printing
from ui.tables import territory_figures

ctx = start_page("Territoires")
st.markdown(PRINT_CSS, unsafe_allow_html=True)
st.html(printing.CSS)  # printing shows every row of each table (st.dataframe prints only what is on screen)
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
    figures = territory_figures(indicators.kpis(ctx.selection), indicators.kpis(ctx.national))
    st.dataframe(figures, hide_index=True, width="stretch")
    st.html(printing.print_table(figures, {c: c for c in figures.columns}))

    map_col, mix_col = st.columns([3, 2], gap="large")
    with map_col:
        map_view(ctx, key="carte-territoire", height=480)
    with mix_col:
        comparison = indicators.compare_theme_mix(ctx.selection, ctx.national)
        st.altair_chart(charts.theme_mix_chart(comparison, name, "Thèmes : territoire et France"), width="stretch")

    st.subheader("Régies du territoire")
    regies = regies_table(ctx.selection)
    st.dataframe(regies, hide_index=True, width="stretch", column_config={
        "nom": "Régie", "type": "Type", "commune": "Commune", "lib_dep": "Département",
        "salaries": st.column_config.NumberColumn("Salariés", format="localized"),
        "benevoles": st.column_config.NumberColumn("Bénévoles", format="localized"),
        "qpv_couverts": st.column_config.NumberColumn("QPV couverts"),
        "n_partenariats": st.column_config.NumberColumn("Partenariats")})
    st.html(printing.print_table(regies, {"nom": "Régie", "type": "Type", "commune": "Commune",
                                          "lib_dep": "Département", "salaries": "Salariés", "benevoles": "Bénévoles",
                                          "qpv_couverts": "QPV couverts", "n_partenariats": "Partenariats"}))

    uncovered = indicators.uncovered_qpv(ctx.selection)
    st.subheader(f"QPV sans régie ni partenariat ({fr.nombre(len(uncovered))})")
    st.dataframe(uncovered[["code_qp", "lib_qp", "lib_com", "lib_dep", "population"]], hide_index=True, width="stretch",
                 column_config={"code_qp": "Code", "lib_qp": "Quartier", "lib_com": "Commune", "lib_dep": "Département",
                                "population": st.column_config.NumberColumn("Population", format="localized")})
    st.html(printing.print_table(uncovered, {"code_qp": "Code", "lib_qp": "Quartier", "lib_com": "Commune",
                                             "lib_dep": "Département", "population": "Population"}))
