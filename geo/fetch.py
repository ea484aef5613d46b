"""`python -m geo fetch`: download the official open data (QPV 2024, régions, départements) into a cache.

Why this shape: the machines that run the dashboard are often offline or behind a filtering proxy, so every
failure must end in a French sentence that says which dataset, which URL and what to do (`--mirror`), never in
a traceback; and a failed or partial download must never replace a good file already in the cache. Files are
streamed to a `.part` file next to the target, checked (size, pinned sha256 when a manifest is given, GeoJSON,
fields, features), then renamed; the manifest records where each file came from and its sha256 so that the
interface can cite its sources. Downloads are https with the certificate verified; plain http only from a mirror
that the user allows explicitly (`--allow-http`), and never by a redirect from https.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import NamedTuple, TextIO

from geo import fr
from geo.manifest import DatasetRecord, Manifest, read_manifest, sha256_file, write_manifest

DEFAULT_OUT = Path(".cache/officiel")
DEFAULT_TIMEOUT = 60.0
LICENCE_OUVERTE = "Licence Ouverte / Open Licence 2.0"
MANIFEST_TITLE = "Données officielles (open data)"
USER_AGENT = "carte-des-cooperations/0.1 (python -m geo fetch)"
CHUNK_SIZE = 64 * 1024
MAX_PINNED_MANIFEST_BYTES = 1_000_000  # a manifest of three datasets is a few kilobytes
_SHA256 = re.compile(r"[0-9a-f]{64}")

Progress = Callable[[str, int, int | None], None]
"""Called as `progress(dataset_name, bytes_received, total_bytes_or_None)` after every chunk."""


@dataclass(frozen=True)
class OfficialSource:
    name: str  # dataset name, as in `geo.schema.DATASETS`
    filename: str  # official file name: kept as is in the cache folder, looked up under it in a mirror
    url: str
    licence: str
    source: str  # producer and title, as cited on the "Données et sources" page
    min_bytes: int  # smaller than this is an error page or a truncated file, not the dataset
    max_bytes: int  # guard against filling the disk with something that is not the dataset
    required_fields: tuple[str, ...]


QPV_FIELDS = (
    "fid", "code_qp", "lib_qp", "insee_reg", "lib_reg", "insee_dep", "lib_dep", "insee_com", "lib_com",
    "siren_epci",
)

OFFICIAL_SOURCES: tuple[OfficialSource, ...] = (
    OfficialSource(
        name="qpv",
        filename="QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson",
        # Stable data.gouv.fr link of the resource "qpv-2024-geojson" of the ANCT dataset
        # "quartiers-prioritaires-de-la-politique-de-la-ville-qpv". Several public projects use this id; it
        # served the GeoJSON directly in the past and now serves a ZIP (GEOJSON/<filename> among per-territory
        # files), hence the transparent ZIP extraction below. Not checked live from here (no internet).
        url="https://www.data.gouv.fr/fr/datasets/r/942d4ee8-8142-4556-8ea1-335537ce1119",
        licence=LICENCE_OUVERTE,
        source="ANCT, Quartiers prioritaires de la politique de la ville (QPV) 2024, data.gouv.fr",
        min_bytes=1_000_000,
        max_bytes=300_000_000,
        required_fields=QPV_FIELDS,
    ),
    # Etalab "contours administratifs", millésime 2024 (the year of the QPV geography), 100 m generalisation;
    # fields `code` and `nom`. The 2024 directory listing of etalab-datasets.geo.data.gouv.fr shows these
    # files (départements about 3 Mo). Newer copies also live on object.data.gouv.fr/contours-administratifs/.
    # Licence: régions and départements are computed from IGN ADMIN EXPRESS (Licence Ouverte 2.0); one
    # third-party note reports ODbL on the data.gouv.fr page of the whole dataset (its COM part comes from
    # OpenStreetMap): to be confirmed on https://www.data.gouv.fr/datasets/contours-administratifs.
    OfficialSource(
        name="regions",
        filename="regions-100m.geojson",
        url="https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/2024/geojson/regions-100m.geojson",
        licence=LICENCE_OUVERTE,
        source="Etalab, Contours administratifs 2024 (régions, 100 m), d'après IGN ADMIN EXPRESS",
        min_bytes=100_000,
        max_bytes=100_000_000,
        required_fields=("code", "nom"),
    ),
    OfficialSource(
        name="departements",
        filename="departements-100m.geojson",
        url="https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/2024/geojson/departements-100m.geojson",
        licence=LICENCE_OUVERTE,
        source="Etalab, Contours administratifs 2024 (départements, 100 m), d'après IGN ADMIN EXPRESS",
        min_bytes=200_000,
        max_bytes=100_000_000,
        required_fields=("code", "nom"),
    ),
)


class FetchError(Exception):
    """A dataset could not be fetched; the message is the French sentence shown to the user."""


@dataclass
class FetchResult:
    out_dir: Path
    manifest: Manifest | None = None
    fetched: list[str] = field(default_factory=list)  # written or replaced
    unchanged: list[str] = field(default_factory=list)  # same sha256 as the file already there
    errors: dict[str, str] = field(default_factory=dict)  # dataset name -> French message
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- Where a file comes from -------------------------------------------------------------------------------


def _is_url(value: str) -> bool:
    # One-letter schemes are Windows drive letters ("C:\\miroir"), not URLs.
    scheme = urllib.parse.urlsplit(value).scheme
    return len(scheme) > 1


def _local_mirror(mirror: str) -> Path | None:
    """The folder a `--mirror` designates, or None when it is a remote base URL."""
    parts = urllib.parse.urlsplit(mirror)
    if parts.scheme == "file":
        return Path(urllib.request.url2pathname(parts.path))
    return None if _is_url(mirror) else Path(mirror)


def check_mirror(mirror: str, allow_http: bool = False) -> str | None:
    """Why a `--mirror` value is unusable (French), or None: checked before any download starts."""
    folder = _local_mirror(mirror)
    if folder is not None:
        return None if folder.is_dir() else f"le miroir « {mirror} » n'est pas un dossier existant."
    parts = urllib.parse.urlsplit(mirror)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"le miroir « {mirror} » doit être un dossier local ou une URL http(s)://."
    if parts.scheme == "http" and not allow_http:
        return (f"le miroir « {mirror} » est en http:// : sans chiffrement, n'importe quel intermédiaire du réseau "
                "peut remplacer les fichiers. Utilisez https://, ou ajoutez --allow-http si ce réseau est sûr.")
    return None


def read_pinned_manifest(path: Path | str) -> dict[str, str]:
    """The SHA-256 each dataset must have, from a pinned manifest: a `manifest.json` written by `geo fetch` (or
    `geo export`) on a machine one trusts, kept apart from the mirror. Raises ValueError with a French message."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_PINNED_MANIFEST_BYTES:
            raise ValueError(f"le manifeste épinglé « {path} » dépasse {fr.octets(MAX_PINNED_MANIFEST_BYTES)}.")
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"le manifeste épinglé « {path} » est illisible ({exc.strerror or exc}).") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"le manifeste épinglé « {path} » n'est pas du JSON valide ({exc}).") from None
    datasets = raw.get("datasets") if isinstance(raw, dict) else None
    if not isinstance(datasets, dict) or not datasets:
        raise ValueError(f"le manifeste épinglé « {path} » ne contient aucun jeu de données (clé « datasets »).")
    pins = {}
    for name, record in datasets.items():
        digest = str(record.get("sha256", "")).strip().lower() if isinstance(record, dict) else ""
        if not _SHA256.fullmatch(digest):
            raise ValueError(f"le manifeste épinglé « {path} » ne donne pas d'empreinte SHA-256 valide pour "
                             f"« {name} » (64 caractères hexadécimaux attendus).")
        pins[str(name)] = digest
    return pins


def _mirror_url(base: str, filename: str) -> str:
    return urllib.parse.urljoin(base if base.endswith("/") else base + "/", urllib.parse.quote(filename))


# --- Transfer ----------------------------------------------------------------------------------------------


def _too_large(src: OfficialSource, location: str) -> FetchError:
    return FetchError(f"Fichier trop volumineux pour « {src.name} » ({location}) : plus de "
                      f"{fr.octets(src.max_bytes)} ; téléchargement interrompu.")


def _truncated(src: OfficialSource, location: str, received: int, expected: int | None) -> FetchError:
    expected_text = f" sur {expected} annoncés" if expected is not None else ""
    return FetchError(f"Téléchargement incomplet pour « {src.name} » ({location}) : {received} octets "
                      f"reçus{expected_text}. Le fichier précédent, s'il existe, est conservé.")


def _timed_out(src: OfficialSource, location: str, timeout: float) -> FetchError:
    return FetchError(f"Délai dépassé ({timeout:g} s sans réponse) pour « {src.name} » ({location}). "
                      "Réessayez avec un --timeout plus grand, ou utilisez --mirror.")


def _offline(src: OfficialSource, url: str, reason: object, via_mirror: bool) -> FetchError:
    host = urllib.parse.urlsplit(url).hostname or url
    if isinstance(reason, socket.gaierror):
        detail = "nom de serveur introuvable"
    elif isinstance(reason, ConnectionRefusedError):
        detail = "connexion refusée"
    else:
        detail = getattr(reason, "strerror", None) or str(reason)
    advice = ("Vérifiez l'adresse du miroir et l'accès au réseau interne." if via_mirror else
              "Utilisez --mirror DOSSIER_OU_URL pour prendre les fichiers sur un miroir (dossier local ou "
              "serveur interne).")
    return FetchError(f"Pas de connexion réseau : impossible de joindre {host} pour « {src.name} » ({url} ; "
                      f"{detail}). {advice}")


def _untrusted(src: OfficialSource, url: str, reason: ssl.SSLCertVerificationError) -> FetchError:
    return FetchError(f"Certificat HTTPS refusé pour « {src.name} » ({url}) : "
                      f"{getattr(reason, 'verify_message', '') or reason}. Le serveur n'a pas prouvé son identité : "
                      "rien n'est téléchargé. Derrière un proxy qui inspecte le trafic, installez son certificat "
                      "racine dans le magasin du système (ou indiquez-le par SSL_CERT_FILE).")


class _NoDowngrade(urllib.request.HTTPRedirectHandler):
    """Follows redirects, except from https to plain http (unless allowed): the certificate checked for the first
    address would no longer vouch for the file."""

    def __init__(self, src: OfficialSource, allow_http: bool) -> None:
        self.src, self.allow_http = src, allow_http

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not self.allow_http and urllib.parse.urlsplit(req.full_url).scheme == "https" \
                and urllib.parse.urlsplit(newurl).scheme != "https":
            fp.close()
            raise FetchError(f"Redirection refusée pour « {self.src.name} » : {req.full_url} renvoie vers "
                             f"{newurl}, sans chiffrement (--allow-http pour l'accepter sur un réseau sûr).")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _download(url: str, handle, src: OfficialSource, timeout: float, progress: Progress | None,
              via_mirror: bool = False, allow_http: bool = False) -> None:
    """Stream `url` into `handle`, enforcing max_bytes and Content-Length; https certificates are verified (the
    system's certificate authorities), redirects from https to http refused unless `allow_http`."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ssl.create_default_context()),
                                         _NoDowngrade(src, allow_http))
    try:
        response = opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        reason = f" ({exc.reason})" if exc.reason else ""
        message = f"Le serveur a répondu HTTP {exc.code}{reason} pour « {src.name} » ({url})."
        raise FetchError(message) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _timed_out(src, url, timeout) from None
        if isinstance(exc.reason, ssl.SSLCertVerificationError):
            raise _untrusted(src, url, exc.reason) from None
        raise _offline(src, url, exc.reason, via_mirror) from None
    except TimeoutError:
        raise _timed_out(src, url, timeout) from None
    except (http.client.HTTPException, OSError) as exc:
        message = f"Connexion interrompue par le serveur pour « {src.name} » ({url}) : {exc}."
        raise FetchError(message) from None
    with response:
        header = response.headers.get("Content-Length")
        total = int(header) if header and header.strip().isdigit() else None
        if total is not None and total > src.max_bytes:
            raise _too_large(src, url)
        received = 0
        while True:
            try:
                chunk = response.read(CHUNK_SIZE)
            except http.client.IncompleteRead as exc:
                raise _truncated(src, url, received + len(exc.partial), total) from None
            except TimeoutError:
                raise _timed_out(src, url, timeout) from None
            except (http.client.HTTPException, ConnectionError) as exc:
                raise FetchError(f"Connexion interrompue pendant le téléchargement de « {src.name} » ({url}) "
                                 f"après {received} octets : {exc}.") from None
            if not chunk:
                break
            received += len(chunk)
            if received > src.max_bytes:
                raise _too_large(src, url)
            handle.write(chunk)
            if progress:
                progress(src.name, received, total)
    # http.client returns an empty read, not an error, when the server closes before Content-Length.
    if total is not None and received != total:
        raise _truncated(src, url, received, total)


def _copy_local(path: Path, handle, src: OfficialSource, progress: Progress | None) -> None:
    if not path.is_file():
        raise FetchError(f"Fichier absent du miroir pour « {src.name} » : {path} n'existe pas.")
    total = path.stat().st_size
    if total > src.max_bytes:
        raise _too_large(src, str(path))
    received = 0
    with open(path, "rb") as source_handle:
        for chunk in iter(lambda: source_handle.read(CHUNK_SIZE), b""):
            received += len(chunk)
            if received > src.max_bytes:
                raise _too_large(src, str(path))
            handle.write(chunk)
            if progress:
                progress(src.name, received, total)


# --- Checks ------------------------------------------------------------------------------------------------


def _invalid(src: OfficialSource, location: str, why: str) -> FetchError:
    return FetchError(f"Format invalide pour « {src.name} » ({location}) : {why}.")


def _extract_member(archive: Path, src: OfficialSource, location: str, folder: Path) -> Path:
    """The GeoJSON named `src.filename` inside a ZIP, written to a new `.part` file of `folder`."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [info for info in bundle.infolist() if not info.is_dir()
                       and PurePosixPath(info.filename).name.lower() == src.filename.lower()]
            if not members:
                raise _invalid(src, location, f"l'archive ZIP ne contient pas {src.filename}")
            member = members[0]
            if member.file_size > src.max_bytes:
                raise _too_large(src, location)
            target = _new_part(folder, src.filename)
            try:
                with bundle.open(member) as source_handle, open(target, "wb") as handle:
                    shutil.copyfileobj(source_handle, handle, CHUNK_SIZE)
            except BaseException:
                target.unlink(missing_ok=True)
                raise
            return target
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise _invalid(src, location, f"archive ZIP illisible ({exc})") from None


def validate_geojson(path: Path, src: OfficialSource, location: str = "") -> int:
    """Number of features of a downloaded file, after checking it really is the expected GeoJSON."""
    location = location or str(path)
    size = path.stat().st_size
    if size < src.min_bytes:
        raise FetchError(f"Fichier trop petit pour « {src.name} » ({location}) : {size} octets, au moins "
                         f"{src.min_bytes} attendus (réponse tronquée ou page d'erreur ?).")
    with open(path, "rb") as handle:
        head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        raise _invalid(src, location, "une page HTML a été reçue à la place du fichier GeoJSON")
    if not head.startswith(b"{"):
        raise _invalid(src, location, "le contenu n'est pas du GeoJSON")
    # Imported here so that `python -m geo fetch --help` does not pay for GDAL.
    import geopandas as gpd
    import pyogrio

    try:
        driver = pyogrio.read_info(path)["driver"]
        if driver != "GeoJSON":
            raise _invalid(src, location, f"fichier reconnu comme {driver}, pas comme GeoJSON")
        frame = gpd.read_file(path, engine="pyogrio")
    except FetchError:
        raise
    except Exception as exc:  # GDAL reports unreadable content with several exception types
        raise _invalid(src, location, f"GeoJSON illisible ({exc})") from None
    if len(frame) == 0:  # checked first: an empty collection has no fields either
        raise _invalid(src, location, "aucune entité dans le fichier")
    missing = [name for name in src.required_fields if name not in frame.columns]
    if missing:
        raise _invalid(src, location, "champs manquants : " + ", ".join(missing))
    return len(frame)


# --- One dataset -------------------------------------------------------------------------------------------


def _new_part(folder: Path, filename: str) -> Path:
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{filename}.", suffix=".part")
    os.close(fd)
    return Path(name)


def _location(src: OfficialSource, mirror: str | None) -> tuple[str, Path | None]:
    """(URL recorded in the manifest, local file to copy or None to download the URL)."""
    if mirror is None:
        return src.url, None
    folder = _local_mirror(mirror)
    if folder is None:
        return _mirror_url(mirror, src.filename), None
    path = (folder / src.filename).resolve()
    return path.as_uri(), path


class _Fetched(NamedTuple):
    path: Path
    rows: int
    sha256: str
    replaced: bool  # False when the file already there has the same bytes
    url: str
    note: str


def _check_pin(src: OfficialSource, shown: str, digest: str, expected: str) -> None:
    if digest != expected:
        raise FetchError(f"Empreinte SHA-256 inattendue pour « {src.name} » ({src.filename}, {shown}) : attendue "
                         f"{expected}, obtenue {digest}. Fichier non installé ; le fichier précédent, s'il existe, "
                         "est conservé.")


def _fetch_one(src: OfficialSource, folder: Path, mirror: str | None, timeout: float, progress: Progress | None,
               allow_http: bool = False, pinned: str | None = None) -> _Fetched:
    """Put one dataset in place; whatever happens, no `.part` file is left behind. `pinned`: the SHA-256 the
    file must have, checked before the file is even parsed."""
    url, local = _location(src, mirror)
    shown = str(local) if local else url
    parts: list[Path] = []
    try:
        download = _new_part(folder, src.filename)
        parts.append(download)
        with open(download, "wb") as handle:
            if local is not None:
                _copy_local(local, handle, src, progress)
            else:
                _download(url, handle, src, timeout, progress, via_mirror=mirror is not None, allow_http=allow_http)
        candidate, notes = download, []
        with open(download, "rb") as handle:
            is_zip = handle.read(4) == b"PK\x03\x04"
        if is_zip:
            candidate = _extract_member(download, src, shown, folder)
            parts.append(candidate)
            notes.append(f"extrait de l'archive ZIP ({src.filename})")
        digest = sha256_file(candidate)
        if pinned is not None:
            _check_pin(src, shown, digest, pinned)
            notes.append("empreinte SHA-256 vérifiée (manifeste épinglé)")
        rows = validate_geojson(candidate, src, shown)
        target = folder / src.filename
        replaced = not (target.is_file() and sha256_file(target) == digest)
        if replaced:
            os.replace(candidate, target)
        if mirror is not None:
            notes.append(f"copie miroir ; URL officielle : {src.url}")
        note = " ; ".join(notes)
        return _Fetched(target, rows, digest, replaced, url, note[:1].upper() + note[1:])
    except OSError as exc:
        message = f"Erreur de fichier pour « {src.name} » (dans {folder}) : {exc.strerror or exc}."
        raise FetchError(message) from None
    finally:
        for part in parts:
            part.unlink(missing_ok=True)


def _record(src: OfficialSource, got: _Fetched, previous: DatasetRecord | None) -> DatasetRecord:
    if previous is not None and previous.sha256 == got.sha256 and not previous.demo:
        # Same bytes as recorded: the date stays the one at which this content was first fetched.
        return replace(previous, file=got.path.name, rows=got.rows, url=got.url, licence=src.licence,
                       source=src.source, note=got.note)
    return DatasetRecord(file=got.path.name, source=src.source, licence=src.licence,
                         date=date.today().isoformat(), rows=got.rows, sha256=got.sha256, demo=False,
                         url=got.url, note=got.note)


# --- Library entry point -----------------------------------------------------------------------------------


def fetch_official(out_dir: Path | str, *, mirror: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                   only: Iterable[str] | None = None, progress: Progress | None = None,
                   sources: tuple[OfficialSource, ...] = OFFICIAL_SOURCES, allow_http: bool = False,
                   pinned: Mapping[str, str] | None = None) -> FetchResult:
    """Fetch the official datasets into `out_dir` and update its manifest.

    A failing dataset is reported in `errors` and does not stop the others. Raises ValueError (French
    message) for unusable arguments, before anything is downloaded. `allow_http`: accept a plain http mirror (and
    redirects to http); `pinned`: dataset name -> the SHA-256 its file must have (`read_pinned_manifest`), every
    selected dataset needing one.
    """
    selected = list(sources)
    if only:
        wanted = list(dict.fromkeys(only))
        known = {src.name for src in sources}
        unknown = [name for name in wanted if name not in known]
        if unknown:
            raise ValueError(f"jeu de données inconnu : {', '.join(unknown)} "
                             f"(choix possibles : {', '.join(src.name for src in sources)}).")
        selected = [src for src in sources if src.name in wanted]
    if not timeout > 0:
        raise ValueError("le délai (--timeout) doit être un nombre de secondes positif.")
    if mirror is not None and (problem := check_mirror(mirror, allow_http)):
        raise ValueError(problem)
    unpinned = [src.name for src in selected if pinned is not None and src.name not in pinned]
    if unpinned:
        raise ValueError(f"le manifeste épinglé ne donne pas l'empreinte de : {', '.join(unpinned)} "
                         "(--only pour ne télécharger que les jeux épinglés).")
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"le dossier de destination « {folder} » existe déjà et n'est pas un dossier.")
    folder.mkdir(parents=True, exist_ok=True)

    existing = read_manifest(folder)
    kept = {name: rec for name, rec in (existing.datasets if existing else {}).items() if not rec.demo}
    manifest = Manifest(demo=False, title=MANIFEST_TITLE, datasets=kept)
    result = FetchResult(out_dir=folder)
    for src in selected:
        try:
            got = _fetch_one(src, folder, mirror, timeout, progress, allow_http,
                             pinned[src.name].lower() if pinned is not None else None)
        except FetchError as exc:
            result.errors[src.name] = str(exc)
            continue
        manifest.datasets[src.name] = _record(src, got, kept.get(src.name))
        (result.fetched if got.replaced else result.unchanged).append(src.name)
        result.files[src.name] = got.path
    if result.fetched or result.unchanged:
        write_manifest(folder, manifest)
        result.manifest = manifest
    else:
        result.manifest = existing
    return result


# --- Command line ------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    names = ", ".join(src.name for src in OFFICIAL_SOURCES)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"dossier où ranger les fichiers et manifest.json (défaut : {DEFAULT_OUT})")
    parser.add_argument("--mirror", metavar="DOSSIER_OU_URL", default=None,
                        help="prendre les mêmes fichiers (mêmes noms) dans un dossier local ou sur un "
                             "serveur interne au lieu des sites officiels")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDES",
                        help=f"délai maximal sans réponse du serveur (défaut : {DEFAULT_TIMEOUT:g} s)")
    parser.add_argument("--only", action="append", metavar="NOM", default=None,
                        help=f"ne télécharger que ce jeu de données (répétable ; choix : {names})")
    parser.add_argument("--manifest", type=Path, default=None, metavar="FICHIER",
                        help="manifeste épinglé (manifest.json d'un téléchargement fait sur une machine sûre) : "
                             "chaque fichier doit avoir l'empreinte SHA-256 qu'il indique, sinon il n'est pas "
                             "installé")
    parser.add_argument("--allow-http", action="store_true",
                        help="accepter un miroir en http:// (non chiffré : seulement sur un réseau sûr)")


class StderrProgress:
    """Text progress for `run`: one updating line per dataset on a terminal, one final line otherwise."""

    def __init__(self, stream: TextIO | None = None, min_interval: float = 0.1) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self.min_interval = min_interval
        self.current: str | None = None
        self.line = ""
        self.last_draw = 0.0

    def __call__(self, name: str, received: int, total: int | None) -> None:
        if name != self.current:
            self.close()
            self.current = name
        self.line = f"{name} : {fr.octets(received)}"
        if total:
            self.line += f" / {fr.octets(total)} ({100 * received // total} %)"
        now = time.monotonic()
        if self.interactive and (now - self.last_draw >= self.min_interval or received == total):
            self.stream.write("\r" + self.line.ljust(60))
            self.stream.flush()
            self.last_draw = now

    def close(self) -> None:
        """End the current line; called between datasets and before the summary."""
        if self.current is None:
            return
        self.stream.write(("\r" + self.line.ljust(60) if self.interactive else self.line + " reçus") + "\n")
        self.stream.flush()
        self.current = None


class _Arguments(NamedTuple):
    out: Path
    mirror: str | None
    timeout: float
    only: list[str] | None
    allow_http: bool
    pinned: dict[str, str] | None


def _check_arguments(args: argparse.Namespace) -> _Arguments | str:
    out = getattr(args, "out", None) or DEFAULT_OUT
    mirror = getattr(args, "mirror", None) or None
    raw_timeout = getattr(args, "timeout", DEFAULT_TIMEOUT)
    only = getattr(args, "only", None) or None
    allow_http = bool(getattr(args, "allow_http", False))
    manifest = getattr(args, "manifest", None)
    try:
        timeout = float(raw_timeout)
    except (TypeError, ValueError):
        return f"le délai (--timeout) « {raw_timeout} » n'est pas un nombre."
    if not timeout > 0 or timeout == float("inf"):
        return "le délai (--timeout) doit être un nombre de secondes positif."
    if only:
        known = [src.name for src in OFFICIAL_SOURCES]
        unknown = [name for name in only if name not in known]
        if unknown:
            return f"jeu de données inconnu : {', '.join(unknown)} (choix possibles : {', '.join(known)})."
    if mirror is not None and (problem := check_mirror(str(mirror), allow_http)):
        return problem
    out = Path(out)
    if out.exists() and not out.is_dir():
        return f"le dossier de destination « {out} » existe déjà et n'est pas un dossier."
    try:
        pinned = read_pinned_manifest(manifest) if manifest is not None else None
    except ValueError as exc:
        return str(exc)
    return _Arguments(out, str(mirror) if mirror is not None else None, timeout, list(only) if only else None,
                      allow_http, pinned)


def run(args: argparse.Namespace) -> int:
    """`python -m geo fetch`: 0 when every dataset is in place, 1 when one failed, 2 for bad arguments."""
    checked = _check_arguments(args)
    if isinstance(checked, str):
        print(f"Erreur : {checked}", file=sys.stderr)
        return 2
    out, mirror, timeout, only, allow_http, pinned = checked
    origin = f"le miroir {mirror}" if mirror else "les sites officiels"
    print(f"Téléchargement des données officielles depuis {origin} vers {out} …", file=sys.stderr)
    progress = StderrProgress(sys.stderr)
    try:
        # Looked up at call time, so that tests can point `run` at a local server.
        result = fetch_official(out, mirror=mirror, timeout=timeout, only=only, progress=progress,
                                sources=OFFICIAL_SOURCES, allow_http=allow_http, pinned=pinned)
    except ValueError as exc:
        progress.close()
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        progress.close()
        print(f"Erreur : impossible d'écrire dans {out} ({exc.strerror or exc}).", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        progress.close()
        print("Interrompu : les fichiers déjà en place sont conservés.", file=sys.stderr)
        return 1
    except Exception as exc:  # last resort: the user gets a sentence, never a traceback
        progress.close()
        print(f"Erreur inattendue : {exc.__class__.__name__} : {exc}", file=sys.stderr)
        return 1
    progress.close()
    records = result.manifest.datasets if result.manifest else {}
    for name in result.fetched + result.unchanged:
        record = records[name]
        state = "téléchargé" if name in result.fetched else "inchangé"
        print(f"{name} : {state}, {record.rows} entités, {record.file} (sha256 {record.sha256[:12]}…)")
    for name, message in result.errors.items():
        print(f"{name} : ÉCHEC. {message}", file=sys.stderr)
    if result.fetched or result.unchanged:
        print(f"Manifeste : {out / 'manifest.json'}")
    if result.errors:
        print(f"{len(result.errors)} jeu(x) de données en échec ; les fichiers déjà présents sont conservés.",
              file=sys.stderr)
        return 1
    return 0
