"""End to end, on a fresh store, offline, with the local addok (tools/test-addok.sh): a federation's list of régies,
a SIRENE extract and a partnership sheet naming things, imported as they are → the preview lists every guess and
question → publish → the key figures and tables show them with their precision → `export` then re-import gives
the same records. Expected values come from the reference tables (data/ref) and the lists written here."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from geo.details import partnership_table
from geo.filters import Filters, apply
from geo.identifiers import luhn_ok
from geo.indicators import coverage_text, kpis
from geo.joins import build_atlas
from geo.schema import THEME_BY_SLUG
from store import Store, add_user
from tests.paths import REPO
from ui.exports import to_xlsx
from ui.tables import partnership_sheet

FIXTURE = REPO / "tests" / "fixtures" / "ban_addok_extrait.ndjson"
PAIRS = pd.read_csv(REPO / "data" / "ref" / "qpv2024_communes.csv", dtype=str, keep_default_na=False)
HEADER = ["Nom de la régie", "Adresse", "CP", "Ville", "Quartiers d'intervention", "Nb salariés", "Nb bénévoles"]
# (commune as written, postal code, INSEE code it stands for, address the fixture holds or "")
PLACES = [
    ("Paris", "75019", "75056", "12 rue Riquet"), ("ROUBAIX", "59100", "59512", "4 rue de Lannoy"),
    ("Saint-Denis", "93200", "93066", "3 rue Gabriel Péri"),
    ("Marseille", "13013", "13055", "5 avenue de la Croix Rouge"),
    ("reims", "51100", "51454", ""), ("Tours", "37000", "37261", ""), ("Lille", "59000", "59350", ""),
    ("Toulouse", "31100", "31555", ""), ("Strasbourg", "67100", "67482", ""), ("Nantes", "44100", "44109", ""),
    ("Rennes", "35200", "35238", ""), ("Le Havre", "76600", "76351", ""), ("lyon", "69008", "69123", ""),
    ("Bobigny", "93000", "93008", ""), ("Aubervilliers", "93300", "93001", ""), ("Amiens", "80080", "80021", ""),
    ("Besançon", "25000", "25056", ""), ("Montpellier", "34080", "34172", ""), ("Grenoble", "38100", "38185", ""),
]
AMBIGUOUS_ROW = 2 + len(PLACES)  # « Saint-Denis » without a postal code, last row


def first_qpv(insee_com: str) -> tuple[str, str]:
    row = PAIRS[PAIRS["insee_com"] == insee_com].sort_values("code_qp").iloc[0]
    return row["code_qp"], row["lib_qp"]


def fr_decimal(value: float) -> str:
    return repr(value).replace(".", ",")


def siren(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def store(tmp_path, monkeypatch, addok_url):
    monkeypatch.setenv("CARTE_GEOCODER_URL", addok_url)
    monkeypatch.setenv("CARTE_GEOCODER_TIMEOUT", "20")
    folder = tmp_path / "reference"
    folder.mkdir()
    shutil.copy(REPO / "data" / "demo" / "qpv.geojson", folder)  # a link out of the folder is not followed
    store = Store.open(f"sqlite:///{tmp_path / 'carte.sqlite3'}", reference_folder=folder)
    add_user(store, "adm", "admin", password="un mot de passe assez long")
    yield store
    store.close()


def federation_rows() -> tuple[list[list[str]], dict[int, dict]]:
    rows, expected = [], {}
    for number, (commune, postal, insee, address) in enumerate(PLACES, start=2):
        code, name = first_qpv(insee)
        salaries = "" if number % 6 == 0 else str(10 + number)
        quartiers = name.lower() if number % 2 else name
        if number == 3:
            quartiers += " / Quartier Imaginaire"
        rows.append([f"Régie de quartier {number}", address, postal, commune, quartiers, salaries, str(number)])
        expected[number] = {"insee_com": insee, "qpv": code, "salaries": int(salaries) if salaries else None,
                            "precision": "adresse" if address else "commune"}
    code, name = first_qpv("93066")
    rows.append(["Régie de quartier des Francs", "", "", "Saint-Denis", name, "30", "2"])
    expected[AMBIGUOUS_ROW] = {"insee_com": "93066", "qpv": code, "salaries": 30, "precision": "commune"}
    return rows, expected


def test_real_lists_imported_as_they_are(store, tmp_path):
    rows, expected = federation_rows()
    regies_file = write(tmp_path / "liste_federation_2026.csv", HEADER, rows)

    preview = store.plan_import("adm", regies_file)
    assert preview.files == {"regies": regies_file.name} and preview.blocking == []
    assert preview.mappings["regies"]["Quartiers d'intervention"] == "qpv_couverts"
    (question,) = preview.questions
    assert (question.row, question.column, question.written) == (AMBIGUOUS_ROW, "Ville", "Saint-Denis")
    assert "93066" in {value for value, _ in question.choices} and "97411" in {v for v, _ in question.choices}
    unknown = [f for f in preview.findings if "Quartier Imaginaire" in f.message]
    assert [(f.row, f.column) for f in unknown] == [(3, "Quartiers d'intervention")]
    read_communes = {g.row for g in preview.guesses if g.column == "Ville"}
    assert read_communes == set(range(2, AMBIGUOUS_ROW))
    assert len(preview.added) == len(PLACES)  # the asked row waits for its answer

    answered = store.plan_import("adm", regies_file, answers={question.key: "93066"})
    assert answered.questions == [] and len(answered.added) == len(rows)
    store.publish(answered, "adm", "liste de la fédération")
    again = store.plan_import("adm", regies_file, answers={question.key: "93066"})
    assert (again.added, again.changed, len(again.unchanged)) == ([], [], len(rows))  # same list, same records

    stored = {r["nom"]: r for r, _ in store.read_records("regies").values()}
    for number, want in expected.items():
        record = stored[rows[number - 2][0]]
        assert (record["insee_com"], record["qpv_couverts"], record["precision"]) == (
            want["insee_com"], want["qpv"], want["precision"]), number
        assert record["salaries"] == (None if want["salaries"] is None else str(want["salaries"]))
    riquet = stored["Régie de quartier 2"]
    number = next(json.loads(line) for line in FIXTURE.open(encoding="utf-8") if '"75119_a001"' in line)
    position = number["housenumbers"]["12"]
    assert (riquet["latitude"], riquet["longitude"]) == (fr_decimal(position["lat"]), fr_decimal(position["lon"]))

    oph, esh = siren("27590001"), siren("40123456")
    sirene = write(tmp_path / "StockUniteLegale_extrait.csv",
                   ["siren", "denominationUniteLegale", "categorieJuridiqueUniteLegale", "codeCommuneEtablissement"],
                   [[oph, "Lille Métropole Habitat", "7371", "59350"], [esh, "Logis du Dix-Neuvième", "5546", "75119"],
                    [siren("77712345"), "Association du quartier", "9220", "59350"]])
    organismes = store.plan_import("adm", sirene)
    assert organismes.files == {"organismes": sirene.name} and len(organismes.added) == 2
    assert any("9220" in f.message and f.row == 4 for f in organismes.findings)
    store.publish(organismes, "adm", "extrait SIRENE")

    lille_code, lille_qpv = first_qpv("59350")
    paris_code, paris_qpv = first_qpv("75056")
    sheet = write(tmp_path / "maj_partenariats_hdf.csv", ["Régie", "Bailleur", "Quartier", "Thématique", "Statut",
                                                           "Date de début", "Montant"],
                  [["régie de quartier 8", "LILLE METROPOLE HABITAT", lille_qpv, "cadre de vie", "en cours",
                    "01/09/2025", "12 000"],
                   ["Régie de quartier 2", esh, paris_qpv, "numérique ; insertion", "en projet", "01/01/2026", ""],
                   ["Régie inconnue", oph, lille_qpv, "cadre de vie", "en projet", "01/01/2026", ""]])
    partnerships = store.plan_import("adm", sheet)
    assert partnerships.files == {"partenariats": sheet.name} and len(partnerships.added) == 2
    assert [(f.row, f.column) for f in partnerships.findings if "inconnu" in f.message] == [(4, "Régie")]
    added = {c.after["id_regie"]: c.after for c in partnerships.added}
    regie_8 = stored["Régie de quartier 8"]["id_regie"]
    assert (added[regie_8]["siren_organisme"], added[regie_8]["qpv"]) == (oph, lille_code)
    assert added[regie_8]["themes"] == THEME_BY_SLUG["cadre-de-vie"].label
    assert added[riquet["id_regie"]]["qpv"] == paris_code
    store.publish(partnerships, "adm", "suivi des partenariats")
    added_ids = [c.record_id for c in partnerships.added]

    datasets = store.read_datasets()
    atlas = build_atlas(datasets)
    figures = kpis(apply(atlas, Filters()))
    known = [w["salaries"] for w in expected.values() if w["salaries"] is not None]
    assert (figures.regies, figures.partenariats, figures.organismes_partenaires) == (len(rows), 2, 2)
    assert (figures.salaries, figures.salaries_renseignes) == (sum(known), len(known))
    assert coverage_text(figures, "salaries") == f"{len(known)} régies sur {len(rows)} renseignées"
    assert dict(datasets.regies["precision"].value_counts()) == {"adresse": 4, "commune": len(rows) - 4}

    # The partnerships page's own XLSX (French headers, names, no régie ids), two statuses changed, read back.
    sheet = partnership_sheet(partnership_table(apply(atlas, Filters())), atlas.qpv)
    sheet["Statut"] = ["terminé"] * len(sheet)
    download = tmp_path / "partenariats_hauts-de-france_2026-12-03.xlsx"
    download.write_bytes(to_xlsx(sheet, "partenariats"))
    modified = store.plan_import("adm", download)
    assert (modified.blocking, modified.questions, modified.added) == ([], [], [])
    assert sorted(c.record_id for c in modified.changed) == sorted(added_ids)
    assert {(cell.column, cell.new) for c in modified.changed for cell in c.cells} == {("statut", "terminé")}

    exported = store.export(tmp_path / "export")
    assert {p.name for p in exported} >= {"regies.csv", "organismes.csv", "partenariats.csv"}
    back = store.plan_import("adm", tmp_path / "export")
    assert (back.blocking, back.added, back.changed, back.questions) == ([], [], [], [])
    assert len(back.unchanged) == len(rows) + 2 + 2
