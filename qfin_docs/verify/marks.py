"""The filing with its narrative numbers marked (``qfin-docs tieout FILING.htm --html OUT.html``): each number
the tie-out read is highlighted by its status, with a hover card of its explanation, and a panel lists the
counts and the inconsistent numbers with links to them.

The filing is a third party's document: its copy loses its scripts, event handlers, frames and embedded
objects, and a Content-Security-Policy lets it load nothing but its own images and inline styles.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from lxml import etree

from ..model import BadInput, Problem, Source
from .filing import XHTML, Filing, Visible
from .report import Entry, Report

GENERATOR = "qfin-docs tieout --html"
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_DROP = {"script", "iframe", "object", "embed", "frame", "frameset", "base", "link"}
_STYLE = """
.qf{position:relative;border-radius:2px;outline:1px solid transparent}
.qf-tied{background:#d9f2d9}.qf-derived{background:#d6e6fa}.qf-non-financial{background:#eeeeee}
.qf-unverifiable{background:#fff1bf}.qf-inconsistent{background:#ffc9c9;outline-color:#c00}
.qf:hover::after{content:attr(data-qf);position:absolute;left:0;top:1.5em;z-index:1000;width:28em;
 white-space:normal;font:12px/1.35 sans-serif;color:#111;background:#fff;border:1px solid #888;padding:6px 8px;
 box-shadow:0 2px 8px rgba(0,0,0,.25);text-align:left;text-indent:0}
#qf-panel{position:fixed;right:8px;top:8px;z-index:2000;max-width:26em;max-height:45vh;overflow:auto;
 font:12px/1.4 sans-serif;background:#fff;border:1px solid #888;padding:8px;box-shadow:0 2px 8px rgba(0,0,0,.25)}
#qf-panel span{padding:0 3px}
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"


def marked(filing: Filing, report: Report) -> bytes:
    """The filing's document with every number of ``report`` marked in place."""
    by_block: dict[str, list[tuple[int, Entry]]] = {}
    for number, entry in enumerate(report.entries):
        if entry.anchor in filing.blocks:
            by_block.setdefault(entry.anchor, []).append((number, entry))
    for anchor, entries in by_block.items():
        element = filing.blocks[anchor]
        cells = [(n, e) for n, e in entries if e.span is None]
        if cells:
            _wrap_all(element, *cells[0])
            continue
        text = Visible(element)
        for number, entry in sorted(entries, key=lambda item: item[1].span[0], reverse=True):
            start, end = entry.span
            _wrap(text, text.to_raw(start), text.to_raw(end - 1) + 1, number, entry)
    _sanitise(filing.root)
    _dress(filing.root, report)
    for element in filing.root.iter():     # "<div></div>", never "<div/>": the copy reads the same as HTML
        if isinstance(element.tag, str) and element.text is None and len(element) == 0 \
                and etree.QName(element).localname not in _VOID:
            element.text = ""
    return etree.tostring(filing.root.getroottree(), xml_declaration=True, encoding="utf-8")


def _span(number: int, entry: Entry, text: str | None, first: bool):
    span = etree.Element(f"{XHTML}span")
    span.set("class", f"qf qf-{entry.status}")
    span.set("data-qf", f"{entry.status}: {entry.explanation}" + (f" [{entry.confidence}]" if entry.confidence else ""))
    span.set("title", span.get("data-qf"))
    if first:
        span.set("id", f"qf-{number}")
    span.text = text
    return span


def _wrap(text: Visible, start: int, end: int, number: int, entry: Entry) -> None:
    """Wrap the raw characters [start, end) of a block's visible text, piece by piece, last piece first."""
    position, parts = 0, []
    for node, where, string, _ in text.pieces:
        low, high = max(start, position), min(end, position + len(string))
        if low < high and where != "break":     # a break between blocks is no character of the document
            parts.append((node, where, low - position, high - position))
        position += len(string)
    for index, (node, where, low, high) in reversed(list(enumerate(parts))):
        current = node.text if where == "text" else node.tail
        span = _span(number, entry, current[low:high], index == 0)
        span.tail = current[high:]
        if where == "text":
            node.text = current[:low]
            node.insert(0, span)
        else:
            node.tail = current[:low]
            parent = node.getparent()
            parent.insert(parent.index(node) + 1, span)


def _wrap_all(cell, number: int, entry: Entry) -> None:
    """Wrap a whole table cell's content."""
    span = _span(number, entry, cell.text, True)
    cell.text = None
    for child in list(cell):
        span.append(child)
    cell.append(span)


def _sanitise(root) -> None:
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if etree.QName(element).localname in _DROP and element.getparent() is not None:
            tail, parent = element.tail, element.getparent()
            previous = element.getprevious()
            parent.remove(element)
            if tail and previous is not None:
                previous.tail = (previous.tail or "") + tail
            elif tail:
                parent.text = (parent.text or "") + tail
            continue
        for name in list(element.attrib):
            value = element.get(name).strip().lower()
            if name.lower().startswith("on") or value.startswith(("javascript:", "vbscript:")):
                del element.attrib[name]


def _dress(root, report: Report) -> None:
    head = root.find(f"{XHTML}head")
    if head is None:
        head = etree.Element(f"{XHTML}head")
        root.insert(0, head)
    head.insert(0, etree.Element(f"{XHTML}meta", name="generator", content=GENERATOR))
    policy = etree.Element(f"{XHTML}meta", {"http-equiv": "Content-Security-Policy", "content": _CSP})
    head.insert(0, policy)
    style = etree.SubElement(head, f"{XHTML}style")
    style.text = _STYLE
    body = root.find(f"{XHTML}body")
    if body is None:
        return
    panel = etree.Element(f"{XHTML}div", id="qf-panel")
    title = etree.SubElement(panel, f"{XHTML}b")
    title.text = "qfin-docs tie-out: " + report.summary_line()
    for status, count in report.summary().items():
        etree.SubElement(panel, f"{XHTML}br")
        key = etree.SubElement(panel, f"{XHTML}span", {"class": f"qf-{status}"})
        key.text = f"{count} {status}"
    for number, entry in enumerate(report.entries):
        if entry.status == "inconsistent" and entry.anchor:
            etree.SubElement(panel, f"{XHTML}br")
            link = etree.SubElement(panel, f"{XHTML}a", href=f"#qf-{number}")
            link.text = f"{entry.text}: {entry.explanation}"
    body.insert(0, panel)


def write_marked(path: Path, content: bytes) -> None:
    """Write the marked filing, never over a file this command did not write, never half-written."""
    if path.exists() and (not path.is_file() or GENERATOR.encode() not in path.read_bytes()[:65536]):
        raise BadInput([Problem(Source(str(path), 0), "QF-OUT-EXISTS",
                                "exists and was not written by qfin-docs tieout --html: not overwritten")])
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=".qf-", suffix=".html", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(staging, 0o666 & ~mask)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


__all__ = ["GENERATOR", "marked", "write_marked"]
