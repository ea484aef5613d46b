"""Entry point: page configuration and navigation only (each page lives in app_pages/).

The page folder is not named `pages/`: Streamlit treats such a folder as a legacy multipage app until
`st.navigation` first runs in the process, so a shared deep link opened on a freshly started server would run the
page without this entry point (no wide layout, no navigation).
"""

import streamlit as st

from dashboard.errors import page_errors
from dashboard.locale import french_document
from dashboard.navigation import NO_DATA, PAGES
from dashboard.sidebar import navigation_sidebar

# An emoji icon becomes a data: URL; a ":material/…:" one would load the favicon from Google's font servers.
# Each page sets its own tab title (dashboard.page.start_page).
st.set_page_config(page_icon="🗺️", layout="wide")
french_document()
pages = [
    st.Page(script, title=title, icon=icon, url_path=path or None, default=not path)
    for script, title, path, icon in PAGES.values()
]
page = st.navigation(pages, position="hidden")
with page_errors(page.url_path or "/"):  # a French message and a reference, never a traceback
    page.run()
# The sidebar draws its own links so that the current filters travel with them, after the page's content.
navigation_sidebar(shows_data=page.url_path not in NO_DATA)
