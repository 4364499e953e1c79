"""The review page: the release where every recorded figure says where it comes from.

``review/press-release-review.html`` is the release HTML with, on each figure, a hover card (and a
tooltip) giving what the number is: concept and label, period, unit, the value as stored, the fact's
``file:line`` and the template line that printed it; for a derived figure its formula and inputs.  A
numbered register at the end lists every figure, with links both ways.
"""
from __future__ import annotations

import html

import lxml.html
from lxml import etree

from ..facts.derivations import DERIVATIONS
from ..model import Fact, FactKey, Figure, FigureKind, Release, Taxonomy

STYLE = """
.fig.prov { outline: 1px dotted #5a7; position: relative; cursor: help; }
.fig.prov:hover::after, .fig.prov:focus::after { content: attr(data-prov); white-space: pre; position: absolute;
  left: 0; top: 1.4em; z-index: 10; background: #ffffe8; color: #111; border: 1px solid #996; padding: 0.4em;
  font: 11px/1.35 monospace; text-align: left; min-width: 28em; max-width: 60em; box-shadow: 2px 2px 6px #999; }
sup.prov-ref a { font-size: 7pt; color: #5a7; text-decoration: none; }
#register li { font: 10px/1.4 monospace; white-space: pre-wrap; margin-bottom: 0.3em; }
"""


def provenance(figure: Figure, facts: dict[FactKey, Fact], taxonomy: Taxonomy) -> str:
    """What a figure is, in a few lines."""
    lines = [f"{figure.kind.value}: {figure.text}"]
    if figure.kind is FigureKind.DERIVED and figure.formula in DERIVATIONS:
        lines.append(f"derivation {figure.formula}: {DERIVATIONS[figure.formula].formula}"
                     + (f" = {figure.value:f}" if figure.value is not None else ""))
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


def review_page(page: str, figures: tuple[Figure, ...], release: Release, taxonomy: Taxonomy) -> bytes:
    """The review page of a rendered release (its HTML and the records of its figures)."""
    root = lxml.html.document_fromstring(page.encode("utf-8"))
    facts = {f.key: f for f in release.facts}
    by_id = {f.id: f for f in figures}
    head = root.find("head")
    style = etree.SubElement(head, "style")
    style.text = STYLE
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
        span.set("title", card)
        span.set("tabindex", "0")
        marker = etree.Element("sup", {"class": "prov-ref"})
        link = etree.SubElement(marker, "a", {"href": f"#prov-{figure.id}", "id": f"ref-{figure.id}"})
        link.text = f"[{figure.id}]"
        marker.tail, span.tail = span.tail, None
        span.addnext(marker)
        register.append(f'<li id="prov-{figure.id}"><a href="#ref-{figure.id}">[{figure.id}] back</a> '
                        f"{html.escape(card)}</li>")
    body = root.find("body")
    section = lxml.html.fragment_fromstring(
        '<section id="register"><h2>Register of figures</h2><ol>' + "".join(register) + "</ol></section>")
    body.append(section)
    return b"<!DOCTYPE html>\n" + lxml.html.tostring(root, encoding="utf-8")
