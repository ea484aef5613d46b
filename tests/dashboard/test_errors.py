"""A page that fails shows a French message with a short reference, which the server log carries with the
traceback; nothing of the exception reaches the page. Streamlit's st.rerun and st.stop pass through the guard."""

from __future__ import annotations

import logging
import re

from streamlit.testing.v1 import AppTest

from geo import indicators
from tests.app.helpers import TIMEOUT, run_page

SECRET = "détail interne /srv/carte/secret.py"
SHOWN = ("markdown", "caption", "info", "warning", "error", "exception", "title", "header", "subheader", "code")


def _fail(*args, **kwargs):
    raise RuntimeError(SECRET)


def page_text(at: AppTest) -> str:
    """Everything the page shows as text, exceptions included (message and stack trace)."""
    parts = [str(element.value) for kind in SHOWN for element in at.get(kind)]
    parts += [line for element in at.exception for line in element.stack_trace]
    return "\n".join(parts)


def test_a_failing_page_shows_a_french_error_whose_reference_is_in_the_log(monkeypatch, caplog):
    monkeypatch.setattr(indicators, "kpis", _fail)  # the home page's key figures
    with caplog.at_level(logging.ERROR, logger="carte.pages"):
        at = run_page("")
    assert not at.exception
    (error,) = [str(e.value) for e in at.error]
    assert error.startswith("Cette page a rencontré une erreur inattendue.")
    reference = re.search(r"la référence \*\*([0-9a-f]{8})\*\*", error).group(1)
    shown = page_text(at)
    assert SECRET not in shown and "Traceback" not in shown and "RuntimeError" not in shown and "File \"" not in shown
    (record,) = [r for r in caplog.records if r.name == "carte.pages"]
    assert reference in record.getMessage()
    assert record.exc_info[0] is RuntimeError and str(record.exc_info[1]) == SECRET  # the traceback, in the log
    assert at.sidebar.get("page_link"), "the navigation is still drawn after the failed page"


def test_two_failures_get_two_references(monkeypatch):
    monkeypatch.setattr(indicators, "kpis", _fail)
    first, second = ([str(e.value) for e in run_page("").error] for _ in range(2))
    assert first != second


def control_flow() -> None:
    import streamlit as st

    from dashboard.errors import page_errors

    with page_errors("test"):
        if "reran" not in st.session_state:
            st.session_state.reran = True
            st.rerun()  # st.switch_page raises the same RerunException
        st.markdown("après st.rerun")
        st.stop()
    st.markdown("après st.stop")


def test_rerun_and_stop_pass_through_the_guard():
    at = AppTest.from_function(control_flow, default_timeout=TIMEOUT).run()
    assert [m.value for m in at.markdown] == ["après st.rerun"]
    assert not at.error and not at.exception


def unguarded() -> None:
    raise RuntimeError("détail interne")


def test_an_error_outside_the_guard_shows_no_type_message_nor_traceback():
    """What runs outside the pages' guard (a widget callback) falls to Streamlit, whose details are off
    (`client.showErrorDetails = "none"`): its generic message only."""
    (shown,) = AppTest.from_function(unguarded, default_timeout=TIMEOUT).run().exception
    assert "détail interne" not in shown.message
    assert list(shown.stack_trace) == [] and shown.proto.type == ""
