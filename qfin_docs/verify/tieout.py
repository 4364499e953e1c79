"""Tie-out of a draft written by people (``qfin-docs tieout RELEASE DRAFT``): .txt, .html or .pdf; and the
engine every tie-out shares, a filing's too (verify/filingtie.py), under the policy its source is given
(``report.Policy``: our release and its drafts, or a third party's filing).

With no declarations, every number of the draft is tied to the facts by value, after its scale word,
currency mark and the rounding interval its printed precision implies; or explained by a small library
of derivations (verify/derive.py: change, share, translation, x2 per ADS, sums, period differences), using
interval arithmetic: a figure derived from rounded inputs is consistent when it lies in the interval they allow.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from ..facts.checks import run_checks, waived
from ..facts.derivations import interval, meets
from ..model import Fact, Period, Problem, Source
from ..facts.numbers import Printed
from ..facts.load import Loaded, load
from ..facts.periods import named_period, read_day
from .report import RELEASE, Entry, Policy, Report
from .expected import another_line_or_period, expected_change, named_mistake, placeholder_of, stand_in
from ..facts.phrases import footnote_marks
from ..facts.carried import open_items
from .drafts import Paragraph, TableRow, read_draft, read_draft_pages, unread
from .context import unit_fits, check_pairs, direction, expected
from .changes import may_claim
from .derive import derivations
from .respective import respective
from .scan import FROM_SUPERSCRIPT, phrases, tokens
from .subjects import norm, attached, member_phrases, narrowed, subjects
from .decide import MISPRINT, clause, misstatement, periods_of, prefer_context, rescaled, weigh
from .evidence import Items
from .grid import misstated_in_grid
from .rows import columns, describe as _describe, tie_row
from .tags import tagged

_DASHES = ("—", "–", "-")


class TieOut:
    """Matches numbers against one source's facts (a release's, or a filing's as ``Filing.loaded`` gives them),
    as its policy says: ``RELEASE`` for our release and its drafts, ``FILING`` for a third party's filing."""

    def __init__(self, loaded: Loaded, policy: Policy = RELEASE):
        self.loaded = loaded
        self.policy = policy
        self.numeric = [f for f in loaded.release.facts if isinstance(f.value, Decimal)]
        self.by_name: dict[tuple, list[Fact]] = {}
        for fact in self.numeric:
            self.by_name.setdefault((fact.concept, fact.dimensions), []).append(fact)
            if fact.dimensions:
                self.by_name.setdefault((fact.concept, ()), [])
        self.rate = next((f.value for f in self.numeric if f.concept == loaded.release.exchange_rate), None)
        # the facts tied in table rows so far, by row label (where the policy recalls rows)
        self.row_facts: dict[str, list[Fact]] | None = {} if policy.recalls_rows else None
        self.periods = Counter(f.period for f in self.numeric)     # facts by period, in the source's order
        self.revenues: dict[Period, list[Fact]] = {}      # the wholes of margins: revenue without dimensions
        for fact in self.numeric:
            if not fact.dimensions and re.search("Revenue|Sales", fact.concept.local):
                self.revenues.setdefault(fact.period, []).append(fact)
        self.listed: tuple = (None, {})     # the paragraph last read, and its figures' listed periods
        self.figures_about: dict[int, Period | None] = {}  # its figures' periods (listed or named), by start
        self.items = Items({c.name: (*c.labels.values(), *c.synonyms) for c in loaded.taxonomy.concepts.values()})
        self.candidates: dict[str, list[Fact]] = {}     # a filing's table cells: their facts by value, by anchor
        self.columns: dict = {}                         # a filing's table columns: see rows.columns
        self.labels = self._labels()
        self.member_phrases = member_phrases(loaded.taxonomy)     # "ongoing services": a member, as data
        self.phrases = self._phrases()
        self.negated = {r.concept for s in loaded.taxonomy.statements.values() for r in s.rows if r.negated}
        self.plain = {r.concept for s in loaded.taxonomy.statements.values() for r in s.rows
                      if r.concept and not r.negated}

    def may_claim(self, facts: list[Fact], about: Period, text: str) -> bool:
        """Whether a figure equal to ``facts`` may be called another period's figure: any, where labels are
        exact; else only of an item its sentence names, of a period like the one the text is about."""
        return not self.policy.claims_named or may_claim(facts, about, text)

    def period_of(self, paragraph: Paragraph, found: list, index: int) -> Period | None:
        """The period a list of periods in the figure's sentence gives it (verify/respective.py), where the
        policy reads such lists; the figure's period, listed or named, is kept for ``changes.misprint``."""
        if not self.policy.listed_periods:
            return None
        if self.listed[0] is not paragraph:
            self.listed = (paragraph, respective(paragraph.text, found, self.periods))
            self.figures_about = {}
        period = self.listed[1].get(index)
        sentence = paragraph.text[max(paragraph.text.rfind(". ", 0, found[index].start) + 1, 0):found[index].start]
        self.figures_about[found[index].start] = period or named_period(sentence, self.loaded.calendar)
        return period

    def named(self, names: set, exact: bool = False) -> list[Fact]:
        """The facts of the (concept, dimensions) pairs a label names; in text, a bare concept names all its
        facts; a table row's label names exactly its own (the total row is not its members' rows).  Item by
        item in the order the facts first give them, not the order of ``names`` (a set): the first of equal
        candidates is then the same on every run."""
        bare = set() if exact else {concept for concept, dims in names if not dims}
        return [f for key, facts in self.by_name.items() if key in names or key[0] in bare for f in facts]

    def _phrases(self):
        """The source's own non-financial numbers: a release's constants (and the phrases they appear in) and
        its text facts (a stock code), each taken literally; or (a filing's) only text facts that are phrases
        ("Nasdaq Global Select Market"), not a date or year a text fact happens to hold, which the non-financial
        kinds name for what they are."""
        constants = self.loaded.release.meta.get("constants") or {}
        out = []
        for name, constant in constants.items():
            value = str(constant["value"])
            texts = list(constant.get("in", ())) + ([value] if not value.isdigit() else [])
            out += phrases(f"constant {name}", texts)
        text_facts = [str(f.value) for f in self.loaded.release.facts if isinstance(f.value, str)
                      and (self.policy.every_text_fact or len(re.findall("[A-Za-z]{3,}", str(f.value))) >= 2
                           and read_day(str(f.value)) is None)]
        return out + phrases("text fact", text_facts)

    def _labels(self) -> dict[str, set]:
        labels: dict[str, set] = {}
        taxonomy = self.loaded.taxonomy
        for concept in taxonomy.concepts.values():
            for text in (*concept.labels.values(), *concept.synonyms):
                labels.setdefault(norm(text), set()).add((concept.name, ()))
                if "Expense" in concept.name.local and not norm(text).endswith(("expense", "expenses")):
                    labels.setdefault(norm(text) + " expenses", set()).add((concept.name, ()))
        for statement in taxonomy.statements.values():
            for row in statement.rows:
                if row.concept:
                    labels.setdefault(norm(row.label), set()).add((row.concept, row.dimensions))
        return labels

    # ------------------------------------------------------------------ direct facts
    def facts_matching(self, printed: Printed, kind: str, facts=None, table_sign: bool = False) -> list[Fact]:
        """Facts whose value lies in the printed figure's rounding interval (unit-compatible)."""
        want = printed.interval()
        out = []
        for fact in facts if facts is not None else self.numeric:
            is_rate = fact.concept == self.loaded.release.exchange_rate and printed.currency == "CNY"
            if not is_rate and not unit_fits(fact, printed, kind):
                continue
            values = [fact.value] + ([-fact.value] if self.policy.magnitudes and fact.value < 0 else [])
            if table_sign and self.policy.magnitudes:      # a filing's statements print negated labels' facts
                values = [fact.value, -fact.value]  # in parentheses, and no presentation linkbase is read
            elif table_sign:
                values = ([fact.value] if fact.concept in self.plain or fact.concept not in self.negated else []) + \
                         ([-fact.value] if fact.concept in self.negated else [])
            for value in values:
                if fact.decimals is not None and printed.decimals > fact.decimals:
                    matched = value == printed.value     # printed more precisely than the fact is known
                else:
                    shown = interval(fact) if value == fact.value else (-interval(fact)[1], -interval(fact)[0])
                    matched = meets(want, shown)
                if matched:
                    out.append(fact)
                    break
        return out

    def restated(self, printed: Printed) -> str:
        """The explanation when a figure is the value a restated comparative was first published with."""
        for fact in self.numeric:
            if fact.restated is None or not isinstance(fact.restated.original, Decimal):
                continue
            original = Fact(fact.concept, fact.restated.original, fact.period, fact.source, fact.unit,
                            fact.decimals, fact.dimensions)
            if self.facts_matching(printed, "prose", [original]):
                return (f"restated: {fact.concept} {fact.period} was first published as {printed.value:,f} "
                        f"({fact.restated.first_published}) and is now {fact.value:,f}: {fact.restated.reason}")
        return ""


def tieout_draft(release_dir: Path, draft: Path, as_draft: bool = False) -> Report:
    """Tie every number of a draft to the release's facts; untied numbers are findings.  When the release is a
    draft (``status: draft`` or ``as_draft``) its placeholders and carried items are open items."""
    loaded = load(release_dir, as_draft)
    if not draft.is_file():
        from ..model import BadInput
        raise BadInput([Problem(Source(str(draft), 0), "QF-DRAFT-READ", "draft not found")])
    paragraphs, rows, pages = read_draft_pages(draft)
    report = tie(TieOut(loaded), paragraphs, rows, str(draft))
    report.notes.insert(0, f"read {len(paragraphs)} paragraphs and {len(rows)} table rows of {draft}")
    if loaded.release.draft:        # the release is still a draft: what is open, and never a pass for final
        report.draft, report.open = True, open_items(loaded.release, loaded.taxonomy)
    if pages is not None:
        shown, missed = unread(pages, paragraphs, rows)
        report.notes.insert(1, f"the PDF's pages show {shown} figures; {shown - len(missed)} were read" +
                            (f", not these {len(missed)}: {', '.join(missed[:20])}" if missed else ", all of them"))
    for problem in run_checks(loaded.release, loaded.taxonomy):
        reason = waived(problem, loaded.release)
        report.notes.append(f"{problem} -- {'waived: ' + reason if reason else 'a finding of the fact base'}")
    return report


def named_items(engine: TieOut, before: str) -> frozenset:
    """The concepts the sentence up to a figure names by label, with the footnotes its markers refer to."""
    sentence = before[max(before.rfind(". "), 0):]
    notes = [engine.footnotes.get(str(number), "") for _, _, number in footnote_marks(sentence)]
    text = " " + norm(" ".join([sentence, *notes])) + " "
    return frozenset(concept for label, names in engine.labels.items() if f" {label} " in text
                     for concept, dims in names if not dims)


_FOOTNOTE = re.compile(r"^(?:\*?([0-9]{1,2})|([⁰¹²³⁴⁵⁶⁷⁸⁹]+))\s+(?=\S)(.*)$")    # a footnote: "11 ...", "*11 ..."


def tie(engine: TieOut, paragraphs: list[Paragraph], rows: list[TableRow], name: str) -> Report:
    """Tie paragraphs (with the figures of their section as context) and table rows."""
    report = Report()
    engine.footnotes = {}
    for paragraph in paragraphs:
        match = _FOOTNOTE.match(paragraph.text)
        if match:
            number = match.group(1) or match.group(2).translate(FROM_SUPERSCRIPT)
            engine.footnotes.setdefault(str(int(number)), match.group(3))
    section: list[Fact] = []
    engine.section_period = None
    for paragraph in paragraphs:
        _tie_paragraph(engine, paragraph, section, report, name)
        heading = len(paragraph.text) < 90 and not paragraph.tied
        if heading and not any(t.printed for t in tokens(paragraph.text, enclosing=engine.phrases) if not t.kind):
            section = []            # a heading starts a new section, about the period it names (if any)
            engine.section_period = named_period(paragraph.text, engine.loaded.calendar)
        section = (section + paragraph.tied)[-40:]
    if engine.policy.evidence_required:
        engine.columns = columns(engine, rows)
    for row in rows:
        tie_row(engine, row, report, name)
    if engine.policy.evidence_required:
        misstated_in_grid(engine, rows, report)
    if engine.policy.untied_unverifiable:   # only an inconsistent figure is a finding
        report.entries = [replace(e, status="non-financial", explanation="a dash: nothing reported")
                          if e.status == "untied" and e.text in _DASHES else
                          replace(e, status="unverifiable", explanation="no fact of the filing gives this figure")
                          if e.status == "untied" else e for e in report.entries]
    return report


def _tie_paragraph(engine: TieOut, paragraph: Paragraph, section: list[Fact], report: Report, name: str) -> None:
    """First tie every figure that is a fact, then explain the rest from the facts tied around them.  Where the
    text names the figure ("Financing income was ..."), only that concept's facts qualify, until it names another."""
    location = f"{name}:{paragraph.line}"
    found = tokens(paragraph.text, enclosing=engine.phrases)
    named = subjects(engine, paragraph.text)
    results: dict[int, Entry] = {}
    tied: dict[int, Fact] = {}
    pending = []
    for index in range(len(found)):
        outcome, fact = _tie_figure(engine, paragraph, found, index, named, section, location)
        stand_in(fact, index, tied, paragraph)      # the fact tied, or the one a mistaken figure should have been
        if isinstance(outcome, Entry):
            results[index] = outcome
        else:
            pending.append((index, *outcome))
    _finish(engine, paragraph, section, found, pending, results, tied, report, location)


def _tie_figure(engine: TieOut, paragraph: Paragraph, found: list, index: int, named: list, section: list[Fact],
                location: str) -> tuple[Entry | tuple, Fact | None]:
    """One figure of a paragraph: its entry and the fact it stands for, or (when no fact has its value) what
    the explaining pass needs: the words before it, the item named and the period."""
    token = found[index]
    own = tagged(paragraph, token, location)
    if own is not None:             # a filing's tagged figure: checked against its own tag
        return own
    if token.kind:
        return Entry(token.text, location, "non-financial", token.kind), None
    printed = token.printed
    assert printed is not None
    before = paragraph.text[:token.start]
    is_change = bool(direction(before, paragraph.text[token.end:])) and printed.percent
    near = attached(engine, paragraph.text, token.start, token.end)
    subject = near or next((concepts for start, end, concepts in reversed(named) if start <= token.start < end), None)
    subject = narrowed(engine, subject, paragraph.text, token.start, token.end)
    when, about = periods_of(engine, paragraph, found, index)
    pool = None if subject is None else engine.named(subject)
    if when is not None:
        pool = [f for f in (engine.numeric if pool is None else pool) if when(f.period)]
    facts = [] if is_change else engine.facts_matching(printed, "prose", pool)
    waiting = placeholder_of(engine, subject, when, about) if not facts and subject is not None else ""
    if waiting:                     # a draft's figure not in the facts yet: an open item, not a finding
        return Entry(token.text, location, "placeholder", waiting), None
    if not facts and subject is not None and not is_change and engine.policy.evidence_required:
        facts = engine.facts_matching(printed, "prose", None if when is None else
                                      [f for f in engine.numeric if when(f.period)])
    if not facts and subject is not None and not is_change:
        mistake, named_fact = expected(engine, printed, pool, when, about,
                                       MISPRINT if engine.policy.evidence_required else None)
        restated = engine.restated(printed)     # the named item's value as first published
        if restated:
            return Entry(token.text, location, "restated", restated), None
        if mistake or (near is None and engine.policy.binding_subjects and engine.facts_matching(printed, "prose")):
            return named_mistake(engine, token, subject, (mistake, named_fact), pool, when, about, location)
        if near is not None or not engine.policy.binding_subjects:  # then the words narrow a figure only
            subject = None                                      # where they find its fact
            pool = None if when is None else [f for f in engine.numeric if when(f.period)]
            facts = engine.facts_matching(printed, "prose", pool)
    wrong = None if is_change else misstatement(engine, token, clause(paragraph.text, token.start, token.end, 0),
                                                 about, facts, location)    # named before it, to be its misprint
    if wrong is not None:
        return wrong, None
    if not facts:
        wrong = None if is_change else rescaled(engine, token, clause(paragraph.text, token.start, token.end),
                                                  about, when, location)
        return ((token, before, subject, when), None) if wrong is None else (wrong, wrong.fact)
    moved = another_line_or_period(engine, token, facts, when, about, paragraph, location)
    if moved is not None:
        return moved
    said = clause(paragraph.text, token.start, token.end)
    facts, unnamed = weigh(engine, token, prefer_context(facts, paragraph, section), said, about, location)
    if unnamed is not None:
        return unnamed, None
    confidence = "exact" if len(facts) == 1 else f"ambiguous: {len(facts)} facts, best by context"
    return Entry(token.text, location, "tied", _describe(facts[0]), confidence=confidence, fact=facts[0]), facts[0]


def _finish(engine: TieOut, paragraph: Paragraph, section: list[Fact], found: list, pending: list,
            results: dict[int, Entry], tied: dict[int, Fact], report: Report, location: str) -> None:
    """The figures no fact is: derived or explained; then the pairs; then every entry, in order, to the report."""
    for index, token, before, subject, when in pending:
        results[index] = _explain(engine, paragraph, section, token, before, subject, when, location)
        change = expected_change(engine, paragraph.text, found, index, tied) if results[index].status == "untied" \
            and token.printed.percent and engine.policy.binding_subjects else ""
        results[index] = replace(results[index], status="inconsistent", explanation=change) if change else results[index]
    check_pairs(engine, paragraph, found, results, tied, report, location)
    for index in sorted(results):
        report.add(replace(results[index], anchor=paragraph.anchor, span=(found[index].start, found[index].end))
                   if paragraph.anchor else results[index])


def _explain(engine: TieOut, paragraph: Paragraph, section: list[Fact], token, before: str, subject, when,
             location: str) -> Entry:
    """A figure that is no fact: derived from the facts tied around it, restated, or untied."""
    nearby = section if subject is None else [f for f in section if (f.concept, f.dimensions) in subject
                                              or (f.concept, ()) in subject]
    explanations = derivations(engine, token.printed, before, paragraph.tied, nearby, when,
                               after=paragraph.text[token.end:], named=named_items(engine, before))
    good = [e for e in explanations if e.consistent]
    bad = [e for e in explanations if not e.consistent]
    if good:
        return Entry(token.text, location, "derived", good[0].text,
                     confidence="exact" if len(good) == 1 else f"{len(good)} explanations agree")
    if bad:
        return Entry(token.text, location, "inconsistent", bad[0].text, expected=bad[0].expected)
    restated = engine.restated(token.printed)
    return Entry(token.text, location, "restated", restated) if restated else \
        Entry(token.text, location, "untied", "no fact or derivation gives this figure")


__all__ = ["tieout_draft", "read_draft", "tie", "TieOut"]
