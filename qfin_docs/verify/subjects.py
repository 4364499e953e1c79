"""Where a draft's words name what its figures are: the subject of a sentence ("Net income was ..."), and the
words attached to a figure ("247.6 million consumers", "US$0.30 per Class A ordinary share"), matched against
the concepts' labels and the synonyms declared for them in ``schema/taxonomy.yaml``.
"""
from __future__ import annotations

import re

def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


# ---------------------------------------------------------------------- the tie-out


_QUALIFIED = re.compile(r"\b(non gaap|adjusted|core|underlying|pro forma) $")
_VERB = re.compile(r"\s(?:was|were|reached|between)\s")
_APPROXIMATE = re.compile(r"(?: (?:approximately|about|nearly|almost|around|over|up to|some))+$")
_PREPOSITIONS = ("for", "in", "of", "during", "at", "as")
_HEADS = ("program", "programme", "facility", "facilities", "plan", "agreement", "authorization", "capacity",
          "limit", "line", "offering")
_SENTENCE_END = re.compile(r"(?<!\bMr)(?<!\bMs)(?<!\bInc)(?<!U\.S)(?<!\bNo)[.!?][”\"]?\s+(?=[A-Z“\"])|”")


def member_phrases(taxonomy) -> dict[str, tuple]:
    """Normalised phrase -> (axis, member), for every member that declares the phrases naming it in prose (its
    label names it too); members that declare none are named by no phrase here."""
    out: dict[str, tuple] = {}
    for axis in taxonomy.axes.values():
        for member, phrases in axis.member_phrases.items():
            if phrases:
                for phrase in (axis.member_labels.get(member, ""), *phrases):
                    if norm(phrase):
                        out.setdefault(norm(phrase), (axis.name, member))
    return out


def narrowed(engine, subject: set | None, text: str, start: int, end: int) -> set | None:
    """The item a figure's sentence names, narrowed to the members its clause names by their phrases: for each
    axis, the phrase right after the figure ("RMB84,609 million of ongoing services"), or else the last one
    before it in the sentence ("Loan volume of ongoing services reached RMB84,609 million").  Unchanged when
    the clause names no member, or none the item is reported with."""
    if not subject or not engine.member_phrases:
        return subject
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    after = " " + norm(re.split(r"[,;()]|[.!?](?:\s|$)|[0-9]", text[end:end + 80])[0]) + " "
    before = " " + norm(text[begin:start]) + " "
    chosen: dict = {}
    for phrase, (axis, member) in engine.member_phrases.items():
        where = (len(before) + 1, len(phrase)) if f" {phrase} " in after else \
            (before.rfind(f" {phrase} "), len(phrase))
        if where[0] >= 0 and where > chosen.get(axis, ((-1, 0), None))[0]:
            chosen[axis] = (where, member)
    members = {(axis, member) for axis, (_, member) in chosen.items()}
    if not members:
        return subject
    keys = {key for key in engine.by_name for concept, dims in subject
            if key[0] == concept and set(dims) <= set(key[1]) and members <= set(key[1])}
    return keys or subject


def subjects(engine, text: str) -> list[tuple[int, int, set]]:
    """Where the text names what its figures are ("<label> was|were|reached"): (start, end of the
    sentence, the concepts named), by position."""
    plain = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹]", " ", text)
    out = []
    for verb in _VERB.finditer(plain):
        before = norm(plain[max(0, verb.start() - 140):verb.start()])
        best = _ending_label(engine, before)
        loose = engine.policy.opening_subjects     # or (a filing) only a label followed by a preposition
        if best is None:            # "Repeat borrower contribution of loans ... for the second quarter was"
            start = max((m.end() for m in _SENTENCE_END.finditer(plain, 0, verb.start())), default=0)
            opening = norm(plain[start:verb.start()])
            best = max((label for label in engine.labels if opening.startswith(label + " ") and
                        (loose or opening[len(label):].split()[:1] in ([w] for w in _PREPOSITIONS))),
                       key=len, default=None)
        if best:
            end = _SENTENCE_END.search(plain, verb.end())
            out.append((verb.end(), end.start() if end else len(plain), engine.labels[best]))
    return out


def _ending_label(engine, before: str) -> str | None:
    """The longest label the normalised text ends with, unless qualified ("non-GAAP net income" is not
    "net income")."""
    best = max((label for label in engine.labels if before.endswith(label)
                and (len(before) == len(label) or before[-len(label) - 1] == " ")), key=len, default=None)
    if best is None and before.endswith(" net"):        # "Other income (expense), net was ..."
        return _ending_label(engine, before[:-4])
    if best and _QUALIFIED.search(before[:len(before) - len(best)]):
        return None
    return best


def attached(engine, text: str, start: int, end: int) -> set | None:
    """The item the words right around a figure name: "247.6 million consumers", "US$0.30 per Class A
    ordinary share", "a total amount of approximately US$211 million"."""
    after = norm(re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹]", " ", re.split(r"[.;!?](?:\s|$)|[,()]", text[end:end + 80])[0]))
    best = max((label for label in engine.labels if after.startswith(label)
                and (len(after) == len(label) or after[len(label)] == " ")), key=len, default=None)
    if best is not None and after[len(best):].split()[:1] in ([word] for word in _HEADS):
        best = None         # "a $575 million commercial paper program" is the programme's size, not the paper's
    if best is None:
        before = _APPROXIMATE.sub("", " " + norm(text[max(0, start - 100):start])).strip()
        best = _ending_label(engine, before)
    return engine.labels[best] if best else None
