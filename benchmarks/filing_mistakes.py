"""How the filing tie-out catches the mistakes people make in a filing's narrative, per kind of mistake,
measured on real filings (read where they are, never copied into the repository):

    .venv/bin/python benchmarks/filing_mistakes.py FOLDER [--per-kind N] [--seed S]

For each filing, up to N figures of each kind are changed at once, each in its own paragraph or cell, in a
copy of the document written to a temporary folder (beside links to the filer's schema and linkbases); the
copy is tied out once and each changed figure's status is read back:

- misround: an untagged figure the tie-out tied, its last digit one off ("$26.0 billion" -> "$26.1 billion");
- transposed: the same, two adjacent digits swapped;
- stale period: the same, replaced by its fact of the same period a year earlier, printed alike;
- wrong scale (text): a tagged figure of the text whose ``scale`` is one step off (9 -> 6);
- wrong scale (table): a tagged monetary cell of a table that states its scale, one step off.

Caught means reported inconsistent (a finding); flagged means unverifiable (listed, not a finding).
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402

from qfin_docs.facts.numbers import digits  # noqa: E402
from qfin_docs.verify.filing import IX, Filing, Visible  # noqa: E402
from qfin_docs.verify.filingtie import tieout_filing  # noqa: E402

KINDS = ("misround", "transposed", "stale period", "wrong scale (text)", "wrong scale (table)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--per-kind", type=int, default=25)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    filings = sorted(p for p in args.folder.glob("*") if p.suffix in (".htm", ".html", ".xhtml"))
    print("| filing | kind | changed | caught (inconsistent) | flagged (unverifiable) | missed (tied/derived) |")
    print("|---|---|---:|---:|---:|---:|")
    total: dict[str, Counter] = {kind: Counter() for kind in KINDS}
    for path in filings:
        for kind in KINDS:
            counts = run(path, kind, args.per_kind, random.Random(f"{args.seed}{path.name}{kind}"))
            total[kind] += counts
            if counts["changed"]:
                print(row(path.name, kind, counts))
    for kind in KINDS:
        print(row("**all**", kind, total[kind]))
    return 0


def row(name: str, kind: str, counts: Counter) -> str:
    changed = counts["changed"] or 1
    return (f"| {name} | {kind} | {counts['changed']} | {counts['inconsistent']} ({counts['inconsistent'] / changed:.0%})"
            f" | {counts['unverifiable']} ({counts['unverifiable'] / changed:.0%}) | "
            f"{counts['missed']} ({counts['missed'] / changed:.0%}) |")


def run(path: Path, kind: str, size: int, rng: random.Random) -> Counter:
    baseline = tieout_filing(path)
    filing = Filing(path)
    changes = choose(filing, baseline, kind, size, rng)
    counts: Counter = Counter()
    if not changes:
        return counts
    with tempfile.TemporaryDirectory() as folder:
        for sibling in path.parent.glob(path.stem.split("-")[0] + "*"):
            if sibling != path and sibling.suffix in (".xsd", ".xml"):
                (Path(folder) / sibling.name).symlink_to(sibling.resolve())
        copy = Path(folder) / path.name
        copy.write_bytes(etree.tostring(filing.root.getroottree(), xml_declaration=True, encoding="utf-8"))
        report = tieout_filing(copy)
    by_place: dict[str, list] = {}
    for entry in report.entries:
        by_place.setdefault(entry.anchor, []).append(entry)
    for anchor, start, new_text in changes:
        found = [e for e in by_place.get(anchor, []) if new_text in e.text or e.text in new_text]
        if start is not None:
            found = sorted(found, key=lambda e: abs((e.span or (0, 0))[0] - start))[:1]
        counts["changed"] += 1
        status = found[0].status if found else "missed"
        counts[status if status in ("inconsistent", "unverifiable") else "missed"] += 1
    return counts


def choose(filing: Filing, baseline, kind: str, size: int, rng: random.Random) -> list[tuple[str, int | None, str]]:
    """Make up to ``size`` changes of ``kind`` in ``filing``'s tree: (anchor, start in its text, new text)."""
    paragraphs = {p.anchor: p for p in filing.paragraphs}
    if kind.startswith("wrong scale"):
        return _rescale(filing, baseline, kind, size, rng)
    candidates = [e for e in baseline.entries if e.status == "tied" and e.span and e.anchor in paragraphs
                  and not e.explanation.startswith("tagged") and re.search(r"[0-9]{2}", e.text)]
    rng.shuffle(candidates)
    changes, used = [], set()
    for entry in candidates:
        if entry.anchor in used or len(changes) >= size:
            continue
        new = _changed(filing, entry, kind)
        if new is None:
            continue
        text = Visible(filing.blocks[entry.anchor])
        start, end = text.to_raw(entry.span[0]), text.to_raw(entry.span[1] - 1) + 1
        if _replace(text, start, end, entry.text, new):
            used.add(entry.anchor)
            changes.append((entry.anchor, entry.span[0], new))
    return changes


def _changed(filing: Filing, entry, kind: str) -> str | None:
    match = re.search(r"[0-9][0-9,.]*[0-9]|[0-9]", entry.text)
    number = match.group()
    if kind == "misround":
        last = len(number) - 1
        digit = int(number[last])
        new = number[:last] + str(digit + 1 if digit < 9 else digit - 1)
    elif kind == "transposed":
        pairs = [i for i in range(len(number) - 1) if number[i].isdigit() and number[i + 1].isdigit()
                 and number[i] != number[i + 1] and not (i == 0 and number[1] == "0")]
        if not pairs:
            return None
        i = pairs[0]
        new = number[:i] + number[i + 1] + number[i] + number[i + 2:]
    else:           # stale period: the same item's fact a year earlier, printed at the same scale and places
        fact = _fact_of(filing, entry.explanation)
        earlier = fact and next((f for f in filing.facts if isinstance(f.value, Decimal) and
                                 (f.concept, f.dimensions, f.unit) == (fact.concept, fact.dimensions, fact.unit)
                                 and abs((fact.period.end - f.period.end).days - 365) <= 3
                                 and (fact.period.is_instant or abs((fact.period.start - f.period.start).days - 365)
                                      <= 3)), None)
        if earlier is None:
            return None
        scale = {"thousand": 3, "million": 6, "billion": 9}.get(
            next((w for w in ("thousand", "million", "billion") if w in entry.text), ""), 0)
        places = len(number.partition(".")[2])
        new = digits(earlier.value, scale, places, grouping="," in number or abs(earlier.value).scaleb(-scale) >= 1000)
        if new == number:
            return None
    return entry.text.replace(number, new, 1)


def _fact_of(filing: Filing, explanation: str):
    match = re.match(r"fact (\S+?)(\[.*?\])? (\S+) \S+ = ", explanation)
    if not match:
        return None
    concept, period = match.group(1), match.group(3)
    return next((f for f in filing.facts if isinstance(f.value, Decimal) and str(f.concept) == concept
                 and str(f.period) == period and "".join(f"[{m.local}]" for _, m in f.dimensions) ==
                 (match.group(2) or "")), None)


def _replace(text: Visible, start: int, end: int, old: str, new: str) -> bool:
    """Replace ``old`` by ``new`` where it lies in one piece of a block's text, in the tree."""
    position = 0
    for node, where, string, tag in text.pieces:
        if position <= start and end <= position + len(string) and tag is None:
            local = string[start - position:end - position]
            if local != old:
                return False
            changed = string[:start - position] + new + string[end - position:]
            if where == "text":
                node.text = changed
            else:
                node.tail = changed
            return True
        position += len(string)
    return False


def _rescale(filing: Filing, baseline, kind: str, size: int, rng: random.Random):
    in_table = kind.endswith("(table)")
    rows = {a: r for r in filing.rows for a in r.anchors}
    tagged = [(tag, filing.tags[tag]) for tag in filing.root.iter(f"{IX}nonFraction") if tag in filing.tags]
    places = {e.anchor for e in baseline.entries if e.explanation.startswith("tagged")}
    chosen = []
    for element, tag in tagged:
        unit = tag.fact.unit
        if unit is None or not unit.numerator.startswith("iso4217:") or unit.denominator or tag.fact.value == 0:
            continue
        anchor, cell = "", element.getparent()
        while cell is not None and anchor not in places:        # the block or cell the tie-out read it in
            anchor, cell = filing.anchor(cell), cell.getparent()
        if anchor not in places:
            continue
        if in_table != (anchor in rows):
            continue
        if in_table and rows[anchor].stated is None:
            continue
        chosen.append((element, tag, anchor))
    rng.shuffle(chosen)
    changes, used = [], set()
    for element, tag, anchor in chosen:
        if anchor in used or len(changes) >= size:
            continue
        used.add(anchor)
        element.set("scale", str(tag.scale - 3 if tag.scale >= 3 else tag.scale + 3))
        changes.append((anchor, None, "".join(element.itertext()).strip()))
    return changes


if __name__ == "__main__":
    sys.exit(main())
