"""``qfin-docs diff OLD NEW``: a blackline of two drafts of a release, for reviewers and for CI.

Each side is a release folder (rendered in memory), a build folder (its HTML and ``figures.json``), or, with
``--rev REV``, the release folder as committed at a git revision (rendered with today's templates).

Facts and figures are paired by **role**, not by date: each period is named relative to its side's quarter
(current quarter, same quarter last year, prior quarter, year to date, the balance dates...), so the redline
of one quarter against the next reads as changes ("Total net revenue, current quarter: RMB4,160,063
thousand -> RMB4,300,000 thousand"), and a comparative whose value differs from what the other side
published for the same period is marked as restated.

* **Facts** (release folders): item, member and period in words, unit, old and new values as printed.
* **Figures**: every printed figure whose text changed, named the same way, with the places it is printed.
* **Prose**: the whole text as a blackline: deletions struck, insertions underlined, and each changed figure
  shown old -> new in its sentence.  Unchanged text is never marked.
* A warning block when either side fails the fact checks.
"""
from __future__ import annotations

import datetime as dt
import difflib
import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html

from ..model import BadInput, Fact, FactKey, Figure, FigureKind, Period, Problem, Source, Taxonomy
from ..xmlio import drop_non_text
from .roles import in_words, printed, role, unit_words

BLOCKS = ("h1", "h2", "p", "li")


@dataclass
class Side:
    """One side of the comparison: the HTML, the records of its figures, and when known its facts, its
    quarter (the three months ending at its document period end), taxonomy and fact-check findings."""

    name: str
    html: str
    figures: dict[int, Figure]
    facts: dict | None = None
    quarter: Period | None = None
    taxonomy: Taxonomy | None = None
    findings: list[Problem] = field(default_factory=list)
    missing: tuple[FactKey, ...] = ()      # a draft's placeholders (TODO)

    def to_fill(self) -> set[tuple]:
        return {_paired(key, self.quarter) for key in self.missing}


@dataclass
class Redline:
    facts: list[dict] = field(default_factory=list)        # changed facts (release folders only)
    figures: list[dict] = field(default_factory=list)      # figures whose text changed, with their places
    prose: list[dict] = field(default_factory=list)        # changed blocks: old and new words and figures
    blackline: list[list[tuple]] = field(default_factory=list)   # every block, marked (for the page)
    warnings: list[str] = field(default_factory=list)      # either side fails the fact checks

    @property
    def changed(self) -> bool:
        return bool(self.facts or self.figures or self.prose)

    def as_json(self) -> dict:
        return {"facts": self.facts, "figures": self.figures, "prose": self.prose}


def read_side(path: Path, rev: str | None = None) -> Side:
    """A release folder, a build folder, or a release folder at a git revision."""
    if rev is not None:
        return _at_revision(path, rev)
    if (path / "release.yaml").is_file():
        from ..render import html as render
        from ..facts.checks import check_facts
        from ..facts.load import load
        loaded = load(path, draft=True)
        rendered, problems = render.render(loaded.release, loaded.taxonomy, "html")
        if rendered is None:
            raise BadInput(problems)
        end = loaded.release.meta.get("document_period_end")
        quarter = None
        if isinstance(end, str):
            end = _period(end).end if _period(end).end != dt.date.min else None
        if isinstance(end, dt.date):
            start = dt.date(end.year if end.month > 2 else end.year - 1, (end.month - 3) % 12 + 1, 1)
            quarter = Period(end, start)
        findings = [p for p in check_facts(loaded.release, loaded.taxonomy) if p.severity.value == "error"]
        return Side(str(path), rendered.text, {f.id: f for f in rendered.figures},
                    {f.key: f for f in loaded.release.facts}, quarter, loaded.taxonomy, findings,
                    tuple(f.key for f in loaded.release.missing))
    if (path / "figures.json").is_file() and (path / "press-release.html").is_file():
        from .records import read_figures
        return Side(str(path), (path / "press-release.html").read_text(encoding="utf-8"),
                    read_figures(path / "figures.json"))
    raise BadInput([Problem(Source(str(path)), "QF-DIFF", "neither a release folder nor a build folder")])


def _at_revision(path: Path, rev: str) -> Side:
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=path, capture_output=True, text=True)
    if top.returncode != 0:
        raise BadInput([Problem(Source(str(path)), "QF-DIFF", "not inside a git repository")])
    root = Path(top.stdout.strip())
    relative = path.resolve().relative_to(root)
    archive = subprocess.run(["git", "archive", "--format=tar", rev, str(relative)], cwd=root, capture_output=True)
    if archive.returncode != 0:
        raise BadInput([Problem(Source(str(path)), "QF-DIFF",
                                f"cannot read {relative} at {rev}: {archive.stderr.decode().strip()[:200]}")])
    folder = Path(tempfile.mkdtemp(prefix="qfin-diff-"))
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    side = read_side(folder / relative)
    side.name = f"{path}@{rev}"
    return side


def _paired(key: FactKey, quarter: Period | None) -> tuple:
    """What pairs two facts of two drafts: concept, members, unit and the role of the period."""
    return (key.concept, key.dimensions, key.unit, role(key.period, quarter))


def identity(figure: Figure, quarter: Period | None = None) -> tuple:
    """What a figure is, whatever its number in the document, its text, or (given its side's quarter) the
    dates of its periods: each input fact and period is named by its role."""
    ref = figure.ref
    if quarter is not None and figure.kind is FigureKind.PERIOD and ref:
        ref = role(_period(ref), quarter)
    inputs = tuple((k.concept, role(k.period, quarter), k.unit, k.dimensions) for k in figure.inputs)
    return (figure.kind, figure.formula, inputs, ref, figure.where, figure.scale, figure.places, figure.negated)


def _period(text: str) -> Period:
    start, _, end = text.partition("/")
    try:
        return Period(dt.date.fromisoformat(end), dt.date.fromisoformat(start)) if end else \
            Period(dt.date.fromisoformat(start))
    except ValueError:
        return Period(dt.date.min)


def compare(old: Side, new: Side) -> Redline:
    result = Redline()
    for side in (old, new):
        if side.findings:
            result.warnings.append(f"{side.name} fails the fact checks ({len(side.findings)} findings): "
                                   + "; ".join(str(p) for p in side.findings[:8]))
    if old.facts is not None and new.facts is not None:
        result.facts = _changed_facts(old, new)
    old_by, new_by = _group(old), _group(new)
    to_fill = new.to_fill()
    for key in sorted(set(old_by) | set(new_by), key=lambda k: min(f.id for f in (new_by.get(k) or old_by[k]))):
        before = sorted({f.text for f in old_by.get(key, [])})
        after = sorted({f.text for f in new_by.get(key, [])})
        if key[0] is FigureKind.PLACEHOLDER and not before or not after and any(
                _paired(k, old.quarter) in to_fill for k in old_by[key][0].inputs):
            continue                       # a figure of the new draft still to fill: counted, not listed
        if before != after:
            sample = (new_by.get(key) or old_by[key])[0]
            side = new if key in new_by else old
            result.figures.append({
                "kind": sample.kind.value, "formula": sample.formula,
                "what": _figure_words(sample, side),
                "facts": [f"{k.concept} {k.period}" for k in sample.inputs], "old": before, "new": after,
                "places": [f"fig-{f.id} ({f.source})" for f in new_by.get(key, [])]})
    result.blackline, result.prose = _blackline(old, new)
    return result


def _group(side: Side) -> dict[tuple, list[Figure]]:
    out: dict[tuple, list[Figure]] = {}
    for figure in side.figures.values():
        out.setdefault(identity(figure, side.quarter), []).append(figure)
    return out


def _item_words(key: FactKey, taxonomy: Taxonomy | None) -> str:
    """"Total net revenue - Financing income": the concept's label and its members' labels."""
    if taxonomy is None or key.concept not in taxonomy.concepts:
        return str(key.concept)
    words = [taxonomy.concepts[key.concept].labels.get("label", str(key.concept))]
    for axis, member in key.dimensions:
        found = taxonomy.axes.get(axis)
        words.append(found.member_labels.get(member, str(member)) if found else str(member))
    return " - ".join(words)


def _figure_words(figure: Figure, side: Side) -> str:
    if figure.kind is FigureKind.PERIOD:
        return f"period: {role(_period(figure.ref), side.quarter)}"
    if not figure.inputs:
        return f"{figure.kind.value} {figure.ref}".strip()
    items = "; ".join(f"{_item_words(k, side.taxonomy)}, {role(k.period, side.quarter)}" for k in figure.inputs)
    return items if figure.kind is FigureKind.FACT else f"{figure.formula} of {items}"


def _changed_facts(old: Side, new: Side) -> list[dict]:
    """Facts paired by concept, members, unit and period role; a comparative whose value differs from what
    the other side holds for the same dates is marked restated."""
    def keyed(side: Side) -> dict:
        return {_paired(k, side.quarter): f for k, f in side.facts.items()}
    before, after = keyed(old), keyed(new)
    to_fill = new.to_fill()
    out = []
    for pair in sorted(set(before) | set(after), key=lambda p: (str(p[0]), str(p[1]), str(p[2]), p[3])):
        a, b = before.get(pair), after.get(pair)
        if a is not None and b is not None and a.value == b.value and a.decimals == b.decimals:
            continue
        if b is None and pair in to_fill:
            continue                       # still to fill in the new draft: counted, not listed
        note = "new" if a is None else "removed" if b is None else ""
        kind = _kind(pair[0], new.taxonomy or old.taxonomy)
        if b is not None and b.key in old.facts and old.facts[b.key].value != b.value:
            note = f"restated: {printed(old.facts[b.key], kind)} as published in {old.name}"
        elif b is not None and b.restated is not None:
            note = f"restated: first published as {b.restated.original} ({b.restated.first_published})"
        key = (b or a).key
        places = [f"fig-{f.id} {f.text!r} ({f.source})" for f in new.figures.values()
                  if b is not None and b.key in f.inputs]
        out.append({"fact": f"{key.concept}{''.join(f'[{m}]' for _, m in key.dimensions)}",
                    "item": _item_words(key, new.taxonomy or old.taxonomy), "role": pair[3],
                    "period": str(key.period), "old_period": in_words(a.period) if a else None,
                    "new_period": in_words(b.period) if b else None,
                    "unit": str(key.unit) if key.unit else None, "unit_words": unit_words(key.unit),
                    "old": _value(a), "new": _value(b),
                    "old_printed": printed(a, kind) if a else None, "new_printed": printed(b, kind) if b else None,
                    "note": note, "at": str((b or a).source), "places": places})
    return out


def _kind(concept, taxonomy: Taxonomy | None):
    found = taxonomy.concepts.get(concept) if taxonomy is not None else None
    return found.type if found is not None else None


def _value(fact: Fact | None) -> str | None:
    if fact is None:
        return None
    return f"{fact.value:f}" if hasattr(fact.value, "as_tuple") else str(fact.value)


def _tokens(element, figures: dict[int, Figure], quarter) -> list[tuple]:
    """A block as tokens: ("w", word) for text, ("f", identity, text) for a figure."""
    out: list[tuple] = []

    def words(text):
        out.extend(("w", w) for w in (text or "").split())

    def walk(node):
        if node.tag == "span" and " fig " in f" {node.get('class', '')} ":
            figure = figures.get(int((node.get("id") or "fig-0").partition("-")[2] or 0))
            text = " ".join(node.text_content().split())
            if figure is not None and figure.inputs and figure.kind is not FigureKind.DERIVED:
                what = ("fact", tuple(_paired(k, quarter) for k in figure.inputs))   # a placeholder pairs with it
            else:
                what = identity(figure, quarter) if figure else ("?", text)
            out.append(("f", what, text))
        else:
            words(node.text)
            for child in node:
                walk(child)
        if node is not element:
            words(node.tail)
    walk(element)
    return out


def _blocks(side: Side) -> list[list[tuple]]:
    root = lxml.html.document_fromstring(side.html.encode("utf-8"))
    drop_non_text(root)
    out = []
    for element in root.iter(*BLOCKS):
        if element.xpath(f"ancestor::*[{' or '.join(f'self::{b}' for b in BLOCKS)}]") or \
                element.xpath("ancestor::div[contains(@class, 'statement') or contains(@class, 'missing')]"):
            continue
        out.append(_tokens(element, side.figures, side.quarter))
    return out


def _signature(tokens: list[tuple]) -> tuple:
    return tuple(t[1] if t[0] == "w" else ("f", t[1]) for t in tokens)


def _blackline(old: Side, new: Side) -> tuple[list[list[tuple]], list[dict]]:
    """Every block of the new side, marked: ("=", text), ("-", text), ("+", text), ("f", old, new); and the
    changed blocks as records."""
    before, after = _blocks(old), _blocks(new)
    page, changes = [], []
    matcher = difflib.SequenceMatcher(None, [_signature(b) for b in before], [_signature(b) for b in after],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs = list(zip(before[i1:i2], after[j1:j2]))
        else:
            left = [t for b in before[i1:i2] for t in b]
            right = [t for b in after[j1:j2] for t in b]
            pairs = [(left, right)]
        for number, (a, b) in enumerate(pairs):
            marked = _mark(a, b)
            page.append(marked)
            if any(op != "=" for op, *_ in marked):
                changes.append({"block": j1 + number + 1,
                                "deleted": [m[1] for m in marked if m[0] == "-"],
                                "inserted": [m[1] for m in marked if m[0] == "+"],
                                "figures": [[m[1], m[2]] for m in marked if m[0] == "f"],
                                "marked": [list(m) for m in marked]})
    return page, changes


def _mark(a: list[tuple], b: list[tuple]) -> list[tuple]:
    out: list[tuple] = []
    words = difflib.SequenceMatcher(None, _signature(a), _signature(b), autojunk=False)
    text = lambda t: t[1] if t[0] == "w" else t[2]   # noqa: E731
    for op, a1, a2, b1, b2 in words.get_opcodes():
        if op == "equal":
            for x, y in zip(a[a1:a2], b[b1:b2]):
                if x[0] == "f" and x[2] != y[2]:
                    out.append(("f", x[2], y[2]))
                else:
                    out.append(("=", text(y)))
            continue
        if a2 > a1:
            out.append(("-", " ".join(text(t) for t in a[a1:a2])))
        if b2 > b1:
            out.append(("+", " ".join(text(t) for t in b[b1:b2])))
    return out
