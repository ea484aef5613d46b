"""The territory deck, reopened with python-pptx (slides, titles, pictures, table values) and as PDF pages.

Figures in the tables are recounted here from the atlas frames. Outbound connections are refused throughout.
"""

from __future__ import annotations

import dataclasses
import io
import re
from xml.etree import ElementTree

import pandas as pd
import pytest
from PIL import Image
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


def test_deck_is_16_9_with_the_expected_slides_in_order(prs):
    assert (prs.slide_width, prs.slide_height) == (12191695, 6858000)  # 13.333 × 7.5 in
    titles = [slide.shapes.title.text for slide in prs.slides]
    assert titles == ["Carte des coopérations : Auvergne-Rhône-Alpes",
                      "Chiffres clés : Auvergne-Rhône-Alpes et la France",
                      "Carte : couverture (régie / partenariat)", "Thèmes des partenariats",
                      "Principaux partenariats (par montant engagé)", "Déclinaison régionale", "Sources"]


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
    table = _table(prs.slides[4])
    assert table[0] == ["Régie", "Organisme HLM", "Thèmes", "Statut", "Début", "Montant"]
    assert [row[5] for row in table[1:]] == [fr.euros(m) for m in amounts[:deck.TOP_PARTNERSHIPS]]


def test_declination_slide_shows_its_table_in_french(prs):
    assert _table(prs.slides[5]) == [["Département", "Actions prévues"], ["Rhône", fr.nombre(1200)],
                                     ["Isère", "35"]]


def test_without_declination_there_is_no_such_slide(content):
    shorter = dataclasses.replace(content, declination=None)
    titles = [s.shapes.title.text for s in Presentation(io.BytesIO(deck.deck_pptx(shorter))).slides]
    assert "Déclinaison régionale" not in titles and len(titles) == 6


def test_pdf_has_one_page_per_slide(content, prs):
    pdf = deck.deck_pdf(content)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == len(prs.slides) == 7


def test_control_characters_from_data_do_not_break_the_file(content):
    dirty = content.partnerships.copy()
    dirty.loc[0, "Régie"] = "Régie\x07 « Étoile »\x00"
    prs = Presentation(io.BytesIO(deck.deck_pptx(dataclasses.replace(content, partnerships=dirty))))
    assert _table(prs.slides[4])[1][0] == "Régie « Étoile »"


def test_national_deck_uses_the_theme_bar_and_says_france(atlas):
    national = apply(atlas, Filters())
    data = deck.territory_deck(national, national, fmt="pptx", demo=False)
    prs = Presentation(io.BytesIO(data))
    assert prs.slides[0].shapes.title.text == "Carte des coopérations : France entière"
    assert all("démonstration" not in _texts(s) for s in prs.slides)
    assert len(prs.slides) == 6


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
    first_row = pages[4].splitlines()[1]  # the text of neighbouring cells may come back without a space between
    assert first_row.startswith(SPECIAL_REGIE) and SPECIAL_ORGANISME in first_row, first_row
    assert f"Association régionale {SPECIAL_ORGANISME}" in pages[5]
    assert SPECIAL_ORGANISME in pages[6].splitlines()


def test_special_characters_come_back_intact_from_the_pptx(special):
    prs = Presentation(io.BytesIO(deck.deck_pptx(special)))
    assert prs.slides[0].shapes.title.text == f"Carte des coopérations : {SPECIAL_REGIE}"
    assert _table(prs.slides[4])[1][:2] == [SPECIAL_REGIE, SPECIAL_ORGANISME]
    assert _table(prs.slides[5])[1] == ["Association régionale", SPECIAL_ORGANISME]
    assert SPECIAL_ORGANISME in _texts(prs.slides[6]).splitlines()


def test_the_map_picture_draws_its_title_and_filters_as_written(atlas):
    fig = images.map_figure(apply(atlas, Filters(regions=(REGION,))), title=SPECIAL_REGIE,
                            filters_text=SPECIAL_ORGANISME)
    svg = ElementTree.fromstring(images.figure_bytes(fig, "svg"))  # SVG keeps text as text
    texts = {"".join(node.itertext()) for node in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {SPECIAL_REGIE, SPECIAL_ORGANISME} <= texts
