"""Reading XML and HTML that came from outside this process: one hardened parser each.

Entities are never expanded (no XXE, no billion laughs), no DTD is loaded, nothing is fetched from the
network, and lxml's limits on huge documents stay on.  Every module that parses XML or HTML read back
from disk (built outputs, drafts, filings) uses these; nothing else in the project builds a parser.
"""
from __future__ import annotations

from lxml import etree
import lxml.html


def xml_parser() -> etree.XMLParser:
    """A parser for untrusted XML: entities left unexpanded, no DTD, no network, size limits on."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def html_parser() -> lxml.html.HTMLParser:
    """A parser for untrusted HTML (libxml2's HTML parser: no network, size limits on)."""
    return lxml.html.HTMLParser(no_network=True, huge_tree=False)


def parse_xml(data: bytes):
    """The root element of an untrusted XML document; raises ``etree.XMLSyntaxError`` when malformed."""
    return etree.fromstring(data, xml_parser())


def parse_html(data: bytes):
    """The root element of an untrusted HTML document."""
    return lxml.html.document_fromstring(data, parser=html_parser())


# What a reader of a release page does not read as its text: styles, scripts, the title, the running header,
# hidden Inline XBRL sections.
NOT_TEXT = "//style | //script | //title | //div[@class='running'] | //div[@style='display:none']"


def drop_non_text(root) -> None:
    """Remove from an HTML tree what is not the page's text (:data:`NOT_TEXT`)."""
    for element in root.xpath(NOT_TEXT):
        element.drop_tree()
