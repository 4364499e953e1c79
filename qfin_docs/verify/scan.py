"""Finding the numbers in text: each token with its currency, sign, scale word and place, and the
explicit classification of numbers that are not financial figures (dates, years, times, markers...)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from ..facts.phrases import footnote_marks
from ..facts.numbers import CURRENCY_PREFIXES, SCALE_WORDS, Printed

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
FROM_SUPERSCRIPT = str.maketrans(SUPERSCRIPTS, "0123456789")     # "¹¹".translate(...) == "11"

# A financial-looking number: optional currency, sign, digits with grouping, decimals, %, scale word.
_TOKEN = re.compile(
    r"""(?P<open>\()?(?:(?P<cur>RMB|US\$|\$|€|£)\s?(?P<inner>\((?=[0-9]))?)?(?P<sign>-)?
        (?P<num>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)
        (?P<close>\))?(?P<pct>%)?
        (?:\s(?P<scale>thousand|million|billion|trillion)(?![A-Za-z]))?""", re.VERBOSE)
_CODE = re.compile(r"[A-Za-z](?<![0-9]x)|-[0-9A-Za-z]|:[0-9]{2}-")   # "3A090", "13a-15", "12b-2", "COVID-19" (not "1.5x")

MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|" \
        r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
Kinds = list[tuple[str, re.Pattern]]


def _kinds_table(rows: list[tuple[str, str]]) -> Kinds:
    return [(kind, re.compile(pattern)) for kind, pattern in rows]


# Numbers that can never be a figure, in any release: what the strict check of a build accepts outside the
# figures a helper recorded.  Each pattern's "n" group is the number.
GENERIC: Kinds = _kinds_table([
    ("time", r"(?P<n>[0-9]{1,2}):[0-9]{2}\s?(?:AM|PM|a\.m\.|p\.m\.)"),
    ("time", r"[0-9]{1,2}:(?P<n>[0-9]{2})\s?(?:AM|PM|a\.m\.|p\.m\.)"),
])

# What the tie-out of a draft (text with no records) also takes for non-financial: the ways any press
# release writes dates, years, durations, metric names, forms and period names.  Nothing issuer-specific:
# a release's own names and addresses are its constants (release.yaml ``constants:``).  Compiled on first use
# (:func:`draft_kinds`): the strict check of a build, which needs GENERIC only, does not pay for them.
DRAFT_ROWS: list[tuple[str, str]] = [
    ("date", MONTH + r"\s(?P<n>[0-9]{1,2}),\s[0-9]{4}"),
    ("date", r"ended\s" + MONTH + r"\s(?P<n>[0-9]{1,2}),?"),
    ("date", MONTH + r"\s[0-9]{1,2},\s(?P<n>[0-9]{4})"),
    ("date", r"(?P<n>[0-9]{1,2})月\s[0-9]{1,2},\s[0-9]{4}"),
    ("date", r"[0-9]{1,2}月\s(?P<n>[0-9]{1,2}),\s[0-9]{4}"),
    ("date", r"[0-9]{1,2}月\s[0-9]{1,2},\s(?P<n>[0-9]{4})"),
    ("duration", r"(?P<n>[0-9]+)-month\b"),
    ("duration", r"(?P<n>[0-9]+)\s(?:minutes|months|years|calendar days)\b"),
    ("metric name", r"(?P<n>[0-9]+)\s?[Dd]ay\+"),
    ("metric name", r"Day-(?P<n>[0-9]+)"),
    ("metric name", r"(?P<n>[0-9]+)[- ]day\s(?:collection|delinquency)"),
    ("metric name", r"(?P<n>[0-9]+)\sto\s[0-9]+\scalendar days"),
    ("metric name", r"[0-9]+\sto\s(?P<n>[0-9]+)\scalendar days"),
    ("metric name", r"more than\s(?P<n>[0-9]+)\sdays"),
    ("name", r"Act of\s(?P<n>[0-9]{4})"),
    ("form", r"(?P<n>[0-9]+)-K\b"),
    ("period name", r"\bQ(?P<n>[1-4])\b"),
    ("unit of account", r"US\$(?P<n>1\.00)\b"),
    ("year", r"(?:in|since|from|to|of|January|beginning in|Since|From|year)\s(?P<n>(?:19|20)[0-9]{2})\b"),
    ("year", r"\b(?P<n>(?:19|20)[0-9]{2})\s(?:Unaudited|Business|Financial|\(|Hong|U\.S\.)"),
    ("year", r"\b(?P<n>20[0-9]{2})\b(?=[,.:]?\s|$|[.,)])"),
    ("footnote marker", r"^(?P<n>[0-9]{1,2})\s(?=\S)"),
    # what filings add: references to parts of laws, forms and documents, codes, page numbers
    ("date", MONTH + r"\s(?P<n>[0-9]{1,2})\b(?![.,][0-9])"),
    ("date", r"\b(?P<n>[0-9]{1,2})(?:st|nd|rd|th)\s+day\s+of\b"),
    ("date", r"\b(?P<n>[0-9]{1,2})\s(?i:" + MONTH + r")\s[0-9]{4}\b"),             # "31 December 2019"
    ("date", r"^(?P<n>[0-9]{1,2}),\s(?:19|20)[0-9]{2}\b"),            # "30, 2025" after a line's "September"
    ("year", r"\b[0-9]{1,2}\s(?i:" + MONTH + r")\s(?P<n>[0-9]{4})\b"),
    ("year", MONTH + r",?\s(?P<n>(?:19|20)[0-9]{2})\b"),
    ("year", r"(?i:\b(?:of|in|since|fiscal|year)\s)(?P<n>(?:19|20)[0-9]{2})\b(?![,.][0-9])"),
    ("reference", r"\b(?:Items?|Parts?|Notes?|Sections?|Rules?|Regulation|Level|Exhibits?|Schedule|Article|Tier|"
                  r"Chapter|Topic|[Ss]cope|[Cc]ategory|ASC|ASU|IAS|IFRS|FRS|SFAS|Form|No\.|Class|Series|Phase|Stage|Pillar|[Pp]ages?)\s(?P<n>[0-9]{1,4})\b"),
    ("reference", r"(?i:\b(?:ITEM|PART|SECTION|NOTE)\s)(?P<n>[0-9]{1,4})\b"),
    ("reference", r"(?i:\b(?:Sections?|Rules?|Items?|Levels?|Notes?|Parts?|Pages?)\s[0-9A-Za-z().-]+(?:,\s|\sor\s|\sand\s))(?P<n>[0-9]{1,4})\b"),
    ("reference", r"\b(?P<n>[0-9]{1,4})\([a-z]{1,2}\)"),                  # "Section 20(a)", "Rule 10b5-1(c)"
    ("postal code", r"(?P<n>[0-9]{5})-[0-9]{4}\b"),
    ("postal code", r"D\.C\.\s(?P<n>[0-9]{5})\b"),
    ("telephone", r"\((?P<n>[0-9]{3})\)\s?[0-9]{3}-[0-9]{4}\b"),
    ("telephone", r"\([0-9]{3}\)\s?(?P<n>[0-9]{3})-[0-9]{4}\b"),
    ("list marker", r"(?:^|\s)\((?P<n>[0-9]{1,2})\)(?=\s+[a-z])"),
    ("duration", r"\b(?P<n>[0-9]+)\s(?:days|weeks|hours|business days|trading days)\b"),
    ("footnote marker", r"^\((?P<n>[0-9]{1,2})\)"),
    ("section number", r"^(?P<n>[0-9]{1,2})\.\s+[A-Z]"),                    # "9. Net Loss Per Share"
    ("section number", r"^(?P<n>[0-9]{1,2}\.[0-9]{1,2})\s+[A-Z]"),           # "2.3 Government Grants"
    ("note reference", r"^(?P<n>[0-9]{1,2}\.[0-9]{1,2})(?:/[0-9]{1,2}\.[0-9]{1,2})*$"),    # "4.5/4.6"
    ("note reference", r"^[0-9]{1,2}\.[0-9]{1,2}/(?P<n>[0-9]{1,2}\.[0-9]{1,2})$"),
    ("address", r"(?P<n>[0-9]{1,4}),\s[0-9]{4,5}\s[A-Z][a-z]+"),            # "Vorstadt 5, 4002 Basel"
    ("postal code", r"[0-9]{1,4},\s(?P<n>[0-9]{4,5})\s[A-Z][a-z]+"),
    ("footnote marker", r"[A-Za-z]\s?\((?P<n>[0-9])\)$"),
    ("page number", r"^(?:Page\s)?(?P<n>[0-9]{1,3})$"),
    ("page number", r"^(?P<n>[0-9]{1,3})\s?[-–]\s?[0-9]{1,3}$"),                 # "1 - 2" in a contents list
    ("page number", r"^[0-9]{1,3}\s?[-–]\s?(?P<n>[0-9]{1,3})$"),
]


@functools.cache
def draft_kinds() -> Kinds:
    """GENERIC and the draft's kinds (:data:`DRAFT_ROWS`), compiled once."""
    return GENERIC + _kinds_table(DRAFT_ROWS)


def phrases(kind: str, texts) -> Kinds:
    """Literal phrases (a release's constants and where they appear): every number inside is of ``kind``."""
    return [(kind, re.compile(_any_quotes(re.escape(text)))) for text in texts if any(c.isdigit() for c in text)]


def _any_quotes(pattern: str) -> str:
    """A phrase matches whatever the typography of its quotes and apostrophes (straight or curly)."""
    return re.sub("[\"“”]", "[\"“”]", re.sub("['‘’]", "['‘’]", pattern))


@dataclass(frozen=True, slots=True)
class Token:
    """One number found in text."""

    start: int
    end: int
    text: str
    printed: Printed | None        # None for superscript markers
    parenthesized: bool = False
    kind: str = ""                 # a non-financial kind, or "" for a figure to account for

    @property
    def negative(self) -> bool:
        return bool(self.printed and self.printed.value < 0) or self.parenthesized


def tokens(text: str, table: Kinds | None = None, enclosing: Kinds = ()) -> list[Token]:
    """Every number in ``text``, classified: markers and named non-financial kinds get a ``kind``
    (``table``: :func:`draft_kinds` by default, :data:`GENERIC` for the strict check of a build; ``enclosing``:
    phrases, such as :func:`phrases`, inside which every number is of their kind)."""
    if not any(map(str.isdigit, text)):     # no digit, no marker (superscripts are digits to isdigit)
        return []
    found: list[Token] = []
    kinds = _kinds(text, draft_kinds() if table is None else table, enclosing)
    marks = footnote_marks(text)         # *1, ¹, (1), [1] after a figure or a word (schema/phrases.yaml)
    for start, end, _number in marks:
        found.append(Token(start, end, text[start:end].strip(), None, kind="footnote marker"))
    for match in _TOKEN.finditer(text):
        if marks and any(a <= match.start("num") and match.end("num") <= b for a, b, _ in marks):
            continue    # the digits of a marker
        if match.start("num") > 0 and (text[match.start("num") - 1].isalnum() and not match["cur"]
                                       and text[match.start("num") - 1] not in "$"):
            continue   # a digit inside a word (e.g. "BI4cdd470a") is no figure
        glued = _CODE.match(text, match.end("num")) or (
            match["sign"] and not match["cur"] and match.start("sign") > 0 and text[match.start("sign") - 1].isalnum())
        printed = _printed(match)
        start = match.start("open") if match["open"] and match["close"] and not match["inner"] else match.start(
            "cur" if match["cur"] else ("sign" if match["sign"] else "num"))
        end = match.end()
        parenthesized = bool((match["open"] or match["inner"]) and match["close"])
        if not parenthesized and match["close"]:
            end = match.end("close") - 1 if not match["pct"] and not match["scale"] else end
        token_text = text[start:end].rstrip(")") if not parenthesized else text[start:end]
        found.append(Token(start, start + len(token_text), token_text, printed, parenthesized,
                           _non_financial(kinds, match.start("num"), match.end("num")) or ("code" if glued else "")))
    return sorted(found, key=lambda t: t.start)


def _printed(match: re.Match) -> Printed:
    digits = match["num"].replace(",", "")
    number = Decimal(digits)
    places = len(digits.partition(".")[2])
    shift = SCALE_WORDS.get(match["scale"] or "", 0) - (2 if match["pct"] else 0)
    value = number.scaleb(shift)
    # accounting parentheses: "(2,319)" is negative; "(US$572.4 million)" is an aside, not a sign
    bare = match["open"] and match["close"] and not match["cur"] and not match["scale"] and not match["pct"]
    if match["sign"] or bare or (match["inner"] and match["close"]):     # "$(2.8) billion" is negative
        value = -value
    currency = CURRENCY_PREFIXES.get(match["cur"] or "")
    return Printed(value, places - shift, currency, bool(match["pct"]))


# Numbers anywhere inside these are part of an address, not figures.
ENCLOSING = [("url", re.compile(r"(?:https?://|www\.)\S+")), ("email", re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")),
             ("telephone", re.compile(r"\+[0-9][0-9 ()-]{6,}[0-9]"))]


def _kinds(text: str, table: Kinds, phrases: Kinds) -> tuple[list[tuple[int, int, str]], dict[tuple[int, int], str]]:
    """The enclosing spans (URLs, e-mail addresses, phrases) and the named numbers of one text, found once."""
    enclosing = [(m.start(), m.end(), kind) for kind, pattern in [*ENCLOSING, *phrases] for m in pattern.finditer(text)]
    named: dict[tuple[int, int], str] = {}
    for kind, pattern in table:
        for match in pattern.finditer(text):
            named.setdefault((match.start("n"), match.end("n")), kind)
    return enclosing, named


def _non_financial(kinds, start: int, end: int) -> str:
    enclosing, named = kinds
    for low, high, kind in enclosing:
        if low <= start and end <= high:
            return kind
    return named.get((start, end), "")
