"""The catalog of standard elements (``schema/standard-elements.yaml``) checked against EDGAR's own lists.

EDGAR's validation plugin ships, as data, the lists of deprecated us-gaap, dei and srt elements, the us-gaap
2024 relationships it uses, and the Data Quality Committee's 2024 rule constants.  They are third-party files
and are never committed: ``qfin-docs catalog-check --edgar-data DIR`` reads them from ``DIR`` when they are
given, and reports, for every catalog element, what each list confirms and what it contradicts:

- namespace: the element is named under its namespace (``{http://fasb.org/srt/2024}X``) in a list, and not
  only under another one;
- deprecation: it is not in its namespace's deprecated list (an entry of ``deprecated:`` must be);
- period type: the DQC's income-statement, net-income, OCI and operating-capital sets are duration
  items, its asset set instant items, and a summation's items share its total's period type, so the period
  type spreads over the us-gaap 2024 calculation networks from those anchors;
- balance: XBRL 2.1 (5.2.5.2) ties the weight of a summation to the balances: weight 1 joins two elements
  of the same balance, weight -1 two of opposite balances.  A calculation between two catalog elements that
  both have a balance confirms or contradicts the pair.

What the lists cannot say (item types, an element without a balance, dei element types) stays with the
catalog's own sources, and the report says so.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..model import BadInput, Problem, QName, Source
from .standard import Catalog

FILES = {
    "us-gaap-deprecated": "us-gaap-deprecated-concepts.json",
    "dei-deprecated": "dei-deprecated-concepts.json",
    "srt-deprecated": "srt-deprecated-concepts.json",
    "rels": "us-gaap-rels-2024.json",
    "dqc": "dqcrt-us-2024-constants.json",
}
NAMESPACES = {"http://fasb.org/us-gaap/2024": "us-gaap", "http://fasb.org/srt/2024": "srt",
              "http://xbrl.sec.gov/dei/2024": "dei"}
# (ACCRUAL_ITEMS is no period evidence: it holds instant elements too, e.g. StockholdersEquity...)
DURATION_SETS = ("INCOME_STATEMENT_CONCEPTS", "NI_CONCEPTS", "OCI_CONCEPTS", "CHG_IN_OP_CAPTL")
INSTANT_SETS = ("ASSET_TYPES",)
_QNAME = re.compile(r"\{(http://[^}]+)\}([A-Za-z_][\w]*)")
_PAIR = re.compile(r"^(http://.*?/\d{4}):(\w+):(http://.*?/\d{4}):(\w+)$")


@dataclass
class Lists:
    """What EDGAR's lists say, by element."""

    deprecated: dict[QName, str] = field(default_factory=dict)             # element -> date or year
    named: dict[QName, set[str]] = field(default_factory=lambda: defaultdict(set))   # element -> lists naming it
    period: dict[QName, tuple[str, str]] = field(default_factory=dict)     # element -> (period type, why)
    arcs: list[tuple[QName, QName, int, str]] = field(default_factory=list)   # total, item, weight, list


@dataclass
class Finding:
    element: QName
    kind: str              # namespace, deprecation, period, balance
    confirmed: bool
    source: str            # the list(s), by short name
    detail: str = ""


def read_lists(folder: Path) -> Lists:
    """The five files of EDGAR's lists from ``folder``; a missing or unreadable file is bad input."""
    data, problems = {}, []
    for key, name in FILES.items():
        path = folder / name
        try:
            data[key] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(Problem(Source(str(path)), "QF-EDGAR-LIST", f"cannot read {name}: {exc}"))
    if problems:
        raise BadInput(problems)
    lists = Lists()
    for prefix in ("us-gaap", "dei", "srt"):
        for local, when in data[f"{prefix}-deprecated"].items():
            lists.deprecated[QName(prefix, local)] = str(when)
            lists.named[QName(prefix, local)].add(f"{prefix}-deprecated")
    dqc = data["dqc"]
    for key, value in dqc.items():
        for namespace, local in _QNAME.findall(json.dumps(value)):
            if namespace in NAMESPACES:
                lists.named[QName(NAMESPACES[namespace], local)].add(f"dqc:{key}")
    for local in (m for _, m in _QNAME.findall(json.dumps(dqc.get("DEP_CONCEPTS", []))) if m):
        lists.deprecated.setdefault(QName("us-gaap", local), "DQC DEP_CONCEPTS")
    for entry in dqc.get("CALC_RELATIONSHIPS", [])[1:]:
        pair = next((x for x in entry if isinstance(x, str) and _PAIR.match(x)), None)
        weight = next((x for x in entry if isinstance(x, (int, float))), None)
        if pair is None or weight is None:
            continue
        found = _PAIR.match(pair)
        if found.group(1) in NAMESPACES and found.group(3) in NAMESPACES:
            total = QName(NAMESPACES[found.group(1)], found.group(2))
            item = QName(NAMESPACES[found.group(3)], found.group(4))
            lists.arcs.append((total, item, 1 if weight > 0 else -1, "dqc:CALC_RELATIONSHIPS"))
            lists.named[total].add("dqc:CALC_RELATIONSHIPS")
            lists.named[item].add("dqc:CALC_RELATIONSHIPS")
    for weight, by_prefix in data["rels"].get("calcs", {}).items():
        for total_prefix, totals in by_prefix.items():
            for total, items in totals.items():
                for item_prefix, locals_ in items.items():
                    for local in locals_:
                        arc = (QName(total_prefix, total), QName(item_prefix, local), 1 if float(weight) > 0 else -1)
                        lists.arcs.append((*arc, "rels-2024:calcs"))
                        lists.named[arc[0]].add("rels-2024:calcs")
                        lists.named[arc[1]].add("rels-2024:calcs")
    _periods(lists, dqc)
    return lists


def _periods(lists: Lists, dqc: dict) -> None:
    """Period types from the DQC's sets, spread over the calculation networks; a network whose anchors
    disagree gives none (it would not be evidence)."""
    anchors: dict[QName, set[str]] = defaultdict(set)
    for key in DURATION_SETS + INSTANT_SETS:
        kind = "duration" if key in DURATION_SETS else "instant"
        for namespace, local in _QNAME.findall(json.dumps(dqc.get(key, []))):
            if namespace in NAMESPACES:
                anchors[QName(NAMESPACES[namespace], local)].add(kind)
    parent: dict[QName, QName] = {}

    def find(x: QName) -> QName:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for total, item, _, _ in lists.arcs:
        parent.setdefault(total, total)
        parent.setdefault(item, item)
        parent[find(total)] = find(item)
    component_kinds: dict[QName, set[str]] = defaultdict(set)
    for element, kinds in anchors.items():
        component_kinds[find(element) if element in parent else element] |= kinds
    for element, kinds in anchors.items():
        if len(kinds) == 1:
            lists.period[element] = (next(iter(kinds)), "dqc")
    for element in parent:
        kinds = component_kinds.get(find(element), set())
        if element not in lists.period and len(kinds) == 1:
            lists.period[element] = (next(iter(kinds)), "dqc+calcs")


def check_catalog(catalog: Catalog, lists: Lists) -> list[Finding]:
    """Every catalog element against the lists: one finding per thing a list confirms or contradicts."""
    findings: list[Finding] = []
    for name, element in sorted(catalog.elements.items(), key=lambda x: str(x[0])):
        named = sorted(source for source in lists.named.get(name, ())
                       if not source.endswith("-deprecated") and source != "dqc:DEP_CONCEPTS")
        elsewhere = [QName(p, name.local) for p in ("us-gaap", "srt", "dei")
                     if p != name.prefix and lists.named.get(QName(p, name.local))]
        if named:
            findings.append(Finding(name, "namespace", True, _short(named), f"named as {name} in {len(named)} list(s)"))
        elif elsewhere:
            findings.append(Finding(name, "namespace", False, _short(sorted(lists.named[elsewhere[0]])),
                                    f"the lists name {elsewhere[0]}, never {name}"))
        if name in lists.deprecated:
            findings.append(Finding(name, "deprecation", False, f"{name.prefix}-deprecated",
                                    f"deprecated ({lists.deprecated[name]})"))
        else:
            findings.append(Finding(name, "deprecation", True, f"{name.prefix}-deprecated", "not deprecated"))
        if name in lists.period:
            period, why = lists.period[name]
            findings.append(Finding(name, "period", period == element.period, why,
                                    f"{period} in the lists, {element.period} in the catalog"))
    findings += _balances(catalog, lists)
    for name, entry in sorted(catalog.deprecated.items(), key=lambda x: str(x[0])):
        if isinstance(entry["since"], int):
            listed = lists.deprecated.get(name)
            findings.append(Finding(name, "deprecation", listed is not None and listed.startswith(str(entry["since"])),
                                    f"{name.prefix}-deprecated", f"catalog: deprecated {entry['since']}; "
                                    f"list: {listed or 'not deprecated'}"))
    return findings


def _balances(catalog: Catalog, lists: Lists) -> list[Finding]:
    """Balances against the calculation weights: each direct arc between two catalog elements, then each
    calculation network as a whole (two elements joined by a path of arcs have the same balance when the path's
    weights multiply to 1).  A network whose weights are not consistent with any assignment of balances (it
    passes through elements without a balance) is no evidence and is skipped."""
    findings, seen = [], set()
    for total, item, weight, source in lists.arcs:
        a, b = catalog.elements.get(total), catalog.elements.get(item)
        if a is None or b is None or not a.balance or not b.balance or (total, item, weight) in seen:
            continue
        seen.add((total, item, weight))
        agrees = (a.balance == b.balance) == (weight > 0)
        detail = f"{total} ({a.balance}) sums {item} ({b.balance}) with weight {weight}"
        findings += [Finding(total, "balance", agrees, "rels-2024" if source.startswith("rels") else "dqc", detail),
                     Finding(item, "balance", agrees, "rels-2024" if source.startswith("rels") else "dqc", detail)]
    neighbours: dict[QName, list[tuple[QName, int]]] = defaultdict(list)
    for total, item, weight, _ in lists.arcs:
        neighbours[total].append((item, weight))
        neighbours[item].append((total, weight))
    parity: dict[QName, int] = {}
    for start in sorted((n for n, e in catalog.elements.items() if e.balance and n in neighbours), key=str):
        if start in parity:
            continue
        parity[start], queue, members, consistent = 0, [start], [start], True
        while queue:
            node = queue.pop()
            for other, weight in neighbours[node]:
                expected = parity[node] ^ (weight < 0)
                if other not in parity:
                    parity[other] = expected
                    queue.append(other)
                    members.append(other)
                elif parity[other] != expected:
                    consistent = False
        if not consistent:
            continue
        balanced = [(n, catalog.elements[n].balance, parity[n]) for n in members
                    if n in catalog.elements and catalog.elements[n].balance]
        if len(balanced) < 2:
            continue
        debit_parity = {p for _, balance, p in balanced if balance == "debit"} | \
            {1 - p for _, balance, p in balanced if balance == "credit"}
        for name, balance, _ in balanced:
            findings.append(Finding(name, "balance", len(debit_parity) == 1, "calcs",
                                    f"in a calculation network with {len(balanced) - 1} other catalog elements"))
    return findings


def _short(sources: list[str]) -> str:
    return ", ".join(sorted({s.partition(":")[0] for s in sources}))


def verified(findings: list[Finding]) -> dict[QName, dict[str, list[str]]]:
    """For the catalog's ``verified:`` keys: per element, what was confirmed and by which lists."""
    out: dict[QName, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for finding in findings:
        if finding.confirmed:
            out[finding.element][finding.kind].update(s.strip() for s in finding.source.split(","))
    return {name: {kind: sorted(sources) for kind, sources in sorted(kinds.items())} for name, kinds in out.items()}


__all__ = ["FILES", "Finding", "Lists", "check_catalog", "read_lists", "verified"]


# ---------------------------------------------------------------------- the catalog's record of what was verified
_ELEMENT_LINE = re.compile(r"^  ((?:us-gaap|srt|dei):[A-Za-z0-9]+): \{(.*)\}$")


def _element_lines(text: str):
    """(index, name, mapping text) of each line of the catalog's ``elements:`` section."""
    section = None
    for index, line in enumerate(text.splitlines()):
        if re.match(r"^[a-z_]+:", line):
            section = line.split(":")[0]
        found = _ELEMENT_LINE.match(line)
        if found and section == "elements":
            yield index, found.group(1), found.group(2)


def recorded(text: str) -> dict[QName, dict[str, list[str]]]:
    """The ``verified:`` keys the catalog's text holds now."""
    import yaml
    out = {}
    for _, name, mapping in _element_lines(text):
        entry = yaml.safe_load("{" + mapping + "}")
        if entry.get("verified"):
            out[QName.parse(name)] = entry["verified"]
    return out


def record(text: str, confirmed: dict[QName, dict[str, list[str]]]) -> str:
    """The catalog's text with each element's ``verified:`` key set to what the lists confirmed (the rest of
    each line, and every comment, unchanged)."""
    import yaml
    lines = text.splitlines()
    for index, name, mapping in list(_element_lines(text)):
        entry = yaml.safe_load("{" + mapping + "}")
        entry.pop("verified", None)
        if confirmed.get(QName.parse(name)):
            entry["verified"] = confirmed[QName.parse(name)]
        lines[index] = f"  {name}: {_flow(entry)}"
    return "\n".join(lines) + "\n"


def _flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return text if re.fullmatch(r"[A-Za-z][\w:+ -]*", text) and ": " not in text else json.dumps(text)


def report(findings: list[Finding], catalog: Catalog, text: str) -> tuple[list[str], int]:
    """The maintenance command's lines, and its number of findings (contradictions, and a catalog whose
    ``verified:`` record is not what the lists confirm)."""
    lines, problems = [], 0
    for finding in findings:
        if not finding.confirmed:
            problems += 1
            lines.append(f"schema/standard-elements.yaml: QF-CATALOG-CONTRADICTED {finding.element} {finding.kind}: "
                         f"{finding.detail} ({finding.source})")
    confirmed, now = verified(findings), recorded(text)
    for name in sorted(set(confirmed) | set(now), key=str):
        if name in catalog.elements and confirmed.get(name, {}) != now.get(name, {}):
            problems += 1
            lines.append(f"schema/standard-elements.yaml: QF-CATALOG-RECORD {name}: verified is {now.get(name, {})}, "
                         f"the lists confirm {confirmed.get(name, {})} (--record writes it)")
    kinds = ("namespace", "deprecation", "period", "balance")
    counts = {k: sum(1 for f in findings if f.kind == k and f.confirmed) for k in kinds}
    elements = len(catalog.elements)
    lines.append(f"catalog-check: {elements} elements; confirmed: " + ", ".join(f"{k} {counts[k]}" for k in kinds)
                 + f"; {len({(f.element, f.kind) for f in findings if not f.confirmed})} contradictions")
    unconfirmed = {k: sorted(str(n) for n in catalog.elements if k not in confirmed.get(n, {})
                             and not (k == "balance" and not catalog.elements[n].balance)) for k in kinds}
    for kind in kinds:
        if unconfirmed[kind]:
            lines.append(f"  not confirmed by these lists ({kind}, the catalog's other sources stand): "
                         + ", ".join(unconfirmed[kind]))
    lines.append("  not verifiable from these lists: item types, elements without a balance, the dei item types")
    return lines, problems


__all__ += ["record", "recorded", "report"]
