"""`ui.text.escape_markdown`, checked character by character against CommonMark's escaping rule; how Streamlit's
renderer shows the result is checked in the browser (tests/browser/test_browser.py)."""

from __future__ import annotations

import string

import pytest

from ui.text import WORD_JOINER, escape_markdown

SPECIAL = "\\`*_{}[]()#+-.!|<>~$:&\"'%^=@/?;,"


def test_every_ascii_punctuation_character_is_backslash_escaped():
    escaped = escape_markdown(string.punctuation)
    assert escaped == "".join("\\" + ch for ch in string.punctuation).replace("@", "@" + WORD_JOINER)


@pytest.mark.parametrize("text", [
    "Régie « Étoile » & Fils (93)",
    "[Session expirée : reconnectez-vous ici](https://evil.example/connexion)",
    "<img src=x onerror=alert(1)>",
    ":material/verified: :red[Officiel] :smile: $x^2$",
    "l'été 2024 — 12,5 % à 3–4 km",
    SPECIAL,
])
def test_letters_stay_and_each_punctuation_character_gets_one_backslash(text):
    escaped = escape_markdown(text).replace(WORD_JOINER, "")
    out, pending = [], iter(escaped)
    for ch in pending:  # read back as CommonMark does: a backslash before punctuation stands for that character
        if ch == "\\":
            ch = next(pending)
            assert ch in string.punctuation, escaped
        else:
            assert ch not in string.punctuation, f"{ch!r} left unescaped in {escaped!r}"
        out.append(ch)
    assert "".join(out) == text


@pytest.mark.parametrize(("text", "broken"), [
    ("https://evil.example/connexion", "https" + WORD_JOINER + "\\:"),
    ("voir HTTP://evil.example", "HTTP" + WORD_JOINER + "\\:"),
    ("www.evil.example", "www" + WORD_JOINER + "\\."),
    ("_https://evil.example_", "https" + WORD_JOINER + "\\:"),  # GFM links after punctuation too
    ("support@evil.example", "\\@" + WORD_JOINER + "evil"),
])
def test_autolinks_are_broken_by_an_invisible_word_joiner(text, broken):
    """GitHub-flavoured Markdown links these after resolving the escapes: the joiner is what stops it."""
    assert broken in escape_markdown(text)


def test_line_breaks_and_blank_runs_become_one_space():
    assert escape_markdown("a\n\n    code\n# titre\t fin ") == "a code \\# titre fin"


def test_any_value_is_accepted():
    assert escape_markdown(12.5) == "12\\.5"
    assert escape_markdown(None) == "None"
