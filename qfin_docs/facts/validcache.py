"""The schema validation cache: the keys of YAML files that passed their schema, by content.

A file is validated once per content (of the file, its schema, the reading code and the jsonschema release), the
key kept in the project's build/ folder.  Only passes are kept; a miss, a missing build/ folder or an unreadable
cache means a full validation, so every problem is reported as before.  Used only inside ``cached_validation``
(by ``check``, which reads the build anyway): a build reads nothing outside the release and the assets.  ``serve``
keeps its keys in memory (``validated_in_memory``), never in a file.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import json
from pathlib import Path
from typing import Collection, Iterator

VALID_CACHE = Path(__file__).resolve().parent.parent.parent / "build" / ".qfin-schema-valid.json"


_CACHE_ON: contextvars.ContextVar[bool] = contextvars.ContextVar("qfin_schema_cache", default=False)
_MEMORY: contextvars.ContextVar[set | None] = contextvars.ContextVar("qfin_schema_memory", default=None)


@contextlib.contextmanager
def cached_validation() -> Iterator[None]:
    """Use the cache in build/ inside this block only: ``check`` reads the build anyway; a build reads nothing
    outside the release and the project's assets (tests/test_security.py), even after a check in the same process."""
    token = _CACHE_ON.set(True)
    try:
        yield
    finally:
        _CACHE_ON.reset(token)


@contextlib.contextmanager
def validated_in_memory(keys: set[str]) -> Iterator[None]:
    """Inside this block, the keys of the bytes that passed are kept in ``keys`` (in memory only: nothing is read
    or written): ``serve`` previews every edit of the same files in one process, and validates a file again only
    when its bytes changed."""
    token = _MEMORY.set(keys)
    try:
        yield
    finally:
        _MEMORY.reset(token)


_CACHE_SIZE = 256


# the code that reads and validates, as loaded: yamlio (the YAML reading and the type checker) and this module
_SOURCE = b"".join(hashlib.sha256((Path(__file__).parent / f).read_bytes()).digest()
                   for f in ("yamlio.py", "validcache.py"))


_SCHEMA_DIGESTS: dict[str, bytes] = {}


def enabled() -> bool:
    """Whether this context uses the cache (inside ``cached_validation`` or ``validated_in_memory`` only)."""
    return _CACHE_ON.get() or _MEMORY.get() is not None


def key(raw: bytes, schema_file: str, schema: dict) -> str:
    """The key of these bytes validated against ``schema`` (read from ``schema_file`` once) by this code and
    this jsonschema release."""
    digest = hashlib.sha256(_validator_identity())
    if schema_file not in _SCHEMA_DIGESTS:
        _SCHEMA_DIGESTS[schema_file] = hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).digest()
    digest.update(_SCHEMA_DIGESTS[schema_file])
    digest.update(hashlib.sha256(raw).digest())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _validator_identity() -> bytes:
    """The reading code's source and the installed jsonschema release
    (its dist-info name), found without importing jsonschema."""
    import importlib.util
    spec = importlib.util.find_spec("jsonschema")
    site = Path(spec.origin).parent.parent if spec and spec.origin else None
    releases = sorted(p.name for p in site.glob("jsonschema-*.dist-info")) if site else []
    return hashlib.sha256(_SOURCE + repr(releases).encode()).digest()


def known() -> Collection[str]:
    """The keys in the cache, oldest first (none when it is missing or unreadable); in memory, the keys kept."""
    memory = _MEMORY.get()
    if memory is not None:
        return memory
    try:
        keys = json.loads(VALID_CACHE.read_bytes()) if VALID_CACHE.is_file() and not VALID_CACHE.is_symlink() else []
    except (OSError, ValueError):
        return []
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        return []
    return keys


def remember(key: str) -> None:
    """Add ``key`` to the cache file (written whole and renamed into place; only when build/ exists), or to
    the keys kept in memory."""
    import os
    import tempfile
    memory = _MEMORY.get()
    if memory is not None:
        memory.add(key)
        return
    folder = VALID_CACHE.parent
    if not folder.is_dir() or folder.is_symlink() or (VALID_CACHE.exists() and not _ours(VALID_CACHE)):
        return
    keys = ([k for k in known() if k != key] + [key])[-_CACHE_SIZE:]     # the newest kept
    scratch = None
    try:
        handle, scratch = tempfile.mkstemp(prefix=".qfin-schema-valid.", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(keys, out)
        os.replace(scratch, VALID_CACHE)
    except OSError:
        if scratch is not None and os.path.exists(scratch):
            os.unlink(scratch)       # ours: nothing half-written is left


def _ours(path: Path) -> bool:
    """The cache file holds what this module writes (a JSON list of keys); anything else is left alone."""
    try:
        keys = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return not path.is_symlink() and isinstance(keys, list) and all(isinstance(k, str) for k in keys)
