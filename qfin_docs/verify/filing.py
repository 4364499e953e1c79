"""Tie-out of any Inline XBRL filing against its own tags (``qfin-docs tieout FILING.htm``).

The filing's facts are read from its tags, with no network and no taxonomy: the concept, the period and
dimensions of its context, its unit, and its value after the transformation (``format``), ``scale`` and
``sign``; ``ix:hidden`` facts count, ``ix:exclude`` text does not, and a text fact's ``ix:continuation``
chain is followed.  The narrative (every block of text, and every table row) is then tied with the same
engine as a release's drafts; labels come from the concept names ("NetCashProvidedByUsedInOperatingActivities"
names "net cash provided by used in operating activities").
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

from ..facts.load import Loaded
from ..model import BadInput, Concept, Fact, ItemType, Period, Problem, QName, Relations, Release, Source, \
    Taxonomy, Unit
from ..xmlio import parse_xml
from .drafts import MAX_DRAFT_BYTES, Paragraph, TableRow
from .report import Entry, Report

IX = "{http://www.xbrl.org/2013/inlineXBRL}"
XBRLI = "{http://www.xbrl.org/2003/instance}"
XBRLDI = "{http://xbrl.org/2006/xbrldi}"
XHTML = "{http://www.w3.org/1999/xhtml}"
BLOCKS = {f"{XHTML}{tag}" for tag in ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "table")}
MAX_TEXT_FACT = 120          # longer text facts (text blocks) are no phrases of the narrative


class Filing:
    """What a filing says: its facts, its paragraphs and table rows, and the period it reports on."""

    def __init__(self, path: Path):
        self.path = path
        if path.stat().st_size > MAX_DRAFT_BYTES * 2:
            raise BadInput([Problem(Source(str(path), 0), "QF-DRAFT-SIZE", "the filing is over 40 MB")])
        try:
            self.root = parse_xml(path.read_bytes())
        except etree.XMLSyntaxError as exc:
            raise BadInput([Problem(Source(str(path), getattr(exc, "lineno", 0) or 0), "QF-FILING-READ",
                                    f"not a well-formed Inline XBRL document: {exc}")]) from None
        self.contexts = {c.get("id"): self._context(c) for c in self.root.iter(f"{XBRLI}context")}
        self.units = {u.get("id"): self._unit(u) for u in self.root.iter(f"{XBRLI}unit")}
        self.continuations = {c.get("id"): c for c in self.root.iter(f"{IX}continuation")}
        self.facts = self._numeric() + self._text()
        self.paragraphs, self.rows = self._narrative()

    # ------------------------------------------------------------------ contexts and units
    @staticmethod
    def _context(context) -> tuple[Period, tuple]:
        instant = context.findtext(f".//{XBRLI}instant")
        if instant:
            period = Period(dt.date.fromisoformat(instant.strip()[:10]))
        else:
            start = dt.date.fromisoformat(context.findtext(f".//{XBRLI}startDate").strip()[:10])
            end = dt.date.fromisoformat(context.findtext(f".//{XBRLI}endDate").strip()[:10])
            period = Period(end, start)
        dims = tuple(sorted((QName.parse(m.get("dimension")), QName.parse(m.text.strip()))
                            for m in context.iter(f"{XBRLDI}explicitMember")))
        return period, dims

    @staticmethod
    def _unit(unit) -> Unit:
        numerator = unit.findtext(f".//{XBRLI}unitNumerator/{XBRLI}measure")
        if numerator:
            return Unit(numerator.strip(), unit.findtext(f".//{XBRLI}unitDenominator/{XBRLI}measure").strip())
        return Unit(unit.findtext(f"{XBRLI}measure").strip())

    # ------------------------------------------------------------------ facts
    def _numeric(self) -> list[Fact]:
        out = []
        for tag in self.root.iter(f"{IX}nonFraction"):
            value = tagged_value(tag)
            if value is None or tag.get("contextRef") not in self.contexts:
                continue
            period, dims = self.contexts[tag.get("contextRef")]
            decimals = tag.get("decimals")
            out.append(Fact(QName.parse(tag.get("name")), value, period, Source(str(self.path), tag.sourceline or 0),
                            self.units.get(tag.get("unitRef")), None if decimals in (None, "INF") else int(decimals),
                            dims))
        return out

    def _text(self) -> list[Fact]:
        out = []
        for tag in self.root.iter(f"{IX}nonNumeric"):
            if tag.get("contextRef") not in self.contexts:
                continue
            text = " ".join(self.text_of(tag).split())
            if 0 < len(text) <= MAX_TEXT_FACT:
                period, dims = self.contexts[tag.get("contextRef")]
                out.append(Fact(QName.parse(tag.get("name")), text, period, Source(str(self.path), tag.sourceline or 0),
                                None, None, dims))
        return out

    def text_of(self, tag) -> str:
        """A text fact's text, with its continuations, in order."""
        parts, seen, current = ["".join(tag.itertext())], set(), tag.get("continuedAt")
        while current and current not in seen and current in self.continuations:
            seen.add(current)
            parts.append("".join(self.continuations[current].itertext()))
            current = self.continuations[current].get("continuedAt")
        return " ".join(parts)

    def period_end(self) -> dt.date:
        for fact in self.facts:
            if fact.concept.local == "DocumentPeriodEndDate" and isinstance(fact.value, str):
                for form in ("%B %d, %Y", "%Y-%m-%d", "%b. %d, %Y", "%d %B %Y"):
                    try:
                        return dt.datetime.strptime(fact.value, form).date()
                    except ValueError:
                        continue
        ends = [f.period.end for f in self.facts if isinstance(f.value, Decimal)]
        return max(ends) if ends else dt.date.today()

    # ------------------------------------------------------------------ narrative
    def _narrative(self) -> tuple[list[Paragraph], list[TableRow]]:
        body = self.root.find(f"{XHTML}body")
        if body is None:
            return [], []
        paragraphs, rows = [], []
        tables = (f"{XHTML}table", f"{XHTML}td", f"{XHTML}th")
        for element in body.iter(*BLOCKS):
            if element.tag in tables or _inside(element, f"{IX}header") or _inside(element, f"{XHTML}table") \
                    or any(child.tag in BLOCKS for child in element.iterdescendants()):
                continue        # only the innermost blocks outside tables are paragraphs (rows are read below)
            text = " ".join(_visible_text(element).split())
            if text:
                paragraphs.append(Paragraph(text, element.sourceline or 0))
        for table in body.iter(f"{XHTML}table"):
            for tr in table.iter(f"{XHTML}tr"):
                cells = [" ".join(_visible_text(td).split()) for td in tr if td.tag in (f"{XHTML}td", f"{XHTML}th")]
                cells = [c for c in cells if c and c not in ("$", ")", "%")]
                label = next((c for c in cells if re.search("[A-Za-z]{2}", c)), "")
                numbers = [c for c in cells if c is not label and re.fullmatch(r"\(?[0-9][0-9,.]*\)?%?|—|-", c)]
                if label and numbers:
                    rows.append(TableRow(label, numbers, tr.sourceline or 0, []))
        return paragraphs, rows

    # ------------------------------------------------------------------ the engine's view
    def loaded(self) -> Loaded:
        """The filing as the tie-out engine sees a release: its facts, and concepts named by their names."""
        concepts = {}
        for fact in self.facts:
            if fact.concept not in concepts:
                concepts[fact.concept] = Concept(fact.concept, _kind(fact), "instant" if fact.period.is_instant
                                                 else "duration", None, {"label": words(fact.concept.local)},
                                                 fact.source)
        taxonomy = Taxonomy({}, concepts, {}, {}, (), {}, Relations())
        meta = {"document_period_end": self.period_end().isoformat(), "constants": {}}
        release = Release(self.path.stem, str(self.path.parent), meta, {}, tuple(self.facts), ())
        return Loaded(taxonomy, release)


def tagged_value(tag) -> Decimal | None:
    """An ix:nonFraction's value: its text read by its format, times 10^scale, negated by sign="-"."""
    if tag.get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true":
        return None
    text = "".join(tag.itertext()).strip()
    fmt = (tag.get("format") or "").rpartition(":")[2].replace("-", "").lower()
    if fmt in ("fixedzero", "zerodash", "numdash") or text in ("-", "—", "–"):
        number = Decimal(0)
    elif fmt in ("numcommadecimal", "numdotcomma", "numspacecomma"):
        number = _decimal(text.replace(".", "").replace(" ", "").replace(",", "."))
    elif fmt in ("numdotdecimal", "numcommadot", "numspacedot", ""):
        number = _decimal(text.replace(",", "").replace(" ", ""))
    else:
        return None                     # numwordsen and other word forms are not read
    if number is None:
        return None
    number = number.scaleb(int(tag.get("scale") or 0))
    return -number if tag.get("sign") == "-" else number


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text) if re.fullmatch(r"[0-9]+(\.[0-9]+)?", text) else None
    except InvalidOperation:
        return None


def _kind(fact: Fact) -> ItemType:
    if not isinstance(fact.value, Decimal) or fact.unit is None:
        return ItemType.STRING
    if fact.unit.numerator.startswith("iso4217:"):
        return ItemType.PER_SHARE if fact.unit.denominator else ItemType.MONETARY
    return ItemType.SHARES if fact.unit.numerator == "xbrli:shares" else ItemType.DECIMAL


def words(local: str) -> str:
    """A concept's name as words: "NetCashProvidedByUsedInOperatingActivities" -> "net cash provided by used in
    operating activities"."""
    return " ".join(re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", local)).lower()


def _inside(element, tag: str) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.getparent()
    return False


def _visible_text(element) -> str:
    """The text a reader sees: without ix:exclude, ix:header and what is styled display:none."""
    parts: list[str] = []

    def walk(node, top: bool) -> None:
        hidden = node.tag in (f"{IX}exclude", f"{IX}header") or \
            "display:none" in (node.get("style") or "").replace(" ", "")
        if not hidden:
            parts.append(node.text or "")
            for child in node:
                walk(child, False)
        if not top:
            parts.append(node.tail or "")
    walk(element, True)
    return "".join(parts)


def tieout_filing(path: Path) -> Report:
    """Tie every number of a filing's narrative to the filing's own tags."""
    from .tieout import TieOut, tie
    if not path.is_file():
        raise BadInput([Problem(Source(str(path), 0), "QF-DRAFT-READ", "filing not found")])
    filing = Filing(path)
    engine = TieOut(filing.loaded())
    engine.magnitudes = True
    engine.table_scales = (6, 3)
    report = tie(engine, filing.paragraphs, filing.rows, str(path))
    # in a filing, a figure no tag gives is unverifiable, not wrong: only an inconsistent one is a finding
    report.entries = [Entry(e.text, e.location, "unverifiable", "no fact of the filing gives this figure")
                      if e.status == "untied" else e for e in report.entries]
    numeric = sum(1 for f in filing.facts if isinstance(f.value, Decimal))
    report.notes.insert(0, f"read {numeric} numeric and {len(filing.facts) - numeric} text facts, "
                           f"{len(filing.paragraphs)} paragraphs and {len(filing.rows)} table rows of {path}")
    return report


__all__ = ["Filing", "tagged_value", "tieout_filing", "words"]
