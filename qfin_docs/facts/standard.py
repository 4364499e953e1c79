"""The catalog of the standard elements (``schema/standard-elements.yaml``) and the check of the concept table
against it: every us-gaap, srt or dei name the project uses must exist in the published 2024 taxonomies, not
be deprecated, and be declared as they declare it.  The offline stub schemas are written from the catalog.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..model import Concept, ItemType, Problem, QName, Source, Taxonomy
from .yamlio import SCHEMA_DIR, read_valid

CATALOG = SCHEMA_DIR / "standard-elements.yaml"
STANDARD_PREFIXES = ("us-gaap", "srt", "dei")
DEFAULT_TYPES = {
    ItemType.MONETARY: "xbrli:monetaryItemType", ItemType.PER_SHARE: "dtr-types:perShareItemType",
    ItemType.SHARES: "xbrli:sharesItemType", ItemType.PERCENT: "dtr-types:percentItemType",
    ItemType.DECIMAL: "xbrli:decimalItemType", ItemType.DURATION_MONTHS: "xbrli:decimalItemType",
    ItemType.STRING: "xbrli:stringItemType", ItemType.DATE: "xbrli:dateItemType",
    ItemType.DURATION: "xbrli:durationItemType",
}


def xbrl_type(concept: Concept) -> str:
    """The element's XBRL item type: declared, or the default of the concept's kind."""
    return concept.xbrl_type or DEFAULT_TYPES[concept.type]


@dataclass(frozen=True, slots=True)
class StandardElement:
    name: QName
    type: str
    period: str
    balance: str | None
    abstract: bool
    substitution: str


@dataclass(frozen=True, slots=True)
class Catalog:
    year: int
    elements: dict[QName, StandardElement]
    dei_types: dict[str, dict]
    deprecated: dict[QName, dict]


def load_catalog(path: Path = CATALOG) -> tuple[Catalog | None, list[Problem]]:
    data, problems = read_valid(path, "standard-elements.schema.json", f"schema/{path.name}")
    if problems:
        return None, problems
    elements = {QName.parse(k): StandardElement(QName.parse(k), v["type"], v["period"], v.get("balance"),
                                                v.get("abstract", False), v.get("substitution", "xbrli:item"))
                for k, v in data["elements"].items()}
    deprecated = {QName.parse(k): v for k, v in data["deprecated"].items()}
    return Catalog(data["taxonomy_year"], elements, data["dei_types"], deprecated), []


def standard_problems(taxonomy: Taxonomy, catalog: Catalog) -> list[Problem]:
    """Each standard name the concept table uses, checked against the catalog."""
    problems = []

    def check(name: QName, source: Source, **declared) -> None:
        if name.prefix not in STANDARD_PREFIXES:
            return
        if name in catalog.deprecated:
            entry = catalog.deprecated[name]
            why = f"deprecated in {entry['since']}" if isinstance(entry["since"], int) else entry["since"]
            problems.append(Problem(source, "QF-STANDARD-DEPRECATED", f"{name} is not in the {catalog.year} taxonomy "
                                    f"({why}); use {entry['now']}"))
            return
        element = catalog.elements.get(name)
        if element is None:
            problems.append(Problem(source, "QF-STANDARD-UNKNOWN", f"{name} is not in the catalog of standard "
                                    "elements (schema/standard-elements.yaml); add it from the published taxonomy"))
            return
        for key, value in declared.items():
            if getattr(element, key) != value:
                problems.append(Problem(source, "QF-STANDARD-MISMATCH", f"{name}: {key} is {value or 'none'} here, "
                                        f"{getattr(element, key) or 'none'} in the {catalog.year} taxonomy"))

    for concept in taxonomy.concepts.values():
        check(concept.name, concept.source, type=xbrl_type(concept), period=concept.period_type,
              balance=concept.balance, abstract=False)
    for axis in taxonomy.axes.values():
        check(axis.name, axis.source, substitution="xbrldt:dimensionItem", abstract=True)
        for member in (axis.domain, *axis.members):
            check(member, axis.source, type="dtr-types:domainItemType", abstract=True)
    return problems


__all__ = ["CATALOG", "Catalog", "StandardElement", "load_catalog", "standard_problems", "xbrl_type"]
