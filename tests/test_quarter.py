"""The next quarter: roll Q2 2024 forward, build a draft while figures arrive, fill, build, check, validate;
restatements; templates that name no quarter."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from qfin_docs.cli import main
from qfin_docs.facts.load import load
from qfin_docs.model import FactKey, Period
from qfin_docs.quarter import Roll, new_quarter

from conftest import RELEASE, ROOT

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "q3-2024"


def analog_fill(loaded, roll: Roll, overrides: dict):
    """Invented Q3 figures that keep every identity of the fact base: each new fact is its analog of the
    quarter before (Q3 <- Q2, September 30 <- June 30), nine-month flows are six months + the third quarter,
    a cash balance at a new quarter end is its beginning balance + the period's change, margins are
    recomputed and US$ figures translated at the rate; ``overrides`` (concept, period) -> value move a few."""
    source = {f.key: f for f in loaded.release.facts}
    taxonomy, relations = loaded.taxonomy, loaded.taxonomy.relations
    back: dict[Period, list[Period]] = {}
    for period in {f.period for f in source.values()}:
        back.setdefault(roll.period(period), []).append(period)
    rate = next(f.value for f in source.values() if f.concept == loaded.release.exchange_rate)
    memo: dict = {}

    def analog(key: FactKey):
        for old in sorted(back.get(key.period, []), key=lambda p: p != key.period):
            fact = source.get(FactKey(key.concept, old, key.unit, key.dimensions))
            if fact is not None:
                return dataclasses.replace(fact, period=key.period)
        return None

    def value_of(key: FactKey):
        fact = source.get(key) or fill(key)
        return None if fact is None else fact.value

    def rounded(value, like):
        return round(value, like.decimals) if like.decimals is not None else value

    def compute(key: FactKey):
        fact = analog(key)
        if fact is None or not isinstance(fact.value, Decimal):
            return fact
        concept = taxonomy.concepts[key.concept]
        if (str(key.concept), str(key.period)) in overrides:
            return dataclasses.replace(fact, value=overrides[(str(key.concept), str(key.period))])
        if key.unit is not None and key.unit.numerator == "iso4217:USD" and concept.type.value == "monetary":
            cny = value_of(dataclasses.replace(key, unit=dataclasses.replace(key.unit, numerator="iso4217:CNY")))
            return dataclasses.replace(fact, value=rounded(cny / rate, fact)) if cny is not None else fact
        if key.concept in relations.margins:
            measure, revenue = (value_of(FactKey(c, key.period, key.unit and _cny(), key.dimensions))
                                for c in relations.margins[key.concept])
            if measure is not None and revenue:
                return dataclasses.replace(fact, value=rounded(measure / revenue, fact))
        period = key.period
        if period.is_instant and key.concept in relations.roll_forward and period.end in (roll.new_end,
                                                                                          roll.new_end.replace(year=roll.new_end.year - 1)):
            start = dt.date(period.end.year, period.end.month - 2, 1)
            begin = value_of(FactKey(key.concept, Period(start - dt.timedelta(days=1)), key.unit, key.dimensions))
            change = value_of(FactKey(relations.roll_forward[key.concept], Period(period.end, start), key.unit,
                                      key.dimensions))
            if begin is not None and change is not None:
                return dataclasses.replace(fact, value=begin + change)
        if not period.is_instant and concept.type.value == "monetary" and period.start.month == 1 \
                and period.end.month == 9:                          # nine months = six months + the quarter
            six = source.get(FactKey(key.concept, Period(period.end.replace(month=6, day=30), period.start),
                                     key.unit, key.dimensions))
            third = value_of(FactKey(key.concept, Period(period.end, period.end.replace(month=7, day=1)),
                                     key.unit, key.dimensions))
            if six is not None and third is not None:
                return dataclasses.replace(fact, value=six.value + third)
        return fact

    def fill(key: FactKey):
        if key not in memo:
            memo[key] = compute(key)
        return memo[key]
    return fill


def _cny():
    from qfin_docs.model import CNY
    return CNY


@pytest.fixture(scope="module")
def rolled(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("next") / "qfin-2024q3"
    lines = new_quarter(RELEASE, target)
    assert lines[0].startswith(f"wrote {target}: ") and "placeholders (TODO)" in lines[0]
    return target


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    """The rolled-forward quarter with every placeholder filled from the fixture's rule, its quarter-specific
    commentary removed, a restated comparative and the sentence that quotes it (tests/fixtures/q3-2024/)."""
    source = load(RELEASE)
    roll = Roll(dt.date(2024, 6, 30))
    overrides = {("qfin:CumulativeRegisteredUsers", "2023-09-30"): Decimal("260000000"),
                 ("qfin:LoanFacilitationAndOriginationVolume", "2024-07-01/2024-09-30"): Decimal("97012000000")}
    target = tmp_path_factory.mktemp("filled") / "qfin-2024q3"
    new_quarter(RELEASE, target, fill=analog_fill(source, roll, overrides))
    prose = target / "prose" / "release.html.j2"
    text = prose.read_text(encoding="utf-8")
    # new wording: last quarter's explanations of its changes do not fit this quarter's figures
    text = re.sub(r" ?The (?:year-over-year|sequential)[^.]*?(?:increase|decrease|decline|growth)s?[^.]*\.", "", text)
    text = text.replace("</ul>", (FIXTURE / "restated-sentence.html.j2").read_text(encoding="utf-8") + "</ul>", 1)
    prose.write_text(text, encoding="utf-8")
    metrics = target / "facts" / "metrics.yaml"
    metrics.write_text(metrics.read_text(encoding="utf-8") + (FIXTURE / "restated-facts.yaml").read_text(
        encoding="utf-8"), encoding="utf-8")
    return target


def test_roll_forward_shifts_periods_and_carries_comparatives(rolled):
    text = (rolled / "release.yaml").read_text(encoding="utf-8")
    assert "id: qfin-2024q3" in text and "document_period_end: 2024-09-30" in text
    assert "Q3-2024: 2024-07-01/2024-09-30" in text and "M9-2024: 2024-01-01/2024-09-30" in text
    assert "Q2-2024: 2024-04-01/2024-06-30" in text and "Third Quarter" in text and "stated:" not in text
    tables = (rolled / "facts" / "tables.yaml").read_text(encoding="utf-8")
    assert "columns: [2023-12-31 CNY, 2024-09-30 CNY, 2024-09-30 USD]" in tables
    assert '"us-gaap:CashAndCashEquivalentsAtCarryingValue": [4177890, TODO, TODO]' in tables   # last year end carried
    prose = (rolled / "prose" / "release.html.j2").read_text(encoding="utf-8")
    assert '{% set Q, YA, PQ, H1 = "Q3-2024", "Q3-2023", "Q2-2024", "M9-2024" %}' in prose
    assert "stated=" not in prose
    metrics = (rolled / "facts" / "metrics.yaml").read_text(encoding="utf-8")
    assert re.search(r'concept: "us-gaap:Revenues", period: "Q2-2024", value: "RMB4160063 thousand"', metrics), \
        "the prior quarter's revenue is carried from the Q2 facts"


def test_a_build_refuses_placeholders_listing_every_one(rolled, tmp_path):
    err = io.StringIO()
    assert main(["build", str(rolled), "--out", str(tmp_path / "out")], io.StringIO(), err) == 2
    problems = [line for line in err.getvalue().splitlines() if ": QF-PLACEHOLDER " in line]
    assert len(problems) == len(load(rolled, draft=True).release.missing) > 300
    assert re.match(r".*facts/tables\.yaml:\d+: QF-PLACEHOLDER us-gaap:\w+ ", problems[0])
    assert not (tmp_path / "out").exists()


def test_a_draft_build_marks_every_missing_figure(rolled, tmp_path):
    out = tmp_path / "out"
    assert main(["build", "--draft", str(rolled), "--out", str(out)], io.StringIO(), io.StringIO()) in (0, 1)
    text = subprocess.run(["pdftotext", str(out / "press-release.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "DRAFT" in text and "DRAFT: figures still missing" in text
    assert "[TODO qfin:NumberOfFinancialInstitutionalPartners 2024-09-30]" in " ".join(text.split())
    assert "third quarter of 2024" in " ".join(text.split())
    from qfin_docs.verify.strict import check_build
    untied = [e for e in check_build(rolled, out).entries if e.status == "untied"]
    assert any("placeholder of a draft" in e.explanation for e in untied)


def test_the_filled_quarter_builds_checks_and_validates(filled, tmp_path):
    from qfin_docs.verify.strict import check_build
    from qfin_docs.verify.validate import validate
    out = tmp_path / "out"
    err = io.StringIO()
    assert main(["build", str(filled), "--out", str(out)], io.StringIO(), err) == 0, err.getvalue()
    report = check_build(filled, out)
    assert [str(p) for p in report.findings] == []
    assert validate(filled, out).problems == []
    html = " ".join(re.sub(r"<[^>]+>", "", (out / "press-release.html").read_text(encoding="utf-8")).split())
    assert "third quarter and nine months ended September 30, 2024" in html
    assert "Third Quarter 2024 Business Highlights" in html
    assert "247.6 million consumers¹ with potential credit needs, cumulatively, a decrease of 4.8% from 260.0 million" \
        in html                                      # Q2 said "an increase of 12.2% from 220.6 million"
    assert "RMB93,100 million (restated)" in html


def test_a_draft_quoting_the_original_value_is_reported_as_restated(filled, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text("Loan facilitation and origination volume was RMB97,012 million, and RMB95,425 million in the "
                     "prior quarter.\n", encoding="utf-8")
    from qfin_docs.verify.tieout import tieout_draft
    report = tieout_draft(filled, draft)
    restated = [e for e in report.entries if e.status == "restated"]
    assert len(restated) == 1 and "first published as 95,425,000,000 (qfin-2024q2)" in restated[0].explanation
    assert any(p.code == "QF-RESTATED" for p in report.findings)


def test_templates_name_no_quarter_or_year():
    """Shared templates serve every quarter: no quarter, half or year is written in them."""
    pattern = re.compile(r"\b(?:first|second|third|fourth) quarter\b|\b(?:19|20)\d\d\b|\bQ[1-4]\b|\bH1\b|interim",
                         re.IGNORECASE)
    offenders = [f"{path.relative_to(ROOT)}:{n}" for path in sorted((ROOT / "templates").rglob("*.j2"))
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<[^>]*>?", "", line))]
    assert offenders == []


def test_releases_build_in_parallel_with_make(tmp_path):
    """Each release's build depends only on its own files, so `make -j` runs them side by side."""
    plan = subprocess.run(["make", "-n", "-p", "build"], cwd=ROOT, capture_output=True, text=True).stdout
    rule = next(line for line in plan.splitlines() if line.startswith("build/qfin-2024q2/.built:"))
    assert "releases/qfin-2024q2/facts/tables.yaml" in rule and "releases/qfin-2024q3" not in rule
