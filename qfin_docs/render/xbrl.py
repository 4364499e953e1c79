"""The names of an XBRL document set: namespaces, roles, element ids, and the list of elements the concept
table declares (concepts, axes, members, hypercubes, statement abstracts); and how a tagged value reads (what
the strict check needs of the document set, without the linkbase writers)."""
from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree

from ..facts.periods import DAY, read_day
from ..facts.standard import xbrl_type
from ..model import QName, Release, Taxonomy

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
# EDGAR does not accept Calculation 1.1 arcs yet: the linkbase uses the XBRL 2.1 arcrole, while the project's
# own checks (and Arelle, run with --calc c11r) keep the rounding-interval semantics of Calculation 1.1.
SUMMATION_ARCROLE = "http://www.xbrl.org/2003/arcrole/summation-item"
LANG = "en-US"              # EDGAR wants labels, and the document, in US English
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
    "documentation": "http://www.xbrl.org/2003/role/documentation",
}
LRR_ROLES = {
    "negated": "http://www.xbrl.org/lrr/role/negated-2009-12-16.xsd#negatedLabel",
    "negatedTerse": "http://www.xbrl.org/lrr/role/negated-2009-12-16.xsd#negatedTerseLabel",
}
XDT_ARCROLES = ("all", "hypercube-dimension", "dimension-domain", "domain-member", "dimension-default")


def document_name(release: Release) -> str:
    return f"qfin-{str(release.meta['document_period_end']).replace('-', '')}"


def clark(tag: str) -> str:
    prefix, local = tag.split(":")
    return f"{{{NS[prefix]}}}{local}"


def serialise(root: etree._Element) -> bytes:
    etree.indent(root, space=" ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


# ---------------------------------------------------------------------- the element list
Axes = tuple[QName, ...]


def dimension_sets(release: Release) -> list[Axes]:
    """The sets of axes the release's facts are reported on, e.g. (RangeAxis, StatementScenarioAxis) for a
    forecast range: each gets one table (hypercube) listing exactly those axes."""
    return sorted({tuple(sorted((axis for axis, _ in f.dimensions), key=str)) for f in release.facts
                   if f.dimensions}, key=lambda axes: [str(a) for a in axes])


def _key(axes: Axes) -> str:
    return "".join(axis.local.removesuffix("Axis") for axis in axes)


def elements(taxonomy: Taxonomy, release: Release) -> list[dict]:
    """Every element the document set uses: concepts, axes, domains, members, the tables and line items of
    the release's dimension sets, and the abstracts heading each presentation group."""
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
    for axes in dimension_sets(release):
        out.append({"name": hypercube_name(taxonomy, axes), "type": "xbrli:stringItemType", "period": "duration",
                    "balance": None, "abstract": True, "group": "xbrldt:hypercubeItem"})
    abstracts = [name for name, _ in generated_labels(taxonomy, release) if name.local.endswith(("Abstract",
                                                                                                  "LineItems"))]
    for name in abstracts:
        out.append({"name": name, "type": "xbrli:stringItemType", "period": "duration",
                    "balance": None, "abstract": True, "group": "xbrli:item"})
    unique = {e["name"]: e for e in out}
    return [unique[name] for name in sorted(unique)]


# The names of the elements the writer makes (abstracts, tables, line items) are their standard labels in
# label camel case (EFM 6.8.5), so that a name and its label cannot drift apart.
LC3_SUFFIXES = {"Axis": "Axis", "Member": "Member", "Domain": "Domain", "Table": "Table", "Line Items": "LineItems",
                "Abstract": "Abstract"}


def lc3(label: str) -> str:
    """Label camel case concatenation (EFM 6.8.5): each word of the label capitalised, everything that is not
    a letter or digit dropped, and a trailing [Axis], [Member], [Domain], [Table], [Line Items] or [Abstract]
    written as the suffix."""
    suffix = ""
    found = re.fullmatch(r"(.*?)\s*\[(Axis|Member|Domain|Table|Line Items|Abstract)\]\s*", label)
    if found:
        label, suffix = found.group(1), LC3_SUFFIXES[found.group(2)]
    return "".join(word[0].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", label)) + suffix


def _named(label: str) -> QName:
    return QName("qfin", lc3(label))


def _table_title(taxonomy: Taxonomy, axes: Axes) -> str:
    return dimension_title(taxonomy, axes).removesuffix(" (Details)")


def hypercube_name(taxonomy: Taxonomy, axes: Axes) -> QName:
    return _named(f"{_table_title(taxonomy, axes)} [Table]")


def abstract_of(title: str) -> QName:
    return _named(f"{title} [Abstract]")


def line_items(taxonomy: Taxonomy, axes: Axes) -> QName:
    return _named(f"{_table_title(taxonomy, axes)} [Line Items]")


def generated_labels(taxonomy: Taxonomy, release: Release) -> list[tuple[QName, str]]:
    """The standard labels of the elements the writer makes: each group's abstract (a presentation role's, and
    a statement's row groups), and each dimension set's table and line items."""
    titles = [title for _, title in presentation_roles(taxonomy, release)]
    titles += list(dict.fromkeys(row.group for s in taxonomy.statements.values() for row in s.rows if row.group))
    out = [(abstract_of(title), f"{title} [Abstract]") for title in titles]
    for axes in dimension_sets(release):
        title = _table_title(taxonomy, axes)
        out += [(hypercube_name(taxonomy, axes), f"{title} [Table]"), (line_items(taxonomy, axes), f"{title} [Line Items]")]
    return out


def dimension_role(axes: Axes) -> str:
    return f"Dimension{_key(axes)}"


def dimension_title(taxonomy: Taxonomy, axes: Axes) -> str:
    return " by ".join(taxonomy.axes[axis].label for axis in axes) + " (Details)"


def presentation_roles(taxonomy: Taxonomy, release: Release) -> list[tuple[str, str]]:
    """Every presentation group, (role id, title): the cover, the statements, one per dimension set (its
    facts, as a table), and the release's other figures."""
    return ([("Cover", "Cover")] + [(s.role_uri, s.title) for s in taxonomy.statements.values()]
            + [(dimension_role(axes), dimension_title(taxonomy, axes)) for axes in dimension_sets(release)]
            + [("Details", "Other figures of the release (Details)")])


def element_id(name: QName) -> str:
    return f"{name.prefix}_{name.local}"


def schema_element(parent, element: dict) -> None:
    attributes = {"id": element_id(element["name"]), "name": element["name"].local, "type": element["type"],
                  "substitutionGroup": element["group"], clark("xbrli:periodType"): element["period"],
                  "nillable": "true", "abstract": "true" if element["abstract"] else "false"}
    if element["balance"]:
        attributes[clark("xbrli:balance")] = element["balance"]
    etree.SubElement(parent, clark("xs:element"), attributes)


def network_role(taxonomy: Taxonomy, network: str) -> str:
    """The role id of a calculation network: its statement's, or the network name in CamelCase."""
    statement = taxonomy.statements.get(network)
    return statement.role_uri if statement else "".join(part.capitalize() for part in network.split("-"))


def role_list(taxonomy: Taxonomy, release: Release) -> list[tuple[str, str, tuple[str, ...]]]:
    """The role declarations, with definitions in the form EDGAR requires: "{sort code} - {Document|Statement|
    Disclosure|Schedule} - {title}".  Every role declares it is used on all three kinds of link, whichever it
    has now (EDGAR's rule 6.7.11): a role is one report, whose networks may be added to."""
    used_on = ("link:presentationLink", "link:calculationLink", "link:definitionLink")
    roles = [("Cover", "0001 - Document - Cover")]
    roles += [(s.role_uri, f"{index:04d} - Statement - {s.title}")
              for index, s in enumerate(taxonomy.statements.values(), 2)]
    networks = sorted({c.network for c in taxonomy.calculations if c.network not in taxonomy.statements})
    roles += [(network_role(taxonomy, n), f"{8000 + index:04d} - Disclosure - {n.replace('-', ' ').capitalize()} "
               "(calculation)") for index, n in enumerate(networks, 1)]
    roles += [(dimension_role(axes), f"{9000 + index:04d} - Disclosure - {dimension_title(taxonomy, axes)}")
              for index, axes in enumerate(dimension_sets(release), 1)]
    roles += [("Details", "9900 - Disclosure - Other figures of the release (Details)")]
    return [(role, definition, used_on) for role, definition in roles]


# ---------------------------------------------------------------------- reading tagged values
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
        day = read_day(text) if re.fullmatch(DAY, text) else None     # "June 30, 2024", "Sept. 30, 2024"
        if day is None:
            raise ValueError(f"{text!r} is not a day written month first (June 30, 2024)")
        return day.isoformat()
    return text
