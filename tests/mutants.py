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


OPERATORS = {"digit": _mutate_digit, "decimal point": _move_point, "sign": _flip_sign, "scale word": _scale_word,
             "direction": _direction}


def mutants(text: str, spans: list[tuple[int, int]], count: int, seed: int,
            direction_spans: list[tuple[int, int]] = ()) -> list[Mutant]:
    """``count`` mutants of ``text``: each changes one figure (a span given as start, end) or swaps two."""
    rng = random.Random(seed)
    operators = list(OPERATORS) + ["swap"]
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
        pool = direction_spans if operator == "direction" and direction_spans else spans
        start, end = rng.choice(pool)
        before = text[start:end]
        after = OPERATORS[operator](rng, before)
        if after is None or after == before:
            continue
        out.append(Mutant(operator, before, after, text[:start] + after + text[end:]))
    return out
