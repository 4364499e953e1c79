"""The Inline XBRL document in the form EDGAR accepts (the EDGAR Filer Manual's rules for the HTML of a
submission, as the SEC's validation plugin applies them):

- ASCII only: every other character is written as a numeric character reference;
- no ``<style>`` element: its rules are written onto the elements they match, as ``style`` attributes
  (screen rules included, print rules and generated content left out), with tinycss2 and cssselect2, the
  CSS parser and selector engine WeasyPrint uses;
- no links out of the document: an ``<a href>`` to another site keeps its text and loses its target.

The text a reader sees, and so every fact's value, is unchanged.
"""
from __future__ import annotations

import cssselect2
import tinycss2
from lxml import etree

from ..xmlio import parse_xml

XHTML = "{http://www.w3.org/1999/xhtml}"


def edgar_form(inline: str) -> bytes:
    """The iXBRL document as EDGAR takes it, from the rendered XHTML."""
    root = parse_xml(inline.encode("utf-8"))
    css = []
    for style in list(root.iter(f"{XHTML}style")):
        css.append(style.text or "")
        style.getparent().remove(style)
    _inline_styles(root, "\n".join(css))
    for meta in list(root.iter(f"{XHTML}meta")):
        if (meta.get("http-equiv") or "").lower() == "content-type":
            meta.getparent().remove(meta)       # the XML declaration gives the encoding
    for link in root.iter(f"{XHTML}a"):
        href = link.get("href") or ""
        if href and not href.startswith("#"):
            del link.attrib["href"]
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="ASCII") + b"\n"


def _rules(css: str):
    """The style rules that apply on a screen: top-level rules and those of ``@media screen``."""
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type == "qualified-rule":
            yield rule
        elif rule.type == "at-rule" and rule.lower_at_keyword == "media" and rule.content is not None \
                and "screen" in tinycss2.serialize(rule.prelude).lower():
            yield from (r for r in tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True)
                        if r.type == "qualified-rule")


def _inline_styles(root, css: str) -> None:
    matcher = cssselect2.Matcher()
    for order, rule in enumerate(_rules(css)):
        try:
            selectors = cssselect2.compile_selector_list(rule.prelude)
        except cssselect2.SelectorError:
            continue
        declarations = [(d.lower_name, tinycss2.serialize(d.value).strip())
                        for d in tinycss2.parse_declaration_list(rule.content, skip_whitespace=True,
                                                                 skip_comments=True)
                        if d.type == "declaration"]
        for selector in selectors:
            if selector.pseudo_element is None:
                matcher.add_selector(selector, (order, declarations))
    # XHTML allows style only on the body and what is in it: the rules of <html> (the release's font, size,
    # line height and colour) go onto the body, under the body's own rules.
    inherited: dict[str, str] = {}
    for wrapper in cssselect2.ElementWrapper.from_xml_root(root).iter_subtree():
        element = wrapper.etree_element
        if element.tag == f"{XHTML}html":
            inherited = {k: v for k, v in _matched(matcher, wrapper).items() if not k.startswith("-")}
            continue
        if element.tag == f"{XHTML}head" or element.getparent() is not None and \
                element.getparent().tag == f"{XHTML}head":
            continue
        properties = dict(inherited) if element.tag == f"{XHTML}body" else {}
        properties.update(_matched(matcher, wrapper))
        own = element.get("style")
        if properties:
            style = "; ".join(f"{name}: {value}" for name, value in properties.items())
            element.set("style", f"{style}; {own}" if own else style)


def _matched(matcher, wrapper) -> dict[str, str]:
    """The declarations of every rule matching an element, by specificity then order (later wins)."""
    properties: dict[str, str] = {}
    for *_position, payload in sorted(matcher.match(wrapper), key=lambda m: (m[0], m[1])):
        for name, value in payload[1]:
            properties[name] = value
    return properties


__all__ = ["edgar_form"]
