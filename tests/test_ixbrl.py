"""Inline XBRL: clean under Arelle, round-tripping to the fact base, and a gate that can fail."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from qfin_docs.render.ixbrl import extract_instance
from qfin_docs.render.edgar import cover_not_allowed
from qfin_docs.render.linkbases import incomplete_summations
from qfin_docs.model import FactKey, Period, QName, Unit
from qfin_docs.render.stubs import STUB_DIR, stub_files, stub_package_zip
from qfin_docs.verify.validate import run_arelle

DOC = "qfin-20240630"


def codes(problems) -> list[str]:
    return sorted({p.code for p in problems})


def test_arelle_validates_the_inline_document_cleanly(built):
    status, problems = run_arelle(built / f"{DOC}.htm")
    assert [str(p) for p in problems] == []
    assert status == 0


def test_arelle_validates_the_extracted_instance_cleanly(built):
    status, problems = run_arelle(built / "review" / f"{DOC}_htm.xml")
    assert [str(p) for p in problems] == []
    assert status == 0


@pytest.fixture(scope="module")
def arelle_facts(built, tmp_path_factory):
    """The facts Arelle reads from the iXBRL document, with exact Decimal values."""
    from arelle.api.Session import Session
    from arelle.RuntimeOptions import RuntimeOptions

    scratch = tmp_path_factory.mktemp("arelle")
    package = scratch / "stubs.zip"
    package.write_bytes(stub_package_zip())
    options = RuntimeOptions(entrypointFile=str(built / f"{DOC}.htm"), validate=True, workOffline=True,
                             disablePersistentConfig=True, calcs="c11r", validateDuplicateFacts="inconsistent",
                             packages=[str(package)], keepOpen=True, logFile="logToBuffer")
    with Session() as session:
        session.run(options)
        log = json.loads(session.get_logs("json"))["log"]
        model = session.get_models()[0]
        facts = []
        for fact in model.facts:
            context = fact.context
            end = context.endDatetime.date() - dt.timedelta(days=1)   # Arelle keeps XBRL's exclusive end
            period = Period(end) if context.isInstantPeriod else Period(end, context.startDatetime.date())
            unit = None
            if fact.unit is not None:
                numerator, denominator = fact.unit.measures
                unit = Unit(str(numerator[0]), str(denominator[0]) if denominator else "")
            dims = tuple(sorted((QName.parse(str(d.dimensionQname)), QName.parse(str(d.memberQname)))
                                for d in context.qnameDims.values()))
            facts.append((FactKey(QName.parse(str(fact.qname)), period, unit, dims), fact.xValue, fact.decimals))
    return log, facts


def test_round_trip_arelle_reads_exactly_the_fact_base(loaded, arelle_facts):
    log, facts = arelle_facts
    assert [entry for entry in log if entry["level"] not in ("info", "debug")] == []
    best: dict[FactKey, tuple] = {}
    for key, value, decimals in facts:
        rank = Decimal("Infinity") if decimals in ("INF", None) else Decimal(decimals)
        if key not in best or rank > best[key][1]:
            best[key] = (value, rank)
    untagged = incomplete_summations(loaded.release, loaded.taxonomy)
    not_on_the_form = cover_not_allowed(loaded.release)     # dei facts a 6-K may not carry (EFM 6.5.46)
    assert sorted(k.concept.local for k in not_on_the_form) == ["SecurityExchangeName", "TradingSymbol"]
    expected = {}
    for fact in loaded.release.facts:
        if fact.key in untagged or fact.key in not_on_the_form:
            continue
        value = fact.value
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        expected[fact.key] = value
    actual = {key: (str(value) if not isinstance(value, Decimal) else value) for key, (value, _) in best.items()}
    actual = {k: (v.split("T")[0] if isinstance(v, str) and k.concept.local.endswith(("Date", "Year")) else v)
              for k, v in actual.items()}
    assert set(actual) == set(expected), (set(actual) ^ set(expected))
    for key, value in expected.items():
        assert actual[key] == value if not isinstance(value, Decimal) else Decimal(actual[key]) == value, key
    # the facts left untagged are only the quoted prior-quarter subtotals whose items are not reported
    assert sorted(k.concept.local for k in untagged) == sorted([
        "IncomeLossFromContinuingOperationsBeforeIncomeTaxesExtraordinaryItemsNoncontrollingInterest",
        "NetIncomeLoss", "NonGaapIncomeFromOperations", "NonGaapNetIncome", "NonGaapNetIncomeAttributableToOrdinaryShareholders"])
    assert all(reason.startswith("summation items not reported: ") for reason in untagged.values())
    assert {k.period for k in untagged} == {Period(dt.date(2024, 3, 31), dt.date(2024, 1, 1))}


def tampered(built: Path, tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    target = tmp_path / "doc"
    shutil.copytree(built, target, ignore=shutil.ignore_patterns("*.pdf", "viewer"))
    path = target / f"{DOC}.htm"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def test_gate_fails_on_a_tampered_value(built, tmp_path):
    # total current assets, December 31, 2023: RMB100 million off
    path = tampered(built, tmp_path, ">39,796,028<", ">39,896,028<")
    status, problems = run_arelle(path)
    assert status != 0
    assert "ARELLE:calc11e:inconsistentCalculationUsingRounding" in codes(problems)


def test_gate_fails_on_a_wrong_unit(built, tmp_path):
    path = tampered(built, tmp_path, 'name="us-gaap:Goodwill" contextRef="I20231231" unitRef="CNY"',
                    'name="us-gaap:Goodwill" contextRef="I20231231" unitRef="shares"')
    status, problems = run_arelle(path)
    assert status != 0
    assert any("xbrl.4.8.2" in c or "Utr" in c for c in codes(problems)), codes(problems)


def test_gate_fails_on_a_wrong_period_type(built, tmp_path):
    path = tampered(built, tmp_path, 'name="us-gaap:Goodwill" contextRef="I20231231"',
                    'name="us-gaap:Goodwill" contextRef="D20240401-20240630"')
    status, problems = run_arelle(path)
    assert status != 0
    assert "ARELLE:xbrl.4.7.2:contextPeriodType" in codes(problems)


def test_gate_fails_on_a_per_share_fact_in_plain_currency(built, tmp_path):
    path = tampered(built, tmp_path, 'name="us-gaap:EarningsPerShareBasic" contextRef="D20230401-20230630" unitRef="CNY_per_shares"',
                    'name="us-gaap:EarningsPerShareBasic" contextRef="D20230401-20230630" unitRef="CNY"')
    status, problems = run_arelle(path)
    assert status != 0
    assert any("Utr" in c for c in codes(problems)), codes(problems)


def test_inline_document_structure(built):
    root = etree.parse(str(built / f"{DOC}.htm"), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    ns = {"ix": "http://www.xbrl.org/2013/inlineXBRL", "h": "http://www.w3.org/1999/xhtml",
          "xbrli": "http://www.xbrl.org/2003/instance"}
    header = root.find(".//ix:header", ns)
    assert header.getparent().get("style") == "display:none"
    assert [etree.QName(c).localname for c in header] == ["hidden", "references", "resources"]
    numbers = root.findall(".//ix:nonFraction", ns)
    assert len(numbers) > 650
    for fact in numbers:
        assert fact.get("format") in ("ixt:num-dot-decimal", "ixt:fixed-zero", None)
        text = fact.text or ""
        if fact.get("format") == "ixt:fixed-zero":
            assert text == "-"
        else:
            assert not text.startswith("-") and "(" not in text
    units = {u.get("id") for u in root.iterfind(".//xbrli:unit", ns)}
    assert {"CNY", "USD", "shares", "pure", "CNY_per_shares", "USD_per_shares"} <= units
    contexts = root.findall(".//xbrli:context", ns)
    signatures = [etree.tostring(c.find("xbrli:entity", ns)) + etree.tostring(c.find("xbrli:period", ns))
                  for c in contexts]
    assert len(signatures) == len(set(signatures)), "one context per period and dimension set"


def test_instance_extraction_applies_scale_and_sign():
    inline = b"""<html xmlns="http://www.w3.org/1999/xhtml" xmlns:ix="http://www.xbrl.org/2013/inlineXBRL"
      xmlns:xbrli="http://www.xbrl.org/2003/instance" xmlns:us-gaap="http://fasb.org/us-gaap/2024"><body>
      <ix:nonFraction name="us-gaap:A" contextRef="c" unitRef="CNY" decimals="-5" scale="6" format="ixt:num-dot-decimal" sign="-">213.3</ix:nonFraction>
      <ix:nonFraction name="us-gaap:A" contextRef="c" unitRef="CNY" decimals="-3" scale="3" format="ixt:num-dot-decimal" sign="-">213,267</ix:nonFraction>
      <ix:nonFraction name="us-gaap:B" contextRef="c" unitRef="pure" decimals="4" scale="-2" format="ixt:num-dot-decimal">3.40</ix:nonFraction>
      <ix:nonFraction name="us-gaap:C" contextRef="c" unitRef="CNY" decimals="-3" scale="3" format="ixt:fixed-zero">-</ix:nonFraction>
    </body></html>"""
    root = etree.fromstring(extract_instance(inline))
    values = {etree.QName(e).localname: (e.text, e.get("decimals")) for e in root if e.get("contextRef")}
    assert values == {"A": ("-213267000", "-3"), "B": ("0.0340", "4"), "C": ("0", "-3")}


def test_stub_package_is_current_with_the_concept_table(loaded):
    for name, data in stub_files(loaded.taxonomy).items():
        assert (STUB_DIR / name).read_bytes() == data, f"{name} is stale: run '.venv/bin/qfin-docs stubs'"
