"""The Streamlit layer every page shares (the pages themselves live in app_pages/).

Data flows one way: files → `geo` (loaded and joined once per process, keyed by the files' signature, in
`data`) → `Selection` of the current `Filters` (read from the URL, `url_state`) → builders (`ui`) → pages, which
call `page.start_page()` and lay out what it returns.
"""
