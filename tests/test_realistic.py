"""The tie-out against the mistakes people really make (realistic.py), judged per kind of mistake: each kind
caught at the changed number in at least 95% of its drafts, and correct rewordings flagged in at most 1%.
The same drafts are read as text, as HTML and (a sample, rendered by WeasyPrint in a layout whose narrow label
column wraps row labels) as PDF."""
from __future__ import annotations

import functools
import re
from collections import Counter

import pytest

from qfin_docs.verify.drafts import _read_html, _read_text, read_draft
from qfin_docs.verify.tieout import TieOut, tie

from conftest import REFERENCE, RELEASE
from realistic import KINDS, REWORDINGS, Draft, Reference, as_html, mistakes, rewordings

SEED = 2024
PDF_PER_KIND = 4


@functools.lru_cache(maxsize=1)
def _world():
    from qfin_docs.pipeline import load
    loaded = load(RELEASE)
    ref = Reference(REFERENCE.read_text(encoding="utf-8"), loaded)
    return ref, TieOut(loaded), mistakes(ref, SEED), rewordings(ref, SEED)


def _findings(engine, paragraphs, rows):
    return [e for e in tie(engine, paragraphs, rows, "draft").entries if not e.ok]


def _figures(draft: Draft) -> list[str]:
    return [a.replace("US\\$", "US$") for a in draft.after.split("|")]


def _caught_at(draft: Draft, findings) -> bool:
    """A finding on the changed line whose figure is the changed one."""
    return any(int(e.location.rpartition(":")[2]) == draft.line and
               any(figure in e.text or e.text in figure for figure in _figures(draft)) for e in findings)


def _read(draft: Draft, form: str, tmp_path=None):
    if form == "text":
        return _read_text(draft.text)
    return _read_html(as_html(draft.text).encode(), tmp_path)


def test_the_generator_makes_at_least_300_drafts_over_every_kind():
    ref, _, drafts, benign = _world()
    counts = Counter(d.kind for d in drafts)
    assert sum(counts.values()) >= 300, counts
    assert set(counts) == set(KINDS), counts
    assert all(n >= 10 for n in counts.values()), counts
    assert set(Counter(d.kind for d in benign)) == set(REWORDINGS)
    assert len(benign) >= 100
    # every draft makes exactly one change to the reference, on the line it names
    for draft in drafts + benign:
        changed = [i + 1 for i, (a, b) in enumerate(zip(ref.lines, draft.text.split("\n"))) if a != b]
        assert changed and changed[0] == draft.line or draft.kind == "figure repeated", (draft.kind, draft.line)


@pytest.mark.parametrize("form", ["text", "html"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_mistake_is_caught_at_the_changed_number(kind, form, tmp_path):
    _, engine, drafts, _ = _world()
    mine = [d for d in drafts if d.kind == kind]
    missed = [(d.line, d.before, d.after) for d in mine
              if not _caught_at(d, _findings(engine, *_read(d, form, tmp_path / "d.html")))]
    rate = 1 - len(missed) / len(mine)
    print(f"{form} {kind}: {len(mine) - len(missed)}/{len(mine)} caught")
    assert rate >= 0.95, (rate, missed)


@pytest.mark.parametrize("form", ["text", "html"])
def test_rewordings_are_not_flagged(form, tmp_path):
    _, engine, _, benign = _world()
    flagged = [(d.kind, d.line, d.after, [(e.text, e.explanation) for e in found][:2]) for d in benign
               if (found := _findings(engine, *_read(d, form, tmp_path / "d.html")))]
    print(f"{form}: {len(flagged)}/{len(benign)} rewordings flagged")
    assert len(flagged) <= len(benign) // 100, flagged


def _pdf(draft_text: str, path):
    import weasyprint
    weasyprint.HTML(string=as_html(draft_text, label_width="30%")).write_pdf(path)
    return read_draft(path)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_mistake_is_caught_in_a_pdf_draft(kind, tmp_path):
    """A sample of each kind, as a PDF whose table labels wrap: caught by the figure's text (a PDF's lines
    are not the text's), and nothing else flagged."""
    _, engine, drafts, _ = _world()
    mine = [d for d in drafts if d.kind == kind][:PDF_PER_KIND]
    missed = []
    for number, draft in enumerate(mine):
        findings = _findings(engine, *_pdf(draft.text, tmp_path / f"d{number}.pdf"))
        if not any(any(figure in e.text or e.text in figure for figure in _figures(draft)) for e in findings):
            missed.append((draft.line, draft.before, draft.after, [(e.text, e.explanation) for e in findings]))
    assert missed == []


def test_rewordings_are_not_flagged_in_a_pdf_draft(tmp_path):
    _, engine, _, benign = _world()
    sample = [next(d for d in benign if d.kind == kind) for kind in REWORDINGS]
    flagged = [(d.kind, [(e.text, e.explanation) for e in found]) for number, d in enumerate(sample)
               if (found := _findings(engine, *_pdf(d.text, tmp_path / f"r{number}.pdf")))]
    assert flagged == []


def test_a_pdf_draft_says_how_many_figures_it_read(tmp_path):
    from qfin_docs.verify.tieout import tieout_draft
    ref, *_ = _world()
    draft = tmp_path / "draft.pdf"
    _pdf(ref.text, draft)
    report = tieout_draft(RELEASE, draft)
    note = next(n for n in report.notes if n.startswith("the PDF's pages show"))
    shown, read = map(int, re.findall(r"[0-9]+", note)[:2])
    assert shown > 800 and shown - read <= 2, note
    assert report.findings == []
