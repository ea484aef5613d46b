"""The joined, display-ready data kept on disk between processes: a new process (a restart, each of K processes
behind the proxy) with unchanged data reads what an earlier one built instead of joining everything again.

One file per key under `CARTE_STATE_DIR/cache/`, named by a digest of the key: the store's data version, the
signature of the data and reference files, the code that shapes the data (the `geo` and `store` sources) and the
versions of the libraries whose objects are stored. Any change of one of them is another file, so a stale cache is
never read; the old files are removed once a newer one is written.

- Format: a magic line, the SHA-256 of the payload, then the payload (a pickle, protocol 5). Pickle keeps the
  frames exactly (dtypes, tuple cells, geometries, the atlas' name maps); the checksum is verified before
  unpickling, so a truncated or corrupt file is never read as data. The file is written 0600 and is read only when
  it belongs to this user and nobody else may write it: it is as trusted as the SQLite store beside it.
- Writes: a temporary file in the same folder, then `os.replace`: a reader sees the old file or the whole new one.
- Several processes: the first that misses takes an exclusive lock (`fcntl.flock`, released by the system if the
  process dies) and builds; the others wait on the lock, then read its file. Two processes starting at once build
  once and leave one valid file.
- A file that cannot be read (corrupt, half-written, foreign, unpicklable) is logged, ignored and rebuilt.
"""

from __future__ import annotations

import contextlib
import copyreg
import fcntl
import functools
import gc
import hashlib
import io
import logging
import os
import pickle
import platform
import stat
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

import settings
from geo.manifest import atomic_write_bytes

LOG = logging.getLogger("carte.snapshot")
MAGIC = b"carte-snapshot 1\n"
DIGEST_BYTES = 32
KEEP = 4  # files of one name kept (the newest): another process may still be on an older data version
LIBRARIES = ("numpy", "pandas", "geopandas", "shapely", "pyproj", "pyarrow")
PACKAGES = ("geo", "store")  # their sources shape what is stored
T = TypeVar("T")


class SnapshotError(Exception):
    """A snapshot file that cannot be used; the message says why (for the log, never for a page)."""


def cache_dir() -> Path:
    return settings.current().state_dir / "cache"


def file_signature(folder: Path) -> tuple:
    """Names, sizes and modification times of a folder's files: a new file or an edit is another signature."""
    folder = Path(folder)
    if not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()))


@functools.cache
def code_fingerprint() -> str:
    """The sources of `geo` and `store` and the versions of Python and the libraries whose objects a snapshot
    holds: a snapshot written by other code is not read (another file name)."""
    digest = hashlib.sha256(platform.python_version().encode())
    for name in LIBRARIES:
        with contextlib.suppress(Exception):
            digest.update(f"{name}={version(name)};".encode())
    root = Path(settings.REPO)
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def key_digest(key: object) -> str:
    """A digest of `key` (a value of strings, numbers and tuples, spelt whole by its `repr`) and of the code."""
    return hashlib.sha256(f"{code_fingerprint()}\n{key!r}".encode()).hexdigest()[:24]


def read_only_mapping(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    # The atlas' name maps are read-only views (MappingProxyType), which pickle refuses: stored as their dict, read
    # back as a view of it.
    pickler.dispatch_table = {**copyreg.dispatch_table, MappingProxyType: lambda m: (read_only_mapping, (dict(m),))}
    pickler.dump(value)
    return buffer.getvalue()


def encode(value: object) -> bytes:
    payload = _dumps(value)
    return MAGIC + hashlib.sha256(payload).digest() + payload


def decode(data: bytes) -> object:
    """The value of a snapshot file's bytes; SnapshotError when they are not a whole, unchanged snapshot."""
    if not data.startswith(MAGIC):
        raise SnapshotError("en-tête inconnu")
    digest, payload = data[len(MAGIC):len(MAGIC) + DIGEST_BYTES], data[len(MAGIC) + DIGEST_BYTES:]
    if len(digest) < DIGEST_BYTES or hashlib.sha256(payload).digest() != digest:
        raise SnapshotError("somme de contrôle fausse (fichier tronqué ou modifié)")
    enabled = gc.isenabled()
    gc.disable()  # unpickling makes ~10⁵ objects, each batch of them would start a collection of all the others
    try:
        return pickle.loads(payload)
    except Exception as exc:  # the checksum matched, yet the classes changed under it: rebuilt like any other
        raise SnapshotError(f"illisible ({type(exc).__name__})") from exc
    finally:
        if enabled:
            gc.enable()


def _read(path: Path) -> object:
    """The value stored at `path`; FileNotFoundError when there is none, SnapshotError when it cannot be used."""
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())
        if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise SnapshotError("fichier d'un autre utilisateur ou modifiable par d'autres")
        return decode(handle.read())


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """The exclusive lock of one key, held by one process (one thread) at a time; where the folder cannot be
    written (a read-only disk), none: the value is built and served, only not kept."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a")  # noqa: SIM115 - closed below
    except OSError as exc:
        LOG.warning("Cache %s sans verrou (%s).", path.name, exc.strerror or type(exc).__name__)
        yield
        return
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _prune(folder: Path, name: str) -> None:
    """Keep the KEEP newest files of `name`; a file removed while another process reads it stays readable there."""
    def age(path: Path) -> int:
        try:
            return path.stat().st_mtime_ns
        except OSError:  # removed meanwhile by another process pruning too
            return 0

    files = sorted(folder.glob(f"{name}-*.pickle"), key=age, reverse=True)
    for path in files[KEEP:]:
        with contextlib.suppress(OSError):
            path.unlink()
            path.with_suffix(".lock").unlink(missing_ok=True)


def load_or_build(name: str, key: object, build: Callable[[], T], folder: Path | None = None) -> T:
    """The value of `build()` for `key`, from the snapshot `name` when one was written for that key (by any
    process), else built, written and returned. A snapshot that cannot be used is logged and rebuilt."""
    folder = Path(folder or cache_dir())
    path = folder / f"{name}-{key_digest(key)}.pickle"
    problem = None
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    except (OSError, SnapshotError) as exc:
        problem = exc
    with _locked(path.with_suffix(".lock")):
        try:  # another process may have written it while this one waited for the lock
            return _read(path)
        except FileNotFoundError:
            pass
        except (OSError, SnapshotError) as exc:
            problem = exc
        if problem is not None:
            LOG.warning("Cache %s ignoré (%s) : reconstruit.", path.name, problem)
        value = build()
        try:
            atomic_write_bytes(path, encode(value), private=True)
            _prune(folder, name)
        except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:  # a rebuild next time, no error now
            LOG.warning("Cache %s non écrit (%s).", path.name, getattr(exc, "strerror", None) or type(exc).__name__)
        return value
