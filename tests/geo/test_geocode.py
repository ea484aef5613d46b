"""`geo.geocode`: the placement rule (pure), the client against a real local addok (tools/test-addok.sh, loaded with
tests/fixtures/ban_addok_extrait.ndjson) and against local servers that are closed, slow or answer garbage.

Expected positions are read from the fixture file itself, not from the geocoder. No test reaches the public
service: the real addok is the one named by CARTE_TEST_ADDOK_URL (127.0.0.1).
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import pytest
from shapely.geometry import Polygon

from geo import geocode
from geo.geocode import AddressRow, GeocoderError, Match, place, place_rows
from tests.paths import REPO

FIXTURE = REPO / "tests" / "fixtures" / "ban_addok_extrait.ndjson"
ROUBAIX = (50.68879, 3.18264)  # data/ref/qpv2024_communes.csv, commune 59512
PARIS = (48.85668, 2.34220)  # commune 75056
COMMUNES = {"59512": ROUBAIX, "75056": PARIS}
QUARTIERS = {"QN05981M": (50.70, 3.20)}


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """urllib honours *_proxy variables: requests to 127.0.0.1 must not go through one."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def fixture_records() -> dict[str, dict]:
    with open(FIXTURE, encoding="utf-8") as handle:
        return {record["id"]: record for record in map(json.loads, handle)}


def number_position(street_id: str, number: str) -> tuple[float, float]:
    spot = fixture_records()[street_id]["housenumbers"][number]
    return spot["lat"], spot["lon"]


def street_position(street_id: str) -> tuple[float, float]:
    record = fixture_records()[street_id]
    return record["lat"], record["lon"]


# --- The placement rule ---------------------------------------------------------------------------------------

RIQUET = AddressRow("12 rue Riquet", "75019", "75056", "Paris", ("QN07519M",))


def match(kind="housenumber", score=0.9, citycode="75119", oldcitycode="", label="12 Rue Riquet 75019 Paris"):
    return Match(48.886, 2.368, score, kind, label, citycode, oldcitycode)


def test_coordinates_in_the_file_win():
    row = AddressRow("12 rue Riquet", "75019", "75056", "Paris", latitude=48.9, longitude=2.4)
    found = place(row, match(), COMMUNES, QUARTIERS)
    assert (found.latitude, found.longitude, found.precision, found.flagged) == (48.9, 2.4, "saisie", False)
    assert not geocode.needs_geocoding(row)


@pytest.mark.parametrize(("kind", "precision"), [("housenumber", "adresse"), ("street", "rue"), ("locality", "rue")])
def test_a_match_above_the_threshold_places_the_row(kind, precision):
    found = place(RIQUET, match(kind, score=geocode.MIN_SCORE), COMMUNES, QUARTIERS)
    assert (found.latitude, found.longitude, found.precision, found.score) == (48.886, 2.368, precision, 0.6)
    assert found.flagged is False and found.message == "" and found.label == "12 Rue Riquet 75019 Paris"


def test_below_the_threshold_the_commune_flagged_and_the_score_kept():
    found = place(RIQUET, match(score=0.59), COMMUNES, QUARTIERS)
    assert (found.latitude, found.longitude, found.precision, found.score) == (*PARIS, "commune", 0.59)
    assert found.flagged
    assert found.message == ("adresse incertaine (score 0,59 sous le seuil 0,60 : « 12 Rue Riquet 75019 Paris ») : "
                             "placée au point de la commune")


def test_a_commune_match_is_no_address():
    found = place(RIQUET, match("municipality", 0.95), COMMUNES, QUARTIERS)
    assert found.precision == "commune" and found.message.startswith("seule la commune a été reconnue")


def test_a_match_in_another_commune_is_refused():
    """What a geocoder that ignores the filters may answer: the row stays in its own commune."""
    row = AddressRow("12 rue Riquet", "", "59512", "Roubaix")
    found = place(row, match(), COMMUNES, QUARTIERS)
    assert (found.latitude, found.longitude, found.precision) == (*ROUBAIX, "commune")
    assert found.message.startswith("adresse trouvée dans une autre commune (« 12 Rue Riquet 75019 Paris », code "
                                    "75119)")


def test_arrondissements_and_former_communes_are_the_same_commune():
    assert place(RIQUET, match(citycode="75119"), COMMUNES, QUARTIERS).precision == "adresse"
    merged = AddressRow("1 rue de Paris", "93380", "93059", "Pierrefitte-sur-Seine")
    assert place(merged, match(citycode="93066", oldcitycode="93059"), COMMUNES, QUARTIERS).precision == "adresse"
    assert [geocode.commune_of(code) for code in ("75101", "75120", "13213", "69389", "69123", "59512")] == [
        "75056", "75056", "13055", "69123", "69123", "59512"]


def test_without_a_commune_point_the_first_covered_quartier_that_has_one():
    row = AddressRow("rue inconnue", "", "99999", "Nulle-part", ("QN00000X", "QN05981M"))
    found = place(row, None, COMMUNES, QUARTIERS)
    assert (found.latitude, found.longitude, found.precision) == (50.70, 3.20, "quartier")
    assert found.message == "adresse introuvable : placée au quartier QN05981M"


def test_nowhere_to_go_is_said_not_guessed():
    found = place(AddressRow("rue inconnue", "", "99999", "Nulle-part", ("QN00000X",)), None, COMMUNES, QUARTIERS)
    assert (found.latitude, found.longitude, found.precision, found.flagged) == (None, None, None, True)
    assert found.message == ("adresse introuvable, et ni la commune ni un quartier couvert n'ont de position connue : "
                             "non placée")


def test_rows_without_address_go_to_their_commune_without_request(monkeypatch):
    monkeypatch.setattr(geocode, "_post", lambda *args: pytest.fail("no request expected"))
    rows = [AddressRow("", "", "59512", "Roubaix"), AddressRow(" ", "", "59512", "Roubaix", latitude=50.0,
                                                              longitude=3.0)]
    found = place_rows(rows, COMMUNES, QUARTIERS, "http://127.0.0.1:9", 1.0)
    assert [(p.precision, p.message) for p in found] == [("commune", "pas d'adresse : placée au point de la commune"),
                                                         ("saisie", "")]


def test_geocoding_switched_off(monkeypatch):
    monkeypatch.setattr(geocode, "_post", lambda *args: pytest.fail("no request expected"))
    found = place_rows([RIQUET], COMMUNES, QUARTIERS, None, 1.0)
    assert (found[0].precision, found[0].message) == ("commune",
                                                      "géocodage désactivé : placée au point de la commune")


def test_paris_marseille_and_lyon_are_filtered_by_postal_code():
    body, echoes = geocode.request_body([RIQUET, AddressRow("5 av X", "13013", "13055", "Marseille"),
                                         AddressRow("4 rue de Lannoy", "59100", "59512", "Roubaix"),
                                         AddressRow("1 rue; \"A\\B\"\n", "", "1053", "")])
    assert body.splitlines() == ["adresse;code_postal;commune;filtre_insee;filtre_postal",
                                 "12 rue Riquet;75019;Paris;;75019", "5 av X;13013;Marseille;;13013",
                                 "4 rue de Lannoy;59100;Roubaix;59512;", "1 rue A B;;;01053;"]
    assert echoes == ["12 rue Riquet", "5 av X", "4 rue de Lannoy", "1 rue A B"]


def test_a_long_address_is_cut_below_the_geocoders_query_limit():
    body, _ = geocode.request_body([AddressRow("12 rue Riquet " + "x" * 500, "75019", "75056", "Paris")])
    address, postcode, commune = body.splitlines()[1].split(";")[:3]
    assert len(f"{address} {postcode} {commune}") == geocode.MAX_QUERY_CHARS


def test_commune_points_are_those_of_the_reference_table():
    points = geocode.commune_points()
    assert points["59512"] == ROUBAIX and points["75056"] == PARIS


def test_quartier_points_lie_inside_their_perimeter():
    """An L-shaped QPV: its centroid is outside it, the point given is inside."""
    shape = Polygon([(2.0, 48.0), (2.1, 48.0), (2.1, 48.01), (2.01, 48.01), (2.01, 48.1), (2.0, 48.1)])
    points = geocode.quartier_points(gpd.GeoDataFrame({"code_qp": ["QN00001A"]}, geometry=[shape], crs="EPSG:4326"))
    lat, lon = points["QN00001A"]
    assert not shape.contains(shape.centroid)
    assert shape.contains(gpd.points_from_xy([lon], [lat])[0])


# --- Against the real local addok -----------------------------------------------------------------------------


def test_a_housenumber_is_found(addok_url):
    found = place_rows([RIQUET], COMMUNES, QUARTIERS, addok_url, 10.0)[0]
    assert (found.latitude, found.longitude) == number_position("75119_a001", "12")
    assert (found.precision, found.label, found.flagged) == ("adresse", "12 Rue Riquet 75019 Paris", False)
    assert found.score >= geocode.MIN_SCORE


def test_an_unknown_number_finds_its_street(addok_url):
    row = AddressRow("99 rue Riquet", "75019", "75056", "Paris")
    found = place_rows([row], COMMUNES, QUARTIERS, addok_url, 10.0)[0]
    assert (found.latitude, found.longitude, found.precision) == (*street_position("75119_a001"), "rue")


def test_accents_and_abbreviations_do_not_matter(addok_url):
    found = geocode.geocode([AddressRow("5 allee bellevue", "98800", "98818", "Noumea")], addok_url, 10.0)[0]
    assert (found.latitude, found.longitude, found.kind) == (*number_position("98818_qa92s5", "5"), "housenumber")
    assert found.label == "5 Allée BELLEVUE Nouméa" and found.citycode == "98818"


def test_the_postal_code_filter_picks_the_right_homonym(addok_url):
    """Rue Jean Jaurès is in Roubaix (ranking first) and in Saint-Denis; the row's postal code decides."""
    unfiltered, filtered = geocode.geocode([AddressRow("10 rue Jean Jaurès"),
                                            AddressRow("10 rue Jean Jaurès", code_postal="93200")], addok_url, 10.0)
    assert (unfiltered.latitude, unfiltered.longitude) == number_position("59512_a003", "10")
    assert (filtered.latitude, filtered.longitude, filtered.citycode) == (*number_position("93066_a004", "10"),
                                                                          "93066")


def test_the_commune_filter_picks_the_right_homonym(addok_url):
    """Real BAN records: Rue Cyrille Louison in Nouméa (numbers 1 to 6) and in Le Mont-Dore (366 and 383)."""
    noumea, mont_dore = geocode.geocode([AddressRow("3 rue Cyrille Louison", insee_com="98818"),
                                         AddressRow("3 rue Cyrille Louison", insee_com="98817")], addok_url, 10.0)
    assert (noumea.latitude, noumea.longitude, noumea.kind) == (*number_position("98818_troh6m", "3"), "housenumber")
    assert (mont_dore.latitude, mont_dore.longitude, mont_dore.kind, mont_dore.citycode) == (
        *street_position("98817_96v8no"), "street", "98817")


def test_a_street_of_another_commune_is_filtered_out(addok_url):
    """Rue Riquet is only in Paris: asked in Roubaix, the row stays at Roubaix's point, flagged."""
    found = place_rows([AddressRow("12 rue Riquet", "", "59512", "Roubaix")], COMMUNES, QUARTIERS, addok_url,
                       10.0)[0]
    assert (found.latitude, found.longitude, found.precision, found.flagged) == (*ROUBAIX, "commune", True)
    assert "Riquet" not in found.label and (found.score is None or found.score < geocode.MIN_SCORE)


def test_a_wrong_street_of_the_right_commune_stays_below_the_threshold(addok_url):
    found = place_rows([AddressRow("place de la mairie", "59100", "59512", "Roubaix")], COMMUNES, QUARTIERS,
                       addok_url, 10.0)[0]
    assert (found.latitude, found.longitude, found.precision) == (*ROUBAIX, "commune")
    assert found.message.startswith("adresse incertaine (score ")


def test_one_file_mixes_every_case(addok_url):
    rows = [RIQUET, AddressRow("rue inconnue", "", "59512", "Roubaix"), AddressRow("", "", "59512", "Roubaix"),
            AddressRow("xyz", "", "", "", ("QN05981M",)),
            AddressRow("4 rue de Lannoy", "59100", "59512", "Roubaix", latitude=50.5, longitude=3.5)]
    found = place_rows(rows, COMMUNES, QUARTIERS, addok_url, 10.0)
    assert [p.precision for p in found] == ["adresse", "commune", "commune", "quartier", "saisie"]
    assert (found[0].latitude, found[0].longitude) == number_position("75119_a001", "12")


def test_a_long_address_does_not_sink_the_file(addok_url):
    """addok refuses the whole file (HTTP 500 here) when one row's query passes 200 characters."""
    found = place_rows([RIQUET, AddressRow("12 rue Riquet " + "x" * 500, "75019", "75056", "Paris")], COMMUNES,
                       QUARTIERS, addok_url, 10.0)
    assert found[0].precision == "adresse" and found[1].precision in ("adresse", "rue", "commune")
    assert not found[1].message.startswith("le géocodeur a répondu")


# --- Against local servers that misbehave ---------------------------------------------------------------------


class Recorder:
    """A local HTTP server whose answer to each POST is `answer(body, path)` -> (status, bytes), or a raw reply."""

    def __init__(self, answer):
        self.answer = answer
        self.requests: list[tuple[str, bytes, str]] = []
        self.release = threading.Event()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                recorder.requests.append((self.path, body, self.headers["Content-Type"]))
                reply = recorder.answer(body, self.path, recorder)
                if isinstance(reply, bytes):
                    self.wfile.write(reply)
                    return
                status, payload = reply
                self.send_response(status)
                self.send_header("Content-Type", "text/csv; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve():
    servers = []

    def start(answer):
        servers.append(Recorder(answer))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def uploaded_csv(body: bytes) -> list[str]:
    """The data rows of the multipart upload (between the part's headers and the closing boundary)."""
    part = body.split(b"\r\n\r\n", 1)[1].rsplit(b"\r\n--", 1)[0]
    return part.decode("utf-8").splitlines()


def echo_answer(body: bytes, path: str, server) -> tuple[int, bytes]:
    """What addok-csv does, minus the search: every row back with a street at a fixed point."""
    lines = uploaded_csv(body)
    out = [lines[0] + ";latitude;longitude;result_label;result_score;result_type;result_citycode"]
    out += [line + ";50.1;3.1;Rue X 59100 Roubaix;0.9;street;59512" for line in lines[1:]]
    return 200, ("\ufeff" + "\n".join(out) + "\n").encode("utf-8")


ROWS = [AddressRow("4 rue de Lannoy", "59100", "59512", "Roubaix"), AddressRow("", "", "59512", "Roubaix"),
        AddressRow("9 rue de Lannoy", "59100", "59512", "Roubaix", latitude=50.0, longitude=3.0),
        AddressRow("12 rue Riquet", "75019", "75056", "Paris")]


def test_one_request_for_the_file_parameters_in_the_query_string(serve):
    server = serve(echo_answer)
    found = place_rows(ROWS, COMMUNES, QUARTIERS, server.url + "/", 5.0)
    assert [p.precision for p in found] == ["rue", "commune", "saisie", "commune"]  # Paris: wrong commune
    assert len(server.requests) == 1
    path, body, content_type = server.requests[0]
    parts = urlsplit(path)
    assert parts.path == "/search/csv/"
    assert parse_qs(parts.query) == {"columns": ["adresse", "code_postal", "commune"], "citycode": ["filtre_insee"],
                                     "postcode": ["filtre_postal"], "delimiter": [";"]}
    assert content_type.startswith("multipart/form-data; boundary=")
    assert body.count(b"Content-Disposition: form-data;") == 1 and b'name="data"' in body
    assert uploaded_csv(body)[1:] == ["4 rue de Lannoy;59100;Roubaix;59512;", "12 rue Riquet;75019;Paris;;75019"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_all_fell_back(url: str, message: str, timeout: float = 5.0) -> None:
    """Every row placed at its fallback with the reason, nothing raised; `geocode` itself raises GeocoderError."""
    found = place_rows(ROWS, COMMUNES, QUARTIERS, url, timeout)
    assert [(p.precision, p.latitude, p.longitude) for p in found] == [
        ("commune", *ROUBAIX), ("commune", *ROUBAIX), ("saisie", 50.0, 3.0), ("commune", *PARIS)]
    assert found[0].message == found[3].message == f"{message} : placée au point de la commune"
    assert found[1].message == "pas d'adresse : placée au point de la commune"
    with pytest.raises(GeocoderError) as raised:
        geocode.geocode([row for row in ROWS if geocode.needs_geocoding(row)], url, timeout)
    assert str(raised.value) == message


def test_a_closed_port(serve):
    port = closed_port()
    assert_all_fell_back(f"http://127.0.0.1:{port}", f"géocodeur injoignable (http://127.0.0.1:{port} : connexion "
                                                     "refusée)")


def test_a_user_and_password_in_the_address_are_never_shown():
    port = closed_port()
    assert_all_fell_back(f"http://carte:secret@127.0.0.1:{port}",
                         f"géocodeur injoignable (http://127.0.0.1:{port} : connexion refusée)")


@pytest.mark.parametrize(("url", "message"), [
    ("file:///etc/passwd", "adresse du géocodeur invalide (file://? : http(s)://serveur attendu)"),
    ("http://127.0.0.1:port", "adresse du géocodeur invalide (http://127.0.0.1 : port non numérique)"),
    ("http://nom.invalid", "géocodeur injoignable (http://nom.invalid : nom de serveur introuvable)"),
])
def test_an_unusable_address(url, message):
    assert_all_fell_back(url, message)


def test_a_slow_geocoder_is_given_up_after_the_timeout(serve):
    def never(body, path, server):
        server.release.wait(30)  # released when the test ends
        return echo_answer(body, path, server)

    server = serve(never)
    assert_all_fell_back(server.url, "géocodeur trop lent (" + server.url + " : pas de réponse complète en 0,5 s)",
                         timeout=0.5)


HEADER = "adresse;latitude;longitude;result_score;result_type"


def csv_answer(text: str, status: int = 200):
    return lambda body, path, server: (status, text.encode("utf-8"))


@pytest.mark.parametrize(("answer", "message"), [
    (csv_answer("<html><body>Maintenance</body></html>"),
     "réponse illisible du géocodeur (pas de colonne latitude : ce n'est pas la réponse CSV attendue)"),
    (csv_answer("adresse;latitude;longitude\n4 rue de Lannoy;50;3\n"),
     "réponse illisible du géocodeur (colonnes absentes : result_score, result_type)"),
    (csv_answer(f"{HEADER}\n"),
     "réponse illisible du géocodeur (0 ligne reçue pour 2 envoyées)"),
    (csv_answer(f"{HEADER}\n4 rue de Lannoy;50;3;0.9;street\n"),
     "réponse illisible du géocodeur (1 ligne reçue pour 2 envoyées)"),
    (csv_answer(f"{HEADER}\n4 rue de Lannoy;50;3;0.9;street\nautre rue;50;3;0.9;street\n"),
     "réponse illisible du géocodeur (la ligne 2 ne correspond pas à l'adresse envoyée)"),
    (csv_answer(f"{HEADER}\n4 rue de Lannoy;;;;\n12 rue Riquet;nan;3;0.9;street\n"),
     "réponse illisible du géocodeur (position ou score invalide à la ligne 2)"),
    (csv_answer(f"{HEADER}\n4 rue de Lannoy;95;3;0.9;street\n12 rue Riquet;;;;\n"),
     "réponse illisible du géocodeur (position ou score invalide à la ligne 1)"),
    (csv_answer(f"{HEADER}\n4 rue de Lannoy;50;3;très;street\n12 rue Riquet;;;;\n"),
     "réponse illisible du géocodeur (position ou score invalide à la ligne 1)"),
    (lambda body, path, server: (200, b"adresse;latitude\n\xff\xfe"), "réponse illisible du géocodeur (pas du texte "
                                                                      "UTF-8)"),
    (lambda body, path, server: b"n'importe quoi\r\n\r\n", "réponse illisible du géocodeur (http://127.0.0.1:{port} : "
                                                           "BadStatusLine)"),
    (csv_answer("Internal Server Error", 500), "le géocodeur a répondu HTTP 500 (http://127.0.0.1:{port})"),
    (lambda body, path, server: (200, b"x" * (geocode.CHUNK_SIZE + 2 * geocode.BYTES_PER_ROW + 1)),
     "réponse du géocodeur trop volumineuse (http://127.0.0.1:{port} : plus de 72,0 Ko pour 2 adresses)"),
], ids=["html", "columns", "no-rows", "one-row-short", "echo", "nan", "latitude", "score", "bytes", "not-http",
        "http-500", "too-large"])
def test_garbage_answers(serve, answer, message):
    server = serve(answer)
    assert_all_fell_back(server.url, message.format(port=server.url.rsplit(":", 1)[1]))
