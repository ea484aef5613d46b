"""Import: the preview (added, changed cell by cell, unchanged, out of scope, missing, rows in error), publish as
one change set, undo; CSV in UTF-8 or Windows-1252, `;` or `,`, XLSX, a zip of a data folder."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import Workbook

from geo.load import load_file
from store import Store, StoreError

HEADER = ("id_partenariat;id_regie;siren_organisme;qpv;themes;statut;date_debut;date_fin;description;montant_eur;"
          "heures_insertion")
# The Hauts-de-France contributor's file: 3 statuses changed (P-1, P-2, P-3), 2 new (P-5, P-6), 1 row in error
# (P-7: unknown status), 1 row of another région (P-4, Paris, changed).
HDF_FILE = f"""{HEADER}
P-1;RQ-059-01;123456782;QN05972M;cohésion sociale;en cours;01/02/2024;;Ateliers;1000,50;
P-2;RQ-059-01;123456782;QN05971M;inclusion numérique;terminé;01/03/2024;;;2000;120
P-3;RQ-059-01;123456782;QN05973M;cadre-de-vie;terminé;01/04/2024;31/12/2026;;;
P-4;RQ-075-01;987654324;QN07501M;inclusion numérique;terminé;01/05/2024;;;500;
P-5;RQ-059-01;123456782;QN05971M;transition écologique et solidaire;en projet;01/09/2025;;Jardins;;
P-6;RQ-059-01;123456782;QN05972M;inclusion-numerique;en projet;15/09/2025;;;3 000,00;
P-7;RQ-059-01;123456782;QN05972M;cohésion sociale;fini;01/10/2025;;;;
"""


def statuses(store: Store) -> dict[str, str]:
    return {k: data["statut"] for k, (data, _) in store.read_records("partenariats").items()}


def write(tmp_path, text: str, name: str = "partenariats.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_preview_then_publish_then_undo_for_a_regional_contributor(store, tmp_path):
    plan = store.plan_import("hdf", write(tmp_path, HDF_FILE))
    assert not plan.blocking
    assert [c.record_id for c in plan.changed] == ["P-1", "P-2", "P-3"]
    assert [(c.column, c.old, c.new) for c in plan.changed[0].cells] == [("statut", "en projet", "en cours")]
    assert [c.record_id for c in plan.added] == ["P-5", "P-6"]
    assert plan.added[1].after["montant_eur"] == "3000" and plan.added[1].after["themes"] == "inclusion numérique"
    assert [c.record_id for c in plan.out_of_scope] == ["P-4"] and plan.out_of_scope[0].regions == {"11"}
    assert plan.unchanged == [] and plan.missing == []
    assert [(f.row, f.column) for f in plan.errors] == [(8, "statut")]
    before = statuses(store)
    assert statuses(store) == before  # a preview writes nothing

    change_set_id = store.publish(plan, "hdf", "mise à jour HdF")
    assert statuses(store) == {**before, "P-1": "en cours", "P-2": "terminé", "P-3": "terminé",
                               "P-5": "en projet", "P-6": "en projet"}
    info, changes = store.change_set(change_set_id)
    assert (info.user, info.kind, info.size) == ("hdf", "import", 5)
    again = store.plan_import("hdf", write(tmp_path, HDF_FILE))
    assert len(again.unchanged) == 5 and not again.added and not again.changed

    store.undo(change_set_id, "hdf")
    assert statuses(store) == before


def test_findings_are_those_of_geo_check(store, tmp_path):
    path = write(tmp_path, HDF_FILE)
    plan = store.plan_import("hdf", path)
    assert [str(f) for f in plan.findings] == [str(f) for f in load_file(path, "partenariats")[2]]


def test_missing_rows_are_kept_unless_asked_and_only_in_scope(store, tmp_path):
    lines = HDF_FILE.splitlines()
    path = write(tmp_path, "\n".join([lines[0], lines[1], lines[2]]) + "\n")  # P-1, P-2 only
    plan = store.plan_import("hdf", path)
    assert [c.record_id for c in plan.missing] == ["P-3"]  # P-4 is not Hauts-de-France's to remove
    store.publish(plan, "hdf", "")
    assert "P-3" in statuses(store)
    plan = store.plan_import("adm", path)
    assert [c.record_id for c in plan.missing] == ["P-3", "P-4"]
    with pytest.raises(StoreError, match="aucune ligne valide dans ces régions : Île-de-France"):
        store.publish(plan, "adm", "", remove_missing=True, confirm_removal=2)  # a file of Hauts-de-France only
    plan = store.plan_import("adm", write(tmp_path, "\n".join([lines[0], lines[1], lines[4]]) + "\n"))
    assert [c.record_id for c in plan.missing] == ["P-2", "P-3"] and not plan.removal_refusals
    store.publish(plan, "adm", "", remove_missing=True, confirm_removal=2)
    assert set(statuses(store)) == {"P-1", "P-4"}


@pytest.mark.parametrize(("separator", "encoding"), [(",", "cp1252"), (";", "utf-8-sig")])
def test_csv_variants_give_the_same_preview(store, tmp_path, separator, encoding):
    text = HDF_FILE.replace("1000,50", "1000.50").replace("3 000,00", "3000").replace(";", separator)
    plan = store.plan_import("hdf", write(tmp_path, text, encoding=encoding))
    assert [c.record_id for c in plan.changed] == ["P-1", "P-2", "P-3"]
    assert [c.record_id for c in plan.added] == ["P-5", "P-6"]


def test_xlsx_and_zipped_folder(store, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    for line in HDF_FILE.splitlines():
        sheet.append(line.split(";"))
    workbook.save(tmp_path / "partenariats.xlsx")
    plan = store.plan_import("hdf", tmp_path / "partenariats.xlsx")
    assert [c.record_id for c in plan.changed] == ["P-1", "P-2", "P-3"] and len(plan.added) == 2

    archive = tmp_path / "envoi.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("donnees/partenariats.csv", HDF_FILE)
        zf.writestr("donnees/qpv.geojson", '{"type": "FeatureCollection", "features": []}')
    plan = store.plan_upload("hdf", "envoi.zip", archive.read_bytes())
    assert [c.record_id for c in plan.changed] == ["P-1", "P-2", "P-3"]
    assert any("géographie de référence" in f.message for f in plan.findings)


def test_nothing_to_publish_is_said(store, tmp_path):
    lines = HDF_FILE.splitlines()
    plan = store.plan_import("hdf", write(tmp_path, lines[0] + "\n" + lines[4] + "\n"))  # P-4 only: out of scope
    with pytest.raises(StoreError, match="Rien à publier"):
        store.publish(plan, "hdf", "")
