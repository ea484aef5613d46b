"""Stable identifiers: the same inputs, however written, give the same id; different records, different ids."""

from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd
import pytest

from geo.identifiers import luhn_ok, normalize_siren, normalize_siret, partenariat_id, regie_id
from geo.schema import normalize_code
from tests.paths import REPO

REGIE_ID = re.compile(r"^R[QT]-(\d{3}|0\d[AB]|0\d{2})-[0-9A-HJKMNP-TV-Z]{6}$")
PARTENARIAT_ID = re.compile(r"^P-\d{4}-[0-9A-HJKMNP-TV-Z]{8}$")


def luhn_by_doubling(number: str) -> bool:
    """Luhn key computed the other way round: double every second digit from the left when the length is even."""
    digits = [int(d) for d in number]
    parity = len(digits) % 2
    total = sum(d if i % 2 != parity else sum(divmod(2 * d, 10)) for i, d in enumerate(digits))
    return total % 10 == 0


def test_luhn_agrees_with_an_independent_computation():
    organismes = pd.read_csv(REPO / "data" / "demo" / "organismes.csv", sep=";", dtype=str, encoding="utf-8-sig")
    for siren in organismes["siren"]:
        assert luhn_ok(siren) and luhn_by_doubling(siren)
    for number in ["73282932000074", "73282932000075", "123456789", "123456782", "0", "18", "9999999999999"]:
        assert luhn_ok(number) == luhn_by_doubling(number), number
    assert not luhn_ok("12345678A")


def test_siren_and_siret_as_people_write_them():
    assert normalize_siret("732 829 320 00074") == normalize_siret(73282932000074) == "73282932000074"
    assert normalize_siret("732.829.320.00074") == "73282932000074"
    assert normalize_siret("73282932000075") is None and normalize_siret("7328293200007") is None
    assert normalize_siren("732 829 320") == "732829320" and normalize_siren("732829321") is None


@pytest.mark.parametrize(("a", "b"), [
    (("Régie de quartier Stalingrad", "75056"), ("REGIE DE QUARTIER STALINGRAD ", "75056")),
    (("Régie de quartier Saint-Jean", "31555"), ("regie de quartier st jean", 31555)),
    (("Régie des Coteaux", "01053"), ("Régie  des coteaux", "1053")),
    (("x", "75056", "régie de quartier", "732 829 320 00074"), ("y", "75056", None, 73282932000074)),
])
def test_same_regie_same_id_whatever_the_spelling(a, b):
    assert regie_id(*a) == regie_id(*b)


def test_regie_ids_follow_the_demo_pattern_and_differ_between_regies():
    ids = {regie_id("Régie de quartier Stalingrad", "75056"), regie_id("Régie de quartier Stalingrad", "93066"),
           regie_id("Régie de quartier Belleville", "75056"), regie_id("Régie X", "2A004", "régie de territoire"),
           regie_id("Régie X", "97411", siret="73282932000074")}
    assert len(ids) == 5 and all(REGIE_ID.match(i) for i in ids), ids
    assert regie_id("Régie X", "2A004", "Régie de territoire").startswith("RT-02A-")
    assert regie_id("Régie X", "97411").startswith("RQ-974-") and regie_id("Régie X", "59350").startswith("RQ-059-")
    # The demo's own ids have the same head (prefix, département on three characters).
    demo = pd.read_csv(REPO / "data" / "demo" / "regies.csv", sep=";", dtype=str, encoding="utf-8-sig")
    for row in demo.head(20).itertuples():
        assert regie_id(row.nom, row.insee_com, row.type)[:7] == row.id_regie[:7]
    # What the loader keeps of a code is the id itself.
    assert all(normalize_code(i) == i for i in ids)


def test_regie_id_refusals_are_french():
    with pytest.raises(ValueError, match="SIRET « 123 » invalide"):
        regie_id("Régie", "75056", siret="123")
    with pytest.raises(ValueError, match="régie sans nom ni SIRET"):
        regie_id(" ", "75056")
    with pytest.raises(ValueError, match="code commune INSEE invalide"):
        regie_id("Régie", "123")


def test_same_partnership_same_id_whatever_the_spelling():
    one = partenariat_id("RQ-075-01", "123456782", ["QN07519M", "QN07520M"], date(2024, 9, 1))
    assert PARTENARIAT_ID.match(one) and one.startswith("P-2024-")
    assert one == partenariat_id("rq-075-01 ", "123 456 782", "qn07520m | QN07519M", datetime(2024, 9, 1, 10))
    assert one == partenariat_id("RQ-075-01", 123456782, "QN07519M;QN07520M;QN07519M", pd.Timestamp("2024-09-01"))
    others = {partenariat_id("RQ-075-02", "123456782", ["QN07519M", "QN07520M"], date(2024, 9, 1)),
              partenariat_id("RQ-075-01", "987654321", ["QN07519M", "QN07520M"], date(2024, 9, 1)),
              partenariat_id("RQ-075-01", "123456782", ["QN07519M"], date(2024, 9, 1)),
              partenariat_id("RQ-075-01", "123456782", ["QN07519M", "QN07520M"], date(2024, 9, 2))}
    assert len(others) == 4 and one not in others


def test_partnership_ids_of_the_demo_do_not_collide():
    demo = pd.read_csv(REPO / "data" / "demo" / "partenariats.csv", sep=";", dtype=str, encoding="utf-8-sig")
    keys = demo[["id_regie", "siren_organisme", "qpv", "date_debut"]].drop_duplicates()
    ids = {partenariat_id(r.id_regie, r.siren_organisme, r.qpv, datetime.strptime(r.date_debut, "%d/%m/%Y"))
           for r in keys.itertuples()}
    assert len(ids) == len(keys)


@pytest.mark.parametrize(("args", "message"), [
    (("", "123456782", "QN07519M", date(2024, 1, 1)), "partenariat sans régie"),
    (("RQ-075-01", "12345", "QN07519M", date(2024, 1, 1)), "SIREN « 12345 » invalide"),
    (("RQ-075-01", "123456782", " | ", date(2024, 1, 1)), "partenariat sans QPV"),
    (("RQ-075-01", "123456782", "QN07519M", None), "partenariat sans date de début"),
    (("RQ-075-01", "123456782", "QN07519M", pd.NaT), "partenariat sans date de début"),
])
def test_partnership_id_refusals_are_french(args, message):
    with pytest.raises(ValueError, match=message):
        partenariat_id(*args)
