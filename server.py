"""What `make run` and `tools/serve-multi.sh` serve: the app (app.py) with the route that sets the session cookie
(dashboard/session_routes.py). `streamlit run server.py` finds `app` and serves it (Streamlit's Starlette App)."""

from streamlit.starlette import App

from dashboard.session_routes import ROUTES

app = App("app.py", routes=ROUTES)
