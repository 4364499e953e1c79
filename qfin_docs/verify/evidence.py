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


@functools.lru_cache(maxsize=1)
def _book() -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
    data = yaml.safe_load(PHRASEBOOK.read_text(encoding="utf-8"))
    same = {stem(w): stem(head) for head, others in data["same_item"].items() for w in [head, *others]}
    return same, frozenset(stem(w) for w in data["no_item"].split()), \
        frozenset(stem(w) for w in data["quantity_unit"].split())


def no_item() -> frozenset[str]:
    """The stems of the phrasebook's words that name no item ("and", "total", "increase"...)."""
    return _book()[1]


def quantities(text: str) -> bool:
    """Whether ``text`` states a unit of a physical quantity (barrels, cubic feet...): its figures are not money."""
    return any(stem(w) in _book()[2] for w in re.findall("[a-z]+", text.lower()))


def stem(word: str) -> str:
    """A word without its plural: "inventories" and "inventory", "revenues" and "revenue" are one."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def stems(text: str) -> frozenset[str]:
    """The item words of a text: lower-cased stems, synonyms folded to one, words that name no item left out."""
    same, empty, _ = _book()
    out = set()
    for word in re.findall("[a-z0-9]+", text.lower()):
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
        key = (fact.concept, fact.dimensions)
        if key not in self._cache:
            texts = [*self._labels.get(fact.concept, ()), name_words(fact.concept.local)]
            labels = tuple(s for s in (stems(t) for t in texts) if s)
            members = stems(" ".join(name_words(m.local) for _, m in fact.dimensions))
            self._cache[key] = (labels, members)
        return self._cache[key]

    def shared(self, said: frozenset[str], fact: Fact) -> int:
        """The most words of one of the item's labels that ``said`` holds."""
        return max((len(said & label) for label in self.words(fact)[0]), default=0)

    def score(self, said: frozenset[str], fact: Fact) -> float:
        """Evidence that the words ``said`` name ``fact``'s item: the best share of one label's words they hold,
        less for members they do not name (0: no evidence)."""
        labels, members = self.words(fact)
        best = max((len(said & label) / len(label) for label in labels), default=0.0)
        if members:
            best *= 0.5 + 0.5 * len(said & members) / len(members)
        return best


__all__ = ["Items", "PHRASEBOOK", "name_words", "no_item", "quantities", "stem", "stems"]
