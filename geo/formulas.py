"""Spreadsheet formulas: the one rule for a cell a spreadsheet would evaluate (CSV injection), refused on the way in
(uploads, `Store.write`) and neutralised on the way out (every CSV and XLSX the app writes: page downloads,
`python -m geo export`, `Store.export`). One rule both ways, so that a backup imports back as it was."""

from __future__ import annotations

import re

# =…, @…, a leading tab or carriage return, or +/- followed by a call, a reference or a DDE pipe
# (`+cmd|' /C calc'!A0`). "- Ateliers", "-2,37" or "+33 1 23" stay text/numbers: no call, no reference.
FORMULA = re.compile(r"^(?:[=@\t\r]|[+\-].*[(!|=])")


def is_formula(value: object) -> bool:
    return isinstance(value, str) and FORMULA.match(value) is not None


def neutralize(value):
    """The cell as a spreadsheet shows it without evaluating it: a formula gets a leading apostrophe."""
    return "'" + value if is_formula(value) else value
