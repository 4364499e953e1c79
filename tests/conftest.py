"""Shared fixtures: the real release, loaded and built once per session, and a copy of the mini release."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "releases" / "qfin-2024q2" / "reference" / "press-release.txt"
RELEASE = ROOT / "releases" / "qfin-2024q2"
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


@pytest.fixture(scope="session")
def reference_text() -> str:
    if not REFERENCE.is_file():
        pytest.fail(f"the reference release is missing: {REFERENCE}")
    return REFERENCE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def loaded():
    from qfin_docs.pipeline import load
    return load(RELEASE)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The real release built once into a temporary folder (HTML, PDF, iXBRL...)."""
    from qfin_docs.pipeline import build
    out = tmp_path_factory.mktemp("build") / "qfin-2024q2"
    findings = build(RELEASE, out)
    assert findings == []
    return out


@pytest.fixture()
def mini(tmp_path) -> Path:
    """A writable copy of the minimal release."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target
