"""The published Table Schemas: what `geo.schema` generates, valid for frictionless, and met by every file the app
writes (demo files, blank templates, the store's export) while a faulty file fails with the expected errors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from frictionless import Field, Resource, Schema, system, validate

from geo.schema import CODE_PATTERNS, CODE_QP, DATASETS
from geo.tableschema import SCHEMA_VERSION, field_descriptor, schema_bytes, schema_path, table_schema
from store import Store
from tests.paths import REPO
from ui.exports import template, to_csv_fr, to_xlsx

SCHEMAS = REPO / "data" / "schemas"
DEMO = REPO / "data" / "demo"
TABLES = [name for name, spec in DATASETS.items() if not spec.spatial]


def errors(path: Path, kind: str) -> list[tuple[str, int | None, str | None]]:
    """frictionless' findings on a file checked against the committed schema: (type, row, field)."""
    schema = Schema.from_descriptor(str(schema_path(SCHEMAS, kind)))
    with system.use_context(trusted=True):  # absolute paths (frictionless refuses them by default)
        report = Resource(str(path), schema=schema).validate()
    return [(e.type, getattr(e, "row_number", None), getattr(e, "field_name", None))
            for task in report.tasks for e in task.errors] + [(e.type, None, None) for e in report.errors]


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_committed_schema_is_what_the_spec_generates(name):
    assert schema_path(SCHEMAS, name).read_bytes() == schema_bytes(DATASETS[name]), (
        "régénérez les schémas : python -m geo schemas")


def test_one_schema_per_dataset_and_nothing_else():
    assert sorted(p.relative_to(SCHEMAS).as_posix() for p in SCHEMAS.rglob("*") if p.is_file()) == sorted(
        f"{name}/schema.json" for name in DATASETS)


def test_the_command_regenerates_the_same_bytes(tmp_path):
    result = subprocess.run([sys.executable, "-m", "geo", "schemas", "--out", str(tmp_path)], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"Schémas de données (Table Schema, version {SCHEMA_VERSION}) écrits dans" in result.stdout
    for name in DATASETS:
        assert schema_path(tmp_path, name).read_bytes() == schema_path(SCHEMAS, name).read_bytes(), name


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_schema_is_a_valid_table_schema_with_the_catalogue_metadata(name):
    report = validate(str(schema_path(SCHEMAS, name).relative_to(REPO)), type="schema", basepath=str(REPO))
    assert report.valid, report.flatten(["type", "note"])
    descriptor = table_schema(DATASETS[name])
    for key in ("name", "title", "description", "version", "contributors", "fields"):
        assert descriptor[key], key
    assert re.fullmatch(r"\d+\.\d+\.\d+", descriptor["version"])


def test_fields_follow_the_columns():
    regies = {f["name"]: f for f in table_schema(DATASETS["regies"])["fields"]}
    assert list(regies) == DATASETS["regies"].column_names
    assert regies["salaries"] == {"name": "salaries", "title": "Salariés",
                                  "description": "Nombre de salariés (vide : inconnu)", "example": "85",
                                  "type": "integer", "constraints": {"required": False, "minimum": 0}}
    assert regies["date_creation"]["format"] == "%d/%m/%Y" and regies["latitude"]["decimalChar"] == ","
    assert regies["type"]["constraints"]["enum"] == ["régie de quartier", "régie de territoire"]
    assert regies["insee_com"]["constraints"]["pattern"] == "([0-9]{2}|2[AB])[0-9]{3}"
    assert table_schema(DATASETS["regies"])["primaryKey"] == ["id_regie"]
    assert table_schema(DATASETS["patrimoine"])["primaryKey"] == ["siren_organisme", "code_qp"]


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_example_meets_its_field(name):
    for column in DATASETS[name].columns:
        field = Field.from_descriptor(field_descriptor(column))
        value, notes = field.read_cell(column.example)
        assert notes is None and value is not None, (column.name, column.example, notes)


def test_the_qpv_code_pattern_is_the_loaders():
    assert CODE_QP.pattern == f"^{CODE_PATTERNS['code_qp']}$"


@pytest.mark.parametrize("name", TABLES)
def test_demo_file_meets_its_schema(name):
    assert errors(DEMO / f"{name}.csv", name) == []


@pytest.mark.parametrize("name", ["regions", "departements"])
def test_reference_table_meets_its_schema(name):
    assert errors(REPO / "data" / "ref" / f"{name}.csv", name) == []


@pytest.mark.parametrize("name", TABLES)
def test_blank_templates_of_the_data_page_meet_their_schema(tmp_path, name):
    spec = DATASETS[name]
    (tmp_path / f"{name}.csv").write_bytes(to_csv_fr(template(spec)))
    (tmp_path / f"{name}.xlsx").write_bytes(to_xlsx(template(spec), name))
    assert errors(tmp_path / f"{name}.csv", name) == []
    assert errors(tmp_path / f"{name}.xlsx", name) == []


def test_a_template_of_another_dataset_fails(tmp_path):
    (tmp_path / "regies.csv").write_bytes(to_csv_fr(template(DATASETS["organismes"])))
    assert ("incorrect-label", None, "id_regie") in errors(tmp_path / "regies.csv", "regies")


@pytest.fixture(scope="module")
def store_export(tmp_path_factory) -> Path:
    """The demo folder through the store and back out with `Store.export` (what `python -m geo export` writes)."""
    folder = tmp_path_factory.mktemp("export")
    store = Store.open(f"sqlite:///{folder / 'demo.sqlite3'}", reference_folder=DEMO)
    store.seed_from_folder(DEMO)
    store.export(folder / "sauvegarde")
    store.close()
    return folder / "sauvegarde"


@pytest.mark.parametrize("name", TABLES)
def test_store_export_meets_its_schema(store_export, name):
    path = store_export / f"{name}.csv"
    assert path.stat().st_size > 1000  # rows, not only a header
    assert errors(path, name) == []


BAD_PARTNERSHIPS = """id_partenariat;id_regie;siren_organisme;qpv;themes;statut;date_debut;date_fin;description;\
montant_eur;heures_insertion
P-1;RQ-075-01;123456789;QN07519M | QN07520M;cohésion sociale | cadre-de-vie;en cours;01/09/2024;;ok;45000,5;12
P-2;RQ-075-01;12345678;QN07519M;cohésion sociale;en cours;01/09/2024;;;;
P-3;RQ-075-01;123456789;QX0751;cohésion sociale;en cours;01/09/2024;;;;
P-4;RQ-075-01;123456789;QN07519M | QN0752;cohésion sociale;en cours;01/09/2024;;;;
P-5;RQ-075-01;123456789;QN07519M;cadre de vie;en cours;01/09/2024;;;;
P-6;RQ-075-01;123456789;QN07519M;cohésion sociale;en attente;01/09/2024;;;;
P-7;RQ-075-01;123456789;QN07519M;cohésion sociale;en cours;31/02/2024;2024-09-01;;;
P-8;RQ-075-01;123456789;QN07519M;cohésion sociale;en cours;01/09/2024;;;45000.5;-3
P-1;;123456789;QN07519M;cohésion sociale;en cours;01/09/2024;;;;
"""


def test_a_faulty_file_fails_with_the_expected_errors(tmp_path):
    path = tmp_path / "partenariats.csv"
    path.write_text(BAD_PARTNERSHIPS, encoding="utf-8-sig")
    found = errors(path, "partenariats")
    assert len(found) == len(set(found)) and set(found) == {
        ("constraint-error", 3, "siren_organisme"),  # 8 digits
        ("constraint-error", 4, "qpv"),  # not a QPV code
        ("constraint-error", 5, "qpv"),  # the second code of the list
        ("constraint-error", 6, "themes"),  # a shortened label (the loader suggests the full one)
        ("constraint-error", 7, "statut"),  # unknown status
        ("type-error", 8, "date_debut"),  # 31 February
        ("type-error", 8, "date_fin"),  # ISO date: the published format is JJ/MM/AAAA
        ("type-error", 9, "montant_eur"),  # decimal point
        ("constraint-error", 9, "heures_insertion"),  # negative
        ("constraint-error", 10, "id_regie"),  # required
        ("primary-key", 10, None),  # P-1 again
    }
