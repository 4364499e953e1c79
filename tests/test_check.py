"""The strict checker: a clean build has zero findings, mutants are caught, typed numbers are found."""
from __future__ import annotations

import dataclasses
from html import unescape
import re
import shutil
from collections import Counter

import pytest

from qfin_docs.verify.report import Report
from qfin_docs.model import BadInput
from qfin_docs.facts.directions import DIRECTION
from qfin_docs.verify.strict import check_build, check_html, read_figures

from mutants import mutants

MUTANTS = 600


def test_clean_build_has_zero_findings_and_every_number_accounted(built):
    from conftest import RELEASE
    report = check_build(RELEASE, built)
    assert [str(p) for p in report.findings] == []
    statuses = Counter(e.status for e in report.entries)
    assert set(statuses) == {"tied", "derived", "non-financial"}
    assert statuses["tied"] > 1300 and statuses["derived"] > 70


@pytest.fixture(scope="module")
def html_case(built, loaded):
    html = (built / "press-release.html").read_text(encoding="utf-8")
    figures = read_figures(built / "figures.json")
    spans = [(m.start(1), m.end(1)) for m in re.finditer(r'<span class="fig(?: neg| txt)?" id="fig-\d+">([^<]*)</span>', html)]
    directions = [(m.start(3), m.end(3)) for m in DIRECTION.finditer(html)]
    directions += [(m.start(1), m.end(1)) for m in re.finditer(r'id="fig-\d+">(an? (?:increase|decrease) of [\d.]+%)', html)]
    kinds = {"date": [], "text": []}       # date facts and periods; text facts (codes, names, tickers)
    for match in re.finditer(r'<span class="fig txt" id="fig-(\d+)">([^<]*)</span>', html):
        kind = figures[int(match.group(1))].kind.value
        if kind in ("date", "period") and re.search(r"\d{4}$", match.group(2)):
            kinds["date"].append((match.start(2), match.end(2)))
        elif kind in ("text", "constant") and match.group(2) != "Mini Co":
            kinds["text"].append((match.start(2), match.end(2)))
    return html, figures, spans, directions, kinds, loaded


def findings_for(html: str, figures, loaded) -> list:
    """Findings of the HTML check, with the build record made to agree with the text: only a
    recomputation from the facts can catch a mutant."""
    figures = dict(figures)
    for match in re.finditer(r'<span class="fig(?: neg| txt)?" id="fig-(\d+)">([^<]*)</span>', html):
        figure_id = int(match.group(1))
        figures[figure_id] = dataclasses.replace(figures[figure_id], text=" ".join(unescape(match.group(2)).split()))
    report = Report()
    check_html(html.encode("utf-8"), figures, loaded, report, "press-release.html")
    return report.findings


def test_no_false_alarm_on_the_clean_html(html_case):
    html, figures, _, _, _, loaded = html_case
    assert findings_for(html, figures, loaded) == []


def test_mutants_of_the_built_release_are_caught(html_case):
    html, figures, spans, directions, kinds, loaded = html_case
    population = mutants(html, spans, MUTANTS, seed=20240813, direction_spans=directions,
                         date_spans=kinds["date"], text_spans=kinds["text"])
    assert len(population) >= 500
    missed = [m for m in population if not findings_for(m.text, figures, loaded)]
    by_operator = Counter(m.operator for m in population)
    assert len(by_operator) == 10 and min(by_operator.values()) >= 40, by_operator
    caught = 1 - len(missed) / len(population)
    assert caught >= 0.99, [(m.operator, m.before, m.after) for m in missed[:20]]


def _build_with(tmp_path, *replacements):
    """Build a copy of the release whose prose has the replacements made (each must apply)."""
    from conftest import RELEASE
    from qfin_docs.pipeline import build
    release = tmp_path / "release"
    shutil.copytree(RELEASE, release)
    prose = release / "prose" / "release.html.j2"
    text = prose.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    prose.write_text(text, encoding="utf-8")
    return lambda: build(release, tmp_path / "out")


def _typed_problems(build) -> list[str]:
    with pytest.raises(BadInput) as raised:
        build()
    return [str(p) for p in raised.value.problems]


def test_a_number_typed_into_the_prose_fails_the_build_at_its_line(tmp_path):
    build = _build_with(tmp_path, ('reached {{ money("qfin:LoanFacilitationAndOriginationVolume", Q, places=0) }}',
                                   "reached RMB95,425 million"))
    problems = _typed_problems(build)
    assert len(problems) == 1 and "prose/release.html.j2:18: QF-TYPED-NUMBER 'RMB95,425' is typed" in problems[0]


@pytest.mark.parametrize("prose, typed", [
    ("consumers*1 with potential credit needs, loans*3 through our platform", None),    # the company's *N style
    ("users with approved credit lines² were", None),
    ("Total outstanding loan balance[6] was", None),
    ("consumers*1 and 12 more", "12"),                  # a marker never excuses a typed figure beside it
    ("a volume of 3*4", "3"),
])
def test_a_footnote_marker_in_any_listed_form_is_not_a_typed_number(prose, typed):
    """Issue 23: the company's own footnote style since Q3 2024 (``*1`` after a word, schema/phrases.yaml) may be
    typed into a release's prose, as ``<span class="fn">1</span>`` and superscripts may; a number may not."""
    import jinja2
    from qfin_docs.render.templating import TemplateRefused, check_typed_numbers
    if typed is None:
        check_typed_numbers(jinja2.Environment(), f"<li>{prose}</li>", "release.html.j2")
        return
    with pytest.raises(TemplateRefused) as refused:
        check_typed_numbers(jinja2.Environment(), f"<li>{prose}</li>", "release.html.j2")
    assert refused.value.code == "QF-TYPED-NUMBER" and refused.value.message.startswith(f"'{typed}' is typed")


def test_a_typed_duration_and_stock_code_fail_the_build(tmp_path):
    """Experiment 1 of the issue: '12-month' and the Hong Kong stock code typed instead of their helpers."""
    build = _build_with(tmp_path, ('{{ months("us-gaap:StockRepurchaseProgramPeriodInForce1", "REPURCHASE-PROGRAM") }}-month',
                                   "12-month"),
                        ('{{ text("qfin:HongKongStockCode", Q) }}', "3660"))
    problems = _typed_problems(build)
    assert len(problems) == 1 and "prose/release.html.j2:11: QF-TYPED-NUMBER '3660' is typed" in problems[0]
    build = _build_with(tmp_path / "b", ('{{ months("us-gaap:StockRepurchaseProgramPeriodInForce1", "REPURCHASE-PROGRAM") }}-month',
                                         "12-month"))
    problems = _typed_problems(build)
    assert len(problems) == 1 and "prose/release.html.j2:61: QF-TYPED-NUMBER '12-month' is typed" in problems[0]


def test_a_typed_duration_fails_even_when_the_fact_changes(tmp_path):
    """Experiment 2: the fact changed to P24M while the prose types 12: the build still refuses the typed 12."""
    build = _build_with(tmp_path, ('{{ months("us-gaap:StockRepurchaseProgramPeriodInForce1", "REPURCHASE-PROGRAM") }}-month',
                                   "12-month"))
    facts = tmp_path / "release" / "facts" / "metrics.yaml"
    text = facts.read_text(encoding="utf-8")
    line = next(l for l in text.splitlines() if "StockRepurchaseProgramPeriodInForce1" in l)
    facts.write_text(text.replace(line, line.replace("value: P12M", "value: P24M")), encoding="utf-8")
    assert "value: P24M" in facts.read_text(encoding="utf-8")
    assert any("QF-TYPED-NUMBER '12-month'" in p for p in _typed_problems(build))


def test_edited_dates_and_codes_in_the_outputs_are_found(built, tmp_path):
    """Experiment 3: the dividend payment date (October 29 -> 30) and the stock code (3660 -> 3661) edited
    in the built HTML and iXBRL: each is a located finding."""
    from conftest import RELEASE
    copy = tmp_path / "b"
    shutil.copytree(built, copy)
    for name in ("press-release.html", "qfin-20240630.htm"):
        path = copy / name
        text = path.read_text(encoding="utf-8")
        assert text.count("October 29, 2024") == 1 and text.count(">3660<") == 1
        path.write_text(text.replace("October 29, 2024", "October 30, 2024").replace(">3660<", ">3661<"),
                        encoding="utf-8")
    findings = [str(p) for p in check_build(RELEASE, copy).findings]
    for name in ("press-release.html", "qfin-20240630.htm"):
        assert any(f"{name}:" in f and "'October 30, 2024'" in f and "expected 'October 29, 2024'" in f
                   for f in findings), findings
        assert any(f"{name}:" in f and "'3661'" in f and "expected '3660'" in f for f in findings), findings
    tags = [f for f in findings if "QF-TAG-VALUE" in f]
    assert any("DividendPayableDateToBePaid" in f and "2024-10-30" in f for f in tags), tags
    assert any("HongKongStockCode" in f and "'3661'" in f for f in tags), tags
