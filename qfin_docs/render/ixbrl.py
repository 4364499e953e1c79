"""Inline XBRL document set: the submission (the iXBRL document and its extension taxonomy: schema and label,
presentation, calculation and definition linkbases), and, apart from it under ``review/``, the XBRL 2.1 instance
extracted from the iXBRL for tests and review (EDGAR takes the iXBRL; the instance is not submitted).

Everything is generated from the concept table (``schema/taxonomy.yaml``); XML is built with lxml.
"""
from __future__ import annotations

from decimal import Decimal

from lxml import etree

from ..facts.taxonomy import dated
from ..model import Release, Taxonomy
from ..xmlio import parse_xml
from .edgar import edgar_form
from .linkbases import (calculation_linkbase, definition_linkbase, label_linkbase,
                        presentation_linkbase)
from .xbrl import NS, SCHEMA_LOCATIONS, ROLE_BASE, schema_element, clark, role_list, serialise, document_name, elements
from .xbrl import fact_value, nonnumeric_value     # noqa: F401 -- read here and by the strict check

# ---------------------------------------------------------------------- extension schema
def extension_schema(release: Release, taxonomy: Taxonomy) -> bytes:
    name = document_name(release)
    ext = taxonomy.namespaces["qfin"].uri
    nsmap = {"xs": NS["xs"], "xbrli": NS["xbrli"], "link": NS["link"], "xlink": NS["xlink"],
             "xbrldt": NS["xbrldt"], "dtr-types": NS["dtr-types"], "qfin": ext}
    for prefix, namespace in taxonomy.namespaces.items():
        nsmap[prefix] = namespace.uri
    root = etree.Element(clark("xs:schema"), nsmap=nsmap, targetNamespace=ext, elementFormDefault="qualified",
                         attributeFormDefault="unqualified")
    appinfo = etree.SubElement(etree.SubElement(root, clark("xs:annotation")), clark("xs:appinfo"))
    for kind, role in (("lab", "label"), ("pre", "presentation"), ("cal", "calculation"), ("def", "definition")):
        etree.SubElement(appinfo, clark("link:linkbaseRef"), {
            clark("xlink:type"): "simple", clark("xlink:href"): f"{name}_{kind}.xml",
            clark("xlink:role"): f"http://www.xbrl.org/2003/role/{role}LinkbaseRef",
            clark("xlink:arcrole"): "http://www.w3.org/1999/xlink/properties/linkbase"})
    for role_id, definition, used_on in role_list(taxonomy, release):
        role_type = etree.SubElement(appinfo, clark("link:roleType"), roleURI=ROLE_BASE + role_id, id=role_id)
        etree.SubElement(role_type, clark("link:definition")).text = definition
        for link in used_on:
            etree.SubElement(role_type, clark("link:usedOn")).text = link
    imports = dict(SCHEMA_LOCATIONS)
    for namespace in taxonomy.namespaces.values():
        if namespace.schema_location:
            imports[namespace.uri] = namespace.schema_location
    for namespace, location in imports.items():
        etree.SubElement(root, clark("xs:import"), namespace=namespace, schemaLocation=location)
    for element in elements(taxonomy, release):
        if element["name"].prefix == "qfin":
            schema_element(root, element)
    return serialise(root)


# ---------------------------------------------------------------------- instance
REVIEW_NOTE = (" The XBRL 2.1 instance extracted from the Inline XBRL document, for tests and review. It is not part"
               " of the submission: EDGAR takes the Inline XBRL document and its taxonomy. ")


def extract_instance(inline: bytes, schema_folder: str = "") -> bytes:
    """The XBRL 2.1 instance an Inline XBRL processor reads from the document (most precise fact per key);
    ``schema_folder`` is the way from where the instance is written to the submission's schema."""
    root = parse_xml(inline)
    nsmap = {k: v for k, v in root.nsmap.items() if k and k not in ("ix", "ixt", "xhtml")}
    nsmap.update({"xbrli": NS["xbrli"], "link": NS["link"], "xlink": NS["xlink"]})
    instance = etree.Element(clark("xbrli:xbrl"), nsmap=nsmap)
    instance.append(etree.Comment(REVIEW_NOTE))
    for ref in root.iterfind(".//ix:references/*", NS):
        copy = _copy(ref)
        if copy.get(clark("xlink:href")):
            copy.set(clark("xlink:href"), schema_folder + copy.get(clark("xlink:href")))
        instance.append(copy)
    for item in root.iterfind(".//ix:resources/*", NS):
        instance.append(_copy(item))
    best: dict[tuple, tuple] = {}
    order: list[tuple] = []
    for fact in root.iter(clark("ix:nonFraction"), clark("ix:nonNumeric")):
        name, context, unit = fact.get("name"), fact.get("contextRef"), fact.get("unitRef")
        key = (name, context, unit)
        if fact.tag == clark("ix:nonFraction"):
            value = fact_value(fact)
            decimals = fact.get("decimals")
            rank = Decimal("Infinity") if decimals == "INF" else Decimal(decimals)
        else:
            value, decimals, rank = nonnumeric_value(fact), None, Decimal(0)
        if key not in best:
            order.append(key)
        if key not in best or rank > best[key][2]:
            best[key] = (value, decimals, rank)
    for key in order:
        name, context, unit = key
        value, decimals, _ = best[key]
        prefix, local = name.split(":")
        element = etree.SubElement(instance, f"{{{root.nsmap[prefix]}}}{local}", contextRef=context)
        if unit:
            element.set("unitRef", unit)
            element.set("decimals", decimals)
        element.text = value
    return serialise(instance)


def _copy(element):
    return etree.fromstring(etree.tostring(element))


# ---------------------------------------------------------------------- the set
def document_set(release: Release, taxonomy: Taxonomy, inline: str) -> dict[str, bytes]:
    """Every file of the Inline XBRL document set, by name: the submission, and the extracted instance under
    ``review/`` (for tests and review, kept out of the submission)."""
    taxonomy = dated(taxonomy, release)
    name = document_name(release)
    schema = f"{name}.xsd"
    inline_bytes = edgar_form(inline)
    return {
        f"{name}.htm": inline_bytes,
        schema: extension_schema(release, taxonomy),
        f"{name}_lab.xml": label_linkbase(release, taxonomy, schema),
        f"{name}_pre.xml": presentation_linkbase(release, taxonomy, schema),
        f"{name}_cal.xml": calculation_linkbase(taxonomy, schema),
        f"{name}_def.xml": definition_linkbase(release, taxonomy, schema),
        f"review/{name}_htm.xml": extract_instance(inline_bytes, "../"),
    }


__all__ = ["REVIEW_NOTE", "document_set", "extract_instance", "elements"]
