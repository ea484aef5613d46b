"""The annual report (ui.bilan) on the demo, read back: the PowerPoint's tables and the PDF's text, their figures
recounted here from the demo's files (dates of the partnerships, of the régies, of the declinations) and from a
hand-made journal."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from types import SimpleNamespace

import pandas as pd
import pytest
from pptx import Presentation
from pypdf import PdfReader

from geo import fr, timeline
from geo.filters import Filters
from geo.joins import build_atlas
from geo.load import load_folder
from tests.app import reference as ref
from tests.paths import REPO
from ui import bilan

pytestmark = pytest.mark.usefixtures("no_network")
YEAR, TODAY = 2025, "2026-11-27"
EVE, END = pd.Timestamp("2024-12-31"), pd.Timestamp("2025-12-31")


def _day(text: str) -> pd.Timestamp:
    return pd.to_datetime(text, format="%d/%m/%Y") if text else pd.NaT


@pytest.fixture(scope="module")
def files():
    demo = ref.load(ref.DEMO)
    history = ref.read_csv(ref.DEMO / "historique_statuts.csv")
    recorded = {pid: [_day(d) for d in group["date"]] for pid, group in history.groupby("id_partenariat")}
    return demo, recorded


def known(demo, recorded, day: pd.Timestamp) -> pd.DataFrame:
    """Partnerships known on `day` (started, or a status recorded by then; `day` before the data's day)."""
    parts = demo.partenariats
    starts = parts["date_debut"].map(_day)
    seen = parts["id_partenariat"].map(lambda pid: any(d <= day for d in recorded.get(pid, [])))
    return parts[(starts <= day) | seen]


def covered(demo, day: pd.Timestamp, codes: set[str]) -> int:
    created = demo.regies["date_creation"].map(_day)
    existing = demo.regies[created.isna() | (created <= day)]
    return len({c for declared in existing["declared"] for c in declared} & codes)


# Two change sets of 2025 and one of 2024 (left out): a partnership closed and a régie changed, by two people.
def _change(dataset, record_id, before, after, user, at):
    return SimpleNamespace(dataset=dataset, record_id=record_id, before=before, after=after, user=user, at=at)


class Journal:
    def __init__(self, rows):
        self.sets = [SimpleNamespace(id=k, at=pd.Timestamp(at, tz="UTC"), kind="edit") for k, (at, _) in
                     enumerate(rows, start=1)]
        self.rows = {k: changes for k, (_, changes) in enumerate(rows, start=1)}

    def change_sets(self):
        return list(reversed(self.sets))

    def change_set(self, change_set_id):
        return None, self.rows[change_set_id]


@pytest.fixture(scope="module")
def made(files):
    datasets = load_folder(ref.DEMO)
    atlas = build_atlas(datasets)
    history, _ = timeline.read_demo_history(datasets)
    pid = atlas.partenariats.loc[atlas.partenariats["insee_reg_principal"] == "84", "id_partenariat"].iloc[0]
    regie = atlas.regies.loc[atlas.regies["insee_reg"] == "84", "id_regie"].iloc[0]
    journal = Journal([
        ("2024-06-01 10:00", [_change("partenariats", pid, {"statut": "en cours"}, {"statut": "en cours"}, "a", 0)]),
        ("2025-03-01 10:00", [_change("partenariats", pid, {"statut": "en cours"}, {"statut": "terminé"}, "alice", 0),
                              _change("regies", regie, {"salaries": 3}, {"salaries": 4}, "bruno", 0)]),
        ("2025-09-01 10:00", [_change("regies", "RQ-NOUVELLE", None, {"nom": "x"}, "alice", 0)]),
    ])
    changes = timeline.journal_changes(journal, "2025-01-01", "2025-12-31")
    out = bilan.bilan_files(atlas, datasets, Filters(), YEAR, TODAY, history, changes,
                            timeline.reference_day(None, "", datasets.manifest))
    return out, changes


def pptx_tables(data: bytes) -> dict[str, list[list[str]]]:
    prs = Presentation(io.BytesIO(data))
    tables = {}
    for slide in prs.slides:
        title = slide.shapes.title.text if slide.shapes.title is not None else ""
        for shape in slide.shapes:
            if shape.has_table:
                tables[title] = [[cell.text for cell in row.cells] for row in shape.table.rows]
    return tables


def test_the_figures_at_the_year_end_and_their_change(files, made):
    demo, recorded = files
    tables = pptx_tables(made[0]["pptx"])
    figures = {row[0]: row[1:] for row in tables["Chiffres clés 2025 : France entière"][1:]}
    before, after = len(known(demo, recorded, EVE)), len(known(demo, recorded, END))
    change = after - before
    assert figures["Partenariats organisme HLM × régie"] == [fr.nombre(before), fr.nombre(after),
                                                             f"+{fr.nombre(change)}"]
    codes = set(demo.qpv["code_qp"])
    assert figures["QPV couverts par une régie (déclarés par la régie)"][:2] == [
        fr.nombre(covered(demo, EVE, codes)), fr.nombre(covered(demo, END, codes))]
    signed = [_day(d) for d in ref.read_csv(ref.DEMO / "declinaisons.csv")["date_signature"] if d]
    assert figures["Déclinaisons régionales signées"][:2] == [fr.nombre(sum(d <= EVE for d in signed)),
                                                             fr.nombre(sum(d <= END for d in signed))]


def test_the_regions_and_the_journal(files, made):
    demo, _ = files
    tables = pptx_tables(made[0]["pptx"])
    rows = [row for title, table in tables.items() if title.startswith("Les régions dans l'année")
            for row in table[1:]]
    assert len(rows) == demo.qpv["insee_reg"].nunique()
    by_name = {row[0]: row for row in rows}
    in_84 = set(demo.qpv.loc[demo.qpv["insee_reg"] == "84", "code_qp"])
    parts = demo.partenariats[demo.partenariats["qpv_list"].map(lambda c: bool(set(c) & in_84))]
    starts, ends = parts["date_debut"].map(_day), parts["date_fin"].map(_day)
    year = (pd.Timestamp("2025-01-01"), END)
    row = by_name["Auvergne-Rhône-Alpes"]
    assert row[5] == fr.nombre(int(starts.between(*year).sum())) and row[6] == fr.nombre(int(ends.between(*year).sum()))
    journal = tables["Ce qui a changé dans les données (journal)"]
    assert journal[0] == ["Région", "Données", "Ajoutés", "Modifiés", "Clôturés", "Par"]
    assert ["Auvergne-Rhône-Alpes", "partenariats", "0", "0", "1", "alice"] in journal
    assert ["Auvergne-Rhône-Alpes", "regies", "0", "1", "0", "bruno"] in journal
    assert ["Région non déterminée", "regies", "1", "0", "0", "alice"] in journal
    assert len(made[1]) == 3  # the 2024 change set is not the year's


def test_the_pdf_reads_the_same_figures_and_says_demo(files, made):
    demo, recorded = files
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(made[0]["pdf"])).pages)
    flat = " ".join(text.split())
    assert "Bilan annuel 2025 : France entière" in flat and "Données de démonstration" in flat
    assert "Projets marquants de 2025" in flat and "Sources et dates" in flat
    assert "Signature de la convention : 01/07/2024 (date de démonstration)." in flat
    assert fr.nombre(len(known(demo, recorded, END))).replace("\u202f", " ").replace("\xa0", " ") in \
        flat.replace("\u202f", " ").replace("\xa0", " ")
    # The year's most notable project is there with its description.
    parts = demo.partenariats[demo.partenariats["date_debut"].map(_day).between(pd.Timestamp("2025-01-01"), END)]
    top = parts.assign(m=parts["montant_eur"].str.replace(",", ".").astype(float)).sort_values(
        "m", ascending=False).iloc[0]
    assert top["description"][:30] in flat


def test_a_year_to_come_has_no_report():
    with pytest.raises(ValueError, match="n'a pas commencé"):
        timeline.year_bounds(2027, TODAY)


def test_the_command_line_writes_both_files_for_the_filters(tmp_path, files):
    """`python -m geo bilan` as a scheduled job runs it (a subprocess, an empty store: the data folder's records)."""
    env = {**os.environ, "CARTE_DATABASE_URL": f"sqlite:///{tmp_path / 'base.sqlite3'}"}
    env.pop("CARTE_DATA_DIR", None)
    out = tmp_path / "bilans"
    result = subprocess.run([sys.executable, "-m", "geo", "bilan", "--annee", "2025", "--out", str(out), "--region",
                             "84", "--theme", "pas-un-theme"], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    assert "Thème « pas-un-theme » inconnu" in result.stderr and "Traceback" not in result.stderr
    written = sorted(p.suffix for p in out.iterdir())
    assert written == [".pdf", ".pptx"]
    deck_file = next(out.glob("bilan-2025_auvergne-rhone-alpes_*.pptx"))
    tables = pptx_tables(deck_file.read_bytes())
    figures = {row[0]: row[1:] for row in tables["Chiffres clés 2025 : Auvergne-Rhône-Alpes"][1:]}
    demo, recorded = files
    in_84 = set(demo.qpv.loc[demo.qpv["insee_reg"] == "84", "code_qp"])
    mine = known(demo, recorded, END)
    assert figures["Partenariats organisme HLM × régie"][1] == fr.nombre(
        int(mine["qpv_list"].map(lambda c: bool(set(c) & in_84)).sum()))
    late = subprocess.run([sys.executable, "-m", "geo", "bilan", "--annee", "2999", "--out", str(out)], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=600)
    assert late.returncode == 2 and "L'année 2999 n'a pas commencé" in late.stderr
