"""The output folder: ours alone, replaced in one atomic step, one build at a time.

``--out DIR`` is a symbolic link to a complete build kept in ``.DIR.builds/`` beside it::

    build/qfin-2024q2 -> .qfin-2024q2.builds/b-k3j9x1
    build/.qfin-2024q2.builds/{.qfin-docs-store, .lock, b-k3j9x1/{.qfin-docs-build, press-release.html, ...}}

A build writes a new folder in the store, then swaps the link with ``os.replace`` (atomic on POSIX): a
reader, or a build killed at any point, sees the old build or the new one, never a mix or nothing.  Builds
into one folder are serialised by ``flock`` on ``.lock``; under the lock, anything in the store that the
link does not point at (a crashed build's staging folder, the previous build) is removed.

``DIR`` is replaced only when it is such a link (into its own store, to a folder with the build marker)
or an empty folder, or does not exist.  A file, a foreign link, a non-empty folder, ``/``, the release
folder, the project's sources, or a folder holding any of those are refused, and nothing is touched.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from pathlib import Path

from .model import Problem, Source

MARKER = ".qfin-docs-build"          # in every build folder this tool made
STORE_MARKER = ".qfin-docs-store"    # in the store of builds beside the link
PROJECT = Path(__file__).resolve().parent.parent
SOURCES = ("qfin_docs", "templates", "schema", "releases", "tests", "benchmarks", ".git", ".github", ".ci")


def store_of(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.builds"


def out_problems(out_dir: Path, release_dir: Path) -> list[Problem]:
    """Why ``out_dir`` may not be replaced by a build of ``release_dir`` (empty when it may)."""
    try:
        return _out_problems(out_dir, release_dir)
    except OSError as exc:
        return [Problem(Source(str(out_dir)), "QF-OUT-PATH", f"cannot inspect the output folder: {exc.strerror}")]


def _out_problems(out_dir: Path, release_dir: Path) -> list[Problem]:
    where = Source(str(out_dir))
    if not out_dir.name or out_dir.name in (".", ".."):
        return [Problem(where, "QF-OUT-PATH", "the output folder needs a name (not '/', '.' or '..')")]
    target = Path(os.path.abspath(out_dir))
    real = target.resolve()
    protected = [Path(release_dir).resolve()] + [(PROJECT / name).resolve() for name in SOURCES]
    for folder in protected:
        if real == folder or real.is_relative_to(folder) or folder.is_relative_to(real):
            return [Problem(where, "QF-OUT-PROTECTED", f"the output folder would replace or hold {folder} "
                            "(the release or the project's sources)")]
    if real == PROJECT or PROJECT.is_relative_to(real) or real == Path(real.anchor):
        return [Problem(where, "QF-OUT-PROTECTED", f"the output folder would replace {real}")]
    if target.is_symlink():
        return [] if _is_our_link(target) else [Problem(where, "QF-OUT-FOREIGN", "is a symbolic link this tool "
                                                        "did not make; remove it or choose another --out")]
    if target.is_dir():
        if any(target.iterdir()):
            return [Problem(where, "QF-OUT-FOREIGN", "is a folder with files this tool did not make; "
                            "remove it or choose another --out (an empty folder, or one made by qfin-docs)")]
        return []
    if os.path.lexists(target):
        return [Problem(where, "QF-OUT-FILE", "is a file, not a build folder; choose another --out")]
    return []


def _is_our_link(link: Path) -> bool:
    store = store_of(link)
    pointed = Path(os.readlink(link))
    resolved = (link.parent / pointed)
    return (not pointed.is_absolute() and pointed.parent == Path(store.name)
            and (store / STORE_MARKER).is_file() and (resolved / MARKER).is_file())


@contextlib.contextmanager
def locked_store(out_dir: Path):
    """The store beside ``out_dir``, locked for this process; stale entries are removed on entry."""
    store = store_of(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    store.mkdir(exist_ok=True)
    marker = store / STORE_MARKER
    if not marker.exists():
        marker.write_text("builds of qfin-docs; the link beside this folder points at the current one\n")
    with open(store / ".lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _remove_stale(out_dir, store)
            yield store
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _remove_stale(out_dir: Path, store: Path) -> None:
    current = Path(os.readlink(out_dir)).name if out_dir.is_symlink() else None
    for entry in store.iterdir():
        if entry.name in (STORE_MARKER, ".lock", current):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def publish(out_dir: Path, outputs: dict[str, bytes]) -> None:
    """Write ``outputs`` as a new build and make ``out_dir`` point at it, atomically.

    Raises:
        OSError: the folder could not be written (the previous build is left as it was).
    """
    with locked_store(out_dir) as store:
        staging = Path(tempfile.mkdtemp(prefix="b-", dir=store))
        try:
            _switch(out_dir, store, staging, outputs)
        except OSError as exc:        # named by the output folder, not by a temporary name in the store
            _discard(out_dir, store, staging)
            raise OSError(exc.errno, exc.strerror, str(out_dir)) from None
        except BaseException:
            _discard(out_dir, store, staging)
            raise
        _remove_stale(out_dir, store)


def _discard(out_dir: Path, store: Path, staging: Path) -> None:
    """What a failed build made in the store: its staging folder and its temporary link (never the build the
    link ``out_dir`` points at, in case the switch happened before the failure)."""
    with contextlib.suppress(OSError):
        (store / f"link-{staging.name}").unlink(missing_ok=True)
    try:
        current = Path(os.readlink(out_dir)).name if out_dir.is_symlink() else None
    except OSError:
        return              # cannot tell: the next build removes what is stale
    if current != staging.name:
        shutil.rmtree(staging, ignore_errors=True)


def _switch(out_dir: Path, store: Path, staging: Path, outputs: dict[str, bytes]) -> None:
    """Write the new build into ``staging``, then point ``out_dir`` at it with one rename."""
    for name, data in sorted({**outputs, MARKER: b"made by qfin-docs: replaced by the next build\n"}.items()):
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    os.chmod(staging, 0o755)
    link = store / f"link-{staging.name}"
    os.symlink(Path(store.name) / staging.name, link)
    if out_dir.is_dir() and not out_dir.is_symlink():
        out_dir.rmdir()                     # empty (checked by out_problems): nothing is lost
    os.replace(link, out_dir)
    _fsync_dir(out_dir.parent)


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
