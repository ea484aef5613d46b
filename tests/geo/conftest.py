"""Small hand-made `Datasets`, built in memory, shared by the join, filter and indicator tests.

Geography (metric coordinates, then converted to EPSG:4326 as the loader delivers them):
- régions 84 Auvergne-Rhône-Alpes (69 Rhône, 38 Isère), 11 Île-de-France (75 Paris, 93 Seine-Saint-Denis),
  04 La Réunion (974, built in EPSG:2975).
- 11 QPV, squares of 400 m side (`QPV_CENTERS`), population known except QN03801A and QN97402B;
  QN09301A has no département/région columns (derived from the commune), QN97402B has no commune either
  (found in the département polygons).
- 4 régies: RQ-069-01 inside QN06901A (0 m), RQ-075-01 250 m east of QN07501A, RQ-093-01 400 m east of
  QN09301A (declares it and an unknown code), RT-974-01 inside QN97402B which it does not declare (it declares
  QN97401A, 2 800 m away) and without commune code.
- 3 organismes, 11 partnerships (P01..P08 valid, P09..P11 referencing an unknown régie / SIREN / QPV).
Row numbers (`_ligne`) are those of a spreadsheet: first data row is 2.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.datasets import Datasets
from geo.joins import Atlas, build_atlas


def pytest_collection_modifyitems(config, items):
    """The tests against the real local addok (fixture `addok_url`) run where tools/test-addok.sh started one
    (CARTE_TEST_ADDOK_URL), and under CI, where its absence fails them; elsewhere they are left out, as the
    store's PostgreSQL tests are (tests/store/conftest.py), and counted as deselected."""
    if os.environ.get("CARTE_TEST_ADDOK_URL") or os.environ.get("CI"):
        return
    left_out = [item for item in items if "addok_url" in getattr(item, "fixturenames", ())]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item not in left_out]


@pytest.fixture(scope="session")
def addok_url() -> str:
    """The local addok of tools/test-addok.sh. Without it (and without CI) tests/geo/conftest.py deselects these
    tests, as the store's PostgreSQL ones are left out; under CI its absence fails them."""
    url = os.environ.get("CARTE_TEST_ADDOK_URL")
    if not url:
        pytest.fail("CI : les tests du géocodeur sont obligatoires, mais CARTE_TEST_ADDOK_URL n'est pas défini "
                    "(lancez-les avec tools/test-addok.sh, préparé par « make addok-venv »).")
    return url


L93 = "EPSG:2154"
RUN = "EPSG:2975"  # La Réunion, UTM 40S
HALF = 200.0  # half side of a QPV square, metres

# code -> (x, y, crs) of the centre of the square
QPV_CENTERS = {
    "QN06901A": (842_000, 6_519_000, L93),
    "QN06902B": (844_000, 6_519_000, L93),
    "QN06903C": (850_000, 6_525_000, L93),
    "QN03801A": (914_000, 6_457_000, L93),
    "QN03802B": (916_000, 6_457_000, L93),
    "QN07501A": (652_000, 6_862_000, L93),
    "QN07502B": (654_000, 6_862_000, L93),
    "QN09301A": (657_000, 6_872_000, L93),
    "QN09302B": (660_000, 6_874_000, L93),
    "QN97401A": (338_000, 7_690_000, RUN),
    "QN97402B": (341_000, 7_690_000, RUN),
}

# code, name, commune code, commune, dep, lib_dep, reg, lib_reg, population
QPV_ROWS = [
    ("QN06901A", "Les Minguettes", "69259", "Vénissieux", "69", "Rhône", "84", "Auvergne-Rhône-Alpes", 20000),
    ("QN06902B", "Mermoz", "69123", "Lyon", "69", "Rhône", "84", "Auvergne-Rhône-Alpes", 5000),
    ("QN06903C", "La Duchère", "69123", "Lyon", "69", "Rhône", "84", "Auvergne-Rhône-Alpes", 11000),
    ("QN03801A", "Villeneuve", "38185", "Grenoble", "38", "Isère", "84", "Auvergne-Rhône-Alpes", None),
    ("QN03802B", "Mistral", "38185", "Grenoble", "38", "Isère", "84", "Auvergne-Rhône-Alpes", 4000),
    ("QN07501A", "Stalingrad - Riquet", "75056", "Paris", "75", "Paris", "11", "Île-de-France", 12000),
    ("QN07502B", "Belleville", "75056", "Paris", "75", "Paris", "11", "Île-de-France", 8000),
    ("QN09301A", "Francs-Moisins", "93066", "Saint-Denis", None, None, None, None, 9000),
    ("QN09302B", "Les Courtillières", "93055", "Pantin", "93", "Seine-Saint-Denis", "11", "Île-de-France", 6000),
    ("QN97401A", "Le Chaudron", "97411", "Saint-Denis", "974", "La Réunion", "04", "La Réunion", 7000),
    ("QN97402B", "Bois de Nèfles", None, "Saint-Denis", None, None, None, None, None),
]

# département -> (lib, région, centre x, centre y, half side, crs)
DEPARTEMENTS = {
    "69": ("Rhône", "84", 845_000, 6_520_000, 20_000, L93),
    "38": ("Isère", "84", 915_000, 6_457_000, 20_000, L93),
    "75": ("Paris", "11", 652_000, 6_862_000, 4_000, L93),
    "93": ("Seine-Saint-Denis", "11", 658_000, 6_872_000, 4_500, L93),
    "974": ("La Réunion", "04", 340_000, 7_670_000, 40_000, RUN),
}
REGIONS = {"84": "Auvergne-Rhône-Alpes", "11": "Île-de-France", "04": "La Réunion"}

# id, nom, type, commune, insee_com, (x, y, crs), salariés, bénévoles, qpv_couverts
REGIE_ROWS = [
    ("RQ-069-01", "Régie de quartier des Minguettes", "régie de quartier", "Vénissieux", "69259",
     (842_000, 6_519_000, L93), 40, 10, ["QN06901A", "QN06902B"]),
    ("RQ-075-01", "Régie Stalingrad", "régie de quartier", "Paris", "75056",
     (652_450, 6_862_000, L93), 85, 20, ["QN07501A", "QN07502B"]),
    ("RQ-093-01", "Régie Plaine Commune", "régie de quartier", "Saint-Denis", "93066",
     (657_600, 6_872_000, L93), 25, 5, ["QN09301A", "QN09399Z"]),
    ("RT-974-01", "Régie de territoire du Chaudron", "régie de territoire", "Saint-Denis", None,
     (341_000, 7_690_000, RUN), 12, 3, ["QN97401A"]),
]

ORGANISME_ROWS = [
    ("111111111", "Lyon Métropole Habitat", "OPH", "Lyon", "84"),
    ("222222222", "Habitat Francilien", "ESH", "Paris", "11"),
    ("333333333", "Société immobilière de La Réunion", "SEM", "Saint-Denis", "04"),
]

# id, régie, siren, qpv, themes, statut, date_debut, montant, heures
PARTENARIAT_ROWS = [
    ("P01", "RQ-069-01", "111111111", ["QN06901A"], ["cadre-de-vie", "cohesion-sociale"], "en cours",
     "2023-03-01", 10000.0, 100),
    ("P02", "RQ-069-01", "111111111", ["QN06901A", "QN06902B"], ["inclusion-numerique"], "en projet",
     "2025-01-15", 5000.0, None),
    ("P03", "RQ-075-01", "222222222", ["QN07501A"], ["inclusion-numerique", "insertion-professionnelle"],
     "en cours", "2024-09-01", 20000.0, 300),
    ("P04", "RQ-075-01", "222222222", ["QN07501A"], ["cadre-de-vie"], "terminé", "2021-05-01", 15000.0, 200),
    ("P05", "RQ-093-01", "222222222", ["QN09301A", "QN03801A", "QN03802B"],
     ["transition-ecologique", "cohesion-sociale"], "en cours", "2024-02-01", None, 150),
    ("P06", "RT-974-01", "333333333", ["QN97401A"], ["precarite-energetique"], "en cours", "2026-01-10",
     8000.0, 50),
    ("P07", "RT-974-01", "333333333", ["QN97401A"], ["cadre-de-vie", "transition-ecologique"], "terminé",
     "2022-06-01", 2500.0, None),
    ("P08", "RQ-075-01", "111111111", ["QN07501A"], ["cohesion-sociale"], "en projet", "2026-03-01", None, None),
    ("P09", "RQ-000-00", "111111111", ["QN06901A"], ["cadre-de-vie"], "en cours", "2024-01-01", None, None),
    ("P10", "RQ-069-01", "999999999", ["QN06901A"], ["cadre-de-vie"], "en cours", "2024-01-01", None, None),
    ("P11", "RQ-069-01", "111111111", ["QN06901A", "QN00000X"], ["cadre-de-vie"], "en cours", "2024-01-01",
     None, None),
]


def square(x: float, y: float, crs: str, half: float = HALF):
    """A metric square converted to EPSG:4326."""
    return gpd.GeoSeries([box(x - half, y - half, x + half, y + half)], crs=crs).to_crs(4326).iloc[0]


def point(x: float, y: float, crs: str):
    return gpd.GeoSeries([Point(x, y)], crs=crs).to_crs(4326).iloc[0]


def make_datasets() -> Datasets:
    qpv = gpd.GeoDataFrame(
        {
            "code_qp": [r[0] for r in QPV_ROWS],
            "lib_qp": [r[1] for r in QPV_ROWS],
            "insee_com": [r[2] for r in QPV_ROWS],
            "lib_com": [r[3] for r in QPV_ROWS],
            "insee_dep": [r[4] for r in QPV_ROWS],
            "lib_dep": [r[5] for r in QPV_ROWS],
            "insee_reg": [r[6] for r in QPV_ROWS],
            "lib_reg": [r[7] for r in QPV_ROWS],
            "siren_epci": [None] * len(QPV_ROWS),
            "population": pd.array([r[8] for r in QPV_ROWS], dtype="Int64"),
            "source": ["test"] * len(QPV_ROWS),
        },
        geometry=[square(*QPV_CENTERS[r[0]]) for r in QPV_ROWS],
        crs="EPSG:4326",
    )
    regies = gpd.GeoDataFrame(
        {
            "id_regie": [r[0] for r in REGIE_ROWS],
            "nom": [r[1] for r in REGIE_ROWS],
            "type": [r[2] for r in REGIE_ROWS],
            "commune": [r[3] for r in REGIE_ROWS],
            "insee_com": [r[4] for r in REGIE_ROWS],
            "salaries": pd.array([r[6] for r in REGIE_ROWS], dtype="Int64"),
            "benevoles": pd.array([r[7] for r in REGIE_ROWS], dtype="Int64"),
            "qpv_couverts": [list(r[8]) for r in REGIE_ROWS],
            "_ligne": list(range(2, 2 + len(REGIE_ROWS))),
        },
        geometry=[point(*r[5]) for r in REGIE_ROWS],
        crs="EPSG:4326",
    )
    regies["latitude"] = regies.geometry.y
    regies["longitude"] = regies.geometry.x
    organismes = pd.DataFrame(
        {
            "siren": [r[0] for r in ORGANISME_ROWS],
            "nom": [r[1] for r in ORGANISME_ROWS],
            "famille": [r[2] for r in ORGANISME_ROWS],
            "commune_siege": [r[3] for r in ORGANISME_ROWS],
            "insee_reg": [r[4] for r in ORGANISME_ROWS],
            "_ligne": list(range(2, 2 + len(ORGANISME_ROWS))),
        }
    )
    partenariats = pd.DataFrame(
        {
            "id_partenariat": [r[0] for r in PARTENARIAT_ROWS],
            "id_regie": [r[1] for r in PARTENARIAT_ROWS],
            "siren_organisme": [r[2] for r in PARTENARIAT_ROWS],
            "qpv": [list(r[3]) for r in PARTENARIAT_ROWS],
            "themes": [list(r[4]) for r in PARTENARIAT_ROWS],
            "statut": [r[5] for r in PARTENARIAT_ROWS],
            "date_debut": pd.to_datetime([r[6] for r in PARTENARIAT_ROWS]),
            "date_fin": pd.NaT,
            "montant_eur": [r[7] for r in PARTENARIAT_ROWS],
            "heures_insertion": pd.array([r[8] for r in PARTENARIAT_ROWS], dtype="Int64"),
            "_ligne": list(range(2, 2 + len(PARTENARIAT_ROWS))),
        }
    )
    departements = gpd.GeoDataFrame(
        {
            "insee_dep": list(DEPARTEMENTS),
            "lib_dep": [v[0] for v in DEPARTEMENTS.values()],
            "insee_reg": [v[1] for v in DEPARTEMENTS.values()],
        },
        geometry=[square(v[2], v[3], v[5], half=v[4]) for v in DEPARTEMENTS.values()],
        crs="EPSG:4326",
    )
    regions = gpd.GeoDataFrame(
        {"insee_reg": list(REGIONS), "lib_reg": list(REGIONS.values())},
        geometry=[departements[departements["insee_reg"] == code].union_all() for code in REGIONS],
        crs="EPSG:4326",
    )
    return Datasets(folder=Path("memoire"), qpv=qpv, regies=regies, organismes=organismes,
                    partenariats=partenariats, regions=regions, departements=departements)


@pytest.fixture
def ds() -> Datasets:
    return make_datasets()


@pytest.fixture(scope="session")
def atlas() -> Atlas:
    return build_atlas(make_datasets())
