"""Reading drafts written by people: paragraphs and table rows of a .txt (wire-service layout),
.html or .pdf release, with each table column's period and currency when the headers give them."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .model import CNY, USD, Fact, Period
from .scan import MONTH
from .xmlio import parse_html

_MONTHS = {"Three": 3, "Six": 6, "Nine": 9, "Twelve": 12}


@dataclass
class Paragraph:
    text: str
    line: int
    tied: list[Fact] = field(default_factory=list)


@dataclass
class TableRow:
    label: str
    cells: list[str]
    line: int
    columns: list[tuple[Period | None, object]]     # (period, currency unit) per cell, when known
    section: str = ""


def read_draft(path: Path) -> tuple[list[Paragraph], list[TableRow]]:
    """Paragraphs and table rows of a draft (.txt in the wire-service layout, .html, or .pdf)."""
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return _read_html(path)
    if suffix == ".pdf":
        def pdftotext(*flags: str) -> str:
            return subprocess.run(["pdftotext", *flags, "-enc", "UTF-8", str(path), "-"], capture_output=True,
                                  text=True, timeout=60, check=True).stdout
        return _pdf_paragraphs(pdftotext()), _pdf_rows(pdftotext("-layout"))
    return _read_text(path.read_text(encoding="utf-8"))


def _clean(text: str) -> str:
    text = re.sub(r"\^\{\*(\d+)\}", lambda m: "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(d)] for d in m.group(1)), text)
    text = text.replace("US\\$", "US$").replace("**", "")
    text = re.sub(r"\*([^*]+)\*", r"\1", text)
    return re.sub(r"<(https?://[^>]+)>", r"\1", text)


def _read_text(text: str) -> tuple[list[Paragraph], list[TableRow]]:
    paragraphs, rows = [], []
    lines = text.splitlines()
    header: list[list[str]] = []
    pending_group = ""
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
                header = []
            header.append(cells)
            previous_data = False
            continue
        previous_data = True
        if any(cells):
            rows.append(TableRow(label, cells, number, _columns(header, pending_group)))
    return paragraphs, rows


def _columns(header: list[list[str]], pending_group: str) -> list[tuple[Period | None, object]]:
    """Column periods and currencies from header rows ("Three months ended June 30," / years / RMB)."""
    if not header:
        return []
    width = max(len(h) for h in header)
    currency = next((h for h in header if h and all(c in ("RMB", "USD", "") for c in h) and any(h)), [])
    units = [CNY if c == "RMB" else USD if c == "USD" else None for c in currency] + [None] * width
    dates = next((h for h in header if any(re.match(MONTH + r" \d+, \d{4}$", c) for c in h)), None)
    if dates:
        return [(Period(dt.datetime.strptime(c, "%B %d, %Y").date()) if c else None, units[i])
                for i, c in enumerate(dates)]
    years = next((h for h in header if h and all(re.fullmatch(r"\d{4}", c) for c in h if c)), [])
    groups = next((h for h in header if any("months ended" in c for c in h)), [pending_group])
    spans, current = [], ""
    for i in range(len(years)):
        cell = groups[i] if i < len(groups) else ""
        current = cell or current
        spans.append(current)
    out = []
    for i, year in enumerate(years):
        match = re.match(r"(\w+) months ended (\w+) (\d+)", spans[i] or "")
        if not match or not year:
            out.append((None, units[i]))
            continue
        end = dt.datetime.strptime(f"{match.group(2)} {match.group(3)} {year}", "%B %d %Y").date()
        months = _MONTHS.get(match.group(1), 0)
        start_month = end.month - months + 1
        start = dt.date(end.year + (start_month - 1) // 12, (start_month - 1) % 12 + 1, 1)
        out.append((Period(end, start), units[i]))
    return out


def _read_html(path: Path) -> tuple[list[Paragraph], list[TableRow]]:
    root = parse_html(path.read_bytes())
    for element in root.xpath("//style | //script | //div[@style='display:none'] | //div[@class='running']"):
        element.drop_tree()
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
        for tr in table.xpath("./tbody/tr"):
            cells = [" ".join(c.text_content().split()) for c in tr.xpath("./th|./td")]
            if len(cells) > 1 and any(cells[1:]):
                rows.append(TableRow(cells[0], cells[1:], tr.sourceline or 0, columns))
    return paragraphs, rows


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
        if stripped != header and not re.fullmatch(r"Page \d+ of \d+", stripped):
            lines.append(stripped)
    lengths = sorted(len(line) for line in lines if line)
    width = lengths[len(lengths) * 3 // 4] if lengths else 0     # a full line of justified text
    paragraphs: list[Paragraph] = []
    current: list[str] = []
    for index, line in enumerate(lines, 1):
        starts = line.startswith("•") or re.match(r"^(\d{1,2}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+) [A-Z\"“]", line)
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
    return paragraphs


def _pdf_rows(text: str) -> list[TableRow]:
    """Statement rows of ``pdftotext -layout`` output: a label followed by figures, from the first statement on."""
    cell = re.compile(r"^(\(?\d{1,3}(,\d{3})*(\.\d+)?%?\)?|-)$")
    rows = []
    in_tables = False
    for number, line in enumerate(text.splitlines(), 1):
        if "Unaudited Condensed Consolidated Balance Sheets" in line:
            in_tables = True
        parts = line.split()
        cells = []
        while in_tables and parts and cell.match(parts[-1]):
            cells.insert(0, parts.pop())
        if in_tables and cells and parts and re.search(r"[A-Za-z]", " ".join(parts)) and not line.strip().startswith("Page"):
            rows.append(TableRow(" ".join(parts), cells, number, []))
    return rows
