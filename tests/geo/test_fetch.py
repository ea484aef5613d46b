"""`geo.fetch` against a local HTTP server: no test reaches the internet.

The server serves small GeoJSON files built here with geopandas (2 QPV with the official fields, 2 régions,
2 départements) and misbehaves on purpose on some paths (HTTP 500, truncated body, HTML, slow answer). A second
one speaks https with a certificate of a test authority (tests/fixtures/tls), which the tests trust or not.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import socket
import ssl
import threading
import zipfile
from dataclasses import dataclass, replace
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo import fetch, fr
from geo.fetch import OfficialSource, fetch_official, read_pinned_manifest

QPV_FILE = "QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson"
TLS = Path(__file__).resolve().parents[1] / "fixtures" / "tls"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """urllib honours *_proxy variables: requests to 127.0.0.1 must not go through one."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


# --- Fixture files -----------------------------------------------------------------------------------------


def _geojson(frame: gpd.GeoDataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_file(buffer, driver="GeoJSON")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def payloads() -> dict[str, bytes]:
    qpv = gpd.GeoDataFrame(
        {
            "fid": [1, 2],
            "code_qp": ["QN07519M", "QN06901M"],
            "lib_qp": ["Stalingrad - Riquet", "Mermoz"],
            "insee_reg": ["11", "84"],
            "lib_reg": ["Île-de-France", "Auvergne-Rhône-Alpes"],
            "insee_dep": ["75", "69"],
            "lib_dep": ["Paris", "Rhône"],
            "insee_com": ["75056", "69123"],
            "lib_com": ["Paris", "Lyon"],
            "siren_epci": ["200054781", "200046977"],
        },
        geometry=[box(2.36, 48.88, 2.38, 48.89), box(4.87, 45.73, 4.89, 45.74)],
        crs="EPSG:4326",
    )
    regions = gpd.GeoDataFrame({"code": ["11", "84"], "nom": ["Île-de-France", "Auvergne-Rhône-Alpes"]},
                               geometry=[box(1.4, 48.1, 3.6, 49.2), box(2.0, 44.1, 7.2, 46.8)],
                               crs="EPSG:4326")
    departements = gpd.GeoDataFrame({"code": ["75", "69"], "nom": ["Paris", "Rhône"], "region": ["11", "84"]},
                                    geometry=[box(2.2, 48.8, 2.5, 48.9), box(4.2, 45.4, 5.2, 46.3)],
                                    crs="EPSG:4326")
    return {"qpv": _geojson(qpv), "regions": _geojson(regions), "departements": _geojson(departements)}


FILENAMES = {"qpv": QPV_FILE, "regions": "regions-100m.geojson", "departements": "departements-100m.geojson"}
FIELDS = {"qpv": fetch.QPV_FIELDS, "regions": ("code", "nom"), "departements": ("code", "nom")}


def _source(name: str, url: str, **changes) -> OfficialSource:
    src = OfficialSource(name=name, filename=FILENAMES[name], url=url, licence=fetch.LICENCE_OUVERTE,
                         source=f"Source de test {name}", min_bytes=10, max_bytes=1_000_000,
                         required_fields=FIELDS[name])
    return replace(src, **changes)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


# --- Local server ------------------------------------------------------------------------------------------


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    declared_length: int | None = None  # Content-Length sent; None: len(body); -1: no header at all
    wait: threading.Event | None = None  # answer only once set (or after 2 s): simulates a stalled server
    location: str | None = None  # a redirect (302) to this address


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        if route.wait is not None:
            route.wait.wait(2)
        if route.location is not None:
            self.send_response(302)
            self.send_header("Location", route.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if route.status != 200:
            self.send_error(route.status)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/geo+json")
        length = len(route.body) if route.declared_length is None else route.declared_length
        if length >= 0:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(route.body)
        self.close_connection = True  # HTTP/1.0: closing ends a body sent without (or with a wrong) length

    def log_message(self, *args):
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that gave up (timeout, size limit) breaks the pipe: expected here, not worth a stack."""


class LocalServer:
    def __init__(self, tls: bool = False) -> None:
        self.httpd = _QuietServer(("127.0.0.1", 0), _Handler)
        self.scheme = "https" if tls else "http"
        if tls:  # a client that refuses the certificate ends the handshake: the server just drops that connection
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(TLS / "localhost.pem")
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.routes = {}
        self.httpd.requests = []
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def routes(self) -> dict[str, Route]:
        return self.httpd.routes

    @property
    def requests(self) -> list[str]:
        return self.httpd.requests

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server():
    local = LocalServer()
    yield local
    local.close()


@pytest.fixture
def served(server, payloads):
    """The three fixture files served under /ok/, and the sources that point at them."""
    server.routes.clear()
    server.requests.clear()
    for name, body in payloads.items():
        server.routes[f"/ok/{FILENAMES[name]}"] = Route(body)
    return tuple(_source(name, server.url(f"/ok/{FILENAMES[name]}")) for name in FILENAMES)


@pytest.fixture
def closed_port_url() -> str:
    """A local URL nobody listens on: connection refused at once, like an unreachable server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/officiel/data.geojson"


# --- Success -----------------------------------------------------------------------------------------------


def test_fetch_writes_files_and_manifest_with_sha256_and_rows(tmp_path, served, payloads):
    calls = []
    out = tmp_path / "officiel"
    result = fetch_official(out, sources=served, progress=lambda *call: calls.append(call))

    assert result.errors == {}
    assert result.ok
    assert result.fetched == ["qpv", "regions", "departements"]
    raw = _manifest(out)
    assert raw["demo"] is False
    for src in served:
        assert (out / src.filename).read_bytes() == payloads[src.name]
        record = raw["datasets"][src.name]
        assert record["sha256"] == _sha(payloads[src.name])
        assert record["rows"] == 2
        assert record["file"] == src.filename
        assert record["url"] == src.url
        assert record["licence"] == "Licence Ouverte / Open Licence 2.0"
        assert record["demo"] is False
        assert record["date"] == date.today().isoformat()
    assert _parts(out) == []
    qpv_size = len(payloads["qpv"])
    assert ("qpv", qpv_size, qpv_size) in calls
    assert all(total in (None, len(payloads[name])) for name, _, total in calls)


def test_refetching_identical_content_keeps_the_manifest_record(tmp_path, served, payloads):
    out = tmp_path / "officiel"
    fetch_official(out, sources=served)
    raw = _manifest(out)
    raw["datasets"]["qpv"]["date"] = "2024-07-01"
    (out / "manifest.json").write_text(json.dumps(raw), encoding="utf-8")
    written_at = (out / QPV_FILE).stat().st_mtime_ns

    result = fetch_official(out, sources=served)

    assert result.fetched == []
    assert result.unchanged == ["qpv", "regions", "departements"]
    record = _manifest(out)["datasets"]["qpv"]
    assert record["date"] == "2024-07-01"
    assert record["sha256"] == _sha(payloads["qpv"]) == fetch.sha256_file(out / QPV_FILE)
    assert (out / QPV_FILE).stat().st_mtime_ns == written_at  # not rewritten


def test_zip_archive_is_unpacked_to_the_named_geojson(tmp_path, server, served, payloads):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("GEOJSON/QP2024_France_hexagonale_LB93.geojson", b"{}")
        bundle.writestr(f"GEOJSON/{QPV_FILE}", payloads["qpv"])
    server.routes["/qpv.zip"] = Route(buffer.getvalue())
    src = replace(served[0], url=server.url("/qpv.zip"))

    result = fetch_official(tmp_path, sources=(src,))

    assert result.errors == {}
    assert (tmp_path / QPV_FILE).read_bytes() == payloads["qpv"]
    record = _manifest(tmp_path)["datasets"]["qpv"]
    assert record["sha256"] == _sha(payloads["qpv"])
    assert "archive ZIP" in record["note"]
    assert _parts(tmp_path) == []


# --- Failures ----------------------------------------------------------------------------------------------


def test_truncated_download_leaves_nothing_and_keeps_the_previous_file(tmp_path, server, served, payloads):
    body = payloads["regions"]
    server.routes["/cut.geojson"] = Route(body[: len(body) // 2], declared_length=len(body))
    out = tmp_path / "officiel"
    fresh = fetch_official(out, sources=(_source("regions", server.url("/cut.geojson")),))
    assert "incomplet" in fresh.errors["regions"]
    assert server.url("/cut.geojson") in fresh.errors["regions"]
    assert sorted(p.name for p in out.iterdir()) == []

    fetch_official(out, sources=served)  # a good copy, then a failed refresh
    before_manifest = (out / "manifest.json").read_bytes()
    result = fetch_official(out, sources=(_source("regions", server.url("/cut.geojson")),))

    assert "Téléchargement incomplet pour « regions »" in result.errors["regions"]
    assert (out / "regions-100m.geojson").read_bytes() == body
    assert (out / "manifest.json").read_bytes() == before_manifest
    assert _parts(out) == []


def test_http_500_is_reported_in_french_and_others_continue(tmp_path, server, served, payloads):
    server.routes["/boom.geojson"] = Route(status=500)
    broken = replace(served[0], url=server.url("/boom.geojson"))

    result = fetch_official(tmp_path, sources=(broken, served[1]))

    assert list(result.errors) == ["qpv"]
    assert "HTTP 500" in result.errors["qpv"]
    assert "« qpv »" in result.errors["qpv"]
    assert server.url("/boom.geojson") in result.errors["qpv"]
    assert (tmp_path / "regions-100m.geojson").read_bytes() == payloads["regions"]
    assert not (tmp_path / QPV_FILE).exists()
    assert set(_manifest(tmp_path)["datasets"]) == {"regions"}


def test_run_exits_1_on_http_500(tmp_path, server, capsys):
    server.routes[f"/panne/{QPV_FILE}"] = Route(status=500)
    args = argparse.Namespace(out=tmp_path, mirror=server.url("/panne/"), timeout=5.0, only=["qpv"], allow_http=True)

    assert fetch.run(args) == 1
    err = capsys.readouterr().err
    assert "HTTP 500" in err
    assert "ÉCHEC" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<!DOCTYPE html><html><body>Maintenance</body></html>", "page HTML"),
        (b"col_a,col_b\n1,2\n3,4\n", "pas du GeoJSON"),
        (b'{"type": "FeatureCollection", "features": []}', "aucune entité"),
        (None, "champs manquants : lib_qp"),
    ],
)
def test_content_that_is_not_the_expected_geojson_is_rejected(tmp_path, server, served, payloads, body,
                                                               expected):
    if body is None:  # valid GeoJSON, but not the QPV one
        body = payloads["qpv"].replace(b'"lib_qp"', b'"nom_qp"')
    server.routes["/bad.geojson"] = Route(body)
    src = replace(served[0], url=server.url("/bad.geojson"))

    result = fetch_official(tmp_path, sources=(src,))

    assert expected in result.errors["qpv"]
    assert result.errors["qpv"].startswith("Format invalide pour « qpv »")
    assert not (tmp_path / QPV_FILE).exists()
    assert not (tmp_path / "manifest.json").exists()
    assert _parts(tmp_path) == []


def test_unreachable_server_says_no_connection_and_suggests_mirror(tmp_path, closed_port_url):
    src = _source("qpv", closed_port_url)

    result = fetch_official(tmp_path, sources=(src,), timeout=2)

    message = result.errors["qpv"]
    assert message.startswith("Pas de connexion réseau : impossible de joindre 127.0.0.1")
    assert closed_port_url in message
    assert "connexion refusée" in message
    assert "Utilisez --mirror" in message
    assert _parts(tmp_path) == []


def test_stalled_server_gives_a_timeout_message(tmp_path, server, served):
    release = threading.Event()
    server.routes["/slow.geojson"] = Route(b"{}", wait=release)
    try:
        result = fetch_official(tmp_path, sources=(replace(served[0], url=server.url("/slow.geojson")),),
                                timeout=0.3)
    finally:
        release.set()
    assert result.errors["qpv"].startswith("Délai dépassé (0.3 s sans réponse) pour « qpv »")
    assert _parts(tmp_path) == []


@pytest.mark.parametrize("declared", [None, -1], ids=["content-length", "no-content-length"])
def test_max_bytes_is_enforced(tmp_path, server, served, payloads, declared):
    body = payloads["qpv"] + b" " * (3 * fetch.CHUNK_SIZE)  # still valid GeoJSON, several chunks long
    server.routes["/big.geojson"] = Route(body, declared_length=declared)
    src = replace(served[0], url=server.url("/big.geojson"), max_bytes=2 * fetch.CHUNK_SIZE + 100)
    calls = []

    result = fetch_official(tmp_path, sources=(src,), progress=lambda *call: calls.append(call))

    assert result.errors["qpv"].startswith("Fichier trop volumineux pour « qpv »")
    received = [count for _, count, _ in calls]
    if declared is None:  # the announced size is refused before reading the body
        assert received == []
    else:  # no size announced: reading stops at the limit
        assert received == [fetch.CHUNK_SIZE, 2 * fetch.CHUNK_SIZE]
    assert not (tmp_path / QPV_FILE).exists()
    assert _parts(tmp_path) == []


def test_min_bytes_rejects_a_suspiciously_small_file(tmp_path, served, payloads):
    src = replace(served[1], min_bytes=len(payloads["regions"]) + 1)

    result = fetch_official(tmp_path, sources=(src,))

    assert result.errors["regions"].startswith("Fichier trop petit pour « regions »")
    assert not (tmp_path / "regions-100m.geojson").exists()


# --- Mirrors -----------------------------------------------------------------------------------------------


@pytest.fixture
def mirror_folder(tmp_path, payloads) -> Path:
    folder = tmp_path / "miroir"
    folder.mkdir()
    for name, body in payloads.items():
        (folder / FILENAMES[name]).write_bytes(body)
    return folder


def test_mirror_from_a_local_folder(tmp_path, mirror_folder, payloads, closed_port_url):
    sources = tuple(_source(name, closed_port_url) for name in FILENAMES)
    out = tmp_path / "officiel"

    result = fetch_official(out, mirror=str(mirror_folder), sources=sources)

    assert result.errors == {}
    raw = _manifest(out)
    for name, body in payloads.items():
        assert (out / FILENAMES[name]).read_bytes() == body
        record = raw["datasets"][name]
        assert record["sha256"] == _sha(body)
        assert record["url"] == (mirror_folder / FILENAMES[name]).resolve().as_uri()
        assert closed_port_url in record["note"]


def test_mirror_folder_missing_a_file_is_reported(tmp_path, mirror_folder, closed_port_url):
    (mirror_folder / "regions-100m.geojson").unlink()
    sources = (_source("regions", closed_port_url), _source("departements", closed_port_url))

    result = fetch_official(tmp_path / "out", mirror=str(mirror_folder), sources=sources)

    assert list(result.errors) == ["regions"]
    assert result.errors["regions"].startswith("Fichier absent du miroir pour « regions »")
    assert result.fetched == ["departements"]


@pytest.mark.parametrize("suffix", ["/interne/", "/interne"])
def test_mirror_from_a_base_url(tmp_path, server, payloads, closed_port_url, suffix):
    server.routes.clear()
    server.requests.clear()
    for name, body in payloads.items():
        server.routes[f"/interne/{FILENAMES[name]}"] = Route(body)
    sources = tuple(_source(name, closed_port_url) for name in FILENAMES)

    result = fetch_official(tmp_path, mirror=server.url(suffix), sources=sources, allow_http=True)

    assert result.errors == {}
    assert sorted(server.requests) == sorted(f"/interne/{f}" for f in FILENAMES.values())
    raw = _manifest(tmp_path)
    assert raw["datasets"]["qpv"]["url"] == server.url(f"/interne/{QPV_FILE}")
    assert raw["datasets"]["departements"]["sha256"] == _sha(payloads["departements"])


def test_plain_http_mirror_is_refused_unless_allowed(tmp_path, server, payloads, closed_port_url):
    server.routes.clear()
    server.requests.clear()
    for name, body in payloads.items():
        server.routes[f"/interne/{FILENAMES[name]}"] = Route(body)
    sources = tuple(_source(name, closed_port_url) for name in FILENAMES)

    with pytest.raises(ValueError, match=r"est en http:// .* ajoutez --allow-http si ce réseau est sûr"):
        fetch_official(tmp_path / "out", mirror=server.url("/interne/"), sources=sources)
    assert server.requests == [] and not (tmp_path / "out").exists()

    allowed = fetch_official(tmp_path / "out", mirror=server.url("/interne/"), sources=sources, allow_http=True)
    assert allowed.errors == {} and len(server.requests) == 3


# --- https -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_server():
    local = LocalServer(tls=True)
    yield local
    local.close()


@pytest.fixture
def trust_test_authority(monkeypatch):
    """The test authority trusted, as a company's own authority installed on the machine would be."""
    default_context = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda: default_context(cafile=str(TLS / "ca.pem")))


def test_https_download_with_a_certificate_the_machine_trusts(tmp_path, tls_server, payloads, trust_test_authority):
    tls_server.routes["/ok/regions-100m.geojson"] = Route(payloads["regions"])

    result = fetch_official(tmp_path, sources=(_source("regions", tls_server.url("/ok/regions-100m.geojson")),))

    assert result.errors == {}
    assert (tmp_path / "regions-100m.geojson").read_bytes() == payloads["regions"]


def test_a_certificate_no_trusted_authority_signed_is_refused(tmp_path, tls_server, payloads):
    tls_server.routes["/ok/regions-100m.geojson"] = Route(payloads["regions"])
    url = tls_server.url("/ok/regions-100m.geojson")

    result = fetch_official(tmp_path, sources=(_source("regions", url),))

    message = result.errors["regions"]
    assert message.startswith(f"Certificat HTTPS refusé pour « regions » ({url}) : ")
    assert "rien n'est téléchargé" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_redirect_from_https_to_http_is_refused(tmp_path, tls_server, server, served, payloads,
                                                   trust_test_authority):
    plain = served[1].url  # the same file on the http server
    tls_server.routes["/moved.geojson"] = Route(location=plain)
    src = _source("regions", tls_server.url("/moved.geojson"))

    result = fetch_official(tmp_path, sources=(src,))

    assert result.errors["regions"] == (f"Redirection refusée pour « regions » : {src.url} renvoie vers {plain}, "
                                        "sans chiffrement (--allow-http pour l'accepter sur un réseau sûr).")
    assert server.requests == [] and sorted(p.name for p in tmp_path.iterdir()) == []
    assert fetch_official(tmp_path, sources=(src,), allow_http=True).errors == {}
    assert (tmp_path / "regions-100m.geojson").read_bytes() == payloads["regions"]


# --- Pinned manifest ---------------------------------------------------------------------------------------


def test_the_manifest_of_an_earlier_fetch_pins_the_next_one(tmp_path, served, payloads):
    fetch_official(tmp_path / "sure", sources=served)
    pinned = read_pinned_manifest(tmp_path / "sure" / "manifest.json")
    assert pinned == {name: _sha(body) for name, body in payloads.items()}

    result = fetch_official(tmp_path / "officiel", sources=served, pinned=pinned)

    assert result.errors == {} and result.fetched == ["qpv", "regions", "departements"]
    note = _manifest(tmp_path / "officiel")["datasets"]["qpv"]["note"]
    assert note == "Empreinte SHA-256 vérifiée (manifeste épinglé)"


def test_a_file_whose_digest_is_not_the_pinned_one_is_not_installed(tmp_path, server, served, payloads):
    out = tmp_path / "officiel"
    fetch_official(out, sources=served)
    before = (out / "manifest.json").read_bytes()
    altered = payloads["regions"] + b"\n"  # still a valid GeoJSON: only the digest tells it apart
    server.routes["/autre/regions-100m.geojson"] = Route(altered)
    src = _source("regions", server.url("/autre/regions-100m.geojson"))

    result = fetch_official(out, sources=(src,), pinned={"regions": _sha(payloads["regions"]).upper()})

    assert result.errors["regions"] == (
        f"Empreinte SHA-256 inattendue pour « regions » (regions-100m.geojson, {src.url}) : attendue "
        f"{_sha(payloads['regions'])}, obtenue {_sha(altered)}. Fichier non installé ; le fichier précédent, "
        "s'il existe, est conservé.")
    assert (out / "regions-100m.geojson").read_bytes() == payloads["regions"]
    assert (out / "manifest.json").read_bytes() == before
    assert _parts(out) == []


def test_a_dataset_the_pinned_manifest_does_not_list_stops_before_any_download(tmp_path, server, served, payloads):
    with pytest.raises(ValueError, match="ne donne pas l'empreinte de : regions, departements"):
        fetch_official(tmp_path / "out", sources=served, pinned={"qpv": _sha(payloads["qpv"])})
    assert server.requests == [] and not (tmp_path / "out").exists()


@pytest.mark.parametrize(("content", "expected"), [
    (b"{pas du json", "n'est pas du JSON valide"),
    (b'{"datasets": {}}', "ne contient aucun jeu de données"),
    (b'{"datasets": {"qpv": {"sha256": "abc"}}}', "pas d'empreinte SHA-256 valide pour « qpv »"),
    (b'{"datasets": {"qpv": "0"}}', "pas d'empreinte SHA-256 valide pour « qpv »"),
    (b" " * (fetch.MAX_PINNED_MANIFEST_BYTES + 1), "dépasse"),
])
def test_an_unusable_pinned_manifest_is_refused_in_french(tmp_path, content, expected):
    path = tmp_path / "epingle.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=expected):
        read_pinned_manifest(path)


def test_run_with_a_pinned_manifest(tmp_path, served, monkeypatch, capsys, payloads):
    monkeypatch.setattr(fetch, "OFFICIAL_SOURCES", served)
    pin = tmp_path / "epingle.json"
    pin.write_text(json.dumps({"datasets": {"regions": {"sha256": _sha(payloads["regions"] + b"x")}}}))

    assert fetch.run(_parse("--out", str(tmp_path / "out"), "--only", "regions", "--manifest", str(pin))) == 1
    assert "regions : ÉCHEC. Empreinte SHA-256 inattendue" in capsys.readouterr().err
    assert not (tmp_path / "out" / "regions-100m.geojson").exists()


# --- Command line ------------------------------------------------------------------------------------------


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    fetch.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_add_arguments_defaults_and_repeatable_only():
    args = _parse()
    assert (args.out, args.mirror, args.timeout, args.only) == (Path(".cache/officiel"), None, 60.0, None)
    assert (args.manifest, args.allow_http) == (None, False)
    args = _parse("--out", "x", "--mirror", "http://miroir/", "--timeout", "5", "--only", "qpv",
                  "--only", "regions", "--manifest", "epingle.json", "--allow-http")
    assert (args.out, args.mirror, args.timeout) == (Path("x"), "http://miroir/", 5.0)
    assert args.only == ["qpv", "regions"]
    assert (args.manifest, args.allow_http) == (Path("epingle.json"), True)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--timeout", "0"], "--timeout"),
        (["--timeout", "-3"], "--timeout"),
        (["--only", "communes"], "jeu de données inconnu : communes"),
        (["--mirror", "/nulle/part/miroir"], "n'est pas un dossier existant"),
        (["--mirror", "ftp://miroir.interne/"], "URL http(s)://"),
        (["--mirror", "http://miroir.interne/"], "ajoutez --allow-http si ce réseau est sûr"),
        (["--manifest", "/nulle/part/manifest.json"], "le manifeste épinglé « /nulle/part/manifest.json » est "
                                                      "illisible"),
    ],
)
def test_run_with_bad_arguments_returns_2_without_traceback(tmp_path, capsys, argv, expected):
    args = _parse("--out", str(tmp_path / "out"), *argv)

    assert fetch.run(args) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("Erreur : ")
    assert expected in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert not (tmp_path / "out").exists()


def test_run_refuses_an_out_path_that_is_a_file(tmp_path, capsys):
    target = tmp_path / "fichier.txt"
    target.write_text("pas un dossier")

    assert fetch.run(_parse("--out", str(target))) == 2
    assert "n'est pas un dossier" in capsys.readouterr().err
    assert target.read_text() == "pas un dossier"


def test_run_success_prints_progress_and_summary(tmp_path, served, monkeypatch, capsys, payloads):
    monkeypatch.setattr(fetch, "OFFICIAL_SOURCES", served)

    assert fetch.run(_parse("--out", str(tmp_path), "--only", "regions")) == 0
    captured = capsys.readouterr()
    size = len(payloads["regions"])
    assert f"regions : {fr.octets(size)} / {fr.octets(size)} (100 %) reçus" in captured.err
    assert "regions : téléchargé, 2 entités, regions-100m.geojson" in captured.out
    assert "Traceback" not in captured.err
    assert set(_manifest(tmp_path)["datasets"]) == {"regions"}


def test_progress_line_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    printer = fetch.StderrProgress(stream, min_interval=0)
    printer("qpv", 512, 2048)
    printer("qpv", 2048, 2048)
    printer.close()
    assert stream.getvalue().count("\r") == 3
    assert "qpv : 512 octets / 2,0 Ko (25 %)" in stream.getvalue()
    assert stream.getvalue().endswith("\n")


# --- The real sources --------------------------------------------------------------------------------------


def test_official_sources_describe_the_three_datasets():
    by_name = {src.name: src for src in fetch.OFFICIAL_SOURCES}
    assert list(by_name) == ["qpv", "regions", "departements"]
    assert by_name["qpv"].filename == QPV_FILE
    assert by_name["qpv"].required_fields == ("fid", "code_qp", "lib_qp", "insee_reg", "lib_reg", "insee_dep",
                                              "lib_dep", "insee_com", "lib_com", "siren_epci")
    assert by_name["qpv"].url.startswith("https://www.data.gouv.fr/fr/datasets/r/")
    for name in ("regions", "departements"):
        assert by_name[name].required_fields == ("code", "nom")
        assert by_name[name].url.startswith("https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/")
        assert by_name[name].url.endswith(f"/{name}-100m.geojson")
    for src in by_name.values():
        assert src.licence == "Licence Ouverte / Open Licence 2.0"
        assert 0 < src.min_bytes < src.max_bytes
