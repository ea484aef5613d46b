"""Identifiers for the records people's lists do not identify: the same list imported twice updates the same
records instead of adding them again.

A régie without `id_regie` gets `RQ-<département>-<6 characters>` (`RT-…` for a régie de territoire), the
characters coming from its SIRET when the list gives one, otherwise from its name and commune; a partnership
without `id_partenariat` gets `P-<start year>-<8 characters>` from its régie, organisme, QPV and start date. They
follow the demo's patterns (`RQ-059-01`, `P-2024-0001`) and are readable (Crockford's base 32: no I, L, O, U).
Case, accents, spaces and punctuation of the inputs do not change them, nor the order of the QPV codes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

from geo import ref
from geo.names import name_key
from geo.schema import CODE_WIDTHS, REGIE_TYPES, is_blank, match_choice, normalize_code, split_list

_BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REGIE_HASH_LENGTH = 6  # 30 bits: a few régies per département
PARTENARIAT_HASH_LENGTH = 8  # 40 bits: thousands of partnerships a year without a collision


def luhn_ok(number: str) -> bool:
    """Luhn check of a string of digits (the key of a SIREN or a SIRET)."""
    if not number.isdigit():
        return False
    total = 0
    for i, char in enumerate(reversed(number)):
        digit = int(char) * (2 if i % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def _digits(value: object) -> str:
    code = normalize_code(value) or ""
    return code.replace(".", "").replace("-", "")


def normalize_siren(value: object) -> str | None:
    """The 9-digit SIREN written in a cell (spaces and dots allowed), None unless its Luhn key holds."""
    digits = _digits(value)
    return digits if len(digits) == 9 and luhn_ok(digits) else None


def normalize_siret(value: object) -> str | None:
    """The 14-digit SIRET written in a cell (« 123 456 789 00012 »), None unless its Luhn key holds."""
    digits = _digits(value)
    return digits if len(digits) == 14 and luhn_ok(digits) else None


def _hash(basis: str, length: int) -> str:
    number = int.from_bytes(hashlib.sha256(basis.encode("utf-8")).digest()[:8], "big")
    return "".join(_BASE32[(number >> (59 - 5 * i)) & 31] for i in range(length))


def regie_id(nom: object, insee_com: object, type_regie: object = None, siret: object = None) -> str:
    """The identifier of a régie a list does not identify: from its SIRET if given, else its name and commune.

    The SIRET (one establishment) is taken as written: a régie that moves gets a new SIRET and so a new id, which
    the import preview shows as an addition. ValueError (French message) for a SIRET that fails its key, a blank
    name or an invalid commune code.
    """
    dep = ref.dep_of_commune(insee_com)
    prefix = "RT" if match_choice(type_regie, REGIE_TYPES) == REGIE_TYPES[1] else "RQ"
    if not is_blank(siret):
        number = normalize_siret(siret)
        if number is None:
            raise ValueError(f"SIRET « {siret} » invalide (14 chiffres dont la clé de contrôle).")
        basis = f"siret:{number}"
    else:
        key = name_key("" if is_blank(nom) else nom)
        if not key:
            raise ValueError("régie sans nom ni SIRET : impossible de lui donner un identifiant.")
        basis = f"nom:{key}|commune:{normalize_code(insee_com, CODE_WIDTHS['insee_com'])}"
    return f"{prefix}-{dep.zfill(3)}-{_hash(basis, REGIE_HASH_LENGTH)}"


def partenariat_id(id_regie: object, siren_organisme: object, qpv: Iterable[object] | object,
                   date_debut: date) -> str:
    """The identifier of a partnership a list does not identify: from its régie, organisme, QPV and start date.

    ValueError (French message) for a blank régie, an invalid SIREN, no QPV or no start date.
    """
    regie = normalize_code(id_regie)
    if not regie:
        raise ValueError("partenariat sans régie : impossible de lui donner un identifiant.")
    siren = _digits(siren_organisme)
    if not (len(siren) == 9 and siren.isdigit()):
        raise ValueError(f"SIREN « {siren_organisme} » invalide (9 chiffres).")
    codes = sorted({normalize_code(c) for c in split_list(qpv)} - {None})
    if not codes:
        raise ValueError("partenariat sans QPV : impossible de lui donner un identifiant.")
    if not isinstance(date_debut, date) or is_blank(date_debut):
        raise ValueError("partenariat sans date de début : impossible de lui donner un identifiant.")
    start = date(date_debut.year, date_debut.month, date_debut.day)
    basis = f"regie:{regie}|siren:{siren}|qpv:{','.join(codes)}|debut:{start.isoformat()}"
    return f"P-{start.year}-{_hash(basis, PARTENARIAT_HASH_LENGTH)}"
