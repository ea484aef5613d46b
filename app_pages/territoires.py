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
from dashboard.url_state import on_widget_change, territory_widgets, year_bounds
from geo import fr, indicators
from geo.declinaisons import signed_since
from geo.details import regies_table
from geo.filters import departement_choices, epci_choices, epci_name, single_territory
from ui import printing
from ui.declinaisons import CHANGE_LABELS, COMPARISON_LABELS, for_file
from ui.exports import scope_name, territory_name
from ui.tables import PARTNERSHIP_HEADERS, qpv_sheet, regie_sheet, territory_figures
from ui.text import escape_markdown

ctx = start_page("Territoires")
st.markdown(PRINT_CSS, unsafe_allow_html=True)
st.html(printing.CSS)  # printing shows every row of each table (st.dataframe prints only what is on screen)
atlas = ctx.atlas
regions = sorted(atlas.region_names, key=atlas.region_name)
territory = single_territory(ctx.filters, atlas)
region, departement, epci = territory
shown = territory_widgets(territory)
bounds = year_bounds(atlas)


def picker(key: str, options: list[str]) -> dict:
    """The picker `key` shows the URL's territory; a change goes to the URL through the filters' one path."""
    index = options.index(shown[key]) if shown[key] in options else None
    return {"index": index, "key": key, "on_change": on_widget_change, "args": (key, atlas, bounds)}


pick_region, pick_dep, pick_epci = st.columns(3)
pick_region.selectbox("Région", regions, format_func=atlas.region_name, placeholder="Choisir une région",
                      **picker("t_region", regions))
departements = sorted(departement_choices(atlas, [region]) if region else [], key=atlas.departement_name)
pick_dep.selectbox("Département (facultatif)", departements, format_func=lambda c: f"{atlas.departement_name(c)} ({c})",
                   placeholder="Toute la région", disabled=region is None, **picker("t_departement", departements))
epcis = epci_choices(atlas, [region], [departement] if departement else []) if region else []
pick_epci.selectbox("EPCI (facultatif)", epcis, format_func=epci_name, placeholder="Tous les EPCI",
                    disabled=region is None, help="Les contrats de ville sont signés par les EPCI.",
                    **picker("t_epci", epcis))

if region is None:
    st.info("Choisissez une région (et, si vous le souhaitez, un département) pour afficher son portrait.",
            icon=":material/location_city:")
    st.subheader("Les régions côte à côte")
    ref = reference()
    since = ref.day is not None and ref.day < (ctx.filters.date or date.today())
    comparison = region_changes(ctx.filters, ref.day) if since else region_comparison(ctx.filters)
    labels = COMPARISON_LABELS | ({k: f"{v} depuis le {fr.date_fr(ref.day)}" for k, v in CHANGE_LABELS.items()}
                                  if since else {})
    exported = for_file(comparison, labels)
    downloads(exported, "regions", scope_name(ctx.filters, atlas), key="regions",
              columns=st.columns([1, 1, 4])[:2])
    # Through the app's table: the rate sorts as a number and reads `54,8 %` whatever the browser's language.
    table(comparison[list(labels)], column_config=labels, percent=("taux_couverture",))
else:
    name = territory_name(ctx.filters.with_territory(*territory), atlas)
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

    map_view(ctx, key="carte-territoire", height=480)
    # Full width: in a third of the page its bars had about 50 px beside the theme names and the legend.
    chart(ctx, "theme_mix", name)

    st.subheader("Régies du territoire")
    table(regie_sheet(regies_table(ctx.selection)), printable=True)

# The board's list of gaps (without a chosen territory, the national one), its definition in its title and in its
# files' name; the other gap, « QPV sans partenariat » (page « Opportunités »), named beside it with its count.
gap, other = indicators.GAP_NOTHING, indicators.GAP_NO_PARTNERSHIP
uncovered = qpv_sheet(indicators.uncovered_qpv(ctx.selection))
st.subheader(gap.heading(len(uncovered), "" if region else " en France"))
st.caption(f"{gap.filters} À ne pas confondre avec les {other.title} "
           f"({fr.nombre(len(indicators.qpv_without_partnership(ctx.selection)))}, page « Opportunités ») : "
           f"{other.definition}. {other.filters}")
downloads(uncovered, gap.kind, scope_name(ctx.filters, atlas), key="qpv", columns=st.columns([1, 1, 4])[:2])
table(uncovered, printable=region is not None)
