"""Slide deck of the current territory: PowerPoint (python-pptx, 16:9) and the same slides as a PDF (matplotlib).

`deck_content` gathers everything once (figures, map and chart pictures, tables); `deck_pptx` and `deck_pdf` lay
it out. Pictures are PNG (PowerPoint does not take SVG), rendered on the server by `ui.images`; tables are native
PowerPoint tables. Text from data files is stripped of the control characters XML cannot hold, and drawn as
written in the PDF (`ui.images.PLAIN_TEXT`: no mathematics, no TeX).
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.image
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from geo import fr, indicators
from geo.filters import Selection
from geo.schema import THEME_BY_SLUG
from ui import charts, images, maps
from ui.filters_text import describe
from ui.tables import territory_figures

SLIDE_W, SLIDE_H = 13.333, 7.5  # inches, 16:9
TOP_PARTNERSHIPS = 8
INK = RGBColor(0x11, 0x18, 0x27)
MUTED = RGBColor(0x4B, 0x55, 0x63)
DEMO = RGBColor(0xB4, 0x53, 0x09)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(value: object) -> str:
    return _CONTROL.sub("", str(value))


@dataclass(frozen=True)
class DeckContent:
    territory: str
    subtitle: str  # filters and date
    demo: bool
    figures: pd.DataFrame  # Indicateur, Territoire, France, Part de la France (French formatted)
    map_title: str
    map_png: bytes
    chart_title: str
    chart_png: bytes
    partnerships: pd.DataFrame  # the largest partnerships, French formatted
    declination: pd.DataFrame | None
    sources: tuple[str, ...]

    @property
    def slide_titles(self) -> list[str]:
        titles = [f"Carte des coopérations : {self.territory}", f"Chiffres clés : {self.territory} et la France",
                  self.map_title, self.chart_title, "Principaux partenariats (par montant engagé)"]
        if self.declination is not None:
            titles.append("Déclinaison régionale")
        return [*titles, "Sources"]


def top_partnerships(sel: Selection, limit: int = TOP_PARTNERSHIPS) -> pd.DataFrame:
    """The selection's partnerships with the largest amount (then insertion hours, then identifier)."""
    parts = sel.partenariats.assign(
        _montant=pd.to_numeric(sel.partenariats["montant_eur"], errors="coerce").fillna(0),
        _heures=pd.to_numeric(sel.partenariats["heures_insertion"], errors="coerce").fillna(0))
    top = parts.sort_values(["_montant", "_heures", "id_partenariat"], ascending=[False, False, True]).head(limit)
    return pd.DataFrame({
        "Régie": top["nom_regie"].map(_clean),
        "Organisme HLM": top["nom_organisme"].map(_clean),
        "Thèmes": [", ".join(THEME_BY_SLUG[s].short for s in slugs or [] if s in THEME_BY_SLUG)
                   for slugs in top["themes"]],
        "Statut": top["statut"].map(_clean),
        "Début": top["date_debut"].map(fr.date_fr),
        "Montant": top["montant_eur"].map(fr.euros),
    }).reset_index(drop=True)


def territory_name(sel: Selection) -> str:
    """The territory the filters ask for, "France entière" without one."""
    atlas, filters = sel.atlas, sel.filters
    if filters.departements:
        return ", ".join(atlas.departement_name(c) for c in filters.departements)
    if filters.regions:
        return ", ".join(atlas.region_name(c) for c in filters.regions)
    return "France entière"


def deck_content(sel: Selection, national: Selection, *, territory: str | None = None, date=None,
                 source: str = images.DEFAULT_SOURCE, sources: Sequence[str] = (), demo: bool = False,
                 measure: str = "coverage", declination: pd.DataFrame | None = None) -> DeckContent:
    """Everything the deck shows for the selection `sel` compared with `national` (the unfiltered selection).

    `sources`: one line per dataset for the sources slide; `declination`: the regional declination of the
    convention as a table (columns as headers), adding its slide when given.
    """
    name = territory or territory_name(sel)
    filters_text = describe(sel.filters, sel.atlas)
    subtitle = filters_text + (f" · données au {fr.date_fr(date)}" if date is not None else "")
    map_png = images.map_image(sel, measure, title=f"Carte des coopérations : {name}", filters_text=filters_text,
                               date=date, source=source, demo=demo)
    if sel.filters.has_territory:
        chart = charts.theme_mix_chart(indicators.compare_theme_mix(sel, national), name,
                                       "Thèmes : territoire et France")
    else:
        chart = charts.theme_bar(indicators.partnerships_by_theme(sel))
    chart_png = images.chart_image(chart, "png", caption=images.caption_text(filters_text, date, source, demo))
    return DeckContent(
        territory=name, subtitle=subtitle, demo=demo,
        figures=territory_figures(indicators.kpis(sel), indicators.kpis(national)),
        map_title=f"Carte : {maps.MEASURES[measure].lower()}", map_png=map_png,
        chart_title="Thèmes des partenariats", chart_png=chart_png,
        partnerships=top_partnerships(sel), declination=declination,
        sources=tuple(_clean(s) for s in (*sources, source)),
    )


def territory_deck(sel: Selection, national: Selection, *, fmt: str = "pptx", **options) -> bytes:
    """The deck of the current territory as PPTX or PDF bytes (`options`: see `deck_content`)."""
    if fmt not in ("pptx", "pdf"):
        raise ValueError(f"unknown format {fmt!r}")
    content = deck_content(sel, national, **options)
    return deck_pptx(content) if fmt == "pptx" else deck_pdf(content)


# --- PowerPoint ------------------------------------------------------------------------------------------------


def _text(slide, text: str, left: float, top: float, width: float, height: float, size: int,
          color: RGBColor = INK, bold: bool = False) -> None:
    frame = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height)).text_frame
    frame.word_wrap = True
    for i, line in enumerate(_clean(text).split("\n")):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, color


def _slide(prs, title: str, demo: bool):
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only": the title stays a real title
    slide.shapes.title.text = _clean(title)
    slide.shapes.title.text_frame.paragraphs[0].runs[0].font.size = Pt(28)
    title_shape = slide.shapes.title
    title_shape.left, title_shape.top = Inches(0.4), Inches(0.2)
    title_shape.width, title_shape.height = Inches(SLIDE_W - 0.8), Inches(0.9)
    if demo:
        _text(slide, images.DEMO_TEXT, SLIDE_W - 4.2, SLIDE_H - 0.45, 3.9, 0.35, 11, DEMO, bold=True)
    return slide


def _table(slide, frame: pd.DataFrame, top: float, size: int = 12) -> None:
    rows, cols = len(frame) + 1, len(frame.columns)
    shape = slide.shapes.add_table(rows, cols, Inches(0.4), Inches(top), Inches(SLIDE_W - 0.8),
                                   Inches(0.4 * rows))
    table = shape.table
    for j, column in enumerate(frame.columns):
        table.cell(0, j).text = _clean(column)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            table.cell(i, j).text = _clean("" if value is None else value)
    for cell in (table.cell(i, j) for i in range(rows) for j in range(cols)):
        for paragraph in cell.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(size)


def _picture(slide, png: bytes, top: float = 1.15) -> None:
    """The picture as large as the slide allows under the title, centred, aspect kept."""
    width_px, height_px = matplotlib.image.imread(io.BytesIO(png)).shape[1::-1]
    max_w, max_h = SLIDE_W - 0.8, SLIDE_H - top - 0.5
    scale = min(max_w / width_px, max_h / height_px)
    width, height = width_px * scale, height_px * scale
    slide.shapes.add_picture(io.BytesIO(png), Inches((SLIDE_W - width) / 2), Inches(top), Emu(int(Inches(width))),
                             Emu(int(Inches(height))))


def deck_pptx(content: DeckContent) -> bytes:
    """The deck as a PowerPoint file: title, key figures, map, themes, partnerships, declination, sources."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    prs.core_properties.title = _clean(content.slide_titles[0])
    titles = iter(content.slide_titles)

    first = prs.slides.add_slide(prs.slide_layouts[0])
    first.shapes.title.text = _clean(next(titles))
    first.placeholders[1].text = _clean(content.subtitle)
    if content.demo:
        _text(first, f"{images.DEMO_TEXT} : chiffres et périmètres fictifs, ils ne décrivent pas la réalité.",
              1.0, SLIDE_H - 1.3, SLIDE_W - 2.0, 0.6, 16, DEMO, bold=True)

    _table(_slide(prs, next(titles), content.demo), content.figures, 1.3)
    _picture(_slide(prs, next(titles), content.demo), content.map_png)
    _picture(_slide(prs, next(titles), content.demo), content.chart_png)
    slide = _slide(prs, next(titles), content.demo)
    if len(content.partnerships):
        _table(slide, content.partnerships, 1.3, size=11)
    else:
        _text(slide, "Aucun partenariat dans la sélection.", 0.4, 1.3, 8, 0.5, 16, MUTED)
    if content.declination is not None:
        _table(_slide(prs, next(titles), content.demo), _formatted(content.declination), 1.3, size=11)
    _text(_slide(prs, next(titles), content.demo), "\n".join(content.sources), 0.4, 1.3, SLIDE_W - 0.8, 5.5, 14)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def _formatted(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers in French (`13 000`), everything else as text."""
    return frame.apply(lambda col: col.map(fr.nombre) if pd.api.types.is_numeric_dtype(col) else col.map(_clean))


# --- PDF -------------------------------------------------------------------------------------------------------


def _page(title: str, demo: bool) -> Figure:
    fig = Figure(figsize=(SLIDE_W, SLIDE_H), dpi=150, facecolor="white")
    fig.text(0.03, 0.93, _clean(title), fontsize=24, fontweight="bold", color="#111827", fontfamily=images.FONT,
             va="center", **images.PLAIN_TEXT)
    if demo:
        fig.text(0.97, 0.03, images.DEMO_TEXT, fontsize=11, fontweight="bold", color=images.DEMO_COLOR, ha="right",
                 fontfamily=images.FONT)
    return fig


def _pdf_table(fig: Figure, frame: pd.DataFrame, size: int = 11) -> None:
    ax = fig.add_axes((0.03, 0.08, 0.94, 0.78))
    ax.set_axis_off()
    cells = [["" if v is None else _clean(v) for v in row] for row in frame.itertuples(index=False)]
    labels = [_clean(c) for c in frame.columns]
    # Column widths in proportion to their longest text, within the page width.
    longest = [max(len(text) for text in column) + 4 for column in zip(labels, *cells, strict=True)]
    table = ax.table(cellText=cells, colLabels=labels, loc="upper center", cellLoc="left", colLoc="left",
                     colWidths=[n / sum(longest) for n in longest])
    table.auto_set_font_size(False)
    table.set_fontsize(size)
    table.scale(1, 1.6)
    for (row, _), cell in table.get_celld().items():
        cell.PAD = 0.03  # of the cell's width: matplotlib's 0.1 wastes a fifth of a narrow column
        cell.get_text().update(images.PLAIN_TEXT)
        if row == 0:
            cell.set_text_props(fontweight="bold")


def _pdf_picture(fig: Figure, png: bytes) -> None:
    ax = fig.add_axes((0.03, 0.07, 0.94, 0.8))
    ax.set_axis_off()
    ax.imshow(matplotlib.image.imread(io.BytesIO(png)), interpolation="none")  # embedded as is


def deck_pdf(content: DeckContent) -> bytes:
    """The same slides as a PDF, one page each."""
    titles = iter(content.slide_titles)
    pages = []
    first = _page("", content.demo)
    first.text(0.5, 0.6, _clean(next(titles)), fontsize=32, fontweight="bold", ha="center", fontfamily=images.FONT,
               **images.PLAIN_TEXT)
    first.text(0.5, 0.5, textwrap.fill(_clean(content.subtitle), 90), fontsize=16, ha="center", color="#4b5563",
               fontfamily=images.FONT, **images.PLAIN_TEXT)
    pages.append(first)
    figures = _page(next(titles), content.demo)
    _pdf_table(figures, content.figures, 13)
    pages.append(figures)
    for png in (content.map_png, content.chart_png):
        page = _page(next(titles), content.demo)
        _pdf_picture(page, png)
        pages.append(page)
    partnerships = _page(next(titles), content.demo)
    if len(content.partnerships):
        _pdf_table(partnerships, content.partnerships, 10)
    else:
        partnerships.text(0.03, 0.8, "Aucun partenariat dans la sélection.", fontsize=16, fontfamily=images.FONT)
    pages.append(partnerships)
    if content.declination is not None:
        page = _page(next(titles), content.demo)
        _pdf_table(page, _formatted(content.declination), 10)
        pages.append(page)
    sources = _page(next(titles), content.demo)
    sources.text(0.03, 0.84, "\n".join(textwrap.fill(s, 130) for s in content.sources), fontsize=12, va="top",
                 fontfamily=images.FONT, linespacing=1.5, **images.PLAIN_TEXT)
    pages.append(sources)
    out = io.BytesIO()
    with PdfPages(out, metadata={"Title": _clean(content.slide_titles[0]), "CreationDate": None}) as pdf:
        for page in pages:
            pdf.savefig(page)
    return out.getvalue()
