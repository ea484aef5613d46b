"""« Bilan annuel » of the follow-up committee: a year of the convention (`geo.timeline.YearReview`) as PowerPoint
and PDF, laid out with the territory deck's machinery (`ui.deck`: native PowerPoint tables, PNG pictures, plain
text in the PDF).

Slides: title; national (or territory) figures at the year's end and their change over the year; the régions
(declination, QPV covered, new and ended partnerships, themes), a few rows a slide; the maps at the start and at the
end of the year; the year's notable projects with their description; what changed in the data (the journal, by
région); sources, dates and the rules of the figures. Demo data carry the demo mark on every slide.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from pptx import Presentation
from pptx.util import Inches

from geo import fr, timeline
from geo.datasets import Datasets
from geo.filters import Filters, apply
from geo.joins import Atlas
from geo.manifest import atomic_write_bytes
from geo.schema import THEME_BY_SLUG
from ui import deck, images
from ui.exports import WHOLE_NATION, file_name, territory_name
from ui.filters_text import describe
from ui.tables import KPI_LABELS, change_text, source_line, source_lines

ROWS_PER_SLIDE = 9
REGION_HEADERS = {"lib_reg": "Région", "declinaison": "Déclinaison", "qpv": "QPV", "qpv_couverts": "QPV couverts",
                  "evolution_qpv_couverts": "Évolution", "nouveaux": "Nouveaux partenariats",
                  "termines": "Partenariats terminés", "themes": "Thèmes des nouveaux"}
CHANGE_HEADERS = {"lib_reg": "Région", "jeu": "Données", timeline.ADDED: "Ajoutés", timeline.CHANGED: "Modifiés",
                  timeline.CLOSED: "Clôturés", "auteurs": "Par"}


@dataclass(frozen=True)
class Bilan:
    """Everything the report shows, text already French; `slides` in order: (title, kind, payload) where kind is
    « table » (a DataFrame), « picture » (PNG bytes) or « text » (lines)."""

    title: str
    subtitle: str
    demo: bool
    slides: tuple[tuple[str, str, object], ...]

    @property
    def slide_titles(self) -> list[str]:
        return [self.title, *(title for title, _, _ in self.slides)]


def figures_table(review: timeline.YearReview) -> pd.DataFrame:
    """Indicateur, value at the year's eve, at its end, and the change (« +48 »), French formatted."""
    progress = review.progress
    then, now = fr.date_fr(progress.reference), fr.date_fr(progress.day)
    rows = []
    for field, _, label in KPI_LABELS:
        change = progress.change(field)
        rows.append({"Indicateur": label, f"Au {then}": fr.nombre(getattr(progress.then, field)),
                     f"Au {now}": fr.nombre(getattr(progress.now, field)), "Évolution": change_text(field, change)})
    rows.append({"Indicateur": "Déclinaisons régionales signées",
                 f"Au {then}": fr.nombre(progress.declinaisons_then), f"Au {now}": fr.nombre(progress.declinaisons_now),
                 "Évolution": change_text("", progress.change("declinaisons"))})
    return pd.DataFrame(rows)


def regions_table(review: timeline.YearReview) -> pd.DataFrame:
    table = review.regions.copy()
    table["evolution_qpv_couverts"] = table["evolution_qpv_couverts"].map(lambda n: change_text("", n))
    for column in ("qpv", "qpv_couverts", "nouveaux", "termines"):
        table[column] = table[column].map(fr.nombre)
    return table[list(REGION_HEADERS)].rename(columns=REGION_HEADERS)


def projects_table(review: timeline.YearReview) -> pd.DataFrame:
    """The notable projects with their description (« valoriser les projets menés localement »)."""
    p = review.projects
    return pd.DataFrame({
        "Projet": [f"{r} × {o}" for r, o in zip(p["nom_regie"], p["nom_organisme"], strict=True)],
        "Région": p["lib_reg_principal"],
        "Thèmes": [", ".join(THEME_BY_SLUG[s].short for s in slugs or [] if s in THEME_BY_SLUG)
                   for slugs in p["themes"]],
        "Début": p["date_debut"].map(fr.date_fr),
        "Montant": p["montant_eur"].map(fr.euros),
        "Description": p["description"].map(lambda d: textwrap.shorten(str(d), 90, placeholder=" …")
                                            if isinstance(d, str) and d else "—"),
    })


def changes_table(changes: pd.DataFrame) -> pd.DataFrame:
    table = changes.copy()
    for column in (timeline.ADDED, timeline.CHANGED, timeline.CLOSED):
        table[column] = table[column].map(fr.nombre)
    return table[list(CHANGE_HEADERS)].rename(columns=CHANGE_HEADERS)


def _chunks(title: str, frame: pd.DataFrame) -> list[tuple[str, str, object]]:
    """A table a few rows a slide: « Régions (2/3) »."""
    parts = [frame.iloc[k:k + ROWS_PER_SLIDE] for k in range(0, max(len(frame), 1), ROWS_PER_SLIDE)]
    if len(parts) == 1:
        return [(title, "table", parts[0])]
    return [(f"{title} ({i}/{len(parts)})", "table", part) for i, part in enumerate(parts, start=1)]


def bilan_content(review: timeline.YearReview, changes: pd.DataFrame, *, territory: str, demo: bool = False,
                  sources: tuple[str, ...] = (), source: str = images.DEFAULT_SOURCE, made_on=None,
                  measure: str = "coverage") -> Bilan:
    """The report of `review` (`changes`: `geo.timeline.changes_by_region` of the year's journal)."""
    first, last = review.progress.reference, review.progress.day
    filters_text = describe(review.filters, review.now.atlas)
    maps = []
    for state, when in ((review.then, "au début de l'année"), (review.now, "à la fin de l'année")):
        title = f"Carte {when} ({fr.date_fr(state.day)}) : {territory}"
        maps.append((title, "picture", images.map_image(apply(state.atlas, review.filters), measure, title=title,
                                                          filters_text=filters_text, date=state.day, source=source,
                                                          demo=demo)))
    slides = [(f"Chiffres clés {review.year} : {territory}", "table", figures_table(review)),
              *_chunks("Les régions dans l'année", regions_table(review)), *maps]
    if len(review.projects):
        slides.append((f"Projets marquants de {review.year} (nouveaux partenariats, par montant)", "table",
                       projects_table(review)))
    else:
        slides.append((f"Projets marquants de {review.year}", "text", ["Aucun partenariat commencé dans l'année."]))
    if len(changes):
        slides += _chunks("Ce qui a changé dans les données (journal)", changes_table(changes))
    else:
        slides.append(("Ce qui a changé dans les données (journal)", "text",
                       ["Aucune modification enregistrée dans le journal pendant l'année (le chargement initial "
                        "de la base n'est pas compté)."]))
    lines = [*sources, source, f"Période : du {fr.date_fr(first)} au {fr.date_fr(last)}.",
             timeline.STATE_RULE, timeline.STATUS_RULE]
    if made_on is not None:
        lines.append(f"Bilan établi le {fr.date_fr(made_on)}.")
    if demo:
        lines.append(f"{images.DEMO_TEXT} : chiffres et périmètres fictifs, ils ne décrivent pas la réalité.")
    slides.append(("Sources et dates", "text", [deck._clean(line) for line in lines]))
    subtitle = f"{filters_text} · du {fr.date_fr(first)} au {fr.date_fr(last)}"
    return Bilan(f"Bilan annuel {review.year} : {territory}", subtitle, demo, tuple(slides))


def bilan_pptx(content: Bilan) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(deck.SLIDE_W), Inches(deck.SLIDE_H)
    prs.core_properties.title = deck._clean(content.title)
    first = prs.slides.add_slide(prs.slide_layouts[0])
    first.shapes.title.text = deck._clean(content.title)
    first.placeholders[1].text = deck._clean(content.subtitle)
    if content.demo:
        deck._text(first, f"{images.DEMO_TEXT} : chiffres et périmètres fictifs, ils ne décrivent pas la réalité.",
                   1.0, deck.SLIDE_H - 1.3, deck.SLIDE_W - 2.0, 0.6, 16, deck.DEMO, bold=True)
    for title, kind, payload in content.slides:
        slide = deck._slide(prs, title, content.demo)
        if kind == "table":
            deck._table(slide, payload, 1.3, size=10)
        elif kind == "picture":
            deck._picture(slide, payload)
        else:
            deck._text(slide, "\n".join(payload), 0.4, 1.3, deck.SLIDE_W - 0.8, 5.5, 14)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def bilan_pdf(content: Bilan) -> bytes:
    pages = []
    first = deck._page("", content.demo)
    first.text(0.5, 0.6, deck._clean(content.title), fontsize=30, fontweight="bold", ha="center",
               fontfamily=images.FONT, **images.PLAIN_TEXT)
    first.text(0.5, 0.5, textwrap.fill(deck._clean(content.subtitle), 90), fontsize=16, ha="center",
               color="#4b5563", fontfamily=images.FONT, **images.PLAIN_TEXT)
    pages.append(first)
    for title, kind, payload in content.slides:
        page = deck._page(title, content.demo)
        if kind == "table":
            deck._pdf_table(page, payload, 9)
        elif kind == "picture":
            deck._pdf_picture(page, payload)
        else:
            page.text(0.03, 0.84, "\n".join(textwrap.fill(line, 130) for line in payload), fontsize=12, va="top",
                      fontfamily=images.FONT, linespacing=1.5, **images.PLAIN_TEXT)
        pages.append(page)
    out = io.BytesIO()
    with PdfPages(out, metadata={"Title": deck._clean(content.title), "CreationDate": None}) as pdf:
        for page in pages:
            pdf.savefig(page)
    return out.getvalue()


FORMATS = {"pptx": bilan_pptx, "pdf": bilan_pdf}


def bilan_files(atlas: Atlas, datasets: Datasets, filters: Filters, year: int, today, history: pd.DataFrame,
                changes: list, reference: timeline.Reference | None = None, formats: tuple[str, ...] = ("pptx", "pdf")
                ) -> dict[str, bytes]:
    """The report of `year` for the filters, as bytes per format (`changes`: the year's journal,
    `geo.timeline.journal_changes`). ValueError (French) for a year to come."""
    review = timeline.year_review(atlas, datasets.declinaisons, filters, year, today, history)
    sources = source_lines(datasets)
    if reference is not None and reference.day is not None:
        sources = (*sources, f"Signature de la convention : {fr.date_fr(reference.day)}"
                   + (" (date de démonstration)" if "démonstration" in reference.label else "") + ".")
    content = bilan_content(review, timeline.changes_by_region(changes, atlas),
                            territory=territory_name(filters, atlas, WHOLE_NATION), demo=datasets.is_demo,
                            sources=sources, source=source_line(datasets), made_on=today)
    return {fmt: FORMATS[fmt](content) for fmt in formats}


def write_bilan(folder: Path, atlas: Atlas, datasets: Datasets, filters: Filters, year: int, today,
                history: pd.DataFrame, changes: list, reference: timeline.Reference | None = None) -> list[Path]:
    """`bilan_files` written into `folder` (created), named `bilan-2025_<territoire>_<jour>.pptx|pdf`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt, data in bilan_files(atlas, datasets, filters, year, today, history, changes, reference).items():
        path = folder / file_name(f"bilan-{year}", territory_name(filters, atlas), timeline.as_day(today).date(),
                                  fmt)
        atomic_write_bytes(path, data)
        written.append(path)
    return written
