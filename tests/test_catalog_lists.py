"""The catalog of standard elements checked against EDGAR's lists (qfin-docs catalog-check), on small files
of the same shape (tests/fixtures/edgar-lists; the SEC's own files are never in the repository)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qfin_docs.cli import main
from qfin_docs.facts import edgarlists
from qfin_docs.facts.standard import CATALOG, load_catalog
from qfin_docs.model import QName

LISTS = Path(__file__).parent / "fixtures" / "edgar-lists"


@pytest.fixture(scope="module")
def catalog():
    loaded, problems = load_catalog()
    assert problems == []
    return loaded


def contradictions(findings):
    return sorted({(str(f.element), f.kind) for f in findings if not f.confirmed})


def test_each_planted_contradiction_is_found_and_nothing_else(catalog):
    findings = edgarlists.check_catalog(catalog, edgarlists.read_lists(LISTS))
    # the two wrong weights put the whole balance-sheet network in doubt: each of its elements is reported
    assert contradictions(findings) == [
        ("us-gaap:Assets", "balance"), ("us-gaap:AssetsCurrent", "balance"), ("us-gaap:Goodwill", "deprecation"),
        ("us-gaap:Goodwill", "period"), ("us-gaap:Liabilities", "balance"),
        ("us-gaap:LiabilitiesAndStockholdersEquity", "balance"), ("us-gaap:LiabilitiesCurrent", "balance"),
        ("us-gaap:ShortTermBorrowings", "namespace"),
        ("us-gaap:StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest", "balance")]
    direct = {(str(f.element), f.source) for f in findings if not f.confirmed and f.kind == "balance"}
    assert ("us-gaap:Assets", "rels-2024") in direct and ("us-gaap:LiabilitiesCurrent", "dqc") in direct


def test_what_the_lists_confirm(catalog):
    confirmed = edgarlists.verified(edgarlists.check_catalog(catalog, edgarlists.read_lists(LISTS)))
    assert confirmed[QName("srt", "StockRepurchaseProgramAuthorizedAmount1")]["namespace"] == ["dqc"]
    assert confirmed[QName("us-gaap", "Revenues")]["period"] == ["dqc"]
    assert confirmed[QName("us-gaap", "AssetsCurrent")]["period"] == ["dqc+calcs"]     # spread over a calculation
    assert confirmed[QName("us-gaap", "IncomeTaxExpenseBenefit")]["balance"] == ["calcs", "rels-2024"]
    assert confirmed[QName("us-gaap", "LiabilitiesAndStockholdersEquity")]["namespace"] == ["rels-2024"]
    assert confirmed[QName("dei", "DocumentType")] == {"deprecation": ["dei-deprecated"]}


def test_a_catalog_element_in_the_other_namespace_is_a_contradiction(catalog, tmp_path):
    for path in LISTS.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    dqc = tmp_path / "dqcrt-us-2024-constants.json"
    dqc.write_text(dqc.read_text().replace("srt/2024}StockRepurchase", "srt/2024}X"), encoding="utf-8")
    rels = json.loads((tmp_path / "us-gaap-rels-2024.json").read_text())
    rels["calcs"]["1.0"]["us-gaap"]["TreasuryStockValueAcquiredCostMethod"] = {
        "us-gaap": ["StockRepurchaseProgramAuthorizedAmount1"]}
    (tmp_path / "us-gaap-rels-2024.json").write_text(json.dumps(rels))
    findings = edgarlists.check_catalog(catalog, edgarlists.read_lists(tmp_path))
    assert ("srt:StockRepurchaseProgramAuthorizedAmount1", "namespace") in contradictions(findings)


def test_the_record_is_written_and_then_checked(tmp_path, capsys):
    copy = tmp_path / "standard-elements.yaml"
    copy.write_text(CATALOG.read_text(encoding="utf-8"), encoding="utf-8")
    before = CATALOG.read_bytes()
    assert main(["catalog-check", "--edgar-data", str(LISTS), "--catalog", str(copy), "--record"]) == 1
    out, err = capsys.readouterr()
    assert "9 contradictions" in out and "QF-CATALOG-CONTRADICTED us-gaap:Goodwill deprecation" in err
    assert "QF-CATALOG-RECORD" not in err                       # just recorded
    text = copy.read_text(encoding="utf-8")
    assert "  dei:DocumentType: {type: dei:submissionTypeItemType, period: duration, seen: [amzn, nvda, wk], " \
           "verified: {deprecation: [dei-deprecated]}}" in text
    assert 'pattern: "[0-9]{10}"' in text                        # the dei types are not rewritten
    assert load_catalog(copy)[1] == []
    assert CATALOG.read_bytes() == before                        # the project's catalog untouched
    # the recorded keys are what the real lists confirmed: against the fixtures they differ
    assert main(["catalog-check", "--edgar-data", str(LISTS)]) == 1
    assert "QF-CATALOG-RECORD" in capsys.readouterr().err


def test_missing_lists_are_bad_input(tmp_path, capsys):
    assert main(["catalog-check", "--edgar-data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "QF-EDGAR-LIST cannot read us-gaap-deprecated-concepts.json" in err and "Traceback" not in err
