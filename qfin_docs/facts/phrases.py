"""Wording the tools read, as data (``schema/phrases.yaml``): the words that name a fiscal quarter, the words
that give a period's length, and the forms of footnote markers.  No rule in the code names a phrase; this module only compiles the table."""
from __future__ import annotations

import functools
import re

from ..model import BadInput
from .yamlio import SCHEMA_DIR, read_yaml

PHRASES_FILE = SCHEMA_DIR / "phrases.yaml"


@functools.cache
def _table() -> dict:
    data, problems = read_yaml(PHRASES_FILE)
    if problems:
        raise BadInput(problems)
    return data


@functools.cache
def footnote_markers() -> tuple[re.Pattern, ...]:
    """The footnote marker forms (``*1``, ``¹``, ``(1)``, ``[1]`` after a figure or a word), each a pattern
    whose group ``n`` is the footnote's number."""
    return tuple(re.compile(entry["pattern"]) for entry in _table()["footnote_markers"])


@functools.cache
def period_months() -> dict[str, int]:
    """The words that give a period's length, lower-cased, with its months ("six": 6, "year": 12)."""
    return {str(word).lower(): int(months) for word, months in _table()["period_months"].items()}


@functools.cache
def _quarter_words() -> tuple[tuple[int, re.Pattern], ...]:
    words = [(int(quarter[1]), word) for quarter, listed in _table()["period_words"].items() for word in listed]
    words.sort(key=lambda item: -len(item[1]))      # longest first: "semi-annual" before "annual"
    return tuple((quarter, re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])",
                                      0 if word.isupper() else re.IGNORECASE))     # "Q2" as written
                 for quarter, word in words)


def other_quarter_words(text: str, quarter: int) -> list[str]:
    """The words of ``text`` that name a fiscal quarter (or its year to date) other than ``quarter``."""
    taken: list[tuple[int, int]] = []
    found = []
    for named, pattern in _quarter_words():
        for match in pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            taken.append(match.span())
            if named != quarter:
                found.append(match.group())
    return found


SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def footnote_marks(text: str) -> list[tuple[int, int, int]]:
    """Every footnote marker of ``text`` in any listed form: ``(start, end, footnote number)``, in order and
    not overlapping (the first form listed wins)."""
    found: list[tuple[int, int, int]] = []
    for pattern in footnote_markers():
        for match in pattern.finditer(text):
            start, end = match.span()
            if not any(a < end and start < b for a, b, _ in found):
                found.append((start, end, int(match["n"].translate(SUPERSCRIPT_DIGITS))))
    return sorted(found)
