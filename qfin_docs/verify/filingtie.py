"""The tie-out of a filing (``qfin-docs tieout FILING.htm``): the release tie-out's engine over the filing's own
facts, where a figure that is itself tagged is checked against its tag, and a figure no tag gives is
unverifiable rather than a finding.

A tagged figure's printed text must read as its fact after the tag's ``scale`` and the scale word that follows
it ("$<tag scale=9>94.9</tag> billion"); a tagged table cell's scale must be the one its table states ("in
millions").  Both are the mistakes the tags themselves can carry, which a validator cannot see.
"""
from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from ..facts.derivations import change_bounds, divide, interval, magnitude, meets
from ..facts.numbers import Printed
from ..facts.periods import named_period, read_day
from ..model import BadInput, Fact, Period, Problem, Source
from .drafts import Paragraph, TableRow
from .evidence import no_item, stem
from .context import period_fits, direction, unit_fits
from .filing import Filing, Tag, words
from .report import FILING, Entry, Report
from .respective import respective
from .rows import anchor, describe
from .scan import phrases
from .subjects import norm
from .tieout import TieOut, tie

_DASHES = ("—", "–", "-")
_PER_SHARE = re.compile(r"\s*per\s(?:basic\s|diluted\s)?(?:common\s|ordinary\s)?share\b", re.IGNORECASE)
_POINTS = re.compile(r"\s*(?:(basis points|bps)|percentage points)\b")
_VERBS = re.compile(r"\b(increased|decreased|grew|declined|rose|fell)\b", re.IGNORECASE)
_UP = ("increased", "grew", "rose")
_POWER_WORDS = {3: "thousands", 6: "millions", 9: "billions"}


class FilingTieOut(TieOut):
    """The engine for a filing: figures may print a negative fact's magnitude ("expense was $215 million"),
    statements are in millions or thousands, and tagged figures are their own tags."""

    def __init__(self, filing: Filing):
        super().__init__(filing.loaded())
        self.policy = FILING
        self.magnitudes = True
        self.table_scales = (6, 3)
        self.binding_subjects = False   # labels made from concept names are guesses: they prefer, never exclude
        self.opening_subjects = False   # nor a label a sentence merely starts with ("Cash capital expenditures")
        self.row_facts = {}             # the facts tied in table rows so far, by row label
        self.periods = Counter(f.period for f in self.numeric)     # facts by period, in the filing's order
        self.revenues: dict[Period, list[Fact]] = {}      # the wholes of margins: revenue without dimensions
        for fact in self.numeric:
            if not fact.dimensions and re.search("Revenue|Sales", fact.concept.local):
                self.revenues.setdefault(fact.period, []).append(fact)
        self._respective: tuple = (None, {})     # the paragraph last read, and its figures' listed periods
        self._about: dict[int, Period | None] = {}  # its figures' periods (listed or named), by start

    def _phrases(self):
        """Only text facts that are phrases ("Nasdaq Global Select Market"), not a date or year a text fact
        happens to hold, which the non-financial kinds name for what they are."""
        texts = [str(f.value) for f in self.loaded.release.facts if isinstance(f.value, str)
                 and len(re.findall("[A-Za-z]{3,}", str(f.value))) >= 2 and read_day(str(f.value)) is None]
        return phrases("text fact", texts)

    def derivations(self, printed, before: str, context, section, when=None, after: str = "",
                    named: frozenset = frozenset()) -> list[str]:
        found = super().derivations(printed, before, context, section, when, after, named)
        sentence = before[max(before.rfind(". "), 0):]
        verbs = _VERBS.findall(sentence)       # "increased 11% in Q3 2025, and 10% for the nine months"
        sign = direction(before, after) or (0 if not verbs else 1 if verbs[-1].lower() in _UP else -1)
        if not found and printed.currency and _PER_SHARE.match(after):
            found = self.per_share(printed, before, after, "diluted" in after[:30].lower())
        if not found and not sign and not printed.percent:
            return self.misprint(printed, before, after)
        if found or not sign:
            return found
        points = _POINTS.match(after)
        if points:
            return self.year_over_year(printed, before, after, sign, points=4 if points.group(1) else 2)
        return self.year_over_year(printed, before, after, sign) if printed.percent else []

    def year_over_year(self, printed, before: str, after: str, sign: int, points: int = 0) -> list[str]:
        """ "Gaming revenue for fiscal year 2025 was up 9% from a year ago": the change from the same period a
        year before, of an item the sentence names by at least two words of its concept and members; with
        ``points`` (4: "gross margin decreased 120 basis points"; 2: percentage points), the change of a ratio
        fact, or of the item's share of revenue (a margin)."""
        want = printed.interval() if not points else \
            Printed(printed.value.scaleb(-points), printed.decimals + points).interval()
        want = want if sign > 0 else (-want[1], -want[0])
        found = []
        for (concept, dims), facts in self._named_by(before, after):
            for new, old in itertools.permutations(facts, 2):
                if new.unit != old.unit or new.period.is_instant or old.period.is_instant or \
                        abs((new.period.end - old.period.end).days - 365) > 3 or \
                        abs((new.period.start - old.period.start).days - 365) > 3:
                    continue
                for bounds in ([change_bounds(new, old)] if not points else self._point_changes(new, old)):
                    if bounds is not None and meets(want, bounds):
                        found.append(f"{'change' if not points else 'change in points of'} {concept.local}"
                                     f"{''.join(f'[{m.local}]' for _, m in dims)} {old.period} -> {new.period} "
                                     f"in [{bounds[0]:.3%}, {bounds[1]:.3%}]")
        return found

    def per_share(self, printed, before: str, after: str, diluted: bool) -> list[str]:
        """ "$0.65 per diluted share": an amount the sentence names (or net income) over the weighted average
        number of shares of its period (diluted or basic, as the words say)."""
        items = {concept for (concept, _), _ in self._named_by(before, after)}
        out = []
        for shares in self.numeric:
            if shares.unit is None or shares.unit.numerator != "xbrli:shares" or shares.dimensions or \
                    "WeightedAverage" not in shares.concept.local or ("Diluted" in shares.concept.local) != diluted:
                continue
            for amount in self.numeric:
                if amount.period != shares.period or amount.dimensions or amount.unit is None or \
                        amount.unit.numerator != f"iso4217:{printed.currency}" or amount.unit.denominator or \
                        (amount.concept not in items and amount.concept.local != "NetIncomeLoss"):
                    continue
                ratio = divide(interval(amount), interval(shares))
                if ratio is not None and meets(magnitude(printed.interval()), magnitude(ratio)):
                    out.append(f"per share: {amount.concept.local} / {shares.concept.local} for {amount.period} "
                               f"in [{ratio[0]:.4f}, {ratio[1]:.4f}]")
        return out

    def misprint(self, printed, before: str, after: str) -> list[str]:
        """A figure close to (within a fifth of) the fact of the one item its sentence names by its head word and
        another, for the period the sentence gives, but not that fact: "Interest expense was $603 million and
        $540 million during Q3 2024 and Q3 2025", where Q3 2025's is $538 million."""
        about = self._about.get(len(before))
        if about is None or printed.value == 0:
            return []
        head_words = _stems(norm(before[max(before.rfind(". "), 0):]))        # named before the figure
        named = [f for (concept, dims), facts in self._named_by(before, after) if _head(concept.local)[0] in head_words
                 for f in facts if f.dimensions == dims and f.period.is_instant == about.is_instant  # a flow is no
                 and period_fits(f.period, about) and unit_fits(f, printed, "prose") and f.value != 0]     # balance
        # one item named, or the figure may be their sum ("proceeds from short-term debt, and long-term debt")
        if len({(f.concept, f.dimensions) for f in named}) != 1:
            return []
        near = [f for f in named if Decimal("0.8") <= abs(printed.value / f.value) <= Decimal("1.25")]
        if not near:
            return []
        fact = near[0]
        return [f"INCONSISTENT: the text names {fact.concept} for {fact.period}, where the fact is {fact.value:,f} "
                f"(the one item of that period the sentence names, and a fifth or less from the figure)"]

    def _named_by(self, before: str, after: str):
        """The (concept, dimensions) items the figure's sentence names by two words of their names."""
        start, end = max(before.rfind(". "), 0), after.find(". ")
        sentence = _stems(norm(before[start:] + " " + (after if end < 0 else after[:end])))
        for (concept, dims), facts in self.by_name.items():
            names = _item_words(concept, dims)
            if len(names & sentence) >= min(2, len(names)) > 0 or "margin" in sentence and "profit" in names:
                yield (concept, dims), facts

    def _point_changes(self, new: Fact, old: Fact) -> list:
        """The change of a ratio fact, or of a monetary item's share of the revenue of its period."""
        if new.unit is not None and new.unit.numerator == "xbrli:pure":
            return [(interval(new)[0] - interval(old)[1], interval(new)[1] - interval(old)[0])]
        out = []
        for whole_new in self.revenues.get(new.period, []):
            for whole_old in self.revenues.get(old.period, []):
                if whole_new.concept == whole_old.concept and whole_new.unit == new.unit:
                    a, b = divide(interval(new), interval(whole_new)), divide(interval(old), interval(whole_old))
                    if a is not None and b is not None:
                        out.append((a[0] - b[1], a[1] - b[0]))
        return out

    def may_claim(self, facts: list[Fact], about: Period, text: str) -> bool:
        said = _stems(norm(text))
        return any(_alike(f.period, about) and (len(named & said) >= min(2, len(named)) > 0 or head in said)
                   for f in facts for head, named in [_head(f.concept.local)])

    def period_of(self, paragraph: Paragraph, found: list, index: int) -> Period | None:
        if self._respective[0] is not paragraph:
            self._respective = (paragraph, respective(paragraph.text, found, self.periods))
            self._about = {}
        period = self._respective[1].get(index)
        sentence = paragraph.text[max(paragraph.text.rfind(". ", 0, found[index].start) + 1, 0):found[index].start]
        self._about[found[index].start] = period or named_period(sentence, self.loaded.calendar)
        return period

    def tagged(self, paragraph: Paragraph, token, location: str) -> tuple[Entry, Fact | None] | None:
        if token.printed is None:
            return None
        tag = next((t for start, end, t in paragraph.tags if start < token.end and end > token.start), None)
        if tag is None:
            return None
        bare = token.printed if token.printed.percent or re.search("[A-Za-z]", token.text) else Printed(
            token.printed.value.scaleb(tag.scale), token.printed.decimals - tag.scale)    # "17" of scale -2 is 0.17
        if meets(magnitude(token.printed.interval()), magnitude(interval(tag.fact))) or \
                meets(magnitude(bare.interval()), magnitude(interval(tag.fact))):
            return Entry(token.text, location, "tied", "tagged: " + describe(tag.fact), confidence="exact",
                         fact=tag.fact), tag.fact
        return Entry(token.text, location, "inconsistent",
                     f"the text reads {abs(token.printed.value):,f}, but its tag {tag.fact.concept} "
                     f"(scale {tag.scale}) is {tag.fact.value:,f}"), None

    def tagged_cell(self, row: TableRow, index: int, location: str) -> Entry | None:
        tag: Tag | None = row.tags[index] if index < len(row.tags) else None
        if tag is None:
            return None
        text, where = row.cells[index], anchor(row, index)
        unit = tag.fact.unit
        if row.stated is not None and unit is not None and unit.numerator.startswith("iso4217:") \
                and not unit.denominator and tag.fact.value != 0 and tag.scale != row.stated:
            return Entry(text, location, "inconsistent",
                         f"the table states {_POWER_WORDS.get(row.stated, row.stated)}, but this figure's tag "
                         f"{tag.fact.concept} has scale {tag.scale}: {tag.fact.value:,f}", anchor=where)
        return Entry(text, location, "tied", "tagged: " + describe(tag.fact), confidence="exact", anchor=where,
                     fact=tag.fact)


def _stems(text: str) -> set[str]:
    return {stem(w) for w in text.split()} - no_item()


@functools.lru_cache(maxsize=None)
def _item_words(concept, dims: tuple) -> frozenset[str]:
    """The stems of an item's concept and member names, once per item."""
    return frozenset(_stems(words(concept.local + "".join(m.local for _, m in dims))))


@functools.lru_cache(maxsize=None)
def _head(local: str) -> tuple[str, frozenset[str]]:
    """A concept name's first word (its head: "Revenue...", "Inventory...") and all its words, as stems."""
    named = [stem(w) for w in words(local).split()]
    head = next((w for w in named if w not in no_item()), "")
    return head, frozenset(named) - no_item()


def _alike(period: Period, other: Period) -> bool:
    """Periods of one kind and length (a quarter and a quarter; an instant and an instant)."""
    if period.is_instant or other.is_instant:
        return period.is_instant and other.is_instant
    return abs((period.end - period.start).days - (other.end - other.start).days) <= 5


def tieout_filing(path: Path, html: Path | None = None) -> Report:
    """Tie every number of a filing's narrative to the filing's own tags; with ``html``, also write the filing
    with each number marked by its status (see verify/marks.py)."""
    if not path.is_file():
        raise BadInput([Problem(Source(str(path), 0), "QF-DRAFT-READ", "filing not found")])
    filing = Filing(path)
    report = tieout_of(filing)
    if html is not None:
        from .marks import marked, write_marked
        write_marked(html, marked(filing, report))
        report.notes.append(f"wrote {html}: every number marked by its status")
    return report


def tieout_of(filing: Filing) -> Report:
    """The tie-out of a filing already read."""
    path = filing.path
    report = tie(FilingTieOut(filing), filing.paragraphs, filing.rows, str(path))
    # in a filing, a figure no tag gives is unverifiable, not wrong: only an inconsistent one is a finding
    report.entries = [replace(e, status="non-financial", explanation="a dash: nothing reported")
                      if e.status == "untied" and e.text in _DASHES else
                      replace(e, status="unverifiable", explanation="no fact of the filing gives this figure")
                      if e.status == "untied" else e for e in report.entries]
    numeric = sum(1 for f in filing.facts if isinstance(f.value, Decimal))
    report.notes.insert(0, f"read {numeric} numeric and {len(filing.facts) - numeric} text facts, "
                           f"{len(filing.paragraphs)} paragraphs and {len(filing.rows)} table rows of {path}")
    return report


__all__ = ["FilingTieOut", "tieout_filing", "tieout_of"]
