"""Issue 23, acceptance: Q2 2024 rolled a year on to Q2 2025, the highlight facts filled from the real text
(tests/fixtures/q2-2025/, public facts, see SOURCE.md) and its sentences installed as the highlights prose, the
draft built, and the real Q2 2025 opening tied with ``tieout --draft``: every figure tied or derived, no finding;
each kind of mistake planted into a copy is caught and named."""
from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import lxml.html
import pytest

from qfin_docs.cli import main
from qfin_docs.facts.load import load
from qfin_docs.quarter import new_quarter
from qfin_docs.verify.tieout import tieout_draft

from conftest import RELEASE

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "q2-2025"
OPENING = FIXTURE / "qfin-2025q2-opening.txt"
HIGHLIGHTS = "Business Highlights</h2>\n<ul>\n"       # the rolled prose's highlight list, replaced up to:
ROLLED_ON = "<li>The weighted average contractual tenor"    # the bullets the stored text does not reach


@pytest.fixture(scope="module")
def q2_2025(tmp_path_factory) -> Path:
    """The release a year on, with its own segmentation (taxonomy.yaml: ongoing services) and the highlight
    facts of the real text; everything else stays a placeholder."""
    target = tmp_path_factory.mktemp("year") / "qfin-2025q2"
    new_quarter(RELEASE, target, quarters=4)
    shutil.copy(FIXTURE / "taxonomy.yaml", target / "taxonomy.yaml")
    release_yaml = target / "release.yaml"
    release_yaml.write_text(release_yaml.read_text(encoding="utf-8").replace(
        "fact_files:", "taxonomy: taxonomy.yaml\nfact_files:", 1), encoding="utf-8")
    metrics = target / "facts" / "metrics.yaml"
    metrics.write_text(metrics.read_text(encoding="utf-8").replace('value: "Qifu Technology, Inc."',
                                                                   'value: "Qfin Holdings, Inc."')
                       + (FIXTURE / "highlight-facts.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    prose = target / "prose" / "release.html.j2"        # the real sentences as the highlights prose
    text = prose.read_text(encoding="utf-8")
    start = text.index(HIGHLIGHTS) + len(HIGHLIGHTS)
    end = text.index(ROLLED_ON, start)
    prose.write_text(text[:start] + (FIXTURE / "highlights.html.j2").read_text(encoding="utf-8") + text[end:],
                     encoding="utf-8")
    release_yaml.write_text(release_yaml.read_text(encoding="utf-8") + "stated:\n"
                            "  borrowers-yoy: 14.9%   # 36.8 m vs 32.0 m gives 15.0% from the rounded figures\n",
                            encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def q2_2025_built(q2_2025, tmp_path_factory) -> tuple[Path, int, str]:
    """The draft built once: (its output folder, the exit status, what it printed)."""
    out, stdout = tmp_path_factory.mktemp("built") / "out", io.StringIO()
    status = main(["build", str(q2_2025), "--out", str(out)], stdout, io.StringIO())
    return out, status, stdout.getvalue()


def test_the_year_roll_makes_this_years_q2_the_comparative(q2_2025):
    text = (q2_2025 / "release.yaml").read_text(encoding="utf-8")
    assert "Q2-2025: 2025-04-01/2025-06-30" in text and "Q1-2025: 2025-01-01/2025-03-31" in text
    assert "Q2-2024: 2024-04-01/2024-06-30" in text and "status: draft" in text
    loaded = load(q2_2025)
    volumes = {(str(f.period), tuple(m.local for _, m in f.dimensions)): f for f in loaded.release.facts
               if f.concept.local == "LoanFacilitationAndOriginationVolume"}
    assert volumes[("2024-04-01/2024-06-30", ())].value == 95425000000            # first published, all services
    restated = volumes[("2024-04-01/2024-06-30", ("OngoingServicesMember",))]
    assert restated.value == 72864000000 and restated.restated.first_published == "qfin-2024q2"
    assert "qfin:OngoingServicesMember" in {str(m) for a in loaded.taxonomy.axes.values() for m in a.members}
    shared = (Path(__file__).resolve().parents[1] / "schema" / "taxonomy.yaml").read_text(encoding="utf-8")
    assert "OngoingServices" not in shared           # declared by the release, not in the shared taxonomy


def test_the_draft_builds_and_is_never_final(q2_2025, q2_2025_built):
    out, status, printed = q2_2025_built
    assert status == 4, printed
    html = (out / "press-release.html").read_text(encoding="utf-8")
    assert '<meta name="qfin-docs-status" content="draft">' in html and "DRAFT, not for release" in html
    stdout, stderr = io.StringIO(), io.StringIO()
    assert main(["check", str(q2_2025), "--out", str(out)], stdout, stderr) == 4
    assert stderr.getvalue() == "" and "; 0 findings; DRAFT, not final: " in stdout.getvalue()


def test_the_real_opening_ties_with_no_finding(q2_2025):
    report = tieout_draft(q2_2025, OPENING, True)
    assert [str(p) for p in report.findings] == []
    assert report.draft and report.open
    figures = [e for e in report.entries if e.status != "non-financial"]
    assert {e.status for e in figures} == {"tied", "derived"}
    by_text = {e.text: e for e in figures}
    for text in ("165", "275.8 million", "60.2 million", "36.8 million", "23,638,189", "RMB84,609 million",
                 "RMB72,864 million", "RMB88,883 million", "RMB35,032 million", "RMB39,344 million",
                 "RMB43,811 million", "RMB140,080 million", "RMB123,551 million", "RMB140,273 million",
                 "RMB71,530 million", "RMB69,589 million", "RMB78,681 million"):
        assert by_text[text].status == "tied", (text, by_text[text])
    for text in ("11.4%", "12.3%", "14.9%", "16.1%", "4.8%", "41.4%", "11.0%", "20.0%", "13.4%", "0.1%",
                 "2.8%", "9.1%"):
        assert by_text[text].status == "derived", (text, by_text[text])
    markers = [e.text for e in report.entries if e.explanation == "footnote marker"]
    assert markers == ["*1", "*2", "*3", "*4", "*5", "*6"]


def _sentences(paragraphs: list[str]) -> list[str]:
    """Sentences of paragraphs, whitespace normalised."""
    return [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", " ".join(p.split())) if s]


def _highlights(html: Path):
    """The heading of the built draft's business highlights (the list follows it)."""
    root = lxml.html.parse(str(html)).getroot()
    return next(h for h in root.iter("h2") if h.text_content().endswith("Business Highlights"))


def test_the_drafts_highlights_read_as_the_real_text(q2_2025_built):
    """The highlights of the built draft are the real text's sentences, every figure printed by a helper; the
    stored text stops mid-sentence ([GAP]), which the draft's sentence completes."""
    real = OPENING.read_text(encoding="utf-8").split("Business Highlights", 1)[1].split("[GAP]")[0]
    real = _sentences([line.removeprefix("- ") for line in real.strip().split("\n- ")])     # bullets "- ..."
    heading = _highlights(q2_2025_built[0] / "press-release.html")
    assert " ".join(heading.text_content().split()) == "Second Quarter 2025 Business Highlights"
    built = _sentences([li.text_content() for li in heading.getnext().iter("li")])
    assert len(real) == 8 and built[:len(real) - 1] == real[:-1]
    assert built[len(real) - 1].startswith(real[-1]) and built[len(real) - 1].endswith("as of March 31, 2025.")
    assert "[TODO: Weighted average contractual tenor" in built[len(real)]   # rolled on, still a placeholder


def test_the_drafts_own_html_ties_out_with_no_finding(q2_2025, q2_2025_built):
    """The built draft read back by the tie-out: its figures tied or derived, its placeholders' markers and its
    list of what is missing open items (listed), never findings."""
    html = q2_2025_built[0] / "press-release.html"
    report = tieout_draft(q2_2025, html, True)
    assert [str(p) for p in report.findings] == []
    assert {e.status for e in report.entries} == {"tied", "derived", "non-financial"}
    assert any("Weighted average contractual tenor" in str(p) for p in report.open)
    listed = _highlights(html).getnext()
    lines = range(listed.sourceline, listed.getnext().sourceline)
    shown = {e.text: e.status for e in report.entries
             if e.status != "non-financial" and int(e.location.rpartition(":")[2]) in lines}
    assert len(shown) == 33 and set(shown.values()) == {"tied", "derived"}, shown
    assert shown["RMB72,864 million"] == shown["9.97"] == "tied" and shown["41.4%"] == shown["14.9%"] == "derived"
    out, err = io.StringIO(), io.StringIO()
    assert main(["tieout", "--draft", str(q2_2025), str(html)], out, err) == 4, err.getvalue()


PLANTED = {
    "unrestated figure": ("from RMB72,864 million", "from RMB95,425 million",
                          r"QF-RESTATED 'RMB95,425 million': the first-published figure where the restated one is "
                          r"meant: this is Total facilitation and origination loan volume, RMB, Q2 2024 as first "
                          r"published \(qfin-2024q2, .*expected the restated Total facilitation and origination "
                          r"loan volume, Ongoing services, RMB, Q2 2024, 72,864,000,000"),
    "prior quarter's figure": ("reached RMB84,609 million", "reached RMB88,883 million",
                               r"QF-INCONSISTENT 'RMB88,883 million': this is .* for 2025-01-01/2025-03-31 .*"
                               r"expected RMB84,609 million, Total facilitation and origination loan volume, "
                               r"Ongoing services, RMB, Q2 2025"),
    "misround": ("reached RMB84,609 million", "reached RMB84.7 billion",
                 r"QF-INCONSISTENT 'RMB84.7 billion': .*expected RMB84.6 billion, Total facilitation and "
                 r"origination loan volume, Ongoing services, RMB, Q2 2025"),
    "transposition": ("RMB140,080 million as of June 30, 2025", "RMB140,800 million as of June 30, 2025",
                      r"QF-INCONSISTENT 'RMB140,800 million': .*expected RMB140,080 million, Total outstanding loan "
                      r"balance, Ongoing services, RMB, as of June 30, 2025"),
    "wrong % change": ("an increase of 16.1%", "an increase of 16.4%",
                       r"QF-INCONSISTENT '16.4%': the % change of Total facilitation and origination loan volume, "
                       r"Ongoing services, RMB, Q2 2025 from 72,864,000,000 .* expected an increase of 16.1%"),
    "increase for a decrease": ("a decrease of 4.8%", "an increase of 4.8%",
                                r"QF-INCONSISTENT '4.8%': .*direction: the change is a decrease"),
}


@pytest.mark.parametrize("kind", PLANTED)
def test_each_planted_mistake_is_caught_and_named(q2_2025, tmp_path, kind):
    right, wrong, named = PLANTED[kind]
    text = OPENING.read_text(encoding="utf-8")
    assert text.count(right) == 1
    draft = tmp_path / "draft.txt"
    draft.write_text(text.replace(right, wrong), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["tieout", "--draft", str(q2_2025), str(draft)], out, err) == 1
    findings = err.getvalue().splitlines()
    assert len(findings) == 1 and re.search(named, findings[0]), findings
