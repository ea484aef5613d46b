"""The pages' own French buttons for pictures and slide decks (map, charts, territory deck), in AppTest: the files
their callables make are reopened (PNG size from its header, SVG parsed, PPTX with python-pptx, PDF pages counted)
and checked against values derived here from the data files."""

from __future__ import annotations

import csv
import io
import json
import re
import struct
from datetime import date
from xml.etree import ElementTree

from pptx import Presentation
from streamlit.testing.v1.element_tree import Block

from tests.app import reference as ref
from tests.app.fixture_data import write_fixture
from tests.app.helpers import download_labels, run_page

TODAY = date.today().isoformat()
DECK_TITLES = ["Chiffres clés : {} et la France", "Carte : couverture (régie / partenariat)", "Thèmes des partenariats",
               "QPV sans régie ni partenariat : {}", "Principaux partenariats (par montant engagé)"]


def gap_count(ask: ref.Ask) -> str:
    """The deck's gap count of the request, recounted by `tests.app.reference`."""
    demo = ref.load(ref.DEMO)
    return ref.fr_int(len(ref.uncovered(ref.select(demo, ask), demo)))


def popover_labels(at) -> list[str]:
    labels, stack = [], [at._tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Block) and node.type == "popover":
            labels.append(node.proto.popover.label)
        stack.extend(getattr(node, "children", {}).values())
    return labels


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg_text(data: bytes) -> str:
    root = ElementTree.fromstring(data)  # raises unless the SVG is well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return " ".join(t.strip() for t in root.itertext() if t.strip())


def pdf_pages(data: bytes) -> int:
    assert data.startswith(b"%PDF")
    return len(re.findall(rb"/Type\s*/Page\b", data))


def manifest_date(folder) -> str:
    dates = [record["date"] for record in json.loads((folder / "manifest.json").read_text())["datasets"].values()]
    year, month, day = max(dates).split("-")
    return f"{day}/{month}/{year}"


def demo_declined_regions() -> set[str]:
    with open(ref.DEMO / "declinaisons.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle, delimiter=";" if ";" in handle.readline() else ","))
    return {row[0] for row in rows}


def test_map_export_of_the_current_view(made):
    """Région 84 coloured by number of partnerships, régies hidden: three pictures of exactly that view."""
    at = run_page("carte", {"region": "84", "mesure": "partenariats", "couches": "qpv"})
    assert not at.exception, [e.value for e in at.exception]
    assert "Exporter la carte" in popover_labels(at)
    assert download_labels(at)[:3] == ["Image PNG 1920 × 1080", "Image PNG A4 (paysage)", "Image SVG"]
    png = made[f"carte_auvergne-rhone-alpes_{TODAY}.png"]
    assert png[1] == "image/png" and png_size(png[0]()) == (1920, 1080)
    a4 = made[f"carte-a4_auvergne-rhone-alpes_{TODAY}.png"]
    assert png_size(a4[0]()) == (round(297 / 25.4 * 200), round(210 / 25.4 * 200))  # A4 landscape at 200 dpi
    svg, mime = made[f"carte_auvergne-rhone-alpes_{TODAY}.svg"]
    assert mime == "image/svg+xml"
    text = svg_text(svg())
    expected = ref.select(ref.load(ref.DEMO), ref.Ask(regions=("84",))).kpis
    assert "Carte des coopérations : Auvergne-Rhône-Alpes" in text
    assert f"{ref.fr_int(expected['QPV'])} QPV" in text
    assert f"{ref.fr_int(expected['Partenariats'])} partenariats" in text
    assert "Nombre de partenariats" in text  # the legend of the measure on screen
    assert "Régie" not in text.split("Nombre de partenariats")[1]  # no régie ring in the legend: layer hidden
    assert f"fichiers du {manifest_date(ref.DEMO)}" in text  # the source line from the manifest
    assert "DONNÉES DE DÉMONSTRATION" in text


def test_each_chart_has_french_image_buttons(made):
    at = run_page("")
    assert not at.exception, [e.value for e in at.exception]
    labels = download_labels(at)
    assert labels.count("Image PNG") == labels.count("Image SVG") == 4  # the overview's four charts
    assert "Image" in popover_labels(at)
    chart_png = made[f"graphique-themes_france_{TODAY}.png"][0]()
    assert png_size(chart_png)[0] >= 2 * 900  # 900 px wide at scale 2
    text = svg_text(made[f"graphique-themes_france_{TODAY}.svg"][0]())
    assert "Partenariats par thème" in text
    assert f"fichiers du {manifest_date(ref.DEMO)}" in text
    assert "Données de démonstration : chiffres fictifs." in text


def test_territory_deck_with_its_declination(made):
    assert "84" in demo_declined_regions()
    at = run_page("territoires", {"region": "84"})
    assert not at.exception, [e.value for e in at.exception]
    assert {"Diaporama PowerPoint", "PDF"} <= set(download_labels(at))
    pptx, mime = made[f"diaporama-portrait_auvergne-rhone-alpes_{TODAY}.pptx"]
    assert mime.endswith("presentationml.presentation")
    prs = Presentation(io.BytesIO(pptx()))
    name = "Auvergne-Rhône-Alpes"
    assert [s.shapes.title.text for s in prs.slides] == [
        f"Carte des coopérations : {name}", DECK_TITLES[0].format(name), *DECK_TITLES[1:3],
        DECK_TITLES[3].format(gap_count(ref.Ask(regions=("84",)))), DECK_TITLES[4], "Déclinaison régionale", "Sources"]
    declination = next(s for s in prs.slides[6].shapes if s.has_table).table
    cells = {row.cells[0].text: row.cells[1].text for row in list(declination.rows)[1:]}
    assert cells["Région"] == name
    assert pdf_pages(made[f"diaporama-portrait_auvergne-rhone-alpes_{TODAY}.pdf"][0]()) == 8


def test_national_deck_on_the_overview(made):
    at = run_page("")
    assert "Diaporama de la vue nationale" in popover_labels(at)
    prs = Presentation(io.BytesIO(made[f"diaporama_france_{TODAY}.pptx"][0]()))
    titles = [s.shapes.title.text for s in prs.slides]
    # No « et la France » beside itself, the régions side by side, no declination slide for the whole country.
    assert titles == ["Carte des coopérations : France entière", "Chiffres clés : France entière", *DECK_TITLES[1:3],
                      "Les régions côte à côte : couverture et écarts", DECK_TITLES[3].format(gap_count(ref.Ask())),
                      DECK_TITLES[4], "Sources"]


def test_deck_without_declination_file(made, tmp_path, monkeypatch):
    """A data folder without `declinaisons` and without manifest: no declination slide, no demo mark."""
    monkeypatch.setenv("CARTE_DATA_DIR", str(write_fixture(tmp_path / "donnees")))
    monkeypatch.setenv("CARTE_DATABASE_URL", f"sqlite:///{tmp_path / 'carte.sqlite3'}")  # a store seeded from it
    at = run_page("territoires", {"region": "11"})
    assert not at.exception, [e.value for e in at.exception]
    prs = Presentation(io.BytesIO(made[f"diaporama-portrait_ile-de-france_{TODAY}.pptx"][0]()))
    assert len(prs.slides) == 7
    assert "Déclinaison régionale" not in [s.shapes.title.text for s in prs.slides]
    texts = " ".join(shape.text_frame.text for s in prs.slides for shape in s.shapes if shape.has_text_frame)
    assert "démonstration" not in texts
