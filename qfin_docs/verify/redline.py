"""``qfin-docs diff OLD NEW``: what changed between two drafts of a release, for reviewers and for CI.

Each side is a release folder (rendered in memory), a build folder (its HTML and ``figures.json``), or, with
``--rev REV``, the release folder as committed at a git revision (rendered with today's templates).

* **Figures**: every printed figure is identified by what it is (its kind, formula, input facts, period or
  constant, and how it is shown); a figure whose text changed is listed with its old and new text and every
  place it is printed.  With release folders, changed facts are listed from the fact bases themselves.
* **Prose**: the text with every figure masked, compared block by block and word by word: insertions and
  deletions.  Unchanged text is never marked.
"""
from __future__ import annotations

import difflib
import html
import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html

from ..model import BadInput, Fact, Figure, Problem, Source
from ..xmlio import drop_non_text

MASK = "\u27e6figure\u27e7"
BLOCKS = ("h1", "h2", "p", "li", "th", "td")


@dataclass
class Side:
    """One side of the comparison: the HTML, the records of its figures, and the facts when known."""

    name: str
    html: str
    figures: dict[int, Figure]
    facts: dict | None = None


@dataclass
class Redline:
    facts: list[dict] = field(default_factory=list)        # changed facts (release folders only)
    figures: list[dict] = field(default_factory=list)      # figures whose text changed, with their places
    prose: list[dict] = field(default_factory=list)        # changed blocks: old and new words

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
        from ..facts.load import load
        loaded = load(path, draft=True)
        rendered, problems = render.render(loaded.release, loaded.taxonomy, "html")
        if rendered is None:
            raise BadInput(problems)
        return Side(str(path), rendered.text, {f.id: f for f in rendered.figures},
                    {f.key: f for f in loaded.release.facts})
    if (path / "figures.json").is_file() and (path / "press-release.html").is_file():
        from .strict import read_figures
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


def identity(figure: Figure) -> tuple:
    """What a figure is, whatever its number in the document or its text."""
    return (figure.kind, figure.formula, figure.inputs, figure.ref, figure.where, figure.scale, figure.places,
            figure.negated)


def compare(old: Side, new: Side) -> Redline:
    result = Redline()
    if old.facts is not None and new.facts is not None:
        result.facts = _changed_facts(old.facts, new.facts, new.figures)
    old_by, new_by = _group(old.figures), _group(new.figures)
    for key in sorted(set(old_by) | set(new_by), key=lambda k: min(f.id for f in (new_by.get(k) or old_by[k]))):
        before = sorted({f.text for f in old_by.get(key, [])})
        after = sorted({f.text for f in new_by.get(key, [])})
        if before != after:
            sample = (new_by.get(key) or old_by[key])[0]
            result.figures.append({
                "kind": sample.kind.value, "formula": sample.formula,
                "facts": [f"{k.concept} {k.period}" for k in sample.inputs], "old": before, "new": after,
                "places": [f"fig-{f.id} ({f.source})" for f in new_by.get(key, [])]})
    result.prose = _prose(old.html, new.html)
    return result


def _group(figures: dict[int, Figure]) -> dict[tuple, list[Figure]]:
    out: dict[tuple, list[Figure]] = {}
    for figure in figures.values():
        out.setdefault(identity(figure), []).append(figure)
    return out


def _changed_facts(old: dict, new: dict, figures: dict[int, Figure]) -> list[dict]:
    out = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None and a.value == b.value and a.decimals == b.decimals:
            continue
        places = [f"fig-{f.id} {f.text!r} ({f.source})" for f in figures.values() if key in f.inputs]
        out.append({"fact": f"{key.concept}{''.join(f'[{m}]' for _, m in key.dimensions)}",
                    "period": str(key.period), "unit": str(key.unit) if key.unit else None,
                    "old": _value(a), "new": _value(b), "at": str((b or a).source), "places": places})
    return out


def _value(fact: Fact | None) -> str | None:
    if fact is None:
        return None
    return f"{fact.value:f}" if hasattr(fact.value, "as_tuple") else str(fact.value)


def _blocks(page: str) -> list[str]:
    root = lxml.html.document_fromstring(page.encode("utf-8"))
    drop_non_text(root)
    for span in root.xpath("//span[contains(concat(' ', @class, ' '), ' fig ')]"):
        span.text, span.tail = MASK, span.tail
        for child in list(span):
            span.remove(child)
    out = []
    for element in root.iter(*BLOCKS):
        if element.xpath(f"ancestor::*[{' or '.join(f'self::{b}' for b in BLOCKS)}]"):
            continue
        out.append(" ".join(element.text_content().split()))
    return out


def _prose(old_html: str, new_html: str) -> list[dict]:
    old, new = _blocks(old_html), _blocks(new_html)
    changes = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before, after = " ".join(old[i1:i2]).split(), " ".join(new[j1:j2]).split()
        words = difflib.SequenceMatcher(None, before, after, autojunk=False)
        marked = []
        for op, a1, a2, b1, b2 in words.get_opcodes():
            if op == "equal":
                marked.append(("=", " ".join(before[a1:a2])))
                continue
            if a2 > a1:
                marked.append(("-", " ".join(before[a1:a2])))
            if b2 > b1:
                marked.append(("+", " ".join(after[b1:b2])))
        changes.append({"block": j1 + 1, "deleted": [t for op, t in marked if op == "-"],
                        "inserted": [t for op, t in marked if op == "+"], "marked": marked})
    return changes


def render_redline(result: Redline, old: Side, new: Side) -> str:
    """The redline page: changed facts and figures, then the prose changes by word."""
    def esc(text) -> str:
        return html.escape(str(text))
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Redline</title><style>"
             "body{font:10pt sans-serif;max-width:60em;margin:auto} del{background:#fdd;color:#900}"
             "ins{background:#dfd;color:#060;text-decoration:none} td,th{border:1px solid #ccc;padding:2px 4px;"
             "font-size:9pt;vertical-align:top} table{border-collapse:collapse}</style></head><body>",
             f"<h1>Redline</h1><p>{esc(old.name)} &#8594; {esc(new.name)}: {len(result.facts)} facts, "
             f"{len(result.figures)} printed figures and {len(result.prose)} passages changed.</p>"]
    if result.facts:
        parts.append("<h2>Facts</h2><table><tr><th>fact</th><th>period</th><th>old</th><th>new</th>"
                     "<th>printed at</th></tr>")
        for item in result.facts:
            parts.append(f"<tr><td>{esc(item['fact'])}</td><td>{esc(item['period'])}</td><td><del>{esc(item['old'])}"
                         f"</del></td><td><ins>{esc(item['new'])}</ins></td><td>{'<br>'.join(map(esc, item['places']))}"
                         "</td></tr>")
        parts.append("</table>")
    if result.figures:
        parts.append("<h2>Printed figures</h2><table><tr><th>what</th><th>old</th><th>new</th><th>places</th></tr>")
        for item in result.figures:
            what = f"{item['kind']} {item['formula']} {'; '.join(item['facts'])}"
            parts.append(f"<tr><td>{esc(what)}</td><td><del>{esc(' / '.join(item['old']))}</del></td><td><ins>"
                         f"{esc(' / '.join(item['new']))}</ins></td><td>{'<br>'.join(map(esc, item['places']))}</td></tr>")
        parts.append("</table>")
    if result.prose:
        parts.append("<h2>Prose</h2>")
        for item in result.prose:
            words = "".join(f"<del>{esc(t)}</del> " if op == "-" else f"<ins>{esc(t)}</ins> " if op == "+"
                            else f"{esc(t)} " for op, t in item["marked"])
            parts.append(f"<p>{words}</p>")
    parts.append("</body></html>")
    return "".join(parts)
