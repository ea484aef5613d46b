"""Form records: canonical text, references the data must know, markup refused, messages grouped by field."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pandas as pd

from geo import edits
from geo.validate import ERREUR, Finding


def test_partnership_record_is_the_canonical_text_of_a_file():
    record = edits.partnership_record(
        id_partenariat=" P-2026-0001 ", id_regie="RQ-059-01", siren_organisme="123456782", qpv=["QN05901M", "QN05902M"],
        themes=["cohesion-sociale", "inclusion-numerique"], statut="en cours", date_debut=date(2026, 3, 1),
        date_fin=None, description="  ", montant_eur="45 000", heures_insertion="")
    assert record == {"id_partenariat": "P-2026-0001", "id_regie": "RQ-059-01", "siren_organisme": "123456782",
                      "qpv": "QN05901M | QN05902M", "themes": "cohésion sociale | inclusion numérique",
                      "statut": "en cours", "date_debut": "01/03/2026", "date_fin": None, "description": None,
                      "montant_eur": "45 000", "heures_insertion": None}


def test_reference_errors_name_the_unknown_field():
    atlas = SimpleNamespace(regies=pd.DataFrame({"id_regie": ["R1"]}), organismes=pd.DataFrame({"siren": ["1"]}),
                            qpv=pd.DataFrame({"code_qp": ["QN05901M"]}))
    ok = {"id_regie": "R1", "siren_organisme": "1", "qpv": "QN05901M"}
    assert edits.reference_errors(ok, atlas) == {}
    bad = edits.reference_errors({"id_regie": "R2", "siren_organisme": "2", "qpv": "QN05901M | QN99999X"}, atlas)
    assert set(bad) == {"id_regie", "siren_organisme", "qpv"} and "QN99999X" in bad["qpv"]


def test_markup_is_refused_plain_comparisons_are_not():
    assert set(edits.markup_errors({"nom": "<img src=x onerror=alert(1)>", "description": "a < b et c > d",
                                    "commune": "<!-- x -->"})) == {"nom", "commune"}


def test_field_errors_group_messages_and_suggestions():
    findings = [Finding(ERREUR, "f", 2, "date_fin", "la date de fin précède la date de début."),
                Finding(ERREUR, "f", 2, None, "ligne refusée.", "vérifiez-la.")]
    assert edits.field_errors(findings) == {"date_fin": "la date de fin précède la date de début.",
                                            "": "ligne refusée. Suggestion : vérifiez-la."}


def test_next_id_follows_the_years_numbering():
    assert edits.next_id(["P-2026-0009", "P-2026-0010", "P-2025-0300", "AUTRE"], 2026) == "P-2026-0011"
    assert edits.next_id([], 2027) == "P-2027-0001"


def test_declination_record_is_the_canonical_text_of_a_file():
    record = edits.declination_record(insee_reg="32", ar_hlm="  AR Hlm HdF ", statut="signée",
                                      date_signature=date(2026, 2, 1), organismes=["123456782", "987654324"],
                                      regies=[], lien_document="", commentaire="")
    assert record == {"insee_reg": "32", "ar_hlm": "AR Hlm HdF", "statut": "signée", "date_signature": "01/02/2026",
                      "organismes_signataires": "123456782 | 987654324", "regies_signataires": None,
                      "lien_document": None, "commentaire": None}


def test_a_signature_date_is_not_in_the_future():
    today = date(2026, 11, 27)
    assert edits.declination_errors(today, today) == {}
    assert edits.declination_errors(None, today) == {}
    assert list(edits.declination_errors(date(2026, 11, 28), today)) == ["date_signature"]


def test_a_regie_placed_or_moved_by_hand_has_the_precision_saisie():
    before = {"id_regie": "R1", "latitude": "48.886", "longitude": "2.368", "precision": "adresse"}
    moved = {**before, "latitude": "48.9"}
    assert edits.placed_by_hand(moved, before) == {**moved, "precision": "saisie"}
    renamed = {**before, "nom": "Régie Riquet"}
    assert edits.placed_by_hand(renamed, before) == renamed  # same place: the geocoder's precision stays
    typed = {"id_regie": "R2", "latitude": "50.69", "longitude": "3.18", "precision": None}
    assert edits.placed_by_hand(typed, None)["precision"] == "saisie"
    unplaced = {"id_regie": "R3", "latitude": None, "longitude": None, "precision": None}
    assert edits.placed_by_hand(unplaced, None) == unplaced
