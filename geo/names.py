"""How the names people type are compared with the official ones: one key per spelling.

"Saint-Étienne", "ST ETIENNE", "St-Etienne" and "saint étienne" share the key `saintetienne`; "Cœur de ville" and
"coeur-de-ville" share `coeurdeville`. Keys only decide equality: what is shown is always the official name.
"""

from __future__ import annotations

import re

from geo.schema import fold, is_blank

_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
# Abbreviations written for whole words ("St-Denis", "Ste Geneviève", "Boulogne s/ Mer").
_ABBREVIATIONS = ((re.compile(r"\bste\b\.?"), "sainte"), (re.compile(r"\bst\b\.?"), "saint"),
                  (re.compile(r"\bs/\s*"), "sur "))
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def words(text: object) -> str:
    """Folded text (case, accents, ligatures), abbreviations expanded, punctuation as single spaces ("" if blank)."""
    return "" if is_blank(text) else words_of_folded(fold(text))


def words_of_folded(folded: str) -> str:
    """`words` of a text already folded (`geo.schema.fold`): for callers that look at the folded text first."""
    folded = folded.translate(_LIGATURES)
    if "st" in folded or "s/" in folded:  # most names hold neither: skip the three substitutions
        for pattern, replacement in _ABBREVIATIONS:
            folded = pattern.sub(replacement, folded)
    return _NOT_ALNUM.sub(" ", folded).strip()


def name_key(text: object) -> str:
    """The comparison key of a name: `words` without spaces (hyphens, apostrophes and spaces do not matter)."""
    return words(text).replace(" ", "")
