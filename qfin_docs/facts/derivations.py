"""Derived figures, each defined once: its value, its interval under rounded inputs, and how it prints.

A derivation is what a template helper prints (``change``, ``share``, ``total``, ``translate``,
``per_ads``), what the strict check recomputes from ``figures.json``, and what the tie-out of a draft
tries.  All three use :data:`DERIVATIONS`; adding a kind of derived figure is one :class:`Derivation`
here (and a helper in ``figures.py`` that calls it).

Interval arithmetic: a fact with ``decimals`` d stands for every value within half a unit of its d-th
digit, so a derived figure is consistent when it lies in the interval its rounded inputs allow.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Sequence

from ..model import Fact
from .numbers import CURRENCY_MARKS, SCALE_NAMES, digits, is_negative_when_shown

Interval = tuple[Decimal, Decimal]


# ---------------------------------------------------------------------- interval arithmetic
def interval(fact: Fact) -> Interval:
    """The values a fact stands for, given its decimals."""
    assert isinstance(fact.value, Decimal)
    if fact.decimals is None:
        return fact.value, fact.value
    half = Decimal(5).scaleb(-fact.decimals - 1)
    return fact.value - half, fact.value + half


def magnitude(a: Interval) -> Interval:
    """The absolute values of an interval's values (from 0 when it holds 0)."""
    low, high = a
    return (min(abs(low), abs(high)), max(abs(low), abs(high))) if low * high > 0 else (Decimal(0), max(-low, high))


def add(a: Interval, b: Interval, weight: int = 1) -> Interval:
    return (a[0] + b[0], a[1] + b[1]) if weight > 0 else (a[0] - b[1], a[1] - b[0])


def scale(a: Interval, factor: Decimal) -> Interval:
    low, high = a[0] * factor, a[1] * factor
    return (low, high) if low <= high else (high, low)


def divide(a: Interval, b: Interval) -> Interval | None:
    if b[0] <= 0 <= b[1]:
        return None
    values = [x / y for x in a for y in b]
    return min(values), max(values)


def change_bounds(new: Fact, old: Fact) -> Interval | None:
    """The range of new / old - 1 over the rounding intervals of both facts (None if old may be zero)."""
    ratio = divide(interval(new), interval(old))
    return None if ratio is None else (ratio[0] - 1, ratio[1] - 1)


def difference_bounds(whole: Fact, rest: Fact) -> Interval:
    """The range of whole - rest over the rounding intervals of both facts (a period's part of a longer
    period, a table's change in amount)."""
    return add(interval(whole), interval(rest), -1)


def share_bounds(part: Fact, whole: Fact) -> Interval | None:
    """The range of part / whole over the rounding intervals of both facts (None if the whole may be zero)."""
    return divide(interval(part), interval(whole))


def sum_bounds(facts: Sequence[Fact]) -> Interval:
    """The range of the facts' sum over their rounding intervals."""
    low, high = Decimal(0), Decimal(0)
    for fact in facts:
        low, high = add((low, high), interval(fact))
    return low, high


def meets(a: Interval, b: Interval) -> bool:
    """Two rounding intervals share a value.  A rounded figure stands for [v - h, v + h): half-up
    rounding sends the upper bound to the next figure, so intervals that only touch do not meet."""
    if a[0] == a[1] or b[0] == b[1]:
        return a[0] <= b[1] and b[0] <= a[1]
    return a[0] < b[1] and b[0] < a[1]


def gap(a: Interval, b: Interval) -> Decimal:
    return max(a[0] - b[1], b[0] - a[1], Decimal(0))


def stated_fits(value: Decimal, low: Decimal, high: Decimal, places: int) -> bool:
    """A stated percentage lies in the interval the rounded facts allow (within its own rounding)."""
    slack = Decimal(5).scaleb(-places - 3)
    return low - slack <= value <= high + slack


# ---------------------------------------------------------------------- the registry
@dataclass(frozen=True)
class Shape:
    """How a derived figure prints: scale (power of ten), places, and a style word of the derivation."""

    scale: int = -2
    places: int = 1
    style: str = ""


@dataclass(frozen=True)
class Derivation:
    """One kind of derived figure."""

    name: str
    formula: str                                                  # for people: "new / old - 1"
    value: Callable[[Sequence[Fact], Decimal], Decimal]           # (inputs, ADS ratio) -> exact value
    bounds: Callable[[Sequence[Fact], Decimal], Interval | None]  # the interval rounded inputs allow
    text: Callable[[Decimal, Sequence[Fact], Shape], str]         # how the value prints


def _mark(fact: Fact) -> str:
    return CURRENCY_MARKS[fact.unit.numerator.partition(":")[2]] if fact.unit else ""


def _money_text(value: Decimal, mark: str, shape: Shape) -> str:
    sign = "-" if is_negative_when_shown(value, shape.scale, shape.places) else ""
    word = f" {SCALE_NAMES[shape.scale]}" if shape.scale in SCALE_NAMES else ""
    return f"{mark}{sign}{digits(value, shape.scale, shape.places)}{word}"


def _change_text(value: Decimal, inputs: Sequence[Fact], shape: Shape) -> str:
    word = "increase" if value > 0 else "decrease"
    article = ("an " if word == "increase" else "a ") if shape.style == "article" else ""
    return f"{article}{word} of {digits(value, -2, shape.places)}%"


DERIVATIONS: dict[str, Derivation] = {d.name: d for d in (
    Derivation("change", "new / old - 1",
               lambda i, r: i[0].value / i[1].value - 1,
               lambda i, r: change_bounds(i[0], i[1]),
               _change_text),
    Derivation("share", "part / whole",
               lambda i, r: i[0].value / i[1].value,
               lambda i, r: share_bounds(i[0], i[1]),
               lambda v, i, s: f"{digits(v, -2, s.places)}%"),
    Derivation("sum", "a + b + ...",
               lambda i, r: sum((f.value for f in i), Decimal(0)),
               lambda i, r: sum_bounds(i),
               lambda v, i, s: _money_text(v, _mark(i[0]), s)),
    Derivation("difference", "whole - rest",
               lambda i, r: i[0].value - i[1].value,
               lambda i, r: difference_bounds(i[0], i[1]),
               lambda v, i, s: _money_text(v, _mark(i[0]), s)),
    Derivation("translate", "amount / exchange rate",
               lambda i, r: i[0].value / i[1].value,
               lambda i, r: divide(interval(i[0]), interval(i[1])),
               lambda v, i, s: _money_text(v, "US$", s)),
    Derivation("per-ads", "ADS ratio x per-share amount",
               lambda i, r: i[0].value * r,
               lambda i, r: scale(interval(i[0]), r),
               lambda v, i, s: _money_text(v, _mark(i[0]), s)),
)}
