"""Chart builders (Altair): an indicator table in, a chart out, no side effects.

Streamlit renders Vega-Lite with its own bundled scripts, so charts need no network. Vega's default locale is
English, so every number shown is French through `geo.fr`: labels and tooltips are pre-formatted columns, axis
ticks and legends use the Vega expressions `geo.fr` writes.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from geo import fr
from geo.schema import FAMILLE_LABELS, STATUTS, THEMES

STATUT_COLORS = {"en projet": "#f59e0b", "en cours": "#1a7f5a", "terminé": "#6b7280"}
FONT = "Source Sans Pro, sans-serif"
NO_PARTNERSHIP = "Aucun partenariat dans la sélection : élargissez les filtres."
# Streamlit sizes charts with autosize "fit": a height includes the title (about 30 px), the x axis with its
# labels and title (about 50 px) and padding, hence the fixed part; 90 left a single bar no height at all.
CHROME_PX = 130
SUBTITLE_LINE_PX = 18


def _height(rows: int, step: int) -> int:
    return CHROME_PX + step * max(rows, 1)


PERCENT_AXIS = alt.Axis(format="%", labelExpr=fr.vega_pourcentage("datum.value"))
COUNT_AXIS = alt.Axis(format="d", tickMinStep=1, labelExpr=fr.vega_nombre("datum.value"))
COUNT_LEGEND = alt.Legend(format="d", labelExpr=fr.vega_nombre("datum.value"))


# Room to the right of the longest bar for its value label ("356 (54,8 %)"), as a share of the longest bar per
# character of the longest label: a 12-character label then fits a half-column chart (plot about 250 px wide).
LABEL_ROOM_PER_CHAR = 0.05
# The chart menu's entries are English ("Save as PNG", "Show data", "Copy Vega-Lite spec"), and Streamlit
# honours vega-embed's options from the spec's usermeta: the pages offer their own French downloads instead.
NO_MENU = {"embedOptions": {"actions": False}}
# Vega places a vertical axis title by its own estimate of the text's size: the browser's glyphs reach a few pixels
# further left, out of the chart (tests/browser/test_french.py::test_no_chart_label_is_cut). Room for them.
PADDING = {"left": 10, "top": 5, "right": 5, "bottom": 5}
# The one definition of « Part des partenariats » (`geo.indicators.partnerships_by_theme`), under every theme chart.
SHARE_LABEL = "Part des partenariats"
# Short lines: the chart may have half a page (360 px) and Vega does not wrap a subtitle.
SHARE_NOTE = [f"{SHARE_LABEL} : partenariats portant le thème",
              "÷ partenariats du périmètre.",
              "Un partenariat peut porter plusieurs thèmes :",
              "ensemble, les parts dépassent 100 %."]


def _title(title: str, subtitle: list[str] | None = None) -> alt.Title:
    extra = {"subtitle": subtitle, "subtitleFont": FONT, "subtitleFontSize": 12, "subtitleColor": "#4b5563"} \
        if subtitle else {}
    return alt.Title(title, anchor="start", fontSize=15, font=FONT, limit=0, **extra)


def _base(data: pd.DataFrame, title: str, subtitle: list[str] | None = None) -> alt.Chart:
    return alt.Chart(data, title=_title(title, subtitle)).properties(width="container")


def _done(chart) -> alt.TopLevelMixin:
    return chart.properties(usermeta=NO_MENU, padding=PADDING)


def empty_chart(title: str, reason: str) -> alt.Chart:
    """What a chart draws when its selection has nothing to show: its title and why, never a blank frame."""
    data = pd.DataFrame({"message": [reason]})
    return _done(_base(data, title).mark_text(fontSize=13, color="#4b5563", font=FONT, align="left", x=0).encode(
        text="message:N").properties(height=80))


def _room(data: pd.DataFrame, value: str, label: str = "valeur", minimum: float = 1.0) -> alt.Scale:
    """An x scale from 0 that leaves the `label` column's texts room to the right of the longest bar."""
    room = max(0.2, LABEL_ROOM_PER_CHAR * max((len(str(v)) for v in data[label]), default=0))
    return alt.Scale(domain=[0, max(float(data[value].max() or 0), minimum) * (1 + room)], nice=False)


def _with_labels(frame: pd.DataFrame, count: str = "partenariats", share: str | None = "part") -> pd.DataFrame:
    out = frame.copy()
    out["valeur"] = out[count].map(fr.nombre)
    if share and share in out:
        out["valeur"] = out["valeur"] + " (" + out[share].map(fr.pourcentage) + ")"
    return out


def theme_bar(by_theme: pd.DataFrame, title: str = "Partenariats par thème") -> alt.Chart:
    """Horizontal bars, one per theme in the convention's order, in the theme's colour, labelled "count (share)";
    the subtitle defines the share (`SHARE_NOTE`)."""
    if not by_theme["partenariats"].sum():
        return empty_chart(title, NO_PARTNERSHIP)
    data = _with_labels(by_theme)
    order = [t.short for t in THEMES]
    bars = _base(data, title, SHARE_NOTE).mark_bar(cornerRadiusEnd=3).encode(
        y=alt.Y("short:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("partenariats:Q", title="Partenariats", axis=COUNT_AXIS, scale=_room(data, "partenariats")),
        color=alt.Color("short:N", scale=alt.Scale(domain=order, range=[t.color for t in THEMES]), legend=None),
        tooltip=[alt.Tooltip("label:N", title="Thème"),
                 alt.Tooltip("valeur:N", title=f"Partenariats ({SHARE_LABEL.lower()})")],
    )
    text = bars.mark_text(align="left", dx=4, fontSize=12).encode(text="valeur:N", color=alt.value("#111827"))
    return _done((bars + text).properties(height=_height(len(order), 34) + SUBTITLE_LINE_PX * len(SHARE_NOTE)))


def territory_bar(table: pd.DataFrame, name_column: str, title: str, count: str = "partenariats",
                  limit: int = 20) -> alt.Chart:
    """Partnerships (or another count) per territory, largest first (the order is given explicitly: a "-x" sort
    of a layered chart lost the bars of a single territory)."""
    data = table[table[count] > 0].sort_values(count, ascending=False, kind="stable").head(limit).copy()
    if data.empty:
        return empty_chart(title, NO_PARTNERSHIP)
    data["valeur"] = data[count].map(fr.nombre)
    bars = _base(data, title).mark_bar(color="#1f4e79", cornerRadiusEnd=3).encode(
        y=alt.Y(f"{name_column}:N", sort=list(data[name_column]), title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X(f"{count}:Q", title="Partenariats", axis=COUNT_AXIS, scale=_room(data, count)),
        tooltip=[alt.Tooltip(f"{name_column}:N", title="Territoire"), alt.Tooltip("valeur:N", title="Nombre")],
    )
    text = bars.mark_text(align="left", dx=4, fontSize=12).encode(text="valeur:N", color=alt.value("#111827"))
    return _done((bars + text).properties(height=_height(len(data), 26)))


def starts_bar(by_year: pd.DataFrame, title: str = "Démarrages de partenariats par année") -> alt.Chart:
    if by_year.empty:
        return empty_chart(title, NO_PARTNERSHIP)
    data = by_year.copy()
    data["valeur"] = data["partenariats"].map(fr.nombre)
    data["annee"] = data["annee"].astype(str)
    bars = _base(data, title).mark_bar(color="#2a9d8f", cornerRadiusTopLeft=3, cornerRadiusTopRight=3).encode(
        x=alt.X("annee:O", title="Année de début", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("partenariats:Q", title="Partenariats", axis=COUNT_AXIS,
                scale=alt.Scale(domain=[0, max(int(data["partenariats"].max()), 1) * 1.15], nice=False)),
        tooltip=[alt.Tooltip("annee:O", title="Année"), alt.Tooltip("valeur:N", title="Partenariats")],
    )
    text = bars.mark_text(dy=-6, fontSize=12).encode(text="valeur:N", color=alt.value("#111827"))
    return _done((bars + text).properties(height=260))


def coverage_rate_bar(coverage: pd.DataFrame, title: str = "Taux de couverture des QPV par région") -> alt.Chart:
    """Share of QPV covered by a régie per région, highest first, with the counts in the tooltip."""
    if coverage.empty:
        return empty_chart(title, "Aucun QPV dans la sélection.")
    data = coverage.sort_values("taux_couverture", ascending=False, kind="stable").copy()
    data["taux"] = data["taux_couverture"].map(fr.pourcentage)
    data["detail"] = data["qpv_couverts"].map(fr.nombre) + " sur " + data["qpv"].map(fr.nombre)
    bars = _base(data, title).mark_bar(color="#1a7f5a", cornerRadiusEnd=3).encode(
        y=alt.Y("lib_reg:N", sort=list(data["lib_reg"]), title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("taux_couverture:Q", title="QPV couverts par une régie", axis=PERCENT_AXIS,
                scale=_room(data, "taux_couverture", "taux", 0.05)),
        tooltip=[alt.Tooltip("lib_reg:N", title="Région"), alt.Tooltip("taux:N", title="Taux"),
                 alt.Tooltip("detail:N", title="QPV couverts")],
    )
    text = bars.mark_text(align="left", dx=4, fontSize=12).encode(text="taux:N", color=alt.value("#111827"))
    return _done((bars + text).properties(height=_height(len(data), 26)))


def statut_bar(by_statut: pd.DataFrame, title: str = "Statut des partenariats") -> alt.Chart:
    if not by_statut["partenariats"].sum():
        return empty_chart(title, NO_PARTNERSHIP)
    data = _with_labels(by_statut)
    bars = _base(data, title).mark_bar(cornerRadiusEnd=3).encode(
        y=alt.Y("statut:N", sort=list(STATUTS), title=None),
        x=alt.X("partenariats:Q", title="Partenariats", axis=COUNT_AXIS, scale=_room(data, "partenariats")),
        color=alt.Color("statut:N", scale=alt.Scale(domain=list(STATUTS), range=list(STATUT_COLORS.values())),
                        legend=None),
        tooltip=[alt.Tooltip("statut:N", title="Statut"), alt.Tooltip("valeur:N", title="Partenariats")],
    )
    text = bars.mark_text(align="left", dx=4, fontSize=12).encode(text="valeur:N", color=alt.value("#111827"))
    return _done((bars + text).properties(height=_height(len(STATUTS), 34)))


def theme_region_heatmap(matrix: pd.DataFrame, title: str = "Thèmes par région") -> alt.Chart:
    """Partnerships of each région carrying each theme; colour by count, count written in the cell. Every theme
    is labelled (no overlap removal) and the régions keep the French order of the table (Île-de-France among
    the I, not after Z as a code-point sort would put it)."""
    if matrix.empty:
        return empty_chart(title, NO_PARTNERSHIP)
    data = matrix.copy()
    data["valeur"] = data["partenariats"].map(fr.nombre)
    data["part_fr"] = data["part"].map(fr.pourcentage)
    order = [t.short for t in THEMES]
    base = _base(data, title).encode(
        x=alt.X("short:N", sort=order, title=None,
                axis=alt.Axis(labelAngle=-35, labelLimit=180, labelOverlap=False, labelAlign="right")),
        y=alt.Y("lib_reg:N", sort=list(dict.fromkeys(data["lib_reg"])), title=None, axis=alt.Axis(labelLimit=220)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("partenariats:Q", title="Partenariats", scale=alt.Scale(scheme="blues"), legend=COUNT_LEGEND),
        tooltip=[alt.Tooltip("lib_reg:N", title="Région"), alt.Tooltip("label:N", title="Thème"),
                 alt.Tooltip("valeur:N", title="Partenariats"),
                 alt.Tooltip("part_fr:N", title=f"{SHARE_LABEL} de la région")],
    )
    text = base.mark_text(fontSize=11).encode(
        text="valeur:N",
        color=alt.condition(alt.datum.partenariats > data["partenariats"].max() / 2, alt.value("white"),
                            alt.value("#111827")) if len(data) else alt.value("#111827"),
    )
    return _done((cells + text).properties(height=_height(data["lib_reg"].nunique(), 30) + 70))


def _quarter(period: pd.Period) -> str:
    return f"{period.year} T{period.quarter}"


def starts_timeline(partenariats: pd.DataFrame, title: str = "Démarrages par trimestre et statut") -> alt.Chart:
    """Starts per quarter, stacked by status: the pace of the convention's roll-out. Every quarter from the first
    start to the last is on the axis, those without start empty: an ordinal axis of the data's quarters alone
    jumped from 2027 T3 to 2029 T2 as if they followed each other."""
    data = partenariats[["date_debut", "statut"]].dropna().copy()
    if data.empty:
        return empty_chart(title, NO_PARTNERSHIP)
    quarters = data["date_debut"].dt.to_period("Q")
    data["periode"] = quarters.map(_quarter)
    data = data.groupby(["periode", "statut"], as_index=False).size().rename(columns={"size": "partenariats"})
    periods = [_quarter(q) for q in pd.period_range(quarters.min(), quarters.max(), freq="Q")]
    data["valeur"] = data["partenariats"].map(fr.nombre)
    return _done(_base(data, title).mark_bar().encode(
        x=alt.X("periode:O", title="Trimestre de début", sort=periods, scale=alt.Scale(domain=periods),
                axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("partenariats:Q", title="Partenariats", axis=COUNT_AXIS, stack=True),
        color=alt.Color("statut:N", title="Statut", sort=list(STATUTS),
                        scale=alt.Scale(domain=list(STATUTS), range=list(STATUT_COLORS.values()))),
        tooltip=[alt.Tooltip("periode:O", title="Trimestre"), alt.Tooltip("statut:N", title="Statut"),
                 alt.Tooltip("valeur:N", title="Partenariats")],
    ).properties(height=280))


def theme_mix_chart(comparison: pd.DataFrame, territory: str, title: str = "Répartition des thèmes") -> alt.Chart:
    """Share of the partnerships carrying each theme in the territory beside the national share (`SHARE_NOTE`).
    The legend stands above the bars: on the right, a long région name left the bars about 50 px in the
    portrait's column."""
    if not comparison["partenariats"].sum():
        return empty_chart(title, NO_PARTNERSHIP)
    rows = []
    for _, row in comparison.iterrows():
        rows.append({"short": row["short"], "ensemble": territory, "part": row["part"],
                     "n": row["partenariats"]})
        rows.append({"short": row["short"], "ensemble": "France", "part": row["part_nationale"],
                     "n": row["partenariats_national"]})
    data = pd.DataFrame(rows)
    data["part_fr"] = data["part"].map(fr.pourcentage) + " (" + data["n"].map(fr.nombre) + ")"
    order = [t.short for t in THEMES]
    return _done(_base(data, title, SHARE_NOTE).mark_bar().encode(
        y=alt.Y("short:N", sort=order, title=None, axis=alt.Axis(labelLimit=160)),
        yOffset=alt.YOffset("ensemble:N", sort=[territory, "France"]),
        x=alt.X("part:Q", title=SHARE_LABEL, axis=PERCENT_AXIS),
        color=alt.Color("ensemble:N", title=None, sort=[territory, "France"],
                        scale=alt.Scale(range=["#1f4e79", "#b6c2d1"]),
                        legend=alt.Legend(orient="top", direction="horizontal", labelLimit=400)),
        tooltip=[alt.Tooltip("short:N", title="Thème"), alt.Tooltip("ensemble:N", title="Périmètre"),
                 alt.Tooltip("part_fr:N", title=f"{SHARE_LABEL} (partenariats)")],
    ).properties(height=_height(len(order), 48) + SUBTITLE_LINE_PX * len(SHARE_NOTE) + 30))


def famille_bar(by_famille: pd.DataFrame, title: str = "Partenariats par famille d'organisme") -> alt.Chart:
    """Partnerships per HLM family (`indicators.by_famille`), in the schema's order, with their share."""
    if not by_famille["partenariats"].sum():
        return empty_chart(title, NO_PARTNERSHIP)
    data = _with_labels(by_famille)
    bars = _base(data, title).mark_bar(color="#7c3aed", cornerRadiusEnd=3).encode(
        y=alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("partenariats:Q", title="Partenariats", axis=COUNT_AXIS, scale=_room(data, "partenariats")),
        tooltip=[alt.Tooltip("label:N", title="Famille"), alt.Tooltip("valeur:N", title="Partenariats")],
    )
    text = bars.mark_text(align="left", dx=4, fontSize=12).encode(text="valeur:N", color=alt.value("#111827"))
    return _done((bars + text).properties(height=_height(len(data), 30)))


def organisme_bar(by_organisme: pd.DataFrame, limit: int = 10,
                  title: str = "Organismes HLM les plus engagés") -> alt.Chart:
    """The `limit` organisms with the most partnerships (`indicators.by_organisme`), largest first."""
    data = by_organisme.head(limit).copy()
    if data.empty:
        return empty_chart(title, NO_PARTNERSHIP)
    data["valeur"] = data["partenariats"].map(fr.nombre)
    data["detail"] = data["regies"].map(lambda n: fr.pluriel(n, "régie"))
    data["famille"] = data["famille"].map(lambda f: FAMILLE_LABELS.get(f, f))
    bars = _base(data, f"{title} ({fr.nombre(len(data))} premiers)").mark_bar(
        color="#1f4e79", cornerRadiusEnd=3).encode(
        y=alt.Y("nom_organisme:N", sort=list(data["nom_organisme"]), title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("partenariats:Q", title="Partenariats", axis=COUNT_AXIS, scale=_room(data, "partenariats")),
        tooltip=[alt.Tooltip("nom_organisme:N", title="Organisme"), alt.Tooltip("famille:N", title="Famille"),
                 alt.Tooltip("valeur:N", title="Partenariats"), alt.Tooltip("detail:N", title="Avec")],
    )
    text = bars.mark_text(align="left", dx=4, fontSize=12).encode(text="valeur:N", color=alt.value("#111827"))
    return _done((bars + text).properties(height=_height(len(data), 26)))
