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
