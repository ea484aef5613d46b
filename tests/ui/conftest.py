"""Fixtures of the builder tests: the demo atlas (loaded once), and a guard that fails any connection leaving the
machine, for the builders that must work offline (images, slide deck)."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

from geo.joins import build_atlas
from geo.load import load_folder

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def _refuse_remote(connect):
    def guarded(sock, address, *args):
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise AssertionError(f"connexion sortante interdite : {address}")
        return connect(sock, address, *args)
    return guarded


@pytest.fixture
def no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _refuse_remote(socket.socket.connect))
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse_remote(socket.socket.connect_ex))


@pytest.fixture(scope="session")
def demo_atlas():
    return build_atlas(load_folder(DEMO))
