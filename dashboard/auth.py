"""Who is logged in, the login form, logout, and the OpenID Connect (`st.login`) mapping.

A login opens a server-side session (`store.open_session`): `st.session_state` keeps its id, the browser an
HttpOnly cookie with its token (set through `dashboard.session_routes`), so that a reload or a new tab stays
logged in for `SESSION_LENGTH`. The session and its account (role, régions, disabled, credential version) are
read from the store on every rerun, and `Store.write` checks the account again. Nothing about an account is ever
in `st.cache_resource`. Passwords only pass from the form to `store.authenticate`: never stored, logged or shown
(the form clears its fields on submit).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping

import streamlit as st

import settings
from dashboard.data import store
from dashboard.session_routes import COOKIE, PATH
from store import (
    Account,
    AuthError,
    Store,
    authenticate,
    close_session,
    login_required,
    open_session,
    session_account,
    user_for_email,
)
from ui.text import escape_markdown

SESSION_KEY = "compte"  # session_state: the id of the logged-in session (store.open_session)
HANDOFF_KEY = "compte-code"  # session_state: the session's one-time code, for the next run to give the browser
FORGET_KEY = "compte-oubli"  # session_state: the next run clears the browser's session cookie
CLIENT_KEY = "client-session"  # session_state: a random id of this browser session, for the login throttle


def oidc_configured() -> bool:
    """An identity provider is configured (`[auth]` in .streamlit/secrets.toml): `st.login` replaces the form."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def account_for_identity(store_: Store, user: Mapping) -> Account | None:
    """The account of an identity the provider vouched for: by e-mail (role and régions from the database); none
    for an unverified or unknown address or a disabled account."""
    if not user.get("is_logged_in") or user.get("email_verified") is False:
        return None
    return user_for_email(store_, str(user.get("email") or ""))


def _cookie_token() -> str | None:
    """The session token the browser sent with this session's first request (text only: outside a real browser
    session, as under AppTest, the context holds no such value)."""
    token = st.context.cookies.get(COOKIE)
    return token if isinstance(token, str) and token else None


def current_account() -> Account | None:
    """The logged-in account as the database knows it now, or None: this browser session's login, else the one
    its session cookie names (a reload, a new tab)."""
    found = None
    session_id = st.session_state.get(SESSION_KEY)
    if session_id is not None:
        found = session_account(store(), session_id=session_id)
        if found is None:  # expired, logged out elsewhere, password reset or account disabled
            st.session_state.pop(SESSION_KEY, None)
    elif token := _cookie_token():
        found = session_account(store(), token=token)
        if found is not None:
            st.session_state[SESSION_KEY] = found[0]
    if found is not None:
        return found[1]
    if oidc_configured():
        return account_for_identity(store(), st.user.to_dict())
    return None


def forwarded_address(headers: Mapping[str, str], peer: str | None) -> str:
    """The client's address: the last `X-Forwarded-For` entry, the one HAProxy appended (`option forwardfor`;
    anything before it was sent by the client and proves nothing), else the connection's own peer."""
    forwarded = headers.get("X-Forwarded-For") or ""
    return forwarded.rsplit(",", 1)[-1].strip() or peer or "inconnue"


def login_clients() -> tuple[str, str]:
    """Where a login attempt comes from, for the store's throttle: the address and this browser session."""
    session = st.session_state.setdefault(CLIENT_KEY, secrets.token_urlsafe(16))
    address = forwarded_address(st.context.headers, st.context.ip_address)
    return f"adresse:{address}", f"session:{session}"


def show_authors(account: Account | None) -> bool:
    """Whether the journal's authors are shown: to the logged-in, and to everyone when CARTE_AUTEURS_PUBLICS says
    so (the names are account names: hidden from visitors by default)."""
    return account is not None or settings.current().authors_public


def login_form(key: str = "connexion") -> None:
    """The login form (or the identity provider's button); a success reruns the page logged in."""
    if oidc_configured():
        if st.button("Se connecter avec le fournisseur d'identité", key=f"{key}-oidc", icon=":material/login:"):
            st.login()
        if st.user.get("is_logged_in") and current_account() is None:
            st.error("Cette adresse n'est associée à aucun compte actif : demandez à un administrateur national de "
                     "créer le vôtre.")
        return
    with st.form(key, clear_on_submit=True, enter_to_submit=True):
        name = st.text_input("Identifiant", autocomplete="username")
        password = st.text_input("Mot de passe", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Se connecter", icon=":material/login:")
    if submitted:
        if not name.strip() or not password:
            st.error("Saisissez votre identifiant et votre mot de passe.")
            return
        try:
            account = authenticate(store(), name, password, clients=login_clients())
        except AuthError as exc:
            st.error(str(exc), icon=":material/lock:")
            return
        try:
            opened = open_session(store(), account, replaces=_cookie_token())
        except AuthError as exc:
            st.error(str(exc), icon=":material/lock:")
            return
        st.session_state[SESSION_KEY] = opened.id
        st.session_state[HANDOFF_KEY] = opened.handoff
        st.rerun()


def browser_cookie() -> None:
    """After a login or a logout, the one request that sets or clears the browser's session cookie (the script
    is the app's own, no CDN; the code in it is spent by that request)."""
    code = st.session_state.pop(HANDOFF_KEY, None)
    if code is None and not st.session_state.pop(FORGET_KEY, False):
        return
    options = {"method": "POST", "body": code} if code else {"method": "DELETE"}
    st.html(f"<script>fetch({json.dumps(PATH)}, {json.dumps({**options, 'credentials': 'same-origin'})})</script>",
            unsafe_allow_javascript=True)


def logout() -> None:
    if (session_id := st.session_state.pop(SESSION_KEY, None)) is not None:
        close_session(store(), session_id=session_id)
    st.session_state[FORGET_KEY] = True
    if oidc_configured() and st.user.get("is_logged_in"):
        st.logout()


def account_line(account: Account) -> str:
    return f"Connecté : **{escape_markdown(account.label)}**"


def require_account(purpose: str) -> Account | None:
    """The logged-in account; otherwise the login form and None (the page shows nothing else; it returns rather
    than `st.stop()`, which would also stop app.py before it draws the sidebar)."""
    account = current_account()
    if account is None:
        st.info(f"{purpose} demande un compte : connectez-vous.", icon=":material/lock:")
        login_form()
    return account


def require_viewer() -> None:
    """With `CARTE_LOGIN_REQUIRED=oui`, viewing needs an account too: the login form instead of the page. (Every
    page starts here: it also hands the browser its session cookie after a login or a logout.)"""
    browser_cookie()
    if login_required() and current_account() is None:
        st.title("Connexion")
        st.info("La consultation de ce tableau de bord demande un compte.", icon=":material/lock:")
        login_form()
        st.stop()


def sidebar_account() -> None:
    """In the sidebar: who is logged in and the logout button."""
    account = current_account()
    if account is None:
        return
    st.sidebar.markdown(account_line(account))
    st.sidebar.button("Se déconnecter", on_click=logout, icon=":material/logout:", key="deconnexion",
                      width="stretch")
