"""The bad-input corpus: every case fails with its exact `file:line: CODE message`, exit 2, no traceback,
the previous build left byte-identical, nothing outside the release read, within a time and memory bound.

Each folder of tests/bad_inputs/ holds files laid over the mini release (tests/fixtures/mini) and an
``expected`` file: the exit status on its first line, then the problems printed, with the folders written
as RELEASE/, OUT, CANARY/, TMP/ and PROJECT/ (this checkout).  Optional files of a case:

- ``args``: the command line (default ``build RELEASE --out OUT``), with the same placeholders;
- ``OUT/...``: files laid over a copy of the previous build before the command (a corrupt build for ``check``);
- ``NAME.repeat``: makes ``NAME`` from its second line on, repeated the number of times its first line says;
- ``modes``: ``PATH MODE`` lines (octal), set before the command and restored after (an unreadable template,
  a read-only folder); run as root, the command then runs without the capabilities that ignore modes;
- symbolic links (relative) are copied as links: they may point into CANARY/, which must never be read.

CANARY/ lies beside the release and holds ``secret.yaml`` (a valid fact file) and ``secret.txt``. An audit
hook records every file the command opens; none may be under CANARY/, and its text may not be printed.
QFIN_REGEN_CORPUS=1 rewrites the ``expected`` files (review the diff!).
"""
from __future__ import annotations

import contextlib
import ctypes
import hashlib
import io
import os
import resource
import shlex
import shutil
import sys
import time
from pathlib import Path

import pytest

from qfin_docs.verify import drafts

from qfin_docs.render import templating
from qfin_docs.cli import main

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
SECONDS = 20                     # per case (render, layout and PDF-reading limits are lowered for the corpus)
MEGABYTES = 400                  # growth of the process's peak memory during one case
SECRET = "CANARY-7e51: this text lives outside the release"

_opened: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory) -> Path:
    """A clean build of the mini release (a link and its store): what every failing command leaves as it was."""
    from conftest import MINI
    out = tmp_path_factory.mktemp("previous") / "out"
    assert main(["build", str(MINI), "--out", str(out)], io.StringIO(), io.StringIO()) == 0
    return out


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def lay_over(case: Path, target: Path, skip: tuple[str, ...]) -> None:
    """Copy a case's files over ``target``: links as links, ``*.repeat`` expanded."""
    for source in sorted(case.rglob("*")):
        relative = source.relative_to(case)
        if relative.parts[0] in skip or source.is_dir() and not source.is_symlink():
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            if destination.is_dir() and not destination.is_symlink():
                shutil.rmtree(destination)
            elif destination.exists() or destination.is_symlink():
                destination.unlink()
            destination.symlink_to(os.readlink(source))
        elif source.suffix == ".repeat":
            count, _, chunk = source.read_bytes().partition(b"\n")
            destination.with_suffix("").write_bytes(chunk * int(count))
        else:
            destination.write_bytes(source.read_bytes())


def test_corpus_is_large_enough():
    assert len(CASES) >= 100


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case, tmp_path, previous_build, monkeypatch):
    global _opened
    from conftest import MINI, ROOT
    monkeypatch.setattr(templating, "LIMITS", templating.Limits(render_seconds=8, output_chars=5_000_000,
                                                                                layout_seconds=8, layout_pages=30))
    monkeypatch.setattr(drafts, "PDF_SECONDS", 2.0)
    release, canary = tmp_path / "release", tmp_path / "canary"
    shutil.copytree(MINI, release)
    canary.mkdir()
    (canary / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (canary / "secret.yaml").write_text(f"# {SECRET}\nfacts:\n  - {{concept: dei:EntityRegistrantName, "
                                        f"period: Q2-2024, value: \"{SECRET}\"}}\n", encoding="utf-8")
    lay_over(CORPUS / case, release, skip=("expected", "args", "OUT", "modes"))
    shutil.copytree(previous_build.parent, tmp_path / "prev", symlinks=True)
    out = tmp_path / "prev" / "out"
    lay_over(CORPUS / case / "OUT", out, skip=()) if (CORPUS / case / "OUT").is_dir() else None
    before = digest(out)
    names = {"RELEASE": str(release), "OUT": str(out), "CANARY": str(canary), "TMP": str(tmp_path),
             "PROJECT": str(ROOT)}
    args_file = CORPUS / case / "args"
    words = shlex.split(args_file.read_text(encoding="utf-8")) if args_file.is_file() else \
        ["build", "RELEASE", "--out", "OUT"]
    argv = [_place(word, names) for word in words]
    modes_file = CORPUS / case / "modes"
    modes = [(Path(_place(path, names)), int(mode, 8)) for path, mode in
             (line.split() for line in modes_file.read_text(encoding="utf-8").splitlines() if line.strip())] \
        if modes_file.is_file() else []
    stdout, stderr = io.StringIO(), io.StringIO()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    _opened = []
    with modes_set(modes):
        try:
            status = main(argv, stdout, stderr)
        finally:
            opened, _opened = _opened, None
    seconds = time.monotonic() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak) / 1024
    printed = stderr.getvalue()
    for placeholder, path in sorted(names.items(), key=lambda item: -len(item[1])):
        printed = printed.replace(path, placeholder)
    lines = [line for line in printed.splitlines() if not line.startswith("qfin-docs: ")]
    expected_file = CORPUS / case / "expected"
    if os.environ.get("QFIN_REGEN_CORPUS"):
        expected_file.write_text("\n".join([f"exit {status}", *lines]) + "\n", encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8").splitlines()
    assert [f"exit {status}", *lines] == expected
    assert status == 2
    assert "Traceback" not in printed + stdout.getvalue()
    assert lines and all(": QF-" in line for line in lines), lines
    assert digest(out) == before, "a failed command changed the previous build"
    store = out.parent / ".out.builds"
    assert sorted(p.name for p in store.iterdir()) == sorted([".lock", ".qfin-docs-store", os.readlink(out).split("/")[-1]])
    assert not [p for p in opened if Path(p).resolve().is_relative_to(canary.resolve())], "read outside the release"
    assert SECRET not in printed + stdout.getvalue()
    assert seconds < SECONDS, f"took {seconds:.1f} s"
    assert grown < MEGABYTES, f"peak memory grew by {grown:.0f} MB"


@contextlib.contextmanager
def modes_set(modes: list[tuple[Path, int]]):
    """Set each path's mode for the duration; as root, without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH in
    this thread's effective set (root ignores modes otherwise), so that modes bind as they do for a user."""
    if not modes:
        yield
        return
    before = [(path, path.stat().st_mode & 0o7777) for path, _ in modes]
    for path, mode in modes:
        path.chmod(mode)
    try:
        with _without_dac_override():
            yield
    finally:
        for path, mode in before:
            path.chmod(mode)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


@contextlib.contextmanager
def _without_dac_override():
    if os.geteuid() != 0:
        yield
        return
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()      # _LINUX_CAPABILITY_VERSION_3
    assert libc.capget(ctypes.byref(header), data) == 0, ctypes.get_errno()
    saved = data[0].effective
    data[0].effective &= ~((1 << 1) | (1 << 2))                    # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
    assert libc.capset(ctypes.byref(header), data) == 0, ctypes.get_errno()
    try:
        yield
    finally:
        data[0].effective = saved
        assert libc.capset(ctypes.byref(header), data) == 0, ctypes.get_errno()


def _place(word: str, names: dict[str, str]) -> str:
    for placeholder, path in names.items():
        if word == placeholder or word.startswith(placeholder + "/"):
            return path + word[len(placeholder):]
    return word
