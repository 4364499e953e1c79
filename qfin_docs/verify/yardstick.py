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


def blinded(data: bytes) -> bytes:
    """The filing with every ix:nonFraction of its narrative moved into ``ix:hidden``: the same facts, the
    same visible text, and no figure of the text tagged."""
    root = parse_xml(xml_start(data))
    header = next(root.iter(f"{IX}header"), None)
    if header is None:
        return etree.tostring(root)
    hidden = header.find(f"{IX}hidden")
    if hidden is None:
        hidden = etree.Element(f"{IX}hidden")
        header.insert(0, hidden)
    visible = [tag for tag in root.iter(f"{IX}nonFraction")
               if not any(a.tag == f"{IX}header" for a in tag.iterancestors())
               and not any(a.tag == f"{IX}nonFraction" for a in tag.iterancestors())]
    for tag in visible:
        moved = copy.deepcopy(tag)
        moved.tail = None
        hidden.append(moved)
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
    out = []
    for paragraph in filing.paragraphs:
        for start, end, tag in paragraph.tags:
            text = paragraph.text[start:end]
            if re.search("[0-9]", text):
                out.append(Hidden(paragraph.anchor, (start, end), text, tag.fact))
    for row in filing.rows:
        for index, tag in enumerate(row.tags):
            if tag is not None and re.search("[0-9]", row.cells[index]):
                out.append(Hidden(row.anchors[index], None, row.cells[index], tag.fact))
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


def measure(path: Path) -> Measure:
    """Blind re-identification of one filing (see the module's docstring)."""
    original = Filing(path)
    figures = hidden_figures(original)
    blind = Filing(path, blinded(path.read_bytes()))
    report = tieout_of(blind)
    at: dict[str, list[Entry]] = {}
    for entry in report.entries:
        at.setdefault(entry.anchor, []).append(entry)
    result = Measure(path.name)
    for figure in figures:
        entry = next((e for e in at.get(figure.anchor, ())
                      if figure.span is None and e.span is None or figure.span is not None and e.span is not None
                      and e.span[0] < figure.span[1] and figure.span[0] < e.span[1]), None)
        kind = outcome(figure, entry)
        result.outcomes[kind] += 1
        result.members += kind == "own" and entry.fact.dimensions == figure.fact.dimensions
        result.examples.setdefault(kind, []).append((figure, entry))
    result.coverage = coverage(blind, report)
    return result


def coverage(filing: Filing, report: Report) -> tuple[int, int]:
    """(digit runs inside a number of the report, all digit runs) over the filing's paragraphs and cells."""
    spans: dict[str, list] = {}
    for entry in report.entries:
        spans.setdefault(entry.anchor, []).append(entry.span)
    covered = total = 0
    for paragraph in filing.paragraphs:
        for run in re.finditer("[0-9]+", paragraph.text):
            total += 1
            covered += any(s is not None and s[0] <= run.start() < s[1] for s in spans.get(paragraph.anchor, ()))
    for row in filing.rows:
        for index, cell in enumerate(row.cells):
            runs = len(re.findall("[0-9]+", cell))
            total += runs
            covered += runs if row.anchors[index] in spans else 0
    return covered, total


__all__ = ["Hidden", "Measure", "OUTCOMES", "blinded", "coverage", "hidden_figures", "measure", "outcome"]
