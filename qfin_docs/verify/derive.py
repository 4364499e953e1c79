"""The derivation library of the tie-out: a figure no fact is, explained from the facts tied around it, once for
every source.  A percentage as a change between two periods or a share of a whole; an amount as a per-ADS
amount, a translation at the release's rate, a period's part of a longer period, or a sum the text names; then,
where the policy says (``Policy.prose_changes``), the derivations a filing's prose needs (verify/changes.py).

Each derivation works on intervals: a figure derived from rounded inputs is consistent when it lies in the
interval they allow.  Each outcome is an ``Explained``: one the figure agrees with, or one it contradicts.
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal

from ..facts.derivations import (change_bounds, difference_bounds, divide, interval, magnitude, meets, scale,
                                  share_bounds, sum_bounds)
from ..facts.numbers import Printed, parse_printed
from ..model import CNY, USD, Fact, Period
from .changes import prose_changes
from .context import direction, unit_fits
from .decide import describe, unique_facts
from .report import Explained

Interval = tuple[Decimal, Decimal]


def derivations(engine, printed: Printed, before: str, context: list[Fact], section: list[Fact],
                when=None, after: str = "", named: frozenset = frozenset()) -> list[Explained]:
    """Explanations of a figure by the derivation library, from the facts tied nearby; then, where the
    policy says, by the derivations a filing's prose needs (verify/changes.py)."""
    found = _library(engine, printed, before, context, section, when, after, named)
    return prose_changes(engine, printed, before, after, found) if engine.policy.prose_changes else found


def _library(engine, printed: Printed, before: str, context: list[Fact], section: list[Fact],
             when, after: str, named: frozenset) -> list[Explained]:
    """The derivation library: changes and shares (of a percentage), per-ADS amounts, translations,
    period differences and sums (of an amount)."""
    found = []
    want = printed.interval()
    if printed.percent:
        sign = direction(before, after)
        for new, old in itertools.permutations(unique_facts(context), 2):
            if (new.concept, new.dimensions, new.unit) != (old.concept, old.dimensions, old.unit):
                continue
            if new.period.end <= old.period.end or old.value == 0:
                continue
            bounds = change_bounds(new, old)
            if bounds is None:
                continue
            low, high = bounds
            signed = want if sign >= 0 else (-want[1], -want[0])
            if sign and meets(signed, (low, high)):
                found.append(Explained(f"change {new.concept.local} {old.period} -> {new.period} "
                                       f"in [{low:.3%}, {high:.3%}]"))
            elif sign and meets(want, (abs(low), abs(high))) and (low > 0) != (sign > 0):
                found.append(Explained("INCONSISTENT direction: the change is "     # the words reports print
                                       f"{'an increase' if low > 0 else 'a decrease'}", consistent=False))
        near = {f.concept for f in context + section}     # in a filing, a total named nearby: thousands of
        pairs = list(itertools.permutations(unique_facts(context + section), 2)) + [     # members make a share of
            (p, w) for p, w in parts_of_wholes(engine)                                  # any %
            if engine.policy.binding_subjects or w.concept in near]
        for part, whole in pairs:
            if part.period != whole.period or part.unit != whole.unit or whole.value <= 0 or part.value <= 0:
                continue
            if part.value >= whole.value or sign:
                continue
            ratio = share_bounds(part, whole)
            if ratio is None:
                continue
            low, high = ratio
            if meets(want, (low, high)):
                found.append(Explained(f"share {part.concept.local} / {whole.concept.local} "
                                       f"in [{low:.3%}, {high:.3%}]"))
        return found
    if printed.currency and "." in str(printed.value):
        found += per_ads(engine, printed)
    if printed.currency == "USD" and engine.rate:
        for fact in unique_facts(context):
            if fact.unit == CNY and meets(want, (interval(fact)[0] / engine.rate, interval(fact)[1] / engine.rate)):
                found.append(Explained(f"translation of {fact.concept.local}@{fact.period} at {engine.rate}"))
    if printed.currency:
        found += _differences(engine, printed, want, {(f.concept, f.dimensions) for f in context + section}, when)
        if not found and named and re.search(r"\b(total|aggregate|in all|combined)\b", before[-80:],
                                             re.IGNORECASE):
            found += _sums(engine, printed, want, context + section, named)
    return found


def parts_of_wholes(engine) -> list[tuple[Fact, Fact]]:
    """(member fact, total fact) pairs: a dimensional part and the same concept without the dimension."""
    totals = {(f.concept, f.period, f.unit): f for f in engine.numeric if not f.dimensions}
    return [(f, totals[(f.concept, f.period, f.unit)]) for f in engine.numeric
            if f.dimensions and (f.concept, f.period, f.unit) in totals]


def _differences(engine, printed: Printed, want: Interval, nearby: set, when=None) -> list[Explained]:
    """A period's figure as a longer period minus the rest (e.g. the prior quarter as H1 - Q2),
    for the concepts already tied nearby."""
    out = []
    unit = CNY if printed.currency == "CNY" else USD
    by_key: dict[tuple, dict[Period, Fact]] = {}
    for fact in engine.numeric:
        if fact.unit == unit and not fact.period.is_instant and (fact.concept, fact.dimensions) in nearby:
            by_key.setdefault((fact.concept, fact.dimensions), {})[fact.period] = fact
    for (concept, _), periods in by_key.items():
        for whole in periods.values():
            for rest in periods.values():
                if rest.period.end != whole.period.end or rest.period.start <= whole.period.start:
                    continue
                part = Period(rest.period.start - dt.timedelta(days=1), whole.period.start)
                if when is not None and not when(part):
                    continue
                if meets(want, difference_bounds(whole, rest)):
                    out.append(Explained(f"difference {concept.local} {whole.period} - {rest.period}"))
    return out


def _sums(engine, printed: Printed, want: Interval, context: list[Fact], named: frozenset) -> list[Explained]:
    """The sum of two or three facts of one balance type, at a date the surrounding figures give (e.g. a
    cash total "at the end of the quarter"), of items the text names: in the figure's sentence or in a
    footnote it refers to ("total cash¹¹" with footnote 11 "Including cash, restricted cash and ...")."""
    unit = CNY if printed.currency == "CNY" else USD
    dates = list(dict.fromkeys(Period(f.period.end) for f in context))
    totals = {c.total for c in engine.loaded.taxonomy.calculations}
    concepts = engine.loaded.taxonomy.concepts
    found = []
    for period in dates:
        leaves = [f for f in engine.numeric if f.period == period and f.unit == unit and not f.dimensions
                  and f.value > 0 and f.concept not in totals and f.concept in named]
        for size in (2, 3):
            for combo in itertools.combinations(leaves, size):
                if len({concepts[f.concept].balance for f in combo}) != 1:
                    continue
                if meets(want, sum_bounds(combo)):
                    found.append(Explained(f"sum of {' + '.join(f.concept.local for f in combo)} at {period}"))
    return found


def per_ads(engine, printed: Printed) -> list[Explained]:
    """A per-ADS amount as the ADS ratio times a per-share fact."""
    relations = engine.loaded.taxonomy.relations
    ratio = Decimal(str(relations.ads_ratio))
    per_share = set(relations.per_ads.values())
    out = []
    for fact in engine.numeric:
        if fact.concept in per_share and fact.unit is not None and fact.unit.denominator \
                and unit_fits(fact, printed, "prose"):
            if meets(printed.interval(), scale(interval(fact), ratio)):
                out.append(Explained(f"{ratio} x {fact.concept.local}@{fact.period} (per ADS)"))
    return out


# ---------------------------------------------------------------------- a table's derived cells
def percent_cell(text: str) -> Printed | None:
    """A table cell printed as a percentage, with or without its % sign ("36.7%", "15.5", "(1.2)"): a column
    of changes or shares often prints the sign once in its heading."""
    body = text.strip("()").rstrip("%")
    printed = parse_printed(body)
    if printed is None or "." not in body and "%" not in text and len(body) > 2:
        return None
    return Printed(printed.value.scaleb(-2) * (-1 if text.startswith("(") else 1), printed.decimals + 2)


def row_change(text: str, tied: list[Fact], year_apart: bool = False) -> Explained | None:
    """A "% change" cell: the change between two facts of the row's item, of periods of one length (a year
    apart, for facts of earlier rows with the same label, which a growth table repeats)."""
    printed = percent_cell(text)
    if printed is None:
        return None
    want = printed.interval()
    for new, old in itertools.permutations(tied, 2):
        if year_apart and abs((new.period.end - old.period.end).days - 365) > 3:
            continue
        if (new.concept, new.dimensions, new.unit) != (old.concept, old.dimensions, old.unit) or \
                new.period.end <= old.period.end or new.period.is_instant != old.period.is_instant or \
                (not new.period.is_instant and new.period.end - new.period.start != old.period.end - old.period.start
                 and abs((new.period.end - new.period.start).days - (old.period.end - old.period.start).days) > 3):
            continue
        bounds = change_bounds(new, old)
        if bounds is not None and meets(want, bounds):
            return Explained(f"change {new.concept.local} {old.period} -> {new.period} "
                             f"in [{bounds[0]:.3%}, {bounds[1]:.3%}]")
    return None


def row_share(engine, text: str, parts: list[Fact]) -> Explained | None:
    """A "% of net sales" cell: one of the row item's facts over the revenue of its period.  Magnitudes: "(13.3)"
    is a loss's share, and an expense tagged negative (sign="-") prints its share positive."""
    printed = percent_cell(text)
    if printed is None or printed.value == 0:
        return None
    for part in parts:
        for whole in engine.numeric:
            if whole.period != part.period or whole.unit != part.unit or whole.dimensions or whole is part or \
                    not re.search("Revenue|Sales", whole.concept.local) or whole.value <= abs(part.value):
                continue
            ratio = divide(magnitude(interval(part)), interval(whole))
            if ratio is not None and meets(magnitude(printed.interval()), ratio):
                return Explained(f"share {describe(part)} / {whole.concept.local} in [{ratio[0]:.3%}, {ratio[1]:.3%}]")
    return None


def row_difference(text: str, tied: list[Fact], scales: tuple[int, ...]) -> Explained | None:
    """A "$ change" cell: the later of two facts of the row's item less the earlier, in one of the scales the
    table may be printed in."""
    printed = parse_printed(text.strip("()"))
    if printed is None or printed.percent:
        return None
    sign = -1 if text.startswith("(") else 1
    for power in scales:
        want = Printed(sign * printed.value.scaleb(power), printed.decimals - power).interval()
        for new, old in itertools.permutations(tied, 2):
            if (new.concept, new.dimensions, new.unit) == (old.concept, old.dimensions, old.unit) and \
                    new.period.end > old.period.end and meets(want, difference_bounds(new, old)):
                return Explained(f"difference {new.concept.local} {new.period} - {old.period}")
    return None


__all__ = ["derivations", "parts_of_wholes", "per_ads", "percent_cell", "row_change", "row_difference", "row_share"]
