"""Finding the numbers in text: each token with its currency, sign, scale word and place, and the
explicit classification of numbers that are not financial figures (dates, years, times, markers...): the
kinds and their patterns are data, ``number_kinds.yaml`` beside this module."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..facts.phrases import footnote_marks
from ..facts.yamlio import line_of, read_yaml
from ..model import BadInput, Problem, Source
from ..facts.numbers import CURRENCY_PREFIXES, SCALE_WORDS, Printed

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
FROM_SUPERSCRIPT = str.maketrans(SUPERSCRIPTS, "0123456789")     # "¹¹".translate(...) == "11"

# A financial-looking number: optional currency, sign, digits with grouping, decimals, % (or "percent"),
# scale word.
_TOKEN = re.compile(
    r"""(?P<open>\()?(?:(?P<cur>RMB|US\$|\$|€|£)\s?(?P<inner>\((?=[0-9]))?)?(?P<sign>-)?
        (?P<num>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)
        (?P<close>\))?(?P<pct>%|\s(?:percent|per\scent)(?![A-Za-z]))?
        (?:\s(?P<scale>thousand|million|billion|trillion)(?![A-Za-z]))?""", re.VERBOSE)
_CODE = re.compile(r"[A-Za-z](?<![0-9]x)|-[0-9A-Za-z]|:[0-9]{2}-")   # "3A090", "13a-15", "12b-2", "COVID-19" (not "1.5x")

NUMBER_KINDS = Path(__file__).with_name("number_kinds.yaml")
SECTIONS = ("generic", "draft", "filing")        # in this order: the first row that gives a number wins
ROW_KEYS = {"kind", "pattern", "issuer"}
Kinds = list[tuple[str, re.Pattern]]


@functools.cache
def _data(path: Path) -> dict:
    """A kinds file (``number_kinds.yaml``) read once, strictly (a key given twice is an error, not a row
    silently replaced), its shape checked."""
    data, problems = read_yaml(path)
    if problems:
        raise BadInput(problems)
    if not isinstance(data, dict) or set(data) != {"parts", *SECTIONS}:
        raise _malformed(path, 1, f"must be a mapping of exactly: parts, {', '.join(SECTIONS)}")
    parts = data["parts"]
    if not isinstance(parts, dict) or not all(isinstance(v, str) for v in parts.values()) or "month" not in parts:
        raise _malformed(path, line_of(data, ["parts"]), "parts: must map names (month among them) to pattern text")
    for section in SECTIONS:
        if not isinstance(data[section], list):
            raise _malformed(path, line_of(data, [section]), f"{section}: must be a list of rows")
    return data


def _malformed(path: Path, line: int, message: str) -> BadInput:
    return BadInput([Problem(Source(str(path), line), "QF-NUMBER-KINDS", message)])


def kinds_table(section: str, path: Path = NUMBER_KINDS) -> Kinds:
    """One section of a kinds file (``number_kinds.yaml``), compiled: (kind, pattern) rows in the file's order,
    ``{name}`` standing for ``parts: name``.  A row that is not a kind and a pattern with its ``n`` group is an
    error (:class:`BadInput`, QF-NUMBER-KINDS, at its line), never left out."""
    data = _data(path)
    table: Kinds = []
    for index, row in enumerate(data[section]):
        line = line_of(data, [section, index])
        if not isinstance(row, dict) or not {"kind", "pattern"} <= set(row) <= ROW_KEYS:
            raise _malformed(path, line, f"{section}: a row is {{kind: ..., pattern: ...}} (and issuer:), not {row!r}")
        kind, pattern = row["kind"], row["pattern"]
        if not isinstance(kind, str) or not kind or not isinstance(pattern, str):
            raise _malformed(path, line, f"{section}: kind and pattern must be text")
        for name, text in data["parts"].items():
            pattern = pattern.replace("{" + name + "}", text)
        if unknown := re.search(r"\{[A-Za-z_]\w*\}", pattern):
            raise _malformed(path, line, f"{section} ({kind}): {unknown.group()} is no name of parts:")
        try:
            compiled = re.compile(pattern)
        except re.error as error:
            raise _malformed(path, line, f"{section} ({kind}): the pattern does not compile: {error}") from None
        if "n" not in compiled.groupindex:
            raise _malformed(path, line, f"{section} ({kind}): the pattern has no group n (the number)")
        table.append((kind, compiled))
    return table


# Numbers that can never be a figure, in any release: what the strict check of a build accepts outside the
# figures a helper recorded.
GENERIC: Kinds = kinds_table("generic")


@functools.cache
def draft_kinds() -> Kinds:
    """GENERIC and what the tie-out of a draft or a filing also takes for non-financial (the sections draft and
    filing of ``number_kinds.yaml``), compiled on first use: the strict check of a build, which needs GENERIC
    only, does not pay for them."""
    return GENERIC + kinds_table("draft") + kinds_table("filing")


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
