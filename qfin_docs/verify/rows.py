"""Tying a table row: each cell to the facts its row label names, for the period and currency of its column
("Net income | 1,234 | 1,456" under "Three months ended June 30, 2023 | 2024")."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
import re
from collections import Counter
from typing import TYPE_CHECKING

from ..facts.derivations import interval, magnitude, meets
from ..facts.numbers import Printed, parse_printed
from ..facts.periods import days_in, headed_period
from ..model import Fact, Period
from .decide import describe, transposed, unique_facts
from .derive import row_change, row_difference, row_share
from .evidence import quantities, spoken, stems
from .report import Entry, Report
from .subjects import norm
from .tags import tagged_cell

if TYPE_CHECKING:
    from .drafts import TableRow
    from .tieout import TieOut


def tie_row(engine: TieOut, row: TableRow, report: Report, name: str) -> None:
    location = f"{name}:{row.line}"
    candidates = (engine.labels.get(norm(f"{row.section} {row.label}")) if row.section else None) \
        or engine.labels.get(norm(row.label))
    row_pool = engine.numeric if candidates is None else engine.named(candidates, exact=True)
    edge = "start" if re.search(r"\bbeginning of\b", row.label, re.IGNORECASE) else \
        "end" if re.search(r"\bend of\b", row.label, re.IGNORECASE) else None
    entries: dict[int, Entry] = {}
    tied: list[Fact] = []
    tied_at: dict[int, Fact] = {}
    quantity = engine.policy.evidence_required and quantities(f"{row.section} {row.label}")
    for index, text in enumerate(row.cells):
        if not text:
            continue
        if index < len(row.kinds) and row.kinds[index]:
            entries[index] = (Entry(text, location, "non-financial", row.kinds[index], anchor=anchor(row, index)))
            continue
        own = tagged_cell(row, index, location, anchor(row, index))
        if own is not None:
            entries[index] = own
            tied += [row.tags[index].fact] if own.status == "tied" else []
            tied_at.update({index: row.tags[index].fact} if own.status == "tied" else {})
            continue
        period, unit = row.columns[index] if index < len(row.columns) else (None, None)
        pool = [f for f in row_pool
                if (unit is None or f.unit is None or not f.unit.numerator.startswith("iso4217")
                     or f.unit.numerator == unit.numerator)
                and (period is None or _period_fits(f, period, edge))]
        matches = _match_cell(engine, text, pool, (row.stated,) if row.stated else engine.policy.table_scales)
        if not matches and engine.policy.evidence_required and candidates is not None:
            matches = engine.candidates.get(anchor(row, index), [])     # the label's words prefer, never exclude
        if matches and quantity:            # "(thousands of barrels daily)": no monetary fact is this figure
            matches = [f for f in matches if f.unit is None or not f.unit.numerator.startswith("iso4217")]
        if matches and engine.policy.evidence_required:
            matches, proof = _weigh(engine, row, index, matches)
            if not proof:
                entries[index] = (Entry(text, location, "coincidental",
                                     f"equals {describe(matches[0])}, but nothing around it names that item",
                                     anchor=anchor(row, index), fact=matches[0]))
                continue
        if matches:
            confidence = "exact" if len({f.key for f in matches}) == 1 else f"{len(matches)} facts"
            entries[index] = (Entry(text, location, "tied", describe(matches[0]), confidence=confidence,
                                 anchor=anchor(row, index), fact=matches[0]))
            tied.append(matches[0])
            tied_at[index] = matches[0]
        else:
            earlier = (engine.row_facts or {}).get(norm(row.label), [])
            change = row_change(text, tied) or row_change(text, earlier, year_apart=True) or \
                (row_share(engine, text, earlier + tied) if "%" in text or "." in text or all(
                    re.fullmatch(r"\(?[0-9]{1,2}\)?|100", cell) for cell in row.cells) else None) or \
                row_difference(text, tied, (row.stated,) if row.stated else engine.policy.table_scales)
            entries[index] = (Entry(text, location, "derived", change.text, anchor=anchor(row, index)) if change else
                           Entry(text, location, "untied", f"no fact for row '{row.label}' prints as {text}",
                                 anchor=anchor(row, index)))
    # a row with a tied cell of its column's period, and no more of other periods than of their column's: columns
    # are periods here (not in an equity statement that stacks its periods' rows under columns of components)
    expected = {k: _expected_period(engine, row, k, f, edge) for k, f in tied_at.items()}
    fitting = sum(expected[k] == f.period for k, f in tied_at.items())
    other = sum(expected[k] not in (None, f.period) for k, f in tied_at.items())
    if engine.policy.evidence_required and fitting and other <= fitting:
        stale = {k for k, f in tied_at.items() if expected[k] not in (None, f.period)}
        off = _off_item(engine, row, tied_at, expected)
        _misstated_cells(engine, row, entries, [f for k, f in tied_at.items() if expected[k] == f.period
                                                and k not in off], stale - off, edge, off)
    for index in sorted(entries):
        report.add(entries[index])
    if engine.row_facts is not None:      # a filing's later tables (mix, growth) repeat the labels of its amounts
        engine.row_facts.setdefault(norm(row.label), []).extend(tied)


def columns(engine: TieOut, rows: list[TableRow]) -> dict:
    """What each column of each table is about, voted by its cells' candidate facts: {(table, position,
    instant?): (period, dimensions, cells)} where most cells of the column with a candidate agree (None where
    not), and how many of its cells have a candidate of that kind."""
    votes: dict = {}
    for row in rows:
        if not row.table:
            continue
        for index, text in enumerate(row.cells):
            if index < len(row.kinds) and row.kinds[index] or index >= len(row.positions):
                continue
            found = _match_cell(engine, text, engine.numeric,
                                (row.stated,) if row.stated else engine.policy.table_scales)
            engine.candidates[row.anchors[index]] = found
            for instant in (True, False):
                kind = [f for f in found if f.period.is_instant == instant]
                if kind:
                    tally = votes.setdefault((row.table, row.positions[index], instant), [0, Counter(), Counter()])
                    tally[0] += 1
                    tally[1].update({f.period for f in kind})
                    tally[2].update({f.dimensions for f in kind})
    out = {}
    for key, (cells, periods, dims) in votes.items():
        period = _winner(periods, lambda item: item[1])
        # a member every cell of the column can carry is the column's (an equity statement's component), even
        # where the same figures are also facts without it (the balance sheet's)
        member = _winner(dims, lambda item: (item[1], bool(item[0])))
        out[key] = (period[0] if period[1] >= 2 and period[1] >= 0.6 * cells else None,
                    member[0] if member[1] >= 2 and member[1] >= 0.6 * cells else None, cells)
    return out


def _flows_column(engine: TieOut, row: TableRow, index: int) -> bool:
    """Whether a cell's column is one of flows: a period of flows voted, by more of its cells than give a
    balance (a balance sheet's figures equal some flows by chance, never most of them)."""
    position = row.positions[index] if index < len(row.positions) else None
    flows = engine.columns.get((row.table, position, False), (None, None, 0))
    balances = engine.columns.get((row.table, position, True), (None, None, 0))
    return flows[0] is not None and flows[2] > balances[2]


def _winner(tally: Counter, rank) -> tuple:
    """The (value, votes) that ranks first, or (None, 0) where two rank first alike: a cell votes for every
    period (or members) its value is a fact of, so two may carry a column equally, and then it says neither."""
    ranked = sorted(tally.items(), key=rank, reverse=True)
    if not ranked or len(ranked) > 1 and rank(ranked[0]) == rank(ranked[1]):
        return None, 0
    return ranked[0]


def _weigh(engine: TieOut, row: TableRow, index: int, matches: list[Fact]) -> tuple[list[Fact], bool]:
    """The candidates of a cell, best first, and whether the best has evidence beyond its value: its column's
    period and members (voted by the table's cells), the row's words (label and heading row), and the other
    cells of the row that the same item explains.  Equals keep the order they come in: the filing's (the row
    label's items by ``TieOut.named``, or all facts in the instance's order), never a set's."""
    header = row.headers[index] if index < len(row.headers) else ""
    said = spoken(f"{row.section} {row.label} {header}", row.label)
    if said.generic is not None:    # "Balance at end of period", "Total": the table's title names the item
        said = spoken(f"{row.title} {row.section} {row.label} {header}", row.label)
    days = days_in(f"{row.section} {row.label}")     # "Balance as of June 30, 2024": the row's own date
    position = row.positions[index] if index < len(row.positions) else None
    items, across = {}, {}
    for other in range(len(row.cells)):
        for fact in engine.candidates.get(anchor(row, other), ()):
            if other == index or row.cells[other] != row.cells[index]:  # the same figure twice (a component and
                items.setdefault((fact.concept, fact.dimensions), set()).add(other)    # its total) is one proof
            across.setdefault((fact.concept, fact.period), set()).add(other)

    def fits(fact: Fact) -> tuple[float, float]:
        period, dims, cells = engine.columns.get((row.table, position, fact.period.is_instant), (None, None, 0))
        other = engine.columns.get((row.table, position, not fact.period.is_instant), (None, None, 0))
        if days and fact.period.is_instant:
            period = Period(days[-1])
        elif other[0] is not None and other[2] > 2 * cells:
            return 0.0, 0.5      # a flow in a column of balances (or the reverse): not its column's period
        period = period or _headed_period(engine, row, index, fact.period.is_instant)
        flows = None if period is not None or not fact.period.is_instant else \
            _column_period(engine, row, index, False)
        if flows is not None and fact.period.end in (_edge(flows, "start"), _edge(flows, "end")):
            period = fact.period     # a column of flows and of its balances at both edges (an equity statement)
        return (0.5 if period is None else float(period == fact.period),
                0.5 if dims is None else float(dims == fact.dimensions))

    heading = stems(header)

    def key(fact: Fact) -> tuple:
        period, dims = fits(fact)
        members = engine.items.words(fact)[1]       # a column headed by the fact's members (equity components)
        headed = float(bool(members) and members <= heading)
        return (period, headed, dims, engine.items.score(said, fact), len(items.get((fact.concept, fact.dimensions),
                                                                                     ())),
                len(across.get((fact.concept, fact.period), ())))
    ranked = sorted(unique_facts(matches), key=key, reverse=True)
    best = key(ranked[0])
    # other cells the same item explains count only for figures of two digits or more: "0", "1" or "(6)" are
    # facts of many items, and a row of them agrees with any; in a grid of components (an equity statement),
    # a column headed by the fact's members, or whose period is the fact's, in a row of two other cells of its
    # concept and period
    digits = len(re.sub("[^0-9]", "", row.cells[index]).lstrip("0"))
    # a fact of another period than its column's is named by half a label at least (the prior period's figure
    # under its row's item), never by a word
    named = best[3] >= 0.5 if best[0] == 0.0 else best[3] > 0
    return ranked, named or digits >= 2 and (best[4] >= 2 and best[0] == 1.0 or (best[1] or best[0] == 1.0) and best[5] >= 3)


def _column_period(engine: TieOut, row: TableRow, index: int, instant: bool) -> Period | None:
    """The period of a cell's column (voted by its table), or for a balance the date its row names ("Balances at
    March 31, 2022")."""
    days = days_in(f"{row.section} {row.label}") if instant else []
    if days:
        return Period(days[-1])
    position = row.positions[index] if index < len(row.positions) else None
    voted = engine.columns.get((row.table, position, instant), (None, None, 0))[0]
    return voted if voted is not None else _headed_period(engine, row, index, instant)


def _headed_period(engine: TieOut, row: TableRow, index: int, instant: bool) -> Period | None:
    """The period a cell's column heading names in full ("Year Ended Jan 26, 2025"), where the table's cells do
    not say; one the filing has facts of (the period grammar's ``headed_period``)."""
    header = row.headers[index] if index < len(row.headers) else ""
    return headed_period(header, instant, getattr(engine, "periods", {}))


def _expected_period(engine: TieOut, row: TableRow, index: int, fact: Fact, edge: str | None) -> Period | None:
    """The period a cell of ``fact``'s kind (flow or balance) stands for: its column's, or for a balance in a
    column of flows, the column's start or end that the row names ("Cash at beginning of period")."""
    if not fact.period.is_instant:
        return _column_period(engine, row, index, False)
    if not edge:
        return _column_period(engine, row, index, True)
    flows = _column_period(engine, row, index, False)     # a table of flows with balances at both edges: the
    if flows is None:                                      # balances' vote mixes starts and ends
        return None
    return Period(_edge(flows, edge))


def _edge(flows: Period, edge: str) -> dt.date:
    """The day of a balance at the ``edge`` ("start" or "end") of a period of flows: its last day, or the day
    before its first."""
    return flows.end if edge == "end" else flows.start - dt.timedelta(days=1)


def _misstated_cells(engine: TieOut, row: TableRow, entries: dict[int, Entry], fitting: list[Fact],
                     stale_at: set[int], edge: str | None, off: set[int] = frozenset()) -> None:
    """In a row whose columns are periods: a cell no fact gives near its item's fact for its column, a cell
    tied to a fact of another period than its column's (``stale_at``: the prior period's figure), and a cell
    tied to another item than the row's (``off``), reported with the value expected."""
    for index, entry in list(entries.items()):
        stale = index in stale_at
        if entry.status not in ("untied", "coincidental") and not stale and index not in off:
            continue
        fact = _misstated_cell(engine, row, index, fitting, edge, entry.fact if stale else None)
        if fact is not None:
            entries[index] = replace(entry, status="inconsistent", fact=fact, explanation=(
                f"the row is {fact.concept.local}{''.join(f'[{m.local}]' for _, m in fact.dimensions)} "
                f"and its column {fact.period}, where the fact is {fact.value:,f}"
                + (f"; {entry.text} is its fact of {entry.fact.period}" if stale else "")), expected=fact.value)


def _off_item(engine: TieOut, row: TableRow, tied_at: dict[int, Fact], expected: dict) -> set[int]:
    """The untagged cells of a row running across periods that were tied, by value, to another item than the
    one its words name best of its tied cells' items ("Diluted": a cell equal to basic earnings per share), where
    the row names that one by half its label or more and the others less."""
    said = spoken(f"{row.section} {row.label}", row.label)
    score = {(f.concept, f.dimensions): engine.items.score(said, f) for f in tied_at.values()}
    ranked = sorted(score.values(), reverse=True)
    if len(ranked) < 2 or ranked[0] < 0.5 or ranked[0] == ranked[1]:
        return set()
    item = next(key for key, value in score.items() if value == ranked[0])
    periods = {f.period for f in tied_at.values() if (f.concept, f.dimensions) == item}
    return {k for k, f in tied_at.items() if (f.concept, f.dimensions) != item and expected[k] not in periods
            and expected[k] is not None and (k >= len(row.tags) or row.tags[k] is None)}


def _misstated_cell(engine: TieOut, row: TableRow, index: int, tied: list[Fact], edge: str | None = None,
                    stale: Fact | None = None) -> Fact | None:
    """The fact a cell should have been, where the evidence is strong: the row's other cells are one item
    (tied with evidence, and either two of them or the row's words name it), the cell's column is one period
    (voted by the table, or named by its heading), that item has a fact of that period, and the cell is not it
    (beyond rounding) though near it (within 0.67 to 1.5 times), or is that item's fact of another period
    (``stale``: the fact it was tied to)."""
    items = Counter((f.concept, f.dimensions) for f in tied)
    if stale is not None:       # another period's fact of one of the row's items (an amount beside its %)
        items = Counter({key: n for key, n in items.items() if key == (stale.concept, stale.dimensions)})
    if len(items) != 1:
        return None             # no item, or a row of several (a segment table's columns are its members)
    (concept, dims), _ = items.most_common(1)[0]
    tied = [f for f in tied if (f.concept, f.dimensions) == (concept, dims)]
    kinds = {f.period.is_instant for f in tied}
    periods = {_expected_period(engine, row, index, next(f for f in tied if f.period.is_instant == instant), edge)
               for instant in kinds}
    if len(periods) != 1 or None in periods:
        return None
    if kinds == {True} and not days_in(f"{row.section} {row.label}") and not edge and \
            _flows_column(engine, row, index):
        return None             # a balance in a column of flows: at its start or its end, the row does not say
    period = periods.pop()
    fact = next((f for f in engine.by_name.get((concept, dims), ()) if f.period == period and f.value), None)
    if fact is None or fact in tied or not (len(tied) >= 2 or
                                            engine.items.score(spoken(f"{row.section} {row.label}", row.label), fact)):
        return None             # no fact there, or neither two cells of the row nor its words name the item
    return fact if misprint(engine, row, index, fact, stale is not None) else None


def misprint(engine: TieOut, row: TableRow, index: int, fact: Fact, stale: bool = False) -> bool:
    """Whether a cell, in its table's scale, is not ``fact`` (beyond rounding) though near it (0.67 to 1.5
    times) or its digits in another order, or (``stale``: it is another period's fact of the item) anything but
    it; never for a figure of fewer than two digits ("3" for 2 cannot be told from another figure)."""
    text = row.cells[index]
    printed = parse_printed(text.strip("()"))
    if printed is None or printed.percent or len(re.sub("[^0-9]", "", text).lstrip("0")) < 2:
        return False
    for scale in (0,) if "." in text else (row.stated,) if row.stated else engine.policy.table_scales:
        shown = Printed(printed.value.scaleb(scale), printed.decimals - scale)
        ratio = shown.value / abs(fact.value)
        if stale or Decimal("0.67") <= ratio <= Decimal("1.5") or transposed(shown, fact.value):
            return not meets(shown.interval(), magnitude(interval(fact)))
    return False


def anchor(row: TableRow, index: int) -> str:
    return row.anchors[index] if index < len(row.anchors) else ""


def _period_fits(fact: Fact, period: Period, edge: str | None = None) -> bool:
    if fact.period == period:
        return True
    if fact.period.is_instant and not period.is_instant:   # beginning or end balances in a duration column
        edges = {"start": (period.start - dt.timedelta(days=1),), "end": (period.end,)}
        return fact.period.end in edges.get(edge, (period.end, period.start - dt.timedelta(days=1)))
    return False


def _match_cell(engine: TieOut, text: str, pool: list[Fact], scales: tuple[int, ...]) -> list[Fact]:
    negative = text.startswith("(") and text.endswith(")")
    body = text.strip("()")
    if body == "-":
        return [f for f in pool if f.value == 0]
    printed = parse_printed(body)
    if printed is None:
        return []
    options = []
    if printed.percent or ("." in body and engine.policy.table_scales == (3,)):
        options.append(printed)
    else:       # a release's tables are in thousands; a filing's statements may be in millions
        options += [Printed(printed.value.scaleb(s), printed.decimals - s) for s in scales]
        options.append(printed)                                                   # counts and per-share
        if engine.policy.evidence_required and "." in body:       # a rate in a column headed "%"
            options.append(Printed(printed.value.scaleb(-2), printed.decimals + 2, None, True))
    out = []
    for option in options:
        signed = Printed(-option.value if negative else option.value, option.decimals, None, option.percent)
        found = engine.facts_matching(signed, "table", pool, table_sign=True)
        if engine.policy.evidence_required:     # a fact known to the cent (a per-share amount) prints its cents
            found = [f for f in found if f.decimals is None or f.decimals <= 0 or option.decimals >= f.decimals]
        out += found
    return out


