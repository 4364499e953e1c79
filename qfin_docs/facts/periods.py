"""The period grammar: how documents write days and periods, read and printed with one table of words.

Reading: a day in any form the documents write it ("June 30, 2024", "Jun 30, 2024", "Sept. 30, 2024",
"30 June 2024", "2024-06-30"); a release's own dates and period names (``YYYY-MM-DD``, ``start/end``); the words
that give a period's length ("Six Months Ended": 6; data, ``schema/phrases.yaml``); and the period a text names
("the second quarter of 2024", "in the same period of 2023", "three months ended September 30, 2024 and 2025",
"fiscal year 2025"), over the calendar the document declares and snapped to the periods it has facts of (a
fiscal quarter ending on the last Sunday of a month is the quarter a text dates at the month's end).
Printing: a day ("June 30, 2024", "Aug. 13, 2024") and a period ("second quarter of 2024", "six months ended
June 30, 2024") as a release prints them.  The month names serve both sides: what a release prints, its
tie-out reads back.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from ..model import Period
from .phrases import period_months

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
SHORT_MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
COUNT_WORDS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
ORDINALS = ["", "first", "second", "third", "fourth"]

# A month written out or abbreviated, with or without its stop ("September", "Sept.", "Sep"): the pattern the
# readers build on ("parts: month" of verify/number_kinds.yaml is the same text, and a test keeps it so).
_ABBREVIATED = ("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec")
MONTH = "(?:" + "|".join(MONTHS) + "|(?:" + "|".join(_ABBREVIATED) + r")\.?)"
# A day in full, month first, as releases and statements print it ("June 30, 2024", "Sept. 30, 2024").
DAY = MONTH + r" [0-9]{1,2}, [0-9]{4}"

_MONTH_NUMBERS = {**{name.lower(): number for number, name in enumerate(MONTHS, 1)},
                  **{short.lower(): [m[:3] for m in MONTHS].index(short[:3]) + 1 for short in _ABBREVIATED}}
_ANY_DAY = re.compile(rf"(?P<month>{MONTH})\s+(?P<day>[0-9]{{1,2}}),?\s+(?P<year>[0-9]{{4}})"
                      rf"|(?P<day2>[0-9]{{1,2}})\s+(?P<month2>{MONTH})\s+(?P<year2>[0-9]{{4}})"
                      r"|(?P<year3>[0-9]{4})-(?P<month3>[0-9]{2})-(?P<day3>[0-9]{2})", re.IGNORECASE)


def read_day(text: str) -> dt.date | None:
    """The day a text writes in full: "June 30, 2024", "Jun 30, 2024", "Jun. 30, 2024", "Sept. 30, 2024",
    "June 30 2024", "30 June 2024" or "2024-06-30", in any case and spacing; None for any other text, or a
    day no calendar has ("February 30, 2024")."""
    match = _ANY_DAY.fullmatch(text.strip())
    if match is None:
        return None
    if match["year3"]:
        year, month, day = int(match["year3"]), int(match["month3"]), int(match["day3"])
    else:
        year, day = int(match["year"] or match["year2"]), int(match["day"] or match["day2"])
        month = _MONTH_NUMBERS[(match["month"] or match["month2"]).rstrip(".").lower()]
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def days_in(text: str) -> list[dt.date]:
    """The days a text names in full, month first ("June 30, 2024", "Jun. 30, 2024"), in order."""
    return [day for day in (read_day(m.group()) for m in re.finditer(DAY, text)) if day]


def length_words() -> dict[str, int]:
    """The words that give a period's length, lower-cased, with its months ("six": 6, "year": 12)."""
    return period_months()


def months_named(text: str) -> int | None:
    """The length in months of the period a heading names ("Six Months Ended" 6, "Year Ended" 12), if one."""
    found = {length_words()[w] for w in re.findall("[a-z]+", text.lower()) if w in length_words()}
    return found.pop() if len(found) == 1 else None


# ---------------------------------------------------------------------- a release's own dates
MIN_YEAR, MAX_YEAR = 1900, 2200      # the years a release can speak of


def parse_date(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` date in the years a release can speak of; raises ValueError otherwise."""
    day = dt.date.fromisoformat(str(text))
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(f"year {day.year} is outside {MIN_YEAR}-{MAX_YEAR}")
    return day


def parse_period(text: str, periods: dict[str, Period]) -> Period:
    """A period name, ``YYYY-MM-DD`` (instant) or ``start/end``; raises ValueError with a clear message."""
    text = str(text).strip()
    if text in periods:
        return periods[text]
    start, sep, end = text.partition("/")
    try:
        if not sep:
            return Period(parse_date(start))
        period = Period(parse_date(end), parse_date(start))
    except ValueError as exc:
        if "outside" in str(exc):
            raise ValueError(f"period '{text}': {exc}") from None
        raise ValueError(f"'{text}' is not a period name, a date (YYYY-MM-DD) or start/end") from None
    if period.start > period.end:
        raise ValueError(f"period '{text}' ends before it starts")
    return period


# ---------------------------------------------------------------------- the calendar
@dataclass(frozen=True, slots=True)
class Calendar:
    """What a document declares of its periods: the day its reporting period ends (a release's
    document_period_end, a filing's dei:DocumentPeriodEndDate), and the month and day its fiscal year ends
    (dei:CurrentFiscalYearEndDate, "--01-26"; December 31 where it declares none)."""

    end: dt.date
    year_end: tuple[int, int] = (12, 31)


def calendar_of(meta, facts=()) -> Calendar:
    """The calendar a release or filing declares: its meta's document_period_end, and its
    dei:CurrentFiscalYearEndDate fact, if it has one."""
    end = dt.date.fromisoformat(str(meta["document_period_end"]))
    declared = next((str(f.value) for f in facts if f.concept.local == "CurrentFiscalYearEndDate"
                     and isinstance(f.value, str)), "")
    match = re.fullmatch(r"\s*--([0-9]{2})-([0-9]{2})\s*", declared)
    return Calendar(end, (int(match.group(1)), int(match.group(2))) if match else (12, 31))


def ending(end: dt.date, months: int) -> Period:
    """The period of ``months`` whole months that ends on ``end`` (it starts on the first of its first month)."""
    index = end.year * 12 + end.month - months
    return Period(end, dt.date(index // 12, index % 12 + 1, 1))


def quarter(number: int, year: int) -> Period:
    """The calendar quarter ``number`` (1 to 4) of ``year``."""
    following = dt.date(year + number // 4, number % 4 * 3 + 1, 1)
    return ending(following - dt.timedelta(days=1), 3)


def year_before(day: dt.date) -> dt.date:
    return day.replace(year=day.year - 1)


def periods_near(end: dt.date, months: int, periods) -> list[Period]:
    """Of ``periods``, those of flows about ``months`` months long that end within a week of ``end`` (a fiscal
    quarter ending on the last Sunday of its month is the quarter a text dates at the month's end)."""
    return [p for p in periods if not p.is_instant and abs((p.end - end).days) <= 7 and
            abs((p.end - p.start).days - months * 30.4) <= 12]


def snap(end: dt.date, months: int, periods: Counter[Period]) -> Period:
    """The period of about ``months`` months ending near ``end`` that a document has facts of: of several, the
    one ending nearest it, then the nearest in length, then the one most facts have (the first the document
    gives of equals); the calendar's whole months where it has none."""
    near = periods_near(end, months, periods)
    if near:
        return min(near, key=lambda p: (abs((p.end - end).days), abs((p.end - p.start).days - months * 30.4),
                                        -periods[p]))
    return ending(end, months)


def fiscal_year(year: int, periods: Counter[Period]) -> Period:
    """A fiscal year: the document's period of about a year that ends in ``year`` (or just into it); of several,
    the one most facts have (the first the document gives of equals)."""
    spans = [p for p in periods if not p.is_instant and 350 <= (p.end - p.start).days <= 380
             and p.end.year == year]
    return max(spans, key=lambda p: periods[p]) if spans else Period(dt.date(year, 12, 31), dt.date(year, 1, 1))


def headed_period(heading: str, instant: bool, periods) -> Period | None:
    """The period a table column's heading names in full: a day and a length ("Year Ended Jan 26, 2025", "Six
    Months Ended June 30, 2024") for flows, a day alone ("June 30, 2025") for balances; one of ``periods`` (a
    fiscal period ends within a week of the day its heading rounds to), else None."""
    days, months = set(days_in(heading)), months_named(heading)
    if len(days) != 1 or instant != (months is None):
        return None
    day = days.pop()
    if instant:
        return Period(day) if Period(day) in periods else None
    near = periods_near(day, months, periods)
    return near[0] if len(near) == 1 else None


# ---------------------------------------------------------------------- periods named in text
_ORDINAL = {word: number for number, word in enumerate(ORDINALS) if word}
_ORDINALS = "(" + "|".join(ORDINALS[1:]) + ")"
_UNIT_WORDS = r"\s*(?:[a-z]+\s+)?"      # "11.00 months in the same period of 2023", "160 partners as of ..."
_FOR_WORDS = r"\s*(?:[A-Za-z]+\s+){0,3}?"    # "US$0.60 per ADS for the first half of 2024"
_QUARTER = re.compile(r"\b" + _ORDINALS + r" quarter(?: of| )?\s*([0-9]{4})?", re.IGNORECASE)
_HALF = re.compile(r"\b(?:first half|six months ended June 30,?) (?:of )?([0-9]{4})\b", re.IGNORECASE)
_AS_OF = re.compile(r"\b[Aa]s of (" + DAY + ")")
_LISTED = re.compile(r"\s*,?\s*and\s+(?:as of\s+)?")


def period_hint(after: str, calendar: Calendar):
    """What the words after a figure say of its period, as a test of a period ("in the prior quarter", "in the
    same period of 2023", "a year ago", "for the first half of 2024", "as of June 30, 2024"); None if nothing."""
    end = calendar.end
    if re.match(_UNIT_WORDS + r"in the prior quarter", after):
        prior = ending(ending(end, 3).start - dt.timedelta(days=1), 3)
        return lambda period: period == prior
    match = re.match(_UNIT_WORDS + r"in the same period of ([0-9]{4})", after)
    if match:
        year = int(match.group(1))
        return lambda period: period.end.year == year and (period.end.month, period.end.day) == (end.month, end.day)
    if re.match(_UNIT_WORDS + r"a year ago", after):
        return lambda period: period.end == year_before(end)
    match = re.match(_FOR_WORDS + r"for the first half of ([0-9]{4})", after)
    if match:
        year = int(match.group(1))
        return lambda period: period.end.year == year and not period.is_instant and \
            (period.start.month, period.end.month) == (1, 6)
    match = re.match(_FOR_WORDS + r"(?:for|in) the " + _ORDINALS + r" quarter of ([0-9]{4})", after)
    if match:
        named = quarter(_ORDINAL[match.group(1)], int(match.group(2)))
        return lambda period: period == named
    match = re.match(_UNIT_WORDS + r"as of (" + DAY + ")", after)
    if match:
        day = read_day(match.group(1))
        return lambda period: day is not None and period.end == day
    return None


def named_period(text: str, calendar: Calendar) -> Period | None:
    """The period the last phrase of ``text`` names: "second quarter of 2024" (of the calendar's year where no
    year is written), "as of June 30, 2024", "first half of 2024"."""
    found = [(m.start(), m) for pattern in (_QUARTER, _AS_OF, _HALF) for m in pattern.finditer(text)]
    if not found:
        return None
    _, match = max(found, key=lambda item: item[0])
    if match.re is _AS_OF:
        day = read_day(match.group(1))
        return Period(day) if day else None
    if match.re is _HALF:
        return ending(dt.date(int(match.group(1)), 6, 30), 6)
    year = int(match.group(2)) if match.group(2) else calendar.end.year
    return quarter(_ORDINAL[match.group(1).lower()], year)


def listed_periods(text: str) -> bool:
    """Whether the last periods ``text`` names are a list ("As of December 31, 2024 and September 30, 2025,
    ... were $X and $Y, respectively"): each figure is then of its own period, not of the last one named."""
    found = sorted((m for pattern in (_QUARTER, _AS_OF, _HALF, re.compile(DAY)) for m in pattern.finditer(text)),
                   key=lambda m: m.start())
    return any(_LISTED.fullmatch(text[a.end():b.start()]) for a, b in zip(found, found[1:]))


# Lists of periods ("Q3 2024 and Q3 2025", "nine months ended September 30, 2024 and 2025", "December 31, 2024 and
# September 30, 2025", "fiscal years 2025, 2024 and 2023"), and a period named alone ("in Q3 2025", "for fiscal
# year 2025", "for the nine months ended September 30, 2025").
_SPACED_DAY = DAY.replace(" ", r"\s")
_LISTS = [
    ("quarters", re.compile(r"\bQ([1-4])\s([0-9]{4})(?:,?\s(?:and\s)?Q([1-4])\s([0-9]{4}))+")),
    ("months", re.compile(r"\b(three|six|nine|twelve)\smonths\sended\s(" + MONTH + r"\s[0-9]{1,2}),\s([0-9]{4})"
                          r"(?:,\s([0-9]{4}))?,?\sand\s([0-9]{4})", re.IGNORECASE)),
    ("days", re.compile(r"\b(" + _SPACED_DAY + r")(?:,\s(" + _SPACED_DAY + r"))?,?\sand\s(" + _SPACED_DAY + r")")),
    ("fiscal years", re.compile(r"\bfiscal\syears\s([0-9]{4}),\s([0-9]{4})(?:,\s([0-9]{4}))?,?\sand\s([0-9]{4})"
                                r"|\bfiscal\syears\s([0-9]{4})\sand\s([0-9]{4})")),
]
_SINGLES = [
    ("quarter", re.compile(r"\bQ([1-4])\s([0-9]{4})\b(?!,?\s(?:and\s)?Q[1-4])")),
    ("fiscal year", re.compile(r"\bfiscal\syear\s([0-9]{4})\b(?!\s(?:and|,))")),
    ("months", re.compile(r"\b(three|six|nine|twelve)\smonths\sended\s(" + MONTH + r"\s[0-9]{1,2}),\s([0-9]{4})\b"
                          r"(?!,?\s(?:and\s)?[0-9]{4})", re.IGNORECASE)),
]


def period_lists(text: str, start: int, end: int, periods: Counter[Period]) -> list[tuple[int, int, list[Period]]]:
    """The lists of periods in ``text[start:end]``, in order: (where each starts, where it ends, its periods),
    each period snapped to the document's ``periods`` (each with its number of facts)."""
    return sorted(((m.start(), m.end(), _listed(kind, m, periods)) for kind, pattern in _LISTS
                   for m in pattern.finditer(text, start, end)), key=lambda item: item[0])


def single_periods(text: str, start: int, end: int, periods: Counter[Period]) -> list[tuple[int, int, Period]]:
    """The periods named alone in ``text[start:end]`` (not in a list): (start, end, period), snapped as above."""
    return [(m.start(), m.end(), _single(kind, m, periods)) for kind, pattern in _SINGLES
            for m in pattern.finditer(text, start, end)]


def _listed(kind: str, match: re.Match, periods: Counter[Period]) -> list[Period]:
    groups = [g for g in match.groups() if g]
    if kind == "quarters":
        quarters = re.findall(r"Q([1-4])\s([0-9]{4})", match.group())
        return [snap(quarter(int(q), int(y)).end, 3, periods) for q, y in quarters]
    if kind == "months":
        months, day = length_words()[groups[0].lower()], groups[1]
        return [snap(_day(f"{day}, {year}"), months, periods) for year in groups[2:]]
    if kind == "days":
        return [Period(_day(text)) for text in groups]
    return [fiscal_year(int(year), periods) for year in groups]


def _single(kind: str, match: re.Match, periods: Counter[Period]) -> Period:
    if kind == "quarter":
        return snap(quarter(int(match.group(1)), int(match.group(2))).end, 3, periods)
    if kind == "fiscal year":
        return fiscal_year(int(match.group(1)), periods)
    return snap(_day(f"{match.group(2)}, {match.group(3)}"), length_words()[match.group(1).lower()], periods)


def _day(text: str) -> dt.date:
    """A day the patterns above found (always one ``read_day`` reads, but for a date no calendar has)."""
    return read_day(text) or dt.date(1900, 1, 1)


# ---------------------------------------------------------------------- printing
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
