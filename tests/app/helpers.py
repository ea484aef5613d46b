"""Running one page of the app in Streamlit's AppTest, and reading what it shows."""

from __future__ import annotations

import json
import re
import string

import pandas as pd
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from dashboard.navigation import PAGES
from tests.paths import REPO
from ui.text import WORD_JOINER

TIMEOUT = 90  # seconds: the first run of a data folder loads and joins it
BANNER = "Données de démonstration"
SCRIPTS = {path: script for script, _, path, _ in PAGES.values()}  # url path ("" for the home page) -> script
TITLES = {path: title for _, title, path, _ in PAGES.values()}


def run_page(path: str = "", params: dict[str, str] | None = None) -> AppTest:
    """The page served at `/<path>` after one run with these URL parameters."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(SCRIPTS[path])
    at.run(timeout=TIMEOUT)
    return at


def plain(markdown: str) -> str:
    """What a reader sees of Markdown escaped by `ui.text.escape_markdown`: the punctuation without its backslash,
    without the invisible word joiners."""
    return re.sub(f"\\\\([{re.escape(string.punctuation)}])", r"\1", markdown).replace(WORD_JOINER, "")


def infos(at: AppTest) -> list[str]:
    """The notices as read (they are escaped: they quote values of the URL)."""
    return [plain(str(i.value)) for i in at.info]


def warnings(at: AppTest) -> list[str]:
    return [str(w.value) for w in at.warning]


def download_labels(at: AppTest) -> list[str]:
    return [d.proto.label for d in at.get("download_button")]


def map_args(at: AppTest) -> dict:
    """The arguments streamlit-folium sends to the browser (map script, layers, asset links)."""
    maps = [c for c in at.get("component_instance") if "st_folium" in c.proto.component_name]
    assert len(maps) == 1, f"one st_folium map expected, found {len(maps)}"
    return json.loads(maps[0].proto.json_args)


def map_text(at: AppTest) -> str:
    """The map's script, layers and header as the browser reads them: JavaScript `\\uXXXX` escapes decoded (the
    JSON embedded in folium's script spells `<` as `\\u003c`)."""
    args = map_args(at)
    text = "\n".join(str(args.get(key) or "") for key in ("header", "html", "script", "feature_group"))
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def shown_cells(dataframe) -> pd.DataFrame:
    """The text a grid (an AppTest dataframe element) shows: its Styler display values when it has them."""
    data = dataframe.proto.arrow_data
    if data.HasField("styler"):
        return convert_arrow_bytes_to_pandas_df(data.styler.display_values)
    return dataframe.value
