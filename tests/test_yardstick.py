"""The tie-out's yardstick and its evidence rules (#22), on hand-made filings: hidden tags keep their facts and
the visible text; a figure is tied to its own fact by the words around it, not by value alone; a value that
nothing names is coincidental; a leading newline or byte order mark does not stop a filing being read."""
from __future__ import annotations

from qfin_docs.verify.filing import Filing
from qfin_docs.verify.filingtie import tieout_filing
from qfin_docs.verify.yardstick import blinded, measure

from test_filing_narrative import TAG, write

# two items with the same value in the same period: only the words tell them apart
TABLE = ("<p>(in millions)</p><table>"
         "<tr><td></td><td>Three months ended</td></tr>"
         f"<tr><td>Research and development</td><td>{TAG.format(name='ResearchAndDevelopmentExpense', ctx='q3', scale=6, text='1,250')}</td></tr>"
         f"<tr><td>Selling and marketing</td><td>{TAG.format(name='SellingAndMarketingExpense', ctx='q3', scale=6, text='1,250')}</td></tr>"
         "</table>")
PROSE = (f"<p>Research and development expense was ${TAG.format(name='ResearchAndDevelopmentExpense', ctx='q3', scale=6, text='1,250')} million.</p>"
         "<p>The backlog of the new plant was $1,250 million.</p>")


def test_blinding_keeps_every_fact_and_the_visible_text(tmp_path):
    path = write(tmp_path, TABLE + PROSE)
    original, blind = Filing(path), Filing(path, blinded(path.read_bytes()))
    assert sorted(map(str, (f.key for f in original.facts))) == sorted(map(str, (f.key for f in blind.facts)))
    assert [p.text for p in original.paragraphs] == [p.text for p in blind.paragraphs]
    assert any(p.tags for p in original.paragraphs) and not any(p.tags for p in blind.paragraphs)
    assert not any(any(r.tags) for r in blind.rows)


def test_the_yardstick_names_each_hidden_figures_own_item_by_its_words(tmp_path):
    result = measure(write(tmp_path, TABLE + PROSE))
    assert result.total == 3
    assert result.outcomes["own"] == 3, result.examples         # value alone would pick one item for all three


def test_a_value_that_nothing_names_is_coincidental_not_tied(tmp_path):
    entries = {(e.text, e.anchor): e for e in tieout_filing(write(tmp_path, TABLE + PROSE)).entries}
    backlog = next(e for (text, _), e in entries.items() if text == "$1,250 million" and e.status != "tied")
    assert backlog.status == "coincidental" and "does not name that item" in backlog.explanation
    assert backlog.ok                                            # not a finding: a filing may print untagged figures


def test_a_filing_may_begin_with_white_space_or_a_byte_order_mark(tmp_path):
    path = write(tmp_path, PROSE)
    for prefix in (b"\n", b"\r\n  ", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n"):
        other = tmp_path / "other.htm"
        other.write_bytes(prefix + path.read_bytes())
        assert [e.status for e in tieout_filing(other).entries] == [e.status for e in tieout_filing(path).entries]


def test_every_row_of_the_phrasebook_folds_its_words_into_one():
    import yaml
    from qfin_docs.verify.evidence import PHRASEBOOK, stems
    book = yaml.safe_load(PHRASEBOOK.read_text(encoding="utf-8"))
    for head, others in book["same_item"].items():
        for word in others:
            assert stems(word) == stems(head) != frozenset(), (word, head)
    assert all(not stems(word) for word in book["no_item"].split())
    assert stems("Total net sales") == stems("revenues")            # plural, synonym and empty words at once
