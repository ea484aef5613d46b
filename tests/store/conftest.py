"""A store on each engine, seeded from a small hand-made data folder, with three accounts.

Engines: SQLite always; PostgreSQL when `CARTE_TEST_POSTGRES_URL` names a database (tools/test-postgres.sh starts
a throw-away one), and then each test gets its own schema. With `CI` set, PostgreSQL is required: a missing URL
fails the PostgreSQL tests instead of leaving them out.

The folder (no QPV file: the scope rule then uses the official 2024 list of `data/ref`):
- régies RQ-059-01 (Lille, Hauts-de-France 32), RQ-075-01 (Paris, Île-de-France 11);
- organismes 123456782 (siège région 32), 987654324 (région 11);
- partenariats P-1, P-2, P-3 in Lille QPV (32), P-4 in a Paris QPV (11).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from store import Store, accounts, add_user

PASSWORD = "un mot de passe assez long"
ENGINES = ["sqlite"] + (["postgresql"] if os.environ.get("CARTE_TEST_POSTGRES_URL") or os.environ.get("CI") else [])

REGIES = """id_regie;nom;type;adresse;code_postal;commune;insee_com;latitude;longitude;salaries;benevoles;\
qpv_couverts;date_creation;site_web
RQ-059-01;Régie de Lille Sud;régie de quartier;1 rue A;59000;Lille;59350;50,6131;3,0453;40;5;QN05972M;03/07/2018;
RQ-075-01;Régie Paris Est;régie de quartier;;;Paris;75056;48,8566;2,3522;25;3;QN07501M;;https://exemple.org
"""
ORGANISMES = """siren;nom;famille;commune_siege;insee_reg;nb_logements;insee_com;latitude;longitude
123456782;Habitat du Nord;OPH;Lille;32;12000;59350;50,63;3,06
987654324;Paris Logis;ESH;Paris;11;30000;;;
"""
PARTENARIATS = """id_partenariat;id_regie;siren_organisme;qpv;themes;statut;date_debut;date_fin;description;\
montant_eur;heures_insertion
P-1;RQ-059-01;123456782;QN05972M;cohésion sociale;en projet;01/02/2024;;Ateliers;1000,50;
P-2;RQ-059-01;123456782;QN05971M;inclusion numérique;en projet;01/03/2024;;;2000;120
P-3;RQ-059-01;123456782;QN05973M;cadre-de-vie;en cours;01/04/2024;31/12/2026;;;
P-4;RQ-075-01;987654324;QN07501M;inclusion numérique;en cours;01/05/2024;;;500;
"""


def write_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("regies.csv", REGIES), ("organismes.csv", ORGANISMES), ("partenariats.csv", PARTENARIATS)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """argon2id with the library's parameters costs ~0.5 s a hash on a shared CI core: the tests use the same
    algorithm with a small cost (test_accounts checks the application's own parameters)."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def data_folder(tmp_path) -> Path:
    return write_folder(tmp_path / "donnees")


@pytest.fixture(params=ENGINES)
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'carte.sqlite3'}"
        return
    base = os.environ.get("CARTE_TEST_POSTGRES_URL")
    if not base:
        pytest.fail("CI : les tests PostgreSQL sont obligatoires, mais CARTE_TEST_POSTGRES_URL n'est pas défini "
                    "(lancez-les avec tools/test-postgres.sh).")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    yield sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def empty_store(store_url, data_folder):
    store = Store.open(store_url, reference_folder=data_folder)
    yield store
    store.close()


@pytest.fixture
def store(empty_store, data_folder):
    empty_store.seed_from_folder(data_folder)
    add_user(empty_store, "adm", "admin", password=PASSWORD)
    add_user(empty_store, "hdf", "contributeur", ["32"], password=PASSWORD, email="hdf@example.org")
    add_user(empty_store, "idf", "contributeur", ["11"], password=PASSWORD)
    return empty_store
