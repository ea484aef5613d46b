"""Territoires: the régions side by side (declination, coverage, partnerships), and the portrait of one région or
département for its regional lead, its declination first, printable from the browser."""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard.components import PRINT_CSS, chart, downloads, table
from dashboard.data import declination_table, region_comparison
from dashboard.images import deck_buttons
from dashboard.map_view import map_view
from dashboard.page import start_page
from dashboard.suivi import progress_since, reference, region_changes
from dashboard.url_state import set_filters
from geo import fr, indicators
from geo.declinaisons import signed_since
from geo.details import regies_table
from geo.filters import epci_choices, epci_name
from ui import printing
from ui.declinaisons import CHANGE_LABELS, COMPARISON_LABELS, for_export
from ui.exports import territory_name
from ui.tables import PARTNERSHIP_HEADERS, qpv_sheet, regie_sheet, territory_figures
from ui.text import escape_markdown

ctx = start_page("Territoires")
st.markdown(PRINT_CSS, unsafe_allow_html=True)
st.html(printing.CSS)  # printing shows every row of each table (st.dataframe prints only what is on screen)
atlas = ctx.atlas
regions = sorted(atlas.region_names, key=atlas.region_name)
current_region = ctx.filters.regions[0] if len(ctx.filters.regions) == 1 else None
current_dep = ctx.filters.departements[0] if len(ctx.filters.departements) == 1 else None
current_epci = ctx.filters.epci[0] if len(ctx.filters.epci) == 1 else None
if current_dep and not current_region:
    current_region = atlas.departement_region.get(current_dep)
if current_epci and not current_region and len(ctx.selection.qpv):
    current_region = ctx.selection.qpv["insee_reg"].mode().iloc[0]  # the région of most of the EPCI's QPV

pick_region, pick_dep, pick_epci = st.columns(3)
region = pick_region.selectbox("Région", regions, index=regions.index(current_region) if current_region else None,
                               format_func=atlas.region_name, placeholder="Choisir une région")
departements = sorted((c for c, r in atlas.departement_region.items() if r == region), key=atlas.departement_name)
departement = pick_dep.selectbox(
    "Département (facultatif)", departements, format_func=lambda c: f"{atlas.departement_name(c)} ({c})",
    index=departements.index(current_dep) if current_dep in departements else None,
    placeholder="Toute la région", disabled=region is None)
epcis = epci_choices(atlas, [region] if region else [], [departement] if departement else []) if region else []
epci = pick_epci.selectbox("EPCI (facultatif)", epcis, format_func=epci_name,
                           index=epcis.index(current_epci) if current_epci in epcis else None,
                           placeholder="Tous les EPCI", disabled=region is None,
                           help="Les contrats de ville sont signés par les EPCI.")
if (region, departement, epci) != (current_region, current_dep, current_epci):
    set_filters(ctx.filters.with_territory(region=region, departement=departement, epci=epci))
    st.rerun()

if region is None:
    st.info("Choisissez une région (et, si vous le souhaitez, un département) pour afficher son portrait.",
            icon=":material/location_city:")
    st.subheader("Les régions côte à côte")
    ref = reference()
    since = ref.day is not None and ref.day < (ctx.filters.date or date.today())
    comparison = region_changes(ctx.filters, ref.day) if since else region_comparison(ctx.filters)
    labels = COMPARISON_LABELS | ({k: f"{v} depuis le {fr.date_fr(ref.day)}" for k, v in CHANGE_LABELS.items()}
                                  if since else {})
    exported = for_export(comparison, labels)
    downloads(exported, "regions", territory_name(ctx.filters, atlas), key="regions",
              columns=st.columns([1, 1, 4])[:2])
    # Through the app's table: the rate sorts as a number and reads `54,8 %` whatever the browser's language.
    table(comparison[list(labels)], column_config=labels, percent=("taux_couverture",))
else:
    name = epci_name(epci) if epci else atlas.departement_name(departement) if departement else \
        atlas.region_name(region)
    st.header(f"Portrait : {escape_markdown(name)}")
    deck_buttons(ctx, name, region, ("Diaporama PowerPoint", "PDF"), st.columns([2, 1, 3])[:2])
    if len(ctx.datasets.declinaisons):
        declined = declination_table(ctx.filters).set_index("insee_reg").loc[region]
        with st.container(border=True):
            signed_on = declined["date_signature"]
            status = declined["statut"] if pd.isna(signed_on) else f"signée le {fr.date_fr(signed_on)}"
            st.markdown(f"**Déclinaison régionale de la convention : {escape_markdown(status)}**"
                        + (f" — {escape_markdown(declined['ar_hlm'])}" if declined["ar_hlm"] else ""))
            if declined["organismes_signataires"] or declined["regies_signataires"]:
                st.markdown(f"Organismes signataires : {escape_markdown(declined['organismes_signataires'] or '—')}"
                            f"  \nRégies signataires : {escape_markdown(declined['regies_signataires'] or '—')}")
            if pd.notna(signed_on):
                since = signed_since(ctx.selection, ctx.datasets.declinaisons, region)
                with st.expander(f"{fr.pluriel(len(since), 'partenariat démarré', 'partenariats démarrés')} "
                                 "depuis la signature dans la région"):
                    columns = ["id_partenariat", "nom_regie", "nom_organisme", "statut", "date_debut"]
                    table(since[columns].rename(columns=PARTNERSHIP_HEADERS))
    progress, _ = progress_since(ctx)  # the portrait compares the reference day with the page's day
    table(territory_figures(indicators.kpis(ctx.selection), indicators.kpis(ctx.national),
                            progress.then if progress else None,
                            f"au {fr.date_fr(progress.reference)}" if progress else ""), printable=True)

    map_col, mix_col = st.columns([3, 2], gap="large")
    with map_col:
        map_view(ctx, key="carte-territoire", height=480)
    with mix_col:
        chart(ctx, "theme_mix", name)

    st.subheader("Régies du territoire")
    table(regie_sheet(regies_table(ctx.selection)), printable=True)

# Without a chosen territory, the national list: where neither a régie nor a partnership is present yet.
uncovered = qpv_sheet(indicators.uncovered_qpv(ctx.selection))
where = territory_name(ctx.filters, atlas)
st.subheader(f"QPV sans régie ni partenariat{'' if region else ' en France'} ({fr.nombre(len(uncovered))})")
downloads(uncovered, "qpv-sans-regie-ni-partenariat", where, key="qpv", columns=st.columns([1, 1, 4])[:2])
table(uncovered, printable=region is not None)
