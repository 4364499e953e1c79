"""Which standard elements real Inline XBRL filings tag, with which period type and unit: evidence for the
`seen:` keys of schema/standard-elements.yaml.  A maintenance tool, not part of the tests (the filings are
third-party documents kept outside the repository).

    .venv/bin/python tools/observe_elements.py FILING.htm [FILING.htm ...]
"""
from __future__ import annotations

import collections
import sys
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from qfin_docs.facts.standard import load_catalog  # noqa: E402

IX = "{http://www.xbrl.org/2013/inlineXBRL}"
XBRLI = "{http://www.xbrl.org/2003/instance}"
XBRLDI = "{http://xbrl.org/2006/xbrldi}"


def observe(paths: list[Path]) -> dict[str, set[tuple[str, str, str]]]:
    seen: dict[str, set] = collections.defaultdict(set)
    for path in paths:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        root = etree.parse(str(path), parser).getroot()
        issuer = path.name.split("-")[0]
        contexts = {c.get("id"): "instant" if c.find(f".//{XBRLI}instant") is not None else "duration"
                    for c in root.iter(f"{XBRLI}context")}
        units = {u.get("id"): " ".join(m.text for m in u.iter(f"{XBRLI}measure")) for u in root.iter(f"{XBRLI}unit")}
        for tag in ("nonFraction", "nonNumeric"):
            for fact in root.iter(f"{IX}{tag}"):
                seen[fact.get("name")].add((issuer, contexts.get(fact.get("contextRef"), "?"),
                                            units.get(fact.get("unitRef"), "-")))
        for member in root.iter(f"{XBRLDI}explicitMember"):
            seen[member.get("dimension")].add((issuer, "axis", "-"))
            seen[member.text.strip()].add((issuer, "member", "-"))
    return seen


def main() -> None:
    catalog, problems = load_catalog()
    if catalog is None:
        sys.exit("\n".join(map(str, problems)))
    seen = observe([Path(p) for p in sys.argv[1:]])
    for name in sorted(catalog.elements, key=str):
        uses = sorted(seen.get(str(name), ()))
        element = catalog.elements[name]
        clash = [u for u in uses if u[1] in ("instant", "duration") and u[1] != element.period]
        print(f"{name}: {', '.join(sorted({u[0] for u in uses})) or 'not seen'}"
              + (f"  PERIOD MISMATCH {clash}" if clash else ""))


if __name__ == "__main__":
    main()
