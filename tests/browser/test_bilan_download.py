"""The annual report downloads from /suivi, and both files open with the year's figures (issue 19)."""

from __future__ import annotations

import io
import re

from playwright.sync_api import Page
from pptx import Presentation
from pypdf import PdfReader

from geo import fr
from tests.browser.test_browser import open_app
from tests.ui.test_bilan import END, EVE, files, known, pptx_tables  # noqa: F401  (files: the module's fixture)


def _download(page: Page, label: str) -> bytes:
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=re.compile(label)).click()
    return info.value.path().read_bytes()


def test_the_report_downloads_and_reads_back(page: Page, base_url, files):  # noqa: F811
    demo, recorded = files
    open_app(page, f"{base_url}/suivi")
    before, after = len(known(demo, recorded, EVE)), len(known(demo, recorded, END))
    pptx = _download(page, "PowerPoint")
    Presentation(io.BytesIO(pptx))  # opens
    figures = {row[0]: row[1:] for row in pptx_tables(pptx)["Chiffres clés 2025 : France entière"][1:]}
    assert figures["Partenariats organisme HLM × régie"] == [fr.nombre(before), fr.nombre(after),
                                                             f"+{fr.nombre(after - before)}"]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(_download(page, "PDF"))).pages).split())
    plain = text.replace("\u202f", " ").replace("\xa0", " ")
    assert "Bilan annuel 2025 : France entière" in text and "Données de démonstration" in text
    assert fr.nombre(after).replace("\u202f", " ").replace("\xa0", " ") in plain
