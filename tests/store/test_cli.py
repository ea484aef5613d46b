"""`python -m geo db|users|import|export`, run as an administrator would (subprocesses, SQLite)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from store import engine as engines
from tests.paths import REPO
from tests.store.test_import import HDF_FILE


def run(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=REPO, capture_output=True, text=True,
                          input=stdin, env={**os.environ, **env}, timeout=300)


def test_accounts_import_and_export_from_the_command_line(tmp_path, data_folder):
    env = {"CARTE_DATABASE_URL": f"sqlite:///{tmp_path / 'carte.sqlite3'}", "CARTE_DATA_DIR": str(data_folder)}
    assert f"schéma créé (révision {engines.head_revision()})" in run(env, "db", "upgrade").stdout
    secret = "mot-de-passe-de-la-ligne-de-commande"
    added = run(env, "users", "add", "hdf", "--role", "contributeur", "--region", "32", "--password-stdin",
                stdin=secret + "\n")
    assert added.returncode == 0 and "Compte créé : hdf — contributeur régional (Hauts-de-France)." in added.stdout
    assert secret not in added.stdout + added.stderr
    run(env, "users", "add", "adm", "--role", "admin", "--password-stdin", stdin=secret + "\n")
    refused = run(env, "users", "add", "x", "--role", "contributeur", "--password-stdin", stdin=secret + "\n")
    assert refused.returncode == 2 and "au moins une région" in refused.stderr and "Traceback" not in refused.stderr
    assert run(env, "users", "list").stdout.splitlines() == [
        "adm — administrateur national", "hdf — contributeur régional (Hauts-de-France)", "2 comptes"]

    seeded = run(env, "import", str(data_folder), "--as", "adm", "--comment", "chargement")
    # lots 1 and 2: the two accounts created above (account changes are journalled)
    assert seeded.returncode == 0 and "Publié : lot de modifications n° 3." in seeded.stdout
    (tmp_path / "partenariats.csv").write_text(HDF_FILE, encoding="utf-8")
    dry = run(env, "import", str(tmp_path / "partenariats.csv"), "--as", "hdf", "--dry-run")
    assert dry.returncode == 1  # a row in error and a row out of scope
    assert "modifié P-1 : statut « en projet » → « en cours »" in dry.stdout
    assert "hors de votre périmètre (refusé) P-4 : régions 11" in dry.stdout
    assert "Aperçu : 2 ajouts, 3 modifications, 0 inchangé(s), 1 hors périmètre, 0 absent(s) du fichier, 1 ligne " \
           "en erreur." in dry.stdout
    assert "rien n'a été publié" in dry.stdout
    published = run(env, "import", str(tmp_path / "partenariats.csv"), "--as", "hdf")
    assert "Publié : lot de modifications n° 4." in published.stdout

    exported = run(env, "export", "--out", str(tmp_path / "sauvegarde"))
    assert exported.returncode == 0
    lines = (tmp_path / "sauvegarde" / "partenariats.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + 6 and lines[1].startswith("P-1;RQ-059-01;123456782;QN05972M;cohésion sociale;en cours;")
    assert (tmp_path / "sauvegarde" / "manifest.json").exists()

    disabled = run(env, "users", "disable", "hdf")
    assert disabled.stdout.strip() == "Compte désactivé : hdf."
    again = run(env, "import", str(tmp_path / "partenariats.csv"), "--as", "hdf")
    assert again.returncode == 2 and "désactivé" in again.stderr


def test_a_removal_from_the_command_line_needs_its_count(store, store_url, tmp_path, monkeypatch, capsys):
    """`--remove-missing` alone publishes nothing and says how many records of which kind it would delete;
    `--confirm-removal N` with that number deletes them (fails on the old code: deleted at once). In process,
    on each engine: `main` is the command line's entry point."""
    from geo.__main__ import main
    from store.cli import EXIT_OK, EXIT_REFUSED

    monkeypatch.setenv("CARTE_DATABASE_URL", store_url)
    monkeypatch.setenv("CARTE_DATA_DIR", str(store.reference_folder))
    (tmp_path / "partenariats.csv").write_text("\n".join(HDF_FILE.splitlines()[:2]) + "\n", encoding="utf-8")
    command = ["import", str(tmp_path / "partenariats.csv"), "--as", "hdf", "--remove-missing"]
    assert main(command) == EXIT_REFUSED
    out, err = capsys.readouterr()
    assert "Suppression demandée : 2 enregistrements (partenariats : 2) ; confirmez-la par --confirm-removal 2." in out
    assert "Suppression non confirmée" in err and set(store.read_records("partenariats")) == {"P-1", "P-2", "P-3",
                                                                                              "P-4"}
    assert main([*command, "--confirm-removal", "2"]) == EXIT_OK
    # the lot after the seed and the accounts' own lots (account changes are journalled)
    assert re.search(r"^Publié : lot de modifications n° \d+\.$", capsys.readouterr().out, re.M)
    assert set(store.read_records("partenariats")) == {"P-1", "P-4"}
