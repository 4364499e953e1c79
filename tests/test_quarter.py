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


def confirm(folder: Path, only: str | None = None) -> None:
    """What a reviewer does: delete the carried marks (all, or those on lines containing ``only``)."""
    for path in sorted(folder.rglob("*.yaml")) + sorted((folder / "prose").glob("*.j2")):
        lines = path.read_text(encoding="utf-8").split("\n")
        out, skip_block, drop_end = [], None, 0
        for number, line in enumerate(lines):
            if skip_block is not None:
                if line.startswith(skip_block) and line.strip():
                    continue
                skip_block = None
            mine = only is None or only in line
            block_mine = mine or (number + 1 < len(lines) and only in lines[number + 1])   # a call's first line
            if re.match(r"^\s*carried:\s*(#.*)?$", line) and only is None:          # a carried block
                skip_block = line[:len(line) - len(line.lstrip())] + "  "
                continue
            if '{% call carried(' in line and block_mine:
                drop_end += 1
                continue
            if line.strip() == "{% endcall %}" and drop_end:
                drop_end -= 1
                continue
            if mine:
                line = re.sub(r', carried: "?[a-z0-9-]+"?', "", line)
                if re.match(r"^\s+carried: [a-z0-9-]+$", line):
                    continue
            out.append(line)
        path.write_text("\n".join(out), encoding="utf-8")


def _copy(source: Path, target: Path) -> Path:
    import shutil
    shutil.copytree(source, target)
    return target


def test_a_final_release_refuses_placeholders_and_carried_items(rolled, tmp_path):
    release = _copy(rolled, tmp_path / "qfin-2024q3")
    (release / "release.yaml").write_text((release / "release.yaml").read_text(encoding="utf-8").replace(
        "status: draft", "status: final"), encoding="utf-8")
    err = io.StringIO()
    assert main(["build", str(release), "--out", str(tmp_path / "out")], io.StringIO(), err) == 2
    problems = [line for line in err.getvalue().splitlines() if ": QF-PLACEHOLDER " in line]
    assert len(problems) == len(load(release, draft=True).release.missing) > 300
    assert re.match(r".*facts/tables\.yaml:\d+: QF-PLACEHOLDER us-gaap:\w+ ", problems[0])
    assert any(": QF-CARRIED " in line for line in err.getvalue().splitlines())
    assert not (tmp_path / "out").exists()
    assert main(["check", str(release), "--out", str(tmp_path / "out")], io.StringIO(), io.StringIO()) == 2


def test_a_draft_build_marks_every_missing_figure(rolled, tmp_path):
    """The rolled release is a draft (status: draft): each missing figure is a marker in words, listed once
    by fact with every place it is printed; check finds no other kind of finding in it, and never passes it."""
    out = tmp_path / "out"
    stdout = io.StringIO()
    assert main(["build", str(rolled), "--out", str(out)], stdout, io.StringIO()) == 4
    assert "DRAFT: " in stdout.getvalue() and "placeholders" in stdout.getvalue()
    text = " ".join(subprocess.run(["pdftotext", str(out / "press-release.pdf"), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    assert "DRAFT" in text and "DRAFT: figures still missing" in text
    assert "[TODO: Financial institutional partners connected, cumulative, as of September 30, 2024]" in text
    assert "[TODO: Total facilitation and origination loan volume, Capital-light model, ICE and other technology " \
           "solutions, RMB, Q3 2024]" in text
    assert "[TODO % change (Q3-2024 vs Q3-2023), waits for: Total facilitation and origination loan volume, RMB, " \
           "Q3 2024]" in text
    assert "third quarter of 2024" in text
    info = subprocess.run(["pdfinfo", str(out / "press-release.pdf")], capture_output=True, text=True).stdout
    assert "DRAFT, not for release" in info
    stdout, stderr = io.StringIO(), io.StringIO()
    assert main(["check", str(rolled), "--out", str(out)], stdout, stderr) == 4
    assert stderr.getvalue() == "", stderr.getvalue()[:2000]        # no finding: placeholders are open items
    assert "; 0 findings; DRAFT, not final: " in stdout.getvalue()
    from qfin_docs.verify.strict import check_build
    report = check_build(rolled, out)
    assert report.draft and not report.findings
    assert not [e for e in report.entries if e.status == "untied"]
    placeholders = [p for p in report.open if p.code == "QF-PLACEHOLDER"]
    missing = load(rolled).release.missing
    assert len(placeholders) == len({(f.concept, f.dimensions, f.period) for f in missing}) < len(missing)
    revenue = [p.message for p in placeholders if p.message.startswith("Total net revenue, Q3 2024 (RMB, US$) is TODO at ")]
    assert len(revenue) == 1 and "printed at " in revenue[0] and "press-release.html:" in revenue[0], placeholders[:3]


def test_check_reports_each_carried_item_until_confirmed(rolled, tmp_path):
    """Issue 23, point 2: what rolls forward as it was is reported by check (QF-CARRIED) until confirmed."""
    release = _copy(rolled, tmp_path / "qfin-2024q3")
    out = tmp_path / "out"
    assert main(["build", str(release), "--out", str(out)], io.StringIO(), io.StringIO()) == 4
    from qfin_docs.verify.strict import check_build
    carried = [str(p) for p in check_build(release, out).open if p.code.startswith("QF-CARRIED")]
    expected = {
        "fiscal period focus": r"metrics\.yaml:\d+: QF-CARRIED fact dei:DocumentFiscalPeriodFocus \S+ = Q2 ",
        "fiscal period focus names Q2": r"QF-CARRIED-PERIOD carried fact dei:DocumentFiscalPeriodFocus .*'Q2'",
        "ADSs repurchased": r"QF-CARRIED fact us-gaap:TreasuryStockSharesAcquired\[dei:AdrMember\] "
                            r"REPURCHASE-TO-DATE = 10\.7 million ",
        "repurchase amount": r"QF-CARRIED fact us-gaap:TreasuryStockValueAcquiredCostMethod\[dei:AdrMember\] "
                             r"REPURCHASE-TO-DATE = US\$211 million ",
        "US$ beginning cash": r"tables\.yaml:\d+: QF-CARRIED table cash-flows us-gaap:CashCashEquivalentsRestricted"
                              r"CashAndRestrictedCashEquivalents@start cell\(s\) Q3-2024 USD, M9-2024 USD ",
        "CFO quote names the second quarter": r"release\.html\.j2:\d+: QF-CARRIED-PERIOD carried quote .*"
                                              r"'second quarter', 'second quarter'",
        "CRO quote": r"QF-CARRIED quote “Mr\. Yan Zheng, Chief Risk Officer",
        "call date": r"QF-CARRIED section “Conference Call Preregistration",
        "Interim in the title": r"release\.yaml:\d+: QF-CARRIED-PERIOD carried release\.yaml title .*'Interim'",
        "title": r"release\.yaml:\d+: QF-CARRIED release\.yaml title 'Qifu Technology Announces Third Quarter",
        "board change": r"QF-CARRIED section “Board Change",
        "dividend": r"QF-CARRIED section “Semi-Annual Dividend",
        "waiver at the old rate": r"release\.yaml:\d+: QF-CARRIED waiver of QF-TRANSLATION ",
        "text fact": r"QF-CARRIED fact dei:EntityRegistrantName ",
        "constant": r"QF-CARRIED constant 'dial-in-minutes' ",
    }
    for what, pattern in expected.items():
        assert any(re.search(pattern, line) for line in carried), (what, carried)
    # confirmed one at a time: the confirmed one goes, the rest stay
    confirm(release, "TreasuryStockSharesAcquired")
    assert main(["build", str(release), "--out", str(out)], io.StringIO(), io.StringIO()) == 4
    after = [str(p) for p in check_build(release, out).open if p.code.startswith("QF-CARRIED")]
    assert not any("TreasuryStockSharesAcquired" in line for line in after) and len(after) == len(carried) - 1
    # a changed title is no longer carried
    yaml_text = (release / "release.yaml").read_text(encoding="utf-8")
    (release / "release.yaml").write_text(re.sub(r"(?m)^title: .*$", "title: Qifu Technology Announces Third "
                                                 "Quarter 2024 Unaudited Financial Results", yaml_text),
                                          encoding="utf-8")
    assert not any(" title " in str(p) for p in load(release).release.carried)
    confirm(release)
    assert main(["build", str(release), "--out", str(out)], io.StringIO(), io.StringIO()) == 4
    report = check_build(release, out)
    assert [p for p in report.open if p.code.startswith("QF-CARRIED")] == [] and not report.findings


def test_the_filled_quarter_builds_checks_and_validates(filled, tmp_path):
    from qfin_docs.verify.strict import check_build
    from qfin_docs.verify.validate import validate
    out = tmp_path / "out"
    err = io.StringIO()
    confirm(filled)         # every carried item confirmed: the release can be final
    (filled / "release.yaml").write_text((filled / "release.yaml").read_text(encoding="utf-8").replace(
        "status: draft", "status: final"), encoding="utf-8")
    assert main(["build", str(filled), "--out", str(out)], io.StringIO(), err) == 0, err.getvalue()
    report = check_build(filled, out)
    assert not report.draft and report.open == []
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


def test_a_draft_tieout_takes_a_figure_of_a_placeholder_as_an_open_item(rolled, tmp_path):
    """In a draft, a figure the facts have no value for yet is an open item, not untied; a filled figure is
    still checked (the year-ago revenue the roll carried, misprinted, is a finding)."""
    draft = tmp_path / "draft.txt"
    draft.write_text("Third Quarter 2024 Financial Highlights\n\nTotal net revenue was RMB4,300.0 million.\n\n"
                     "Net revenue in the prior quarter was RMB4,160.1 million.\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["tieout", str(rolled), str(draft), "-v"], out, err) == 4, err.getvalue()
    assert "placeholder   'RMB4,300.0 million'         Total net revenue, RMB, Q3 2024 is still TODO" in out.getvalue()
    assert "tied          'RMB4,160.1 million'" in out.getvalue()
    draft.write_text(draft.read_text(encoding="utf-8").replace("4,160.1", "4,106.1"), encoding="utf-8")
    assert main(["tieout", str(rolled), str(draft)], io.StringIO(), err) == 1


@pytest.mark.parametrize("status", ["final", "draft", "final   # signed off"])
def test_the_next_quarter_of_a_release_that_says_its_status_is_a_draft(tmp_path, status):
    """README, Next quarter, step 8 sets ``status: final``; rolling that release on starts a draft (the old
    status line is not kept after the new one)."""
    import shutil
    source = tmp_path / "qfin-2024q2"
    shutil.copytree(RELEASE, source, ignore=shutil.ignore_patterns("reference"))
    release_yaml = source / "release.yaml"
    release_yaml.write_text(re.sub(r"(?m)^(id: .*)$", rf"\1\nstatus: {status}", release_yaml.read_text(
        encoding="utf-8"), count=1), encoding="utf-8")
    assert load(source, status.startswith("draft")).release.draft == status.startswith("draft")
    target = tmp_path / "qfin-2024q3"
    new_quarter(source, target)
    text = (target / "release.yaml").read_text(encoding="utf-8")
    assert re.findall(r"(?m)^status: \w+", text) == ["status: draft"]
    assert load(target).release.draft
