"""The convention over time for the pages: the status history (journal and, in the demo, its generated past), the
reference day and the quarter-by-quarter follow-up, computed once per data, filters and days and shared by every
session; the follow-up's charts as Vega-Lite specs and as pictures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec  # Streamlit is pinned

import settings
from dashboard import data
from dashboard.images import CHART_FILES, MIME, source_line
from dashboard.page import PageContext
from geo import timeline
from geo.filters import Filters
from ui import bilan, images, suivi
from ui.exports import file_name, territory_name
from ui.filters_text import describe


@data.shared_cache(show_spinner=False, max_entries=2)
def _history(source: data.Source) -> pd.DataFrame:
    journal = timeline.journal_history(data.store().status_history("partenariats"))
    demo, _ = timeline.read_demo_history(data.loaded().datasets)
    return timeline.combined_history(demo, journal)


def history() -> pd.DataFrame:
    """Every recorded status change of the partnerships, in event order (`geo.timeline.combined_history`)."""
    return _history(data.source())


def reference() -> timeline.Reference:
    """The day progress is measured from (the deployment's signature date, else the demo's own)."""
    current = settings.current()
    return timeline.reference_day(current.signature_date, current.signature_date_unread,
                                  data.loaded().datasets.manifest)


@data.shared_cache(show_spinner="Calcul du suivi trimestriel…", max_entries=32)
def _follow(source: data.Source, filters: Filters, start: date, day: date) -> tuple[timeline.FollowUp, pd.DataFrame]:
    atlas, declinaisons = data.current_atlas(), data.loaded().datasets.declinaisons
    follow = timeline.follow_up(atlas, declinaisons, filters, start, day, _history(source))
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
    return _convert_altair_to_vega_lite_spec(CHARTS[name][0](*_follow(source, filters, start, day)))


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
    return bilan.bilan_files(data.current_atlas(), data.loaded().datasets, filters, year, today, _history(source),
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
