"""The convention over time (geo.timeline), checked against an independent computation written here: the rules of
the module docstring replayed in plain Python on the files (the demo) and on small hand-made cases — a partnership
that started and ended within a year, one whose status went back and forth, one whose change was undone, a date
before any record."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from geo import timeline
from geo.datasets import Datasets
from geo.filters import Filters, apply
from geo.indicators import by_statut, kpis
from geo.joins import build_atlas
from geo.load import load_folder
from geo.manifest import Manifest
from tests.geo.conftest import make_datasets
from tests.paths import REPO

DEMO = REPO / "data" / "demo"
DEMO_TODAY = pd.Timestamp("2026-11-27")
ONE_DAY = pd.Timedelta(days=1)
SMALL_AS_OF = "2026-01-01"  # the day the small data describe: later days know every record


# --- the independent computation ---------------------------------------------------------------------------------


def expected_status(debut: pd.Timestamp, fin: pd.Timestamp, records: list[tuple[pd.Timestamp, str]],
                    day: pd.Timestamp) -> str:
    """The latest event on or before `day`: start (en cours), day after the end (terminé), recorded changes (which
    come after the dates' events of the same day, and in their own order); none: en projet."""
    events = []
    if pd.notna(debut) and debut <= day:
        events.append((debut, 0, 0, "en cours"))
    if pd.notna(fin) and fin + ONE_DAY <= day:
        events.append((fin + ONE_DAY, 0, 0, "terminé"))
    events += [(d, 1, k, s) for k, (d, s) in enumerate(records) if d <= day]
    return max(events)[3] if events else "en projet"


def expected_state(parts: list[dict], regies: list[dict], known_qpv: set[str], history: dict, day, as_of) -> dict:
    """Key figures of the whole country on `day`, from plain records: dicts with debut, fin, qpv, siren, montant,
    heures (partnerships); creation, declared, salaries, benevoles (régies). A partnership counts when known on
    `day`: started, or a status recorded by then, or `day` on or after `as_of` (the day of the data)."""
    day = pd.Timestamp(day)
    active = [p for p in parts if p["debut"] <= day or any(d <= day for d, _ in history.get(p["id"], []))
              or day >= pd.Timestamp(as_of)]
    existing = [r for r in regies if pd.isna(r["creation"]) or r["creation"] <= day]
    covered = {c for r in existing for c in r["declared"]} & known_qpv
    reached = {c for p in active for c in p["qpv"]}
    return {
        "regies": len(existing), "qpv": len(known_qpv), "qpv_couverts": len(covered),
        "qpv_avec_partenariat": len(reached & known_qpv), "salaries": sum(r["salaries"] for r in existing),
        "benevoles": sum(r["benevoles"] for r in existing), "partenariats": len(active),
        "organismes_partenaires": len({p["siren"] for p in active}),
        "montant_eur": round(sum(p["montant"] for p in active), 2),
        "heures_insertion": sum(p["heures"] for p in active),
        "statuts": Counter(expected_status(p["debut"], p["fin"], history.get(p["id"], []), day) for p in active),
        "ids": {p["id"] for p in active},
        "actifs": sum(p["debut"] <= day and (pd.isna(p["fin"]) or p["fin"] >= day) for p in active),
    }


def figures(state: timeline.State) -> dict:
    sel = apply(state.atlas, Filters())
    k = kpis(sel)
    statuts = by_statut(sel)
    return {**{f: getattr(k, f) for f in ("regies", "qpv", "qpv_couverts", "qpv_avec_partenariat", "salaries",
                                         "benevoles", "partenariats", "organismes_partenaires")},
            "montant_eur": round(k.montant_eur, 2), "heures_insertion": k.heures_insertion,
            "statuts": Counter({s: n for s, n in zip(statuts["statut"], statuts["partenariats"], strict=True) if n}),
            "ids": set(sel.partenariats["id_partenariat"]),
            "actifs": int(timeline.active_on(sel.partenariats, state.day).sum())}


# --- small hand-made cases ---------------------------------------------------------------------------------------

# P04 started and ended within a year; P07 ended in 2023; RQ-093-01 (P05's régie) was created in January 2024.
ENDS = {"P04": "2021-12-31", "P07": "2023-06-30"}
CREATED = {"RQ-069-01": "2001-01-01", "RQ-075-01": "1999-05-01", "RQ-093-01": "2024-01-15"}


@pytest.fixture(scope="module")
def small() -> Datasets:
    ds = make_datasets()
    ds.partenariats["date_fin"] = pd.to_datetime(ds.partenariats["id_partenariat"].map(ENDS))
    ds.regies["date_creation"] = pd.to_datetime(ds.regies["id_regie"].map(CREATED))  # RT-974-01: unknown
    ds.declinaisons = pd.DataFrame({
        "insee_reg": ["84", "11", "04"], "ar_hlm": ["AURA", "IDF", "Réunion"],
        "statut": ["signée", "en préparation", "signée"],
        "date_signature": pd.to_datetime(["2025-03-14", None, "2024-10-01"]),
        "organismes_signataires": [("111111111",), (), ("333333333",)], "regies_signataires": [(), (), ()],
        "lien_document": ["https://exemple.org/aura.pdf", None, None], "commentaire": [None, None, None]})
    return ds


@pytest.fixture(scope="module")
def small_atlas(small):
    return build_atlas(small)


def journal(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """Rows as `Store.status_history` gives them: (record_id, at in UTC, before, after)."""
    return pd.DataFrame({"record_id": [r[0] for r in rows], "change_set_id": range(1, len(rows) + 1),
                         "at": pd.to_datetime([r[1] for r in rows], utc=True), "kind": "edit",
                         "before": [r[2] for r in rows], "after": [r[3] for r in rows]})


# P03 goes back and forth (demo-like history); P05 is closed then the change is undone (journal: 22:30 UTC on the
# 5th is the 6th in Paris); P01 is closed in the app while it has no end date; P02 is recorded « en cours » before
# its start day.
DEMO_ROWS = [("P03", "2025-02-01", "terminé"), ("P03", "2025-02-10", "en cours"), ("P03", "2025-06-01", "en projet"),
             ("P03", "2025-07-01", "en cours")]
JOURNAL_ROWS = [("P05", "2025-05-05 09:00", "en cours", "terminé"),
                ("P05", "2025-05-05 22:30", "terminé", "en cours"),
                ("P01", "2025-09-01 10:00", "en cours", "terminé"),
                ("P02", "2024-12-01 08:00", "en projet", "en cours")]


@pytest.fixture(scope="module")
def small_history() -> pd.DataFrame:
    demo = pd.DataFrame({"id_partenariat": [r[0] for r in DEMO_ROWS], "jour": pd.to_datetime([r[1] for r in DEMO_ROWS]),
                         "statut": [r[2] for r in DEMO_ROWS], "source": timeline.DEMO})
    return timeline.combined_history(timeline.journal_history(journal(JOURNAL_ROWS)), demo)


def expected_records() -> dict[str, list[tuple[pd.Timestamp, str]]]:
    records: dict[str, list] = {}
    for pid, day, statut in DEMO_ROWS:
        records.setdefault(pid, []).append((pd.Timestamp(day), statut))
    paris = {"2025-05-05 09:00": "2025-05-05", "2025-05-05 22:30": "2025-05-06", "2025-09-01 10:00": "2025-09-01",
             "2024-12-01 08:00": "2024-12-01"}
    for pid, at, _, after in JOURNAL_ROWS:
        records.setdefault(pid, []).append((pd.Timestamp(paris[at]), after))
    return {pid: sorted(rows, key=lambda r: r[0]) for pid, rows in records.items()}


def small_records(ds: Datasets) -> tuple[list[dict], list[dict], set[str]]:
    valid = ds.partenariats[ds.partenariats["id_partenariat"].isin([f"P0{i}" for i in range(1, 9)])]
    parts = [{"id": r.id_partenariat, "debut": r.date_debut, "fin": r.date_fin, "qpv": set(r.qpv),
              "siren": r.siren_organisme, "montant": 0.0 if pd.isna(r.montant_eur) else r.montant_eur,
              "heures": 0 if pd.isna(r.heures_insertion) else int(r.heures_insertion)} for r in valid.itertuples()]
    regies = [{"creation": r.date_creation, "declared": set(r.qpv_couverts), "salaries": int(r.salaries),
               "benevoles": int(r.benevoles)} for r in ds.regies.itertuples()]
    return parts, regies, set(ds.qpv["code_qp"])


DAYS = ["2021-06-15", "2021-12-31", "2022-01-01", "2023-03-01", "2024-01-20", "2024-12-15", "2025-02-05",
        "2025-05-05", "2025-05-06", "2025-06-15", "2025-09-01", "2026-02-01", "2026-06-30"]


@pytest.mark.parametrize("day", DAYS)
def test_small_state_at_each_day_matches_the_rules(small, small_atlas, small_history, day):
    parts, regies, known = small_records(small)
    expected = expected_state(parts, regies, known, expected_records(), day, SMALL_AS_OF)
    assert figures(timeline.state_at(small_atlas, small.declinaisons, day, small_history, SMALL_AS_OF)) == expected


def test_statuses_of_the_hand_made_cases(small, small_atlas, small_history):
    parts = small_atlas.partenariats.set_index("id_partenariat")
    position = {pid: k for k, pid in enumerate(parts.index)}

    def status(pid: str, day: str) -> str:
        return timeline.status_at(small_atlas.partenariats, day, small_history)[position[pid]]

    # Started and ended within a year: en cours on its last day, terminé from the next one.
    assert [status("P04", d) for d in ("2021-04-30", "2021-05-01", "2021-12-31", "2022-01-01")] == [
        "en projet", "en cours", "en cours", "terminé"]
    # Back and forth.
    assert [status("P03", d) for d in ("2025-01-31", "2025-02-01", "2025-02-10", "2025-06-15", "2025-07-01")] == [
        "en cours", "terminé", "en cours", "en projet", "en cours"]
    # Undone on the next day (French time): terminé one day, back the next.
    assert [status("P05", d) for d in ("2025-05-04", "2025-05-05", "2025-05-06")] == ["en cours", "terminé", "en cours"]
    # Closed in the app without an end date; recorded before its start day, then the start.
    assert status("P01", "2025-08-31") == "en cours" and status("P01", "2026-06-30") == "terminé"
    assert status("P02", "2024-11-30") == "en projet" and status("P02", "2024-12-15") == "en cours"
    # Without any history, the dates alone.
    assert timeline.status_at(small_atlas.partenariats, "2025-05-05")[position["P05"]] == "en cours"
    assert timeline.status_at(small_atlas.partenariats, "2024-12-15")[position["P02"]] == "en projet"
    # The state carries those statuses; a partnership recorded « en cours » before its start is known, not active.
    state = timeline.state_at(small_atlas, small.declinaisons, "2024-12-15", small_history, SMALL_AS_OF)
    known = state.atlas.partenariats.set_index("id_partenariat")
    assert known.loc["P02", "statut"] == "en cours" and not timeline.active_on(known.loc[["P02"]], "2024-12-15")[0]
    # Before that record and before its start, P02 is not known; P08 (starting in 2026) is known from `as_of` on.
    assert "P02" not in set(timeline.state_at(small_atlas, small.declinaisons, "2024-11-30", small_history,
                                              SMALL_AS_OF).atlas.partenariats["id_partenariat"])
    assert "P08" not in known.index
    later = timeline.state_at(small_atlas, small.declinaisons, SMALL_AS_OF, small_history, SMALL_AS_OF).atlas
    assert later.partenariats.set_index("id_partenariat").loc["P08", "statut"] == "en projet"
    state = timeline.state_at(small_atlas, small.declinaisons, "2025-05-05", small_history, SMALL_AS_OF)
    links = state.atlas.links
    assert set(links.loc[links["id_partenariat"] == "P05", "statut"]) == {"terminé"}
    # P05 closed that day, P04 and P07 ended long before: terminé, all three.
    assert apply(state.atlas, Filters(statuts=("terminé",))).partenariats["id_partenariat"].tolist() == [
        "P04", "P05", "P07"]


def test_a_day_before_any_record_and_a_day_to_come_are_said(small, small_atlas):
    before = timeline.state_at(small_atlas, small.declinaisons, "2020-01-01", as_of=SMALL_AS_OF)
    sel = apply(before.atlas, Filters())
    assert sel.partenariats.empty and len(sel.qpv) == 11 and len(sel.regies) == 3  # RQ-093-01 not created yet
    assert timeline.day_notice("2020-01-01", "2026-11-27", small_atlas) == (
        "Au 01/01/2020, aucun partenariat n'avait commencé : le premier commence le 01/05/2021. Seules les régies "
        "qui existaient sont comptées.")
    assert timeline.day_notice("2027-01-01", "2026-11-27", small_atlas).startswith("Le 01/01/2027 est à venir")
    assert timeline.day_notice("2025-01-01", "2026-11-27", small_atlas) is None


def test_the_state_is_an_atlas_the_filters_and_indicators_read(small, small_atlas, small_history):
    state = timeline.state_at(small_atlas, small.declinaisons, "2025-06-15", small_history, SMALL_AS_OF)
    atlas, ix = state.atlas, state.atlas.index
    parts, pairs, links = atlas.partenariats, atlas.pairs, atlas.links
    assert (parts["id_partenariat"].to_numpy()[ix.pair_part] == pairs["id_partenariat"].to_numpy()).all()
    assert (parts["id_partenariat"].to_numpy()[ix.link_part] == links["id_partenariat"].to_numpy()).all()
    assert (atlas.qpv["code_qp"].to_numpy()[ix.link_qpv] == links["code_qp"].to_numpy()).all()
    known = ix.part_regie >= 0
    assert (atlas.regies["id_regie"].to_numpy()[ix.part_regie[known]] == parts["id_regie"].to_numpy()[known]).all()
    assert (atlas.regies["id_regie"].to_numpy()[ix.declared_regie] == atlas.declared["id_regie"].to_numpy()).all()
    assert not ix.pair_part.flags.writeable and isinstance(atlas.qpv["regies"].iloc[0], tuple)
    # Régie-level summaries follow the active partnerships; the search finds the régies of the state only.
    regies = atlas.regies.set_index("id_regie")
    assert regies.loc["RQ-075-01", "n_partenariats"] == 2  # P03 and P04 (ended); P08 not started nor recorded
    assert apply(atlas, Filters(q="plaine commune")).partenariats["id_partenariat"].tolist() == ["P05"]
    early = timeline.state_at(small_atlas, small.declinaisons, "2023-12-31", as_of=SMALL_AS_OF)
    assert apply(early.atlas, Filters(q="plaine commune")).regies.empty


def test_declinations_at_a_day(small):
    at = timeline.declinations_at(small.declinaisons, "2025-01-01").set_index("insee_reg")
    assert at.loc["84", "statut"] == "en préparation" and pd.isna(at.loc["84", "date_signature"])
    assert at.loc["84", "organismes_signataires"] == () and at.loc["84", "lien_document"] is None
    assert at.loc["04", "statut"] == "signée" and at.loc["04", "organismes_signataires"] == ("333333333",)
    assert at.loc["11", "statut"] == "en préparation"
    assert (timeline.declinations_at(small.declinaisons, "2025-03-14")["statut"] == "signée").sum() == 2


def test_progress_between_two_days(small, small_atlas, small_history):
    parts, regies, known = small_records(small)
    records = expected_records()
    found = timeline.progress(small_atlas, small.declinaisons, Filters(), "2024-01-01", "2025-06-15", small_history,
                              SMALL_AS_OF)
    then = expected_state(parts, regies, known, records, "2024-01-01", SMALL_AS_OF)
    now = expected_state(parts, regies, known, records, "2025-06-15", SMALL_AS_OF)
    for name in ("regies", "qpv_couverts", "qpv_avec_partenariat", "partenariats", "salaries"):
        assert found.change(name) == now[name] - then[name], name
    assert found.change("taux_couverture") == pytest.approx((now["qpv_couverts"] - then["qpv_couverts"]) / 11 * 100)
    assert found.change("declinaisons") == 2 - 0
    assert found.changes["partenariats"] == now["partenariats"] - then["partenariats"]
    regional = timeline.progress(small_atlas, small.declinaisons, Filters(regions=("11",)), "2024-01-01",
                                 "2025-06-15", small_history, SMALL_AS_OF)
    assert regional.declinaisons_now == 0 and regional.now.partenariats == 3  # P03, P05 (a QPV in 93), P04 ended


def test_compare_regions_between_two_days(small, small_atlas, small_history):
    then = timeline.state_at(small_atlas, small.declinaisons, "2024-01-01", small_history, SMALL_AS_OF)
    now = timeline.state_at(small_atlas, small.declinaisons, "2025-06-15", small_history, SMALL_AS_OF)
    table = timeline.compare_regions_between(then, now, Filters()).set_index("insee_reg")
    # Île-de-France: RQ-093-01 (created 2024-01-15) covers QN09301A; P03 and P05 started, P04 ended long ago.
    assert table.loc["11", "evolution_regies"] == 1 and table.loc["11", "evolution_qpv_couverts"] == 1
    assert table.loc["11", "evolution_partenariats"] == 2
    assert table.loc["11", "evolution_taux_couverture"] == pytest.approx(1 / 4 * 100)
    assert table.loc["84", "evolution_partenariats"] == 2  # P02 and P05 (two QPV in Isère); P01 ran at both dates


def test_quarters_are_all_there_empty_ones_as_zero_rows(small, small_atlas, small_history):
    follow = timeline.follow_up(small_atlas, small.declinaisons, Filters(), "2021-04-01", "2026-05-20", small_history,
                                SMALL_AS_OF)
    quarters = follow.quarters
    assert quarters["libelle"].tolist()[:3] == ["2021 T2", "2021 T3", "2021 T4"] and len(quarters) == 21
    assert (quarters["trimestre"].diff().iloc[1:] == quarters["trimestre"].iloc[1] - quarters["trimestre"].iloc[0]
            ).all()
    assert quarters["fin"].iloc[-1] == pd.Timestamp("2026-05-20")
    empty = quarters.set_index("libelle").loc["2023 T3"]
    assert (empty["partenariats_commences"], empty["partenariats_termines"]) == (0, 0)
    assert quarters.set_index("libelle").loc["2021 T4", "partenariats_termines"] == 1  # P04, 31/12/2021
    parts, regies, known = small_records(small)
    for row in quarters.itertuples():
        expected = expected_state(parts, regies, known, expected_records(), row.fin, SMALL_AS_OF)
        assert (row.partenariats, row.partenariats_actifs, row.qpv_couverts, row.qpv_avec_partenariat) == (
            expected["partenariats"], expected["actifs"], expected["qpv_couverts"], expected["qpv_avec_partenariat"]
        ), row.libelle
        started = sum(row.debut <= p["debut"] <= row.fin for p in parts)
        assert row.partenariats_commences == started
    assert len(follow.themes) == 21 * 6 and len(follow.regions) == 21 * 3
    assert follow.regions.groupby("libelle").size().eq(3).all()


def test_the_status_filter_applies_to_the_state_of_each_quarter(small, small_atlas, small_history):
    follow = timeline.follow_up(small_atlas, small.declinaisons, Filters(statuts=("terminé",)), "2025-01-01",
                                "2025-12-31", small_history, SMALL_AS_OF)
    assert follow.quarters["partenariats_actifs"].tolist() == [0, 0, 1, 1]  # P01 closed on 01/09/2025
    assert follow.quarters["partenariats_commences"].tolist() == [1, 0, 0, 0]  # P02: starts ignore the status


def test_pace_over_the_last_four_quarters(small, small_atlas, small_history):
    follow = timeline.follow_up(small_atlas, small.declinaisons, Filters(), "2024-01-01", "2026-06-30", small_history,
                                SMALL_AS_OF)
    found = timeline.pace(follow.quarters)
    covered = follow.quarters["qpv_avec_partenariat"].tolist()
    assert found.quarters == 4 and found.qpv_gagnes == covered[-1] - covered[-5]
    assert found.commences_par_trimestre == follow.quarters["partenariats_commences"].iloc[-4:].sum() / 4
    assert timeline.pace(follow.quarters.iloc[:1]) is None
    assert timeline.pace(follow.quarters.iloc[:3]).quarters == 2


# --- the demo ----------------------------------------------------------------------------------------------------


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(DEMO / name, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def day(text: str) -> pd.Timestamp:
    return pd.to_datetime(text, format="%d/%m/%Y") if text else pd.NaT


@pytest.fixture(scope="module")
def demo_files() -> tuple[list[dict], list[dict], set[str], dict]:
    frame = read("partenariats.csv")
    parts = [{"id": r["id_partenariat"], "debut": day(r["date_debut"]), "fin": day(r["date_fin"]),
              "qpv": {c.strip() for c in r["qpv"].split("|")}, "siren": r["siren_organisme"],
              "montant": float(r["montant_eur"].replace(",", ".")) if r["montant_eur"] else 0.0,
              "heures": int(r["heures_insertion"]) if r["heures_insertion"] else 0, "statut": r["statut"],
              "reg": None} for _, r in frame.iterrows()]
    regies = [{"id": r["id_regie"], "creation": day(r["date_creation"]),
               "declared": {c.strip() for c in r["qpv_couverts"].split("|")}, "salaries": int(r["salaries"]),
               "benevoles": int(r["benevoles"])} for _, r in read("regies.csv").iterrows()]
    with open(DEMO / "qpv.geojson", encoding="utf-8") as handle:
        qpv = {f["properties"]["code_qp"]: f["properties"]["insee_reg"] for f in json.load(handle)["features"]}
    history: dict[str, list] = {}
    for _, r in read("historique_statuts.csv").iterrows():
        history.setdefault(r["id_partenariat"], []).append((day(r["date"]), r["statut"]))
    return parts, regies, qpv, history


@pytest.fixture(scope="module")
def demo():
    datasets = load_folder(DEMO)
    history, findings = timeline.read_demo_history(datasets)
    assert findings == []
    return datasets, build_atlas(datasets), history


DEMO_DAYS = ["2024-01-01", "2024-07-01", "2025-03-31", "2025-10-15", "2026-06-30", "2026-11-27"]


@pytest.mark.parametrize("when", DEMO_DAYS)
def test_demo_state_at_each_day_matches_the_files(demo, demo_files, when):
    datasets, atlas, history = demo
    parts, regies, qpv, records = demo_files
    expected = expected_state(parts, regies, set(qpv), records, when, DEMO_TODAY)
    assert figures(timeline.state_at(atlas, datasets.declinaisons, when, history, DEMO_TODAY)) == expected


def test_demo_statuses_today_are_those_of_its_files(demo, demo_files):
    datasets, atlas, history = demo
    parts = demo_files[0]
    found = dict(zip(atlas.partenariats["id_partenariat"], timeline.status_at(atlas.partenariats, DEMO_TODAY, history),
                     strict=True))
    assert found == {p["id"]: p["statut"] for p in parts}


def test_the_state_today_is_the_current_data(demo, demo_files):
    """Planned and ended partnerships stay in the state with their status: at today (the default `as_of`), the key
    figures are those of the data as loaded, and at the demo's day the statuses are its files'."""
    datasets, atlas, history = demo
    parts = demo_files[0]
    now = timeline.state_at(atlas, datasets.declinaisons, date.today(), history)
    assert kpis(apply(now.atlas, Filters())) == kpis(apply(atlas, Filters()))
    assert len(now.atlas.partenariats) == len(parts) == 650
    at_demo_day = apply(timeline.state_at(atlas, datasets.declinaisons, DEMO_TODAY, history, DEMO_TODAY).atlas,
                        Filters())
    statuts = by_statut(at_demo_day).set_index("statut")["partenariats"]
    assert {s: int(n) for s, n in statuts.items() if n} == dict(Counter(p["statut"] for p in parts))
    # A day in the past knows the partnerships started or recorded by then, with their status then.
    past = apply(timeline.state_at(atlas, datasets.declinaisons, "2025-06-30", history).atlas, Filters())
    cutoff = pd.Timestamp("2025-06-30")
    assert set(past.partenariats["id_partenariat"]) == {
        p["id"] for p in parts if p["debut"] <= cutoff or any(d <= cutoff for d, _ in demo_files[3].get(p["id"], []))}
    assert {"terminé", "en projet", "en cours"} <= set(past.partenariats["statut"])


def test_demo_progress_since_its_signature_and_by_region(demo, demo_files):
    datasets, atlas, history = demo
    parts, regies, qpv, records = demo_files
    assert datasets.manifest.signature_date == "2024-07-01"
    reference = timeline.reference_day(None, "", datasets.manifest)
    assert reference.day == date(2024, 7, 1) and "démonstration" in reference.label
    found = timeline.progress(atlas, datasets.declinaisons, Filters(), reference.day, DEMO_TODAY, history, DEMO_TODAY)
    then = expected_state(parts, regies, set(qpv), records, reference.day, DEMO_TODAY)
    now = expected_state(parts, regies, set(qpv), records, DEMO_TODAY, DEMO_TODAY)
    for name in ("regies", "qpv_couverts", "qpv_avec_partenariat", "partenariats", "organismes_partenaires"):
        assert found.change(name) == now[name] - then[name], name
    assert found.change("qpv_couverts") > 0 and found.change("qpv_avec_partenariat") > 100
    signed = read("declinaisons.csv")
    signed_days = [day(d) for d in signed["date_signature"] if d]
    assert found.change("declinaisons") == sum(reference.day < d.date() <= DEMO_TODAY.date() for d in signed_days)

    states = [timeline.state_at(atlas, datasets.declinaisons, d, history, DEMO_TODAY)
              for d in (reference.day, DEMO_TODAY)]
    table = timeline.compare_regions_between(*states, Filters()).set_index("insee_reg")
    for code in ("11", "32", "84", "04"):
        in_region = {c for c, r in qpv.items() if r == code}

        def covered(when, in_region=in_region):
            when = pd.Timestamp(when)
            return len({c for r in regies if pd.isna(r["creation"]) or r["creation"] <= when
                        for c in r["declared"]} & in_region)

        def running(when, in_region=in_region):  # known on `when` (started, recorded, or the data's day)
            when = pd.Timestamp(when)
            return sum(1 for p in parts if (p["debut"] <= when or any(d <= when for d, _ in records.get(p["id"], []))
                                            or when >= DEMO_TODAY) and p["qpv"] & in_region)

        assert table.loc[code, "evolution_qpv_couverts"] == covered(DEMO_TODAY) - covered(reference.day), code
        assert table.loc[code, "evolution_partenariats"] == running(DEMO_TODAY) - running(reference.day), code


def test_demo_follow_up_since_its_signature(demo, demo_files):
    datasets, atlas, history = demo
    parts, regies, qpv, records = demo_files
    follow = timeline.follow_up(atlas, datasets.declinaisons, Filters(), "2024-07-01", DEMO_TODAY, history, DEMO_TODAY)
    assert follow.quarters["libelle"].tolist() == [f"{y} T{q}" for y, q in
                                                   [(2024, 3), (2024, 4)] + [(y, q) for y in (2025, 2026)
                                                                              for q in (1, 2, 3, 4)]]
    for row in follow.quarters.itertuples():
        expected = expected_state(parts, regies, set(qpv), records, row.fin, DEMO_TODAY)
        assert (row.partenariats, row.partenariats_actifs, row.qpv_avec_partenariat, row.regies) == (
            expected["partenariats"], expected["actifs"], expected["qpv_avec_partenariat"], expected["regies"]
        ), row.libelle
        assert row.partenariats_termines == sum(row.debut <= p["fin"] <= row.fin for p in parts if pd.notna(p["fin"]))
    by_region = follow.regions.groupby("libelle", sort=False)["partenariats_commences"].sum()
    assert (by_region >= follow.quarters.set_index("libelle")["partenariats_commences"]).all()  # multi-région ones
    themes = follow.themes.groupby("libelle", sort=False)["partenariats_actifs"].sum()
    assert (themes >= follow.quarters.set_index("libelle")["partenariats_actifs"]).all()

    paced = timeline.regional_pace(follow).set_index("insee_reg")
    national = timeline.pace(follow.quarters)
    last, before = follow.quarters["fin"].iloc[-1], follow.quarters["fin"].iloc[-5]
    for code in ("11", "32"):
        in_region = {c for c, r in qpv.items() if r == code}

        def reached(when, in_region=in_region):  # by the partnerships known on `when`
            return len({c for p in parts if p["debut"] <= when or any(d <= when for d, _ in records.get(p["id"], []))
                        or when >= DEMO_TODAY for c in p["qpv"]} & in_region)

        gained = reached(last) - reached(before)
        assert paced.loc[code, "qpv_gagnes"] == gained
        share = gained / len(in_region)
        assert paced.loc[code, "indice"] == pytest.approx(share / (national.qpv_gagnes / len(qpv)))


def test_a_regional_follow_up_counts_its_declination(demo):
    datasets, atlas, history = demo
    follow = timeline.follow_up(atlas, datasets.declinaisons, Filters(regions=("11",)), "2024-07-01", DEMO_TODAY,
                                history, DEMO_TODAY)
    signed = datasets.declinaisons.set_index("insee_reg").loc["11", "date_signature"]
    expected = [int(row.fin >= signed) for row in follow.quarters.itertuples()]
    assert follow.quarters["declinaisons_signees"].tolist() == expected
    assert set(follow.regions["insee_reg"]) == {"11"}


# --- reading the demo's history, the reference day ----------------------------------------------------------------


def test_the_demo_history_is_read_from_a_demo_folder_only(tmp_path, demo):
    datasets = demo[0]
    assert len(timeline.read_demo_history(datasets)[0]) == len(read("historique_statuts.csv"))
    not_demo = replace(datasets, manifest=replace(datasets.manifest, demo=False))
    assert timeline.read_demo_history(not_demo)[0].empty
    assert timeline.read_demo_history(replace(datasets, folder=tmp_path))[0].empty


def test_rows_in_error_are_named_and_left_out(tmp_path, demo):
    (tmp_path / timeline.STATUS_HISTORY_FILE).write_text(
        "id_partenariat;date;statut;commentaire\nP-1;01/02/2025;en cours;ok\n;01/02/2025;en cours;\n"
        "P-2;32/01/2025;terminé;\nP-3;01/03/2025;fini;\n", encoding="utf-8")
    history, findings = timeline.read_demo_history(replace(demo[0], folder=tmp_path))
    assert history[["id_partenariat", "statut"]].values.tolist() == [["P-1", "en cours"]]
    assert [(f.row, f.column) for f in findings] == [(3, "id_partenariat"), (4, "date"), (5, "statut")]
    assert str(findings[1]) == ("[erreur] historique_statuts.csv, ligne 4, colonne « date » : date « 32/01/2025 » "
                                "illisible. Suggestion : format attendu : JJ/MM/AAAA.")
    (tmp_path / timeline.STATUS_HISTORY_FILE).write_text(
        "id_partenariat;date;statut\nP-1;01/03/2025;terminé\nP-1;01/02/2025;en projet\n", encoding="utf-8")
    history, _ = timeline.read_demo_history(replace(demo[0], folder=tmp_path))
    assert history["statut"].tolist() == ["en projet", "terminé"]  # in event order, whatever the file's order
    (tmp_path / timeline.STATUS_HISTORY_FILE).write_text("id;jour\nP-1;01/02/2025\n", encoding="utf-8")
    history, findings = timeline.read_demo_history(replace(demo[0], folder=tmp_path))
    assert history.empty
    assert "colonne(s) obligatoire(s) absente(s) : id_partenariat, date, statut" in findings[0].message


def test_the_reference_day():
    demo = Manifest(demo=True, signature_date="2024-07-01")
    assert timeline.reference_day(date(2024, 3, 14), "", demo) == timeline.Reference(date(2024, 3, 14), "la signature")
    assert timeline.reference_day(None, "", demo).notice == "Date de signature de démonstration : 01/07/2024 (fictive)."
    real = Manifest(demo=False, signature_date="2024-07-01")  # only a demo folder's own date is taken
    assert timeline.reference_day(None, "", real).day is None
    assert "CARTE_DATE_SIGNATURE « mars » n'est pas une date" in timeline.reference_day(None, "mars", None).notice
    assert timeline.reference_day(None, "", None).notice == (
        "La date de signature de la convention n'est pas renseignée (réglage CARTE_DATE_SIGNATURE) : choisissez une "
        "date de référence.")


def test_manifest_keeps_the_signature_date(tmp_path):
    manifest = Manifest(demo=True, title="x", signature_date="2024-07-01")
    assert Manifest.from_dict(json.loads(manifest.to_json())) == manifest
    assert Manifest.from_dict({"demo": True}).signature_date == ""


def test_as_day_reads_the_usual_spellings():
    expected = pd.Timestamp("2025-05-06")
    assert {timeline.as_day(v) for v in (date(2025, 5, 6), "2025-05-06", pd.Timestamp("2025-05-06 17:00"),
                                         pd.Timestamp("2025-05-05 22:30", tz="UTC"))} == {expected}
    assert np.array_equal(timeline.quarters("2024-02-10", "2024-11-01").astype(str), ["2024Q1", "2024Q2", "2024Q3",
                                                                                     "2024Q4"])
    assert len(timeline.quarters("2025-01-01", "2024-01-01")) == 0
