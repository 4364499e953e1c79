"""A figure that carries its own tag (a filing's): checked against that tag, not searched for among the facts.

A tagged figure's printed text must read as its fact after the tag's ``scale`` and the scale word that follows
it ("$<tag scale=9>94.9</tag> billion"); a tagged table cell's scale must be the one its table states ("in
millions").  Both are the mistakes the tags themselves can carry, which a validator cannot see.  A draft's
paragraphs and rows carry no tags, so for a draft these find nothing.
"""
from __future__ import annotations

import re

from ..facts.derivations import interval, magnitude, meets
from ..facts.numbers import Printed
from ..model import Fact
from .decide import describe
from .drafts import Paragraph, TableRow
from .report import Entry

_POWER_WORDS = {3: "thousands", 6: "millions", 9: "billions"}


def tagged(paragraph: Paragraph, token, location: str) -> tuple[Entry, Fact | None] | None:
    """A prose figure's entry by its own tag, and the fact tied (None where the text misreads it); None for a
    figure with no tag."""
    if token.printed is None:
        return None
    tag = next((t for start, end, t in paragraph.tags if start < token.end and end > token.start), None)
    if tag is None:
        return None
    bare = token.printed if token.printed.percent or re.search("[A-Za-z]", token.text) else Printed(
        token.printed.value.scaleb(tag.scale), token.printed.decimals - tag.scale)    # "17" of scale -2 is 0.17
    if meets(magnitude(token.printed.interval()), magnitude(interval(tag.fact))) or \
            meets(magnitude(bare.interval()), magnitude(interval(tag.fact))):
        return Entry(token.text, location, "tied", "tagged: " + describe(tag.fact), confidence="exact",
                     fact=tag.fact), tag.fact
    return Entry(token.text, location, "inconsistent",
                 f"the text reads {abs(token.printed.value):,f}, but its tag {tag.fact.concept} "
                 f"(scale {tag.scale}) is {tag.fact.value:,f}", expected=tag.fact.value), None


def tagged_cell(row: TableRow, index: int, location: str, where: str) -> Entry | None:
    """A table cell's entry by its own tag (``where``: the cell's anchor), or None for a cell with no tag."""
    tag = row.tags[index] if index < len(row.tags) else None
    if tag is None:
        return None
    text = row.cells[index]
    unit = tag.fact.unit
    if row.stated is not None and unit is not None and unit.numerator.startswith("iso4217:") \
            and not unit.denominator and tag.fact.value != 0 and tag.scale != row.stated:
        return Entry(text, location, "inconsistent",
                     f"the table states {_POWER_WORDS.get(row.stated, row.stated)}, but this figure's tag "
                     f"{tag.fact.concept} has scale {tag.scale}: {tag.fact.value:,f}", anchor=where,
                     expected=tag.fact.value)
    return Entry(text, location, "tied", "tagged: " + describe(tag.fact), confidence="exact", anchor=where,
                 fact=tag.fact)


__all__ = ["tagged", "tagged_cell"]
