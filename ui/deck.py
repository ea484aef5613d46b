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
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from geo import fr, indicators
from geo.filters import Selection
from geo.schema import THEME_BY_SLUG
from ui import charts, images, maps
from ui.exports import WHOLE_NATION, territory_name
from ui.filters_text import describe
from ui.tables import territory_figures

SLIDE_W, SLIDE_H = 13.333, 7.5  # inches, 16:9
TOP_PARTNERSHIPS = 8
# python-pptx and matplotlib's PDF backend are imported when a deck is made, not with the pages
# that only show its buttons (issue 20: seconds and ~25 MB of every process's start).
INK = (0x11, 0x18, 0x27)
MUTED = (0x4B, 0x55, 0x63)
DEMO = (0xB4, 0x53, 0x09)
TOP_GAPS = 10
REGIONS_TITLE = "Les régions côte à côte : couverture et écarts"
PARTNERSHIPS_TITLE = "Principaux partenariats (par montant engagé)"
DECLINATION_TITLE = "Déclinaison régionale"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(value: object) -> str:
    return _CONTROL.sub("", str(value))


@dataclass(frozen=True)
class DeckContent:
    territory: str
    subtitle: str  # filters and date
    demo: bool
    figures_title: str
    figures: pd.DataFrame  # Indicateur, then the selection's and the reference's figures (French formatted)
    map_title: str
    map_png: bytes
    chart_title: str
    chart_png: bytes
    regions: pd.DataFrame | None  # a national deck's régions side by side, gaps included
    gaps_title: str
    gaps_note: str  # the gaps' definitions
    gaps: pd.DataFrame  # the most populated QPV without régie nor partnership
    partnerships: pd.DataFrame  # the largest partnerships, French formatted
    declination: pd.DataFrame | None
    sources: tuple[str, ...]

    @property
    def slide_titles(self) -> list[str]:
        titles = [f"Carte des coopérations : {self.territory}", self.figures_title, self.map_title,
                  self.chart_title]
        if self.regions is not None:
            titles.append(REGIONS_TITLE)
        titles += [self.gaps_title, PARTNERSHIPS_TITLE]
        if self.declination is not None:
            titles.append(DECLINATION_TITLE)
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


def region_gaps(sel: Selection) -> pd.DataFrame:
    """The régions of the selection side by side, by name: QPV, coverage rate, the two gaps
    (`indicators.GAP_NOTHING`, `indicators.GAP_NO_PARTNERSHIP`) and partnerships, French formatted."""
    coverage = indicators.coverage_by_region(sel)
    partnerships = indicators.by_region(sel).set_index("insee_reg")["partenariats"]
    return pd.DataFrame({
        "Région": coverage["lib_reg"].map(_clean),
        "QPV": coverage["qpv"].map(fr.nombre),
        "Taux de couverture": coverage["taux_couverture"].map(fr.pourcentage),
        indicators.GAP_NOTHING.title: coverage["qpv_sans_rien"].map(fr.nombre),
        indicators.GAP_NO_PARTNERSHIP.title: (coverage["qpv"] - coverage["qpv_avec_partenariat"]).map(fr.nombre),
        "Partenariats": coverage["insee_reg"].map(partnerships).fillna(0).astype(int).map(fr.nombre),
    })


def gap_slide(sel: Selection, limit: int = TOP_GAPS) -> tuple[str, str, pd.DataFrame]:
    """Title, definitions and table of the gaps' slide: the `limit` most populated QPV without régie nor
    partnership, the count of those without partnership beside."""
    nothing, without = indicators.uncovered_qpv(sel), indicators.qpv_without_partnership(sel)
    top = nothing.head(limit)
    table = pd.DataFrame({"Quartier": top["lib_qp"].map(_clean), "Commune": top["lib_com"].map(_clean),
                          "Département": top["lib_dep"].map(_clean), "Région": top["lib_reg"].map(_clean),
                          "Population": top["population"].map(fr.nombre)})
    gap, other = indicators.GAP_NOTHING, indicators.GAP_NO_PARTNERSHIP
    shown = f"les {fr.nombre(len(top))} plus peuplés ci-dessous" if len(top) < len(nothing) else "tous ci-dessous"
    note = (f"{gap.title} : {gap.definition} ({shown}). {other.title} : {fr.nombre(len(without))}, "
            f"{other.definition}.")
    return f"{gap.title} : {fr.nombre(len(nothing))}", note, table


def deck_content(sel: Selection, national: Selection, *, territory: str | None = None, date=None,
                 source: str = images.DEFAULT_SOURCE, sources: Sequence[str] = (), demo: bool = False,
                 measure: str = "coverage", declination: pd.DataFrame | None = None) -> DeckContent:
    """Everything the deck shows for the selection `sel` compared with `national` (the unfiltered selection).

    `sources`: one line per dataset for the sources slide; `declination`: the regional declination of the
    convention as a table (columns as headers), adding its slide when given.
    """
    name = territory or territory_name(sel.filters, sel.atlas, WHOLE_NATION)
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
    if sel.filters.has_territory:
        figures_title = f"Chiffres clés : {name} et la France"
        figures = territory_figures(indicators.kpis(sel), indicators.kpis(national))
    elif sel.filters.is_active:  # the whole country, filtered: the selection beside all the data
        figures_title = f"Chiffres clés : la sélection et l'ensemble des données ({name})"
        figures = territory_figures(indicators.kpis(sel), indicators.kpis(national),
                                    columns=("Sélection", "Ensemble", "Part de l'ensemble"))
    else:
        figures_title = f"Chiffres clés : {name}"
        figures = territory_figures(indicators.kpis(sel), None)
    gaps_title, gaps_note, gaps = gap_slide(sel)
    return DeckContent(
        territory=name, subtitle=subtitle, demo=demo, figures_title=figures_title, figures=figures,
        map_title=f"Carte : {maps.MEASURES[measure].lower()}", map_png=map_png,
        chart_title="Thèmes des partenariats", chart_png=chart_png,
        regions=None if sel.filters.has_territory else region_gaps(sel),
        gaps_title=gaps_title, gaps_note=gaps_note, gaps=gaps,
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
          color: tuple[int, int, int] = INK, bold: bool = False) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    frame = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height)).text_frame
    frame.word_wrap = True
    for i, line in enumerate(_clean(text).split("\n")):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, RGBColor(*color)


def _slide(prs, title: str, demo: bool):
    from pptx.util import Inches, Pt

    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only": the title stays a real title
    slide.shapes.title.text = _clean(title)
    slide.shapes.title.text_frame.paragraphs[0].runs[0].font.size = Pt(28)
    title_shape = slide.shapes.title
    title_shape.left, title_shape.top = Inches(0.4), Inches(0.2)
    title_shape.width, title_shape.height = Inches(SLIDE_W - 0.8), Inches(0.9)
    if demo:
        _text(slide, images.DEMO_TEXT, SLIDE_W - 4.2, SLIDE_H - 0.45, 3.9, 0.35, 11, DEMO, bold=True)
    return slide


def _table(slide, frame: pd.DataFrame, top: float, size: int = 12, row_height: float = 0.4) -> None:
    """A native table, its columns as wide as `column_widths` says: PowerPoint wraps a cell at its spaces, and
    each column holds its longest word."""
    from pptx.util import Emu, Inches, Pt

    rows, cols = len(frame) + 1, len(frame.columns)
    shape = slide.shapes.add_table(rows, cols, Inches(0.4), Inches(top), Inches(SLIDE_W - 0.8),
                                   Inches(row_height * rows))
    table = shape.table
    for column, width in zip(table.columns, column_widths(frame, size, (SLIDE_W - 0.8) * 72), strict=True):
        column.width = Emu(int(Inches(width / 72)))
    for j, column in enumerate(frame.columns):
        table.cell(0, j).text = _clean(column)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            table.cell(i, j).text = _clean("" if value is None else value)
    for cell in (table.cell(i, j) for i in range(rows) for j in range(cols)):
        cell.text_frame.word_wrap = True
        for paragraph in cell.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(size)


def _picture(slide, png: bytes, top: float = 1.15) -> None:
    """The picture as large as the slide allows under the title, centred, aspect kept."""
    from pptx.util import Emu, Inches

    width_px, height_px = matplotlib.image.imread(io.BytesIO(png)).shape[1::-1]
    max_w, max_h = SLIDE_W - 0.8, SLIDE_H - top - 0.5
    scale = min(max_w / width_px, max_h / height_px)
    width, height = width_px * scale, height_px * scale
    slide.shapes.add_picture(io.BytesIO(png), Inches((SLIDE_W - width) / 2), Inches(top), Emu(int(Inches(width))),
                             Emu(int(Inches(height))))


def deck_pptx(content: DeckContent) -> bytes:
    """The deck as a PowerPoint file: title, key figures, map, themes, régions (national deck), gaps,
    partnerships, declination, sources."""
    from pptx import Presentation
    from pptx.util import Inches

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
    if content.regions is not None:
        _table(_slide(prs, next(titles), content.demo), content.regions, 1.2, size=10, row_height=0.29)
    slide = _slide(prs, next(titles), content.demo)
    _text(slide, content.gaps_note, 0.4, 1.1, SLIDE_W - 0.8, 0.7, 12, MUTED)
    if len(content.gaps):
        _table(slide, content.gaps, 1.9, size=11, row_height=0.36)
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


_MEASURE = TextToPath()
CELL_PAD = 0.03  # of a cell's width, each side: matplotlib's 0.1 wastes a fifth of a narrow column
WIDEST_WISH_PT = 260.0  # a column asks for no more than this before wrapping its texts
ONE_LINE_PT = 90.0  # a column of short texts (a date, an amount, a status) keeps them on one line


def text_width(text: str, size: float) -> float:
    """Width in points of one line of `text` in the decks' font at `size` points."""
    prop = FontProperties(family=images.FONT, size=size)
    return _MEASURE.get_text_width_height_descent(text, prop, ismath=False)[0] if text else 0.0


def column_widths(frame: pd.DataFrame, size: float, total: float) -> list[float]:
    """Widths in points of the table's columns, adding up to `total`: each holds its longest word (a word is
    never cut), a column of short texts its longest text, and asks for its longest text up to `WIDEST_WISH_PT`;
    what is left is shared in proportion."""
    texts = [[_clean(c), *("" if v is None else _clean(v) for v in frame[c])] for c in frame.columns]
    pad = 1 / (1 - 2 * CELL_PAD)
    least = [pad * max(text_width(w, size) for t in col for w in t.split(" ")) + size for col in texts]
    wish = [max(low, min(pad * max(text_width(t, size) for t in col) + size, WIDEST_WISH_PT))
            for low, col in zip(least, texts, strict=True)]
    least = [w if w <= ONE_LINE_PT else low for w, low in zip(wish, least, strict=True)]
    if sum(wish) <= total:
        return [w * total / sum(wish) for w in wish]
    spare = max(total - sum(least), 0.0)
    extra = [w - low for w, low in zip(wish, least, strict=True)]
    widths = [low + e * spare / sum(extra) for low, e in zip(least, extra, strict=True)]
    return [w * total / sum(widths) for w in widths]


def wrap(text: str, width: float, size: float) -> list[str]:
    """`text` in lines no wider than `width` points, broken at plain spaces only (a longer word stays whole, and
    `13 000` or `12,5 %` keep their no-break space)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _pdf_table(fig: Figure, frame: pd.DataFrame, size: float = 11, top: float = 0.86) -> None:
    """The table under the title, from `top` (fraction of the page) down: every cell wrapped to its column,
    each row as tall as its longest cell, the font made smaller until the table fits the page."""
    box = (0.03, 0.07, 0.94, top - 0.07)
    width_pt, height_pt = box[2] * SLIDE_W * 72, box[3] * SLIDE_H * 72
    rows = [[_clean(c) for c in frame.columns],
            *([("" if v is None else _clean(v)) for v in row] for row in frame.itertuples(index=False))]
    while True:
        widths = column_widths(frame, size, width_pt)
        cells = [["\n".join(wrap(text, w * (1 - 2 * CELL_PAD), size)) for text, w in zip(row, widths, strict=True)]
                 for row in rows]
        heights = [(max(c.count("\n") for c in row) + 1) * size * 1.25 + size * 0.9 for row in cells]
        if sum(heights) <= height_pt or size <= 7:
            break
        size -= 0.5
    ax = fig.add_axes(box)
    ax.set_axis_off()
    table = ax.table(cellText=cells[1:], colLabels=cells[0], loc="upper center", cellLoc="left", colLoc="left",
                     colWidths=[w / width_pt for w in widths])
    table.auto_set_font_size(False)
    table.set_fontsize(size)
    for (row, _), cell in table.get_celld().items():
        cell.PAD = CELL_PAD
        cell.set_height(heights[row] / height_pt)
        cell.get_text().update(images.PLAIN_TEXT)
        cell.get_text().set_linespacing(1.25)
        if row == 0:
            cell.set_text_props(fontweight="bold")


def _pdf_picture(fig: Figure, png: bytes) -> None:
    ax = fig.add_axes((0.03, 0.07, 0.94, 0.8))
    ax.set_axis_off()
    ax.imshow(matplotlib.image.imread(io.BytesIO(png)), interpolation="none")  # embedded as is


def deck_pdf(content: DeckContent) -> bytes:
    """The same slides as a PDF, one page each."""
    from matplotlib.backends.backend_pdf import PdfPages

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
    if content.regions is not None:
        page = _page(next(titles), content.demo)
        _pdf_table(page, content.regions, 10)
        pages.append(page)
    page = _page(next(titles), content.demo)
    note = textwrap.wrap(content.gaps_note, 150, break_on_hyphens=False)
    page.text(0.03, 0.86, "\n".join(note), fontsize=12, color="#4b5563", va="top", fontfamily=images.FONT,
              **images.PLAIN_TEXT)
    if len(content.gaps):
        _pdf_table(page, content.gaps, 11, top=0.76)
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
