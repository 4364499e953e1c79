"""The strict checker: a clean build has zero findings, mutants are caught, typed numbers are found."""
from __future__ import annotations

import copy
import json
import re
import shutil
from collections import Counter

import pytest

from qfin_docs.report import Report
from qfin_docs.strict import _DIRECTION, check_build, check_html

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
    figures = {f["id"]: f for f in json.loads((built / "figures.json").read_text(encoding="utf-8"))}
    spans = [(m.start(1), m.end(1)) for m in re.finditer(r'<span class="fig(?: neg)?" id="fig-\d+">([^<]*)</span>', html)]
    directions = [(m.start(3), m.end(3)) for m in _DIRECTION.finditer(html)]
    directions += [(m.start(1), m.end(1)) for m in re.finditer(r'id="fig-\d+">(an? (?:increase|decrease) of [\d.]+%)', html)]
    return html, figures, spans, directions, loaded


def findings_for(html: str, figures, loaded) -> list:
    """Findings of the HTML check, with the build record made to agree with the text: only a
    recomputation from the facts can catch a mutant."""
    figures = copy.deepcopy(figures)
    for match in re.finditer(r'<span class="fig(?: neg)?" id="fig-(\d+)">([^<]*)</span>', html):
        figures[int(match.group(1))]["text"] = " ".join(match.group(2).split())
    report = Report()
    check_html(html.encode("utf-8"), figures, loaded, report, "press-release.html")
    return report.findings


def test_no_false_alarm_on_the_clean_html(html_case):
    html, figures, _, _, loaded = html_case
    assert findings_for(html, figures, loaded) == []


def test_mutants_of_the_built_release_are_caught(html_case):
    html, figures, spans, directions, loaded = html_case
    population = mutants(html, spans, MUTANTS, seed=20240813, direction_spans=directions)
    assert len(population) >= 500
    missed = [m for m in population if not findings_for(m.text, figures, loaded)]
    by_operator = Counter(m.operator for m in population)
    assert len(by_operator) == 6 and min(by_operator.values()) >= 80, by_operator
    caught = 1 - len(missed) / len(population)
    assert caught >= 0.99, [(m.operator, m.before, m.after) for m in missed[:20]]


def test_a_number_typed_into_the_prose_is_found(built, tmp_path):
    from conftest import RELEASE
    release = tmp_path / "release"
    shutil.copytree(RELEASE, release)
    prose = release / "prose" / "release.html.j2"
    text = prose.read_text(encoding="utf-8")
    prose.write_text(text.replace("reached {{ money(\"qfin:LoanFacilitationAndOriginationVolume\", Q, places=0) }}",
                                  "reached RMB95,425 million"), encoding="utf-8")
    from qfin_docs.pipeline import build
    out = tmp_path / "out"
    assert build(release, out) == []
    report = check_build(release, out)
    untied = [e for e in report.entries if e.status == "untied"]
    assert {e.text for e in untied} == {"RMB95,425 million"}
    assert all(e.source.endswith("prose/release.html.j2:18") for e in untied), [e.source for e in untied]
    assert any(p.code == "QF-UNTIED" and "nearest facts: qfin:LoanFacilitationAndOriginationVolume" in p.message
               for p in report.findings)
