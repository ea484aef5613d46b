"""What every page shares: the cached data, the filters (in the URL), the sidebar and the demo banner.

Data flows one way: files → `geo` (loaded and joined once per process, keyed by the files' signature) →
`Selection` of the current `Filters` → builders → pages. Pages call `start_page()` and lay out what it returns.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import fr
from geo.datasets import Datasets
from geo.details import qpv_detail, regie_detail
from geo.display import SCALES, display_frame, scale_for, view_for_bounds
from geo.filters import Filters, Selection, apply
from geo.indicators import Kpis, dominant_theme
from geo.joins import Atlas, build_atlas
from geo.load import load_folder
from geo.manifest import atomic_write_bytes
from geo.schema import FAMILLES, STATUTS, THEMES
from ui import maps
from ui.assets import STATIC_DIR, STATIC_URL

ROOT = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = ROOT / "data" / "demo"
GENERATED_DIR = STATIC_DIR / "generated"  # files the app derives from the data and serves (git-ignored)
PAGES = {  # key -> (script, title, url path, icon)
    "overview": ("app_pages/overview.py", "Vue d'ensemble", "", ":material/dashboard:"),
    "map": ("app_pages/carte.py", "Carte", "carte", ":material/map:"),
    "partnerships": ("app_pages/partenariats.py", "Partenariats", "partenariats", ":material/handshake:"),
    "territory": ("app_pages/territoires.py", "Territoires", "territoires", ":material/location_city:"),
    "data": ("app_pages/donnees.py", "Données et sources", "donnees", ":material/database:"),
}


def data_dir() -> Path:
    return Path(os.environ.get("CARTE_DATA_DIR") or DEFAULT_DATA_DIR)


def data_signature(folder: Path) -> tuple:
    """Names, sizes and modification times of the folder's files: a new file or an edit reloads the data."""
    if not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()))


@dataclass(frozen=True)
class Loaded:
    datasets: Datasets
    atlas: Atlas


@st.cache_resource(show_spinner="Chargement des données…", max_entries=2)
def _load(folder: str, signature: tuple) -> Loaded:
    datasets = load_folder(Path(folder))
    return Loaded(datasets, build_atlas(datasets))


def loaded() -> Loaded:
    folder = data_dir()
    return _load(str(folder), data_signature(folder))


@st.cache_resource(show_spinner=False, max_entries=8)
def _display_qpv(folder: str, signature: tuple, scale_name: str) -> gpd.GeoDataFrame:
    """All QPV outlines at one scale, computed once per process; filters only pick rows from it."""
    atlas = _load(folder, signature).atlas
    frame = display_frame(atlas.qpv, SCALES[scale_name], ["code_qp"])
    return frame.set_index("code_qp", drop=False)


@st.cache_resource(show_spinner=False, max_entries=64)
def _selection(folder: str, signature: tuple, filters: Filters) -> Selection:
    return apply(_load(folder, signature).atlas, filters)


def selection(filters: Filters) -> Selection:
    """The subset of the data for these filters, shared by every session that asks for the same."""
    folder = data_dir()
    return _selection(str(folder), data_signature(folder), filters)


# --- filters and URL ---------------------------------------------------------------------------------------


def _widget_values(filters: Filters, bounds: tuple[int, int]) -> dict:
    """The sidebar widgets' state that shows `filters` (the URL's)."""
    return {
        "f_regions": list(filters.regions),
        "f_departements": list(filters.departements),
        "f_themes": list(filters.themes),
        "f_familles": list(filters.familles),
        "f_statuts": list(filters.statuts),
        "f_annees": (filters.annee_min or bounds[0], filters.annee_max or bounds[1]),
        "f_q": filters.q,
    }


def _filters_from_widgets(year_bounds: tuple[int, int]) -> Filters:
    state = st.session_state
    low, high = state.get("f_annees") or year_bounds
    regions = tuple(state.get("f_regions") or ())
    return Filters(
        regions=regions,
        departements=tuple(state.get("f_departements") or ()),
        themes=tuple(state.get("f_themes") or ()),
        familles=tuple(state.get("f_familles") or ()),
        statuts=tuple(state.get("f_statuts") or ()),
        annee_min=None if low == year_bounds[0] else low,
        annee_max=None if high == year_bounds[1] else high,
        q=state.get("f_q") or "",
    )


def set_filters(filters: Filters) -> None:
    """Make `filters` the current ones: the URL is the single source of truth, widgets follow it."""
    st.query_params.clear()
    st.query_params.update(filters.to_query_params())


def _on_widget_change(atlas: Atlas, year_bounds: tuple[int, int]) -> None:
    filters = _filters_from_widgets(year_bounds)
    allowed = {c for c, r in atlas.departement_region.items() if not filters.regions or r in filters.regions}
    filters = replace(filters, departements=tuple(d for d in filters.departements if d in allowed))
    set_filters(filters)
    st.session_state["_synced"] = filters


def _reset() -> None:
    set_filters(Filters())
    st.session_state["_synced"] = None


def year_bounds(atlas: Atlas) -> tuple[int, int]:
    years = atlas.partenariats["annee_debut"].dropna() if len(atlas.partenariats) else []
    if len(years) == 0:
        return (2024, 2030)
    return (int(min(years.min(), 2024)), int(max(years.max(), 2030)))


def sidebar(atlas: Atlas, filters: Filters) -> None:
    bounds = year_bounds(atlas)
    if st.session_state.get("_synced") != filters:  # the URL changed (link opened, reload, page link)
        for key, value in _widget_values(filters, bounds).items():
            st.session_state[key] = value
        st.session_state["_synced"] = filters
    with st.sidebar:
        st.markdown("### Carte des coopérations")
        for script, title, _, icon in PAGES.values():
            st.page_link(script, label=title, icon=icon, query_params=filters.to_query_params())
        st.divider()
        st.markdown("**Filtres**")
        change = {"on_change": _on_widget_change, "args": (atlas, bounds)}
        regions = sorted(atlas.region_names, key=lambda c: atlas.region_names[c])
        st.multiselect("Région(s)", regions, key="f_regions", format_func=atlas.region_name,
                       placeholder="Toutes les régions", **change)
        chosen = st.session_state.get("f_regions") or []
        departements = sorted(
            (c for c, r in atlas.departement_region.items() if not chosen or r in chosen),
            key=lambda c: (atlas.departement_name(c), c),
        )
        st.session_state["f_departements"] = [d for d in st.session_state.get("f_departements") or []
                                              if d in departements]
        st.multiselect("Département(s)", departements, key="f_departements",
                       format_func=lambda c: f"{atlas.departement_name(c)} ({c})",
                       placeholder="Tous les départements", **change)
        labels = {t.slug: t.label for t in THEMES}
        st.multiselect("Thème(s)", list(labels), key="f_themes", format_func=lambda s: labels[s].capitalize(),
                       placeholder="Tous les thèmes", **change)
        st.multiselect("Famille d'organisme", list(FAMILLES), key="f_familles", placeholder="Toutes", **change)
        st.multiselect("Statut", list(STATUTS), key="f_statuts", placeholder="Tous", **change)
        st.slider("Année de début", min_value=bounds[0], max_value=bounds[1], key="f_annees", **change)
        st.text_input("Recherche", key="f_q", placeholder="Régie, organisme, QPV, commune…", **change)
        st.button("Réinitialiser", on_click=_reset, icon=":material/restart_alt:", width="stretch",
                  disabled=not filters.is_active)


def demo_banner(datasets: Datasets) -> None:
    if datasets.is_demo:
        st.warning(
            "**Données de démonstration** : régies, organismes, partenariats et périmètres de QPV sont fictifs "
            "(générés). Seuls les codes, noms et communes des QPV 2024 sont réels. Aucun chiffre affiché ici ne "
            "décrit la réalité.",
            icon=":material/science:",
        )


@dataclass(frozen=True)
class PageContext:
    datasets: Datasets
    atlas: Atlas
    filters: Filters
    selection: Selection
    national: Selection


def current_filters(atlas: Atlas) -> tuple[Filters, list[str]]:
    """The filters the URL asks for, and a French notice for each value it had to drop."""
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    return Filters.from_query_params(params, atlas)


def navigation_sidebar() -> None:
    """Drawn by app.py after the page, so that the page's own content (the map above all) reaches the browser
    first: the sidebar's widgets would otherwise be rendered before it."""
    data = loaded()
    sidebar(data.atlas, current_filters(data.atlas)[0])


def start_page(title: str) -> PageContext:
    """Common top of every page: data, filters from the URL (with notices), banner and title."""
    data = loaded()
    filters, notices = current_filters(data.atlas)
    demo_banner(data.datasets)
    for notice in notices:
        st.info(notice, icon=":material/info:")
    if data.datasets.errors:
        st.error(
            f"Les données chargées comportent {fr.pluriel(len(data.datasets.errors), 'erreur')} : les lignes "
            "concernées sont exclues des chiffres. Détail sur la page « Données et sources ».",
            icon=":material/error:",
        )
    st.title(title)
    st.caption(filters.describe(data.atlas))
    return PageContext(data.datasets, data.atlas, filters, selection(filters), selection(Filters()))


# --- map ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapPayload:
    """What the map shows for one (data, filters, measure): plain GeoJSON dicts, shared read-only by sessions."""

    qpv: dict  # columns of the national dots (`dots`) or of the regional/local outlines
    regies: dict
    legend_items: tuple
    dots: bool
    bounds: list | None


@st.cache_resource(show_spinner=False, max_entries=2)
def _outlines_url(folder: str, signature: tuple) -> str:
    """Writes the outlines once into static/generated/ (named by content) and returns the URL the map fetches."""
    atlas = _load(folder, signature).atlas
    data = json.dumps(maps.outline_features(atlas.regions, atlas.departements), separators=(",", ":")).encode()
    name = f"contours-{hashlib.sha256(data).hexdigest()[:16]}.json"
    if not (GENERATED_DIR / name).exists():
        atomic_write_bytes(GENERATED_DIR / name, data)
    return f"{STATIC_URL}/{GENERATED_DIR.relative_to(STATIC_DIR).as_posix()}/{name}"


@st.cache_resource(show_spinner=False, max_entries=64)
def _map_payload(folder: str, signature: tuple, filters: Filters, measure: str) -> MapPayload:
    """Built once per filters and measure: a click, a layer toggle or another session asking the same view
    reuses it; the outlines come from the per-scale cache (no re-simplification)."""
    sel = _selection(folder, signature, filters)
    scale = scale_for(filters.regions, filters.departements)
    outlines = _display_qpv(folder, signature, scale.name)
    qpv = sel.qpv.drop(columns="geometry")
    qpv = qpv.assign(theme_dominant=dominant_theme(sel).reindex(qpv["code_qp"]).to_numpy())
    frame = gpd.GeoDataFrame(qpv, geometry=outlines.geometry.reindex(qpv["code_qp"]).to_numpy(), crs=outlines.crs)
    _, legend_items = maps.qpv_colors(frame, measure)
    bounds = maps.bounds_of([frame, sel.regies]) if filters.has_territory else None
    dots = scale.name == "national"
    qpv_layer = (maps.qpv_dot_data(frame, measure) if dots
                 else maps.qpv_outline_data(frame, measure, halo=scale.name != "local"))
    return MapPayload(qpv_layer, maps.regie_data(sel.regies), tuple(legend_items), dots=dots, bounds=bounds)


def map_view(ctx: PageContext, *, key: str, measure: str = "coverage", show_qpv: bool = True,
             show_regies: bool = True, show_organismes: bool = False, tiles: str = "aucun",
             height: int = 600) -> dict | None:
    """The map of the current selection; returns the properties of the feature the user clicked, if any.

    The base map (outlines) keeps the same script across reruns, so streamlit-folium keeps it mounted and only
    swaps the overlays (`feature_group_to_add`); only a click reruns the script (`returned_objects`).
    """
    from streamlit_folium import st_folium

    folder = data_dir()
    signature = data_signature(folder)
    payload = _map_payload(str(folder), signature, ctx.filters, measure)
    layers = []
    if show_qpv and payload.qpv["qpv"]:
        layers.append(maps.build_qpv_dots(payload.qpv) if payload.dots else maps.build_qpv_layer(payload.qpv))
    if show_regies and payload.regies["regie"]:
        layers.append(maps.build_regies_layer(payload.regies))
    if show_organismes and len(ctx.selection.organismes):
        layers.append(maps.build_organismes_layer(ctx.selection.organismes))
    base = maps.build_base_map(_outlines_url(str(folder), signature), tiles=tiles, height=height)
    if show_qpv and payload.qpv["qpv"]:
        extra = [(maps.REGIE_COLOR, "Régie")] if show_regies else []
        maps.Legend(maps.MEASURES[measure], list(payload.legend_items), extra).add_to(base)
    center, zoom = view_for_bounds(payload.bounds, height_px=height)
    result = st_folium(
        base, key=key, height=height, use_container_width=True, feature_group_to_add=layers,
        center=center, zoom=zoom, returned_objects=["last_active_drawing"],
    )
    clicked = (result or {}).get("last_active_drawing") or {}
    return clicked.get("properties") or None


@st.fragment
def map_with_details(ctx: PageContext, **options) -> None:
    """Map and detail panel rerun alone when a feature is clicked: the rest of the page stays as it is."""
    detail_panel(ctx, map_view(ctx, **options))


# --- figures -----------------------------------------------------------------------------------------------

KPI_LABELS = (  # (field, card label, full meaning)
    ("regies", "Régies", "Régies de quartier et de territoire"),
    ("qpv_couverts", "QPV couverts", "QPV couverts par une régie (déclarés par la régie)"),
    ("qpv_avec_partenariat", "QPV avec partenariat", "QPV concernés par au moins un partenariat"),
    ("salaries", "Salariés", "Salariés des régies"),
    ("benevoles", "Bénévoles", "Bénévoles des régies"),
    ("partenariats", "Partenariats", "Partenariats organisme HLM × régie"),
    ("organismes_partenaires", "Organismes HLM", "Organismes HLM engagés dans au moins un partenariat"),
)


def kpi_cards(figures: Kpis, national: Kpis | None = None) -> None:
    """One card per key figure, French formatted, four then three per row so that labels are never cut; the
    national value in small type under a filtered one."""
    for row in (KPI_LABELS[:4], KPI_LABELS[4:]):
        columns = st.columns(4)
        for column, (field, label, meaning) in zip(columns, row, strict=False):
            with column, st.container(border=True):
                st.metric(label, fr.nombre(getattr(figures, field)), help=meaning)
                if national is not None:
                    st.caption(f"France : {fr.nombre(getattr(national, field))}")


# --- detail panel ------------------------------------------------------------------------------------------

PARTNERSHIP_TABLE = {
    "id_partenariat": st.column_config.TextColumn("Identifiant"),
    "nom_regie": st.column_config.TextColumn("Régie"),
    "nom_organisme": st.column_config.TextColumn("Organisme HLM"),
    "famille": st.column_config.TextColumn("Famille"),
    "themes": st.column_config.ListColumn("Thèmes"),
    "statut": st.column_config.TextColumn("Statut"),
    "date_debut": st.column_config.DateColumn("Début", format="DD/MM/YYYY"),
    "date_fin": st.column_config.DateColumn("Fin", format="DD/MM/YYYY"),
    "montant_eur": st.column_config.NumberColumn("Montant (€)", format="%.0f €"),
    "heures_insertion": st.column_config.NumberColumn("Heures d'insertion", format="%d"),
    "description": st.column_config.TextColumn("Description", width="large"),
}


def _filter_button(ctx: PageContext, region: str | None, departement: str | None, key: str) -> None:
    label = ctx.atlas.departement_name(departement) if departement else ctx.atlas.region_name(region)
    if st.button(f"Filtrer sur ce territoire ({label})", key=key, icon=":material/filter_alt:"):
        set_filters(ctx.filters.with_territory(region=region, departement=departement))
        st.rerun()


def detail_panel(ctx: PageContext, clicked: dict | None) -> None:
    """Under the map: the partnerships, régies/organismes and figures of what was clicked."""
    if not clicked:
        st.caption("Cliquez sur un quartier ou une régie pour afficher sa fiche.")
        return
    if "qpv" in clicked:
        detail = qpv_detail(ctx.selection, html.unescape(str(clicked["qpv"])))
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
            st.dataframe(detail.partenariats, column_config=PARTNERSHIP_TABLE, hide_index=True, width="stretch")
            _filter_button(ctx, qpv["insee_reg"], qpv["insee_dep"], key="filtre-qpv")
    elif "regie" in clicked:
        detail = regie_detail(ctx.selection, str(clicked["regie"]))
        if detail is None:
            return
        regie = detail.regie
        with st.container(border=True):
            st.subheader(escape_markdown(regie["nom"]), anchor=False)
            where = f"{regie['type']} · {regie['commune']} · {regie['lib_dep']} · {regie['lib_reg']}"
            st.caption(escape_markdown(where))
            cols = st.columns(4)
            cols[0].metric("Salariés", fr.nombre(regie["salaries"]))
            cols[1].metric("Bénévoles", fr.nombre(regie["benevoles"]))
            cols[2].metric("QPV couverts", fr.nombre(len(detail.qpv)))
            cols[3].metric("Partenariats", fr.nombre(len(detail.partenariats)))
            st.dataframe(detail.qpv, hide_index=True, width="stretch", column_config={
                "code_qp": "Code QPV", "lib_qp": "Quartier", "lib_com": "Commune",
                "population": st.column_config.NumberColumn("Population", format="localized"),
                "n_partenariats": st.column_config.NumberColumn("Partenariats")})
            st.dataframe(detail.partenariats, column_config=PARTNERSHIP_TABLE, hide_index=True, width="stretch")
            _filter_button(ctx, regie["insee_reg"], regie["insee_dep"], key="filtre-regie")


def escape_markdown(text: object) -> str:
    """Data text shown through st.markdown: markdown and HTML characters are neutralised."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~$" else ch for ch in str(text))


# --- territory portrait ------------------------------------------------------------------------------------

PRINT_CSS = """<style>
@media print {
  section[data-testid="stSidebar"], header[data-testid="stHeader"], div[data-testid="stToolbar"],
  div[data-testid="stDecoration"], div[data-testid="stStatusWidget"] { display: none !important; }
  .main .block-container, div[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 0 !important; }
  div[data-testid="stVerticalBlock"] { break-inside: avoid-page; }
}
</style>"""


def territory_figures(local: Kpis, national: Kpis) -> pd.DataFrame:
    """Key figures of a territory beside the national ones, with the territory's share, French formatted."""
    rows = []
    for field, _, label in KPI_LABELS:
        value, reference = getattr(local, field), getattr(national, field)
        share = fr.pourcentage(value / reference) if reference else "—"
        rows.append({"Indicateur": label, "Territoire": fr.nombre(value), "France": fr.nombre(reference),
                     "Part de la France": share})
    for field, label in (("taux_couverture", "Taux de QPV couverts par une régie"),
                         ("taux_partenariat", "Taux de QPV avec un partenariat")):
        value, reference = getattr(local, field), getattr(national, field)
        ratio = f"{fr.nombre(value / reference, 2)} × la moyenne" if value is not None and reference else "—"
        rows.append({"Indicateur": label, "Territoire": fr.pourcentage(value), "France": fr.pourcentage(reference),
                     "Part de la France": ratio})
    return pd.DataFrame(rows)


# --- sources and validation ---------------------------------------------------------------------------------


def sources_table(datasets: Datasets) -> pd.DataFrame:
    """One row per dataset: file, source, licence, date, rows loaded, demo or not (from the manifest)."""
    from geo.schema import DATASETS

    counts = {"qpv": len(datasets.qpv), "regies": len(datasets.regies), "organismes": len(datasets.organismes),
              "partenariats": len(datasets.partenariats), "regions": len(datasets.regions),
              "departements": len(datasets.departements)}
    records = datasets.manifest.datasets if datasets.manifest else {}
    rows = []
    for name, spec in DATASETS.items():
        record = records.get(name)
        path = datasets.files.get(name)
        if record is None and path is None and name in ("regions", "departements"):
            source = "Contours simplifiés intégrés (IGN ADMIN EXPRESS via france-geojson)"
            licence, date, demo, file = "Licence Ouverte", "", "non", "data/ref"
        else:
            source = record.source if record else "non renseignée (pas de manifest.json)"
            licence = record.licence if record else "—"
            date = fr.date_fr(record.date) if record else "—"
            demo = "oui" if (record.demo if record else datasets.is_demo) else "non"
            file = path.name if path else "absent"
        rows.append({"Jeu de données": spec.label, "Fichier": file, "Source": source, "Licence": licence,
                     "Date": date, "Lignes chargées": counts[name], "Démonstration": demo})
    return pd.DataFrame(rows)


def findings_table(findings: list) -> pd.DataFrame:
    columns = ["Gravité", "Fichier", "Ligne", "Colonne", "Message", "Suggestion"]
    rows = [{"Gravité": f.severity, "Fichier": f.file, "Ligne": f.row, "Colonne": f.column or "",
             "Message": f.message, "Suggestion": f.suggestion or ""} for f in findings]
    return pd.DataFrame(rows, columns=columns)


OVERSEAS_REGIONS = ("01", "02", "03", "04", "06")  # Guadeloupe, Martinique, Guyane, La Réunion, Mayotte


def overseas_links(ctx: PageContext) -> None:
    """The national view frames metropolitan France: one link per overseas région opens its map, filters kept."""
    if ctx.filters.has_territory:
        return
    st.caption("Outre-mer :")
    columns = st.columns(len(OVERSEAS_REGIONS))
    for column, code in zip(columns, OVERSEAS_REGIONS, strict=True):
        params = ctx.filters.with_territory(region=code).to_query_params()
        column.page_link(PAGES["map"][0], label=ctx.atlas.region_name(code), query_params=params)
