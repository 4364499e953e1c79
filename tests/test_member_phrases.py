"""Issue 23: a release's own members are named in prose by the phrases its taxonomy.yaml declares for them, and
the tie-out of a draft reads them: a figure whose clause says a member's phrase is that member's fact, not the
total's, and a wrong figure named by the phrase is reported with the member's expected value.  The phrases here
are not the members' labels (a phrase that differs from the label names the member as well)."""
from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from qfin_docs.cli import main
from qfin_docs.facts.load import load
from qfin_docs.verify.tieout import TieOut, tieout_draft

from conftest import RELEASE

TAXONOMY = """\
axes:
  qfin:BusinessLineStatusAxis:
    label: Business line status
    domain: qfin:BusinessLineStatusDomain
    additive: true
    members:
      qfin:RetainedBusinessMember: {label: Retained business, phrases: [continuing services]}
      qfin:WoundDownBusinessMember: {label: Wound-down business, phrases: [exited services, the run-off book]}
"""

FACTS = """
  # invented example data: the Q2 2024 volume split by a release's own segmentation (80,000 + 15,425 = 95,425)
  - {concept: "qfin:LoanFacilitationAndOriginationVolume[qfin:RetainedBusinessMember]", period: Q2-2024, value: "RMB80,000 million"}
  - {concept: "qfin:LoanFacilitationAndOriginationVolume[qfin:WoundDownBusinessMember]", period: Q2-2024, value: "RMB15,425 million"}
"""

VOLUME = "Total facilitation and origination loan volume"


@pytest.fixture(scope="module")
def segmented(tmp_path_factory) -> Path:
    """Q2 2024 with a segmentation of its own, declared in the release's taxonomy.yaml."""
    target = tmp_path_factory.mktemp("phrases") / "qfin-2024q2"
    shutil.copytree(RELEASE, target, ignore=shutil.ignore_patterns("reference"))
    (target / "taxonomy.yaml").write_text(TAXONOMY, encoding="utf-8")
    release_yaml = target / "release.yaml"
    release_yaml.write_text(release_yaml.read_text(encoding="utf-8").replace(
        "fact_files:", "taxonomy: taxonomy.yaml\nfact_files:", 1), encoding="utf-8")
    metrics = target / "facts" / "metrics.yaml"
    metrics.write_text(metrics.read_text(encoding="utf-8") + FACTS, encoding="utf-8")
    return target


def _tie(release: Path, tmp_path: Path, text: str):
    draft = tmp_path / "draft.txt"
    draft.write_text(text + "\n", encoding="utf-8")
    report = tieout_draft(release, draft)
    return report, {e.text: e for e in report.entries if e.status != "non-financial"}


def test_the_declared_phrases_are_read_as_data(segmented):
    engine = TieOut(load(segmented))
    assert {phrase: str(member) for phrase, (_, member) in engine.member_phrases.items()} == {
        "retained business": "qfin:RetainedBusinessMember", "continuing services": "qfin:RetainedBusinessMember",
        "wound down business": "qfin:WoundDownBusinessMember", "exited services": "qfin:WoundDownBusinessMember",
        "the run off book": "qfin:WoundDownBusinessMember"}


@pytest.mark.parametrize("sentence, figure, member", [
    (f"{VOLUME} of continuing services reached RMB80,000 million in the second quarter of 2024.",
     "RMB80,000 million", "RetainedBusinessMember"),
    (f"{VOLUME} reached RMB80,000 million for continuing services and RMB15,425 million for exited services in "
     "the second quarter of 2024.", "RMB15,425 million", "WoundDownBusinessMember"),
    (f"{VOLUME} of the run-off book was RMB15,425 million in the second quarter of 2024.",
     "RMB15,425 million", "WoundDownBusinessMember"),
    (f"{VOLUME} reached RMB95,425 million in the second quarter of 2024.", "RMB95,425 million", None),
])
def test_a_figure_named_by_a_phrase_ties_to_the_members_fact(segmented, tmp_path, sentence, figure, member):
    report, entries = _tie(segmented, tmp_path, sentence)
    assert [str(p) for p in report.findings] == []
    fact = entries[figure].fact
    assert entries[figure].status == "tied" and fact.concept.local == "LoanFacilitationAndOriginationVolume"
    assert [m.local for _, m in fact.dimensions] == ([member] if member else [])


@pytest.mark.parametrize("wrong, expected", [
    ("RMB95,425 million", "RMB80,000 million"),     # the total's value, where the phrase names the member
    ("RMB80,900 million", "RMB80,000 million"),     # a misprint, reported with the member's value, not the total's
])
def test_a_wrong_figure_named_by_a_phrase_is_reported_with_the_members_value(segmented, tmp_path, wrong, expected):
    draft = tmp_path / "draft.txt"
    draft.write_text(f"{VOLUME} of continuing services reached {wrong} in the second quarter of 2024.\n",
                     encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["tieout", str(segmented), str(draft)], out, err) == 1
    findings = err.getvalue().splitlines()
    assert len(findings) == 1 and re.search(
        rf"QF-INCONSISTENT '{wrong}': .*expected {expected}, {VOLUME}, Retained business, RMB, Q2 2024", findings[0]), \
        findings
