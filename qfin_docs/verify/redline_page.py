"""The redline page (HTML, and the PDF WeasyPrint makes of it): a summary, a warning block when either side
fails the fact checks, the changed facts and printed figures in tables whose every column fits the page and
whose header repeats on each page, then the text as a blackline.  Pages are numbered."""
from __future__ import annotations

import html

from .redline import Redline, Side

STYLE = """
@page { size: A4 landscape; margin: 14mm 12mm 14mm 12mm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 7.5pt; color: #555; }
  @top-left { content: "Redline"; font-size: 7.5pt; color: #555; } }
html { font-family: "DejaVu Sans", "Noto Sans CJK SC", sans-serif; font-size: 9pt; line-height: 1.35; color: #111; }
body { max-width: 70em; margin: 0 auto; padding: 0 0.8em; }
h1 { font-size: 14pt; } h2 { font-size: 11pt; margin-top: 1.2em; break-after: avoid; }
del { color: #a00; text-decoration: line-through; background: #fee; }
ins { color: #060; text-decoration: underline; background: #efe; }
.figchange del, .figchange ins { overflow-wrap: anywhere; }
.figchange del, .figchange ins { font-weight: bold; }
.arrow { color: #555; padding: 0 0.15em; }
div.warning { border: 2px solid #b00; background: #fff0f0; padding: 0.5em 0.8em; margin: 0.8em 0; break-inside: avoid; }
div.warning h2 { margin-top: 0; color: #900; }
table.changes { width: 100%; table-layout: fixed; border-collapse: collapse; margin: 0.5em 0 1em; font-size: 7.5pt; }
table.changes thead { display: table-header-group; }
table.changes tr { break-inside: avoid; }
table.changes th, table.changes td { border: 0.5pt solid #bbb; padding: 1.5pt 3pt; vertical-align: top;
  overflow-wrap: anywhere; text-align: left; }
table.changes th { background: #eee; }
table.changes td.num { text-align: right; }
p.block { margin: 0.35em 0; }
p.unchanged { color: #444; }
.note { color: #555; font-size: 8pt; }
"""

FACT_COLUMNS = (("Item", "25%"), ("Period (role)", "17%"), ("Unit", "6%"), ("Old", "12%"), ("New", "12%"),
                ("Note", "12%"), ("Printed at", "16%"))
FIGURE_COLUMNS = (("What", "38%"), ("Old", "16%"), ("New", "16%"), ("Places", "30%"))


def _esc(text) -> str:
    return html.escape("" if text is None else str(text))


def _table(columns, rows: list[list[str]], css: str = "changes") -> str:
    head = "".join(f'<col style="width: {width}">' for _, width in columns)
    names = "".join(f"<th>{_esc(name)}</th>" for name, _ in columns)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><colgroup>{head}</colgroup><thead><tr>{names}</tr></thead><tbody>{body}</tbody></table>'


def _places(places: list[str]) -> str:
    """Where a figure is printed, shortest first: ``fig-12 (release.html.j2:41)``, six at most."""
    short = [p.replace(p[p.find("(") + 1:p.rfind("/") + 1], "") if "/" in p else p for p in places[:6]]
    more = f"<br>and {len(places) - 6} more" if len(places) > 6 else ""
    return "<br>".join(_esc(p) for p in short) + more


def _period_cell(item: dict) -> str:
    old, new = item.get("old_period"), item.get("new_period")
    when = _esc(new or old) if old == new or not (old and new) else f"{_esc(old)} <span class='arrow'>&#8594;</span> {_esc(new)}"
    return f"<b>{_esc(item.get('role') or item['period'])}</b><br>{when}"


def _marked(marked) -> str:
    """A block's marks as HTML: words joined by spaces, none before closing punctuation."""
    out = []
    for op, *texts in marked:
        if out and texts[0][:1] in ".,;:)%" and op == "=":
            out[-1] += _esc(texts[0])
            continue
        if op == "=":
            out.append(_esc(texts[0]))
        elif op == "-":
            out.append(f"<del>{_esc(texts[0])}</del>")
        elif op == "+":
            out.append(f"<ins>{_esc(texts[0])}</ins>")
        else:
            out.append(f"<span class='figchange'><del>{_esc(texts[0])}</del><span class='arrow'>&#8594;</span>"
                       f"<ins>{_esc(texts[1])}</ins></span>")
    return " ".join(out)


def render_redline(result: Redline, old: Side, new: Side) -> str:
    """The redline page."""
    parts = [f"<!DOCTYPE html><html lang='en-US'><head><meta charset='utf-8'><title>Redline: {_esc(old.name)} "
             f"to {_esc(new.name)}</title><style>{STYLE}</style></head><body>",
             f"<h1>Redline</h1><p>{_esc(old.name)} <span class='arrow'>&#8594;</span> {_esc(new.name)}: "
             f"{len(result.facts)} facts, {len(result.figures)} printed figures and {len(result.prose)} passages "
             "changed. Facts and figures are paired by the role of their period (current quarter, same quarter "
             "last year, prior quarter, year to date, balance dates).</p>"]
    if new.missing:
        parts.append(f"<p class='note'>{len(new.missing)} facts of {_esc(new.name)} are still to fill (TODO): "
                     "they are marked in the text, and not listed as changes.</p>")
    if result.warnings:
        parts.append("<div class='warning' role='alert'><h2>Warning: a side fails the fact checks</h2><ul>"
                     + "".join(f"<li>{_esc(w)}</li>" for w in result.warnings) + "</ul></div>")
    if result.facts:
        rows = [[_esc(i["item"]), _period_cell(i), _esc(i["unit_words"]),
                 f"<del>{_esc(i['old_printed'])}</del>" if i["old"] is not None else "",
                 f"<ins>{_esc(i['new_printed'])}</ins>" if i["new"] is not None else "", _esc(i["note"]),
                 _places(i["places"])] for i in result.facts]
        parts.append("<h2>Facts</h2>" + _table(FACT_COLUMNS, rows))
    if result.figures:
        rows = [[_esc(i["what"]), f"<del>{_esc(' / '.join(i['old']))}</del>", f"<ins>{_esc(' / '.join(i['new']))}</ins>",
                 _places(i["places"])] for i in result.figures]
        parts.append("<h2>Printed figures</h2>" + _table(FIGURE_COLUMNS, rows))
    parts.append("<h2>Text (blackline)</h2>")
    for marked in result.blackline:
        changed = any(op != "=" for op, *_ in marked)
        parts.append(f"<p class='block{'' if changed else ' unchanged'}'>{_marked(marked)}</p>")
    parts.append("</body></html>")
    return "".join(parts)


__all__ = ["render_redline"]
