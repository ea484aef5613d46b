"""Connexion: log in (form, or the identity provider when one is configured) and out."""

import streamlit as st

from dashboard import auth
from dashboard.navigation import PAGES
from dashboard.page import start_page
from store import login_required

start_page("Connexion", shows_data=False)
account = auth.current_account()
if account is None:
    st.markdown("Un compte est nécessaire pour modifier les données (saisie, import, annulation)"
                f"{'' if login_required() else ' ; la consultation n’en demande pas'}.")
    auth.login_form()
else:
    st.markdown(auth.account_line(account))
    for key in ("edit", "import", "history"):
        script, title, _, icon = PAGES[key]
        st.page_link(script, label=title, icon=icon)
    st.button("Se déconnecter", on_click=auth.logout, icon=":material/logout:", key="deconnexion-page")
