"""Reference tables of data/ref: figures checked by independent reads of the committed files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import ref
from geo.schema import FAMILLES
from tools import derive_reference

REPO = Path(__file__).resolve().parents[2]
REF = REPO / "data" / "ref"

REGION_CODES = {"01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84",
                "93", "94"}
OVERSEAS_QPV = {"971": 19, "972": 9, "973": 29, "974": 57, "976": 17}


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / name, dtype=str, keep_default_na=False)


def dep_from_com(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


def test_regions_csv():
    regions = read("regions.csv")
    assert list(regions.columns) == ["insee_reg", "lib_reg"]
    assert len(regions) == 18
    assert set(regions["insee_reg"]) == REGION_CODES
    assert regions.set_index("insee_reg").loc["11", "lib_reg"] == "Île-de-France"


def test_departements_csv():
    deps = read("departements.csv")
    assert list(deps.columns) == ["insee_dep", "lib_dep", "insee_reg"]
    assert len(deps) == 101 and deps["insee_dep"].is_unique
    assert {"01", "2A", "2B", "95", "971", "972", "973", "974", "976"} <= set(deps["insee_dep"])
    assert "975" not in set(deps["insee_dep"]) and "20" not in set(deps["insee_dep"])
    assert set(deps["insee_reg"]) == REGION_CODES
    by_code = deps.set_index("insee_dep")["insee_reg"]
    assert by_code["2A"] == "94" and by_code["971"] == "01" and by_code["976"] == "06" and by_code["75"] == "11"


def test_qpv2024_communes_csv():
    pairs = read("qpv2024_communes.csv")
    assert list(pairs.columns)[:10] == ["code_qp", "lib_qp", "insee_com", "lib_com", "insee_dep", "insee_reg",
                                        "siren_epci", "population_commune", "lon", "lat"]
    assert len(pairs) == 1684
    assert pairs["code_qp"].nunique() == 1493
    assert not pairs.duplicated(["code_qp", "insee_com"]).any()
    assert pairs["code_qp"].str.fullmatch(r"QN\d{2}[\dAB]\d{2}[A-Z]").all()
    assert pairs["insee_com"].str.fullmatch(r"\d[\dAB]\d{3}").all()
    assert (pairs.groupby("code_qp")["lib_qp"].nunique() == 1).all()
    assert (pairs["lib_qp"].str.strip() != "").all()
    # Départements and régions agree with the commune codes and the département table.
    assert (pairs["insee_com"].map(dep_from_com) == pairs["insee_dep"]).all()
    reg_of = read("departements.csv").set_index("insee_dep")["insee_reg"]
    assert (pairs["insee_dep"].map(reg_of) == pairs["insee_reg"]).all()
    assert pairs["siren_epci"].str.fullmatch(r"\d{9}").all()
    assert (pairs["population_commune"].astype(int) > 0).all()
    assert not pairs["lib_com"].str.contains(";").any()
    # The QPV code carries its département (QN + 3-character département + 2 digits + letter).
    main = pairs.drop_duplicates("code_qp")
    code_dep = main["code_qp"].str[2:5].str.lstrip("0").str.zfill(2)
    assert (code_dep == main["insee_dep"]).mean() > 0.99
    # Counts per zone (SOURCES.md of the shared files): 1 362 metropolitan + the overseas ones.
    per_dep = main.groupby("insee_dep").size()
    assert {d: int(per_dep[d]) for d in OVERSEAS_QPV} == OVERSEAS_QPV
    assert int(per_dep[~per_dep.index.str.startswith("97")].sum()) == 1362
    lon, lat = pairs["lon"].astype(float), pairs["lat"].astype(float)
    assert lon.between(-62, 56).all() and lat.between(-22, 52).all()
    assert pairs["lon"].str.fullmatch(r"-?\d+\.\d{5}").all()


@pytest.mark.parametrize(("name", "key", "count", "columns"), [
    ("regions.geojson", "insee_reg", 18, ["insee_reg", "lib_reg"]),
    ("departements.geojson", "insee_dep", 101, ["insee_dep", "lib_dep", "insee_reg"]),
])
def test_basemaps(name, key, count, columns):
    frame = gpd.read_file(REF / name)
    assert frame.crs.to_epsg() == 4326
    assert list(frame.columns) == [*columns, "geometry"]
    assert len(frame) == count and frame[key].is_unique
    assert frame.is_valid.all() and not frame.is_empty.any()
    assert set(frame.geom_type) <= {"Polygon", "MultiPolygon"}
    metro = frame[~frame[key].isin(["01", "02", "03", "04", "06", "971", "972", "973", "974", "976"])]
    assert shapely.coverage_is_valid(metro.to_crs("EPSG:2154").geometry.values)
    names = read(name.replace(".geojson", ".csv"))
    assert frame[columns].sort_values(key).reset_index(drop=True).equals(names.sort_values(key)
                                                                         .reset_index(drop=True))


def test_basemaps_small_and_matching_points():
    total = (REF / "regions.geojson").stat().st_size + (REF / "departements.geojson").stat().st_size
    assert total < 500_000
    deps = gpd.read_file(REF / "departements.geojson")
    pairs = read("qpv2024_communes.csv")
    points = gpd.GeoDataFrame(pairs, geometry=gpd.points_from_xy(pairs["lon"].astype(float),
                                                                 pairs["lat"].astype(float)), crs=4326)
    joined = gpd.sjoin(points, deps[["insee_dep", "geometry"]].rename(columns={"insee_dep": "dep_map"}),
                       how="left", predicate="within")
    assert (joined["dep_map"] == joined["insee_dep"]).mean() > 0.99


def test_sources_md_names_each_file():
    text = (REF / "SOURCES.md").read_text(encoding="utf-8")
    for name in ["regions.csv", "departements.csv", "communes.csv", "qpv2024_communes.csv",
                 "categories_juridiques.csv", "regions.geojson", "departements.geojson"]:
        assert name in text
    for source in ["decoupage-administratif", "anct_qpv2024_par_commune_centroides", "france-geojson",
                   "Licence Ouverte"]:
        assert source in text


def test_module_readers():
    assert len(ref.regions_table()) == 18
    assert len(ref.departements_table()) == 101
    table = ref.qpv2024_table()
    assert table["code_qp"].nunique() == 1493
    assert table["insee_com"].str.len().eq(5).all() and table["insee_dep"].iloc[0] == "01"
    assert table["lon"].dtype == float and table["population_commune"].dtype == "int64"
    regions, deps = ref.basemap_regions(), ref.basemap_departements()
    assert regions.crs.to_epsg() == 4326 and len(regions) == 18
    assert deps.crs.to_epsg() == 4326 and set(deps["insee_dep"]) >= {"01", "2A", "976"}


@pytest.mark.parametrize(("commune", "dep", "reg"), [
    ("01004", "01", "84"), ("2A004", "2A", "94"), ("2B033", "2B", "94"), ("97411", "974", "04"),
    ("97611", "976", "06"), ("75056", "75", "11"), (1004, "01", "84"),
])
def test_helpers(commune, dep, reg):
    assert ref.dep_of_commune(commune) == dep
    table = ref.departements_table()
    assert table.loc[table["insee_dep"] == dep, "insee_reg"].tolist() == [reg]
    assert ref.reg_of_dep(ref.dep_of_commune(commune)) == reg


def test_helpers_reject_bad_codes():
    with pytest.raises(ValueError):
        ref.dep_of_commune("123456")
    with pytest.raises(ValueError):
        ref.dep_of_commune("123")
    with pytest.raises(KeyError):
        ref.reg_of_dep("99")


def test_split_with_commas_in_names():
    assert derive_reference.split_qpv_feature("QN1, QN2", "Centre, nord, Les Pins") == [
        ("QN1", "Centre, nord"), ("QN2", "Les Pins")]
    assert derive_reference.split_qpv_feature("QN1, QN2", "A, B") == [("QN1", "A"), ("QN2", "B")]
    with pytest.raises(ValueError):
        derive_reference.split_qpv_feature("QN1, QN2, QN3", "A, B")


def test_epci_of_the_qpv_communes_are_named():
    table = pd.read_csv(REPO / "data" / "ref" / "epci.csv", dtype=str)
    communes = pd.read_csv(REPO / "data" / "ref" / "qpv2024_communes.csv", dtype=str, keep_default_na=False)
    assert set(table["siren_epci"]) == set(communes["siren_epci"]) - {""}
    assert ref.epci_names()["200046977"] == "Métropole de Lyon"
    assert ref.epci_of_commune("69259") == "200046977" and ref.epci_of_commune(69123.0) == "200046977"
    assert ref.epci_of_commune(None) is None and ref.epci_of_commune("99999") is None


def test_communes_csv():
    communes = read("communes.csv")
    assert list(communes.columns) == ["insee_com", "lib_com", "type", "parent", "codes_postaux", "population"]
    counts = communes["type"].value_counts().to_dict()
    sources = (REF / "SOURCES.md").read_text(encoding="utf-8")
    assert f"{len(communes)} lignes" in sources and f"{counts['COM']} communes (`COM`)" in sources
    assert f"{counts['COMD'] + counts['COMA']} communes déléguées ou associées" in sources
    assert communes["insee_com"].str.fullmatch(r"\d[\dAB]\d{3}").all()
    current = communes[communes["type"] == "COM"]
    assert current["insee_com"].is_unique and 34_000 < len(current) < 36_000
    # The arrondissements: 20 in Paris, 9 in Lyon, 16 in Marseille, each under its commune.
    arm = communes[communes["type"] == "ARM"]
    assert arm.groupby("parent").size().to_dict() == {"13055": 16, "69123": 9, "75056": 20}
    assert set(arm.loc[arm["parent"] == "75056", "insee_com"]) == {f"751{n:02d}" for n in range(1, 21)}
    # Every parent is a current commune; a former commune never repeats its parent's name.
    assert set(communes["parent"]) - {""} <= set(current["insee_com"])
    assert (communes["parent"] == "").eq(communes["type"] == "COM").all()
    former = communes[communes["type"].isin(["COMD", "COMA"])]
    parent_name = current.set_index("insee_com")["lib_com"]
    assert (former["parent"].map(parent_name) != former["lib_com"]).all()
    assert (former["codes_postaux"] == "").all() and (former["population"] == "").all()
    assert current["codes_postaux"].str.fullmatch(r"(\d{5})( \| \d{5})*").mean() > 0.999
    assert (REF / "communes.csv").stat().st_size < 1_400_000


def test_communes_agree_with_the_qpv_list():
    communes = read("communes.csv").set_index("insee_com")
    pairs = read("qpv2024_communes.csv").drop_duplicates("insee_com").set_index("insee_com")
    current = communes[communes["type"] == "COM"]
    assert set(pairs.index) <= set(current.index)
    assert (current.loc[pairs.index, "lib_com"] == pairs["lib_com"]).all()
    assert (current.loc[pairs.index, "codes_postaux"] == pairs["codes_postaux"]).all()


def test_communes_table_derives_departement_region_and_postal_codes():
    table = ref.communes_table()
    assert len(table) == len(read("communes.csv"))
    pairs = read("qpv2024_communes.csv").drop_duplicates("insee_com").set_index("insee_com")
    current = table[table["type"] == "COM"].set_index("insee_com")
    assert (current.loc[pairs.index, "insee_dep"] == pairs["insee_dep"]).all()
    assert (current.loc[pairs.index, "insee_reg"] == pairs["insee_reg"]).all()
    rows = table.set_index(["insee_com", "type"])
    assert rows.loc[("2A004", "COM"), "insee_dep"] == "2A" and rows.loc[("97411", "COM"), "insee_reg"] == "04"
    # A commune déléguée has the département and postal codes of the commune it belongs to (Escaufourt, code 02…,
    # is part of Saint-Souplet in the Nord).
    escaufourt = table[table["lib_com"] == "Escaufourt"].iloc[0]
    assert (escaufourt["type"], escaufourt["parent"], escaufourt["insee_dep"]) == ("COMA", "59545", "59")
    assert escaufourt["codes_postaux"] == rows.loc[("59545", "COM"), "codes_postaux"]
    assert rows.loc[("75119", "ARM"), "codes_postaux"] == ("75019",)
    assert table["population"].dtype == "Int64"
    assert table["population"].isna().sum() == (read("communes.csv")["population"] == "").sum()


def test_legal_categories_table():
    table = ref.legal_categories_table()
    assert list(table.columns) == ["categorie_juridique", "libelle_insee", "famille"]
    assert table["categorie_juridique"].str.fullmatch(r"\d{4}").all() and table["categorie_juridique"].is_unique
    assert set(table["famille"]) <= set(FAMILLES) - {"autre"}
    assert "categories_juridiques.csv" in (REF / "SOURCES.md").read_text(encoding="utf-8")
