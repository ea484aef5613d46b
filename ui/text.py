"""Text from data files or from the URL, shown as itself wherever it lands: Streamlit's Markdown.

Streamlit renders every message, caption, heading and widget label as GitHub-flavoured Markdown with its own
additions (`:emoji:`, `:material/icon:`, `:red[…]`, `$maths$`); a value that reaches one of them unescaped can draw
a link or a badge inside a trusted message. HTML goes through `html.escape` (ui/maps.py, ui/printing.py), TeX is
switched off where matplotlib draws (`ui.images.PLAIN_TEXT`).
"""

from __future__ import annotations

import re
import string

WORD_JOINER = "\u2060"  # invisible, never a line break
# GFM links a bare `http://…`, `www.…` or `name@host` even when its punctuation is escaped: the link is found in the
# text once the escapes are resolved. A word joiner after the scheme or the `@` breaks the pattern and shows nothing.
_AUTOLINK = re.compile(r"(?i)(?:https?|ftp|www)(?=[:.])|@")


def escape_markdown(text: object) -> str:
    """`text` as Markdown that shows exactly it: every ASCII punctuation character backslash-escaped (CommonMark
    allows it for all of them: links, emphasis, HTML, entities, `$`, `:emoji:` and `:red[…]` stay text), line
    breaks and runs of blanks made one space (a new line could open a heading, a list or a code block), and a word
    joiner after `http`, `www` and `@` (no autolink)."""
    flat = " ".join(str(text).split())
    unlinked = _AUTOLINK.sub(lambda match: match.group(0) + WORD_JOINER, flat)
    return "".join("\\" + ch if ch in string.punctuation else ch for ch in unlinked)
