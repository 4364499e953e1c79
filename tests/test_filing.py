"""Reading any Inline XBRL filing's facts from its own tags (#15, the reader): every tag feature on a small
hand-made filing, and its narrative tied with the release tie-out's engine."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from qfin_docs.verify.filing import Filing, tagged_value, words
from qfin_docs.verify.filingtie import tieout_filing

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:ix="http://www.xbrl.org/2013/inlineXBRL"
 xmlns:ixt="http://www.xbrl.org/inlineXBRL/transformation/2020-02-12" xmlns:xbrli="http://www.xbrl.org/2003/instance"
 xmlns:xbrldi="http://xbrl.org/2006/xbrldi" xmlns:us-gaap="http://fasb.org/us-gaap/2024"
 xmlns:dei="http://xbrl.sec.gov/dei/2024" xmlns:srt="http://fasb.org/srt/2024"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:iso4217="http://www.xbrl.org/2003/iso4217">
<body>
<div style="display:none"><ix:header><ix:hidden>
<ix:nonNumeric name="dei:DocumentPeriodEndDate" contextRef="q3">September 30, 2025</ix:nonNumeric>
<ix:nonFraction name="us-gaap:EarningsPerShareDiluted" contextRef="q3" unitRef="usdps" decimals="2">1.95</ix:nonFraction>
</ix:hidden><ix:resources>
<xbrli:context id="q3"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000000001</xbrli:identifier></xbrli:entity><xbrli:period><xbrli:startDate>2025-07-01</xbrli:startDate><xbrli:endDate>2025-09-30</xbrli:endDate></xbrli:period></xbrli:context>
<xbrli:context id="q3py"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000000001</xbrli:identifier></xbrli:entity><xbrli:period><xbrli:startDate>2024-07-01</xbrli:startDate><xbrli:endDate>2024-09-30</xbrli:endDate></xbrli:period></xbrli:context>
<xbrli:context id="q3na"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000000001</xbrli:identifier><xbrli:segment><xbrldi:explicitMember dimension="srt:StatementGeographicalAxis">srt:NorthAmericaMember</xbrldi:explicitMember></xbrli:segment></xbrli:entity><xbrli:period><xbrli:startDate>2025-07-01</xbrli:startDate><xbrli:endDate>2025-09-30</xbrli:endDate></xbrli:period></xbrli:context>
<xbrli:context id="bs"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000000001</xbrli:identifier></xbrli:entity><xbrli:period><xbrli:instant>2025-09-30</xbrli:instant></xbrli:period></xbrli:context>
<xbrli:unit id="usd"><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unit>
<xbrli:unit id="usdps"><xbrli:divide><xbrli:unitNumerator><xbrli:measure>iso4217:USD</xbrli:measure></xbrli:unitNumerator><xbrli:unitDenominator><xbrli:measure>xbrli:shares</xbrli:measure></xbrli:unitDenominator></xbrli:divide></xbrli:unit>
</ix:resources></ix:header></div>
"""
BODY = """
<p>Net sales increased 5% to $<ix:nonFraction name="us-gaap:Revenues" contextRef="q3" unitRef="usd" decimals="-8" scale="9" format="ixt:num-dot-decimal">94.9</ix:nonFraction> billion
in the third quarter, compared with $90.4 billion in the third quarter of 2024.</p>
<p>North America segment sales were $<ix:nonFraction name="us-gaap:Revenues" contextRef="q3na" unitRef="usd" decimals="-8" scale="9" format="ixt:num-dot-decimal">55.4</ix:nonFraction> billion.</p>
<p>Other expense was $<ix:nonFraction name="us-gaap:OtherNonoperatingIncomeExpense" contextRef="q3" unitRef="usd" decimals="-6" scale="6" format="ixt:num-dot-decimal" sign="-">215</ix:nonFraction> million
and impairments were <ix:nonFraction name="us-gaap:AssetImpairmentCharges" contextRef="q3" unitRef="usd" decimals="-6" scale="6" format="ixt:fixed-zero">—</ix:nonFraction>.</p>
<p><ix:exclude>Page 7 of 99</ix:exclude>Cash was $<ix:nonFraction name="us-gaap:Cash" contextRef="bs" unitRef="usd" decimals="-6" scale="6" format="ixt:num-dot-decimal">12,345</ix:nonFraction> million.</p>
<div style="display:none">123,456,789 hidden</div>
<p>(in millions)</p><table><tr><td>Net sales</td><td>$</td><td>94,900</td><td>$</td><td>90,400</td></tr></table>
<p><ix:nonNumeric name="us-gaap:SegmentReportingDisclosureTextBlock" contextRef="q3" continuedAt="c1">Our segments are </ix:nonNumeric>reported below.</p>
<p><ix:continuation id="c1">North America and International.</ix:continuation></p>
<ix:nonFraction name="us-gaap:Revenues" contextRef="q3py" unitRef="usd" decimals="-8" scale="9" format="ixt:num-dot-decimal" style="display:none">90.4</ix:nonFraction>
</body></html>
"""


@pytest.fixture()
def filing_file(tmp_path):
    path = tmp_path / "abc-20250930.htm"
    path.write_text(HEAD + BODY, encoding="utf-8")
    return path


def _tag(xml: str):
    return etree.fromstring(f'<ix:nonFraction xmlns:ix="http://www.xbrl.org/2013/inlineXBRL" '
                            f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" {xml}</ix:nonFraction>')


@pytest.mark.parametrize("tag, value", [
    ('scale="9" format="ixt:num-dot-decimal">94.9', Decimal("94900000000")),
    ('scale="6" format="ixt:num-dot-decimal" sign="-">1,215', Decimal("-1215000000")),
    ('scale="-2" format="ixt:num-dot-decimal">3.40', Decimal("0.0340")),
    ('scale="3" format="ixt:fixed-zero">—', Decimal(0)),
    ('format="ixt:num-comma-decimal">1.234,5', Decimal("1234.5")),
    ('format="ixt-sec:numwordsen">five', None),
    ('xsi:nil="true">', None),
])
def test_a_tags_value_after_format_scale_and_sign(tag, value):
    assert tagged_value(_tag(tag)) == value


def test_the_filings_facts_contexts_units_dimensions_hidden_and_continuations(filing_file):
    filing = Filing(filing_file)
    numeric = {(f.concept.local, f.dimensions, f.period.end): f for f in filing.facts if isinstance(f.value, Decimal)}
    revenue = numeric[("Revenues", (), dt.date(2025, 9, 30))]
    assert revenue.value == Decimal("94900000000") and revenue.decimals == -8 and str(revenue.unit) == "iso4217:USD"
    segment = next(f for (local, dims, _), f in numeric.items() if local == "Revenues" and dims)
    assert [(str(a), str(m)) for a, m in segment.dimensions] == [("srt:StatementGeographicalAxis",
                                                                  "srt:NorthAmericaMember")]
    assert numeric[("OtherNonoperatingIncomeExpense", (), dt.date(2025, 9, 30))].value == Decimal("-215000000")
    assert numeric[("AssetImpairmentCharges", (), dt.date(2025, 9, 30))].value == 0
    assert numeric[("Cash", (), dt.date(2025, 9, 30))].period.is_instant
    assert numeric[("EarningsPerShareDiluted", (), dt.date(2025, 9, 30))].unit.denominator == "xbrli:shares"  # hidden
    texts = {f.concept.local: f.value for f in filing.facts if isinstance(f.value, str)}
    assert texts["SegmentReportingDisclosureTextBlock"] == "Our segments are North America and International."
    assert filing.period_end() == dt.date(2025, 9, 30)
    narrative = " ".join(p.text for p in filing.paragraphs)
    assert "Page 7" not in narrative and "123,456,789" not in narrative          # ix:exclude, display:none
    assert "Cash was $12,345 million." in narrative


def test_the_narrative_is_tied_to_the_filings_own_tags(filing_file):
    report = tieout_filing(filing_file)
    status = {e.text: e.status for e in report.entries}
    assert status["$90.4 billion"] == "tied"                         # an untagged figure of another period
    assert status["5%"] == "derived"                                  # 94.9 / 90.4 - 1 = 4.98%
    assert status["$12,345 million"] == "tied"
    assert status["$215 million"] == "tied"                           # a sign="-" fact printed as a magnitude
    cells = [e for e in report.entries if e.text in ("94,900", "90,400")]
    assert [e.status for e in cells] == ["tied", "tied"]              # a statement in millions
    wrong = filing_file.read_text(encoding="utf-8").replace("compared with $90.4 billion", "compared with $91.4 billion")
    filing_file.write_text(wrong, encoding="utf-8")
    status = {e.text: e.status for e in tieout_filing(filing_file).entries}
    assert status["$91.4 billion"] in ("unverifiable", "inconsistent")


def test_concept_names_as_words():
    assert words("NetCashProvidedByUsedInOperatingActivities") == "net cash provided by used in operating activities"
    assert words("EarningsPerShareDiluted") == "earnings per share diluted"
    assert words("IncomeLossFromContinuingOperationsPerBasicShare") == \
        "income loss from continuing operations per basic share"


def test_the_command_ties_a_filing_and_fails_only_on_inconsistent_figures(filing_file, capsys):
    from qfin_docs.cli import main
    assert main(["tieout", str(filing_file), "--format", "json"]) == 0
    import json
    data = json.loads(capsys.readouterr().out)
    assert data["findings"] == [] and data["summary"]["tied"] >= 4
    wrong = filing_file.read_text(encoding="utf-8").replace(
        "<p>North America", "<p>Revenues were $90.4 billion in the third quarter of 2025.</p><p>North America")
    filing_file.write_text(wrong, encoding="utf-8")
    assert main(["tieout", str(filing_file)]) == 1
    assert "where the fact is 94,900,000,000" in capsys.readouterr().err
