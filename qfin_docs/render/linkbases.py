"""The extension taxonomy's linkbases: labels, presentation, calculation and definition (dimensions)."""
from __future__ import annotations

from decimal import Decimal

from lxml import etree

from ..model import FactKey, QName, Release, Taxonomy
from .xbrl import (LABEL_ROLES, LANG, LINKBASE_XSD, LRR_ROLES, NS, ROLE_BASE, SUMMATION_ARCROLE, XDT_ARCROLES,
                   abstract_of, element_id, hypercube_name, clark, serialise, dimension_role, dimension_sets,
                   generated_labels, line_items, network_role, presentation_roles)

PARENT_CHILD = "http://www.xbrl.org/2003/arcrole/parent-child"

class _Linkbase:
    """A linkbase under construction: locators are created once per concept and link."""

    def __init__(self, taxonomy: Taxonomy, schema_name: str):
        self.taxonomy, self.schema_name = taxonomy, schema_name
        self.root = etree.Element(clark("link:linkbase"), nsmap={"link": NS["link"], "xlink": NS["xlink"],
                                                               "xsi": NS["xsi"], "xbrldt": NS["xbrldt"]})
        self.root.set(clark("xsi:schemaLocation"), f"{NS['link']} {LINKBASE_XSD}")

    def href(self, name: QName) -> str:
        namespace = self.taxonomy.namespaces[name.prefix]
        base = namespace.schema_location or self.schema_name
        return f"{base}#{element_id(name)}"

    def role_ref(self, role_id: str) -> None:
        etree.SubElement(self.root, clark("link:roleRef"), {"roleURI": ROLE_BASE + role_id, clark("xlink:type"): "simple",
                                                         clark("xlink:href"): f"{self.schema_name}#{role_id}"})

    def link(self, tag: str, role: str) -> etree._Element:
        return etree.SubElement(self.root, clark(tag), {clark("xlink:type"): "extended", clark("xlink:role"): role})

    def locator(self, link, name: QName, label: str) -> str:
        etree.SubElement(link, clark("link:loc"), {clark("xlink:type"): "locator", clark("xlink:href"): self.href(name),
                                                clark("xlink:label"): label})
        return label

    def arc(self, link, tag: str, arcrole: str, source: str, target: str, order: int, **extra) -> None:
        attributes = {clark("xlink:type"): "arc", clark("xlink:arcrole"): arcrole, clark("xlink:from"): source,
                      clark("xlink:to"): target, "order": str(order)}
        for key, value in extra.items():
            attributes[clark(key.replace("__", ":")) if "__" in key else key] = value
        etree.SubElement(link, clark(tag), attributes)


def label_linkbase(release: Release, taxonomy: Taxonomy, schema_name: str) -> bytes:
    lb = _Linkbase(taxonomy, schema_name)
    used = sorted({role for c in taxonomy.concepts.values() for role in c.labels if role in LRR_ROLES})
    for role in used:
        etree.SubElement(lb.root, clark("link:roleRef"), {"roleURI": LABEL_ROLES[role], clark("xlink:type"): "simple",
                                                       clark("xlink:href"): LRR_ROLES[role]})
    link = lb.link("link:labelLink", "http://www.xbrl.org/2003/role/link")
    labels: list[tuple[QName, str, str]] = []
    for concept in taxonomy.concepts.values():
        labels += [(concept.name, role, text) for role, text in concept.labels.items()]
        if concept.documentation:
            labels.append((concept.name, "documentation", concept.documentation))
    for axis in taxonomy.axes.values():
        labels.append((axis.name, "label", f"{axis.label} [Axis]"))
        labels.append((axis.domain, "label", f"{axis.label} [Domain]"))
        labels += [(member, "label", f"{text} [Member]") for member, text in axis.member_labels.items()]
        labels += [(member, "terse", text) for member, text in axis.member_terse.items()]
    labels += [(name, "label", text) for name, text in generated_labels(taxonomy, release)]
    seen: set[QName] = set()
    for index, (name, role, text) in enumerate(sorted(labels, key=lambda x: (str(x[0]), x[1]))):
        loc = f"loc_{element_id(name)}"
        if name not in seen:
            lb.locator(link, name, loc)
            seen.add(name)
        label_id = f"lab_{element_id(name)}_{role}"
        etree.SubElement(link, clark("link:label"), {clark("xlink:type"): "resource", clark("xlink:label"): label_id,
                                                  clark("xlink:role"): LABEL_ROLES[role], "{http://www.w3.org/XML/1998/namespace}lang": LANG,
                                                  "id": label_id}).text = text
        lb.arc(link, "link:labelArc", "http://www.xbrl.org/2003/arcrole/concept-label", loc, label_id, index + 1)
    return serialise(lb.root)


def presentation_linkbase(release: Release, taxonomy: Taxonomy, schema_name: str) -> bytes:
    """Every fact's concept in a presentation group (EDGAR's rule): the cover (dei), the statements, one group
    per axis presenting its dimensional facts as Table / Axis / Domain / Members and Line Items, and the
    release's other figures."""
    lb = _Linkbase(taxonomy, schema_name)
    for role, _title in presentation_roles(taxonomy, release):
        lb.role_ref(role)
    used = sorted({row.label_role for s in taxonomy.statements.values() for row in s.rows
                   if row.concept and row.label_role in LRR_ROLES})
    for role in used:
        etree.SubElement(lb.root, clark("link:roleRef"), {"roleURI": LABEL_ROLES[role], clark("xlink:type"): "simple",
                                                       clark("xlink:href"): LRR_ROLES[role]})
    plain = sorted({f.concept for f in release.facts if not f.dimensions}, key=str)
    presented: set[QName] = set()
    titles = dict(presentation_roles(taxonomy, release))

    def group(role: str, concepts: list[QName]) -> None:
        link = lb.link("link:presentationLink", ROLE_BASE + role)
        root = lb.locator(link, abstract_of(titles[role]), "root")
        for order, concept in enumerate(concepts, 1):
            lb.arc(link, "link:presentationArc", PARENT_CHILD, root, lb.locator(link, concept, f"c{order}"), order)
        presented.update(concepts)

    group("Cover", [c for c in plain if c.prefix == "dei"])
    for statement in taxonomy.statements.values():
        link = lb.link("link:presentationLink", ROLE_BASE + statement.role_uri)
        root = lb.locator(link, abstract_of(statement.title), "root")
        parents: dict[str, str] = {"": root}     # a row group's abstract, under the statement's
        orders: dict[str, int] = {"": 0}
        for index, row in enumerate(statement.rows):
            if row.concept is None or row.dimensions:
                continue
            if row.group not in parents:
                orders[""] += 1
                parents[row.group] = lb.locator(link, abstract_of(row.group), f"group{len(parents)}")
                lb.arc(link, "link:presentationArc", PARENT_CHILD, root, parents[row.group], orders[""])
                orders[row.group] = 0
            orders[row.group] += 1
            loc = lb.locator(link, row.concept, f"row{index}")
            lb.arc(link, "link:presentationArc", PARENT_CHILD, parents[row.group], loc, orders[row.group],
                   preferredLabel=LABEL_ROLES[row.label_role])
            presented.add(row.concept)
    for axes, concepts in _primaries(release).items():
        link = lb.link("link:presentationLink", ROLE_BASE + dimension_role(axes))
        root = lb.locator(link, abstract_of(titles[dimension_role(axes)]), "root")
        table = lb.locator(link, hypercube_name(taxonomy, axes), "table")
        lb.arc(link, "link:presentationArc", PARENT_CHILD, root, table, 1)
        for position, axis_name in enumerate(axes, 1):
            axis = taxonomy.axes[axis_name]
            dimension = lb.locator(link, axis_name, f"axis{position}")
            domain = lb.locator(link, axis.domain, f"domain{position}")
            lb.arc(link, "link:presentationArc", PARENT_CHILD, table, dimension, position)
            lb.arc(link, "link:presentationArc", PARENT_CHILD, dimension, domain, 1)
            members = {None: domain} | {m: lb.locator(link, m, f"m{position}_{m.local}") for m in axis.members}
            for order, (member, parent) in enumerate(axis.members.items(), 1):
                lb.arc(link, "link:presentationArc", PARENT_CHILD, members[parent], members[member], order)
        items = lb.locator(link, line_items(taxonomy, axes), "items")
        lb.arc(link, "link:presentationArc", PARENT_CHILD, table, items, len(axes) + 1)
        for order, concept in enumerate(concepts, 1):
            lb.arc(link, "link:presentationArc", PARENT_CHILD, items, lb.locator(link, concept, f"c{order}"), order)
    group("Details", [c for c in plain if c not in presented])
    return serialise(lb.root)


def _primaries(release: Release) -> dict[tuple, list[QName]]:
    """For each set of axes the release's facts are reported on, the concepts reported on exactly it."""
    primaries: dict[tuple, set[QName]] = {axes: set() for axes in dimension_sets(release)}
    for fact in release.facts:
        if fact.dimensions:
            primaries[tuple(sorted((axis for axis, _ in fact.dimensions), key=str))].add(fact.concept)
    return {axes: sorted(concepts, key=str) for axes, concepts in primaries.items()}


def calculation_linkbase(taxonomy: Taxonomy, schema_name: str) -> bytes:
    lb = _Linkbase(taxonomy, schema_name)
    networks = list(dict.fromkeys(c.network for c in taxonomy.calculations))
    for network in networks:
        lb.role_ref(network_role(taxonomy, network))
    for network in networks:
        link = lb.link("link:calculationLink", ROLE_BASE + network_role(taxonomy, network))
        located: dict[QName, str] = {}

        def loc(name: QName) -> str:
            if name not in located:
                located[name] = lb.locator(link, name, f"loc_{element_id(name)}")
            return located[name]

        for calc in (c for c in taxonomy.calculations if c.network == network):
            for order, item in enumerate(calc.items, 1):
                lb.arc(link, "link:calculationArc", SUMMATION_ARCROLE, loc(calc.total), loc(item.concept), order,
                       weight=f"{item.weight}.0")
    return serialise(lb.root)


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
    """One closed hypercube per set of axes the facts use, its line items the concepts reported on exactly it."""
    lb = _Linkbase(taxonomy, schema_name)
    for axes in dimension_sets(release):
        lb.role_ref(dimension_role(axes))
    for arcrole in XDT_ARCROLES:
        etree.SubElement(lb.root, clark("link:arcroleRef"), {
            "arcroleURI": f"http://xbrl.org/int/dim/arcrole/{arcrole}", clark("xlink:type"): "simple",
            clark("xlink:href"): f"http://www.xbrl.org/2005/xbrldt-2005.xsd#{arcrole}"})
    dim = "http://xbrl.org/int/dim/arcrole/"
    for axes, concepts in _primaries(release).items():
        link = lb.link("link:definitionLink", ROLE_BASE + dimension_role(axes))
        table = lb.locator(link, hypercube_name(taxonomy, axes), "table")
        items = lb.locator(link, line_items(taxonomy, axes), "items")
        lb.arc(link, "link:definitionArc", dim + "all", items, table, 1,
               xbrldt__closed="true", xbrldt__contextElement="segment")
        for order, concept in enumerate(concepts, 1):        # the line items' children inherit the table
            lb.arc(link, "link:definitionArc", dim + "domain-member", items,
                   lb.locator(link, concept, f"primary{order}"), order)
        for position, axis_name in enumerate(axes, 1):
            axis = taxonomy.axes[axis_name]
            dimension = lb.locator(link, axis_name, f"axis{position}")
            domain = lb.locator(link, axis.domain, f"domain{position}")
            default = lb.locator(link, axis.domain, f"default{position}")
            lb.arc(link, "link:definitionArc", dim + "hypercube-dimension", table, dimension, position)
            lb.arc(link, "link:definitionArc", dim + "dimension-domain", dimension, domain, 1)
            lb.arc(link, "link:definitionArc", dim + "dimension-default", dimension, default, 1)
            labels = {None: domain} | {m: lb.locator(link, m, f"m{position}_{m.local}") for m in axis.members}
            for order, (member, parent) in enumerate(axis.members.items(), 1):
                lb.arc(link, "link:definitionArc", dim + "domain-member", labels[parent], labels[member], order)
    return serialise(lb.root)
