"""The app's own French buttons for pictures and slide decks: the current map as PNG (1920 × 1080, A4) or SVG,
each chart as PNG or SVG with its caption, the territory's deck as PowerPoint or PDF.

A file is made when its button is clicked (the button's data is a callable), then kept once per process for the
same request: bytes never change, so every session asking the same picture the same day shares them. The
callables run outside the page's run: everything they need from the session is computed before and passed in.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.chart_specs import CHARTS
from dashboard.map_state import MapView
from dashboard.page import PageContext
from geo import fr
from geo.filters import Filters
from ui import deck, images
from ui.declinaisons import DECLINATION_LABELS, for_export
from ui.exports import file_name, scope_name, territory_name
from ui.filters_text import describe
from ui.tables import source_line, source_lines

MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"}
# label, size, format, file kind
MAP_FILES = (("Image PNG 1920 × 1080", "1920x1080", "png", "carte"),
             ("Image PNG A4 (paysage)", "a4", "png", "carte-a4"),
             ("Image SVG", "1920x1080", "svg", "carte"))
CHART_FILES = (("Image PNG", "png"), ("Image SVG", "svg"))
# chart name (dashboard.chart_specs.CHARTS) -> what its file is called
CHART_KINDS = {"themes": "graphique-themes", "starts": "graphique-demarrages", "regions": "graphique-regions",
               "coverage": "graphique-couverture", "theme_region": "graphique-themes-regions",
               "statuts": "graphique-statuts", "familles": "graphique-familles", "organismes": "graphique-organismes",
               "timeline": "graphique-calendrier", "theme_mix": "graphique-themes-compares"}


def declination_table(filters: Filters, region: str) -> pd.DataFrame | None:
    """The région's declination of the convention as a two-column table (one row per field), or None when the
    `declinaisons` file has no row for it."""
    if region not in set(data.loaded().datasets.declinaisons["insee_reg"]):
        return None
    row = data.declination_table(filters)
    shown = for_export(row[row["insee_reg"] == region], DECLINATION_LABELS).iloc[0]
    return pd.DataFrame({"": [str(label) for label in shown.index],
                         "Déclinaison régionale": [fr.cellule(value) for value in shown.to_numpy()]})


@data.shared_cache(show_spinner=False, max_entries=32)
def _map_file(source: tuple, filters: Filters, measure: str, show_regies: bool, size: str, fmt: str, title: str,
              filters_text: str, day: date, line: str, demo: bool) -> bytes:
    return images.map_image(data.selection(filters), measure, size=size, fmt=fmt, title=title,
                            filters_text=filters_text, date=day, source=line, demo=demo, show_regies=show_regies)


@data.shared_cache(show_spinner=False, max_entries=128)
def _chart_file(source: tuple, filters: Filters, name: str, args: tuple, fmt: str, caption: str) -> bytes:
    chart = CHARTS[name](data.chart_data(filters), *args)
    return images.chart_image(chart, fmt, caption=caption)


@data.shared_cache(show_spinner=False, max_entries=16)
def _deck_file(source: tuple, filters: Filters, territory: str, region: str | None, fmt: str, day: date,
               line: str, sources: tuple[str, ...], demo: bool) -> bytes:
    declination = declination_table(filters, region) if region else None
    return deck.territory_deck(data.selection(filters), data.selection(Filters(date=filters.date)), fmt=fmt,
                               territory=territory, date=day, source=line, sources=sources, demo=demo,
                               declination=declination)


def map_export(ctx: PageContext, view: MapView) -> None:
    """"Exporter la carte": the map as on screen (filters, colour measure, régies shown or not) as pictures."""
    today, where = ctx.filters.date or date.today(), territory_name(ctx.filters, ctx.atlas)
    request = (data.source(), ctx.filters, view.measure, "regies" in view.layers)
    text = (f"Carte des coopérations : {where}", describe(ctx.filters, ctx.atlas), today, source_line(ctx.datasets),
            ctx.datasets.is_demo)
    with st.popover("Exporter la carte", icon=":material/download:"):
        for label, size, fmt, kind in MAP_FILES:
            st.download_button(label, lambda size=size, fmt=fmt: _map_file(*request, size, fmt, *text),
                               file_name=file_name(kind, scope_name(ctx.filters, ctx.atlas), today, fmt),
                               mime=MIME[fmt], on_click="ignore",
                               icon=":material/image:", width="stretch", key=f"carte-{size}-{fmt}")


def chart_export(ctx: PageContext, name: str, args: tuple) -> None:
    """A small "Image" menu under a chart: PNG or SVG of the same chart, captioned with filters, date and source."""
    today = ctx.filters.date or date.today()  # the day the data are seen at
    caption = images.caption_text(describe(ctx.filters, ctx.atlas), today, source_line(ctx.datasets),
                                  ctx.datasets.is_demo)
    where = scope_name(ctx.filters, ctx.atlas)
    request = (data.source(), ctx.filters, name, args)
    with st.popover("Image", icon=":material/image:"):
        for label, fmt in CHART_FILES:
            st.download_button(label, lambda fmt=fmt: _chart_file(*request, fmt, caption),
                               file_name=file_name(CHART_KINDS[name], where, today, fmt), mime=MIME[fmt],
                               on_click="ignore", width="stretch", key=f"image-{name}-{fmt}")


def deck_buttons(ctx: PageContext, territory: str, region: str | None, labels: tuple[str, str], columns) -> None:
    """PowerPoint and PDF decks of the selection named `territory`, with the declination of `region` when the
    data has one; `labels` and `columns` of the two buttons."""
    today = ctx.filters.date or date.today()  # the day the data are seen at
    line, sources = source_line(ctx.datasets), source_lines(ctx.datasets)
    where = scope_name(ctx.filters, ctx.atlas)
    kind = "diaporama-portrait" if region else "diaporama"  # the portrait's deck adds its declination slide
    request = (data.source(), ctx.filters, territory, region)
    for column, label, fmt in zip(columns, labels, ("pptx", "pdf"), strict=True):
        column.download_button(
            label, lambda fmt=fmt: _deck_file(*request, fmt, today, line, sources, ctx.datasets.is_demo),
            file_name=file_name(kind, where, today, fmt), mime=MIME[fmt], on_click="ignore",
            icon=":material/slideshow:", width="stretch", key=f"diaporama-{fmt}")
