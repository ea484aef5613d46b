"""Places from addresses: the BAN geocoder (addok's CSV batch endpoint) and the rule that places each row.

Why this shape: a list of régies is geocoded in one request per file (`<url>/search/csv/`, the BAN's batch
endpoint), not one per row, so that 2 000 rows cost one round trip and the public service's rate limit is never
met. The geocoder is a network service that may be down, slow or answer garbage: `geocode` then raises only
`GeocoderError` (a French sentence), within a bounded time and reading a bounded amount, and `place_rows` turns
that into the fallback placement (the commune, else the first covered QPV), flagged, for every row; the caller
never sees another exception and never gets half an answer.

Parameters go in the query string, the file alone in the form: the BAN's addok-csv (1.0.1) reads both, but 1.1.0
crashes on a filter sent as a form field and ignores the query string; with it no filter applies, hence the check
that the answer lies in the row's commune.
"""

from __future__ import annotations

import base64
import csv
import io
import math
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd

from geo import fr, ref
from geo.schema import CODE_WIDTHS, WGS84, normalize_code

# addok's score says how much of the query the result's words cover, weighed with the place's importance. The query
# carries the postal code and the commune's name, which any street of the right commune matches: a wrong street of
# the right commune scores about 0,5 (« place de la mairie, 59100 Roubaix » gives « Rue de Lannoy », 0,51, in the
# tests), a right one 0,78 and more, a misspelt one (no accents, « allee ») too.
MIN_SCORE = 0.6
MAX_ROWS = 10_000  # a national list of régies has a few hundred rows; one request stays reasonable
MAX_QUERY_CHARS = 180  # addok refuses the whole file when one row's query passes 200 characters
BYTES_PER_ROW = 4096  # an answer row echoes ours plus about twenty result columns: a few hundred bytes
CHUNK_SIZE = 64 * 1024
USER_AGENT = "carte-des-cooperations/0.1 (geocodage)"
ADDRESS_KINDS = {"housenumber": "adresse", "street": "rue", "locality": "rue"}
# Paris, Marseille and Lyon are one commune each in the régies' files but one commune per arrondissement in the BAN.
PLM_ARRONDISSEMENTS = (("75056", 75101, 75120), ("13055", 13201, 13216), ("69123", 69381, 69389))
PLM_CITIES = frozenset(city for city, _, _ in PLM_ARRONDISSEMENTS)
QUERY_COLUMNS = ("adresse", "code_postal", "commune")
REQUIRED_COLUMNS = ("latitude", "longitude", "result_score", "result_type")


class GeocoderError(Exception):
    """The geocoder could not give an answer; the message is the French reason shown to the user."""


@dataclass(frozen=True)
class AddressRow:
    """What the placement needs of one row of a file."""

    adresse: str = ""
    code_postal: str = ""
    insee_com: str = ""
    commune: str = ""
    qpv_couverts: tuple[str, ...] = ()
    latitude: float | None = None  # both given: the file's own position wins
    longitude: float | None = None


@dataclass(frozen=True)
class Match:
    """The geocoder's best answer for one row."""

    latitude: float
    longitude: float
    score: float
    kind: str  # housenumber, street, locality, municipality
    label: str = ""
    citycode: str = ""
    oldcitycode: str = ""


@dataclass(frozen=True)
class Placement:
    latitude: float | None
    longitude: float | None
    precision: str | None  # one of geo.schema.PRECISIONS, None when the row could not be placed at all
    score: float | None = None  # the geocoder's, kept even when the row fell back
    label: str = ""  # the address the geocoder recognised
    message: str = ""  # French, why the row fell back (empty when it did not)

    @property
    def flagged(self) -> bool:
        """Placed only roughly (commune, quartier) or not at all: to be checked by hand."""
        return self.precision not in ("adresse", "rue", "saisie")


# --- The request ----------------------------------------------------------------------------------------------


def commune_of(code: str) -> str:
    """The commune of an INSEE code: an arrondissement of Paris, Marseille or Lyon gives its city's code."""
    if code.isdigit():
        for city, first, last in PLM_ARRONDISSEMENTS:
            if first <= int(code) <= last:
                return city
    return code


_NOT_SENT = str.maketrans(";\"\\", "   ")


def _clean(value: object) -> str:
    """One line of text without the CSV's delimiter, quote or escape (they mean nothing to the geocoder)."""
    text = "" if value is None else str(value)
    return " ".join(text.translate(_NOT_SENT).split())


def _insee(row: AddressRow) -> str:
    return normalize_code(_clean(row.insee_com), CODE_WIDTHS["insee_com"]) or ""


def _query_cells(row: AddressRow) -> tuple[str, str, str]:
    postcode, commune = _clean(row.code_postal)[:10], _clean(row.commune)[:60]
    room = MAX_QUERY_CHARS - len(postcode) - len(commune) - 2
    return _clean(row.adresse)[:room], postcode, commune


def _filters(row: AddressRow) -> tuple[str, str]:
    """(citycode, postcode) filter values: the commune's code, except for Paris, Marseille and Lyon, whose
    addresses the BAN files under their arrondissements; there (or without a code) the postal code."""
    code = _insee(row)
    if code and code not in PLM_CITIES and commune_of(code) == code:
        return code, ""
    return "", _clean(row.code_postal)[:10]


def request_body(rows: Sequence[AddressRow]) -> tuple[str, list[str]]:
    """The CSV sent (`;`-separated, no quotes needed) and the address cell of each row, to check the echo."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow([*QUERY_COLUMNS, "filtre_insee", "filtre_postal"])
    echoes = []
    for row in rows:
        cells = _query_cells(row)
        writer.writerow([*cells, *_filters(row)])
        echoes.append(cells[0])
    return out.getvalue(), echoes


def batch_url(url: str) -> str:
    query = urllib.parse.urlencode([*(("columns", name) for name in QUERY_COLUMNS), ("citycode", "filtre_insee"),
                                    ("postcode", "filtre_postal"), ("delimiter", ";")])
    return f"{url.rstrip('/')}/search/csv/?{query}"


def _multipart(csv_text: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="data"; filename="adresses.csv"\r\n'
            "Content-Type: text/csv; charset=utf-8\r\n\r\n")
    body = head.encode() + csv_text.encode("utf-8") + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def public_address(url: str) -> str:
    """The service's address as shown in messages: scheme, host and port, never a user or password."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "?"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # not a number: the address is shown without it
        port = ""
    return f"{parts.scheme}://{host}{port}"


# --- The transfer ---------------------------------------------------------------------------------------------


def _unreachable(url: str, reason: object) -> GeocoderError:
    if isinstance(reason, socket.gaierror):
        detail = "nom de serveur introuvable"
    elif isinstance(reason, ConnectionRefusedError):
        detail = "connexion refusée"
    else:
        detail = getattr(reason, "strerror", None) or str(reason) or reason.__class__.__name__
    return GeocoderError(f"géocodeur injoignable ({public_address(url)} : {detail})")


def _too_slow(url: str, timeout: float) -> GeocoderError:
    return GeocoderError(f"géocodeur trop lent ({public_address(url)} : pas de réponse complète en "
                         f"{fr.nombre(timeout, 1 if timeout % 1 else 0)} s)")


def _request(url: str, body: bytes, content_type: str) -> urllib.request.Request:
    """The POST; a user and password in the address (an addok behind a proxy) become a Basic header."""
    parts = urllib.parse.urlsplit(url)
    headers = {"Content-Type": content_type, "User-Agent": USER_AGENT, "Accept": "text/csv"}
    if parts.username is not None:
        pair = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        url = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return urllib.request.Request(url, data=body, method="POST", headers=headers)


def _post(url: str, body: bytes, content_type: str, timeout: float, rows: int) -> bytes:
    """The answer's bytes, at most what `rows` rows can need, within about `timeout` seconds from the start."""
    deadline = time.monotonic() + timeout
    limit = CHUNK_SIZE + BYTES_PER_ROW * rows
    try:
        request = _request(url, body, content_type)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            received = bytearray()
            while chunk := response.read1(CHUNK_SIZE):
                received += chunk
                if len(received) > limit:
                    raise GeocoderError(f"réponse du géocodeur trop volumineuse ({public_address(url)} : plus de "
                                        f"{fr.octets(limit)} pour {fr.pluriel(rows, 'adresse')})")
                if time.monotonic() > deadline:
                    raise _too_slow(url, timeout)
            return bytes(received)
    except GeocoderError:
        raise
    except urllib.error.HTTPError as exc:
        exc.close()
        raise GeocoderError(f"le géocodeur a répondu HTTP {exc.code} ({public_address(url)})") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _too_slow(url, timeout) from None
        raise _unreachable(url, exc.reason) from None
    except TimeoutError:
        raise _too_slow(url, timeout) from None
    except (OSError, ValueError) as exc:  # a reset connection, a broken chunked answer, an invalid URL
        raise _unreachable(url, exc) from None
    except Exception as exc:  # http.client's own errors (bad status line…): an answer that is not HTTP
        raise GeocoderError(f"réponse illisible du géocodeur ({public_address(url)} : {exc.__class__.__name__})") \
            from None


# --- The answer -----------------------------------------------------------------------------------------------


def _number(text: str, low: float, high: float) -> float:
    value = float(text)
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(text)
    return value


def parse_answer(raw: bytes, echoes: Sequence[str]) -> list[Match | None]:
    """One Match (or None: not found) per row sent, in order; GeocoderError when the answer is not that."""
    def unreadable(why: str) -> GeocoderError:
        return GeocoderError(f"réponse illisible du géocodeur ({why})")

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise unreadable("pas du texte UTF-8") from None
    header = text.split("\n", 1)[0]
    delimiter = next((d for d in ";,\t" if "latitude" in header.split(d)), None)
    if delimiter is None:
        raise unreadable("pas de colonne latitude : ce n'est pas la réponse CSV attendue")
    try:
        records = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise unreadable(f"CSV invalide : {exc}") from None
    missing = [name for name in REQUIRED_COLUMNS if name not in records[0]] if records else []
    if missing:
        raise unreadable("colonnes absentes : " + ", ".join(missing))
    if len(records) != len(echoes):
        received = fr.pluriel(len(records), "ligne reçue", "lignes reçues")
        raise unreadable(f"{received} pour {fr.pluriel(len(echoes), 'envoyée')}")
    matches: list[Match | None] = []
    for number, (record, echo) in enumerate(zip(records, echoes, strict=True), start=1):
        if _clean(record.get("adresse")) != echo:
            raise unreadable(f"la ligne {number} ne correspond pas à l'adresse envoyée")
        if not (record.get("latitude") or "").strip() and not (record.get("longitude") or "").strip():
            matches.append(None)
            continue
        try:
            matches.append(Match(
                latitude=_number(record["latitude"], -90, 90), longitude=_number(record["longitude"], -180, 180),
                score=_number(record["result_score"], 0, 10), kind=(record["result_type"] or "").strip(),
                label=_clean(record.get("result_label")), citycode=_clean(record.get("result_citycode")),
                oldcitycode=_clean(record.get("result_oldcitycode"))))
        except (TypeError, ValueError):
            raise unreadable(f"position ou score invalide à la ligne {number}") from None
    return matches


def _check_address(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    try:
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        raise GeocoderError(f"adresse du géocodeur invalide ({public_address(url)} : port non numérique)") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GeocoderError(f"adresse du géocodeur invalide ({public_address(url)} : http(s)://serveur attendu)")


def geocode(rows: Sequence[AddressRow], url: str, timeout: float) -> list[Match | None]:
    """The best match of every row, in one request to `<url>/search/csv/`; GeocoderError otherwise."""
    if not rows:
        return []
    _check_address(url)
    if len(rows) > MAX_ROWS:
        raise GeocoderError(f"trop d'adresses à géocoder en une fois ({fr.nombre(len(rows))}, au plus "
                            f"{fr.nombre(MAX_ROWS)})")
    csv_text, echoes = request_body(rows)
    body, content_type = _multipart(csv_text)
    return parse_answer(_post(batch_url(url), body, content_type, timeout, len(rows)), echoes)


# --- The placement rule ---------------------------------------------------------------------------------------


def _why_not(row: AddressRow, match: Match | None) -> str:
    """Why a match does not place the row at its address (empty when it does)."""
    if match is None:
        return "adresse introuvable"
    if match.score < MIN_SCORE:
        return (f"adresse incertaine (score {fr.nombre(match.score, 2)} sous le seuil "
                f"{fr.nombre(MIN_SCORE, 2)} : « {match.label} »)")
    if match.kind not in ADDRESS_KINDS:
        return "seule la commune a été reconnue"
    wanted = commune_of(_insee(row))
    found = {commune_of(code) for code in (match.citycode, match.oldcitycode) if code}
    if wanted and found and wanted not in found:
        return f"adresse trouvée dans une autre commune (« {match.label} », code {match.citycode})"
    return ""


def _fallback(row: AddressRow, match: Match | None, why: str, communes: Mapping[str, tuple[float, float]],
              quartiers: Mapping[str, tuple[float, float]]) -> Placement:
    score, label = (match.score, match.label) if match else (None, "")
    point = communes.get(commune_of(_insee(row)))
    if point:
        return Placement(*point, "commune", score, label, f"{why} : placée au point de la commune")
    for code in row.qpv_couverts:
        if point := quartiers.get(code):
            return Placement(*point, "quartier", score, label, f"{why} : placée au quartier {code}")
    return Placement(None, None, None, score, label,
                     f"{why}, et ni la commune ni un quartier couvert n'ont de position connue : non placée")


def place(row: AddressRow, match: Match | None, communes: Mapping[str, tuple[float, float]],
          quartiers: Mapping[str, tuple[float, float]], problem: str = "") -> Placement:
    """Where one row goes. Coordinates in the file win (« saisie »); then a housenumber (« adresse ») or street
    (« rue ») match scoring at least MIN_SCORE in the row's commune; else the commune's point, else the first
    covered QPV's point (« quartier »), else nowhere. `problem` is why the geocoder gave nothing (French)."""
    if row.latitude is not None and row.longitude is not None:
        return Placement(row.latitude, row.longitude, "saisie")
    if not _clean(row.adresse):
        return _fallback(row, None, "pas d'adresse", communes, quartiers)
    if problem:
        return _fallback(row, None, problem, communes, quartiers)
    why = _why_not(row, match)
    if why:
        return _fallback(row, match, why, communes, quartiers)
    return Placement(match.latitude, match.longitude, ADDRESS_KINDS[match.kind], match.score, match.label)


def commune_points() -> dict[str, tuple[float, float]]:
    """insee_com -> (latitude, longitude) of every QPV commune's point (data/ref/qpv2024_communes.csv)."""
    table = ref.qpv2024_table().drop_duplicates("insee_com")
    return dict(zip(table["insee_com"], zip(table["lat"], table["lon"], strict=True), strict=True))


def quartier_points(qpv: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """code_qp -> (latitude, longitude) of a point inside each QPV's perimeter (its centroid may lie outside)."""
    shapes = qpv[qpv.geometry.notna() & ~qpv.geometry.is_empty].to_crs(WGS84)
    points = shapes.geometry.representative_point()
    return {code: (point.y, point.x) for code, point in zip(shapes["code_qp"], points, strict=True)}


def needs_geocoding(row: AddressRow) -> bool:
    return (row.latitude is None or row.longitude is None) and bool(_clean(row.adresse))


def place_rows(rows: Sequence[AddressRow], communes: Mapping[str, tuple[float, float]],
               quartiers: Mapping[str, tuple[float, float]], url: str | None, timeout: float) -> list[Placement]:
    """A placement for every row, the rows that need it geocoded in one request; never raises for the geocoder
    (its failure places those rows at the fallback, flagged, with the reason). `url` None: no geocoding."""
    wanted = [index for index, row in enumerate(rows) if needs_geocoding(row)]
    matches: dict[int, Match | None] = {}
    problem = "" if url else "géocodage désactivé"
    if wanted and url:
        try:
            matches = dict(zip(wanted, geocode([rows[i] for i in wanted], url, timeout), strict=True))
        except GeocoderError as exc:
            problem = str(exc)
    return [place(row, matches.get(index), communes, quartiers, problem) for index, row in enumerate(rows)]
