"""Tie-out of drafts written by people: the reference ties completely, and mutants of it do not."""
from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from qfin_docs.cli import main
from qfin_docs.verify.scan import tokens
from qfin_docs.verify.drafts import _read_text
from qfin_docs.verify.tieout import TieOut, tie, tieout_draft

from conftest import REFERENCE, RELEASE
from mutants import mutants

# Figures of the reference that do not tie, with the reason.  Expected: none.
EXCEPTIONS: dict[str, str] = {}


def test_reference_ties_every_financial_figure():
    report = tieout_draft(RELEASE, REFERENCE)
    untied = {e.text: e.explanation for e in report.entries if not e.ok}
    assert untied == EXCEPTIONS
    statuses = Counter(e.status for e in report.entries)
    assert statuses["tied"] == 685            # 499 table cells and 186 prose figures
    derived = sorted(e.text for e in report.entries if e.status == "derived")
    assert derived == sorted(["12.2%", "13.0%", "12.3%", "23.2%", "64.9%", "13.9%", "14.5%", "9.6%", "65%",
                              "RMB8.49 billion"])


def test_reference_inconsistencies_are_explained_not_failed():
    report = tieout_draft(RELEASE, REFERENCE)
    assert report.findings == []
    assert any("StockholdersEquity" in note and "waived" in note for note in report.notes)
    change = next(e for e in report.entries if e.text == "13.0%")
    assert "in [12.856%, 13.305%]" in change.explanation     # 53.6/47.4 gives 13.1%: rounding explains 13.0%


@pytest.mark.parametrize("draft", ["press-release.html", "press-release.pdf"])
def test_built_outputs_tie_as_drafts(built, draft):
    report = tieout_draft(RELEASE, built / draft)
    assert [str(p) for p in report.findings] == []
    assert Counter(e.status for e in report.entries)["tied"] == 685


def test_json_report(capsys):
    status = main(["tieout", str(RELEASE), str(REFERENCE), "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert status == 0
    assert data["findings"] == []
    first = next(n for n in data["numbers"] if n["status"] == "derived")
    assert set(first) == {"text", "location", "status", "explanation", "source", "confidence"}
    assert {n["status"] for n in data["numbers"]} == {"tied", "derived", "non-financial"}


def test_a_wrong_direction_word_is_inconsistent(tmp_path):
    text = REFERENCE.read_text(encoding="utf-8").replace("an increase of 12.2%", "a decrease of 12.2%")
    draft = tmp_path / "draft.txt"
    draft.write_text(text, encoding="utf-8")
    report = tieout_draft(RELEASE, draft)
    assert [(e.text, e.status) for e in report.entries if not e.ok] == [("12.2%", "inconsistent")]


def _financial_spans(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    spans, directions, position = [], [], 0
    for line in text.splitlines(keepends=True):
        if "\t" in line and not line.startswith("\t"):
            offset = position
            for cell in line.split("\t"):
                value = cell.strip()
                if re.fullmatch(r"\(?[\d,.]+%?\)?", value) and any(c.isdigit() for c in value):
                    spans.append((offset, offset + len(value)))
                offset += len(cell) + 1
        elif "\t" not in line:
            for token in tokens(line):
                if not token.kind and token.printed is not None and "\\" not in line[token.start:token.end] \
                        and line[max(0, token.start - 3):token.start] != "^{*":
                    spans.append((position + token.start, position + token.end))
            for match in re.finditer(r"\b(an? (?:increase|decrease) of)", line):
                directions.append((position + match.start(1), position + match.end(1)))
        position += len(line)
    return spans, directions


def test_mutants_of_the_reference_are_caught(loaded):
    text = REFERENCE.read_text(encoding="utf-8")
    spans, directions = _financial_spans(text)
    population = mutants(text, spans, 500, seed=7, direction_spans=directions)
    engine = TieOut(loaded)

    def findings(draft: str) -> list:
        return tie(engine, *_read_text(draft), "draft").findings

    assert findings(text) == []
    missed = [m for m in population if not findings(m.text)]
    assert len(population) == 500
    assert 1 - len(missed) / len(population) >= 0.99, [(m.operator, m.before, m.after) for m in missed]


def test_derivation_library_per_ads_and_period_difference(loaded):
    from qfin_docs.facts.numbers import parse_printed
    from qfin_docs.verify.derive import derivations, per_ads
    from qfin_docs.verify.report import Explained
    engine = TieOut(loaded)
    assert per_ads(engine, parse_printed("RMB9.08")) == [
        Explained("2 x EarningsPerShareBasic@2024-04-01/2024-06-30 (per ADS)")]
    assert per_ads(engine, parse_printed("RMB9.10")) == []
    revenue = [f for f in loaded.release.facts if str(f.concept) == "us-gaap:Revenues" and not f.dimensions]
    found = derivations(engine, parse_printed("RMB4,153.2 million"), "compared to ", revenue, [])
    assert Explained("difference Revenues 2024-01-01/2024-06-30 - 2024-04-01/2024-06-30") in found


@pytest.mark.parametrize("sentence, status", [
    ("Total net revenue was RMB4,160.1 million, up 6.3% from RMB3,914.3 million in the same period of 2023.", "derived"),
    ("Total net revenue was RMB4,160.1 million, a 6.3% increase from RMB3,914.3 million in the same period of 2023.",
     "derived"),
    ("Total net revenue grew 6.3% to RMB4,160.1 million from RMB3,914.3 million in the same period of 2023.", "derived"),
    ("Total facilitation and origination loan volume reached RMB95,425 million, down 23.2% from RMB124,225 million "
     "in the same period of 2023.", "derived"),
    ("Total facilitation and origination loan volume reached RMB95,425 million, up 23.2% from RMB124,225 million "
     "in the same period of 2023.", "inconsistent"),
    ("Total facilitation and origination loan volume reached RMB95,425 million, 23.2% lower than RMB124,225 million "
     "in the same period of 2023.", "derived"),
])
def test_changes_in_the_forms_financial_writing_uses(tmp_path, sentence, status):
    from qfin_docs.verify.tieout import tieout_draft
    draft = tmp_path / "draft.txt"
    draft.write_text(sentence + "\n", encoding="utf-8")
    entries = [e for e in tieout_draft(RELEASE, draft).entries if e.text.endswith("%")]
    assert [e.status for e in entries] == [status], [(e.text, e.status, e.explanation) for e in entries]


def test_a_us_dollar_figure_must_translate_its_rmb_figure(tmp_path):
    from qfin_docs.verify.tieout import tieout_draft
    draft = tmp_path / "draft.txt"
    draft.write_text("Total net revenue was RMB4,160.1 million (US$575.4 million), compared to RMB3,914.3 million "
                     "in the same period of 2023.\n", encoding="utf-8")
    report = tieout_draft(RELEASE, draft)
    wrong = [e for e in report.entries if e.text == "US$575.4 million"]
    assert wrong and wrong[0].status == "inconsistent" and "not the translation of RMB4,160.1 million" in \
        wrong[0].explanation


def test_the_sources_per_ads_translation_is_explained(reference_text):
    from conftest import REFERENCE
    from qfin_docs.verify.tieout import tieout_draft
    report = tieout_draft(RELEASE, REFERENCE)
    notes = [n for n in report.notes if "US$1.22" in n]
    assert len(notes) == 2 and all("RMB8.92 / 7.2672 = US$1.2274" in n and "anomaly of the source" in n
                                   for n in notes)
    assert report.findings == []


@pytest.mark.parametrize("original, mistaken, message", [
    ("Total net revenue was RMB4,160.1 million (US\\$572.4 million), compared to RMB3,914.3 million",
     "Total net revenue was RMB4,153.2 million (US\\$572.4 million), compared to RMB3,914.3 million",
     "this is us-gaap:Revenues for 2024-01-01/2024-03-31 (4,153,200,000); the text is about 2024-04-01/2024-06-30, "
     "where the fact is 4,160,063,000"),
    ("Net income was RMB1,376.5 million (US\\$189.4 million), compared to RMB1,093.4 million",
     "Net income was RMB1,093.4 million (US\\$189.4 million), compared to RMB1,093.4 million",
     "this is us-gaap:ProfitLoss for 2023-04-01/2023-06-30"),
])
def test_a_figure_of_another_period_is_named_as_that_mistake(reference_text, tmp_path, original, mistaken, message):
    """A real figure of the wrong period (Q1 2024 or Q2 2023 in a Q2 2024 slot) is found, with what was expected;
    its US$ twin, the right fact, is not blamed for no longer translating it."""
    from qfin_docs.verify.tieout import tieout_draft
    assert reference_text.count(original) >= 1
    draft = tmp_path / "draft.txt"
    draft.write_text(reference_text.replace(original, mistaken, 1), encoding="utf-8")   # the first place
    findings = [str(p) for p in tieout_draft(RELEASE, draft).findings]
    assert any("QF-INCONSISTENT" in f and message in f for f in findings), findings
    assert len(findings) == 1, findings


def test_a_sum_is_found_only_of_items_the_text_names(reference_text, tmp_path):
    """"total cash and cash equivalent¹¹ ... RMB8.49 billion" is cash + restricted cash + security deposits
    because footnote 11 names them; without the footnote the same figure is no invented sum."""
    from qfin_docs.verify.tieout import tieout_draft
    report = tieout_draft(RELEASE, REFERENCE)
    total = next(e for e in report.entries if e.text == "RMB8.49 billion")
    assert total.status == "derived" and "RestrictedCashCurrent" in total.explanation
    draft = tmp_path / "draft.txt"
    draft.write_text(reference_text.replace("cash and cash equivalent¹¹ was", "cash and cash equivalent was"),
                     encoding="utf-8")
    assert reference_text.count("cash and cash equivalent¹¹ was") == 1
    entry = next(e for e in tieout_draft(RELEASE, draft).entries if e.text == "RMB8.49 billion")
    assert entry.status == "untied", entry


@pytest.mark.parametrize("text, marker", [
    ("and 247.6 million consumers*1 with potential credit needs", "*1"),
    ("Total facilitation and origination loan volume*4 reached RMB95,425 million", "*4"),
    ("was RMB95,425 million*4, an increase", "*4"),
    ("Cumulative users with approved credit lines² were 53.6 million", "²"),
    ("Cumulative users with approved credit lines(2) were 53.6 million", "(2)"),
    ("Cumulative users with approved credit lines [2] were 53.6 million", "[2]"),
])
def test_footnote_markers_in_every_form_are_markers_not_numbers(text, marker):
    """*1, ¹, (1), [1] after a figure or a word (schema/phrases.yaml) are footnote markers, never figures."""
    from qfin_docs.verify.scan import tokens
    found = [(t.text, t.kind) for t in tokens(text)]
    assert (marker, "footnote marker") in found, found
    assert all(kind or t not in ("1", "2", "4") for t, kind in found), found


def test_a_star_marker_is_not_tied_to_a_fact(tmp_path):
    """"*7" after a word was tied to the exchange rate 7.2672 (issue 23); now it is a marker."""
    draft = tmp_path / "draft.txt"
    draft.write_text("Total outstanding loan balance*6 was RMB157,778 million as of June 30, 2024. "
                     "Cumulative borrowers*7 were 32.0 million as of June 30, 2024.\n", encoding="utf-8")
    report = tieout_draft(RELEASE, draft)
    markers = [e for e in report.entries if e.text in ("*6", "*7")]
    assert [e.status for e in markers] == ["non-financial", "non-financial"], report.entries
    assert not report.findings and sum(e.status == "tied" for e in report.entries) == 2


def test_a_sum_follows_a_star_marker_to_its_footnote(reference_text, tmp_path):
    """The company's own style since Q3 2024: "cash and cash equivalent*11" and a footnote "*11 Including ..."
    name the items of the sum as "¹¹" does."""
    starred = reference_text.replace("cash and cash equivalent¹¹ was", "cash and cash equivalent*11 was") \
        .replace("\n¹¹ Including", "\n*11 Including")
    assert starred.count("*11") == 2
    draft = tmp_path / "draft.txt"
    draft.write_text(starred, encoding="utf-8")
    report = tieout_draft(RELEASE, draft)
    total = next(e for e in report.entries if e.text == "RMB8.49 billion")
    assert total.status == "derived" and "RestrictedCashCurrent" in total.explanation
    assert [e.status for e in report.entries if e.text == "*11"] == ["non-financial", "non-financial"]
    assert not report.findings


def test_every_number_kind_of_the_data_file_compiles_with_its_number_group():
    """number_kinds.yaml (issue 22): every row of every section, in the file's order, is a kind and a compiled
    pattern with a group "n"; none is left out; the period grammar's MONTH is the file's `parts: month`."""
    import yaml
    from qfin_docs.facts.periods import MONTH
    from qfin_docs.verify.scan import GENERIC, NUMBER_KINDS, SECTIONS, draft_kinds, kinds_table
    data = yaml.safe_load(NUMBER_KINDS.read_text(encoding="utf-8"))
    assert MONTH == data["parts"]["month"]
    for section in SECTIONS:
        table = kinds_table(section)
        assert [kind for kind, _ in table] == [row["kind"] for row in data[section]], section
        assert all(isinstance(p, re.Pattern) and "n" in p.groupindex for _, p in table), section
        assert not any(re.search(r"\{[A-Za-z_]\w*\}", p.pattern) for _, p in table), section  # all substituted
    assert draft_kinds()[:len(GENERIC)] == GENERIC
    assert len(draft_kinds()) == sum(len(data[s]) for s in SECTIONS)


def test_the_generic_number_kinds_name_no_issuers_words():
    """The issuer's own wording (its metric names, "Hong Kong") is marked ``issuer:``; no other row says it."""
    import yaml
    from qfin_docs.verify.scan import NUMBER_KINDS, SECTIONS
    data = yaml.safe_load(NUMBER_KINDS.read_text(encoding="utf-8"))
    rows = [row for section in SECTIONS for row in data[section]]
    unmarked = [row["pattern"] for row in rows if "issuer" not in row]
    assert not [p for p in unmarked if re.search(r"collection|delinquency|Hong|Qifu|360|Jietiao|ay\\\+|Day-", p)]
    assert all(row["issuer"] == "qfin-2024q2" for row in rows if "issuer" in row)


@pytest.mark.parametrize("body, message", [
    ("generic: []\ndraft: []\nfiling: []\n", "must be a mapping of exactly: parts"),
    ("parts: {month: 'May'}\ngeneric: []\ndraft:\n  - {kind: year, pattern: '(?P<n>[0-9]{4}'}\nfiling: []\n",
     "QF-NUMBER-KINDS draft (year): the pattern does not compile"),
    ("parts: {month: 'May'}\ngeneric: []\ndraft:\n  - {kind: year, pattern: '[0-9]{4}'}\nfiling: []\n",
     "QF-NUMBER-KINDS draft (year): the pattern has no group n"),
    ("parts: {month: 'May'}\ngeneric: []\ndraft:\n  - {kind: date, pattern: '{mnth} (?P<n>[0-9])'}\nfiling: []\n",
     "{mnth} is no name of parts"),
    ("parts: {month: 'May'}\ngeneric: []\ndraft:\n  - {kind: date, patern: '(?P<n>[0-9])'}\nfiling: []\n",
     "a row is {kind: ..., pattern: ...}"),
    ("parts: {month: 'May'}\ngeneric: []\ndraft:\n  - {kind: a, pattern: '(?P<n>1)', pattern: '(?P<n>2)'}\n"
     "filing: []\n", "QF-YAML-DUPLICATE-KEY"),
])
def test_a_malformed_number_kinds_file_is_an_error_at_its_line(tmp_path, body, message):
    from qfin_docs.model import BadInput
    from qfin_docs.verify.scan import kinds_table
    path = tmp_path / "number_kinds.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(BadInput) as error:
        kinds_table("draft", path)
    assert message in str(error.value), str(error.value)
    assert str(error.value).startswith(f"{path}:")
