"""Printed numbers: parse them into exact values with their precision, and format values for print.

All arithmetic is ``Decimal``; rounding is ``ROUND_HALF_UP`` and explicit.
The parser is the inverse of the formatter: a printed figure parses back to the
closed interval of values that print that way (see :func:`Printed.interval`).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SCALE_WORDS = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12}
SCALE_NAMES = {3: "thousand", 6: "million", 9: "billion"}
CURRENCY_PREFIXES = {"RMB": "CNY", "US$": "USD", "$": "USD", "€": "EUR", "£": "GBP"}   # the last three: filings
CURRENCY_MARKS = {"CNY": "RMB", "USD": "US$"}

_PRINTED = re.compile(
    r"""^\s*(?P<neg1>-)?\s*(?P<cur>RMB|US\$|\$|€|£)?\s*(?P<neg2>-)?
         (?P<num>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)
         \s*(?P<pct>%)?\s*(?P<scale>thousand|million|billion|trillion)?\s*$""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class Printed:
    """A number as printed: its exact value, its decimals (XBRL sense) and currency, if any."""

    value: Decimal
    decimals: int
    currency: str | None = None
    percent: bool = False

    def interval(self) -> tuple[Decimal, Decimal]:
        """The closed interval of exact values that round (half up) to this printed value."""
        half = Decimal(5).scaleb(-self.decimals - 1)
        return self.value - half, self.value + half


def parse_printed(text: str) -> Printed | None:
    """Parse ``RMB95,425 million``, ``-213.3``, ``3.40%``, ``US$0.30`` or ``19,112,187``.

    Returns None when the text is not a single printed number.
    """
    match = _PRINTED.match(str(text))
    if not match or (match["neg1"] and match["neg2"]):
        return None
    digits = match["num"].replace(",", "")
    number = Decimal(digits)
    places = len(digits.partition(".")[2])
    shift = SCALE_WORDS.get(match["scale"] or "", 0)
    if match["pct"]:
        if match["scale"]:
            return None
        shift -= 2
    value = number.scaleb(shift)
    if match["neg1"] or match["neg2"]:
        value = -value
    currency = CURRENCY_PREFIXES.get(match["cur"] or "")
    return Printed(value, places - shift, currency, bool(match["pct"]))


def decimals_of(number: Decimal) -> int:
    """The decimals a number written like ``number`` states (``3.40`` -> 2, ``160`` -> 0)."""
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    return -exponent


def round_to(value: Decimal, places: int) -> Decimal:
    """Round half up to ``places`` digits after the point (negative places round to tens, ...)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) if places >= 0 else \
        (value.scaleb(places).quantize(Decimal(1), rounding=ROUND_HALF_UP)).scaleb(-places)


def digits(value: Decimal, scale: int = 0, places: int = 0, grouping: bool = True) -> str:
    """Print ``|value|`` divided by ``10**scale`` with ``places`` decimals, grouped by thousands."""
    shown = round_to(abs(value).scaleb(-scale), places)
    text = f"{shown:,.{places}f}" if grouping else f"{shown:.{places}f}"
    return text


def is_negative_when_shown(value: Decimal, scale: int, places: int) -> bool:
    """True when the value prints with a sign (a value that rounds to zero prints unsigned)."""
    return value < 0 and round_to(abs(value).scaleb(-scale), places) != 0


def percent(value: Decimal, places: int) -> str:
    """``Decimal('0.0340')``, 2 -> ``3.40%``."""
    sign = "-" if is_negative_when_shown(value, -2, places) else ""
    return f"{sign}{digits(value, -2, places)}%"


# ---------------------------------------------------------------------- dates and periods in words
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
SHORT_MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
COUNT_WORDS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
ORDINALS = ["", "first", "second", "third", "fourth"]


def date_text(day: dt.date | str, style: str = "long") -> str:
    """``September 27, 2024`` (long), ``Aug. 13, 2024`` (short), ``8月 13, 2024`` (cjk, as the wire service
    prints), ``June 30`` (month-day)."""
    day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
    if style == "cjk":
        return f"{day.month}月 {day.day}, {day.year}"
    if style == "short":
        return f"{SHORT_MONTHS[day.month - 1]} {day.day}, {day.year}"
    if style == "month-day":
        return f"{MONTHS[day.month - 1]} {day.day}"
    if style == "long":
        return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    raise ValueError(f"unknown date style '{style}' (long, short, cjk, month-day)")


def months_of(duration: str) -> int | None:
    """The months of an ISO 8601 duration in years and months (``P12M``, ``P1Y6M``); None for other text."""
    match = re.fullmatch(r"P(?=[0-9])(?:([0-9]+)Y)?(?:([0-9]+)M)?", duration)
    return None if match is None else int(match.group(1) or 0) * 12 + int(match.group(2) or 0)


def months_in(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


PERIOD_STYLES = ("date", "short", "cjk", "month-day", "year", "quarter", "quarter-name", "Quarter", "months",
                 "Months", "months-ended")


def period_text(period, style: str) -> str:
    """A period of the release in words: ``date`` "June 30, 2024" (its end), ``year`` "2024",
    ``quarter`` "second quarter of 2024", ``quarter-name`` "second quarter", ``Quarter`` "Second Quarter
    2024", ``months`` "six months", ``months-ended`` "Three months ended June 30," (a table header)."""
    end = period.end
    if style in ("date", "short", "cjk", "month-day"):
        return date_text(end, "long" if style == "date" else style)
    if style == "year":
        return str(end.year)
    if period.start is None:
        raise ValueError(f"'{style}' needs a duration, not the instant {period}")
    months = months_in(period.start, end)
    if style in ("quarter", "quarter-name", "Quarter"):
        if months != 3 or period.start.month % 3 != 1:
            raise ValueError(f"{period} is not a calendar quarter")
        name = ORDINALS[(period.start.month + 2) // 3]
        return {"quarter": f"{name} quarter of {end.year}", "quarter-name": f"{name} quarter",
                "Quarter": f"{name.capitalize()} Quarter {end.year}"}[style]
    if months >= len(COUNT_WORDS):
        raise ValueError(f"{period} is longer than twelve months")
    if style == "months":
        return f"{COUNT_WORDS[months]} months"
    if style == "Months":
        return f"{COUNT_WORDS[months].capitalize()} months"
    if style == "months-ended":
        return f"{COUNT_WORDS[months].capitalize()} months ended {date_text(end, 'month-day')},"
    raise ValueError(f"unknown period style '{style}' ({', '.join(PERIOD_STYLES)})")


def period_words(period) -> str:
    """A period named as a reader would: "Q3 2024", "six months ended June 30, 2024", "as of September 30,
    2024", else "April 1, 2024 to August 13, 2024"."""
    if period.start is None:
        return f"as of {date_text(period.end)}"
    months = months_in(period.start, period.end)
    if months == 3 and period.start.month % 3 == 1:
        return f"Q{(period.start.month + 2) // 3} {period.end.year}"
    if 0 < months < len(COUNT_WORDS) and period.start.day == 1:
        return f"{COUNT_WORDS[months]} months ended {date_text(period.end)}"
    return f"{date_text(period.start)} to {date_text(period.end)}"
