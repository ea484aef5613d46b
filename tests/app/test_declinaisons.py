"""Regional declinations in the pages: the overview's table, map and timeline, the portrait's block and the régions
side by side, checked against declinaisons.csv read with plain pandas; a declination signed in the store shows on
the next rerun of the same session."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from store import ADMIN, Edit, Store, add_user
from tests.app import reference as ref
from tests.app.helpers import download_labels, map_text, plain, run_page, shown_cells

DECLINAISONS = ref.DEMO / "declinaisons.csv"
SIGNED_COLOR = "#1a7f5a"


@pytest.fixture(scope="module")
def declinaisons() -> pd.DataFrame:
    return ref.read_csv(DECLINAISONS)


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def timeline_regions(at) -> list[str]:
    """The régions of the signature timeline, in the order of its data (Streamlit ships it as Arrow)."""
    for element in at.get("vega_lite_chart"):
        spec = json.dumps(json.loads(element.proto.spec), ensure_ascii=False)
        if "Signatures des déclinaisons régionales" in spec and element.proto.datasets:
            frame = convert_arrow_bytes_to_pandas_df(element.proto.datasets[0].data.data)
            return frame["region"].tolist()
    raise AssertionError("no signature timeline")


def map_statuses(at) -> dict[str, str]:
    chart = next(c for c in charts(at) if c.get("mark", {}).get("type") == "geoshape")
    return {f["properties"]["region"]: f["properties"]["statut"] for f in chart["data"]["values"]}


def signed_fills(at) -> int:
    """Régions the national map's declination layer (`Carte.areas`) paints as signed."""
    text = map_text(at)
    payload = text[text.index("Carte.areas(") + len("Carte.areas("):]
    data, _ = json.JSONDecoder().raw_decode(payload[payload.index("{"):])
    return data["color"].count(SIGNED_COLOR)


def test_overview_table_map_and_timeline(declinaisons):
    at = run_page("")
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[-1].value
    regions = pd.read_csv(ref.REF / "regions.csv", dtype=str).set_index("insee_reg")["lib_reg"]
    expected = {regions[c]: s for c, s in zip(declinaisons["insee_reg"], declinaisons["statut"], strict=True)}
    assert dict(zip(table["lib_reg"], table["statut"], strict=True)) == expected
    signed = declinaisons[declinaisons["statut"] == "signée"]
    assert any(f"**{len(signed)} sur 18 régions**" in m.value for m in at.markdown)
    order = signed.assign(d=pd.to_datetime(signed["date_signature"], format="%d/%m/%Y")).sort_values("d")
    assert timeline_regions(at) == [regions[c] for c in order["insee_reg"]]
    overseas = {"01", "02", "03", "04", "06"}
    assert map_statuses(at) == {regions[c]: s for c, s in zip(declinaisons["insee_reg"], declinaisons["statut"],
                                                                strict=True) if c not in overseas}
    # The table reads French whatever the browser's language: dates as in the file, counts written by geo.fr.
    shown = shown_cells(at.dataframe[-1]).set_index("lib_reg")
    demo = ref.load(ref.DEMO)
    for code, signature in zip(signed["insee_reg"], signed["date_signature"], strict=True):
        starts = pd.to_datetime(ref.select(demo, ref.Ask(regions=(code,))).partenariats["date_debut"],
                                format="%d/%m/%Y")
        since = int((starts >= pd.to_datetime(signature, format="%d/%m/%Y")).sum())
        assert shown.at[regions[code], "date_signature"] == signature
        assert shown.at[regions[code], "partenariats_depuis"] == ref.fr_int(since)


def test_portrait_shows_the_declination_and_partnerships_since(declinaisons, monkeypatch):
    row = declinaisons[declinaisons["statut"] == "signée"].iloc[0]
    at = run_page("territoires", {"region": row["insee_reg"]})
    assert not at.exception, [e.value for e in at.exception]
    head = next(plain(m.value) for m in at.markdown if "Déclinaison régionale" in m.value)
    assert f"signée le {row['date_signature']}" in head
    demo = ref.load(ref.DEMO)
    scope = ref.select(demo, ref.Ask(regions=(row["insee_reg"],)))
    since = scope.partenariats[pd.to_datetime(scope.partenariats["date_debut"], format="%d/%m/%Y")
                               >= pd.to_datetime(row["date_signature"], format="%d/%m/%Y")]
    label = [e.label for e in at.expander if "depuis la signature" in e.label]
    assert label and label[0].startswith(f"{ref.fr_int(len(since))} partenariat")


def test_regions_side_by_side_sortable_and_exportable(declinaisons):
    at = run_page("territoires")
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    shown = shown_cells(at.dataframe[0]).set_index(table["lib_reg"])
    demo = ref.load(ref.DEMO)
    for code in ("11", "84", "76"):
        name = pd.read_csv(ref.REF / "regions.csv", dtype=str).set_index("insee_reg").at[code, "lib_reg"]
        scope = ref.select(demo, ref.Ask(regions=(code,)))
        row = table.set_index("lib_reg").loc[name]
        assert row["regies"] == len(scope.regies) and row["qpv"] == len(scope.qpv)
        assert row["partenariats"] == len(scope.partenariats)
        covered = {c for codes in scope.regies["declared"] for c in codes} & set(scope.qpv["code_qp"])
        assert row["qpv_couverts"] == len(covered)
        assert row["taux_couverture"] == pytest.approx(len(covered) / len(scope.qpv))
        rate = f"{100 * len(covered) / len(scope.qpv):.1f}".replace(".", ",")  # read French in any browser
        assert shown.at[name, "taux_couverture"] == f"{rate}\u202f%"
        assert row["statut"] == declinaisons.set_index("insee_reg").at[code, "statut"]
    assert download_labels(at)[:2] == ["CSV (Excel)", "XLSX"]


def test_a_signed_declination_shows_on_the_next_rerun(tmp_path, monkeypatch, declinaisons):
    folder = tmp_path / "donnees"
    shutil.copytree(ref.DEMO, folder)
    (folder / "manifest.json").unlink()
    monkeypatch.setenv("CARTE_DATA_DIR", str(folder))
    url = f"sqlite:///{tmp_path / 'carte.sqlite3'}"  # its own store, seeded from the folder by the first run
    monkeypatch.setenv("CARTE_DATABASE_URL", url)
    waiting = declinaisons[(declinaisons["statut"] == "à engager") & (declinaisons["insee_reg"] >= "11")]
    target = waiting.iloc[0]
    name = pd.read_csv(ref.REF / "regions.csv", dtype=str).set_index("insee_reg").at[target["insee_reg"], "lib_reg"]
    at = run_page("")
    assert name not in timeline_regions(at) and map_statuses(at)[name] == "à engager"
    national = run_page("carte")
    national.toggle(key="couche_declinaisons").set_value(True).run()
    signed_before = signed_fills(national)
    assert signed_before == (declinaisons["statut"] == "signée").sum()
    store = Store.open(url)  # another process's write, through the store (declinations live there)
    add_user(store, "admin", ADMIN, password="motdepasse-admin-2026")
    data, version = store.read_records("declinaisons")[target["insee_reg"]]
    store.write("admin", "", [Edit("declinaisons", target["insee_reg"],
                                   {**data, "statut": "signée", "date_signature": "02/11/2026"}, version)])
    store.close()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert timeline_regions(at)[-1] == name
    assert map_statuses(at)[name] == "signée"
    table = at.dataframe[-1].value.set_index("lib_reg")
    assert table.at[name, "statut"] == "signée"
    national.run()
    assert signed_fills(national) == signed_before + 1
    portrait = run_page("territoires", {"region": target["insee_reg"]})
    assert any("signée le 02/11/2026" in plain(m.value) for m in portrait.markdown)
