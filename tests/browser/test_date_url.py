"""The date of the data in the address (issue 19): it opens the page at that date, the sidebar's date changes the
address, and Back brings the earlier date back, in the sidebar and in the figures."""

from __future__ import annotations

import re

import pandas as pd
from playwright.sync_api import Page, expect

from geo import fr
from tests.browser.test_browser import LOAD_TIMEOUT, open_app
from tests.browser.test_french import card
from tests.ui.test_bilan import files, known  # noqa: F401  (files: the demo and its recorded statuses)

END, EVE = pd.Timestamp("2025-12-31"), pd.Timestamp("2024-12-31")


def segments(page: Page) -> list:
    field = page.locator('[data-testid="stSidebar"] [data-testid="stDateInput"]').first
    return [field.locator(f'[data-type="{part}"]').first for part in ("day", "month", "year")]


def expect_day(page: Page, day: pd.Timestamp, demo, recorded) -> None:
    expect(page).to_have_url(re.compile(rf"[?&]date={day:%Y-%m-%d}(&|$)"))
    for segment, text in zip(segments(page), (f"{day:%d}", f"{day:%m}", f"{day:%Y}"), strict=True):
        expect(segment).to_have_text(text, timeout=LOAD_TIMEOUT)
    expect(card(page, "Partenariats")).to_have_text(fr.nombre(len(known(demo, recorded, day))),
                                                    timeout=LOAD_TIMEOUT)


def test_the_date_round_trips_and_back_restores_it(page: Page, base_url, files):  # noqa: F811
    demo, recorded = files
    assert len(known(demo, recorded, END)) != len(known(demo, recorded, EVE))  # the two days tell apart
    open_app(page, f"{base_url}/?date=2025-12-31")
    expect_day(page, END, demo, recorded)

    year = segments(page)[2]
    year.click()
    page.keyboard.type("2024")
    # the typed year shows in the open calendar; choosing the day there is what sets the field
    page.get_by_role("button", name=re.compile(r"^mardi 31 décembre 2024")).click()
    expect_day(page, EVE, demo, recorded)

    page.go_back()
    expect_day(page, END, demo, recorded)
