"""Records typed in the app's forms: their canonical text (what a file's cell would hold), the checks only the
joined data can make (the régie, organisme and QPV a partnership names must exist), and validation findings
grouped by field so that each message shows next to its field. The rest of the validation is the store's
(`Store.write` → `geo.load.clean`, the same as an import)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from geo import fr
from geo.joins import Atlas
from geo.schema import LIST_JOINER, THEME_BY_SLUG
from geo.validate import Finding

Record = dict[str, str | None]
WHOLE = ""  # field key of a message about the whole record
MARKUP = re.compile(r"<[A-Za-z/!?]")  # how a browser sees a tag, comment or declaration start ("a < b" is text)
REQUIRED = "valeur manquante (champ obligatoire)."
FILE_REQUIRED = "(colonne obligatoire)"  # how `geo.load` says it of a file's column: a form has fields


def _text(value) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def partnership_record(*, id_partenariat: str, id_regie: str | None, siren_organisme: str | None,
                       qpv: Sequence[str], themes: Sequence[str], statut: str | None, date_debut: date | None,
                       date_fin: date | None, description: str = "", montant_eur: str = "",
                       heures_insertion: str = "") -> Record:
    """A partnership as the form gives it (theme slugs, dates, amounts as typed) in canonical text."""
    return {
        "id_partenariat": _text(id_partenariat),
        "id_regie": _text(id_regie),
        "siren_organisme": _text(siren_organisme),
        "qpv": LIST_JOINER.join(qpv) or None,
        "themes": LIST_JOINER.join(THEME_BY_SLUG[s].label if s in THEME_BY_SLUG else s for s in themes) or None,
        "statut": _text(statut),
        "date_debut": date_debut.strftime(fr.DATE_FORMAT) if date_debut else None,
        "date_fin": date_fin.strftime(fr.DATE_FORMAT) if date_fin else None,
        "description": _text(description),
        "montant_eur": _text(montant_eur),
        "heures_insertion": _text(heures_insertion),
    }


def declination_record(*, insee_reg: str, ar_hlm: str, statut: str | None, date_signature: date | None,
                       organismes: Sequence[str], regies: Sequence[str], lien_document: str = "",
                       commentaire: str = "") -> Record:
    """A région's declination as the form gives it (signatories picked by name, stored as SIREN / id lists)."""
    return {
        "insee_reg": _text(insee_reg),
        "ar_hlm": _text(ar_hlm),
        "statut": _text(statut),
        "date_signature": date_signature.strftime(fr.DATE_FORMAT) if date_signature else None,
        "organismes_signataires": LIST_JOINER.join(organismes) or None,
        "regies_signataires": LIST_JOINER.join(regies) or None,
        "lien_document": _text(lien_document),
        "commentaire": _text(commentaire),
    }


def declination_errors(signed: date | None, today: date) -> dict[str, str]:
    """Field -> French message for what the form checks beyond the file rules (`geo.load`, applied by the store):
    a signature date is not in the future."""
    if signed and signed > today:
        return {"date_signature": f"date de signature dans le futur ({fr.date_fr(signed)}) : indiquez la date à "
                                  "laquelle la déclinaison a été signée."}
    return {}


def reference_errors(record: Record, atlas: Atlas) -> dict[str, str]:
    """Field -> French message for a régie, organisme or QPV the data does not know."""
    errors = {}
    regie = record.get("id_regie")
    if regie and regie not in set(atlas.regies["id_regie"]):
        errors["id_regie"] = f"régie « {regie} » inconnue : choisissez-la dans la liste."
    siren = record.get("siren_organisme")
    if siren and siren not in set(atlas.organismes["siren"]):
        errors["siren_organisme"] = f"organisme « {siren} » inconnu : choisissez-le dans la liste."
    known = set(atlas.qpv["code_qp"])
    unknown = [c for c in (record.get("qpv") or "").split(LIST_JOINER) if c and c not in known]
    if unknown:
        errors["qpv"] = f"QPV inconnu(s) : {', '.join(unknown)} : choisissez-les dans la liste."
    return errors


def placed_by_hand(record: Record, before: Record | None) -> Record:
    """A régie whose position was typed in a form, or moved there, has the precision « saisie » (whatever the
    field still says: the precision of the geocoding was that of the old place); otherwise unchanged."""
    place = ("latitude", "longitude")
    moved = before is None or any(_text(record.get(c)) != _text(before.get(c)) for c in place)
    return {**record, "precision": "saisie"} if moved and all(_text(record.get(c)) for c in place) else record


def markup_errors(record: Record) -> dict[str, str]:
    """Field -> French message for typed text holding HTML markup: a form takes plain text only (files may hold
    anything; every page escapes data text anyway)."""
    return {column: "balises HTML refusées : saisissez du texte simple (sans « <…> »)."
            for column, value in record.items() if value and MARKUP.search(value)}


def field_errors(findings: Iterable[Finding]) -> dict[str, str]:
    """Field -> the French messages of the findings about it (`WHOLE` for the record as a whole)."""
    out: dict[str, list[str]] = {}
    for finding in findings:
        message = finding.message.replace(FILE_REQUIRED, "(champ obligatoire)")
        text = message + (f" Suggestion : {finding.suggestion}" if finding.suggestion else "")
        out.setdefault(finding.column or WHOLE, []).append(text)
    return {field: " ".join(messages) for field, messages in out.items()}


def next_id(existing: Iterable[str], year: int) -> str:
    """The next free partnership identifier of a year, in the demo's pattern `P-2026-0001`."""
    pattern = re.compile(rf"^P-{year}-(\d+)$")
    numbers = [int(m.group(1)) for value in existing if (m := pattern.match(value))]
    return f"P-{year}-{max(numbers, default=0) + 1:04d}"
