"""Seeded mutants of text a reader sees: figures and statements of change, never markup."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

SCALES = ["thousand", "million", "billion"]
FLIP = {"increase": "decrease", "decrease": "increase", "increases": "decreases", "decreases": "increases",
        "declines": "increases", "growth": "decline"}


@dataclass(frozen=True)
class Mutant:
    operator: str
    before: str
    after: str
    text: str          # the whole mutated document


def _mutate_digit(rng, figure: str) -> str | None:
    places = [i for i, c in enumerate(figure) if c.isdigit()]
    if not places:
        return None
    i = rng.choice(places)
    return figure[:i] + rng.choice([d for d in "0123456789" if d != figure[i]]) + figure[i + 1:]


def _move_point(rng, figure: str) -> str | None:
    match = re.search(r"\d[\d,]*(\.\d+)?", figure)
    if not match:
        return None
    number = match.group().replace(",", "")
    whole, _, frac = number.partition(".")
    digits = whole + frac
    point = len(whole)
    choices = [p for p in (point - 1, point + 1) if 0 < p < len(digits) + (0 if frac else 1) and p != point]
    if not choices or len(digits) < 2:
        return None
    new_point = rng.choice(choices)
    moved = digits[:new_point] + ("." + digits[new_point:] if new_point < len(digits) else "")
    return figure[:match.start()] + moved + figure[match.end():]


def _flip_sign(rng, figure: str) -> str | None:
    if figure in ("-",):
        return None
    if figure.startswith("(") and figure.endswith(")"):
        return figure[1:-1]
    if re.match(r"^(RMB|US\$)-", figure):
        return figure.replace("-", "", 1)
    if re.match(r"^(RMB|US\$)\d", figure):
        return re.sub(r"^(RMB|US\$)", r"\1-", figure)
    if re.match(r"^[\d,.]+%$", figure):
        return f"-{figure}"
    if re.match(r"^-[\d,.]+%$", figure):
        return figure[1:]
    if re.match(r"^[\d,.]+%?$", figure):
        return f"({figure})"
    return None


def _scale_word(rng, figure: str) -> str | None:
    for word in SCALES:
        if f" {word}" in figure:
            return figure.replace(word, rng.choice([w for w in SCALES if w != word]))
    return None


def _direction(rng, figure: str) -> str | None:
    for word, other in FLIP.items():
        if re.search(rf"\b{word}\b", figure):
            return re.sub(rf"\b{word}\b", other, figure, count=1)
    return None


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December", "Jan.", "Feb.", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
_DATE = re.compile(r"(?P<month>[A-Z][a-z]+\.?|\d{1,2}月) (?P<day>\d{1,2}), (?P<year>\d{4})")


def _date_part(part: str):
    def mutate(rng, figure: str) -> str | None:
        match = _DATE.search(figure)
        if not match:
            return None
        value = match.group(part)
        if part == "month":
            if "月" in value:
                new = f"{int(value[:-1]) % 12 + 1}月"
            else:
                new = rng.choice([m for m in MONTHS[:12] if m != value])
        else:
            new = str(int(value) + rng.choice([-1, 1]))
        return figure[:match.start(part)] + new + figure[match.end(part):]
    return mutate


def _text_fact(rng, figure: str) -> str | None:
    """A code or name changed by one character (a digit for a code, a letter for a name)."""
    places = [i for i, c in enumerate(figure) if c.isalnum()]
    if not places:
        return None
    i = rng.choice(places)
    pool = "0123456789" if figure[i].isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return figure[:i] + rng.choice([c for c in pool if c != figure[i]]) + figure[i + 1:]


OPERATORS = {"date day": _date_part("day"), "date month": _date_part("month"), "date year": _date_part("year"),
             "text fact": _text_fact, "digit": _mutate_digit, "decimal point": _move_point, "sign": _flip_sign, "scale word": _scale_word,
             "direction": _direction}


def mutants(text: str, spans: list[tuple[int, int]], count: int, seed: int,
            direction_spans: list[tuple[int, int]] = (), date_spans: list[tuple[int, int]] = (),
            text_spans: list[tuple[int, int]] = ()) -> list[Mutant]:
    """``count`` mutants of ``text``: each changes one figure (a span given as start, end) or swaps two;
    date operators change a date's day, month or year, the text operator one character of a code or name."""
    rng = random.Random(seed)
    operators = [o for o in OPERATORS if not (o.startswith("date") and not date_spans)
                 and not (o == "text fact" and not text_spans)] + ["swap"]
    out: list[Mutant] = []
    attempts = 0
    while len(out) < count and attempts < count * 50:
        attempts += 1
        operator = operators[len(out) % len(operators)]
        if operator == "swap":
            (a0, a1), (b0, b1) = sorted(rng.sample(spans, 2))
            first, second = text[a0:a1], text[b0:b1]
            if first == second:
                continue
            mutated = text[:a0] + second + text[a1:b0] + first + text[b1:]
            out.append(Mutant(operator, f"{first} / {second}", f"{second} / {first}", mutated))
            continue
        pool = direction_spans if operator == "direction" and direction_spans else \
            date_spans if operator.startswith("date") else text_spans if operator == "text fact" else spans
        start, end = rng.choice(pool)
        before = text[start:end]
        after = OPERATORS[operator](rng, before)
        if after is None or after == before:
            continue
        out.append(Mutant(operator, before, after, text[:start] + after + text[end:]))
    return out
