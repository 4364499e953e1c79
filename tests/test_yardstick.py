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
    assert stems("Upstream Non-U.S.") == stems("upstream non US")    # "U.S." is the member name's "US"
    assert all(not stems(word) for word in book["function_words"].split())
    assert all(not stems(word) for word in book["legal_forms"].split())


def _statement(operating_q3: str) -> str:
    """An untagged statement of two periods over hidden facts; the operating expenses cell of Q3 2025 is given."""
    facts = "".join(TAG.format(name=name, ctx=ctx, scale=6, text=text) for name, ctx, text in (
        ("Revenues", "q3", "94,900"), ("Revenues", "q3py", "81,200"), ("CostOfRevenue", "q3", "51,200"),
        ("CostOfRevenue", "q3py", "44,100"), ("OperatingExpenses", "q3", "12,300"),
        ("OperatingExpenses", "q3py", "11,800")))
    rows = (("Revenues", "94,900", "81,200"), ("Cost of revenue", "51,200", "44,100"),
            ("Operating expenses", operating_q3, "11,800"))
    return (f'<div style="display:none">{facts}</div><p>(in millions)</p><table>'
            "<tr><td></td><td>Three months ended September 30, 2025</td><td>2024</td></tr>"
            + "".join(f"<tr><td>{label}</td><td>{a}</td><td>{b}</td></tr>" for label, a, b in rows) + "</table>")


def test_a_cell_showing_its_items_figure_of_another_period_is_reported_with_the_value_expected(tmp_path):
    entries = [e for e in tieout_filing(write(tmp_path, _statement("11,800"))).entries if e.text == "11,800"]
    assert [e.status for e in entries] == ["inconsistent", "tied"], entries
    assert "2025-07-01/2025-09-30, where the fact is 12,300,000,000" in entries[0].explanation
    assert "its fact of 2024-07-01/2024-09-30" in entries[0].explanation
    right = [e for e in tieout_filing(write(tmp_path, _statement("12,300"))).entries if e.text == "12,300"]
    assert [e.status for e in right] == ["tied"]


def test_a_figure_under_the_wrong_scale_word_is_reported_with_the_value_expected(tmp_path):
    hidden = '<div style="display:none">{}</div>'.format(
        TAG.format(name="ResearchAndDevelopmentExpense", ctx="q3", scale=6, text="1,250"))
    text = "<p>Research and development expense was ${} for the three months ended September 30, 2025.</p>"
    found = {e.text: e for e in tieout_filing(write(tmp_path, hidden + text.format("1,250 billion"))).entries}
    assert found["$1,250 billion"].status == "inconsistent", found
    assert "ResearchAndDevelopmentExpense for 2025-07-01/2025-09-30, where the fact is 1,250,000,000" in \
        found["$1,250 billion"].explanation
    found = {e.text: e for e in tieout_filing(write(tmp_path, hidden + text.format("1,250 million"))).entries}
    assert found["$1,250 million"].status == "tied"
    found = {e.text: e for e in tieout_filing(write(tmp_path, hidden + text.replace(
        "Research and development expense", "The backlog").format("1,250 billion"))).entries}
    assert found["$1,250 billion"].status != "inconsistent"      # nothing names the item: no claim


def test_a_planted_figure_keeps_what_prints_around_its_tag(tmp_path):
    from qfin_docs.verify.yardstick import hidden_figures, plant
    cell = TAG.format(name="OperatingIncomeLoss", ctx="q3", scale=6, text="5,085").replace("format=", 'sign="-" format=')
    path = write(tmp_path, f"<p>(in millions)</p><table><tr><td>Operating loss</td><td>({cell})</td></tr></table>")
    figure = next(f for f in hidden_figures(Filing(path)))
    change = plant(figure, "misround", [])
    assert figure.text == "(5,085)" and change == ("5,085", "5,086", None)
    blind = Filing(path, blinded(path.read_bytes(), {figure.order: change}))
    assert [r.cells for r in blind.rows if r.label == "Operating loss"] == [["(5,086)"]]


def test_a_table_of_physical_quantities_is_never_tied_to_money(tmp_path):
    facts = "".join(TAG.format(name="Revenues", ctx=ctx, scale=6, text=text) for ctx, text in (
        ("q3na", "312"), ("q3", "321")))
    table = ("<table><tr><td></td><td>Three months ended September 30, 2025</td></tr><tr><td>Net production {}</td>"
             "<td></td></tr>"
             "<tr><td>North America</td><td>312</td></tr><tr><td>Total revenues</td><td>321</td></tr></table>")
    found = {e.text: e for e in tieout_filing(write(tmp_path, f'<div style="display:none">{facts}</div>'
                                                     + table.format("(thousands of barrels daily)"))).entries}
    assert found["312"].status != "tied" and found["321"].status != "tied", found
    found = {e.text: e for e in tieout_filing(write(tmp_path, f'<div style="display:none">{facts}</div>'
                                                     + table.format("(in millions)"))).entries}
    assert found["321"].status == "tied", found


def _segments(europe_cost: str, tmp_path):
    """Columns of one concept each, rows of one member each: only the grid names a cell's item."""
    europe = _context("q3eu", "2025-07-01/2025-09-30", "srt:EuropeMember", "srt:StatementGeographicalAxis")
    values = {"q3na": ("610", "355", "255"), "q3eu": ("420", "270", "150"), "q3": ("1,030", "625", "405")}
    facts = "".join(TAG.format(name=name, ctx=ctx, scale=6, text=text) for ctx, row in values.items()
                    for name, text in zip(("Revenues", "CostOfRevenue", "GrossProfit"), row))
    rows = (("North America", *values["q3na"]), ("Europe", "420", europe_cost, "150"), ("Total", *values["q3"]))
    table = ("<p>Three months ended September 30, 2025 (in millions)</p><table><tr><td></td><td>Revenues</td>"
             "<td>Cost of revenue</td><td>Gross profit</td></tr>"
             + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows) + "</table>")
    path = _write_with(tmp_path, f'<div style="display:none">{facts}</div>{table}', europe)
    return [e for e in tieout_filing(path).entries if e.span is None]


def test_a_cell_whose_row_gives_its_member_and_column_its_concept_is_checked_against_that_fact(tmp_path):
    cells = _segments("280", tmp_path)
    wrong = [e for e in cells if e.status == "inconsistent"]
    assert [e.text for e in wrong] == ["280"], cells
    assert "CostOfRevenue[EuropeMember] of 2025-07-01/2025-09-30, where the fact is 270,000,000" in \
        wrong[0].explanation
    assert [e.status for e in _segments("270", tmp_path)] == ["tied"] * 9


def _context(name: str, period: str, member: str = "", axis: str = "us-gaap:StatementEquityComponentsAxis") -> str:
    """An xbrli:context of the hand-made filings: ``period`` a day (a balance) or "start/end" (flows), and an
    optional ``member`` (a QName) of ``axis``."""
    start, _, end = period.rpartition("/")
    when = (f"<xbrli:startDate>{start}</xbrli:startDate><xbrli:endDate>{end}</xbrli:endDate>" if start else
            f"<xbrli:instant>{end}</xbrli:instant>")
    segment = (f'<xbrli:segment><xbrldi:explicitMember dimension="{axis}">{member}</xbrldi:explicitMember>'
               "</xbrli:segment>" if member else "")
    return (f'<xbrli:context id="{name}"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000000001'
            f"</xbrli:identifier>{segment}</xbrli:entity><xbrli:period>{when}</xbrli:period></xbrli:context>")


def _write_with(tmp_path, body: str, resources: str):
    """A hand-made filing (``write``) with more contexts or units among its resources."""
    path = write(tmp_path, body)
    path.write_text(path.read_text(encoding="utf-8").replace("</ix:resources>", resources + "</ix:resources>", 1),
                    encoding="utf-8")
    return path


def test_a_row_that_says_only_generic_words_names_the_item_whose_label_is_those_words(tmp_path):
    """"Net income" is all generic words ("net", "income" name no item by themselves), and so is the label of
    NetIncomeLoss: the row names that item, so a misround in it is that item's misprint."""
    facts = "".join(TAG.format(name=name, ctx=ctx, scale=6, text=text) for name, ctx, text in (
        ("Revenues", "q3", "94,900"), ("Revenues", "q3py", "81,200"), ("CostOfRevenue", "q3", "51,200"),
        ("CostOfRevenue", "q3py", "44,100"), ("NetIncomeLoss", "q3", "30,150"), ("NetIncomeLoss", "q3py", "25,410")))
    table = ('<div style="display:none">{}</div><p>(in millions)</p><table><tr><td></td><td>Three months ended '
             'September 30, 2025</td><td>2024</td></tr><tr><td>Revenues</td><td>94,900</td><td>81,200</td></tr>'
             '<tr><td>Cost of revenue</td><td>51,200</td><td>44,100</td></tr><tr><td>{}</td><td>{}</td><td>25,410</td></tr></table>')
    found = {e.text: e for e in tieout_filing(write(tmp_path, table.format(facts, "Net income", "30,151"))).entries}
    assert found["30,151"].status == "inconsistent", found
    assert "NetIncomeLoss and its column 2025-07-01/2025-09-30, where the fact is 30,150,000,000" in \
        found["30,151"].explanation
    found = {e.text: e for e in tieout_filing(write(tmp_path, table.format(facts, "Net income", "30,150"))).entries}
    assert found["30,150"].status == "tied", found
    found = {e.text: e for e in tieout_filing(write(tmp_path, table.format(facts, "Other income, net",
                                                                          "30,151"))).entries}
    assert found["30,151"].status != "inconsistent", found    # "other" is not a word of the item's label


def test_days_are_read_in_their_short_forms():
    import datetime as dt
    from qfin_docs.facts.periods import days_in as dates_in
    day = [dt.date(2024, 1, 28)]
    assert dates_in("Balance as of Jan 28, 2024") == dates_in("Balance as of Jan. 28, 2024") == day
    assert dates_in("Balance as of January 28, 2024") == day
    assert dates_in("Balances, Sept. 30, 2024") == [dt.date(2024, 9, 30)]


def test_a_balance_sheet_column_stays_one_of_balances_when_some_figures_equal_flows(tmp_path):
    """Two figures of the current column equal flows of the quarter by chance; the column is still one of
    balances, so a misprinted total there is reported."""
    facts = "".join(TAG.format(name=name, ctx=ctx, scale=6, text=text) for name, ctx, text in (
        ("Cash", "bs", "512"), ("Cash", "py", "431"), ("AccountsReceivableNetCurrent", "bs", "377"),
        ("AccountsReceivableNetCurrent", "py", "265"), ("Assets", "bs", "889"), ("Assets", "py", "696"),
        ("Liabilities", "bs", "240"), ("Liabilities", "py", "188"),
        ("Revenues", "q3", "512"), ("CostOfRevenue", "q3", "377")))
    rows = (("Cash", "512", "431"), ("Accounts receivable", "377", "265"), ("Total assets", "{}", "696"),
            ("Total liabilities", "240", "188"))
    table = (f'<div style="display:none">{facts}</div><p>(in millions)</p><table><tr><td></td>'
             '<td>September 30, 2025</td><td>December 31, 2024</td></tr>'
             + "".join(f"<tr><td>{a}</td><td>{b}</td><td>{c}</td></tr>" for a, b, c in rows) + "</table>")
    found = {e.text: e for e in tieout_filing(write(tmp_path, table.format("898"))).entries}
    assert found["898"].status == "inconsistent", found
    assert "the row is Assets and its column 2025-09-30, where the fact is 889,000,000" in found["898"].explanation
    found = {e.text: e for e in tieout_filing(write(tmp_path, table.format("889"))).entries}
    assert found["889"].status == "tied", found


def _equity_statement(tmp_path, headings: str):
    """A hand-made filing of an equity statement: two balances of common stock, retained earnings and their
    total, under the component ``headings`` given (two cells) and "Total"."""
    contexts = "".join(_context(f"{p}{m[:2]}", day, f"us-gaap:{m}") for p, day in (
        ("bs", "2025-09-30"), ("py", "2024-12-31")) for m in ("CommonStockMember", "RetainedEarningsMember"))
    values = {"py": ("4,520", "17,310", "21,830"), "bs": ("4,610", "19,205", "23,815")}
    facts = "".join(TAG.format(name="StockholdersEquity", ctx=ctx, scale=6, text=text)
                    for p, row in values.items() for ctx, text in zip((f"{p}Co", f"{p}Re", p), row))
    rows = (("Balance at December 31, 2024", *values["py"]), ("Balance at September 30, 2025", *values["bs"]))
    table = (f"<p>(in millions)</p><table><tr><td></td>{headings}<td>Total</td></tr>"
             + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows) + "</table>")
    return _write_with(tmp_path, f'<div style="display:none">{facts}</div>{table}', contexts)


def test_an_equity_statement_cell_is_named_by_its_column_heading_and_its_rows_other_cells(tmp_path):
    path = _equity_statement(tmp_path, "<td>Common stock</td><td>Retained earnings</td>")
    cells = {e.text: e for e in tieout_filing(path).entries if e.span is None}
    for text in ("4,520", "17,310", "4,610", "19,205"):
        assert cells[text].status == "tied", cells[text]
        assert cells[text].fact.dimensions, cells[text]


def test_words_either_side_of_a_line_break_or_a_block_are_apart(tmp_path):
    """A heading written "Common<br/>stock" or in two blocks reads as two words, so it names its member and the
    equity statement's cells under it are tied to their components; a figure is still marked in place."""
    path = _equity_statement(tmp_path, "<td>Common<br/>stock</td><td><div>Retained</div><div>earnings</div></td>")
    row = next(r for r in Filing(path).rows if r.label.startswith("Balance at December"))
    assert row.headers[:2] == ["Common stock", "Retained earnings"]
    cells = {e.text: e for e in tieout_filing(path).entries if e.span is None}
    for text in ("4,520", "17,310", "4,610", "19,205"):
        assert cells[text].status == "tied", cells[text]
        assert cells[text].fact.dimensions, cells[text]
    from lxml import etree
    from qfin_docs.verify.filing import Visible
    block = etree.fromstring('<p xmlns="http://www.w3.org/1999/xhtml">Sales<br/>were $5<b>12</b> million</p>')
    assert Visible(block).text == "Sales were $512 million"
    assert Visible(block).to_raw(Visible(block).text.index("$")) == Visible(block).raw.index("$")


def test_a_heading_cell_that_spans_rows_does_not_shift_the_headings_below_it(tmp_path):
    """"(in millions)" spans the two heading rows: the years of the second row stand over their own columns."""
    table = ('<table><tr><td rowspan="2">(in millions)</td><td colspan="2">Three Months Ended September 30,</td>'
             '</tr><tr><td>2025</td><td>2024</td></tr><tr><td>Revenues</td><td>94,900</td><td>81,200</td></tr>'
             '</table>')
    row = next(r for r in Filing(write(tmp_path, table)).rows if r.label == "Revenues")
    assert row.headers == ["Three Months Ended September 30, 2025", "Three Months Ended September 30, 2024"]


def test_a_figure_with_its_digits_in_another_order_is_its_items_misprint_however_far_off(tmp_path):
    """"21,300" for 12,300 is more than 1.5 times off, but it is the digits of the fact swapped."""
    found = {e.text: e for e in tieout_filing(write(tmp_path, _statement("21,300"))).entries}
    assert found["21,300"].status == "inconsistent", found          # 12,300 with its first two digits swapped
    assert "where the fact is 12,300,000,000" in found["21,300"].explanation
    found = {e.text: e for e in tieout_filing(write(tmp_path, _statement("21,400"))).entries}
    assert found["21,400"].status != "inconsistent", found          # other digits, far off: no claim


def test_a_cell_equal_to_another_items_fact_is_its_rows_misprint_where_the_row_names_its_own_item(tmp_path):
    """"Diluted | 2.00 | 1.46": 2.00 is basic earnings per share of the quarter, not the diluted figure its row
    names and its other cell is."""
    facts = "".join(TAG.format(name=name, ctx=ctx, scale=0, text=text).replace('unitRef="usd" decimals="-6"',
                                                                                'unitRef="usdps" decimals="2"')
                    for name, ctx, text in (("EarningsPerShareBasic", "q3", "2.00"), ("EarningsPerShareBasic", "q3py",
                                                                                       "1.50"),
                                            ("EarningsPerShareDiluted", "q3py", "1.46")))
    table = (f'<div style="display:none">{facts}</div><table><tr><td></td><td>Three months ended September 30, '
             '2025</td><td>2024</td></tr><tr><td>Earnings per share:</td></tr><tr><td>Basic</td><td>2.00</td>'
             '<td>1.50</td></tr><tr><td>Diluted</td><td>{}</td><td>1.46</td></tr></table>')
    found = [e for e in tieout_filing(write(tmp_path, table.format("2.00"))).entries if e.text == "2.00"]
    assert [e.status for e in found] == ["tied", "inconsistent"], found
    assert "EarningsPerShareDiluted and its column 2025-07-01/2025-09-30, where the fact is 1.95" in \
        found[1].explanation
    found = [e for e in tieout_filing(write(tmp_path, table.format("1.95"))).entries if e.text == "1.95"]
    assert [e.status for e in found] == ["tied"], found


def test_a_column_its_cells_cannot_vote_for_takes_the_period_its_heading_names(tmp_path):
    """A table of one row: no column has two figures to vote its period, so the headings give them, and the
    prior period's figure in the current column is reported."""
    facts = "".join(TAG.format(name="Revenues", ctx=ctx, scale=6, text=text) for ctx, text in (
        ("q3", "94,900"), ("q3py", "81,200")))
    table = (f'<div style="display:none">{facts}</div><p>(in millions)</p><table><tr><td></td>'
             '<td>Three Months Ended September 30, 2025</td><td>Three Months Ended September 30, 2024</td></tr>'
             '<tr><td>Revenues</td><td>{}</td><td>81,200</td></tr></table>')
    found = [e for e in tieout_filing(write(tmp_path, table.format("81,200"))).entries if e.text == "81,200"]
    assert [e.status for e in found] == ["inconsistent", "tied"], found
    assert "where the fact is 94,900,000,000; 81,200 is its fact of 2024-07-01/2024-09-30" in found[0].explanation
    found = [e for e in tieout_filing(write(tmp_path, table.format("94,900"))).entries if e.span is None]
    assert [e.status for e in found] == ["tied", "tied"], found


def test_a_stale_amount_beside_its_percentage_is_reported_as_its_own_items(tmp_path):
    """"Cost of revenue | 44,100 | 53.9 | 44,100 | 54.3": the amount and its share of revenue alternate, and the
    current amount is last year's."""
    rate = 'unitRef="pure" decimals="3" scale="-2"'
    facts = "".join(TAG.format(name=name, ctx=ctx, scale=6, text=text) for name, ctx, text in (
        ("Revenues", "q3", "94,900"), ("Revenues", "q3py", "81,200"), ("CostOfRevenue", "q3", "51,200"),
        ("CostOfRevenue", "q3py", "44,100"))) + "".join(
        TAG.format(name="CostOfRevenuePercent", ctx=ctx, scale=0, text=text).replace(
            'unitRef="usd" decimals="-6" scale="0"', rate) for ctx, text in (("q3", "53.9"), ("q3py", "54.3")))
    pure = '<xbrli:unit id="pure"><xbrli:measure>xbrli:pure</xbrli:measure></xbrli:unit>'
    table = (f'<div style="display:none">{facts}</div><p>(in millions)</p><table><tr><td></td>'
             '<td colspan="2">Three Months Ended September 30, 2025</td><td colspan="2">Three Months Ended September '
             '30, 2024</td></tr><tr><td>Revenues</td><td>94,900</td><td></td><td>81,200</td><td></td></tr>'
             '<tr><td>Cost of revenue</td><td>{}</td><td>53.9</td><td>44,100</td><td>54.3</td></tr></table>')
    path = _write_with(tmp_path, table.format("44,100"), pure)
    found = [e for e in tieout_filing(path).entries if e.text == "44,100"]
    assert [e.status for e in found] == ["inconsistent", "tied"], found
    assert "where the fact is 51,200,000,000" in found[0].explanation


def test_a_row_whose_cells_are_one_item_in_two_columns_names_it_for_the_third(tmp_path):
    """"Fulfillment" says no word of CostOfRevenue's label, but two of its cells are that item's facts of their
    columns' periods: a misround in the third is reported."""
    nine = _context("n9", "2025-01-01/2025-09-30") + _context("n9py", "2024-01-01/2024-09-30")
    values = {"Revenues": ("94,900", "81,200", "270,400", "240,100"),
              "CostOfRevenue": ("51,200", "44,100", "148,700", "131,900")}
    facts = "".join(TAG.format(name=name, ctx=ctx, scale=6, text=text) for name, row in values.items()
                    for ctx, text in zip(("q3", "q3py", "n9", "n9py"), row))
    table = (f'<div style="display:none">{facts}</div><p>(in millions)</p><table><tr><td></td>'
             '<td colspan="2">Three Months Ended September 30,</td><td colspan="2">Nine Months Ended September 30,'
             '</td></tr><tr><td></td><td>2025</td><td>2024</td><td>2025</td><td>2024</td></tr><tr><td>Net sales</td>'
             '<td>94,900</td><td>81,200</td><td>270,400</td><td>240,100</td></tr><tr><td>Fulfillment</td><td>51,200</td><td>44,100</td><td>{}</td>'
             '<td>131,900</td></tr></table>')
    path = _write_with(tmp_path, table.format("148,800"), nine)
    found = {e.text: e for e in tieout_filing(path).entries}
    assert found["148,800"].status == "inconsistent", found
    assert "the row is CostOfRevenue and its column 2025-01-01/2025-09-30" in found["148,800"].explanation


def test_balances_at_the_edges_of_a_column_of_flows_are_that_columns(tmp_path):
    """An equity statement by quarter: each column is a quarter's flows with its opening and closing balances,
    so its balance cells have two dates and vote for neither; the quarter's edges give them."""
    instants = "".join(_context(name, day) for name, day in (("jun", "2025-06-30"), ("junpy", "2024-06-30"),
                                                             ("seppy", "2024-09-30")))
    facts = "".join(TAG.format(name=name, ctx=ctx, scale=6, text=text) for name, ctx, text in (
        ("StockholdersEquity", "jun", "120,500"), ("StockholdersEquity", "junpy", "98,300"),
        ("NetIncomeLoss", "q3", "21,200"), ("NetIncomeLoss", "q3py", "15,300"),
        ("StockholdersEquity", "bs", "141,700"), ("StockholdersEquity", "seppy", "113,600")))
    rows = (("Beginning balances", "120,500", "98,300"), ("Net income", "21,200", "15,300"),
            ("Ending balances", "141,700", "113,600"))
    table = (f'<div style="display:none">{facts}</div><p>(in millions)</p><table><tr><td></td>'
             '<td colspan="2">Three Months Ended September 30,</td></tr><tr><td></td><td>2025</td><td>2024</td></tr>'
             + "".join(f"<tr><td>{a}</td><td>{b}</td><td>{c}</td></tr>" for a, b, c in rows) + "</table>")
    path = _write_with(tmp_path, table, instants)
    found = {e.text: e for e in tieout_filing(path).entries if e.span is None}
    for text in ("120,500", "98,300", "141,700", "113,600"):
        assert found[text].status == "tied", found[text]


def test_a_row_of_three_cells_of_one_item_and_their_columns_period_names_that_item(tmp_path):
    """An equity statement's "Net income for the period" says no word of ProfitLoss, and its headings name no
    member ("Earnings Reinvested" for retained earnings): three of its cells are ProfitLoss of their columns'
    quarter, which names the item for each of them."""
    members = {"Re": "us-gaap:RetainedEarningsMember", "Nc": "us-gaap:NoncontrollingInterestMember", "": ""}
    contexts = "".join(_context(f"q2{k}", "2025-04-01/2025-06-30", m) for k, m in members.items())
    values = {"ProfitLoss": ("7,082", "272", "7,354"), "DividendsCommonStock": ("(4,310)", "(118)", "(4,428)")}
    facts = "".join(TAG.format(name=name, ctx=f"q2{k}", scale=6, text=text.strip("()"))
                    for name, row in values.items() for k, text in zip(members, row))
    rows = (("Net income for the period", *values["ProfitLoss"]), ("Dividends", *values["DividendsCommonStock"]))
    table = (f'<div style="display:none">{facts}</div><p>(in millions)</p><table><tr><td></td><td>Earnings '
             'Reinvested</td><td>Minority Share</td><td>Total Equity</td></tr>'
             + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows) + "</table>")
    cells = {e.text: e for e in tieout_filing(_write_with(tmp_path, table, contexts)).entries if e.span is None}
    for text in values["ProfitLoss"]:
        assert cells[text].status == "tied" and cells[text].fact.concept.local == "ProfitLoss", cells[text]


def test_a_row_of_generic_words_is_named_by_the_title_above_its_table(tmp_path):
    """"Balance at end of period" names no item; the sentence above the table ("the product warranty
    liability") does, so the balance is tied to ProductWarrantyAccrual, not to another fact of its value."""
    contexts = _context("n9", "2025-01-01/2025-09-30")
    facts = "".join(TAG.format(name=name, ctx=ctx, scale=6, text=text) for name, ctx, text in (
        ("ProductWarrantyAccrual", "py", "1,337"), ("ProductWarrantyAccrualWarrantiesIssued", "n9", "210"),
        ("ProductWarrantyAccrualPayments", "n9", "150"), ("ProductWarrantyAccrual", "bs", "1,397"),
        ("ContractWithCustomerLiabilityCurrent", "bs", "1,397")))
    rows = (("Balance at beginning of period", "1,337"), ("Warranties issued", "210"), ("Settlements", "(150)"),
            ("Balance at end of period", "1,397"))
    table = ('<div style="display:none">{}</div><p>{}</p><table><tr><td>(in millions)</td><td>Nine Months Ended '
             'September 30, 2025</td></tr>' + "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in rows)
             + "</table>")
    title = "Changes in the product warranty liability were as follows:"
    cells = {e.text: e for e in tieout_filing(_write_with(tmp_path, table.format(facts, title), contexts)).entries
             if e.span is None}
    assert cells["1,397"].status == "tied", cells["1,397"]
    assert cells["1,397"].fact.concept.local == "ProductWarrantyAccrual", cells["1,397"]
    cells = {e.text: e for e in tieout_filing(_write_with(tmp_path, table.format(facts, "Changes were as follows:"),
                                                          contexts)).entries if e.span is None}
    assert cells["1,397"].status == "coincidental", cells["1,397"]


def test_the_same_figure_twice_in_a_row_is_no_second_proof_of_its_item(tmp_path):
    """An equity statement prints a change once under its component and again under the total ("2,800 |
    2,800"): a balance of that value, in the statement's last column date, explains both cells, but that is one
    coincidence seen twice, not a row of that item."""
    contexts = "".join(_context(f"{p}Ap", day, "us-gaap:AdditionalPaidInCapitalMember") for p, day in (
        ("py", "2024-12-31"), ("bs", "2025-09-30"), ("n9", "2025-01-01/2025-09-30"))) + _context(
        "n9", "2025-01-01/2025-09-30")
    facts = "".join(TAG.format(name=name, ctx=ctx, scale=6, text=text) for name, ctx, text in (
        ("StockholdersEquity", "pyAp", "5,100"), ("StockholdersEquity", "py", "9,000"),
        ("StockholdersEquity", "bsAp", "7,900"), ("StockholdersEquity", "bs", "11,800"),
        ("AdjustmentsToAdditionalPaidInCapitalSharebasedCompensationRequisiteServicePeriodRecognitionValue", "n9Ap",
         "2,800"), ("AdjustmentsToAdditionalPaidInCapitalSharebasedCompensationRequisiteServicePeriodRecognitionValue",
                    "n9", "2,800"), ("AccruedSalariesCurrentAndNoncurrent", "bs", "2,800")))
    rows = (("Balance at December 31, 2024", "5,100", "9,000"), ("Stock-based awards", "2,800", "2,800"),
            ("Balance at September 30, 2025", "7,900", "11,800"))
    table = (f'<div style="display:none">{facts}</div><p>(in millions)</p><table><tr><td></td><td>Additional '
             'Paid-in Capital</td><td>Total Equity</td></tr>'
             + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows) + "</table>")
    found = [e for e in tieout_filing(_write_with(tmp_path, table, contexts)).entries if e.text == "2,800"]
    assert len(found) == 2 and all(e.status != "tied" or e.fact.concept.local != "AccruedSalariesCurrentAndNoncurrent"
                                   for e in found), found


def test_a_percentage_may_be_written_as_a_word():
    from decimal import Decimal
    from qfin_docs.verify.scan import tokens
    found = [t.printed for t in tokens("assets abroad were 17 percent and 16 per cent of total assets, or 15%")]
    assert [(p.value, p.percent) for p in found] == [(Decimal("0.17"), True), (Decimal("0.16"), True),
                                                     (Decimal("0.15"), True)], found
    assert [t.printed.percent for t in tokens("17 percentage points")] == [False]


def test_a_misprinted_cell_carries_the_value_it_should_print_as(tmp_path):
    """The yardstick counts "with the expected value" from ``Entry.expected``, not from the explanation's words:
    a misprint (12,900 for 12,300), a stale figure (last year's 11,800) and digits swapped (21,300) each carry
    the fact's value; a correct cell carries none."""
    from decimal import Decimal
    for printed in ("12,900", "11,800", "21,300"):
        entry = next(e for e in tieout_filing(write(tmp_path, _statement(printed))).entries if e.text == printed)
        assert entry.status == "inconsistent", entry
        assert entry.expected == Decimal("12300000000") == entry.fact.value, entry
    right = next(e for e in tieout_filing(write(tmp_path, _statement("12,300"))).entries if e.text == "12,300")
    assert right.status == "tied" and right.expected is None


def test_a_figure_under_the_wrong_scale_word_carries_the_value_expected(tmp_path):
    from decimal import Decimal
    hidden = '<div style="display:none">{}</div>'.format(
        TAG.format(name="ResearchAndDevelopmentExpense", ctx="q3", scale=6, text="1,250"))
    text = "<p>Research and development expense was $1,250 billion for the three months ended September 30, 2025.</p>"
    found = {e.text: e for e in tieout_filing(write(tmp_path, hidden + text)).entries}
    assert found["$1,250 billion"].expected == Decimal("1250000000")


def test_an_entrys_status_is_one_of_a_closed_set_and_only_a_wrong_figure_has_an_expected_value():
    from decimal import Decimal
    import pytest
    from qfin_docs.verify.report import STATUSES, Entry
    assert Entry("1", "x:1", "inconsistent", "why", expected=Decimal(1)).expected == Decimal(1)
    assert all(Entry("1", "x:1", status, "why").status == status for status in STATUSES)
    with pytest.raises(ValueError):
        Entry("1", "x:1", "mismatched", "why")          # a typo of a status would print as a new kind
    with pytest.raises(ValueError):
        Entry("1", "x:1", "tied", "why", expected=Decimal(1))
