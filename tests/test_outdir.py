"""The output folder: replaced atomically, one build at a time, never a folder this tool did not make.

A build killed at any moment leaves the old build or the new one, complete; the next build removes what a
killed one left; two builds into one folder both end cleanly; a write error leaves the previous build."""
from __future__ import annotations

import errno
import hashlib
import io
import itertools
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qfin_docs import outdir
from qfin_docs.cli import main

from conftest import MINI

QFIN = [sys.executable, "-m", "qfin_docs"]


def digest(folder: Path) -> str:
    entries = sorted((str(p.relative_to(folder)), hashlib.sha256(p.read_bytes()).hexdigest())
                     for p in folder.rglob("*") if p.is_file() and p.name != ".built")
    return hashlib.sha256(repr(entries).encode()).hexdigest()


def store_entries(out: Path) -> list[str]:
    return sorted(p.name for p in outdir.store_of(out).iterdir())


def only_current(out: Path) -> bool:
    return store_entries(out) == sorted([".lock", outdir.STORE_MARKER, Path(os.readlink(out)).name])


@pytest.fixture()
def two_releases(tmp_path) -> tuple[Path, Path]:
    """The mini release and a variant whose outputs differ (another title)."""
    first, second = tmp_path / "a", tmp_path / "b"
    shutil.copytree(MINI, first)
    shutil.copytree(MINI, second)
    release = second / "release.yaml"
    release.write_text(release.read_text(encoding="utf-8").replace("Mini Co Announces Results",
                                                                   "Mini Co Announces Other Results"), encoding="utf-8")
    return first, second


def test_build_makes_a_link_to_a_marked_build(tmp_path):
    out = tmp_path / "out"
    assert main(["build", str(MINI), "--out", str(out)], io.StringIO(), io.StringIO()) == 0
    assert out.is_symlink() and not Path(os.readlink(out)).is_absolute()
    assert (out / outdir.MARKER).is_file() and (out / "press-release.pdf").is_file()
    assert only_current(out)


def test_an_empty_folder_is_replaced_and_a_foreign_link_is_not(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["build", str(MINI), "--out", str(empty)], io.StringIO(), io.StringIO()) == 0
    assert empty.is_symlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "thesis.tex").write_text("mine")
    link = tmp_path / "link"
    link.symlink_to(elsewhere)
    err = io.StringIO()
    assert main(["build", str(MINI), "--out", str(link)], io.StringIO(), err) == 2
    assert f"{link}: QF-OUT-FOREIGN is a symbolic link this tool did not make" in err.getvalue()
    assert (elsewhere / "thesis.tex").read_text() == "mine" and os.readlink(link) == str(elsewhere)


def test_a_write_error_keeps_the_previous_build(tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert main(["build", str(MINI), "--out", str(out)], io.StringIO(), io.StringIO()) == 0
    before = digest(out)

    def full(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(outdir.os, "fsync", full)
    err = io.StringIO()
    assert main(["build", str(MINI), "--out", str(out)], io.StringIO(), err) == 2
    assert f"{out}: QF-OUT-WRITE cannot write the build: No space left on device" in err.getvalue()
    assert digest(out) == before and only_current(out)


def test_an_unexpected_error_is_internal_not_a_traceback(monkeypatch, tmp_path):
    from qfin_docs import pipeline

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")
    monkeypatch.setattr(pipeline, "build_release", broken)
    err = io.StringIO()
    assert main(["build", str(MINI), "--out", str(tmp_path / "o")], io.StringIO(), err) == 3
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("test_outdir.py:") and lines[0].endswith(": INTERNAL ZeroDivisionError: a bug")
    assert "Traceback" not in err.getvalue() and "please report it" in lines[1]


def _build(release: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([*QFIN, "build", str(release), "--out", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def test_two_concurrent_builds_into_one_folder_both_end_cleanly(two_releases, tmp_path):
    out = tmp_path / "out"
    runs = [_build(release, out) for release in two_releases]
    for run in runs:
        assert run.wait(timeout=120) == 0, run.stderr.read().decode()
        run.stderr.close()
    assert (out / "press-release.pdf").is_file() and only_current(out)


def test_a_killed_build_leaves_the_old_or_the_new_build(two_releases, tmp_path):
    """20 builds killed at random moments (spread over the whole run, publishing included)."""
    out = tmp_path / "out"
    complete, durations = {}, []
    for release in two_releases:
        started = time.monotonic()
        run = _build(release, out)
        assert run.wait(timeout=120) == 0
        run.stderr.close()
        durations.append(time.monotonic() - started)
        complete[digest(out)] = release.name
    duration = max(durations)
    assert len(complete) == 2
    chance = random.Random(20240813)
    outcomes = []
    waits = [chance.uniform(0.3, 1.5) * duration for _ in range(20)]
    for attempt in itertools.count():
        if attempt >= len(waits):       # a loaded machine builds slower than timed: later kills, until one came
            if len(set(outcomes)) == 2 or attempt >= 30:        # after a switch (or the attempts run out)
                break
            waits.append(max(waits[-1] * 1.5, 2 * duration))
        run = _build(two_releases[attempt % 2], out)
        time.sleep(waits[attempt])
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        run.stderr.close()
        assert out.is_symlink(), f"attempt {attempt}: no output folder"
        assert digest(out) in complete, f"attempt {attempt}: a mixed or partial build"
        outcomes.append(complete[digest(out)])
    assert len(set(outcomes)) == 2, outcomes       # some kills came before the switch, some after
    run = _build(two_releases[0], out)
    assert run.wait(timeout=120) == 0
    run.stderr.close()
    assert only_current(out), store_entries(out)
