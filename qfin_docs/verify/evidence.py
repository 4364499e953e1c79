"""Item evidence: how well the words around a figure name a fact's item.

A value match alone proves nothing (many facts share a value); what ties a figure to a fact is that the
words the reader sees with it (a table row's label and the heading row above it, the clause before a figure in
prose) name the fact's item: its labels (the filer's, or a release's and its synonyms), its concept name as
words, its members.  Words are compared as stems with plurals folded, after the synonyms of
``phrasebook.yaml`` (generic financial vocabulary, as data).
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from ..model import Fact

PHRASEBOOK = Path(__file__).with_name("phrasebook.yaml")


class Said(frozenset):
    """The item stems of a text (a frozenset), with ``generic``: where the text's own words name no item, the
    generic words it says ("net", "income"), else None."""

    __slots__ = ("generic",)

    def __new__(cls, items, generic: frozenset[str] | None = None):
        said = super().__new__(cls, items)
        said.generic = generic
        return said


@functools.lru_cache(maxsize=1)
def _phrasebook() -> dict:
    """The phrasebook, read once."""
    return yaml.safe_load(PHRASEBOOK.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _book() -> tuple[dict[str, str], frozenset[str], frozenset[str], frozenset[str]]:
    data = _phrasebook()
    same = {stem(w): stem(head) for head, others in data["same_item"].items() for w in [head, *others]}
    words = (frozenset(stem(w) for w in data[key].split())
             for key in ("no_item", "function_words", "legal_forms", "quantity_unit"))
    generic, function, forms, units = words
    return same, generic | function | forms, units, generic


def no_item() -> frozenset[str]:
    """The stems of the phrasebook's words that name no item ("and", "total", "increase"...)."""
    return _book()[1]


def generic(text: str) -> frozenset[str] | None:
    """The generic words of a text that names no item by its own words ("Net income": {net, income}), else
    None."""
    found = {stem(w) for w in re.findall("[a-z]+", text.lower())}
    if found - _book()[1]:
        return None
    return frozenset(found & _book()[3])


def spoken(text: str, own: str | None = None) -> Said:
    """The words of ``text`` as evidence (``stems``), with the generic words of ``own`` (the label or clause
    itself, without the headings above it) where those name no item."""
    return Said(stems(text), generic(text if own is None else own))


def quantities(text: str) -> bool:
    """Whether ``text`` states a unit of a physical quantity (barrels, cubic feet...): its figures are not money."""
    return any(stem(w) in _book()[2] for w in re.findall("[a-z]+", text.lower()))


def stem(word: str) -> str:
    """A word without its plural: "inventories" and "inventory", "revenues" and "revenue" are one."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@functools.lru_cache(maxsize=1)
def _abbreviations() -> tuple[re.Pattern, dict[str, str]]:
    data = _phrasebook()["abbreviations"]
    return re.compile("|".join(re.escape(a) for a in sorted(data, key=len, reverse=True))), data


def stems(text: str) -> frozenset[str]:
    """The item words of a text: lower-cased stems, synonyms folded to one, words that name no item left out."""
    same, empty, _, _ = _book()
    pattern, full = _abbreviations()
    out = set()
    for word in re.findall("[a-z0-9]+", pattern.sub(lambda m: full[m.group()], text).lower()):
        word = stem(word)
        if word not in empty:
            out.add(same.get(word, word))
    return frozenset(out)


def name_words(local: str) -> str:
    """A concept or member name as words: "NetCashProvidedByUsedInOperatingActivities" -> "net cash provided
    by used in operating activities"."""
    return " ".join(re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+|[0-9]+", local)).lower()


class Items:
    """The item words of every (concept, dimensions) of a set of facts, and the evidence a text gives each."""

    def __init__(self, labels: dict):
        self._labels = labels           # concept QName -> label texts (filer's labels, synonyms)
        self._cache: dict = {}

    def words(self, fact: Fact) -> tuple[tuple[frozenset[str], ...], frozenset[str]]:
        """(each label's stems, the members' stems) of a fact's item."""
        return self._words(fact)[:2]

    def _words(self, fact: Fact) -> tuple:
        key = (fact.concept, fact.dimensions)
        if key not in self._cache:
            texts = [*self._labels.get(fact.concept, ()), name_words(fact.concept.local)]
            labels = tuple(s for s in (stems(t) for t in texts) if s)
            members = stems(" ".join(name_words(m.local) for _, m in fact.dimensions))
            plain = () if labels else tuple(g for g in (generic(t) for t in texts) if g)
            self._cache[key] = (labels, members, plain)
        return self._cache[key]

    def _named(self, said: frozenset[str], fact: Fact) -> list[tuple[int, int]]:
        """(words said, words) of each label of the item: its item words; for an item whose labels are only
        generic words ("Net income (loss)"), those, where the text's own words are generic and all of them
        stand in the label."""
        labels, _, plain = self._words(fact)
        out = [(len(said & label), len(label)) for label in labels]
        words = getattr(said, "generic", None)
        if words:
            out += [(len(words), len(label)) for label in plain if words <= label and len(words) >= 2]
        return out

    def shared(self, said: frozenset[str], fact: Fact) -> int:
        """The most words of one of the item's labels that ``said`` holds."""
        return max((n for n, _ in self._named(said, fact)), default=0)

    def score(self, said: frozenset[str], fact: Fact) -> float:
        """Evidence that the words ``said`` name ``fact``'s item: the best share of one label's words they hold,
        less for members they do not name (0: no evidence)."""
        _, members, _ = self._words(fact)
        best = max((n / size for n, size in self._named(said, fact)), default=0.0)
        if members:
            best *= 0.5 + 0.5 * len(said & members) / len(members)
        return best


__all__ = ["Items", "PHRASEBOOK", "Said", "generic", "name_words", "no_item", "quantities", "spoken", "stem",
           "stems"]
