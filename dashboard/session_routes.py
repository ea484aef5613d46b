"""The HTTP route that gives the browser its session cookie, served beside Streamlit (`server.py`).

A Streamlit script talks to the browser over a websocket and cannot set a cookie, and a cookie that JavaScript
sets cannot be HttpOnly. So, after a login, the page runs a one-line script (`dashboard.auth`) that POSTs the
session's one-time handoff code here; the answer sets the session's token in an HttpOnly, `SameSite=Strict`
cookie. DELETE (logout) revokes the session the cookie names and clears it. Both refuse a request from another
origin (no login or logout forced by another site).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from store import AuthError, close_session, exchange_handoff

COOKIE = "carte_session"
PATH = "/_carte/session"
MAX_CODE = 100  # characters: a handoff code is 43


def _store():
    from dashboard.data import store  # Streamlit's cached store of this process, created by the first page

    return store()


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    host = request.headers.get("host")
    return bool(origin and host) and origin.split("://", 1)[-1] == host


def _secure(request: Request) -> bool:
    """Behind HAProxy terminating TLS, the scheme comes from X-Forwarded-Proto."""
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def _cookie_options(request: Request) -> dict:
    return {"path": "/", "httponly": True, "samesite": "strict", "secure": _secure(request)}


async def session(request: Request) -> Response:
    if not _same_origin(request):
        return Response(status_code=403)
    try:
        if request.method == "POST":
            code = (await request.body())[:MAX_CODE].decode("ascii", errors="replace")
            found = await run_in_threadpool(exchange_handoff, _store(), code)
            if found is None:
                return Response(status_code=403)
            token, seconds = found
            response = Response(status_code=204)
            response.set_cookie(COOKIE, token, max_age=seconds, **_cookie_options(request))
            return response
        if token := request.cookies.get(COOKIE):
            await run_in_threadpool(close_session, _store(), token=token)
    except AuthError:  # a busy database: the browser keeps what it has, the login itself is not affected
        return Response(status_code=503)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, **_cookie_options(request))
    return response


ROUTES = [Route(PATH, session, methods=["POST", "DELETE"])]
