"""Login, import, journal and editing pages in AppTest, each test on its own throw-away store seeded from the demo;
expected values from the scenario's files (`store_flow`, plain pandas) and the independent reference counts."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from store import ADMIN, CONTRIBUTEUR, Edit, ScopeError, Store, add_user, disable_user
from tests.app import reference as ref
from tests.app import store_flow
from tests.app.helpers import SCRIPTS, TIMEOUT, run_page
from tests.app.store_flow import HDF, PASSWORD
from ui.text import escape_markdown

OTHER_PASSWORD = "motdepasse-idf-2026"
ADMIN_PASSWORD = "motdepasse-admin-2026"


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    url = f"sqlite:///{tmp_path / 'carte.sqlite3'}"
    monkeypatch.setenv("CARTE_DATABASE_URL", url)
    opened = Store.open(url, reference_folder=ref.DEMO)
    opened.seed_from_folder(ref.DEMO)
    add_user(opened, "hdf", CONTRIBUTEUR, [HDF], password=PASSWORD, email="hdf@exemple.org")
    add_user(opened, "idf", CONTRIBUTEUR, ["11"], password=OTHER_PASSWORD)
    add_user(opened, "admin", ADMIN, password=ADMIN_PASSWORD)
    yield opened
    opened.close()


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]


def assert_refused(at: AppTest, message: str, store: Store, version) -> None:
    """The form's input was refused: an error holding `message` (as the page escapes it), no success, the store as
    it was (`version`)."""
    assert not at.exception, [e.value for e in at.exception]
    assert [e for e in texts(at, "error") if escape_markdown(message) in e], texts(at, "error")
    assert not texts(at, "success")
    assert store.data_version() == version


def login(at: AppTest, name: str, password: str) -> AppTest:
    next(t for t in at.text_input if t.label == "Identifiant").input(name)
    next(t for t in at.text_input if t.label == "Mot de passe").input(password)
    next(b for b in at.button if b.label == "Se connecter").click()
    return at.run(timeout=TIMEOUT)


def go(at: AppTest, path: str, params: dict | None = None) -> AppTest:
    at.query_params.clear()
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.switch_page(SCRIPTS[path])
    return at.run(timeout=TIMEOUT)


def kpis(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_kpis(data: ref.Data, ask: ref.Ask | None = None) -> dict[str, str]:
    return {k: ref.card(k, v) for k, v in ref.select(data, ask or ref.Ask()).kpis.items()}


def frame_with(at: AppTest, *columns: str) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe if all(c in d.value.columns for c in columns)]


# --- login --------------------------------------------------------------------------------------------------------

def test_login_then_logout_and_no_password_on_the_page(store):
    at = run_page("connexion")
    assert not at.exception
    at = login(at, "hdf", PASSWORD)
    assert any("hdf — contributeur régional \\(Hauts\\-de\\-France\\)" in m for m in texts(at, "markdown"))
    shown = texts(at, "markdown") + texts(at, "error") + texts(at, "info") + [t.value for t in at.text_input]
    assert not any(PASSWORD in text for text in shown)
    assert all(PASSWORD not in str(at.session_state[key]) for key in ("compte",))
    next(b for b in at.button if b.label == "Se déconnecter").click()
    at.run(timeout=TIMEOUT)
    assert [t.label for t in at.main.text_input] == ["Identifiant", "Mot de passe"]


def test_failed_logins_slow_the_next_ones_down(store):
    at = run_page("connexion")
    for _ in range(3):
        at = login(at, "idf", "mauvais-mot-de-passe")
        assert texts(at, "error") == ["Identifiant ou mot de passe incorrect."]
    at = login(at, "idf", OTHER_PASSWORD)  # even the right password waits now
    assert len(texts(at, "error")) == 1 and texts(at, "error")[0].startswith("Trop de tentatives échouées")
    assert not any("idf — contributeur" in m for m in texts(at, "markdown"))


def test_viewing_behind_a_login_when_required(store, monkeypatch):
    monkeypatch.setenv("CARTE_LOGIN_REQUIRED", "oui")
    at = run_page("")
    assert [t.value for t in at.title] == ["Connexion"] and not at.metric
    at = login(at, "hdf", PASSWORD)
    assert kpis(at) == expected_kpis(ref.load(ref.DEMO))


def test_identity_provider_maps_to_the_database_account(store):
    from dashboard.auth import account_for_identity

    account = account_for_identity(store, {"is_logged_in": True, "email": "HDF@exemple.org"})
    assert (account.name, account.role, account.regions) == ("hdf", CONTRIBUTEUR, frozenset({HDF}))
    assert account_for_identity(store, {"is_logged_in": True, "email": "hdf@exemple.org",
                                        "email_verified": False}) is None
    assert account_for_identity(store, {"is_logged_in": True, "email": "inconnu@exemple.org"}) is None
    assert account_for_identity(store, {"is_logged_in": False, "email": "hdf@exemple.org"}) is None
    disable_user(store, "hdf")
    assert account_for_identity(store, {"is_logged_in": True, "email": "hdf@exemple.org"}) is None


def test_writing_pages_ask_for_an_account(store):
    for path in ("import", "saisie"):
        at = run_page(path)
        assert not at.exception
        assert any("demande un compte" in i for i in texts(at, "info"))
        assert not at.file_uploader
        assert [t.label for t in at.main.text_input] == ["Identifiant", "Mot de passe"]


# --- reading the store ------------------------------------------------------------------------------------------

def test_a_change_by_another_process_shows_on_the_next_rerun_and_only_its_dataset_is_read(store, monkeypatch):
    at = run_page("")
    assert kpis(at) == expected_kpis(ref.load(ref.DEMO))
    other = Store.open(str(store.engine.url), reference_folder=ref.DEMO)  # its own engine, like another process
    regions_of = other.geography.record_regions
    rid, (data, version) = next((rid, v) for rid, v in other.read_records("partenariats").items()
                                if regions_of("partenariats", v[0]) == {HDF})
    other.write("admin", "suppression", [Edit("partenariats", rid, None, version)])
    other.close()
    read = []
    original = Store.read_frames

    def counting(self, datasets=("regies", "organismes", "partenariats")):
        read.extend(datasets)
        return original(self, datasets)

    monkeypatch.setattr(Store, "read_frames", counting)
    at.run(timeout=TIMEOUT)
    demo = ref.load(ref.DEMO)
    demo.partenariats = demo.partenariats[demo.partenariats["id_partenariat"] != rid]
    assert kpis(at) == expected_kpis(demo) != expected_kpis(ref.load(ref.DEMO))
    assert read == ["partenariats"]  # régies and organismes did not change: not read again


# --- import → publish → figures → undo ------------------------------------------------------------------------

def test_import_preview_publish_and_undo(store, tmp_path):
    scenario = store_flow.build(tmp_path)
    before, after = ref.load(ref.DEMO), ref.load(scenario.after)
    hdf_termine = ref.Ask(regions=(HDF,), statuts=("terminé",))
    at = login(run_page("import"), "hdf", PASSWORD)
    at.file_uploader[0].upload("partenariats.xlsx", scenario.xlsx(), store_flow.XLSX)
    at.run(timeout=TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]

    (report,) = frame_with(at, "Gravité", "Ligne", "Colonne")
    errors = report[report["Gravité"] == "erreur"]
    assert list(zip(errors["Ligne"], errors["Colonne"], strict=True)) == [(str(scenario.error_row), "date_debut")]
    summary = at.table[0].value
    assert dict(zip(summary.index, summary["Nombre"], strict=True)) == {
        "Ajoutés": "2", "Modifiés": "3", "Inchangés": "0", "Hors de votre périmètre (refusés)": "1",
        "En erreur (non publiés)": "1", "Dans la base, absents du fichier": str(scenario.missing)}
    # the preview heads its columns as the pages do, not with their technical names (issue 18)
    added = next(t for t in frame_with(at, "Identifiant", "Statut") if set(t["Identifiant"]) == set(scenario.added))
    assert list(added["Ligne"]) == ["5", "6"]
    (cells,) = frame_with(at, "Colonne", "Avant", "Après")
    assert sorted(zip(cells["Identifiant"], cells["Colonne"], cells["Avant"], cells["Après"], strict=True)) == sorted(
        (pid, "Statut", old, new) for pid, (old, new) in scenario.changed.items())
    (refused,) = frame_with(at, "Identifiant", "Régions")
    assert list(refused["Identifiant"]) == [scenario.other_region]
    assert list(refused["Régions"]) == ["Île-de-France"]
    version = store.data_version()

    at.button(key="publier").click()
    at.run(timeout=TIMEOUT)
    assert any(s.startswith("Publié : lot n°") for s in texts(at, "success"))
    assert store.data_version()["partenariats"] > version["partenariats"]
    records = store.read_records("partenariats")
    assert store_flow.ERROR_ID not in records  # the row in error is never published
    demo_statut = ref.read_csv(ref.DEMO / "partenariats.csv").set_index("id_partenariat")["statut"]
    assert records[scenario.other_region][0]["statut"] == demo_statut[scenario.other_region]  # out of scope

    go(at, "")
    assert kpis(at) == expected_kpis(after) != expected_kpis(before)
    go(at, "", {"region": HDF, "statut": "termine"})
    assert kpis(at) == expected_kpis(after, hdf_termine) != expected_kpis(before, hdf_termine)
    go(at, "partenariats", {"region": HDF})
    assert set(scenario.added) <= set(at.dataframe[0].value["Identifiant"])

    go(at, "historique")
    import_set = at.selectbox(key="historique-lot").value
    at.button(key="annuler-lot").click()
    at.run(timeout=TIMEOUT)
    assert any(s.startswith("Annulation publiée") for s in texts(at, "success")), texts(at, "error")
    at.selectbox(key="historique-lot").set_value(import_set)
    at.run(timeout=TIMEOUT)
    assert not [b for b in at.button if b.key == "annuler-lot"]  # issue 18: fails on the old code
    assert f"Ce lot a été annulé par le lot n° {import_set + 1}." in [str(c.value) for c in at.caption]
    changed_id = next(iter(scenario.changed))
    at.text_input(key="historique-id").input(changed_id.lower())  # read as the store writes it
    at.run(timeout=TIMEOUT)
    statuses = frame_with(at, "Lot", "Avant", "Après")[0]
    assert list(zip(statuses["Type"], statuses["Avant"], statuses["Après"], strict=True)) == [
        ("chargement initial", "", "en cours"), ("import", "en cours", "terminé"),
        ("annulation", "terminé", "en cours")]

    go(at, "")
    assert kpis(at) == expected_kpis(before)
    go(at, "", {"region": HDF, "statut": "termine"})
    assert kpis(at) == expected_kpis(before, hdf_termine)


def test_a_removal_by_import_is_counted_confirmed_and_refused_from_another_region(store, tmp_path):
    """Issue 15 « Destructive actions »: a one-row file whose only row is out of scope removes nothing; a file of
    Hauts-de-France rows says how many of which kind it deletes, lists them, and publishes only once that number
    is typed (fails on the old code: a checkbox deleted them, the heading saying « conservées sauf demande »)."""
    scenario = store_flow.build(tmp_path)
    at = login(run_page("import"), "hdf", PASSWORD)
    other = scenario.rows[scenario.rows["id_partenariat"] == scenario.other_region]
    at.file_uploader[0].upload("partenariats.csv", other.to_csv(sep=";", index=False).encode(), "text/csv")
    at.run(timeout=TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    assert not [c for c in at.checkbox if c.key == "import-supprimer"]
    assert [c for c in (str(x.value) for x in at.caption) if "aucune ligne valide de votre périmètre" in c]
    version = store.data_version()

    changed = scenario.rows[scenario.rows["id_partenariat"].isin(list(scenario.changed))]
    at.file_uploader[0].upload("partenariats.csv", changed.to_csv(sep=";", index=False).encode(), "text/csv")
    at.run(timeout=TIMEOUT)
    headings = [str(m.value) for m in at.markdown if "absentes du fichier" in str(m.value)]
    assert headings == ["**Dans la base mais absentes du fichier : conservées**"]
    at.checkbox(key="import-supprimer").check()
    at.run(timeout=TIMEOUT)
    count = scenario.missing
    assert [str(m.value) for m in at.markdown if "absentes du fichier" in str(m.value)] == [
        f"**Dans la base mais absentes du fichier : {count} enregistrements supprimés à la publication**"]
    summary = at.table[0].value
    assert dict(zip(summary.index, summary["Nombre"], strict=True))["Supprimés de la base à la publication"] == \
        str(count)
    missing_table = [d.value for d in at.dataframe if {"Identifiant", "Statut"} <= set(d.value.columns)
                     and not set(d.value["Identifiant"]) & set(scenario.changed)]
    assert len(missing_table[-1]) == count
    assert any(f"{count} enregistrements (partenariats : {count})" in w for w in texts(at, "warning"))
    at.button(key="publier").click()
    at.run(timeout=TIMEOUT)
    assert any("Suppression non confirmée" in e for e in texts(at, "error"))
    assert store.data_version() == version
    at.text_input(key="import-confirmer-suppression").input(str(count))
    at.button(key="publier").click()
    at.run(timeout=TIMEOUT)
    assert any(s.startswith("Publié : lot n°") for s in texts(at, "success")), texts(at, "error")
    (info, changes) = store.change_set(store.change_sets(limit=1)[0].id)
    assert sum(c.after is None for c in changes) == count


def test_oversized_upload_is_refused_and_nothing_written(store):
    at = login(run_page("import"), "hdf", PASSWORD)
    version = store.data_version()
    at.file_uploader[0].upload("partenariats.csv", b"x" * (50 * 1024 * 1024 + 1), "text/csv")
    at.run(timeout=TIMEOUT)
    assert any("Import refusé" in e for e in texts(at, "error"))
    (report,) = frame_with(at, "Gravité", "Message")
    assert report["Message"].iloc[0] == "Le fichier « partenariats.csv » fait 50,0 Mo : la taille maximale est 50,0 Mo."
    assert not [b for b in at.button if b.label == "Publier"]
    assert store.data_version() == version


def test_undo_is_refused_when_a_later_change_touched_the_record(store, tmp_path):
    scenario = store_flow.build(tmp_path)
    at = login(run_page("import"), "hdf", PASSWORD)
    at.file_uploader[0].upload("partenariats.xlsx", scenario.xlsx(), store_flow.XLSX)
    at.run(timeout=TIMEOUT)
    at.button(key="publier").click()
    at.run(timeout=TIMEOUT)
    import_set = store.change_sets(limit=1)[0].id
    pid = next(iter(scenario.changed))
    data, version = store.read_records("partenariats")[pid]
    store.write("admin", "correction", [Edit("partenariats", pid, {**data, "statut": "en projet"}, version)])
    go(at, "historique")
    at.selectbox(key="historique-lot").set_value(import_set)
    at.run(timeout=TIMEOUT)
    at.button(key="annuler-lot").click()
    at.run(timeout=TIMEOUT)
    (error,) = texts(at, "error")
    assert f"lot n° {import_set} ne peut pas être annulé" in error and "admin" in error
    assert store.read_records("partenariats")[pid][0]["statut"] == "en projet"


# --- editing ------------------------------------------------------------------------------------------------------

WIDGETS = {"p-regie": "selectbox", "p-organisme": "selectbox", "p-statut": "selectbox", "p-qpv": "multiselect",
           "p-themes": "multiselect", "p-debut": "date_input", "p-fin": "date_input", "p-description": "text_area"}


def _new_partnership(at: AppTest, scenario: store_flow.Scenario, **override) -> AppTest:
    """Fill the partnership form as the scenario's first new row, with `override` (widget key -> value)."""
    row = scenario.rows.set_index("id_partenariat").loc[scenario.added[0]]
    values = {"p-regie": row["id_regie"], "p-organisme": row["siren_organisme"], "p-qpv": [row["qpv"]],
              "p-themes": ["cohesion-sociale"], "p-statut": "en cours", "p-debut": date(2026, 3, 1),
              "p-description": "Ateliers en pied d'immeuble", **override}
    for key, value in values.items():
        getattr(at, WIDGETS.get(key, "text_input"))(key=key).set_value(value)
    at.button(key="p-enregistrer").click()
    return at.run(timeout=TIMEOUT)


def test_contributor_adds_a_partnership_and_the_pages_show_it(store, tmp_path):
    scenario = store_flow.build(tmp_path)
    at = login(run_page("saisie"), "hdf", PASSWORD)
    new_id = at.text_input(key="p-id").value
    year = date.today().year
    used = [int(i.rsplit("-", 1)[1]) for i in ref.read_csv(ref.DEMO / "partenariats.csv")["id_partenariat"]
            if i.startswith(f"P-{year}-")]
    assert new_id == f"P-{year}-{max(used, default=0) + 1:04d}"
    at = _new_partnership(at, scenario)
    assert not at.exception, [e.value for e in at.exception]
    assert any(new_id.replace("-", "\\-") in s for s in texts(at, "success")), texts(at, "error")  # escaped
    stored = store.read_records("partenariats")[new_id][0]
    assert (stored["statut"], stored["date_debut"], stored["themes"]) == ("en cours", "01/03/2026",
                                                                          "cohésion sociale")
    go(at, "partenariats", {"region": HDF})
    assert new_id in set(at.dataframe[0].value["Identifiant"])
    assert store.change_sets(limit=1)[0].user == "hdf"


BAD_INPUTS = {
    "dates-inversees": ({"p-fin": date(2026, 1, 1)}, "date_fin", "la date de fin précède la date de début"),
    "description-de-10000-caracteres": ({"p-description": "x" * 10_000}, "description", "texte trop long"),
    "qpv-vide": ({"p-qpv": []}, "qpv", "valeur manquante (champ obligatoire)"),  # issue 18: a form has fields
    "html-dans-la-description": ({"p-description": "<img src=x onerror=alert(1)>"}, "description",
                                 "balises HTML refusées"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_gets_a_french_message_and_nothing_is_written(case, store, tmp_path):
    override, _, message = BAD_INPUTS[case]
    scenario = store_flow.build(tmp_path)
    at = login(run_page("saisie"), "hdf", PASSWORD)
    version = store.data_version()
    assert_refused(_new_partnership(at, scenario, **override), message, store, version)


def test_an_id_of_another_region_and_the_partnerships_left_out_are_explained(store, tmp_path):
    """Issue 18 « Forms »: the list says how many partnerships of other régions it leaves out, and a new
    partnership reusing an Île-de-France id says that id lies outside the account's scope (fails on the old
    code: « modifié entre-temps par système (lot n° 1) », and no line)."""
    scenario = store_flow.build(tmp_path)
    at = login(run_page("saisie"), "hdf", PASSWORD)
    regions_of = store.geography.record_regions
    records = store.read_records("partenariats")
    hidden = sum(HDF not in regions_of("partenariats", data) for data, _ in records.values())
    assert hidden == len(records) - (len(at.selectbox(key="p-choix").options) - 1) > 0
    assert escape_markdown(f"{hidden} partenariats d'autres régions ne figurent pas dans cette liste : votre compte "
                           "modifie les partenariats dont un QPV est en Hauts-de-France.") in texts(at, "caption")
    other = next(rid for rid, (data, _) in records.items() if regions_of("partenariats", data) == {"11"})
    version = store.data_version()
    at = _new_partnership(at, scenario, **{"p-id": other.lower()})
    assert_refused(at, "existe déjà dans une région hors de votre périmètre (Île-de-France)", store, version)


def test_html_in_a_regie_name_is_refused(store):
    at = login(run_page("saisie"), "admin", ADMIN_PASSWORD)
    rid = next(iter(store.read_records("regies")))
    at.selectbox(key="regies-choix").set_value(rid)
    at.run(timeout=TIMEOUT)
    version = store.data_version()
    at.text_input(key="regies-nom").input("<script>alert(1)</script>")
    at.button(key="regies-enregistrer").click()
    at.run(timeout=TIMEOUT)
    assert [e for e in texts(at, "error") if "balises HTML refusées" in e], texts(at, "error")
    assert store.data_version() == version


def test_a_regie_moved_by_hand_is_stored_with_the_precision_saisie(store):
    """Issue 17: moving a régie in /saisie records « saisie » as its precision (fails on the old code: the
    geocoder's precision stayed)."""
    at = login(run_page("saisie"), "admin", ADMIN_PASSWORD)
    rid, (before, _) = next(iter(store.read_records("regies").items()))
    at.selectbox(key="regies-choix").set_value(rid)
    at.run(timeout=TIMEOUT)
    version = store.data_version()
    def number(text: str) -> float:  # the store keeps a file's French text: « 46,20752 »
        return float(text.replace(",", "."))

    latitude = f"{number(before['latitude']) + 0.01:.5f}".replace(".", ",")
    at.text_input(key="regies-latitude").input(latitude)
    at.button(key="regies-enregistrer").click()
    at.run(timeout=TIMEOUT)
    assert not texts(at, "error"), texts(at, "error")
    after = store.read_records("regies")[rid][0]
    assert (number(after["latitude"]), after["precision"]) == (number(latitude), "saisie")
    assert before.get("precision") != "saisie" and store.data_version() != version


def test_contributor_of_another_region_cannot_touch_hauts_de_france(store):
    at = login(run_page("saisie"), "idf", OTHER_PASSWORD)
    hdf_qpv = set(ref.load(ref.DEMO).qpv.query("insee_reg == @HDF")["code_qp"])
    assert not hdf_qpv & set(at.multiselect(key="p-qpv").options)
    regions_of = store.geography.record_regions
    hdf_records = {rid for rid, (data, _) in store.read_records("partenariats").items()
                   if regions_of("partenariats", data) == {HDF}}
    assert not hdf_records & set(at.selectbox(key="p-choix").options)
    rid = sorted(hdf_records)[0]
    data, version = store.read_records("partenariats")[rid]
    with pytest.raises(ScopeError):
        store.write("idf", "essai", [Edit("partenariats", rid, {**data, "statut": "terminé"}, version)])


def test_a_record_changed_meanwhile_is_a_conflict(store):
    at = login(run_page("saisie"), "hdf", PASSWORD)
    regions_of = store.geography.record_regions
    rid, (data, version) = next((rid, v) for rid, v in store.read_records("partenariats").items()
                                if regions_of("partenariats", v[0]) == {HDF})
    at.selectbox(key="p-choix").set_value(rid)
    at.run(timeout=TIMEOUT)
    store.write("admin", "autre", [Edit("partenariats", rid, {**data, "description": "changé par admin"}, version)])
    at.text_area(key="p-description").input("changé par hdf")
    next(b for b in at.button if b.label == "Enregistrer").click()
    at.run(timeout=TIMEOUT)
    assert [e for e in texts(at, "error") if e.startswith("Conflit") and "admin" in e], texts(at, "error")
    assert store.read_records("partenariats")[rid][0]["description"] == "changé par admin"


FEDERATION_LIST = """Nom de la régie;Adresse;CP;Ville;Quartiers d'intervention;Nb salariés;Nb bénévoles
Régie de quartier Riquet;;75019;Paris;Stalingrad - Riquet;85;
Régie de quartier des Francs;;;Saint-Denis;Franc Moisin - Cosmonautes - Cristino Garcia - Landy;30;2
"""


def test_a_federation_list_under_any_name_with_its_question_answered_in_the_preview(store, monkeypatch):
    monkeypatch.setenv("CARTE_GEOCODER_URL", "non")
    at = login(run_page("import"), "admin", ADMIN_PASSWORD)
    at.file_uploader[0].upload("liste_fédération.csv", FEDERATION_LIST.encode("utf-8"), "text/csv")
    at.run(timeout=TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    (mapping,) = frame_with(at, "Colonne du fichier", "Lue comme")
    assert dict(zip(mapping["Colonne du fichier"], mapping["Lue comme"], strict=True))["CP"] == "Code postal"
    (read,) = frame_with(at, "Ligne", "Colonne", "Lu")
    assert "« Paris (75019) » → Paris (75056, arrondissement 75119)" in " ".join(read["Lu"])
    (question,) = [s for s in at.selectbox if s.key == "import-q-0"]
    assert question.label.replace("\xa0", " ") == "Ligne 3, « Ville » : Saint-Denis"
    assert "Saint-Denis (93066, 93200, 93210, 93380, dép. 93)" in question.options
    assert at.table[0].value.loc["Ajoutés", "Nombre"] == "1"

    question.select("93066")
    at.run(timeout=TIMEOUT)
    at.button(key="import-repondre").click()
    at.run(timeout=TIMEOUT)
    assert not [s for s in at.selectbox if s.key == "import-q-0"]
    assert at.table[0].value.loc["Ajoutés", "Nombre"] == "2"
    at.button(key="publier").click()
    at.run(timeout=TIMEOUT)
    assert any(s.startswith("Publié : lot n°") for s in texts(at, "success"))
    stored = {r["nom"]: r for r, _ in store.read_records("regies").values()}
    assert stored["Régie de quartier des Francs"]["insee_com"] == "93066"
    assert stored["Régie de quartier Riquet"]["precision"] == "commune"


OWN_HEADERS = FEDERATION_LIST.replace("Nb salariés", "Équipe")  # a header the proposal does not know


def _federation_upload(at: AppTest) -> AppTest:
    at.file_uploader[0].upload("regies_reseau.csv", OWN_HEADERS.encode("utf-8"), "text/csv")
    return at.run(timeout=TIMEOUT)


def _read_as(at: AppTest) -> dict[str, str]:
    (mapping,) = frame_with(at, "Colonne du fichier", "Lue comme")
    return dict(zip(mapping["Colonne du fichier"], mapping["Lue comme"], strict=True))


def test_the_mapping_step_is_edited_previewed_and_remembered_for_the_same_headers(store, monkeypatch):
    monkeypatch.setenv("CARTE_GEOCODER_URL", "non")
    at = _federation_upload(login(run_page("import"), "admin", ADMIN_PASSWORD))
    assert not at.exception, [e.value for e in at.exception]
    assert _read_as(at)["Équipe"] == "ignorée" and _read_as(at)["CP"] == "Code postal"
    (column,) = [s for s in at.selectbox if s.label == "« Équipe »"]
    column.select("salaries")
    at.run(timeout=TIMEOUT)
    (preview,) = [f for f in frame_with(at) if "Équipe → Salariés" in f.columns]
    assert preview["Équipe → Salariés"].tolist() == ["85", "30"]  # the file's first rows, read with the choice
    assert _read_as(at)["Équipe"] == "ignorée"  # not applied until asked
    at.button(key="import-colonnes").click()
    at.run(timeout=TIMEOUT)
    assert _read_as(at)["Équipe"] == "Salariés"
    at.button(key="publier").click()
    at.run(timeout=TIMEOUT)
    assert any(s.startswith("Publié : lot n°") for s in texts(at, "success"))
    stored = {r["nom"]: r for r, _ in store.read_records("regies").values()}
    assert stored["Régie de quartier Riquet"]["salaries"] == "85"

    # a new session (as after a restart): the same headers are read as published, from the store
    again = _federation_upload(login(run_page("import"), "admin", ADMIN_PASSWORD))
    assert _read_as(again)["Équipe"] == "Salariés"
    assert _read_as(again)["Nb bénévoles"] == "Bénévoles"
