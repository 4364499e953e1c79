"""Consistency of the fact base: small registered checks, each a plain function.

Every comparison uses interval arithmetic: a fact with ``decimals`` d stands for every value within
half a unit of its d-th digit, so a total is consistent with its items when the intervals meet.
Each problem names its inputs and the difference.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from decimal import Decimal
from typing import Callable, Iterable

from ..model import CNY, USD, Fact, FactKey, Period, Problem, QName, Release, Severity, Taxonomy, Unit

from .derivations import Interval, add, difference_bounds, gap, interval, meets, scale, share_bounds


@dataclass(frozen=True)
class FactBase:
    """The facts of a release, indexed for the checks."""

    release: Release
    taxonomy: Taxonomy

    @cached_property
    def by_key(self) -> dict[FactKey, Fact]:
        return {f.key: f for f in self.release.facts if isinstance(f.value, Decimal)}

    @cached_property
    def memo(self) -> dict:
        """Results of walks over the calculation graph, shared by the checks of one run."""
        return {}

    @cached_property
    def by_concept(self) -> dict[QName, list[Fact]]:
        """The numeric facts of each concept, in the release's order (indexed once: the checks ask per concept)."""
        index: dict[QName, list[Fact]] = defaultdict(list)
        for fact in self.release.facts:
            if isinstance(fact.value, Decimal):
                index[fact.concept].append(fact)
        return index

    def numeric(self, concept: QName) -> list[Fact]:
        return list(self.by_concept.get(concept, ()))


Check = Callable[[FactBase], Iterable[Problem]]


def check(code: str, severity: Severity = Severity.ERROR) -> Callable[[Callable], Check]:
    """Mark a function as a fact check with a stable code and a default severity."""
    def mark(function):
        function.code, function.severity = code, severity
        return function
    return mark


def _num(value: Decimal) -> str:
    return f"{value:,f}"


def _key_text(fact: Fact) -> str:
    dims = "".join(f"[{m}]" for _, m in fact.dimensions)
    return f"{fact.concept}{dims} {fact.period} {fact.unit}"


def _problem(fn, fact: Fact, message: str) -> Problem:
    return Problem(fact.source, fn.code, message, fn.severity)


@check("QF-CALC")
def calculations(base: FactBase) -> Iterable[Problem]:
    """Every total of every statement equals the weighted sum of its items (Calculation 1.1, rounded)."""
    index = base.by_key
    for calc in base.taxonomy.calculations:
        for total in base.numeric(calc.total):
            items = [(index.get(FactKey(i.concept, total.period, total.unit, total.dimensions)), i.weight)
                     for i in calc.items]
            present = [(f, w) for f, w in items if f is not None]
            if len(present) < len(items):
                continue  # an incomplete summation (e.g. prior-quarter figures quoted in prose) is not checked
            summed: Interval = (Decimal(0), Decimal(0))
            for fact, weight in present:
                summed = add(summed, interval(fact), weight)
            if not meets(summed, interval(total)):
                terms = " ".join(f"{'+' if w > 0 else '-'} {f.concept.local} {_num(f.value)}" for f, w in present)
                yield _problem(calculations, total,
                               f"{_key_text(total)}: total {_num(total.value)} but {terms.lstrip('+ ')} = "
                               f"{_num((summed[0] + summed[1]) / 2)} (off by at least {_num(gap(summed, interval(total)))})")


@check("QF-DIMENSION")
def dimension_sums(base: FactBase) -> Iterable[Problem]:
    """On an additive axis, a parent member (or the total without the axis) is the sum of its children."""
    index = base.by_key
    for axis in base.taxonomy.axes.values():
        if not axis.additive:
            continue
        for fact in base.release.facts:
            parts = _member_facts(index, fact, axis) if isinstance(fact.value, Decimal) else None
            if not parts:
                continue
            summed: Interval = (Decimal(0), Decimal(0))
            for part in parts:
                summed = add(summed, interval(part))
            if not meets(summed, interval(fact)):
                yield _problem(dimension_sums, fact,
                               f"{_key_text(fact)} is {_num(fact.value)} but its {len(parts)} members on "
                               f"{axis.name} sum to {_num((summed[0] + summed[1]) / 2)}")


def _member_facts(index: dict[FactKey, Fact], fact: Fact, axis) -> list[Fact] | None:
    """The facts of the children of ``fact``'s member on ``axis`` (of the domain when it has none),
    when every child is reported; None otherwise."""
    dims = dict(fact.dimensions)
    parent = dims.get(axis.name)
    children = axis.children(parent) if parent is None or parent in axis.members else []
    parts = [index.get(FactKey(fact.concept, fact.period, fact.unit,
                               tuple(sorted({**dims, axis.name: child}.items())))) for child in children]
    return parts if parts and all(parts) else None


@check("QF-BALANCE")
def balance_sheet(base: FactBase) -> Iterable[Problem]:
    """Assets = liabilities + equity at every balance-sheet date and currency."""
    if len(base.taxonomy.relations.balance) != 2:
        return
    left, right = base.taxonomy.relations.balance
    index = base.by_key
    for fact in base.numeric(left):
        other = index.get(FactKey(right, fact.period, fact.unit, fact.dimensions))
        if other is not None and not meets(interval(fact), interval(other)):
            yield _problem(balance_sheet, fact, f"{left} {_num(fact.value)} differs from {right} "
                                                f"{_num(other.value)} at {fact.period} {fact.unit}")


@check("QF-ROLL-FORWARD")
def roll_forward(base: FactBase) -> Iterable[Problem]:
    """Beginning balance + net change = ending balance."""
    index = base.by_key
    for balance, change in base.taxonomy.relations.roll_forward.items():
        for delta in base.numeric(change):
            assert delta.period.start is not None
            start = index.get(FactKey(balance, Period(delta.period.start - dt.timedelta(days=1)), delta.unit,
                                      delta.dimensions))
            end = index.get(FactKey(balance, Period(delta.period.end), delta.unit, delta.dimensions))
            if start is None or end is None:
                continue
            if not meets(add(interval(start), interval(delta)), interval(end)):
                yield _problem(roll_forward, delta,
                               f"{balance.local}: beginning {_num(start.value)} + change {_num(delta.value)} = "
                               f"{_num(start.value + delta.value)}, but the ending balance is {_num(end.value)}")


@check("QF-PRIOR-QUARTER")
def period_differences(base: FactBase) -> Iterable[Problem]:
    """A period's figure equals the longer period minus the rest (e.g. Q1 = six months - Q2)."""
    groups: dict[tuple, list[Fact]] = defaultdict(list)
    for fact in base.release.facts:
        if isinstance(fact.value, Decimal) and not fact.period.is_instant:
            groups[(fact.concept, fact.unit, fact.dimensions)].append(fact)
    for facts in groups.values():
        by_period = {f.period: f for f in facts}
        for part in facts:
            for whole in facts:
                if whole.period.start != part.period.start or whole.period.end <= part.period.end:
                    continue
                rest = by_period.get(Period(whole.period.end, part.period.end + dt.timedelta(days=1)))
                if rest is None:
                    continue
                derived = difference_bounds(whole, rest)
                if not meets(derived, interval(part)):
                    yield _problem(period_differences, part,
                                   f"{_key_text(part)} is {_num(part.value)} but {whole.period} minus {rest.period} "
                                   f"gives {_num(whole.value - rest.value)}")


@check("QF-TRANSLATION")
def translations(base: FactBase) -> Iterable[Problem]:
    """Every USD figure is its RMB twin divided by the tagged exchange rate, within the rounding the tables use.

    A USD total is footed from rounded USD items and a USD per-ADS amount is the ratio times a rounded
    per-share amount, so such a figure may differ from the direct translation by half a unit for each
    rounded value that went into it.
    """
    rate = _exchange_rate(base)
    if rate is None:
        return
    index = base.by_key
    for fact in base.release.facts:
        if fact.unit is None or fact.unit.numerator != USD.numerator or not isinstance(fact.value, Decimal):
            continue
        twin = index.get(FactKey(fact.concept, fact.period, Unit(CNY.numerator, fact.unit.denominator),
                                 fact.dimensions))
        if twin is None:
            continue
        low, high = scale(interval(twin), 1 / rate)
        spread = _rounded_inputs(base, index, fact)
        half = (interval(fact)[1] - fact.value) * (spread - 1)
        if not meets((low - half, high + half), interval(fact)):
            yield _problem(translations, fact,
                           f"{_key_text(fact)} is {_num(fact.value)} but RMB {_num(twin.value)} / {rate} = "
                           f"{_num(round(twin.value / rate, 4))}"
                           + (f" (allowing for {spread} rounded inputs)" if spread > 1 else ""))


def _rounded_inputs(base: FactBase, index: dict[FactKey, Fact], fact: Fact, seen: frozenset = frozenset()) -> int:
    """How many separately rounded values a figure may be footed from (1 for a leaf).

    A total counts its items; an item of a summation whose other members are all reported may be the
    balancing figure, so it counts the total and the other items; a per-ADS amount counts the ADS ratio;
    a parent member counts its children.  ``seen`` stops the walk from going round a summation twice.
    """
    memo = base.memo
    if (fact.key, seen) not in memo:
        memo[(fact.key, seen)] = _count_rounded_inputs(base, index, fact, seen)
    return memo[(fact.key, seen)]


def _count_rounded_inputs(base: FactBase, index: dict[FactKey, Fact], fact: Fact, seen: frozenset) -> int:
    relations = base.taxonomy.relations
    if (fact.concept in relations.per_ads or relations.ads_twin(fact)) and fact.unit is not None \
            and fact.unit.denominator:
        return int(Decimal(str(relations.ads_ratio)))

    def key(concept: QName) -> FactKey:
        return FactKey(concept, fact.period, fact.unit, fact.dimensions)

    def count(other: Fact, calc_id: int) -> int:
        return _rounded_inputs(base, index, other, seen | {calc_id})

    for calc in base.taxonomy.calculations:
        if calc.total == fact.concept and id(calc) not in seen:
            items = [index.get(key(i.concept)) for i in calc.items]
            if all(items):
                return sum(count(f, id(calc)) for f in items)
    for calc in base.taxonomy.calculations:
        if id(calc) in seen or fact.concept not in [i.concept for i in calc.items]:
            continue
        others = [index.get(key(calc.total))] + [index.get(key(i.concept)) for i in calc.items
                                                 if i.concept != fact.concept]
        if all(others):
            return sum(count(f, id(calc)) for f in others)
    for axis in base.taxonomy.axes.values():
        children = _member_facts(index, fact, axis) if axis.additive else None
        if children:
            return sum(_rounded_inputs(base, index, f, seen) for f in children)
    return 1


def _exchange_rate(base: FactBase) -> Decimal | None:
    concept = base.release.exchange_rate
    for fact in base.release.facts:
        if fact.concept == concept and isinstance(fact.value, Decimal):
            return fact.value
    return None


@check("QF-PER-ADS")
def per_ads(base: FactBase) -> Iterable[Problem]:
    """Per-ADS amounts are the per-share amounts times the ADS ratio; ADS counts are share counts over it."""
    relations = base.taxonomy.relations
    pairs = []                                      # (ADS fact, its ordinary-share twin, how to name the twin)
    for ads_concept, share_concept in relations.per_ads.items():
        shares = {(f.period, f.unit): f for f in base.numeric(share_concept)}
        pairs += [(fact, shares.get((fact.period, fact.unit)), share_concept.local)
                  for fact in base.numeric(ads_concept)]
    for fact in base.release.facts:                 # the same concept on the ADS and the ordinary-share member
        twin_dims = relations.ads_twin(fact) if isinstance(fact.value, Decimal) else None
        if twin_dims:
            pairs.append((fact, base.by_key.get(FactKey(fact.concept, fact.period, fact.unit, twin_dims)),
                          "the ordinary-share figure"))
    ratio = Decimal(str(relations.ads_ratio))
    for fact, twin, twin_name in pairs:
        if twin is None:
            continue
        factor = ratio if fact.unit is not None and fact.unit.denominator else 1 / ratio
        if not meets(scale(interval(twin), factor), interval(fact)):
            yield _problem(per_ads, fact, f"{_key_text(fact)} is {_num(fact.value)} but {twin_name} "
                                          f"{_num(twin.value)} gives {_num(twin.value * factor)}")


@check("QF-MARGIN")
def margins(base: FactBase) -> Iterable[Problem]:
    """A margin is its measure divided by total net revenue."""
    index = base.by_key
    for margin, (measure, revenue) in base.taxonomy.relations.margins.items():
        for fact in base.numeric(margin):
            top = index.get(FactKey(measure, fact.period, CNY, fact.dimensions))
            bottom = index.get(FactKey(revenue, fact.period, CNY, fact.dimensions))
            if top is None or bottom is None:
                continue
            ratio = share_bounds(top, bottom)
            if ratio is not None and not meets(ratio, interval(fact)):
                yield _problem(margins, fact, f"{_key_text(fact)} is {fact.value:.4f} but {measure.local} / "
                                              f"{revenue.local} = {top.value / bottom.value:.4f}")


CHECKS: tuple[Check, ...] = (calculations, dimension_sums, balance_sheet, roll_forward, period_differences,
                             translations, per_ads, margins)


def check_facts(release: Release, taxonomy: Taxonomy, checks: tuple[Check, ...] = CHECKS) -> list[Problem]:
    """Run every fact check; findings sorted by source, waived ones left out (see :func:`waived`)."""
    return [p for p in run_checks(release, taxonomy, checks) if not waived(p, release)]


def run_checks(release: Release, taxonomy: Taxonomy, checks: tuple[Check, ...] = CHECKS) -> list[Problem]:
    base = FactBase(release, taxonomy)
    problems = [problem for fn in checks for problem in fn(base)]
    return sorted(problems, key=lambda p: (p.source, p.code))


def waived(problem: Problem, release: Release) -> str | None:
    """The reason a finding was accepted in release.yaml ``waivers``, or None."""
    for waiver in release.meta.get("waivers", ()) or ():
        if problem.code == waiver["code"] and any(problem.message.startswith(f"{c} ") for c in waiver["concepts"]):
            return str(waiver["reason"])
    return None
