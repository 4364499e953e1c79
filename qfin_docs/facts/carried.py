"""What ``new-quarter`` carried from the previous release as it was, and says so (``carried:``).

Role-shifted comparatives (last quarter's figures as this release's prior quarter) are carried silently: they
are facts of their periods.  Everything else new-quarter carried (text facts, constants, waivers, US$ cells at
the old rate, figures of periods with no role, the title) is marked ``carried: <release id>`` where it is
written, and is an open item (``QF-CARRIED``) until someone confirms it (deletes the mark) or changes it.  A
draft lists them; a final release refuses them.  Carried text that names another quarter than the release's
("second quarter" in a third-quarter release) is reported as such (``QF-CARRIED-PERIOD``).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

from ..model import Problem, Source, shown_path
from .phrases import other_quarter_words
from .yamlio import line_of

HOW = "confirm it (delete its 'carried:') or change it"


def release_quarter(meta) -> int:
    return (dt.date.fromisoformat(str(meta["document_period_end"])).month + 2) // 3


def carried_items(meta, name: str, files: list[tuple[object, str]]) -> list[Problem]:
    """Every item of release.yaml and the fact files still marked as carried, at its line."""
    quarter = release_quarter(meta)
    found: list[Problem] = []

    def add(source: Source, what: str, origin: str, text: str = "") -> None:
        found.append(Problem(source, "QF-CARRIED", f"{what} is carried from {origin} as it was: {HOW}"))
        words = other_quarter_words(text, quarter) if text else []
        if words:
            found.append(Problem(source, "QF-CARRIED-PERIOD", f"carried {what} names another quarter than this "
                                 f"release's (Q{quarter}): {', '.join(repr(w) for w in words)}"))

    fields = meta.get("carried") or {}
    for field, was in (fields.get("fields") or {}).items():
        if str(meta.get(field, "")) == str(was):       # changed since new-quarter wrote it: no longer carried
            add(Source(name, line_of(meta, [field])), f"release.yaml {field} '{was}'", fields["from"], str(was))
    for key, spec in (meta.get("constants") or {}).items():
        if spec.get("carried"):
            add(Source(name, line_of(meta, ["constants", key])), f"constant '{key}' ({spec['value']})",
                spec["carried"], f"{spec['value']} {spec.get('reason', '')}")
    for index, spec in enumerate(meta.get("waivers") or ()):
        if spec.get("carried"):
            add(Source(name, line_of(meta, ["waivers", index])), f"waiver of {spec['code']}", spec["carried"],
                str(spec.get("reason", "")))
    for data, file_name in files:
        for index, spec in enumerate(data.get("facts", ()) or ()):
            if spec.get("carried"):
                value = spec.get("value")
                add(Source(file_name, line_of(data, ["facts", index])),
                    f"fact {spec['concept']} {spec['period']} = {value!s}", spec["carried"],
                    value if isinstance(value, str) else "")
        for tid, spec in (data.get("tables", {}) or {}).items():
            marks = spec.get("carried") or {}
            for row, columns in (marks.get("cells") or {}).items():
                add(Source(file_name, line_of(data, ["tables", tid, "carried", "cells", row])),
                    f"table {tid} {row} cell(s) {', '.join(map(str, columns))}", marks["from"])
    return found


CALL = re.compile(r'\{%-?\s*call\s+carried\(\s*"(?P<origin>[^"]*)"\s*,\s*"(?P<kind>[^"]*)"\s*\)\s*-?%\}')
END = re.compile(r"\{%-?\s*endcall\s*-?%\}")
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def prose_carried(prose_dir: Path, quarter: int) -> list[Problem]:
    """The prose blocks still wrapped in ``{% call carried(...) %}`` (QF-CARRIED at the call's line), and the
    words naming another quarter in each (QF-CARRIED-PERIOD)."""
    found: list[Problem] = []
    root = prose_dir.resolve()
    for path in sorted(prose_dir.glob("*.j2")) if prose_dir.is_dir() else ():
        if path.is_symlink() or not path.resolve().is_relative_to(root):
            continue            # nothing outside the release is read (the template loader refuses it)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue            # the template loader reports what it cannot read
        name = shown_path(path)
        for call in CALL.finditer(text):
            end = END.search(text, call.end())
            body = text[call.end():end.start() if end else len(text)]
            plain = " ".join(re.sub(r"<[^>]*>", " ", JINJA.sub(" ", body)).split())
            source = Source(name, text.count("\n", 0, call.start()) + 1)
            what = f"{call['kind']} \u201c{' '.join(plain.split()[:8])} ...\u201d"
            found.append(Problem(source, "QF-CARRIED", f"{what} is carried from {call['origin']} as it was: "
                                 "confirm it (delete the carried call and its endcall) or rewrite it"))
            words = other_quarter_words(plain, quarter)
            if words:
                found.append(Problem(source, "QF-CARRIED-PERIOD", f"carried {call['kind']} names another quarter "
                                     f"than this release's (Q{quarter}): {', '.join(repr(w) for w in words)}"))
    return found


def placeholder_groups(release, taxonomy) -> list[dict]:
    """A draft's placeholders grouped by fact (the RMB and US$ cells of one line are one item): its words,
    units, its facts and the lines that leave them TODO."""
    from .taxonomy import describe
    groups: dict[tuple, list] = {}
    for fact in release.missing:
        groups.setdefault((fact.concept, fact.dimensions, fact.period), []).append(fact)
    return [{"words": describe(dataclasses.replace(facts[0].key, unit=None), taxonomy),
             "units": sorted({describe_unit(f) for f in facts} - {""}), "facts": facts,
             "sources": sorted({str(f.source) for f in facts})} for facts in groups.values()]


def open_items(release, taxonomy, places: dict | None = None) -> list[Problem]:
    """A draft's open items: each placeholder once (see :func:`placeholder_groups`), with every place it is
    printed (``places``: fact key -> output locations); then every carried item."""
    items = []
    for group in placeholder_groups(release, taxonomy):
        printed = sorted({where for f in group["facts"] for where in (places or {}).get(f.key, ())})
        units = f" ({', '.join(group['units'])})" if group["units"] else ""
        items.append(Problem(group["facts"][0].source, "QF-PLACEHOLDER",
                             f"{group['words']}{units} is TODO at {', '.join(group['sources'])}"
                             + (f"; printed at {', '.join(printed)}" if printed else
                                ("; not printed" if places is not None else ""))))
    return items + list(release.carried)


def describe_unit(fact) -> str:
    from .taxonomy import UNIT_WORDS
    if fact.unit is None:
        return ""
    return UNIT_WORDS.get(fact.unit.numerator, "") + (" per share" if fact.unit.denominator else "")
