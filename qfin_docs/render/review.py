"""The review page: the release where every recorded figure says where it comes from, and a reviewer signs off.

``review/press-release-review.html`` is the release HTML where each figure has a provenance card, shown on
hover and on keyboard focus and placed against the viewport by a small script (so a table's box never clips
it and it never runs off the screen): concept and label, period, unit, the value as stored and the fact's
``file:line``, the template line of the sentence that printed it; for a derived figure its formula and
inputs, and for a stated one the interval the rounded inputs allow.  Direction words ("year-over-year
increases") are marked with the result of their check.  A reviewer ticks figures (click, Enter or the
register's boxes) and sections as reviewed; the ticks are kept in the browser (localStorage, per build) and
exported as a sign-off record (who, when, the build's hash, which figures).  A numbered register at the end
lists every figure, with links both ways.
"""
from __future__ import annotations

import hashlib
import html
import json
from decimal import ROUND_HALF_UP, Decimal

import lxml.html
from lxml import etree

from ..facts.derivations import DERIVATIONS
from ..facts.directions import DIRECTION, check_directions
from ..model import Fact, FactKey, Figure, FigureKind, Release, Taxonomy
from .templating import ASSETS

SIGNOFF = """<div id="signoff" aria-label="Sign-off">
<strong>Review and sign-off</strong> (build <code>{short}</code>, the SHA-256 of press-release.html):
reviewed <span id="signoff-count">0</span> figures.
Click a figure or press Enter on it to tick it as reviewed; tick sections at their headings.
<label>Reviewer <input type="text" id="signoff-reviewer" autocomplete="name"></label>
<button type="button" id="signoff-export">Export sign-off record</button>
<button type="button" id="signoff-clear">Clear ticks</button>
<pre id="signoff-record"></pre>
</div>"""


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def _derivation_lines(figure: Figure, facts: dict[FactKey, Fact], taxonomy: Taxonomy) -> list[str]:
    """The formula; for a stated figure (computed by the company from unrounded data) the interval that the
    rounded inputs allow, which it was checked to lie in, and what the rounded inputs give."""
    derivation = DERIVATIONS[figure.formula]
    stated = figure.ref.partition(";stated:")[2]
    inputs = [facts.get(key) for key in figure.inputs]
    if not stated or None in inputs:
        return [f"derivation {figure.formula}: {derivation.formula}"
                + (f" = {figure.value:f}" if figure.value is not None else "")]
    ratio = Decimal(str(taxonomy.relations.ads_ratio))
    computed = derivation.value(inputs, ratio)
    low, high = derivation.bounds(inputs, ratio) or (computed, computed)
    return [f"derivation {figure.formula}: {derivation.formula}",
            f"stated ({stated}), within [{_percent(low)}, {_percent(high)}] of the rounded inputs "
            f"(the company computed it from unrounded data; the rounded inputs give {_percent(computed)})"]


def provenance(figure: Figure, facts: dict[FactKey, Fact], taxonomy: Taxonomy) -> str:
    """What a figure is, in a few lines."""
    lines = [f"{figure.kind.value}: {figure.text}"]
    if figure.kind is FigureKind.DERIVED and figure.formula in DERIVATIONS:
        lines.extend(_derivation_lines(figure, facts, taxonomy))
    for key in figure.inputs:
        fact = facts.get(key)
        concept = taxonomy.concepts.get(key.concept)
        label = concept.label if concept else ""
        dims = "".join(f" [{member}]" for _, member in key.dimensions)
        lines.append(f"{'input' if figure.kind is FigureKind.DERIVED else 'fact'} {key.concept}{dims} ({label})")
        lines.append(f"  period {key.period}" + (f", unit {key.unit}" if key.unit else ""))
        if fact is not None:
            value = f"{fact.value:f}" if hasattr(fact.value, "as_tuple") else str(fact.value)
            lines.append(f"  stored {value}" + (f", decimals {fact.decimals}" if fact.decimals is not None else "")
                         + f", at {fact.source}")
            if fact.restated is not None:
                lines.append(f"  restated: first published as {fact.restated.original} "
                             f"({fact.restated.first_published}): {fact.restated.reason}")
    if figure.ref and figure.kind is not FigureKind.DERIVED:
        lines.append(f"declared: {figure.ref}")
    lines.append(f"printed by {figure.source}" + (f", scale 10^{figure.scale}, {figure.places} places"
                                                   if figure.kind in (FigureKind.FACT, FigureKind.DERIVED) else ""))
    return "\n".join(lines)


def _mark_directions(root, by_id: dict[int, Figure], facts: dict[FactKey, Fact]) -> None:
    """Wrap each direction word of a paragraph in a focusable mark whose card gives its check."""
    for block in root.xpath("//p | //li"):
        text = " ".join(block.text_content().split())
        if not DIRECTION.search(text):
            continue
        figures = [by_id.get(int(s.get("id").partition("-")[2])) for s in block.xpath(".//span[@data-fig]")]
        paragraph_facts = [facts.get(f.inputs[0]) for f in figures if f and f.kind is FigureKind.FACT and f.inputs]
        checks = check_directions(text, [f for f in paragraph_facts if f is not None])
        number = 0
        for node in [block, *block.iterdescendants()]:
            for attribute in ("text", "tail"):
                if node is block and attribute == "tail":
                    continue
                number = _wrap_matches(node, attribute, checks, number)


def _wrap_matches(node, attribute: str, checks, number: int) -> int:
    content = getattr(node, attribute) or ""
    matches = list(DIRECTION.finditer(content))
    if not matches:
        return number
    pieces, cursor, marks = [], 0, []
    for match in matches:
        mine = [c for c in checks if c.match == number]
        number += 1
        card = "\n".join([f"direction word: {match.group(3)} ({match.group(0)})"]
                         + [f"{c.comparison}: {'agrees' if c.status == 'derived' else 'DISAGREES'}: {c.explanation}"
                            for c in mine] + ([] if mine else ["not checked: no earlier figure of the item here"]))
        mark = etree.Element("mark", {"class": "dir prov" + (" bad" if any(c.status != "derived" for c in mine) else ""),
                                      "tabindex": "0", "data-prov": card})
        mark.text = match.group(3)
        pieces.append(content[cursor:match.start(3)])
        marks.append(mark)
        cursor = match.end(3)
    setattr(node, attribute, pieces[0])
    anchor, parent = node, node.getparent() if attribute == "tail" else node
    for index, mark in enumerate(marks):
        mark.tail = pieces[index + 1] if index + 1 < len(pieces) else content[cursor:]
        if attribute == "tail":
            anchor.addnext(mark)
            anchor = mark
        else:
            parent.insert(index, mark)
    return number


def review_page(page: str, figures: tuple[Figure, ...], release: Release, taxonomy: Taxonomy) -> bytes:
    """The review page of a rendered release (its HTML, as press-release.html holds it, and the records of
    its figures)."""
    root = lxml.html.document_fromstring(page.encode("utf-8"))
    facts = {f.key: f for f in release.facts}
    by_id = {f.id: f for f in figures}
    head = root.find("head")
    etree.SubElement(head, "style").text = (ASSETS / "review.css").read_text(encoding="utf-8")
    title = head.find("title")
    if title is not None:
        title.text = f"Review: {title.text}"
    register = []
    for span in root.xpath("//span[contains(concat(' ', @class, ' '), ' fig ')]"):
        figure = by_id.get(int(span.get("id", "fig-0").partition("-")[2] or 0))
        if figure is None:
            continue
        card = provenance(figure, facts, taxonomy)
        span.set("class", span.get("class") + " prov")
        span.set("data-prov", card)
        span.set("data-fig", str(figure.id))
        span.set("data-source", str(figure.source))
        span.set("tabindex", "0")
        marker = etree.Element("sup", {"class": "prov-ref"})
        link = etree.SubElement(marker, "a", {"href": f"#prov-{figure.id}", "id": f"ref-{figure.id}"})
        link.text = f"[{figure.id}]"
        marker.tail, span.tail = span.tail, None
        span.addnext(marker)
        register.append(f'<li id="prov-{figure.id}"><input type="checkbox" class="tick" data-fig="{figure.id}" '
                        f'aria-label="figure {figure.id} reviewed"> <a href="#ref-{figure.id}">[{figure.id}] back</a> '
                        f"{html.escape(card)}</li>")
    _mark_directions(root, by_id, facts)
    for number, heading in enumerate(root.xpath("//h2")):
        name = " ".join(heading.text_content().split())
        heading.append(lxml.html.fragment_fromstring(
            f'<label class="section-tick"><input type="checkbox" class="section-tick" '
            f'data-section="{html.escape(name)}"> section reviewed</label>'))
    build_hash = hashlib.sha256(page.encode("utf-8")).hexdigest()
    body = root.find("body")
    body.insert(0, lxml.html.fragment_fromstring(SIGNOFF.format(short=build_hash[:12])))
    body.append(lxml.html.fragment_fromstring(
        '<section id="register"><h2>Register of figures</h2><ol>' + "".join(register) + "</ol></section>"))
    body.append(etree.Element("div", {"id": "prov-card", "role": "tooltip", "hidden": "hidden"}))
    info = {"release": release.id, "document": "press-release.html", "build_hash": build_hash,
            "hash_of": "SHA-256 of press-release.html"}
    data = etree.SubElement(body, "script", {"type": "application/json", "id": "review-info"})
    data.text = json.dumps(info).replace("</", "<\\/")
    etree.SubElement(body, "script").text = (ASSETS / "review.js").read_text(encoding="utf-8")
    return b"<!DOCTYPE html>\n" + lxml.html.tostring(root, encoding="utf-8")
