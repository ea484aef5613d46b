"""`tools.system_deps`: a missing package is installed when apt-get may run, else one French sentence, nothing run."""

from __future__ import annotations

import subprocess

import pytest

from tools import system_deps

SENTENCE = ("Chromium est nécessaire aux tests navigateur : installez-le avec « sudo apt-get install chromium », "
            "puis relancez make test.\n")


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """A machine without Chromium whose commands are recorded; `sudo -n true` fails unless `sudo_ok` is set."""
    state = {"calls": [], "euid": 1000, "sudo_ok": False, "apt_ok": True}
    chromium = tmp_path / "chromium"
    monkeypatch.setattr(system_deps, "CHROMIUM", chromium)
    monkeypatch.setattr(system_deps.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(system_deps.os, "geteuid", lambda: state["euid"])

    def run(args, **kwargs):
        state["calls"].append(args)
        ok = state["sudo_ok"] if args == ["sudo", "-n", "true"] else state["apt_ok"]
        if ok and args[-1] == "chromium":
            chromium.touch()
        return subprocess.CompletedProcess(args, 0 if ok else 100)

    monkeypatch.setattr(system_deps.subprocess, "run", run)
    return state


def test_present_package_runs_nothing(machine, capsys):
    system_deps.CHROMIUM.touch()
    assert system_deps.main(["chromium", "make test"]) == 0
    assert machine["calls"] == [] and capsys.readouterr().err == ""


def test_without_root_or_sudo_one_french_sentence_and_no_install(machine, capsys):
    assert system_deps.main(["chromium", "make test"]) == 1
    assert machine["calls"] == [["sudo", "-n", "true"]]
    assert capsys.readouterr().err == SENTENCE


def test_root_installs_with_apt_get(machine, capsys):
    machine["euid"] = 0
    assert system_deps.main(["chromium", "make test"]) == 0
    apt = ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]
    assert machine["calls"] == [[*apt, "update", "-qq"], [*apt, "install", "-y", "-qq", "chromium"]]
    assert capsys.readouterr().err == ""


def test_passwordless_sudo_installs_through_sudo(machine):
    machine["sudo_ok"] = True
    assert system_deps.main(["chromium", "make test"]) == 0
    assert machine["calls"][-1] == ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install",
                                    "-y", "-qq", "chromium"]


def test_failed_install_ends_with_the_same_sentence(machine, capsys):
    machine["euid"], machine["apt_ok"] = 0, False
    assert system_deps.main(["chromium", "make test"]) == 1
    assert len(machine["calls"]) == 1  # apt-get update failed: no install attempted
    assert capsys.readouterr().err == SENTENCE


def test_npm_sentence_names_the_command_to_rerun():
    assert system_deps.missing_message("npm", "make run") == (
        "npm est nécessaire pour installer Leaflet (static/package.json) : installez-le avec "
        "« sudo apt-get install npm », puis relancez make run.")


def test_bad_arguments_give_usage_and_exit_2(capsys):
    assert system_deps.main(["firefox", "make test"]) == 2
    assert "usage" in capsys.readouterr().err
