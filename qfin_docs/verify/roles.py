"""A period named by its role relative to a release's quarter, and a fact's value as a release prints it:
what lets the redline of one quarter against the next pair "this quarter" with "this quarter"."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..facts.numbers import CURRENCY_MARKS, digits
from ..facts.periods import date_text, months_in
from ..model import Fact, ItemType, Period

SCALE_WORDS = {3: "thousand", 6: "million", 9: "billion"}


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:                       # February 29
        return day.replace(year=day.year - 1, day=28)


def role(period: Period, quarter: Period | None) -> str:
    """``current quarter``, ``same quarter last year``, ``prior quarter``, ``year to date``, ``year to date
    last year``, ``next quarter``; for instants ``end of quarter``, ``same date last year``, ``end of last
    year``, ``end of prior quarter``; otherwise the period itself (also when the quarter is unknown)."""
    if quarter is None or quarter.start is None:
        return str(period)
    start, end = quarter.start, quarter.end
    if period.is_instant:
        day = period.end
        named = {end: "end of quarter", _year_before(end): "same date last year",
                 dt.date(end.year - 1, 12, 31): "end of last year", start - dt.timedelta(days=1): "end of prior quarter"}
        return named.get(day, str(period))
    durations = {
        (start, end): "current quarter",
        (_year_before(start), _year_before(end)): "same quarter last year",
        (dt.date(end.year, 1, 1), end): "year to date",
        (dt.date(end.year - 1, 1, 1), _year_before(end)): "year to date last year",
    }
    if (period.start, period.end) in durations:
        return durations[(period.start, period.end)]
    if period.end == start - dt.timedelta(days=1) and months_in(period.start, period.end) == 3:
        return "prior quarter"
    if period.start == end + dt.timedelta(days=1) and months_in(period.start, period.end) == 3:
        return "next quarter"
    return str(period)


def in_words(period: Period) -> str:
    """``3 months to Sep. 30, 2024``, ``Sep. 30, 2024``."""
    if period.is_instant:
        return date_text(period.end, "short")
    return f"{months_in(period.start, period.end)} months to {date_text(period.end, 'short')}"


def unit_words(unit) -> str:
    """``RMB``, ``US$``, ``RMB per share``, ``shares``, ``pure``: a unit as a reader names it."""
    if unit is None:
        return ""
    def one(measure: str) -> str:
        code = measure.partition(":")[2]
        return CURRENCY_MARKS.get(code, code)
    return f"{one(unit.numerator)} per {one(unit.denominator).rstrip('s')}" if unit.denominator else one(unit.numerator)


def printed(fact: Fact, kind: ItemType | None = None) -> str:
    """The value as a release prints it: at the scale its precision gives, with its currency and scale word
    (``RMB4,160,063 thousand``, ``247.6 million``, ``3.40%`` for a percent ``kind``, ``RMB4.54``)."""
    value = fact.value
    if not isinstance(value, Decimal):
        return date_text(value, "long") if isinstance(value, dt.date) else str(value)
    unit = fact.unit.numerator.partition(":")[2] if fact.unit else ""
    mark = CURRENCY_MARKS.get(unit, "")
    decimals = fact.decimals
    if kind is ItemType.PERCENT and decimals is not None:
        return f"{'-' if value < 0 else ''}{digits(abs(value), -2, decimals - 2)}%"
    if decimals is None or decimals >= 0:
        text = digits(abs(value), 0, decimals or 0)
        return f"{'-' if value < 0 else ''}{mark}{text}"
    power = 3 * -(decimals // 3)          # decimals -3 -> thousands, -5 -> millions (1 place), -7 -> billions
    places = power + decimals
    word = SCALE_WORDS.get(power, f"x10^{power}")
    return f"{'-' if value < 0 else ''}{mark}{digits(abs(value), power, places)} {word}"


__all__ = ["role", "in_words", "printed", "unit_words"]
