"""The decision over a table as a grid (the filing policy): a cell no fact gives is its item's misprint where
the tied cells of its row and of its column together name one item and one period.

A statement of changes in equity has rows of one concept and period ("Net income" of Q3) under columns of one
member (retained earnings); a table of securities has columns of one concept (amortized cost, fair value) and
rows of one member; a plain statement has rows of one item and columns of one period.  Each of concept,
members and period is read from whichever side gives it, by two tied cells or more (two thirds of them for
an item, all of them for a period); where the two sides give different ones, or neither gives one, there is
no claim.  The cell must then be near that item's fact of that period but not it (``rows.misprint``), and its
row's words (label, heading row, column heading) must name the item."""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING

from ..model import Fact
from .evidence import spoken
from .report import Entry, Report
from .rows import misprint

if TYPE_CHECKING:
    from .drafts import TableRow
    from .tieout import TieOut

_OPEN = ("untied", "unverifiable", "coincidental")       # the statuses of a cell no fact was found for


def misstated_in_grid(engine: TieOut, rows: list[TableRow], report: Report) -> None:
    """Report each open cell of a table that the grid names as one item's misprint, with the value expected."""
    at = {e.anchor: k for k, e in enumerate(report.entries) if e.span is None and e.anchor}
    cells = [(number, row, index, at[where]) for number, row in enumerate(rows) if row.table
             for index, where in enumerate(row.anchors[:len(row.positions)]) if where in at]
    by_row: dict[int, list[Fact]] = {}
    by_column: dict[tuple, list[Fact]] = {}
    for number, row, index, k in cells:
        entry = report.entries[k]
        if entry.status == "tied" and entry.fact is not None:
            by_row.setdefault(number, []).append(entry.fact)
            by_column.setdefault((row.table, row.positions[index]), []).append(entry.fact)
    for number, row, index, k in cells:
        entry = report.entries[k]
        if entry.status not in _OPEN:
            continue
        fact = _item_fact(engine, by_row.get(number, []), by_column.get((row.table, row.positions[index]), []))
        header = row.headers[index] if index < len(row.headers) else ""
        if fact is None or not engine.items.score(spoken(f"{row.section} {row.label} {header}", row.label), fact) or \
                not misprint(engine, row, index, fact):
            continue
        report.entries[k] = replace(entry, status="inconsistent", fact=fact, explanation=(
                f"its row and column are {fact.concept.local}{''.join(f'[{m.local}]' for _, m in fact.dimensions)}"
                f" of {fact.period}, where the fact is {fact.value:,f}"), expected=fact.value)


def _item_fact(engine: TieOut, across: list[Fact], down: list[Fact]) -> Fact | None:
    """The fact the row's tied cells (``across``) and the column's (``down``) together name, if one."""
    parts = []
    for part, share in ((lambda f: f.concept, 2 / 3), (lambda f: f.dimensions, 2 / 3), (lambda f: f.period, 1)):
        given = {side for side in (_agreed(part, across, share), _agreed(part, down, share)) if side is not None}
        if len(given) != 1:
            return None         # neither side says, or they say different things
        parts.append(given.pop())
    concept, dims, period = parts
    return next((f for f in engine.by_name.get((concept, dims), ()) if f.period == period and f.value), None)


def _agreed(part, facts: list[Fact], share: float):
    """The ``part`` that two facts or more and at least ``share`` of them have (else None): a filer tags a
    total or a twin otherwise now and then, so an item may be read from two thirds of its cells; a period,
    never from a row that spans periods."""
    values = Counter(part(f) for f in facts)
    value, count = values.most_common(1)[0] if values else (None, 0)
    return value if count >= 2 and count >= share * len(facts) else None


__all__ = ["misstated_in_grid"]
