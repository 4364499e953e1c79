"""The period grammar: how a text writes a day and a period, read and printed with one table of words.

Reading: a day in any form the documents write it ("June 30, 2024", "Jun 30, 2024", "Sept. 30, 2024",
"30 June 2024", "2024-06-30"), and the words that give a period's length ("Six Months Ended": 6; data, in
``schema/phrases.yaml``).  Printing: a day ("June 30, 2024", "Aug. 13, 2024") and a period ("second quarter
of 2024", "six months ended June 30, 2024") as a release prints them.  The month names serve both sides, so
what a release prints its tie-out reads back.
"""
from __future__ import annotations

import datetime as dt
import re

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
