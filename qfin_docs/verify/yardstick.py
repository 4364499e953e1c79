"""The yardstick of the filing tie-out: blind re-identification of a filing's own tagged figures.

Every figure a filing tags in its prose and tables is a free labelled example.  The yardstick hides those
tags (each ix:nonFraction of the narrative is moved, whole, into ``ix:hidden``, and its printed text stays
where it was), so the filing keeps every fact but no figure says which fact it is; then it ties out the
blinded filing and asks, for each hidden figure, what the engine made of it:

- ``own``: tied to its own concept and period (``members`` counts those also of its own dimensions);
- ``twin``: tied to another concept's fact of the same period and value (the filer gives that number under two
  concepts, e.g. a balance sheet line and the same component in the equity statement): not its own, not wrong;
- ``wrong``: tied to another fact, or called inconsistent although it is right;
- ``derived``, ``coincidental``, ``unverifiable``, ``non-financial``: not linked, by that status;
- ``unread``: no number of the report lies where the figure is printed (the reader lost it).

Nothing here is tuned to a filing: the answer key is the filing's own tags.  Used by
``benchmarks/yardstick.py`` (and its test on a hand-made filing), not by the command line.
"""
from __future__ import annotations

import copy
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..facts.numbers import digits
from ..model import Fact
from .filing import IX, Filing, xml_start
from .filingtie import tieout_of
from .report import Entry, Report
from ..xmlio import parse_xml

OUTCOMES = ("own", "twin", "wrong", "derived", "coincidental", "unverifiable", "non-financial", "unread")


@dataclass(frozen=True, slots=True)
class Hidden:
    """A tagged figure of the narrative whose tag the yardstick hid: where it is printed, and its fact."""

    anchor: str
    span: tuple[int, int] | None    # in its paragraph's text; None for a table cell
    text: str
    fact: Fact
    order: int = -1                 # its tag's place among the document's ix:nonFraction elements
    scale: int = 0                  # its tag's scale
    word: str = ""                  # the scale word printed after it ("million"), if any


@dataclass
class Measure:
    """What the engine made of each hidden figure of one filing."""

    name: str
    outcomes: Counter = field(default_factory=Counter)
    examples: dict[str, list] = field(default_factory=dict)     # outcome -> [(hidden figure, its entry)]
    coverage: tuple[int, int] = (0, 0)      # digit runs accounted for by a number of the report, of all
    members: int = 0                        # own figures tied to the fact of their own dimensions too

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())

    def share(self, outcome: str) -> float:
        return self.outcomes[outcome] / self.total if self.total else 0.0


def blinded(data: bytes, changes: dict[int, tuple[str, str, str | None]] | None = None) -> bytes:
    """The filing with every ix:nonFraction of its narrative moved into ``ix:hidden``: the same facts, the
    same visible text, and no figure of the text tagged.  ``changes`` plants mistakes: in the k-th
    ix:nonFraction's printed text, (the number, its new digits, the new text after it where given); what
    prints around the tag (parentheses, a currency sign) stays as it is."""
    changes = changes or {}
    root = parse_xml(xml_start(data))
    header = next(root.iter(f"{IX}header"), None)
    if header is None:
        return etree.tostring(root)
    hidden = header.find(f"{IX}hidden")
    if hidden is None:
        hidden = etree.Element(f"{IX}hidden")
        header.insert(0, hidden)
    visible = [(order, tag) for order, tag in enumerate(root.iter(f"{IX}nonFraction"))
               if not any(a.tag == f"{IX}header" for a in tag.iterancestors())
               and not any(a.tag == f"{IX}nonFraction" for a in tag.iterancestors())]
    for order, tag in visible:
        moved = copy.deepcopy(tag)
        moved.tail = None
        hidden.append(moved)
        if order in changes:
            number, new, tail = changes[order]
            own = "".join(tag.itertext())
            for child in list(tag):
                tag.remove(child)
            tag.text = own.replace(number, new, 1)
            tag.tail = tag.tail if tail is None else tail
        _unwrap(tag)
    return etree.tostring(root)


def _unwrap(element) -> None:
    """Replace ``element`` by its text content (and keep its tail)."""
    text = "".join(element.itertext()) + (element.tail or "")
    parent, previous = element.getparent(), element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(element)


def hidden_figures(filing: Filing) -> list[Hidden]:
    """The tagged figures of a filing's narrative (paragraphs and table cells) with a digit in their text."""
    elements = {id(tag): element for element, tag in filing.tags.items()}
    order = {element: k for k, element in enumerate(filing.root.iter(f"{IX}nonFraction"))}
    out = []
    for paragraph in filing.paragraphs:
        for start, end, tag in paragraph.tags:
            text = paragraph.text[start:end]
            word = re.match(r"\s*(thousand|million|billion)\b", paragraph.text[end:])
            if re.search("[0-9]", text):
                out.append(Hidden(paragraph.anchor, (start, end), text, tag.fact, order[elements[id(tag)]],
                                  tag.scale, word.group(1) if word else ""))
    for row in filing.rows:
        for index, tag in enumerate(row.tags):
            if tag is not None and re.search("[0-9]", row.cells[index]):
                out.append(Hidden(row.anchors[index], None, row.cells[index], tag.fact, order[elements[id(tag)]],
                                  tag.scale))
    return out


def outcome(hidden: Hidden, entry: Entry | None) -> str:
    """How an entry of the blinded report stands to the hidden figure's own fact."""
    if entry is None:
        return "unread"
    if entry.status == "tied":
        if (entry.fact.concept, entry.fact.period) == (hidden.fact.concept, hidden.fact.period):
            return "own"
        twin = entry.fact.period == hidden.fact.period and entry.fact.value == hidden.fact.value
        return "twin" if twin else "wrong"
    if entry.status == "inconsistent":
        return "wrong"
    return entry.status if entry.status in OUTCOMES else "unverifiable"


def _entry_for(figure: Hidden, at: dict[str, list[Entry]]) -> Entry | None:
    return next((e for e in at.get(figure.anchor, ())
                 if figure.span is None and e.span is None or figure.span is not None and e.span is not None
                 and e.span[0] < figure.span[1] and figure.span[0] < e.span[1]), None)


def _by_anchor(report: Report) -> dict[str, list[Entry]]:
    at: dict[str, list[Entry]] = {}
    for entry in report.entries:
        at.setdefault(entry.anchor, []).append(entry)
    return at


PLANTS = ("misround", "transposed", "prior period", "scale word")
_OTHER_WORD = {"thousand": "million", "million": "billion", "billion": "million"}


def plant(figure: Hidden, kind: str, facts: list[Fact], tail: str | None = None
          ) -> tuple[str, str, str | None] | None:
    """A mistake of ``kind`` made in ``figure`` as people make it: (its number, the new number, the new text
    after it, if changed), or None where it cannot be made.  ``tail`` is the text after the figure's tag."""
    match = re.search(r"[0-9][0-9,.]*[0-9]|[0-9]", figure.text)
    number = match.group()
    if kind == "misround":
        digit = int(number[-1])
        new = number[:-1] + str(digit + 1 if digit < 9 else digit - 1)
    elif kind == "transposed":
        pairs = [i for i in range(len(number) - 1) if number[i].isdigit() and number[i + 1].isdigit()
                 and number[i] != number[i + 1] and not (i == 0 and number[1] == "0")]
        if not pairs:
            return None
        new = number[:pairs[0]] + number[pairs[0] + 1] + number[pairs[0]] + number[pairs[0] + 2:]
    elif kind == "prior period":        # its item's fact of a year earlier, printed alike
        fact = figure.fact
        earlier = next((f for f in facts if (f.concept, f.dimensions, f.unit) == (fact.concept, fact.dimensions,
                                                                                 fact.unit)
                        and abs((fact.period.end - f.period.end).days - 365) <= 7
                        and (fact.period.is_instant == f.period.is_instant) and (fact.period.is_instant or abs(
                            (fact.period.start - f.period.start).days - 365) <= 7)), None)
        if earlier is None:
            return None
        places = len(number.partition(".")[2])
        new = digits(earlier.value, figure.scale, places, grouping="," in number)
    else:                               # scale word: "billion" for "million" (and back), after the figure
        if not figure.word or not tail:
            return None
        return number, number, re.sub(figure.word, _OTHER_WORD[figure.word], tail, count=1)
    if new == number:
        return None
    return number, new, None


def planted(path: Path, kind: str, size: int, rng) -> Counter:
    """Plant up to ``size`` mistakes of ``kind`` in hidden figures of a filing (one per paragraph or cell) and
    count what the tie-out of the blinded copy makes of them: ``caught`` (inconsistent), ``expected`` (and
    naming the figure's own fact's value), ``flagged`` (unverifiable or coincidental), ``missed`` (tied,
    derived or non-financial), ``unread``."""
    original = Filing(path)
    numeric = [f for f in original.facts if not isinstance(f.value, str)]
    figures = [f for f in hidden_figures(original) if re.search("[0-9]{2}", f.text)]
    rng.shuffle(figures)
    tails = {k: e.tail for k, e in enumerate(original.root.iter(f"{IX}nonFraction"))}
    changes, chosen, used = {}, [], set()
    for figure in figures:
        if len(chosen) >= size or figure.anchor in used:
            continue
        change = plant(figure, kind, numeric, tails.get(figure.order))
        if change is not None:
            changes[figure.order] = change
            chosen.append(figure)
            used.add(figure.anchor)
    report = tieout_of(Filing(path, blinded(path.read_bytes(), changes)))
    at, counts = _by_anchor(report), Counter(changed=len(chosen))
    for figure in chosen:
        entry = _entry_for(figure, at)
        status = entry.status if entry else "unread"
        counts["caught" if status == "inconsistent" else "flagged" if status in ("unverifiable", "coincidental")
               else "unread" if status == "unread" else "missed"] += 1
        counts["expected"] += status == "inconsistent" and entry.expected == figure.fact.value
    return counts


def measure(path: Path) -> Measure:
    """Blind re-identification of one filing (see the module's docstring)."""
    original = Filing(path)
    figures = hidden_figures(original)
    blind = Filing(path, blinded(path.read_bytes()))
    report = tieout_of(blind)
    at = _by_anchor(report)
    result = Measure(path.name)
    for figure in figures:
        entry = _entry_for(figure, at)
        kind = outcome(figure, entry)
        result.outcomes[kind] += 1
        result.members += kind == "own" and entry.fact.dimensions == figure.fact.dimensions
        result.examples.setdefault(kind, []).append((figure, entry))
    result.coverage = coverage(blind, report)
    return result


_IN_WORD = re.compile(r"[A-Za-z][0-9]|[A-Za-z]+-[0-9]")       # a letter just before the run: "Q3", "COVID-19"


def coverage(filing: Filing, report: Report) -> tuple[int, int]:
    """(digit runs accounted for, all digit runs) over the filing's paragraphs and cells: a run is accounted for
    when a number of the report holds it, or when it is part of a word ("Q3", "H1", "COVID-19", "401(k)"), which
    names no quantity."""
    spans: dict[str, list] = {}
    for entry in report.entries:
        spans.setdefault(entry.anchor, []).append(entry.span)
    covered = total = 0
    for paragraph in filing.paragraphs:
        for run in re.finditer("[0-9]+", paragraph.text):
            total += 1
            covered += _IN_WORD.match(paragraph.text, max(run.start() - 1, 0)) is not None and run.start() > 0 or \
                any(s is not None and s[0] <= run.start() < s[1] for s in spans.get(paragraph.anchor, ()))
    for row in filing.rows:
        for index, cell in enumerate(row.cells):
            runs = len(re.findall("[0-9]+", cell))
            total += runs
            covered += runs if row.anchors[index] in spans else 0
    return covered, total


__all__ = ["Hidden", "Measure", "OUTCOMES", "PLANTS", "blinded", "coverage", "hidden_figures", "measure", "outcome",
           "plant", "planted"]
