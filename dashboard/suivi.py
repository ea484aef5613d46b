"""The convention over time for the pages: the status history (journal and, in the demo, its generated past), the
reference day and the quarter-by-quarter follow-up, computed once per data, filters and days and shared by every
session; the follow-up's charts as Vega-Lite specs and as pictures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

import settings
from dashboard import data
from dashboard.chart_specs import vega_lite_spec
from dashboard.images import CHART_FILES, MIME, source_line
from dashboard.page import PageContext
from dashboard.url_state import set_filters
from geo import timeline
from geo.filters import Filters
from geo.indicators import kpis
from ui import bilan, images, suivi
from ui.exports import file_name, territory_name
from ui.filters_text import describe


def reference() -> timeline.Reference:
    """The day progress is measured from (the deployment's signature date, else the demo's own)."""
    current = settings.current()
    return timeline.reference_day(current.signature_date, current.signature_date_unread,
                                  data.loaded().datasets.manifest)


@data.shared_cache(show_spinner="Calcul du suivi trimestriel…", max_entries=32)
def _follow(source: data.Source, filters: Filters, start: date, day: date) -> tuple[timeline.FollowUp, pd.DataFrame]:
    atlas, declinaisons = data.current_atlas(), data.loaded().datasets.declinaisons
    follow = timeline.follow_up(atlas, declinaisons, filters, start, day, data._history(source))
    national = follow if not filters.is_active else _follow(source, Filters(), start, day)[0]
    return follow, timeline.regional_pace(follow, national.quarters)


def follow(filters: Filters, start: date, day: date) -> tuple[timeline.FollowUp, pd.DataFrame]:
    """The follow-up of these filters from `start`'s quarter to `day`'s, and each région's pace against the
    national one; read-only."""
    return _follow(data.source(), filters, start, day)


# name -> (chart of the follow-up and the regional pace, file kind)
CHARTS: dict[str, tuple[Callable[[timeline.FollowUp, pd.DataFrame], alt.TopLevelMixin], str]] = {
    "qpv": (lambda f, p: suivi.qpv_chart(f.quarters), "suivi-qpv"),
    "partenariats": (lambda f, p: suivi.partnerships_chart(f.quarters), "suivi-partenariats"),
    "themes": (lambda f, p: suivi.themes_chart(f.themes), "suivi-themes"),
    "regions": (lambda f, p: suivi.regions_small_multiples(f.regions), "suivi-regions"),
    "declinaisons": (lambda f, p: suivi.declinations_chart(f.quarters), "suivi-declinaisons"),
    "rythme": (lambda f, p: suivi.pace_chart(p), "suivi-rythme"),
}


@data.shared_cache(show_spinner=False, max_entries=256)
def _spec(source: data.Source, filters: Filters, start: date, day: date, name: str) -> dict:
    return vega_lite_spec(CHARTS[name][0](*_follow(source, filters, start, day)))


@data.shared_cache(show_spinner=False, max_entries=64)
def _chart_file(source: data.Source, filters: Filters, start: date, day: date, name: str, fmt: str,
                caption: str) -> bytes:
    return images.chart_image(CHARTS[name][0](*_follow(source, filters, start, day)), fmt, caption=caption)


def follow_chart(ctx: PageContext, name: str, start: date, day: date) -> None:
    """The follow-up chart `name`, from the shared cache, with its French « Image » menu (PNG, SVG) except when
    presenting."""
    request = (data.source(), ctx.filters, start, day, name)
    st.vega_lite_chart(_spec(*request), width="stretch")
    if ctx.presenting:
        return
    caption = images.caption_text(describe(ctx.filters, ctx.atlas), day, source_line(ctx.datasets),
                                  ctx.datasets.is_demo)
    where = territory_name(ctx.filters, ctx.atlas)
    with st.popover("Image", icon=":material/image:"):
        for label, fmt in CHART_FILES:
            st.download_button(label, lambda fmt=fmt: _chart_file(*request, fmt, caption),
                               file_name=file_name(CHARTS[name][1], where, day, fmt), mime=MIME[fmt],
                               on_click="ignore", width="stretch", key=f"image-suivi-{name}-{fmt}")


@data.shared_cache(show_spinner="Préparation du bilan annuel…", max_entries=8)
def _bilan_file(source: data.Source, filters: Filters, year: int, today: date, fmt: str) -> bytes:
    first, last = timeline.year_bounds(year, today)
    changes = timeline.journal_changes(data.store(), first + timeline.ONE_DAY, last)
    return bilan.bilan_files(data.current_atlas(), data.loaded().datasets, filters, year, today, data._history(source),
                             changes, reference(), formats=(fmt,))[fmt]


def bilan_buttons(ctx: PageContext, year: int) -> None:
    """« Bilan annuel » of `year` for the page's filters, as PowerPoint and PDF, made when clicked."""
    today, where = date.today(), territory_name(ctx.filters, ctx.atlas)
    request = (data.source(), ctx.filters, year, today)
    for column, (label, fmt) in zip(st.columns([1, 1, 3])[:2], (("PowerPoint", "pptx"), ("PDF", "pdf")),
                                    strict=True):
        column.download_button(label, lambda fmt=fmt: _bilan_file(*request, fmt),
                               file_name=file_name(f"bilan-{year}", where, today, fmt), mime=MIME[fmt],
                               on_click="ignore", icon=":material/summarize:", width="stretch", key=f"bilan-{fmt}")


def progress_since(ctx: PageContext) -> tuple[timeline.Progress | None, str]:
    """The page's key figures at the reference day and at the page's day, and « depuis la signature » (None, ""
    without a reference day, or when the page's day precedes it)."""
    ref = reference()
    day = ctx.filters.date or date.today()
    if ref.day is None or ref.day >= day:
        return None, ""
    then = data.selection(replace(ctx.filters, date=ref.day))
    declined = data.declination_table(replace(ctx.filters, date=ref.day)), data.declination_table(ctx.filters)
    signed = [int((table["statut"] == timeline.SIGNEE).sum()) if len(table) else 0 for table in declined]
    return (timeline.Progress(ref.day, day, kpis(then), kpis(ctx.selection), *signed),
            f"depuis {ref.label.replace('la signature (date de démonstration)', 'la signature (démo)')}")


@data.shared_cache(show_spinner=False, max_entries=32)
def _region_changes(source: data.Source, filters: Filters, reference_day: date) -> pd.DataFrame:
    return timeline.compare_regions_between(data._state(source, reference_day),
                                            data._state(source, filters.date or date.today()), filters)


def region_changes(filters: Filters, reference_day: date) -> pd.DataFrame:
    """The régions side by side at the filters' day with `evolution_*` columns since `reference_day`; read-only."""
    return _region_changes(data.source(), filters, reference_day)


def _step_year(filters: Filters, year: int) -> None:
    """Button callback: the filters at the end of `year` (today for the year under way) become the URL."""
    set_filters(replace(filters, date=None if year >= date.today().year else date(year, 12, 31)))


def year_steps(ctx: PageContext) -> None:
    """Presentation mode on the map: the year shown in large type (« 2025 ») and the ↑ ↓ keys stepping from year
    to year (the end of each year; the year under way: today); each year's view is in the URL (`date=`)."""
    first = timeline.first_start(ctx.atlas)
    today = date.today()
    years = list(range(first.year if first is not None else today.year, today.year + 1))
    shown = (ctx.filters.date or today).year
    label, previous, following = st.columns([4, 1, 1], vertical_alignment="center")
    label.markdown(f"## « {shown} »")
    previous.button("Année précédente", icon=":material/arrow_upward:", shortcut="Up", key="annee-precedente",
                    disabled=shown <= years[0], on_click=_step_year, args=(ctx.filters, shown - 1), width="stretch")
    following.button("Année suivante", icon=":material/arrow_downward:", shortcut="Down", key="annee-suivante",
                     disabled=shown >= years[-1], on_click=_step_year, args=(ctx.filters, shown + 1),
                     width="stretch")
