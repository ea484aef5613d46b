"""What a visitor sees when a page fails: a French message with a short reference, never a traceback.

The traceback goes to the server log under the same reference, so that the administrator finds it from what the
user reports. `client.showErrorDetails = "none"` (.streamlit/config.toml) covers what runs outside this guard
(widget callbacks): Streamlit's own generic message, without details.
"""

from __future__ import annotations

import logging
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

LOG = logging.getLogger("carte.pages")
if not LOG.handlers:  # Streamlit configures only its own loggers: without a handler, an error would print bare
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    LOG.addHandler(_handler)


def new_reference() -> str:
    """8 hexadecimal characters: short enough to read over the phone, enough to tell a day's errors apart."""
    return secrets.token_hex(4)


def error_message(reference: str) -> str:
    return (f"Cette page a rencontré une erreur inattendue. Rechargez-la ; si l'erreur persiste, transmettez à "
            f"l'administrateur la référence **{reference}** (le journal du serveur en garde le détail).")


@contextmanager
def page_errors(where: str) -> Iterator[None]:
    """Run a page (or a part of it that reruns alone) named `where` in the log: an exception becomes the French
    message on the page and a log record with its traceback.

    Only `Exception` is caught: Streamlit's st.rerun, st.stop and st.switch_page raise subclasses of
    BaseException (its ScriptControlException, "to avoid being caught by user code"), which pass through.
    """
    try:
        yield
    except Exception:
        reference = new_reference()
        LOG.exception("Page error, reference %s, in %s", reference, where)
        st.error(error_message(reference), icon=":material/error:")
