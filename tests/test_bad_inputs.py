"""The bad-input corpus: every case fails with its exact `file:line: CODE message`, a non-zero exit,
no traceback, and the previous build left untouched.

Each folder of tests/bad_inputs/ holds files laid over the mini release (tests/fixtures/mini) and an
``expected`` file: the exit status on its first line, then the problems printed, with the release
folder written as RELEASE/.  QFIN_REGEN_CORPUS=1 rewrites the ``expected`` files (review the diff!).
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path

import pytest

from qfin_docs.cli import main

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory) -> Path:
    """A clean build of the mini release: what every failing build must leave as it was."""
    from conftest import MINI
    out = tmp_path_factory.mktemp("previous") / "out"
    assert main(["build", str(MINI), "--out", str(out)], io.StringIO(), io.StringIO()) == 0
    return out


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_corpus_is_large_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case, tmp_path, previous_build):
    from conftest import MINI
    release = tmp_path / "release"
    shutil.copytree(MINI, release)
    for source in (CORPUS / case).rglob("*"):
        if source.is_file() and source.name != "expected":
            target = release / source.relative_to(CORPUS / case)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    out = tmp_path / "out"
    shutil.copytree(previous_build, out)
    before = digest(out)
    stdout, stderr = io.StringIO(), io.StringIO()
    status = main(["build", str(release), "--out", str(out)], stdout, stderr)
    printed = stderr.getvalue().replace(str(release) + "/", "RELEASE/").replace(str(out), "OUT")
    lines = [line for line in printed.splitlines() if not line.startswith("qfin-docs: ")]
    expected_file = CORPUS / case / "expected"
    if os.environ.get("QFIN_REGEN_CORPUS"):
        expected_file.write_text("\n".join([f"exit {status}", *lines]) + "\n", encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8").splitlines()
    assert [f"exit {status}", *lines] == expected
    assert status == 2
    assert "Traceback" not in printed
    assert all(line.count(":") >= 2 and line.split(": ", 1)[1].startswith("QF-") for line in lines), lines
    assert digest(out) == before, "a failed build changed the previous outputs"
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".out.")], "staging left behind"
    assert not Path("/tmp/qfin-pwned").exists()
