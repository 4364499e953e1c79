"""Reading any Inline XBRL filing for its tie-out against its own tags (``qfin-docs tieout FILING.htm``).

The filing's facts are read from its tags, with no network and no taxonomy: the concept, the period and
dimensions of its context, its unit, and its value after the transformation (``format``), ``scale`` and
``sign``; ``ix:hidden`` facts count, ``ix:exclude`` text does not, and a text fact's ``ix:continuation``
chain is followed.  The narrative is read as paragraphs (the innermost blocks, and the cells of text laid
out in tables) and table rows (a label and its figures, with the scale the table states and the columns of
note, exhibit and page references), each figure with its element path and the tag it carries, if any.  Labels
come from the filer's label linkbase beside the document, and from the concept names
("NetCashProvidedByUsedInOperatingActivities" names "net cash provided by used in operating activities").
"""
from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

from ..facts.load import Loaded
from ..facts.periods import read_day
from ..model import BadInput, Concept, Fact, ItemType, Period, Problem, QName, Relations, Release, Source, \
    Taxonomy, Unit
from ..xmlio import parse_xml
from .linklabels import label_linkbases, read_labels
from .drafts import MAX_DRAFT_BYTES, Paragraph, TableRow

IX = "{http://www.xbrl.org/2013/inlineXBRL}"
XBRLI = "{http://www.xbrl.org/2003/instance}"
XBRLDI = "{http://xbrl.org/2006/xbrldi}"
XHTML = "{http://www.w3.org/1999/xhtml}"
TABLE, CELLS = f"{XHTML}table", (f"{XHTML}td", f"{XHTML}th")
_BREAKS = frozenset(f"{XHTML}{name}" for name in ("br", "p", "div", "li", "td", "th", "tr", "table", "h1", "h2", "h3",
                                                   "h4", "h5", "h6"))
_FIGURE_CELL = re.compile(r"\(?[0-9][0-9,.]*\)?%?|—|-")
_SECTION = re.compile(r"[0-9]{1,2}\.")          # "9." before a note's heading
_FORM = re.compile(r"(?:10-[KQ]|8-K|20-F|40-F|6-K|S-[0-9]|F-[0-9]|DEF 14A)(?:/A)?")     # in an exhibit index
_NUMBERING = re.compile(r"[0-9]{1,2}(?:\.[0-9]{1,2})?\.?")   # "2.16 | Impairment ...": a heading's number
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")        # a row of years is a table's heading
_REFERENCE_COLUMNS = {"note": "note reference", "notes": "note reference", "exhibit": "exhibit number",
                      "exhibitno": "exhibit number", "exhibitnumber": "exhibit number", "page": "page number",
                      "pageno": "page number"}


def xml_start(data: bytes) -> bytes:
    """The document from its first markup: a UTF-8 byte order mark and white space before the XML declaration
    (which XML wants first) are dropped; other encodings' marks are left to the parser, which reads them."""
    body = data.removeprefix(b"\xef\xbb\xbf")
    stripped = body.lstrip(b" \t\r\n")
    return stripped if stripped.startswith(b"<") else data


def _key(heading: str) -> str:
    """A column heading as a key: "Exhibit No." and "Exhibit<br/>Number" are "exhibitno", "exhibitnumber"."""
    return re.sub(r"[\s.:]", "", heading.lower())
BLOCKS = {f"{XHTML}{tag}" for tag in ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "table")}
MAX_TEXT_FACT = 120          # longer text facts (text blocks) are no phrases of the narrative


@dataclass(frozen=True, slots=True, eq=False)
class Tag:
    """An ix:nonFraction of the narrative: its fact and the ``scale`` its printed text was read with."""

    fact: Fact
    scale: int


class Filing:
    """What a filing says: its facts, its paragraphs and table rows, and the period it reports on."""

    def __init__(self, path: Path, data: bytes | None = None):
        """Read the filing at ``path`` (or ``data``, read as if it were the file at ``path``)."""
        self.path = path
        if (path.stat().st_size if data is None else len(data)) > MAX_DRAFT_BYTES * 2:
            raise BadInput([Problem(Source(str(path), 0), "QF-DRAFT-SIZE", "the filing is over 40 MB")])
        try:
            self.root = parse_xml(xml_start(path.read_bytes() if data is None else data))
        except etree.XMLSyntaxError as exc:
            raise BadInput([Problem(Source(str(path), getattr(exc, "lineno", 0) or 0), "QF-FILING-READ",
                                    f"not a well-formed Inline XBRL document: {exc}")]) from None
        self.contexts = {c.get("id"): self._context(c) for c in self.root.iter(f"{XBRLI}context")}
        self.units = {u.get("id"): self._unit(u) for u in self.root.iter(f"{XBRLI}unit")}
        self.continuations = {c.get("id"): c for c in self.root.iter(f"{IX}continuation")}
        self.tags: dict = {}            # ix:nonFraction element -> Tag
        self.facts = self._numeric() + self._text()
        self.tree = self.root.getroottree()
        self.blocks: dict[str, object] = {}     # element path -> the block or cell it names
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
            fact = Fact(QName.parse(tag.get("name")), value, period, Source(str(self.path), tag.sourceline or 0),
                        self.units.get(tag.get("unitRef")), None if decimals in (None, "INF") else int(decimals), dims)
            self.tags[tag] = Tag(fact, int(tag.get("scale") or 0))
            out.append(fact)
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

    def labels(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for path in label_linkbases(self.root, self.path):
            for local, texts in read_labels(path).items():
                out.setdefault(local, []).extend(t for t in texts if t not in out.get(local, ()))
        return out

    def period_end(self) -> dt.date:
        for fact in self.facts:
            if fact.concept.local == "DocumentPeriodEndDate" and isinstance(fact.value, str):
                day = read_day(fact.value)
                if day is not None:
                    return day
        ends = [f.period.end for f in self.facts if isinstance(f.value, Decimal)]
        return max(ends) if ends else dt.date.today()

    # ------------------------------------------------------------------ narrative
    def _narrative(self) -> tuple[list[Paragraph], list[TableRow]]:
        """The paragraphs (innermost blocks) and table rows (a label and figures) a reader sees, in order.
        A table row with no figure cell is text laid out in a table (old HTML lays out whole documents so):
        its cells are read as paragraphs."""
        body = self.root.find(f"{XHTML}body")
        if body is None:
            return [], []
        paragraphs, rows, prose, since = [], [], set(), 0
        for element in body.iter(*BLOCKS):
            if _nearest(element, (f"{IX}header",)) is not None:
                continue
            if element.tag == TABLE:
                title = " ".join(p.text for p in paragraphs[since:])[-300:]
                rows += [replace(row, title=title) for row in self._rows(element, prose)]
                since = len(paragraphs)
                continue
            cell = element if element.tag in CELLS else _nearest(element, CELLS)
            if cell is not None and cell not in prose or any(c.tag in BLOCKS for c in element.iterdescendants()):
                continue
            text = Visible(element)
            if text.text:
                spans = [(start, end, self.tags[tag]) for start, end, tag in text.tagged() if tag in self.tags]
                paragraphs.append(Paragraph(text.text, element.sourceline or 0, tags=spans,
                                            anchor=self.anchor(element)))
        return paragraphs, rows

    def _rows(self, table, prose: set) -> list[TableRow]:
        """A table's own rows with a label and figures; its text-only rows' cells go to ``prose``.  A figure's
        column is the last its cell spans: figures align right, whether a "$" cell precedes them or a wider
        cell holds them."""
        found, headed, heading, heads, above = [], None, "", {}, {}
        for tr in (tr for tr in table.iter(f"{XHTML}tr") if _nearest(tr, (TABLE,)) is table):
            cells, column, below = [], 0, {}
            for td in tr:
                if td.tag in CELLS:
                    while above.get(column):        # a cell of a row above reaches down here (its rowspan)
                        column += 1
                    below.update({k: _span(td, "rowspan") - 1 for k in range(column, column + _span(td))
                                  if _span(td, "rowspan") > 1})
                    cells.append((Visible(td), td, column))
                    column += _span(td)
            above = {k: n - 1 for k, n in above.items() if n > 1} | below
            cells = [(c, td, k) for c, td, k in cells if c.text and c.text not in ("$", ")", "%", "£", "€")]
            label, at = next(((c.text, k) for c, _, k in cells if re.search("[A-Za-z]{2}", c.text)), ("", 0))
            numbers = [(c, td, k) for c, td, k in cells if c.text is not label and _FIGURE_CELL.fullmatch(c.text)]
            headed = headed or {k: _REFERENCE_COLUMNS[_key(c.text)] for c, _, k in cells
                                if _key(c.text) in _REFERENCE_COLUMNS}
            if not found and (not numbers or not label):
                for c, td, k in cells:      # a heading row above the table's first row of figures
                    for position in range(k, k + _span(td)):
                        heads.setdefault(position, []).append(c.text)
            if not numbers:
                prose.update(td for c, td, _ in cells if td.find(f".//{TABLE}") is None)
                heading = label if label and len(cells) == 1 else heading if label == "" else ""
            elif label:
                tags = [next((self.tags[t] for _, _, t in c.tagged() if t in self.tags), None) for c, _, _ in numbers]
                found.append((tr, label, numbers, tags, at, cells, heading))
        notes = headed or _note_column(found)
        stated, out = _stated_scale(table), []
        where = self.anchor(table)
        for tr, label, numbers, tags, at, cells, heading in found:
            years = all(_YEAR.fullmatch(c.text) for c, _, _ in numbers) and not any(tags)
            exhibits = any(_FORM.fullmatch(c.text) for c, _, _ in cells)
            kinds = ["section number" if tag is None and (_SECTION.fullmatch(c.text) or k < at
                                                          and _NUMBERING.fullmatch(c.text)) else
                     "year" if years else
                     notes[k] if notes and k in notes and tag is None else "exhibit number" if exhibits else ""
                     for (c, _, k), tag in zip(numbers, tags)]
            out.append(TableRow(label, [c.text for c, _, _ in numbers], tr.sourceline or 0, [], heading, tags=tags,
                                anchors=[self.anchor(td) for _, td, _ in numbers], stated=stated, kinds=kinds,
                                table=where, positions=[k + _span(td) - 1 for _, td, k in numbers],
                                headers=[" ".join(heads.get(k + _span(td) - 1, ())) for _, td, k in numbers]))
        return out

    def anchor(self, element) -> str:
        """The element's path in the document ("/html/body/div[12]/p[3]"), which a report can point to."""
        path = "/html/" + re.sub(r"\{[^}]*\}", "", self.tree.getelementpath(element))
        self.blocks[path] = element
        return path

    # ------------------------------------------------------------------ the engine's view
    def loaded(self) -> Loaded:
        """The filing as the tie-out engine sees a release: its facts, and concepts named by the labels of
        the filer's label linkbase beside the document, and by their own names."""
        concepts, labels = {}, self.labels()
        for fact in self.facts:
            if fact.concept not in concepts:
                texts = [*labels.get(fact.concept.local, ()), *_names(words(fact.concept.local))]
                concepts[fact.concept] = Concept(fact.concept, _kind(fact), "instant" if fact.period.is_instant
                                                 else "duration", None, {"label": texts[0]}, fact.source,
                                                 synonyms=tuple(dict.fromkeys(texts[1:])))
        taxonomy = Taxonomy({}, concepts, {}, {}, (), {}, Relations())
        meta = {"document_period_end": self.period_end().isoformat(), "constants": {}}
        release = Release(self.path.stem, str(self.path.parent), meta, {}, tuple(self.facts), ())
        return Loaded(taxonomy, release)


_QUALIFIERS = re.compile(r"^net |^total |(?<=^other) nonoperating(?= )| (?:nonoperating|operating|net|gross|current|"
                         r"noncurrent|total|excluding assessed tax|including assessed tax|attributable to parent)$")


def _names(named: str) -> list[str]:
    """A concept's name as words, then without the qualifiers the text leaves out: "interest expense
    nonoperating" is also "interest expense", "net cash provided by used in ..." also "cash provided ..."."""
    out = [named]
    while (shorter := _QUALIFIERS.sub("", out[-1]).strip()) != out[-1] and shorter:
        out.append(shorter)
    return out


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


_STATED = re.compile(r"\bin (thousands|millions|billions)\b", re.IGNORECASE)
_POWERS = {"thousands": 3, "millions": 6, "billions": 9}


def _note_column(rows: list) -> dict[int, str] | None:
    """The column of a statement's note references where no heading names it: every figure in it is an
    untagged number of one or two digits, followed in its row by larger figures."""
    columns: dict[int, bool] = {}
    for _, _, numbers, tags, *_ in rows:
        for index, ((cell, _, k), tag) in enumerate(zip(numbers, tags)):
            small = tag is None and re.fullmatch(r"[0-9]{1,2}", cell.text) is not None
            later = any(len(c.text) > 3 for c, _, _ in numbers[index + 1:])
            columns[k] = columns.get(k, True) and small and later
    column = next((k for k, note in sorted(columns.items()) if note), None)
    return {column: "note reference"} if column is not None else None


def _stated_scale(table) -> int | None:
    """The power of ten a table's figures are stated in, from its own heading rows or the text just before
    it: "(in millions, except per share data)"."""
    head = " ".join(" ".join(tr.itertext()) for tr in list(table.iter(f"{XHTML}tr"))[:4])
    match = _STATED.search(head)
    node, before = table, []
    while match is None and node is not None and len(" ".join(before)) < 400:
        previous = node.getprevious()
        if previous is None:
            node = node.getparent()
            continue
        node = previous
        if isinstance(node.tag, str):
            before.insert(0, " ".join(node.itertext()))
            if node.tag == f"{XHTML}table":
                break
        match = _STATED.search(" ".join(before)[-400:])
    return _POWERS[match.group(1).lower()] if match else None


def _nearest(element, tags: tuple):
    """The nearest ancestor of ``element`` with one of ``tags``, or None."""
    parent = element.getparent()
    while parent is not None and parent.tag not in tags:
        parent = parent.getparent()
    return parent


class Visible:
    """The text a reader sees in a block: without ix:exclude, ix:header, comments and what is styled
    display:none, its white space collapsed; with where each piece of it lies in the document, so that a
    figure found in the text can be traced to its ix:nonFraction and marked in place."""

    def __init__(self, element):
        self.pieces: list[tuple[object, str, str, object]] = []     # (node, "text" | "tail", string, tag)
        self._walk(element, True, None)
        self.raw = "".join(piece[2] for piece in self.pieces)
        words = list(re.finditer(r"\S+", self.raw))
        self.text = " ".join(w.group() for w in words)
        self._raw_starts = [w.start() for w in words]
        self._lengths = [len(w.group()) for w in words]
        self._text_starts, position = [], 0
        for length in self._lengths:
            self._text_starts.append(position)
            position += length + 1

    def _walk(self, node, top: bool, tag) -> None:
        if not isinstance(node.tag, str):       # a comment or processing instruction: only its tail is text
            if node.tail and not top:
                self.pieces.append((node, "tail", node.tail, tag))
            return
        hidden = node.tag in (f"{IX}exclude", f"{IX}header") or \
            "display:none" in (node.get("style") or "").replace(" ", "")
        block = not top and node.tag in _BREAKS     # a line break or a block of its own: words either side
        if not hidden:                              # are apart ("Additional<br/>Paid-in<br/>Capital")
            inner = node if node.tag == f"{IX}nonFraction" else tag
            if block:
                self.pieces.append((node, "break", " ", None))
            if node.text:
                self.pieces.append((node, "text", node.text, inner))
            for child in node:
                self._walk(child, False, inner)
            if block:
                self.pieces.append((node, "break", " ", None))
        if not top and node.tail:
            self.pieces.append((node, "tail", node.tail, tag))

    def to_text(self, raw: int) -> int:
        """The offset in :attr:`text` of the raw offset ``raw`` (white space maps to the next word)."""
        index = bisect.bisect_right(self._raw_starts, raw) - 1
        if index < 0:
            return 0
        inside, length = raw - self._raw_starts[index], self._lengths[index]
        return self._text_starts[index] + (inside if inside <= length else length + 1)

    def to_raw(self, offset: int) -> int:
        """The raw offset of the offset ``offset`` in :attr:`text`."""
        index = bisect.bisect_right(self._text_starts, offset) - 1
        return len(self.raw) if index < 0 else self._raw_starts[index] + offset - self._text_starts[index]

    def tagged(self) -> list[tuple[int, int, object]]:
        """(start, end, ix:nonFraction) of each tagged figure, as offsets in :attr:`text`."""
        out, position = [], 0
        for _, _, string, tag in self.pieces:
            if tag is not None and string.strip():
                start = self.to_text(position + len(string) - len(string.lstrip()))
                end = self.to_text(position + len(string.rstrip()) - 1) + 1
                if out and out[-1][2] is tag:
                    out[-1] = (out[-1][0], end, tag)
                else:
                    out.append((start, end, tag))
            position += len(string)
        return out


__all__ = ["Filing", "Tag", "Visible", "tagged_value", "words", "xml_start"]


def _span(td, way: str = "colspan") -> int:
    """The columns (or with "rowspan", the rows) a table cell spans: 1 where missing or not a number, and never
    more than a table can have."""
    span = (td.get(way) or "1").strip()
    return min(int(span), 1000) if span.isdigit() and int(span) > 0 else 1
