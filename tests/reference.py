"""Reading the reference release text: its tables (tab-separated blocks) and its paragraphs."""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class RefRow:
    label: str
    cells: tuple[str, ...]
    line: int


def table_blocks(text: str) -> list[list[RefRow]]:
    """The tab-separated tables, one list of rows each; a header line after data starts a new table."""
    blocks: list[list[RefRow]] = []
    previous_was_data = True
    for number, line in enumerate(text.splitlines(), 1):
        if "\t" not in line:
            continue
        label, *cells = line.split("\t")
        is_header = not label.strip()
        if is_header and previous_was_data:
            blocks.append([])
        previous_was_data = not is_header
        blocks[-1].append(RefRow(label.strip(), tuple(c.strip() for c in cells), number))
    return blocks


def data_rows(block: list[RefRow]) -> list[RefRow]:
    """Rows with a label and at least one figure (headings and column headers are left out)."""
    return [r for r in block if r.label and any(c for c in r.cells)]


def heading_rows(block: list[RefRow]) -> list[RefRow]:
    return [r for r in block if r.label and not any(c for c in r.cells)]


ARTEFACTS = [
    (re.compile(r"\^\{\*(\d+)\}"), lambda m: "".join("⁰¹²³⁴⁵⁶⁷⁸⁹"[int(d)] for d in m.group(1))),
    (re.compile(r"US\\\$"), lambda m: "US$"),
    (re.compile(r"\*\*(.+?)\*\*"), lambda m: m.group(1)),
    (re.compile(r"\*(.+?)\*"), lambda m: m.group(1)),
    (re.compile(r"<(https?://[^>]+)>"), lambda m: m.group(1)),
]


# Typography that is not wording: the reference mixes straight and curly quotes, and sets footnote markers at
# the start of a footnote as superscripts for some notes and as full-size digits for others; the release uses
# curly quotes and superscript markers throughout.  Both sides are compared with plain quotes and digits there.
TYPOGRAPHY = [
    (re.compile("[“”]"), lambda m: '"'),
    (re.compile("[‘’]"), lambda m: "'"),
    (re.compile(r"^[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?= )"), lambda m: "".join(str("⁰¹²³⁴⁵⁶⁷⁸⁹".index(c)) for c in m.group(0))),
]


def normalise(text: str) -> str:
    """The reference's markup artefacts removed, quotes and footnote-start markers made plain, whitespace
    collapsed."""
    for pattern, replace in ARTEFACTS:
        text = pattern.sub(replace, text)
    text = " ".join(text.split())
    for pattern, replace in TYPOGRAPHY:
        text = pattern.sub(replace, text)
    return text


def prose_paragraphs(text: str) -> list[str]:
    """Normalised non-empty paragraphs of the reference before its first table."""
    lines = text.splitlines()
    end = next(i for i, line in enumerate(lines) if line.startswith("Unaudited Condensed Consolidated Balance Sheets"))
    paragraphs = []
    for line in lines[:end]:
        line = line.strip()
        if line:
            paragraphs.append(normalise(line.lstrip("- ").strip() if line.startswith("- ") else line))
    return paragraphs


NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?|[⁰¹²³⁴⁵⁶⁷⁸⁹]+")


def number_tokens(text: str) -> list[str]:
    return NUMBER.findall(text)
