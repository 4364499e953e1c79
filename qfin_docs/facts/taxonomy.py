"""Load the concept table (``schema/taxonomy.yaml``) into a :class:`Taxonomy`."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from ..model import (Axis, CalcItem, Calculation, Concept, Dimensions, FactKey, ItemType, Namespace, Problem, QName,
                    Relations, Row, Source, Statement, Taxonomy, shown_path)
from .yamlio import SCHEMA_DIR, LineDict, line_of, read_valid
_REF = re.compile(r"^(?P<concept>[^\[\]@\s]+)(?:\[(?P<members>[^\]]*)\])?(?:@(?P<at>start|end))?$")

LABEL_ROLES = ("label", "terse", "verbose", "total", "negated", "negatedTerse", "periodStart", "periodEnd")


def parse_ref(text: str) -> tuple[QName, tuple[QName, ...], str | None]:
    """Split ``concept[member, ...]@at`` into its parts; raises ValueError when malformed."""
    match = _REF.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not 'prefix:Concept' or 'prefix:Concept[prefix:Member]'")
    members = tuple(QName.parse(m.strip()) for m in (match["members"] or "").split(",") if m.strip())
    return QName.parse(match["concept"]), members, match["at"]


def dimensions_for(members: tuple[QName, ...], taxonomy: Taxonomy) -> tuple[Dimensions, list[str]]:
    """Turn members into sorted (axis, member) pairs, with messages for unknown or clashing members."""
    pairs, errors = {}, []
    for member in members:
        axis = taxonomy.member_axis.get(member)
        if axis is None:
            errors.append(f"unknown member '{member}' (not in any axis of schema/taxonomy.yaml)")
        elif axis in pairs:
            errors.append(f"two members of axis '{axis}': '{pairs[axis]}' and '{member}'")
        else:
            pairs[axis] = member
    return tuple(sorted(pairs.items())), errors


def also_key(key: FactKey, taxonomy: Taxonomy) -> FactKey | None:
    """The key of the fact a concept's ``also:`` reports with ``key``'s fact: the standard element, on the
    fact's own dimensions and the members ``also:`` names (None when the concept has no ``also:``)."""
    also = taxonomy.concepts[key.concept].also
    if also is None:
        return None
    return FactKey(also[0], key.period, key.unit, tuple(sorted(key.dimensions + also[1])))


def load_taxonomy(path: Path | None = None) -> tuple[Taxonomy | None, list[Problem]]:
    """Read and check ``schema/taxonomy.yaml``.

    Returns:
        ``(taxonomy, problems)``; taxonomy is None when there are problems.
    """
    path = path or SCHEMA_DIR / "taxonomy.yaml"
    name = shown_path(path)
    data, problems = read_valid(path, "taxonomy.schema.json", name)
    if problems:
        return None, problems
    builder = _Builder(data, name)
    taxonomy = builder.build()
    if builder.problems:
        return None, builder.problems
    from .standard import load_catalog, standard_problems
    catalog, problems = load_catalog()
    problems = problems or standard_problems(taxonomy, catalog)
    return (None, problems) if problems else (taxonomy, [])


class _Builder:
    def __init__(self, data, name: str):
        self.data, self.name, self.problems = data, name, []

    def src(self, *path) -> Source:
        return Source(self.name, line_of(self.data, list(path)))

    def error(self, source: Source, code: str, message: str) -> None:
        self.problems.append(Problem(source, code, message))

    def qname(self, text: str, *path) -> QName | None:
        try:
            q = QName.parse(text)
        except ValueError as exc:
            self.error(self.src(*path), "QF-TAXONOMY", str(exc))
            return None
        if q.prefix not in self.data["namespaces"]:
            self.error(self.src(*path), "QF-PREFIX", f"undeclared prefix '{q.prefix}' in '{text}'")
            return None
        return q

    def build(self) -> Taxonomy:
        self.elements()
        taxonomy = Taxonomy(self.namespaces, self.concepts, self.axes, {}, (), self.member_axis)
        for key, spec in self.data.get("concepts", {}).items():
            q = QName.parse(key)
            if "also" in spec and q in self.concepts:
                self.concepts[q] = dataclasses.replace(self.concepts[q], also=self.also(q, spec["also"], taxonomy))
        statements = {sid: self.statement(sid, spec, taxonomy) for sid, spec in self.data["statements"].items()}
        calculations = tuple(self.calculations(taxonomy))
        relations = self.relations(taxonomy)
        return Taxonomy(self.namespaces, self.concepts, self.axes, statements, calculations, self.member_axis,
                        relations)

    def elements(self) -> None:
        """The concepts and axes of ``self.data`` (the shared taxonomy's, or a release's own)."""
        self.namespaces = namespaces = {p: Namespace(p, v["uri"], v.get("schema"))
                                        for p, v in self.data["namespaces"].items()}
        concepts = {}
        for key, spec in self.data.get("concepts", {}).items():
            q = self.qname(key, "concepts", key)
            if q is None:
                continue
            labels = {role: spec[role] for role in LABEL_ROLES if role in spec}
            item_type = ItemType(spec["type"])
            concepts[q] = Concept(q, item_type, spec["period"], spec.get("balance"), labels,
                                  self.src("concepts", key), xbrl_type=spec.get("xbrl_type"),
                                  documentation=spec.get("documentation", ""),
                                  synonyms=tuple(spec.get("synonyms", ())))
        axes, member_axis = {}, {}
        for key, spec in self.data.get("axes", {}).items():
            axis = self.qname(key, "axes", key)
            domain = self.qname(spec["domain"], "axes", key, "domain")
            if axis is None or domain is None:
                continue
            members = {}
            for mkey, mspec in spec["members"].items():
                member = self.qname(mkey, "axes", key, "members", mkey)
                if member is None:
                    continue
                parent = mspec.get("parent")
                members[member] = self.qname(parent, "axes", key, "members", mkey) if parent else None
                if member in member_axis:
                    self.error(self.src("axes", key, "members", mkey), "QF-TAXONOMY",
                               f"member '{member}' is already in axis '{member_axis[member]}'")
                member_axis[member] = axis
            for member, parent in members.items():
                if parent is not None and parent not in members:
                    self.error(self.src("axes", key, "members", str(member)), "QF-TAXONOMY",
                               f"parent '{parent}' of '{member}' is not a member of '{axis}'")
            labels = {QName.parse(m): v["label"] for m, v in spec["members"].items()}
            phrases = {QName.parse(m): tuple(v.get("phrases", ())) for m, v in spec["members"].items()}
            terse = {QName.parse(m): v["terse"] for m, v in spec["members"].items() if "terse" in v}
            axes[axis] = Axis(axis, domain, spec["label"], members, labels, spec["additive"], self.src("axes", key),
                              member_phrases=phrases, member_terse=terse)
        self.concepts, self.axes, self.member_axis = concepts, axes, member_axis

    def also(self, name: QName, text: str, taxonomy: Taxonomy):
        """``also: "base[member]"``: the standard element (and members) that reports the same amount; it must
        be declared as the concept is (type, period type, balance) and be reported on at least one member."""
        source = self.src("concepts", str(name), "also")
        try:
            base, members, _ = parse_ref(text)
        except ValueError as exc:
            self.error(source, "QF-TAXONOMY", str(exc))
            return None
        dims, errors = dimensions_for(members, taxonomy)
        for message in errors:
            self.error(source, "QF-UNKNOWN-MEMBER", message)
        target, concept = taxonomy.concepts.get(base), taxonomy.concepts[name]
        if target is None:
            self.error(source, "QF-UNKNOWN-CONCEPT", f"'{base}' (also of '{name}') is not defined in concepts")
        elif (target.type, target.period_type, target.balance) != (concept.type, concept.period_type,
                                                                    concept.balance):
            self.error(source, "QF-TAXONOMY", f"'{base}' is not declared as '{name}' is (type, period, balance)")
        elif not dims:
            self.error(source, "QF-TAXONOMY", f"also '{text}' names no member: it would be a second fact "
                                              f"of the same amount in the same context")
        return (base, dims) if target is not None and not errors and dims else None

    def relations(self, taxonomy: Taxonomy) -> Relations:
        spec = self.data["relations"]

        def known(text: str, *path) -> QName:
            q = self.qname(text, "relations", *path)
            if q is not None and q not in taxonomy.concepts:
                self.error(self.src("relations", *path), "QF-UNKNOWN-CONCEPT", f"'{q}' is not defined in concepts")
            return q or QName("qfin", "Unknown")

        per_ads = {known(k, "per_ads", k): known(v, "per_ads", k) for k, v in spec["per_ads"].items()}
        margins = {known(k, "margins", k): (known(v[0], "margins", k), known(v[1], "margins", k))
                   for k, v in spec["margins"].items()}
        balance = tuple(known(c, "balance") for c in spec["balance"])
        roll = {known(k, "roll_forward", k): known(v, "roll_forward", k) for k, v in spec["roll_forward"].items()}
        members = {}
        for ads, share in spec.get("per_ads_members", {}).items():
            pair = [self.qname(m, "relations", "per_ads_members", ads) for m in (ads, share)]
            for q in pair:
                if q is not None and q not in taxonomy.member_axis:
                    self.error(self.src("relations", "per_ads_members", ads), "QF-UNKNOWN-MEMBER",
                               f"'{q}' is not a member of any axis")
            if None not in pair:
                members[pair[0]] = pair[1]
        return Relations(spec["ads_ratio"], per_ads, members, margins, balance, roll)

    def statement(self, sid: str, spec, taxonomy: Taxonomy) -> Statement:
        rows, group = [], ""
        for index, item in enumerate(spec["rows"]):
            source = self.src("statements", sid, "rows", index)
            if isinstance(item, dict) and "group" in item:
                group = item["group"]
                continue
            if isinstance(item, dict) and "heading" in item:
                rows.append(Row(label=item["heading"], source=source))
                continue
            entry = {"concept": item} if isinstance(item, str) else item
            try:
                concept, members, _ = parse_ref(entry["concept"])
            except ValueError as exc:
                self.error(source, "QF-TAXONOMY", str(exc))
                continue
            if concept not in taxonomy.concepts:
                self.error(source, "QF-UNKNOWN-CONCEPT", f"row concept '{concept}' is not defined in concepts")
                continue
            dims, errors = dimensions_for(members, taxonomy)
            for message in errors:
                self.error(source, "QF-UNKNOWN-MEMBER", message)
            role = entry.get("role", "label")
            labels = taxonomy.concepts[concept].labels
            if members and "role" not in entry:
                axis = taxonomy.axes[dims[-1][0]] if dims else None
                label = (axis.member_terse.get(dims[-1][1]) or axis.member_labels[dims[-1][1]]) if axis \
                    else str(members[-1])
            elif role in labels:
                label = labels[role]
            else:
                self.error(source, "QF-LABEL", f"concept '{concept}' has no '{role}' label")
                continue
            rows.append(Row(label=label, concept=concept, dimensions=dims,
                            negated=role in ("negated", "negatedTerse"), at=entry.get("at", "end"),
                            label_role=role, style=entry.get("style", ""),
                            convenience=entry.get("convenience", True), source=source, group=group))
        return Statement(sid, spec["title"], spec["role"], tuple(spec.get("caption", ())), tuple(rows),
                         self.src("statements", sid))

    def calculations(self, taxonomy: Taxonomy):
        for sid, totals in self.data["calculations"].items():
            for total_text, items in totals.items():
                source = self.src("calculations", sid, total_text)
                total = self.qname(total_text, "calculations", sid, total_text)
                parsed = []
                for text in items:
                    weight = -1 if text.startswith("-") else 1
                    q = self.qname(text.lstrip("-"), "calculations", sid, total_text)
                    if q is not None:
                        parsed.append(CalcItem(q, weight))
                for q in [total] + [i.concept for i in parsed]:
                    if q is not None and q not in taxonomy.concepts:
                        self.error(source, "QF-UNKNOWN-CONCEPT", f"calculation concept '{q}' is not defined")
                if total is not None:
                    yield Calculation(total, tuple(parsed), sid, source)


def dated(taxonomy: Taxonomy, release) -> Taxonomy:
    """The concept table with the extension namespace of this release: EDGAR wants it in the form
    ``http://{authority}/{yyyymmdd}``, the date the period the document reports on ends."""
    end = str(release.meta["document_period_end"]).replace("-", "")
    namespaces = {prefix: dataclasses.replace(ns, uri=ns.uri.replace("{period_end}", end))
                  for prefix, ns in taxonomy.namespaces.items()}
    return dataclasses.replace(taxonomy, namespaces=namespaces)


UNIT_WORDS = {"iso4217:CNY": "RMB", "iso4217:USD": "US$", "xbrli:shares": "shares", "xbrli:pure": "", "qfin:month": "months"}


def describe(key, taxonomy: Taxonomy) -> str:
    """A fact named in words, e.g. "Loan facilitation and origination volume, ongoing services, RMB, Q3
    2024": its label, its members' labels, its unit, its period (what a marker or a message shows)."""
    from .periods import period_words
    concept = taxonomy.concepts.get(key.concept)
    parts = [(concept.labels.get("verbose") or concept.label) if concept else str(key.concept)]  # as printed
    for axis, member in key.dimensions:
        known = taxonomy.axes.get(axis)
        parts.append((known.member_terse.get(member) or known.member_labels.get(member, member.local)) if known
                     else member.local)                                  # as the release prints it
    if key.unit is not None:
        unit = UNIT_WORDS.get(key.unit.numerator, key.unit.numerator.partition(":")[2])
        if key.unit.denominator:
            unit += " per share"
        if unit:
            parts.append(unit)
    if concept is not None and concept.type is ItemType.PERCENT:
        parts.append("%")
    parts.append(period_words(key.period))
    return ", ".join(parts)


def extend_taxonomy(taxonomy: Taxonomy, path: Path, name: str) -> tuple[Taxonomy | None, list[Problem]]:
    """The shared taxonomy with a release's own axes, members and extension concepts (a new segmentation),
    read from ``path`` (schema/release-taxonomy.schema.json); nothing of the shared taxonomy is redefined."""
    data, problems = read_valid(path, "release-taxonomy.schema.json", name)
    if problems:
        return None, problems
    scoped = LineDict(data)
    scoped["namespaces"] = {p: {"uri": n.uri} for p, n in taxonomy.namespaces.items()}
    scoped.line, scoped.key_lines = data.line, data.key_lines
    builder = _Builder(scoped, name)
    builder.elements()
    for key, concept in builder.concepts.items():
        if key in taxonomy.concepts:
            builder.error(concept.source, "QF-TAXONOMY", f"'{key}' is already defined in schema/taxonomy.yaml")
    for key, axis in builder.axes.items():
        if key in taxonomy.axes:
            builder.error(axis.source, "QF-TAXONOMY", f"'{key}' is already defined in schema/taxonomy.yaml")
        for member in axis.members:
            if member in taxonomy.member_axis:
                builder.error(axis.source, "QF-TAXONOMY", f"member '{member}' is already in axis "
                              f"'{taxonomy.member_axis[member]}' of schema/taxonomy.yaml")
    if builder.problems:
        return None, builder.problems
    return dataclasses.replace(taxonomy, concepts={**taxonomy.concepts, **builder.concepts},
                               axes={**taxonomy.axes, **builder.axes},
                               member_axis={**taxonomy.member_axis, **builder.member_axis}), []
