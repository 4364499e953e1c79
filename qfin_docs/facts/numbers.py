"""Printed numbers: parse them into exact values with their precision, and format values for print.

All arithmetic is ``Decimal``; rounding is ``ROUND_HALF_UP`` and explicit.
The parser is the inverse of the formatter: a printed figure parses back to the
closed interval of values that print that way (see :func:`Printed.interval`).
"""
from __future__ import annotations

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
