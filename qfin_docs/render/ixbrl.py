"""Inline XBRL document set: the iXBRL document, its extension taxonomy (schema and label, presentation,
calculation and definition linkbases), and the XBRL 2.1 instance extracted from the iXBRL.

Everything is generated from the concept table (``schema/taxonomy.yaml``); XML is built with lxml.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from lxml import etree

from ..facts.standard import xbrl_type
from ..model import FactKey, ItemType, QName, Release, Taxonomy
from ..xmlio import parse_xml

NS = {
    "xs": "http://www.w3.org/2001/XMLSchema",
    "xbrli": "http://www.xbrl.org/2003/instance",
    "link": "http://www.xbrl.org/2003/linkbase",
    "xlink": "http://www.w3.org/1999/xlink",
    "xbrldt": "http://xbrl.org/2005/xbrldt",
    "xbrldi": "http://xbrl.org/2006/xbrldi",
    "dtr-types": "http://www.xbrl.org/dtr/type/2022-03-31",
    "iso4217": "http://www.xbrl.org/2003/iso4217",
    "ix": "http://www.xbrl.org/2013/inlineXBRL",
    "ixt": "http://www.xbrl.org/inlineXBRL/transformation/2020-02-12",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
SCHEMA_LOCATIONS = {
    NS["xbrli"]: "http://www.xbrl.org/2003/xbrl-instance-2003-12-31.xsd",
    NS["xbrldt"]: "http://www.xbrl.org/2005/xbrldt-2005.xsd",
    NS["dtr-types"]: "https://www.xbrl.org/dtr/type/2022-03-31/types.xsd",
}
LINKBASE_XSD = "http://www.xbrl.org/2003/xbrl-linkbase-2003-12-31.xsd"
CALC11_ARCROLE = "https://xbrl.org/2023/arcrole/summation-item"
CALC11_XSD = "https://xbrl.org/2023/calculation-1.1.xsd"
ROLE_BASE = "http://ir.qifu.tech/role/"
LABEL_ROLES = {
    "label": "http://www.xbrl.org/2003/role/label",
    "terse": "http://www.xbrl.org/2003/role/terseLabel",
    "verbose": "http://www.xbrl.org/2003/role/verboseLabel",
    "total": "http://www.xbrl.org/2003/role/totalLabel",
    "periodStart": "http://www.xbrl.org/2003/role/periodStartLabel",
    "periodEnd": "http://www.xbrl.org/2003/role/periodEndLabel",
    "negated": "http://www.xbrl.org/2009/role/negatedLabel",
    "negatedTerse": "http://www.xbrl.org/2009/role/negatedTerseLabel",
}
LRR_ROLES = {
    "negated": "http://www.xbrl.org/lrr/role/negated-2009-12-16.xsd#negatedLabel",
    "negatedTerse": "http://www.xbrl.org/lrr/role/negated-2009-12-16.xsd#negatedTerseLabel",
}
XDT_ARCROLES = ("all", "hypercube-dimension", "dimension-domain", "domain-member", "dimension-default")


def document_name(release: Release) -> str:
    return f"qfin-{str(release.meta['document_period_end']).replace('-', '')}"


def _q(tag: str) -> str:
    prefix, local = tag.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _serialise(root: etree._Element) -> bytes:
    etree.indent(root, space=" ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


# ---------------------------------------------------------------------- the element list
def elements(taxonomy: Taxonomy) -> list[dict]:
    """Every element the taxonomy uses: concepts, axes, domains, members, hypercubes and statement abstracts."""
    out = []
    for concept in taxonomy.concepts.values():
        out.append({"name": concept.name, "type": xbrl_type(concept), "period": concept.period_type,
                    "balance": concept.balance, "abstract": False, "group": "xbrli:item"})
    for axis in taxonomy.axes.values():
        out.append({"name": axis.name, "type": "xbrli:stringItemType", "period": "duration", "balance": None,
                    "abstract": True, "group": "xbrldt:dimensionItem"})
        for member in [axis.domain, *axis.members]:
            out.append({"name": member, "type": "dtr-types:domainItemType", "period": "duration", "balance": None,
                        "abstract": True, "group": "xbrli:item"})
        out.append({"name": _hypercube(axis.name), "type": "xbrli:stringItemType", "period": "duration",
                    "balance": None, "abstract": True, "group": "xbrldt:hypercubeItem"})
    for statement in taxonomy.statements.values():
        out.append({"name": _abstract(statement.role_uri), "type": "xbrli:stringItemType", "period": "duration",
                    "balance": None, "abstract": True, "group": "xbrli:item"})
    unique = {e["name"]: e for e in out}
    return [unique[name] for name in sorted(unique)]


def _hypercube(axis: QName) -> QName:
    return QName("qfin", axis.local.removesuffix("Axis") + "Table")


def _abstract(role: str) -> QName:
    return QName("qfin", role + "Abstract")


def _element_id(name: QName) -> str:
    return f"{name.prefix}_{name.local}"


# ---------------------------------------------------------------------- extension schema
def extension_schema(release: Release, taxonomy: Taxonomy) -> bytes:
    name = document_name(release)
    ext = taxonomy.namespaces["qfin"].uri
    nsmap = {"xs": NS["xs"], "xbrli": NS["xbrli"], "link": NS["link"], "xlink": NS["xlink"],
             "xbrldt": NS["xbrldt"], "dtr-types": NS["dtr-types"], "qfin": ext}
    for prefix, namespace in taxonomy.namespaces.items():
        nsmap[prefix] = namespace.uri
    root = etree.Element(_q("xs:schema"), nsmap=nsmap, targetNamespace=ext, elementFormDefault="qualified",
                         attributeFormDefault="unqualified")
    appinfo = etree.SubElement(etree.SubElement(root, _q("xs:annotation")), _q("xs:appinfo"))
    for kind, role in (("lab", "label"), ("pre", "presentation"), ("cal", "calculation"), ("def", "definition")):
        etree.SubElement(appinfo, _q("link:linkbaseRef"), {
            _q("xlink:type"): "simple", _q("xlink:href"): f"{name}_{kind}.xml",
            _q("xlink:role"): f"http://www.xbrl.org/2003/role/{role}LinkbaseRef",
            _q("xlink:arcrole"): "http://www.w3.org/1999/xlink/properties/linkbase"})
    for role_id, definition, used_on in _roles(taxonomy):
        role_type = etree.SubElement(appinfo, _q("link:roleType"), roleURI=ROLE_BASE + role_id, id=role_id)
        etree.SubElement(role_type, _q("link:definition")).text = definition
        for link in used_on:
            etree.SubElement(role_type, _q("link:usedOn")).text = link
    imports = dict(SCHEMA_LOCATIONS)
    for namespace in taxonomy.namespaces.values():
        if namespace.schema_location:
            imports[namespace.uri] = namespace.schema_location
    for namespace, location in imports.items():
        etree.SubElement(root, _q("xs:import"), namespace=namespace, schemaLocation=location)
    for element in elements(taxonomy):
        if element["name"].prefix == "qfin":
            _element(root, element)
    return _serialise(root)


def _element(parent, element: dict) -> None:
    attributes = {"id": _element_id(element["name"]), "name": element["name"].local, "type": element["type"],
                  "substitutionGroup": element["group"], _q("xbrli:periodType"): element["period"],
                  "nillable": "true", "abstract": "true" if element["abstract"] else "false"}
    if element["balance"]:
        attributes[_q("xbrli:balance")] = element["balance"]
    etree.SubElement(parent, _q("xs:element"), attributes)


def network_role(taxonomy: Taxonomy, network: str) -> str:
    """The role id of a calculation network: its statement's, or the network name in CamelCase."""
    statement = taxonomy.statements.get(network)
    return statement.role_uri if statement else "".join(part.capitalize() for part in network.split("-"))


def _roles(taxonomy: Taxonomy) -> list[tuple[str, str, tuple[str, ...]]]:
    links = ("link:presentationLink", "link:calculationLink", "link:definitionLink")
    roles = [(s.role_uri, f"{index:02d} - Statement - {s.title}", links)
             for index, s in enumerate(taxonomy.statements.values(), 1)]
    networks = sorted({c.network for c in taxonomy.calculations if c.network not in taxonomy.statements})
    roles += [(network_role(taxonomy, n), f"80 - Calculation - {n}", ("link:calculationLink",)) for n in networks]
    roles += [(f"Dimension{axis.local.removesuffix('Axis')}", f"90 - Disclosure - {a.label} (dimension)",
               ("link:definitionLink",)) for axis, a in taxonomy.axes.items()]
    return roles


# ---------------------------------------------------------------------- linkbases
class _Linkbase:
    """A linkbase under construction: locators are created once per concept and link."""

    def __init__(self, taxonomy: Taxonomy, schema_name: str):
        self.taxonomy, self.schema_name = taxonomy, schema_name
        self.root = etree.Element(_q("link:linkbase"), nsmap={"link": NS["link"], "xlink": NS["xlink"],
                                                               "xsi": NS["xsi"], "xbrldt": NS["xbrldt"]})
        self.root.set(_q("xsi:schemaLocation"), f"{NS['link']} {LINKBASE_XSD}")

    def href(self, name: QName) -> str:
        namespace = self.taxonomy.namespaces[name.prefix]
        base = namespace.schema_location or self.schema_name
        return f"{base}#{_element_id(name)}"

    def role_ref(self, role_id: str) -> None:
        etree.SubElement(self.root, _q("link:roleRef"), {"roleURI": ROLE_BASE + role_id, _q("xlink:type"): "simple",
                                                         _q("xlink:href"): f"{self.schema_name}#{role_id}"})

    def link(self, tag: str, role: str) -> etree._Element:
        return etree.SubElement(self.root, _q(tag), {_q("xlink:type"): "extended", _q("xlink:role"): role})

    def locator(self, link, name: QName, label: str) -> str:
        etree.SubElement(link, _q("link:loc"), {_q("xlink:type"): "locator", _q("xlink:href"): self.href(name),
                                                _q("xlink:label"): label})
        return label

    def arc(self, link, tag: str, arcrole: str, source: str, target: str, order: int, **extra) -> None:
        attributes = {_q("xlink:type"): "arc", _q("xlink:arcrole"): arcrole, _q("xlink:from"): source,
                      _q("xlink:to"): target, "order": str(order)}
        for key, value in extra.items():
            attributes[_q(key.replace("__", ":")) if "__" in key else key] = value
        etree.SubElement(link, _q(tag), attributes)


def label_linkbase(taxonomy: Taxonomy, schema_name: str) -> bytes:
    lb = _Linkbase(taxonomy, schema_name)
    used = sorted({role for c in taxonomy.concepts.values() for role in c.labels if role in LRR_ROLES})
    for role in used:
        etree.SubElement(lb.root, _q("link:roleRef"), {"roleURI": LABEL_ROLES[role], _q("xlink:type"): "simple",
                                                       _q("xlink:href"): LRR_ROLES[role]})
    link = lb.link("link:labelLink", "http://www.xbrl.org/2003/role/link")
    labels: list[tuple[QName, str, str]] = []
    for concept in taxonomy.concepts.values():
        labels += [(concept.name, role, text) for role, text in concept.labels.items()]
    for axis in taxonomy.axes.values():
        labels.append((axis.name, "label", f"{axis.label} [Axis]"))
        labels.append((axis.domain, "label", f"{axis.label} [Domain]"))
        labels.append((_hypercube(axis.name), "label", f"{axis.label} [Table]"))
        labels += [(member, "label", f"{text} [Member]") for member, text in axis.member_labels.items()]
    for statement in taxonomy.statements.values():
        labels.append((_abstract(statement.role_uri), "label", f"{statement.title} [Abstract]"))
    seen: set[QName] = set()
    for index, (name, role, text) in enumerate(sorted(labels, key=lambda x: (str(x[0]), x[1]))):
        loc = f"loc_{_element_id(name)}"
        if name not in seen:
            lb.locator(link, name, loc)
            seen.add(name)
        label_id = f"lab_{_element_id(name)}_{role}"
        etree.SubElement(link, _q("link:label"), {_q("xlink:type"): "resource", _q("xlink:label"): label_id,
                                                  _q("xlink:role"): LABEL_ROLES[role], "{http://www.w3.org/XML/1998/namespace}lang": "en",
                                                  "id": label_id}).text = text
        lb.arc(link, "link:labelArc", "http://www.xbrl.org/2003/arcrole/concept-label", loc, label_id, index + 1)
    return _serialise(lb.root)


def presentation_linkbase(taxonomy: Taxonomy, schema_name: str) -> bytes:
    lb = _Linkbase(taxonomy, schema_name)
    for statement in taxonomy.statements.values():
        lb.role_ref(statement.role_uri)
    used = sorted({row.label_role for s in taxonomy.statements.values() for row in s.rows
                   if row.concept and row.label_role in LRR_ROLES})
    for role in used:
        etree.SubElement(lb.root, _q("link:roleRef"), {"roleURI": LABEL_ROLES[role], _q("xlink:type"): "simple",
                                                       _q("xlink:href"): LRR_ROLES[role]})
    for statement in taxonomy.statements.values():
        link = lb.link("link:presentationLink", ROLE_BASE + statement.role_uri)
        root = lb.locator(link, _abstract(statement.role_uri), "root")
        order = 0
        for index, row in enumerate(statement.rows):
            if row.concept is None or row.dimensions:
                continue
            order += 1
            loc = lb.locator(link, row.concept, f"row{index}")
            lb.arc(link, "link:presentationArc", "http://www.xbrl.org/2003/arcrole/parent-child", root, loc, order,
                   preferredLabel=LABEL_ROLES[row.label_role])
    return _serialise(lb.root)


def calculation_linkbase(taxonomy: Taxonomy, schema_name: str) -> bytes:
    lb = _Linkbase(taxonomy, schema_name)
    networks = list(dict.fromkeys(c.network for c in taxonomy.calculations))
    for network in networks:
        lb.role_ref(network_role(taxonomy, network))
    etree.SubElement(lb.root, _q("link:arcroleRef"), {"arcroleURI": CALC11_ARCROLE, _q("xlink:type"): "simple",
                                                      _q("xlink:href"): f"{CALC11_XSD}#summation-item"})
    for network in networks:
        link = lb.link("link:calculationLink", ROLE_BASE + network_role(taxonomy, network))
        located: dict[QName, str] = {}

        def loc(name: QName) -> str:
            if name not in located:
                located[name] = lb.locator(link, name, f"loc_{_element_id(name)}")
            return located[name]

        for calc in (c for c in taxonomy.calculations if c.network == network):
            for order, item in enumerate(calc.items, 1):
                lb.arc(link, "link:calculationArc", CALC11_ARCROLE, loc(calc.total), loc(item.concept), order,
                       weight=f"{item.weight}.0")
    return _serialise(lb.root)


def incomplete_summations(release: Release, taxonomy: Taxonomy) -> dict[FactKey, str]:
    """Facts that cannot be tagged: totals whose summation items are not all reported in their context.

    Calculation 1.1 checks a total against the items that are reported, so a quoted prior-quarter
    subtotal (e.g. Q1 net income, whose tax and other items the release does not give) would be
    flagged as inconsistent.  Such a fact is shown in the release from the fact base but left untagged.
    Removing a total can leave another summation incomplete, so this repeats until nothing changes.
    """
    tagged = {f.key for f in release.facts if isinstance(f.value, Decimal)}
    excluded: dict[FactKey, str] = {}
    changed = True
    while changed:
        changed = False
        for key in sorted(tagged):
            for calc in taxonomy.calculations:
                if calc.total != key.concept:
                    continue
                items = [FactKey(i.concept, key.period, key.unit, key.dimensions) for i in calc.items]
                missing = [i.concept.local for i in items if i not in tagged]
                if missing and len(missing) < len(items):
                    excluded[key] = f"summation items not reported: {', '.join(missing)}"
                    tagged.discard(key)
                    changed = True
                    break
    return excluded


def definition_linkbase(release: Release, taxonomy: Taxonomy, schema_name: str) -> bytes:
    """One closed hypercube per axis, with the concepts whose facts use that axis as its primary items."""
    lb = _Linkbase(taxonomy, schema_name)
    for axis in taxonomy.axes:
        lb.role_ref(f"Dimension{axis.local.removesuffix('Axis')}")
    for arcrole in XDT_ARCROLES:
        etree.SubElement(lb.root, _q("link:arcroleRef"), {
            "arcroleURI": f"http://xbrl.org/int/dim/arcrole/{arcrole}", _q("xlink:type"): "simple",
            _q("xlink:href"): f"http://www.xbrl.org/2005/xbrldt-2005.xsd#{arcrole}"})
    primaries: dict[QName, set[QName]] = {}
    for fact in release.facts:
        for axis, _member in fact.dimensions:
            primaries.setdefault(axis, set()).add(fact.concept)
    for axis_name, axis in taxonomy.axes.items():
        concepts = sorted(primaries.get(axis_name, ()))
        if not concepts:
            continue
        link = lb.link("link:definitionLink", ROLE_BASE + f"Dimension{axis_name.local.removesuffix('Axis')}")
        table = lb.locator(link, _hypercube(axis_name), "table")
        dimension = lb.locator(link, axis_name, "axis")
        domain = lb.locator(link, axis.domain, "domain")
        default = lb.locator(link, axis.domain, "default")
        dim = "http://xbrl.org/int/dim/arcrole/"
        for order, concept in enumerate(concepts, 1):
            primary = lb.locator(link, concept, f"primary{order}")
            lb.arc(link, "link:definitionArc", dim + "all", primary, table, 1,
                   xbrldt__closed="true", xbrldt__contextElement="segment")
        lb.arc(link, "link:definitionArc", dim + "hypercube-dimension", table, dimension, 1)
        lb.arc(link, "link:definitionArc", dim + "dimension-domain", dimension, domain, 1)
        lb.arc(link, "link:definitionArc", dim + "dimension-default", dimension, default, 1)
        labels = {None: domain}
        for member in axis.members:
            labels[member] = lb.locator(link, member, f"m_{member.local}")
        for order, (member, parent) in enumerate(axis.members.items(), 1):
            lb.arc(link, "link:definitionArc", dim + "domain-member", labels[parent], labels[member], order)
    return _serialise(lb.root)


# ---------------------------------------------------------------------- instance
def extract_instance(inline: bytes) -> bytes:
    """The XBRL 2.1 instance an Inline XBRL processor reads from the document (most precise fact per key)."""
    root = parse_xml(inline)
    nsmap = {k: v for k, v in root.nsmap.items() if k and k not in ("ix", "ixt", "xhtml")}
    nsmap.update({"xbrli": NS["xbrli"], "link": NS["link"], "xlink": NS["xlink"]})
    instance = etree.Element(_q("xbrli:xbrl"), nsmap=nsmap)
    for ref in root.iterfind(".//ix:references/*", NS):
        instance.append(_copy(ref))
    for item in root.iterfind(".//ix:resources/*", NS):
        instance.append(_copy(item))
    best: dict[tuple, tuple] = {}
    order: list[tuple] = []
    for fact in root.iter(_q("ix:nonFraction"), _q("ix:nonNumeric")):
        name, context, unit = fact.get("name"), fact.get("contextRef"), fact.get("unitRef")
        key = (name, context, unit)
        if fact.tag == _q("ix:nonFraction"):
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
    return _serialise(instance)


def _copy(element):
    return etree.fromstring(etree.tostring(element))


def fact_value(fact) -> str:
    """The value of an ix:nonFraction: transformation, scale and sign applied, as xs:decimal text."""
    text = "".join(fact.itertext()).strip()
    fmt = (fact.get("format") or "").split(":")[-1]
    if fmt == "fixed-zero":
        number = Decimal(0)
    elif fmt in ("num-dot-decimal", ""):
        number = Decimal(text.replace(",", "").replace(" ", ""))
    else:
        raise ValueError(f"unsupported transformation {fmt}")
    number = number.scaleb(int(fact.get("scale") or 0))
    if fact.get("sign") == "-":
        number = -number
    return f"{number:f}"


def nonnumeric_value(fact) -> str:
    text = "".join(fact.itertext()).strip()
    if (fact.get("format") or "").endswith("date-monthname-day-year-en"):
        return dt.datetime.strptime(text, "%B %d, %Y").date().isoformat()
    return text


# ---------------------------------------------------------------------- the set
def document_set(release: Release, taxonomy: Taxonomy, inline: str) -> dict[str, bytes]:
    """Every file of the Inline XBRL document set, by name."""
    name = document_name(release)
    schema = f"{name}.xsd"
    inline_bytes = inline.encode("utf-8")
    return {
        f"{name}.htm": inline_bytes,
        schema: extension_schema(release, taxonomy),
        f"{name}_lab.xml": label_linkbase(taxonomy, schema),
        f"{name}_pre.xml": presentation_linkbase(taxonomy, schema),
        f"{name}_cal.xml": calculation_linkbase(taxonomy, schema),
        f"{name}_def.xml": definition_linkbase(release, taxonomy, schema),
        f"{name}_htm.xml": extract_instance(inline_bytes),
    }


__all__ = ["document_set", "extract_instance", "elements"]
