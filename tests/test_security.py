"""Hostile input: entities are never resolved when outputs or drafts are read back, and builds are
reproducible byte for byte."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from lxml import etree

from qfin_docs.render.ixbrl import extract_instance
from qfin_docs.pipeline import build
from qfin_docs.verify.tieout import read_draft

from conftest import RELEASE

CANARY = "CANARY-5f1c"


@pytest.fixture()
def xxe(tmp_path) -> bytes:
    """An iXBRL-shaped document whose registrant name is an external entity pointing at a canary file
    (and another at a loopback URL): a parser that expands entities would put the canary in its output."""
    canary = tmp_path / "canary.txt"
    canary.write_text(CANARY, encoding="utf-8")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html [ <!ENTITY xxe SYSTEM "{canary.as_uri()}"> <!ENTITY remote SYSTEM "http://127.0.0.1:9/x"> ]>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:ix="http://www.xbrl.org/2013/inlineXBRL"
      xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:dei="http://xbrl.sec.gov/dei/2024">
<body><div style="display:none"><ix:header><ix:resources>
<xbrli:context id="c"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0001741530</xbrli:identifier>
</xbrli:entity><xbrli:period><xbrli:startDate>2024-01-01</xbrli:startDate><xbrli:endDate>2024-06-30</xbrli:endDate>
</xbrli:period></xbrli:context></ix:resources></ix:header></div>
<p><ix:nonNumeric name="dei:EntityRegistrantName" contextRef="c">&xxe;&remote;</ix:nonNumeric></p></body></html>
""".encode("utf-8")


def test_instance_extraction_does_not_resolve_entities(xxe):
    instance = extract_instance(xxe)
    assert CANARY.encode() not in instance
    name = etree.fromstring(instance).find("{http://xbrl.sec.gov/dei/2024}EntityRegistrantName")
    assert name is not None and (name.text or "") in ("", "&xxe;&remote;")   # left unresolved


def test_html_draft_does_not_resolve_entities(xxe, tmp_path):
    draft = tmp_path / "draft.html"
    draft.write_bytes(xxe.replace(b"</p>", b" Revenue was RMB4,160.1 million.</p>"))
    paragraphs, _ = read_draft(draft)
    text = " ".join(p.text for p in paragraphs)
    assert CANARY not in text and "RMB4,160.1 million" in text


def test_strict_check_reads_tags_without_expanding_entities(xxe, tmp_path):
    """The checker compares the tagged registrant name with its fact: it reads the element (one finding,
    since the unexpanded entity is not the name) but never the canary the entity points at."""
    from qfin_docs.verify.strict import check_ixbrl
    from qfin_docs.verify.report import Report
    from qfin_docs.pipeline import load
    path = tmp_path / "x.htm"
    path.write_bytes(xxe)
    report = Report()
    check_ixbrl(path, {}, load(RELEASE), report)
    findings = [str(p) for p in report.findings]
    assert len(findings) == 1 and "QF-TAG-VALUE dei:EntityRegistrantName" in findings[0], findings
    assert "'Qifu Technology, Inc.'" in findings[0] and CANARY not in findings[0]


def hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_two_builds_are_byte_identical(built, tmp_path, monkeypatch):
    """A second build, at another time, in another time zone and place, gives the same bytes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1900000000")
    monkeypatch.setenv("TZ", "America/New_York")
    monkeypatch.chdir(tmp_path)
    again = tmp_path / "again"
    assert build(RELEASE, again) == []
    first, second = hashes(built), hashes(again)
    assert set(first) >= {"press-release.html", "press-release.pdf", "qfin-20240630.htm", "qfin-20240630.xsd",
                          "qfin-20240630_lab.xml", "qfin-20240630_pre.xml",
                          "qfin-20240630_cal.xml", "qfin-20240630_def.xml", "figures.json"}
    assert first == second
    pdf = (again / "press-release.pdf").read_bytes()
    assert b"/CreationDate" not in pdf and b"/ModDate" not in pdf
    assert os.environ["SOURCE_DATE_EPOCH"] == "1900000000"


def test_stub_package_zip_depends_only_on_file_contents(tmp_path):
    """The zip Arelle loads is the same whatever the files' times, modes and creation order on disk."""
    import shutil
    from qfin_docs.render.stubs import PACKAGE, STUB_DIR, stub_package_zip
    copy = tmp_path / "stubs"
    files = sorted(p for p in (STUB_DIR / PACKAGE).rglob("*") if p.is_file())
    for number, path in enumerate(reversed(files)):          # created in the opposite order
        target = copy / path.relative_to(STUB_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        os.utime(target, (1_000_000_000 + number * 86_400,) * 2)
        target.chmod(0o600 if number % 2 else 0o644)
    assert stub_package_zip(copy) == stub_package_zip(STUB_DIR)
    (copy / PACKAGE / "META-INF" / "catalog.xml").write_bytes(b"<changed/>")
    assert stub_package_zip(copy) != stub_package_zip(STUB_DIR)      # and the contents do count


def test_a_build_reads_only_the_release_and_the_projects_assets(tmp_path):
    """The README's promise, watched literally: every file a build opens (Python's audit hook) is in the
    release, the project's templates and schema, the output store, or the installed software."""
    import io
    import shutil
    import sys
    from conftest import MINI, ROOT
    from qfin_docs.cli import main
    release, out = tmp_path / "release", tmp_path / "out"
    shutil.copytree(MINI, release)
    (tmp_path / "beside.yaml").write_text("a: 1\n")
    opened: list[str] = []
    watching = [True]

    def audit(event, args):
        if watching[0] and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            opened.append(os.path.realpath(os.fsdecode(args[0])))
    sys.addaudithook(audit)
    try:
        assert main(["build", str(release), "--out", str(out)], io.StringIO(), io.StringIO()) == 0
    finally:
        watching[0] = False
    allowed = [release, ROOT / "templates", ROOT / "schema", ROOT / "qfin_docs", tmp_path / ".out.builds",
               Path(sys.prefix), Path(sys.base_prefix), Path("/usr"), Path("/etc"), Path("/proc"), Path("/dev")]
    allowed = [str(Path(a).resolve()) for a in allowed]
    import tempfile
    scratch = os.path.realpath(tempfile.gettempdir())     # the standard library's writable-temp-dir probe

    def probe(path: str) -> bool:
        return path == scratch or os.path.dirname(path) == scratch and os.path.basename(path).startswith("tmp")
    strays = sorted({p for p in opened if not any(p == a or p.startswith(a + os.sep) for a in allowed)
                     and not probe(p) and p != str(tmp_path.resolve())})   # the output's parent, for fsync
    assert opened and strays == [], strays
    assert not any(p.startswith(str(tmp_path.resolve() / "beside")) for p in opened)
