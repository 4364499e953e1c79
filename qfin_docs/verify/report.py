"""The checker's report: one entry per number found, and the findings among them."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..model import Fact, Problem, Source

# What a number can be: a fact ("tied"), a derivation from facts ("derived"), a date, year, label or other number
# that is no amount ("non-financial"), a figure a filing does not tag and no fact gives ("unverifiable"), a value
# match that nothing names ("coincidental"), an open item of a draft ("placeholder"); and the findings: a figure
# no fact or derivation gives ("untied"), one that contradicts the facts ("inconsistent"), a first-published
# figure where the restated one is meant ("restated").  The strings are what reports print, so a closed set.
STATUSES = ("tied", "derived", "non-financial", "unverifiable", "coincidental", "placeholder",
            "untied", "inconsistent", "restated")
OK_STATUSES = STATUSES[:6]      # not findings


@dataclass(frozen=True, slots=True)
class Entry:
    """One number of an output or a draft, and what it is."""

    text: str
    location: str               # output file:line
    status: str                 # one of STATUSES
    explanation: str
    source: str = ""            # template or prose file:line, when known
    confidence: str = ""        # for draft tie-out: "exact", "high", "ambiguous"
    anchor: str = ""            # in a filing: the element path of the figure's block or cell
    span: tuple[int, int] | None = None     # where in that block's text (None: the whole cell)
    fact: Fact | None = None    # the fact it is (tied), or the fact it should have been (inconsistent)
    expected: Decimal | None = None     # inconsistent only: the value of the fact it should have been, where
    #                             one is known (the explanation says it in words; this is for programs)

    def __post_init__(self) -> None:
        """A status outside the closed set, or an expected value on a figure that is not wrong, is a bug."""
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r} (one of {', '.join(STATUSES)})")
        if self.expected is not None and (self.status != "inconsistent" or not isinstance(self.expected, Decimal)):
            raise ValueError(f"an expected value ({self.expected!r}) is for an inconsistent figure's Decimal, "
                             f"not a {self.status} one")

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES


@dataclass(frozen=True, slots=True)
class Explained:
    """A figure no fact is, as a derivation from facts: one it agrees with ("change Revenues ... in [6.2%, 6.4%]"),
    or one it contradicts (a change in the wrong direction; a near miss of the one item its sentence names)."""

    text: str
    consistent: bool = True     # False: the figure is this derivation's mistake, a finding
    expected: Decimal | None = None     # a mistake's: the value of the fact the figure should have been, if one


@dataclass(frozen=True, slots=True)
class Policy:
    """What differs between tying out our own release, a draft of it, and a third party's filing: the engine
    (verify/tieout.py) reads these, never the kind of source."""

    name: str
    evidence_required: bool     # a value match is tied only where the words around it name the fact's item
    #                             (a release's drafts: its labels are exact and every figure is meant to be a fact)
    magnitudes: bool            # prose may print a negative fact's magnitude ("expense was $215 million" for a
    #                             fact tagged sign="-"), and a table either sign (no presentation linkbase is read)
    binding_subjects: bool      # labels are exact: a figure its sentence names must be that item's (a filing's,
    #                             made from concept names, are guesses: they prefer, never exclude)
    opening_subjects: bool      # a sentence opening with a label names its item ("Repeat borrower contribution of
    #                             loans ... was"); else only a label followed by a preposition does
    table_scales: tuple[int, ...]   # the powers of ten a table's figures may be printed in, where it states none
    recalls_rows: bool          # a later table's cells (mix, growth) may derive from facts tied earlier in rows of
    #                             the same label
    listed_periods: bool        # a list of periods in a sentence gives its k-th figure the k-th period
    #                             (verify/respective.py), and each figure's period is kept for the derivations
    claims_named: bool          # another period's figure is a finding only of an item its sentence names, of a
    #                             period like the one the text is about (a release's labels are exact: any)
    every_text_fact: bool       # every text fact is a phrase taken literally (a stock code); else only one of two
    #                             words or more that is no date (a filing's dates and years are number kinds)
    prose_changes: bool         # the derivations a filing's prose needs (verify/changes.py): year-over-year
    #                             changes and per-share amounts of the items a sentence names, and a near figure
    #                             as the one named item's misprint
    untied_unverifiable: bool   # a figure no fact gives is unverifiable, not a finding (a filing tags only some
    #                             of its numbers), and a lone dash is nothing reported


RELEASE = Policy("release", evidence_required=False, magnitudes=False, binding_subjects=True, opening_subjects=True,
                 table_scales=(3,), recalls_rows=False, listed_periods=False, claims_named=False,
                 every_text_fact=True, prose_changes=False, untied_unverifiable=False)
FILING = Policy("filing", evidence_required=True, magnitudes=True, binding_subjects=False, opening_subjects=False,
                table_scales=(6, 3), recalls_rows=True, listed_periods=True, claims_named=True,
                every_text_fact=False, prose_changes=True, untied_unverifiable=True)


@dataclass
class Report:
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)   # findings that are not about one number
    notes: list[str] = field(default_factory=list)          # explained observations, not findings
    draft: bool = False         # the release is a draft: it never passes for final, whatever the findings
    open: list[Problem] = field(default_factory=list)       # a draft's open items: placeholders, carried items
    places: dict = field(default_factory=dict)              # a placeholder's fact key -> where it is printed

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)

    @property
    def findings(self) -> list[Problem]:
        own = [Problem(Source(*_split(e.location)), f"QF-{e.status.upper()}",
                       f"'{e.text}': {e.explanation}" + (f" (source {e.source})" if e.source else "")
                       + (f" at {e.anchor}" if e.anchor else ""))
               for e in self.entries if not e.ok]
        return own + self.problems

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[entry.status] = counts.get(entry.status, 0) + 1
        return dict(sorted(counts.items()))

    def lines(self, verbose: bool = False) -> list[str]:
        """The text report: every number when ``verbose``, then the notes (the summary line is separate)."""
        out = [f"{e.location}: {e.status:<13} {e.text!r:<28} {e.explanation}"
               + (f" [{e.confidence}]" if e.confidence else "") + (f" at {e.anchor}" if e.anchor else "")
               for e in self.entries] if verbose else []
        return out + [f"note: {n}" for n in self.notes] + [f"open: {p}" for p in self.open]

    def summary_line(self) -> str:
        """E.g. ``1906 numbers: 1374 tied, 74 derived, 458 non-financial; 0 findings``."""
        order = ("tied", "derived", "non-financial", "unverifiable", "placeholder", "untied", "inconsistent")
        counts = self.summary()
        parts = [f"{counts[k]} {k}" for k in sorted(counts, key=lambda k: (order.index(k) if k in order else 9, k))]
        findings = len(self.findings)
        line = f"{len(self.entries)} numbers: {', '.join(parts) or 'none'}; " \
               f"{findings} finding{'' if findings == 1 else 's'}"
        return line + (f"; DRAFT, not final: {open_summary(self.open)}" if self.draft else "")

    def as_json(self) -> dict:
        return {
            "summary": self.summary(),
            "status": "draft" if self.draft else "final",
            "open": [str(p) for p in self.open],
            "findings": [str(p) for p in self.findings],
            "notes": self.notes,
            "numbers": [{"text": e.text, "location": e.location, "status": e.status, "explanation": e.explanation,
                         "source": e.source, "confidence": e.confidence}
                        | ({"anchor": e.anchor, "span": e.span} if e.anchor else {}) for e in self.entries],
        }


def _split(location: str) -> tuple[str, int]:
    file, _, line = location.rpartition(":")
    return (file, int(line)) if line.isdigit() else (location, 0)


def open_summary(items: list[Problem]) -> str:
    """``3 placeholders, 20 carried items open`` (a draft's items still to fill or confirm)."""
    placeholders = sum(1 for p in items if p.code == "QF-PLACEHOLDER")
    carried = sum(1 for p in items if p.code == "QF-CARRIED")
    return f"{placeholders} placeholder{'' if placeholders == 1 else 's'}, {carried} carried " \
           f"item{'' if carried == 1 else 's'} open"
