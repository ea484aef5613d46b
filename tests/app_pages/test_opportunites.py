"""The « Opportunités » page on the demo data: which QPV are listed, their housing and population, the distance
to the nearest régie, checked against plain pandas and pyproj.Geod (not the app's `geo` code)."""

from __future__ import annotations

import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from tests.app import reference as ref
from tests.app.helpers import download_labels, run_page

GEOD = Geod(ellps="GRS80")
REACH = 2_000


@pytest.fixture(scope="module")
def demo() -> ref.Data:
    return ref.load(ref.DEMO)


@pytest.fixture(scope="module")
def patrimoine() -> pd.DataFrame:
    table = ref.read_csv(ref.DEMO / "patrimoine.csv")
    return table.assign(nb_logements=table["nb_logements"].astype(int))


@pytest.fixture(scope="module")
def page():
    return run_page("opportunites")


def geodesic_distance(lon: float, lat: float, polygon) -> float:
    if polygon.contains(shapely.Point(lon, lat)):
        return 0.0
    ring = shapely.segmentize(shapely.boundary(polygon), 0.00002)
    lons, lats = shapely.get_coordinates(ring).T
    _, _, distances = GEOD.inv(np.full(len(lons), lon), np.full(len(lats), lat), lons, lats)
    return float(distances.min())


def test_lists_exactly_the_qpv_without_partnership(page, demo, patrimoine):
    assert not page.exception, [e.value for e in page.exception]
    table = page.dataframe[0].value
    with_partnership = {code for codes in demo.partenariats["qpv_list"] for code in codes}
    expected = set(demo.qpv["code_qp"]) - with_partnership
    assert set(table["code_qp"]) == expected and len(table) == len(expected)
    housing = patrimoine.groupby("code_qp")["nb_logements"].sum()
    assert table.set_index("code_qp")["logements_hlm"].to_dict() == {c: int(housing.get(c, 0)) for c in expected}
    population = demo.qpv.set_index("code_qp")["population"].astype(int)
    assert (table["population"].astype(int).to_numpy() == population.loc[table["code_qp"]].to_numpy()).all()
    summary = next(m.value for m in page.markdown if "sans partenariat" in m.value)
    assert summary.startswith(f"**{ref.fr_int(len(expected))} QPV sans partenariat**")
    assert download_labels(page)[:2] == ["CSV (Excel)", "XLSX"]


def test_order_reach_first_then_housing_then_population(page):
    table = page.dataframe[0].value
    reach = (table["n_regies_proches"] > 0).to_numpy()
    assert reach[: reach.sum()].all() and not reach[reach.sum():].any()
    for part in (table[reach], table[~reach]):
        keys = list(zip(-part["logements_hlm"], -part["population"].astype(int), strict=True))
        assert keys == sorted(keys)


def test_nearest_regie_distances_are_geodesic_distances(page, demo):
    table = page.dataframe[0].value
    within = table[table["n_regies_proches"] > 0].head(12)
    qpv = gpd.read_file(ref.DEMO / "qpv.geojson").set_index("code_qp").geometry
    regies = demo.regies.set_index("nom")
    assert len(within) == 12
    for code, name, shown in within[["code_qp", "regie_proche", "distance_m"]].itertuples(index=False):
        lon, lat = (float(regies.at[name, c].replace(",", ".")) for c in ("longitude", "latitude"))
        expected = geodesic_distance(lon, lat, qpv[code])
        assert expected <= REACH * 1.003 and shown == pytest.approx(expected, rel=3e-3, abs=1.0), code


def test_per_regie_lists_undeclared_qpv_within_reach(page, demo):
    table = page.dataframe[0].value
    regies = demo.regies.set_index("nom")
    code, name = next((c, n) for c, n in table[["code_qp", "regie_proche"]].itertuples(index=False)
                      if n and c not in regies.at[n, "declared"])
    page.selectbox(key="opp_regie").set_value(regies.at[name, "id_regie"]).run()
    assert not page.exception, [e.value for e in page.exception]
    reach = page.dataframe[1].value
    assert code in set(reach["code_qp"])
    assert not set(reach["code_qp"]) & set(regies.at[name, "declared"])
    assert (reach["distance_m"] <= REACH).all() and reach["distance_m"].is_monotonic_increasing


def test_per_organism_lists_its_qpv_without_partnership(page, demo, patrimoine):
    owner = patrimoine.groupby("siren_organisme")["code_qp"].count().idxmax()
    page.selectbox(key="opp_organisme").set_value(owner).run()
    assert not page.exception, [e.value for e in page.exception]
    table = page.dataframe[2].value
    with_partnership = {code for codes in demo.partenariats["qpv_list"] for code in codes}
    own = patrimoine[patrimoine["siren_organisme"] == owner]
    expected = own[~own["code_qp"].isin(with_partnership)]
    assert sorted(table["code_qp"]) == sorted(expected["code_qp"])
    assert table["logements"].tolist() == sorted(expected["nb_logements"], reverse=True)


def test_an_opportunity_disappears_once_a_partnership_covers_it(page, tmp_path, monkeypatch):
    top = page.dataframe[0].value.iloc[0]
    folder = tmp_path / "donnees"
    shutil.copytree(ref.DEMO, folder)
    (folder / "manifest.json").unlink()
    parts = ref.read_csv(folder / "partenariats.csv")
    new = parts.iloc[[0]].assign(id_partenariat="P-2026-9999", qpv=top["code_qp"])
    pd.concat([parts, new]).to_csv(folder / "partenariats.csv", sep=";", index=False, encoding="utf-8-sig")
    monkeypatch.setenv("CARTE_DATA_DIR", str(folder))
    monkeypatch.setenv("CARTE_DATABASE_URL", f"sqlite:///{tmp_path / 'carte.sqlite3'}")  # a store seeded from it
    after = run_page("opportunites")
    assert not after.exception, [e.value for e in after.exception]
    table = after.dataframe[0].value
    assert top["code_qp"] not in set(table["code_qp"])
    assert len(table) == len(page.dataframe[0].value) - 1
