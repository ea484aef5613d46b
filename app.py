"""Entry point: page configuration and navigation only (each page lives in pages/)."""

import streamlit as st

from shell import PAGES

st.set_page_config(page_title="Carte des coopérations HLM × régies", page_icon=":material/map:", layout="wide")
pages = [
    st.Page(script, title=title, icon=icon, url_path=path or None, default=not path)
    for script, title, path, icon in PAGES.values()
]
# The sidebar draws its own links (shell.sidebar) so that the current filters travel with them.
st.navigation(pages, position="hidden").run()
