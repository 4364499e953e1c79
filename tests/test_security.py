"""Hostile input: entities are never resolved when outputs or drafts are read back, and builds are
reproducible byte for byte."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from lxml import etree

from qfin_docs.ixbrl import extract_instance
from qfin_docs.pipeline import build
from qfin_docs.tieout import read_draft

from conftest import RELEASE

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> <!ENTITY remote SYSTEM "http://127.0.0.1:9/x"> ]>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:ix="http://www.xbrl.org/2013/inlineXBRL"
      xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:dei="http://xbrl.sec.gov/dei/2024">
<body><p><ix:nonNumeric name="dei:EntityRegistrantName" contextRef="c">&xxe;&remote;</ix:nonNumeric></p></body></html>"""


def test_instance_extraction_does_not_resolve_entities():
    instance = extract_instance(XXE)
    assert b"root:" not in instance
    name = etree.fromstring(instance).find("{http://xbrl.sec.gov/dei/2024}EntityRegistrantName")
    assert name is not None and (name.text or "") in ("", "&xxe;&remote;")   # left unresolved


def test_html_draft_does_not_resolve_entities(tmp_path):
    draft = tmp_path / "draft.html"
    draft.write_bytes(XXE.replace(b"</p>", b" Revenue was RMB4,160.1 million.</p>"))
    paragraphs, _ = read_draft(draft)
    text = " ".join(p.text for p in paragraphs)
    assert "root:" not in text and "RMB4,160.1 million" in text


def test_strict_check_parser_refuses_entities(built, tmp_path):
    from qfin_docs.strict import check_ixbrl
    from qfin_docs.report import Report
    from qfin_docs.pipeline import load
    path = tmp_path / "x.htm"
    path.write_bytes(XXE)
    report = Report()
    check_ixbrl(path, {}, load(RELEASE), report)    # no figures, no facts: nothing to compare, nothing read
    assert "root:" not in " ".join(str(p) for p in report.findings)


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
                          "qfin-20240630_htm.xml", "qfin-20240630_lab.xml", "qfin-20240630_pre.xml",
                          "qfin-20240630_cal.xml", "qfin-20240630_def.xml", "figures.json"}
    assert first == second
    pdf = (again / "press-release.pdf").read_bytes()
    assert b"/CreationDate" not in pdf and b"/ModDate" not in pdf
    assert os.environ["SOURCE_DATE_EPOCH"] == "1900000000"


def test_stub_package_zip_is_reproducible():
    from qfin_docs.stubs import stub_package_zip
    assert stub_package_zip() == stub_package_zip()
