"""The territory deck, reopened with python-pptx (slides, titles, pictures, table values) and as PDF pages.

Figures in the tables are recounted here from the atlas frames. Outbound connections are refused throughout.
"""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path
from xml.etree import ElementTree

import matplotlib
import pandas as pd
import pytest
from PIL import Image, ImageFont
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from geo import fr
from geo.filters import Filters, apply
from ui import deck, images

pytestmark = pytest.mark.usefixtures("no_network")  # everything here must work offline
REGION = "84"



@pytest.fixture(scope="module")
def atlas(demo_atlas):
    return demo_atlas


@pytest.fixture(scope="module")
def content(atlas):
    sel, national = apply(atlas, Filters(regions=(REGION,))), apply(atlas, Filters())
    declination = pd.DataFrame({"Département": ["Rhône", "Isère"], "Actions prévues": [1200, 35]})
    return deck.deck_content(sel, national, date="2026-11-27", demo=True, sources=["QPV : liste ANCT 2024"],
                             declination=declination)


@pytest.fixture(scope="module")
def prs(content):
    return Presentation(io.BytesIO(deck.deck_pptx(content)))


def _texts(slide) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def _table(slide) -> list[list[str]]:
    shape = next(s for s in slide.shapes if s.has_table)
    return [[cell.text for cell in row.cells] for row in shape.table.rows]


def test_deck_is_16_9_with_the_expected_slides_in_order(atlas, prs):
    assert (prs.slide_width, prs.slide_height) == (12191695, 6858000)  # 13.333 × 7.5 in
    titles = [slide.shapes.title.text for slide in prs.slides]
    assert titles == ["Carte des coopérations : Auvergne-Rhône-Alpes",
                      "Chiffres clés : Auvergne-Rhône-Alpes et la France",
                      "Carte : couverture (régie / partenariat)", "Thèmes des partenariats",
                      f"QPV sans régie ni partenariat : {fr.nombre(_uncovered_in_region(atlas))}",
                      "Principaux partenariats (par montant engagé)", "Déclinaison régionale", "Sources"]


def _uncovered_in_region(atlas) -> int:
    """QPV of the région that no régie declares and no partnership names, from the partnerships' QPV lists."""
    linked = {q for codes in atlas.partenariats["qpv"] for q in codes}
    qpv = atlas.qpv[atlas.qpv["insee_reg"] == REGION]
    return int((~qpv["couvert"] & ~qpv["code_qp"].isin(linked)).sum())


def test_map_and_chart_are_png_pictures(prs):
    for index in (2, 3):
        pictures = [s for s in prs.slides[index].shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        assert pictures[0].image.content_type == "image/png"
        assert Image.open(io.BytesIO(pictures[0].image.blob)).format == "PNG"
        assert pictures[0].left >= 0 and pictures[0].left + pictures[0].width <= prs.slide_width
        assert pictures[0].top + pictures[0].height <= prs.slide_height
    map_picture = next(s for s in prs.slides[2].shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE)
    assert Image.open(io.BytesIO(map_picture.image.blob)).size == (1920, 1080)


def test_every_slide_says_demo(prs):
    for slide in prs.slides:
        assert "démonstration" in _texts(slide)


def test_key_figures_match_an_independent_count(atlas, prs):
    rows = {row[0]: row[1:] for row in _table(prs.slides[1])[1:]}
    regies = atlas.regies
    local, total = int((regies["insee_reg"] == REGION).sum()), len(regies)
    assert rows["Régies de quartier et de territoire"] == [fr.nombre(local), fr.nombre(total),
                                                           fr.pourcentage(local / total)]
    region_qpv = set(atlas.qpv.loc[atlas.qpv["insee_reg"] == REGION, "code_qp"])
    parts = atlas.partenariats
    in_region = parts[[bool(set(codes or []) & region_qpv) for codes in parts["qpv"]]]
    assert rows["Partenariats organisme HLM × régie"][:2] == [fr.nombre(len(in_region)), fr.nombre(len(parts))]
    declared = {c for codes in regies["qpv_couverts"] for c in codes or []}
    rate = len(region_qpv & declared) / len(region_qpv)
    assert rows["Taux de QPV couverts par une régie"][0] == fr.pourcentage(rate)


def test_top_partnerships_are_the_largest_amounts_of_the_territory(atlas, prs):
    region_qpv = set(atlas.qpv.loc[atlas.qpv["insee_reg"] == REGION, "code_qp"])
    parts = atlas.partenariats
    amounts = sorted((float(m) for codes, m in zip(parts["qpv"], parts["montant_eur"], strict=True)
                      if set(codes or []) & region_qpv and pd.notna(m)), reverse=True)
    table = _table(prs.slides[5])
    assert table[0] == ["Régie", "Organisme HLM", "Thèmes", "Statut", "Début", "Montant"]
    assert [row[5] for row in table[1:]] == [fr.euros(m) for m in amounts[:deck.TOP_PARTNERSHIPS]]


def test_declination_slide_shows_its_table_in_french(prs):
    assert _table(prs.slides[6]) == [["Département", "Actions prévues"], ["Rhône", fr.nombre(1200)],
                                     ["Isère", "35"]]


def test_without_declination_there_is_no_such_slide(content):
    shorter = dataclasses.replace(content, declination=None)
    titles = [s.shapes.title.text for s in Presentation(io.BytesIO(deck.deck_pptx(shorter))).slides]
    assert "Déclinaison régionale" not in titles and len(titles) == 7


def test_pdf_has_one_page_per_slide(content, prs):
    pdf = deck.deck_pdf(content)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == len(prs.slides) == 8


def test_control_characters_from_data_do_not_break_the_file(content):
    dirty = content.partnerships.copy()
    dirty.loc[0, "Régie"] = "Régie\x07 « Étoile »\x00"
    prs = Presentation(io.BytesIO(deck.deck_pptx(dataclasses.replace(content, partnerships=dirty))))
    assert _table(prs.slides[5])[1][0] == "Régie « Étoile »"


def test_national_deck_uses_the_theme_bar_and_says_france(atlas):
    national = apply(atlas, Filters())
    data = deck.territory_deck(national, national, fmt="pptx", demo=False)
    prs = Presentation(io.BytesIO(data))
    assert prs.slides[0].shapes.title.text == "Carte des coopérations : France entière"
    assert all("démonstration" not in _texts(s) for s in prs.slides)
    assert len(prs.slides) == 8  # with the régions side by side


# --- text from data drawn as written --------------------------------------------------------------------------

# Every Markdown, HTML and TeX special character. A pair of `$` made matplotlib read the text between as
# mathematics: "$t$" came out as an italic t, and "$5 … ^$" stopped the PDF with a parse error.
SPECIAL_REGIE = "Régie $5 & 10 % {a_b^c} \\d #1 ~e ^$"
SPECIAL_ORGANISME = "Office *x* [y](z) <b>\"q\"</b> 'r' `s` $t$ | _u_"


@pytest.fixture(scope="module")
def special(atlas):
    """A deck whose régie, organism, territory, declination and source hold the special characters."""
    sel, national = apply(atlas, Filters(regions=(REGION,))), apply(atlas, Filters())
    named = sel.partenariats.assign(nom_regie=SPECIAL_REGIE, nom_organisme=SPECIAL_ORGANISME)
    declination = pd.DataFrame({"": ["Association régionale"], "Déclinaison régionale": [SPECIAL_ORGANISME]})
    return deck.deck_content(dataclasses.replace(sel, partenariats=named), national, territory=SPECIAL_REGIE,
                             sources=[SPECIAL_ORGANISME], declination=declination)


def test_special_characters_come_back_intact_from_the_pdf(special):
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(deck.deck_pdf(special))).pages]
    assert f"Carte des coopérations : {SPECIAL_REGIE}" in pages[0]
    first_row = pages[5].splitlines()[1]  # the text of neighbouring cells may come back without a space between
    assert first_row.startswith(SPECIAL_REGIE) and SPECIAL_ORGANISME in first_row, first_row
    assert f"Association régionale {SPECIAL_ORGANISME}" in pages[6]
    assert SPECIAL_ORGANISME in pages[7].splitlines()


def test_special_characters_come_back_intact_from_the_pptx(special):
    prs = Presentation(io.BytesIO(deck.deck_pptx(special)))
    assert prs.slides[0].shapes.title.text == f"Carte des coopérations : {SPECIAL_REGIE}"
    assert _table(prs.slides[5])[1][:2] == [SPECIAL_REGIE, SPECIAL_ORGANISME]
    assert _table(prs.slides[6])[1] == ["Association régionale", SPECIAL_ORGANISME]
    assert SPECIAL_ORGANISME in _texts(prs.slides[7]).splitlines()


def test_the_map_picture_draws_its_title_and_filters_as_written(atlas):
    fig = images.map_figure(apply(atlas, Filters(regions=(REGION,))), title=SPECIAL_REGIE,
                            filters_text=SPECIAL_ORGANISME)
    svg = ElementTree.fromstring(images.figure_bytes(fig, "svg"))  # SVG keeps text as text
    texts = {"".join(node.itertext()) for node in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {SPECIAL_REGIE, SPECIAL_ORGANISME} <= texts


# --- issue 18: a national deck compares régions, shows the gaps, never cuts a word ----------------------------

DEJAVU = ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"), 100)
INSERTION = "insertion-professionnelle"


def _width(text: str, size: float) -> float:
    """Width in points of a line of text in DejaVu Sans (the PDF's font), measured by Pillow."""
    return DEJAVU.getlength(text) * size / 100


@pytest.fixture(scope="module")
def national_content(atlas):
    everything = apply(atlas, Filters())
    return deck.deck_content(everything, everything, demo=True)


@pytest.fixture(scope="module")
def filtered_content(atlas):
    sel = apply(atlas, Filters(regions=("32",), themes=(INSERTION,)))
    return deck.deck_content(sel, apply(atlas, Filters()), demo=True)


def _recount_regions(atlas) -> dict[str, tuple[int, int, int]]:
    """Région name -> (QPV, without régie nor partnership, without partnership), from the partnerships' QPV."""
    linked = {q for codes in atlas.partenariats["qpv"] for q in codes}
    out = {}
    for name, group in atlas.qpv.groupby("lib_reg"):
        alone = ~group["code_qp"].isin(linked)
        out[name] = (len(group), int((alone & ~group["couvert"]).sum()), int(alone.sum()))
    return out


def test_national_deck_compares_regions_and_shows_the_gaps(atlas, national_content):
    prs = Presentation(io.BytesIO(deck.deck_pptx(national_content)))
    titles = [s.shapes.title.text for s in prs.slides]
    nothing = int(((atlas.qpv["n_partenariats"] == 0) & ~atlas.qpv["couvert"]).sum())
    assert titles == ["Carte des coopérations : France entière", "Chiffres clés : France entière",
                      "Carte : couverture (régie / partenariat)", "Thèmes des partenariats",
                      "Les régions côte à côte : couverture et écarts",
                      f"QPV sans régie ni partenariat : {fr.nombre(nothing)}",
                      "Principaux partenariats (par montant engagé)", "Sources"]
    figures = _table(prs.slides[1])
    assert figures[0] == ["Indicateur", "France"]  # no « Part de la France » at 100 % on every row
    assert "100,0\u202f%" not in {cell for row in figures for cell in row}
    regions = _table(prs.slides[4])
    assert regions[0] == ["Région", "QPV", "Taux de couverture", "QPV sans régie ni partenariat",
                          "QPV sans partenariat", "Partenariats"]
    assert {row[0]: (row[1], row[3], row[4]) for row in regions[1:]} == {
        name: tuple(fr.nombre(n) for n in counts) for name, counts in _recount_regions(atlas).items()}
    gaps = _table(prs.slides[5])
    uncovered = atlas.qpv[(atlas.qpv["n_partenariats"] == 0) & ~atlas.qpv["couvert"]]
    top = uncovered.sort_values(["population", "code_qp"], ascending=[False, True]).head(deck.TOP_GAPS)
    assert [row[0] for row in gaps[1:]] == list(top["lib_qp"])
    assert "aucune régie ne les déclare" in _texts(prs.slides[5])


def test_a_filtered_deck_keeps_its_comparison_with_france(filtered_content):
    prs = Presentation(io.BytesIO(deck.deck_pptx(filtered_content)))
    assert prs.slides[1].shapes.title.text == "Chiffres clés : Hauts-de-France et la France"
    assert _table(prs.slides[1])[0] == ["Indicateur", "Territoire", "France", "Part de la France"]
    assert deck.REGIONS_TITLE not in [s.shapes.title.text for s in prs.slides]  # one région: nothing side by side


def _pdf_lines(page) -> list[tuple[float, float, str, float]]:
    """(x, y, text, size) of each line drawn on the page: matplotlib draws a line at one position (several runs
    when a ligature splits it)."""
    lines: dict[tuple[float, float], list] = {}

    def visit(text, cm, tm, font, size):
        if text:
            lines.setdefault((round(cm[4], 2), round(cm[5], 2)), [size, ""])[1] += text.replace("\n", " ")

    page.extract_text(visitor_text=visit)
    return [(x, y, " ".join(w for w in text.split(" ") if w), size) for (x, y), (size, text) in lines.items()
            if text.strip()]


@pytest.mark.parametrize("which", ["national_content", "filtered_content"])
def test_no_pdf_table_cell_runs_into_the_next_column(which, request):
    """Every line of every table cell ends before the next column's text begins (measured on the text read back
    from the PDF, widths from the font file): « Régie de territoire de la Gare Basse (démo) » and « Précarité
    énergétique » were drawn under their neighbour's cell, and read « Gare Basse (dém », « Précarité énergéti »."""
    content = request.getfixturevalue(which)
    pages = PdfReader(io.BytesIO(deck.deck_pdf(content))).pages
    tables = [t for t in (content.figures, content.regions, content.gaps, content.partnerships) if t is not None]
    right, bottom = deck.SLIDE_W * 72 * 0.97, deck.SLIDE_H * 72 * 0.06
    checked = 0
    for frame in tables:
        index = content.slide_titles.index(next(t for t, f in _titled(content) if f is frame))
        lines = _pdf_lines(pages[index])
        header = [(x, y) for x, y, text, _ in lines if text in {str(c) for c in frame.columns}]
        top = max(y for _, y in header)
        starts = sorted(x for x, y in header if abs(y - top) < 3)
        assert len(starts) == len(frame.columns)
        for x, y, text, size in lines:
            if y >= top - 1 or x < starts[0] - 1 or y < bottom:
                continue  # the header, the title, the note above the table, the demo mark below
            column = max(i for i, start in enumerate(starts) if start <= x + 0.5)
            limit = starts[column + 1] if column + 1 < len(starts) else right
            assert x + _width(text, size) <= limit + 0.5, (text, x, limit)
            checked += 1
    assert checked > 20
    for frame in tables:  # and every word whole, wrapped or not
        index = content.slide_titles.index(next(t for t, f in _titled(content) if f is frame))
        words = {w for column in frame.columns for v in frame[column] for w in str(v).split(" ")}
        page_words = {w for _, _, text, _ in _pdf_lines(pages[index]) for w in text.split(" ")}
        assert words <= page_words, words - page_words


def _titled(content) -> list[tuple[str, pd.DataFrame]]:
    """(slide title, table) of the deck's table slides."""
    pairs = [(content.figures_title, content.figures), (content.gaps_title, content.gaps),
             (deck.PARTNERSHIPS_TITLE, content.partnerships)]
    return pairs + ([(deck.REGIONS_TITLE, content.regions)] if content.regions is not None else [])


def test_pptx_columns_hold_their_longest_word(national_content):
    """PowerPoint wraps a cell at its spaces: each column is wide enough for its longest word, and every cell
    comes back whole."""
    prs = Presentation(io.BytesIO(deck.deck_pptx(national_content)))
    slide = prs.slides[national_content.slide_titles.index(deck.PARTNERSHIPS_TITLE)]
    shape = next(s for s in slide.shapes if s.has_table)
    rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
    assert rows[1:] == national_content.partnerships.astype(str).values.tolist()
    for j, column in enumerate(shape.table.columns):
        longest = max(_width(word, 11) for row in rows for word in row[j].split())
        assert column.width / 12700 >= longest  # EMU per point
