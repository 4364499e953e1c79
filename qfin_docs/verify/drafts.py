"""Reading drafts written by people: paragraphs and table rows of a .txt (wire-service layout),
.html or .pdf release, with each table column's period and currency when the headers give them."""
from __future__ import annotations

import codecs
import re
from collections import Counter
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html

from ..facts.periods import DAY, ending, length_words, read_day
from ..model import CNY, USD, BadInput, Fact, Period, Problem, Source
from ..xmlio import drop_non_text, html_parser



@dataclass
class Paragraph:
    text: str
    line: int
    tied: list[Fact] = field(default_factory=list)
    tags: list = field(default_factory=list)     # in a filing: (start, end, Tag) of each tagged figure in ``text``
    anchor: str = ""                             # in a filing: the block's element path


@dataclass
class TableRow:
    label: str
    cells: list[str]
    line: int
    columns: list[tuple[Period | None, object]]     # (period, currency unit) per cell, when known
    section: str = ""     # the heading row above it (a label with no figures): "Net income per ADS ..."
    tags: list = field(default_factory=list)      # in a filing: each cell's Tag, or None
    anchors: list = field(default_factory=list)   # in a filing: each cell's element path
    stated: int | None = None     # in a filing: the power of ten its table's heading states ("in millions": 6)
    kinds: list = field(default_factory=list)     # in a filing: each cell's non-financial kind ("note reference")
    table: str = ""       # in a filing: the element path of its table
    positions: list = field(default_factory=list)  # in a filing: each cell's column in its table (colspans counted)
    headers: list = field(default_factory=list)    # in a filing: each cell's column heading text
    title: str = ""       # in a filing: the text between the table and the one before it ("changes in warranty
    #                       liabilities were as follows:"), to its last 300 characters


MAX_DRAFT_BYTES = 20_000_000     # a release is ~0.1-1 MB as text or PDF
MAX_PDF_PAGES = 300
MAX_TEXT_CHARS = 5_000_000       # text extracted from a PDF
PDF_SECONDS = 30.0               # per poppler run; the Q2 2024 PDF reads in 0.1 s
MAX_FIGURES = 20_000             # runs of digits in a draft (the Q2 2024 release has ~2,500; tying out
                                 # takes ~3 ms a figure on a busy machine)
MAX_PARAGRAPH_FIGURES = 200      # in one paragraph (the release's longest has ~30; the cost grows as its square)


def read_draft(path: Path) -> tuple[list[Paragraph], list[TableRow]]:
    """Paragraphs and table rows of a draft (.txt in the wire-service layout, .html, or .pdf)."""
    paragraphs, rows, _pages = read_draft_pages(path)
    return paragraphs, rows


def read_draft_pages(path: Path) -> tuple[list[Paragraph], list[TableRow], str | None]:
    """Paragraphs and table rows of a draft (.txt in the wire-service layout, .html, or .pdf), and for a PDF
    the text of its pages as laid out (which :func:`unread` counts figures in).

    Raises:
        BadInput: the draft is missing, too large, not text, not a readable PDF, or could not be read whole.
    """
    suffix = path.suffix.lower()
    if suffix not in (".txt", ".text", ".html", ".htm", ".pdf"):
        _refuse(path, "QF-DRAFT-FORMAT", f"'{suffix or path.name}' is not a draft format (.txt, .html or .pdf)")
    try:
        size = path.stat().st_size
        if not path.is_file():
            _refuse(path, "QF-DRAFT-READ", "is not a file")
        if size > MAX_DRAFT_BYTES:
            _refuse(path, "QF-DRAFT-SIZE", f"draft is {size:,} bytes, over the {MAX_DRAFT_BYTES:,}-byte limit")
        raw = path.read_bytes()
    except OSError as exc:
        _refuse(path, "QF-DRAFT-READ", f"cannot read the draft: {exc.strerror}")
    if suffix == ".pdf":
        pages = _pdftotext(path, "-layout")
        _count_figures(pages, path, MAX_FIGURES, "the draft")
        return _bounded(_pdf_paragraphs(_pdftotext(path)), path), _pdf_rows(pages), pages
    text = decode(raw, path, html=suffix in (".html", ".htm"))
    _count_figures(text, path, MAX_FIGURES, "the draft")
    paragraphs, rows = _read_html(text, path) if suffix in (".html", ".htm") else _read_text(text)
    return _bounded(paragraphs, path), rows, None


def _bounded(paragraphs: list[Paragraph], path: Path) -> list[Paragraph]:
    for paragraph in paragraphs:
        _count_figures(paragraph.text, path, MAX_PARAGRAPH_FIGURES, "a paragraph", paragraph.line)
    return paragraphs


def _refuse(path: Path, code: str, message: str, line: int = 0):
    raise BadInput([Problem(Source(str(path), line), code, message)])


BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))      # UTF-32 LE first: FF FE 00 00
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
                       re.IGNORECASE)


def decode(raw: bytes, path: Path, html: bool = False) -> str:
    """The text of a text or HTML draft, decoded by its byte-order mark, else (HTML) the charset it declares in
    its first 1,024 bytes, else as UTF-8; a draft that does not decode, or holds binary control characters, is
    refused at its line (never read as something else, never partly)."""
    encoding, start = next(((name, len(bom)) for bom, name in BOMS if raw.startswith(bom)), (None, 0))
    declared = _DECLARED.search(raw[:1024]) if html and encoding is None else None
    if declared:
        name = (declared.group(1) or declared.group(2)).decode("ascii")
        try:
            encoding = codecs.lookup(name).name
        except LookupError:
            _refuse(path, "QF-DRAFT-ENCODING", f"declares the character set '{name}', which is not known",
                    raw[:declared.start()].count(b"\n") + 1)
    encoding = encoding or "utf-8"
    try:
        text = raw[start:].decode(encoding)
    except UnicodeDecodeError as exc:
        before = raw[start:start + exc.start].decode(encoding, "replace")
        _refuse(path, "QF-DRAFT-ENCODING", f"invalid {encoding.upper()} byte 0x{raw[start + exc.start]:02x} at "
                f"byte {start + exc.start}: not {'an HTML' if html else 'a'} {encoding.upper()} text draft"
                + (" (save it as UTF-8, or declare its charset)" if html and not declared and not start else ""),
                before.count("\n") + 1)
    binary = re.search(r"[\x00-\x08\x0e-\x1f]", text)
    if binary:
        _refuse(path, "QF-DRAFT-BINARY", f"control character U+{ord(binary.group()):04X}: not a text draft",
                text.count("\n", 0, binary.start()) + 1)
    return text


def _count_figures(text: str, path: Path, most: int, what: str, line: int = 0) -> None:
    """A draft, or a paragraph, of more figures than ``most`` is refused before it is tied out."""
    for count, _ in enumerate(_RUN.finditer(text), 1):
        if count > most:
            _refuse(path, "QF-DRAFT-SIZE", f"{what} holds over {most:,} figures, over the limit", line)


def _poppler(path: Path, command: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, timeout=PDF_SECONDS)
    except subprocess.TimeoutExpired:
        _refuse(path, "QF-DRAFT-PDF", f"reading the PDF took over {PDF_SECONDS:g} s (a decompression bomb?)")
    except OSError as exc:
        _refuse(path, "QF-DRAFT-PDF", f"cannot run {command[0]} (poppler-utils): {exc.strerror}")


_RUN = re.compile(r"[0-9]+(?:[.,][0-9]+)*")


def unread(pages: str, paragraphs: list[Paragraph], rows: list[TableRow]) -> tuple[int, list[str]]:
    """How many figures (runs of digits) a PDF's pages show, and those the reader did not take in."""
    lines = pages.splitlines()
    text = re.sub(r"Page [0-9]+ of [0-9]+", "", "\n".join(line for line in lines if not _pdf_header(line)[0]))
    shown = Counter(_RUN.findall(text))
    taken = Counter(_RUN.findall(" ".join([p.text for p in paragraphs] + [r.section + " " + r.label + " " +
                                                                        " ".join(r.cells) for r in rows])))
    return sum(shown.values()), sorted((shown - taken).elements())


def _pdftotext(path: Path, *flags: str) -> str:
    """Text of a PDF draft (poppler), with page, size and time bounds; a PDF it cannot read is refused."""
    info = _poppler(path, ["pdfinfo", str(path)])
    if info.returncode != 0:
        errors = info.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = "it is encrypted (a password is needed)" if any("password" in e.lower() for e in errors) \
            else errors[-1] if errors else f"pdfinfo exit {info.returncode}"
        _refuse(path, "QF-DRAFT-PDF", f"cannot read the PDF: {reason}")
    pages = re.search(rb"^Pages:\s+([0-9]+)", info.stdout, re.MULTILINE)
    if pages and int(pages.group(1)) > MAX_PDF_PAGES:
        _refuse(path, "QF-DRAFT-SIZE", f"the PDF has {int(pages.group(1)):,} pages, over the {MAX_PDF_PAGES}-page limit")
    done = _poppler(path, ["pdftotext", "-q", *flags, "-enc", "UTF-8", str(path), "-"])
    if done.returncode != 0:
        _refuse(path, "QF-DRAFT-PDF", f"cannot read the PDF (pdftotext exit {done.returncode})")
    if len(done.stdout) > MAX_TEXT_CHARS * 4:
        _refuse(path, "QF-DRAFT-SIZE", f"the PDF holds over {MAX_TEXT_CHARS:,} characters of text")
    text = done.stdout.decode("utf-8", "replace")
    if not any(c.isalnum() for c in text):
        _refuse(path, "QF-DRAFT-EMPTY", "the PDF has no text to read (a scanned image?)")
    return text


def _clean(text: str) -> str:
    text = re.sub(r"\^\{\*([0-9]+)\}", lambda m: "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(d)] for d in m.group(1)), text)
    text = text.replace("US\\$", "US$").replace("**", "")
    # *emphasis*, but not footnote markers (*1 ... *7 after a word: schema/phrases.yaml)
    text = re.sub(r"\*(?![\s0-9])([^*\n]+?)(?<!\s)\*(?![0-9])", r"\1", text)
    return re.sub(r"<(https?://[^>]+)>", r"\1", text)


def _read_text(text: str) -> tuple[list[Paragraph], list[TableRow]]:
    paragraphs, rows = [], []
    lines = text.splitlines()
    header: list[list[str]] = []
    pending_group = group = ""
    previous_data = True
    for number, raw in enumerate(lines, 1):
        line = _clean(raw)
        if "\t" not in line:
            if line.strip():
                paragraphs.append(Paragraph(" ".join(line.strip().lstrip("- ").split()) if line.startswith("- ")
                                            else " ".join(line.split()), number))
                if re.match(r"^\s*(Three|Six|Nine|Twelve) months ended", line):
                    pending_group = line.strip()
            continue
        label, *cells = [c.strip() for c in line.split("\t")]
        if not label:
            if previous_data:
                header, group = [], ""
            header.append(cells)
            previous_data = False
            continue
        previous_data = True
        if any(cells):
            rows.append(TableRow(label, cells, number, _columns(header, pending_group), group))
        else:
            group = label
    return paragraphs, rows


def _columns(header: list[list[str]], pending_group: str) -> list[tuple[Period | None, object]]:
    """Column periods and currencies from header rows ("Three months ended June 30," / years / RMB)."""
    if not header:
        return []
    width = max(len(h) for h in header)
    currency = next((h for h in header if h and all(c in ("RMB", "USD", "") for c in h) and any(h)), [])
    units = [CNY if c == "RMB" else USD if c == "USD" else None for c in currency] + [None] * width
    dates = next((h for h in header if any(re.match(DAY + "$", c) for c in h)), None)
    if dates:
        return [(Period(day) if (day := read_day(c)) else None, units[i]) for i, c in enumerate(dates)]
    years = next((h for h in header if h and all(re.fullmatch(r"[0-9]{4}", c) for c in h if c)), [])
    groups = next((h for h in header if any("months ended" in c for c in h)), [pending_group])
    spans, current = [], ""
    for i in range(len(years)):
        cell = groups[i] if i < len(groups) else ""
        current = cell or current
        spans.append(current)
    out = []
    for i, year in enumerate(years):
        match = re.match(r"(\w+) months ended (\w+) ([0-9]+)", spans[i] or "")
        end = read_day(f"{match.group(2)} {match.group(3)} {year}") if match and year else None
        if end is None:
            out.append((None, units[i]))
            continue
        out.append((ending(end, length_words().get(match.group(1).lower(), 0)), units[i]))
    return out


# A draft build's own apparatus (templates/layout.html.j2, render/drafting.py, render/figures.py): the list of what
# is missing, the carried flags and the watermark are not the release's text; a placeholder's marker
# ("[TODO: ..., Q2 2025]") is an open item of the release (the report lists them), never figures to tie.
DRAFT_APPARATUS = "//div[@id='missing'] | //p[@class='carried-flag'] | //div[@class='watermark']"
PLACEHOLDER_MARKERS = "//span[contains(concat(' ', normalize-space(@class), ' '), ' missing ')]"


def read_draft_build(root) -> None:
    """A draft build read as its text: its apparatus dropped, each placeholder's marker read as the word TODO in
    prose and as an empty cell in a table."""
    for element in root.xpath(DRAFT_APPARATUS):
        element.drop_tree()
    for marker in root.xpath(PLACEHOLDER_MARKERS):
        tail = marker.tail
        marker.clear()
        in_cell = any(a.tag in ("td", "th") for a in marker.iterancestors())
        marker.text, marker.tail = "" if in_cell else "TODO", tail


def _read_html(text: str | bytes, path: Path) -> tuple[list[Paragraph], list[TableRow]]:
    if isinstance(text, bytes):
        text = decode(text, path, html=True)
    # decoded already: an XML declaration's encoding no longer applies (lxml refuses text that has one)
    text = re.sub(r"\A(\s*)<\?xml[^>]*\?>", lambda m: m.group(1) + "\n" * m.group().count("\n"), text)
    parser = html_parser()
    root = lxml.html.document_fromstring(text, parser=parser) if text.strip() else None
    fatal = [e for e in parser.error_log if "depth" in e.message.lower() or "huge" in e.message.lower()]
    if fatal:
        _refuse(path, "QF-DRAFT-READ", f"could not read the whole document: {fatal[0].message.strip()}",
                fatal[0].line)
    if root is None or not root.text_content().strip():
        _refuse(path, "QF-DRAFT-EMPTY", "the draft has no text to read")
    drop_non_text(root)
    read_draft_build(root)
    paragraphs, rows = [], []
    for element in root.iter("h1", "h2", "p", "li"):
        paragraphs.append(Paragraph(" ".join(element.text_content().split()), element.sourceline or 0))
    for table in root.iter("table"):
        header = [[" ".join(c.text_content().split()) for c in tr.xpath("./th|./td")][1:]
                  for tr in table.xpath("./thead/tr")]
        expanded = []
        for tr, texts in zip(table.xpath("./thead/tr"), header):
            cells = []
            for cell, text in zip(tr.xpath("./th|./td")[1:], texts):
                cells += [text] + [""] * (int(cell.get("colspan", "1")) - 1)
            expanded.append(cells)
        columns = _columns(expanded, "")
        group = ""
        for tr in table.xpath("./tbody/tr"):
            cells = [" ".join(c.text_content().split()) for c in tr.xpath("./th|./td")]
            if len(cells) > 1 and any(cells[1:]):
                rows.append(TableRow(cells[0], cells[1:], tr.sourceline or 0, columns, group))
            elif cells and cells[0]:
                group = cells[0]
    return paragraphs, rows


_HEADING = re.compile(r"[A-Z][\w&'’-]*(?: (?:[A-Z0-9][\w&'’-]*|of|on|and|the|for|in|to|a))*")


def _pdf_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs of the PDF's running text (before the statements), rebuilt from its lines: a short
    line ends a paragraph, a bullet or a footnote number starts one; page headers and footers are dropped."""
    pages = text.split("\f")
    header = pages[0].splitlines()[0].strip() if pages and pages[0].strip() else ""
    lines = []
    for line in "\n".join(pages).splitlines():
        stripped = line.strip()
        if stripped.startswith("Unaudited Condensed Consolidated Balance Sheets"):
            break                   # the statements are read as table rows
        if stripped != header and not re.fullmatch(r"Page [0-9]+ of [0-9]+", stripped):
            lines.append(stripped)
    lengths = sorted(len(line) for line in lines if line)
    width = lengths[len(lengths) * 3 // 4] if lengths else 0     # a full line of justified text
    paragraphs: list[Paragraph] = []
    current: list[str] = []
    for index, line in enumerate(lines, 1):
        starts = line.startswith("•") or re.match(r"^([0-9]{1,2}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+) [A-Z\"“]", line) \
            or _HEADING.fullmatch(line) and len(line) < 0.5 * width
        if current and starts:
            paragraphs.append(Paragraph(" ".join(current), index))
            current = []
        if line:
            current.append(line.lstrip("• "))
        if current and (not line or len(line) < 0.75 * width):
            paragraphs.append(Paragraph(" ".join(current), index))
            current = []
    if current:
        paragraphs.append(Paragraph(" ".join(current), len(lines)))
    for paragraph in paragraphs:    # poppler drops the hyphen of "30-day" broken at a line's end
        paragraph.text = re.sub(r"\b([0-9]+)(day|month|year|week)\b", r"\1-\2", paragraph.text)
    return paragraphs


def _pdf_header(line: str) -> tuple[str, list[str]]:
    """What a line of a statement's header gives: column groups, dates, years or currencies."""
    stripped = line.strip()
    if re.fullmatch(r"[0-9]{4}(?:\s+[0-9]{4})+", stripped):
        return "years", stripped.split()
    if re.fullmatch(r"(?:RMB|USD)(?:\s+(?:RMB|USD))+", stripped):
        return "currency", stripped.split()
    groups = re.findall(r"(?:Three|Six|Nine|Twelve) months ended \w+ [0-9]{1,2}", stripped)
    if groups:
        return "groups", groups
    dates = re.findall(DAY, stripped)
    if len(dates) >= 2 and not re.sub(DAY, "", stripped).strip():
        return "dates", dates
    return "", []


def _pdf_columns(header: dict[str, list[str]], width: int) -> list[tuple[Period | None, object]]:
    """Column periods and currencies from a PDF statement's header, when it has as many columns as the row."""
    wanted = header.get("dates") or header.get("years") or []
    if len(wanted) < width or not wanted:
        return []                   # fewer cells than columns: the first columns (a margin's RMB figures)
    width = len(wanted)
    rows = [header["currency"]] if len(header.get("currency", ())) == width else []
    if "dates" in header:
        return _columns([header["dates"]] + rows, "")
    groups = header.get("groups", [])
    spread = [groups[i * len(groups) // width] if groups and i * len(groups) % width < len(groups) else ""
              for i in range(width)]
    return _columns([spread, header["years"]] + rows, "")


def _pdf_rows(text: str) -> list[TableRow]:
    """Statement rows of ``pdftotext -layout`` output: a label followed by figures, from the first statement on."""
    cell = re.compile(r"^(\(?[0-9]{1,3}(,[0-9]{3})*(\.[0-9]+)?%?\)?|-)$")
    rows = []
    in_tables = continued = heading = False
    group = ""
    header: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if "Unaudited Condensed Consolidated Balance Sheets" in line:
            in_tables = True
        kind, values = _pdf_header(line)
        if in_tables and kind:
            if kind in header or "_data" in header:
                header = {}         # a new table's header (or its repetition on a new page)
            header[kind] = values
            continued = heading = False     # the group above a page break still holds after the repeated header
            continue
        parts = line.split()
        cells = []
        while in_tables and parts and cell.match(parts[-1]):
            cells.insert(0, parts.pop())
        if in_tables and cells and not parts:       # a row's figures on a line of their own (its label split off)
            rows.append(TableRow("", cells, number, _pdf_columns(header, len(cells)), group))
            header["_data"] = ["row"]
            continue
        if in_tables and cells and parts and re.search(r"[A-Za-z]", " ".join(parts)) and not line.strip().startswith("Page"):
            rows.append(TableRow(" ".join(parts), cells, number, _pdf_columns(header, len(cells)), group))
            header["_data"] = ["row"]
            continued, heading = True, False
        elif in_tables and not cells and parts and continued and parts[0][:1].islower():
            rows[-1].label += " " + " ".join(parts)     # a label wrapped onto the next line continues the row's
        elif in_tables and not cells and parts and not line.strip().startswith("Page"):
            group = (group + " " if heading else "") + " ".join(parts)    # a heading row, perhaps wrapped
            continued, heading = False, True
        else:
            continued = heading = False
    return rows
