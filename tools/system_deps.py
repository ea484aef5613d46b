"""The Debian packages that `make test` and `make run` need besides Python: installed when we can (root or
passwordless sudo), otherwise one French sentence saying what to install, never a wall of errors.

    python3 -m tools.system_deps chromium "make test"   # the browser tests drive Debian's Chromium
    python3 -m tools.system_deps npm "make run"         # Leaflet is installed from npm
    python3 -m tools.system_deps postgresql-15 "make test"  # the store's tests also run on PostgreSQL
    python3 -m tools.system_deps redis-server "make test"   # the local geocoder (addok) keeps its index in Redis

Standard library only: it runs before the virtual environment exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")  # Debian's build; the tests never download a browser
INITDB = Path("/usr/lib/postgresql/15/bin/initdb")  # tools/test-postgres.sh starts a throw-away cluster with it
REDIS = Path("/usr/bin/redis-server")  # tools/test-addok.sh starts a throw-away Redis for the local geocoder

# package -> (is it there?, what it is needed for)
NEEDS = {
    "chromium": (lambda: CHROMIUM.exists(), "Chromium est nécessaire aux tests navigateur"),
    "npm": (lambda: shutil.which("npm") is not None, "npm est nécessaire pour installer Leaflet (static/package.json)"),
    "postgresql-15": (lambda: INITDB.exists(), "PostgreSQL 15 est nécessaire aux tests du stockage"),
    "redis-server": (lambda: REDIS.exists(), "redis-server est nécessaire aux tests du géocodeur (addok)"),
}


def missing_message(package: str, command: str = "make test") -> str:
    return (f"{NEEDS[package][1]} : installez-le avec « sudo apt-get install {package} », "
            f"puis relancez {command}.")


def _privilege() -> list[str] | None:
    """The prefix that lets us run apt-get ([] as root, sudo without password), or None when we cannot."""
    if shutil.which("apt-get") is None:
        return None
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    return None


def ensure(package: str, command: str) -> int:
    present, _ = NEEDS[package]
    if present():
        return 0
    prefix = _privilege()
    if prefix is not None:
        print(f"{package} est absent : installation avec apt-get…", flush=True)
        apt = [*prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]
        for step in (["update", "-qq"], ["install", "-y", "-qq", package]):
            if subprocess.run([*apt, *step], capture_output=True).returncode != 0:
                break
        if present():
            return 0
    print(missing_message(package, command), file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in NEEDS:
        print(f"usage : python3 -m tools.system_deps {{{'|'.join(NEEDS)}}} <commande à relancer>", file=sys.stderr)
        return 2
    return ensure(*argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
