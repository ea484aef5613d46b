"""Builders of the follow-up page (`/suivi`): the quarter-by-quarter series of `geo.timeline.follow_up` as French
tables (shown and exported as they are) and Altair charts (drawn on screen, rendered as pictures by `ui.images`).
Data in, frames and charts out, no side effects."""

from __future__ import annotations

import altair as alt
import pandas as pd

from geo import fr
from geo.schema import THEMES
from geo.timeline import FollowUp, Pace
from ui.charts import COUNT_AXIS, NO_MENU, _base, _done, empty_chart

QUARTER_LABELS = {  # FollowUp.quarters column -> French header (screen and exports)
    "libelle": "Trimestre", "fin": "État au", "qpv": "QPV", "regies": "Régies", "qpv_couverts": "QPV couverts",
    "qpv_avec_partenariat": "QPV avec partenariat", "partenariats": "Partenariats connus",
    "partenariats_actifs": "Partenariats actifs", "partenariats_commences": "Partenariats commencés",
    "partenariats_termines": "Partenariats terminés", "declinaisons_signees": "Déclinaisons signées"}
THEME_LABELS = {"libelle": "Trimestre", "label": "Thème", "partenariats_actifs": "Partenariats actifs",
                "partenariats_commences": "Partenariats commencés", "partenariats_termines": "Partenariats terminés"}
REGION_LABELS = {"libelle": "Trimestre", "lib_reg": "Région", "qpv": "QPV", "qpv_couverts": "QPV couverts",
                 "qpv_avec_partenariat": "QPV avec partenariat", "partenariats_actifs": "Partenariats actifs",
                 "partenariats_commences": "Partenariats commencés", "partenariats_termines": "Partenariats terminés",
                 "declinaison_signee": "Déclinaison signée"}
PACE_LABELS = {"lib_reg": "Région", "qpv": "QPV", "qpv_gagnes": "QPV gagnés", "part_gagnee": "Part des QPV gagnée",
               "commences_par_trimestre": "Partenariats commencés par trimestre",
               "indice": "Rythme rapporté au rythme national"}
SERIES = {  # export name -> (FollowUp attribute or "rythme", French headers)
    "suivi-trimestres": ("quarters", QUARTER_LABELS), "suivi-themes": ("themes", THEME_LABELS),
    "suivi-regions": ("regions", REGION_LABELS), "suivi-rythme-regions": ("rythme", PACE_LABELS)}
NO_QUARTER = "Aucun trimestre entre la date de référence et la date choisie."


def series_table(frame: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """The columns of `labels`, under their French headers, values kept typed (exports stay numbers)."""
    out = frame[list(labels)].rename(columns=labels)
    for column in out.columns:
        if out[column].dtype == bool:
            out[column] = out[column].map({True: "oui", False: "non"})
    return out.reset_index(drop=True)


def series_tables(follow: FollowUp, regional_pace: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every series of the page, as exported: name -> French table."""
    frames = {"quarters": follow.quarters, "themes": follow.themes, "regions": follow.regions,
              "rythme": regional_pace}
    return {name: series_table(frames[attribute], labels) for name, (attribute, labels) in SERIES.items()}


def pace_sentence(found: Pace | None, where: str) -> str:
    """« Sur les 4 derniers trimestres, … » in French, or why there is none."""
    if found is None:
        return f"{where} : un seul trimestre suivi, pas encore de rythme à mesurer."
    per_quarter = fr.nombre(found.qpv_gagnes_par_trimestre, 1)
    started = fr.nombre(found.commences_par_trimestre, 1)
    return (f"{where}, sur les {fr.pluriel(found.quarters, 'dernier trimestre', 'derniers trimestres')} : "
            f"{fr.pluriel(found.qpv_gagnes, 'QPV gagné', 'QPV gagnés')} par un partenariat ({per_quarter} par "
            f"trimestre), {started} partenariats commencés par trimestre.")


def _long(quarters: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    data = quarters.melt(id_vars=["libelle"], value_vars=list(columns), var_name="serie", value_name="valeur")
    data["serie"] = data["serie"].map(columns)
    data["valeur_fr"] = data["valeur"].map(fr.nombre)
    return data


def _lines(data: pd.DataFrame, order: list[str], title: str, y_title: str, colors: list[str] | None = None,
           color_field: str = "serie") -> alt.Chart:
    scale = alt.Scale(domain=order, range=colors) if colors else alt.Scale(domain=order)
    return _done(_base(data, title).mark_line(point=True).encode(
        x=alt.X("libelle:O", title="Trimestre", sort=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("valeur:Q", title=y_title, axis=COUNT_AXIS),
        color=alt.Color(f"{color_field}:N", title=None, sort=order, scale=scale),
        tooltip=[alt.Tooltip("libelle:O", title="Trimestre"), alt.Tooltip(f"{color_field}:N", title="Série"),
                 alt.Tooltip("valeur_fr:N", title="Nombre")],
    ).properties(height=300))


QPV_SERIES = {"qpv_couverts": "QPV couverts", "qpv_avec_partenariat": "QPV avec partenariat"}
PARTNERSHIP_SERIES = {"partenariats_commences": "Commencés", "partenariats_actifs": "Actifs",
                      "partenariats_termines": "Terminés"}


def qpv_chart(quarters: pd.DataFrame, title: str = "QPV couverts et QPV avec partenariat, par trimestre") -> alt.Chart:
    if quarters.empty:
        return empty_chart(title, NO_QUARTER)
    return _lines(_long(quarters, QPV_SERIES), list(QPV_SERIES.values()), title, "QPV", ["#1f4e79", "#1a7f5a"])


def partnerships_chart(quarters: pd.DataFrame, title: str = "Partenariats commencés, actifs et terminés") -> alt.Chart:
    if quarters.empty:
        return empty_chart(title, NO_QUARTER)
    return _lines(_long(quarters, PARTNERSHIP_SERIES), list(PARTNERSHIP_SERIES.values()), title, "Partenariats",
                  ["#f59e0b", "#1a7f5a", "#6b7280"])


def themes_chart(themes: pd.DataFrame, title: str = "Partenariats actifs par thème") -> alt.Chart:
    if themes.empty:
        return empty_chart(title, NO_QUARTER)
    data = themes.assign(valeur=themes["partenariats_actifs"], valeur_fr=themes["partenariats_actifs"].map(fr.nombre))
    order = [t.label for t in THEMES]
    return _lines(data, order, title, "Partenariats actifs", [t.color for t in THEMES], color_field="label")


def declinations_chart(quarters: pd.DataFrame, title: str = "Déclinaisons régionales signées") -> alt.Chart:
    if quarters.empty:
        return empty_chart(title, NO_QUARTER)
    data = quarters.assign(valeur_fr=quarters["declinaisons_signees"].map(fr.nombre))
    return _done(_base(data, title).mark_line(interpolate="step-after", point=True, color="#7c3aed").encode(
        x=alt.X("libelle:O", title="Trimestre", sort=None, axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("declinaisons_signees:Q", title="Déclinaisons signées", axis=COUNT_AXIS),
        tooltip=[alt.Tooltip("libelle:O", title="Trimestre"), alt.Tooltip("valeur_fr:N", title="Signées")],
    ).properties(height=260))


def regions_small_multiples(regions: pd.DataFrame, title: str = "QPV avec partenariat, région par région"
                            ) -> alt.TopLevelMixin:
    """One small chart per région (same scales): how its QPV with a partnership grew, quarter by quarter."""
    if regions.empty:
        return empty_chart(title, NO_QUARTER)
    data = regions.assign(valeur_fr=regions["qpv_avec_partenariat"].map(fr.nombre))
    order = list(dict.fromkeys(data["lib_reg"]))
    base = alt.Chart(data).mark_area(line=True, color="#1a7f5a", opacity=0.35).encode(
        x=alt.X("libelle:O", title=None, sort=None, axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y("qpv_avec_partenariat:Q", title=None, axis=COUNT_AXIS),
        tooltip=[alt.Tooltip("lib_reg:N", title="Région"), alt.Tooltip("libelle:O", title="Trimestre"),
                 alt.Tooltip("valeur_fr:N", title="QPV avec partenariat")],
    ).properties(width=150, height=80)
    faceted = base.facet(facet=alt.Facet("lib_reg:N", title=None, sort=order,
                                         header=alt.Header(labelFontSize=11, labelLimit=150)), columns=4)
    return faceted.properties(title=alt.Title(title, anchor="start", fontSize=15), usermeta=NO_MENU) \
        .configure_view(stroke=None)


def pace_chart(regional_pace: pd.DataFrame, title: str = "Rythme des régions rapporté au rythme national"
               ) -> alt.Chart:
    """Each région's share of QPV gained over the last quarters, over the national share (1 = the national pace)."""
    data = regional_pace.dropna(subset=["indice"])
    if data.empty:
        return empty_chart(title, "Pas de rythme national à comparer (aucun QPV gagné en France sur la période).")
    data = data.assign(valeur_fr=data["indice"].map(lambda v: fr.nombre(v, 2)),
                       position=(data["indice"] >= 1).map({True: "au moins le rythme national",
                                                            False: "en dessous du rythme national"}))
    order = list(data.sort_values("indice", ascending=False)["lib_reg"])
    bars = alt.Chart(data).mark_bar().encode(
        y=alt.Y("lib_reg:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
        x=alt.X("indice:Q", title="Indice (1 = rythme national)"),
        color=alt.Color("position:N", title=None, scale=alt.Scale(
            domain=["au moins le rythme national", "en dessous du rythme national"], range=["#1a7f5a", "#f59e0b"])),
        tooltip=[alt.Tooltip("lib_reg:N", title="Région"), alt.Tooltip("valeur_fr:N", title="Indice")])
    rule = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#111827", strokeDash=[4, 3]).encode(x="x:Q")
    return _done(alt.layer(bars, rule, title=_base(data, title).title).properties(
        width="container", height=30 + 24 * len(data)))
